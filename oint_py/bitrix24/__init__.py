"""The library: one function per OPI Bitrix24 command. Never imports click, never prints."""

from oint_py.bitrix24.users import update_user
from oint_py.transport import Settings

__all__ = ["Settings", "update_user"]
