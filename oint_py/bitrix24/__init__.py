"""The library: one function per OPI Bitrix24 command. Never imports click, never prints."""

from oint_py.bitrix24.users import (
    change_user_status,
    create_user,
    find_users,
    get_current_user,
    get_user,
    get_user_fields_structure,
    get_user_filter_structure,
    update_user,
)
from oint_py.transport import Settings

__all__ = [
    "Settings",
    "change_user_status",
    "create_user",
    "find_users",
    "get_current_user",
    "get_user",
    "get_user_fields_structure",
    "get_user_filter_structure",
    "update_user",
]
