"""The standard Bitrix24 user fields: one list for the whole project.

The keys of ``user.fields`` (``data/user.fields.ok.json``, a real answer) are the standard
fields. user.update silently drops the read-only ones and any key it does not know
(BITRIX24.md, "user.update"); portal-specific custom fields start with ``UF_USR_``.
The fake portal's allow-list and the CLI's warnings both use this module.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

# Read-only through user.update (Bitrix24 server source): silently dropped.
READ_ONLY: frozenset[str] = frozenset(
    {
        "LAST_LOGIN",
        "DATE_REGISTER",
        "IS_ONLINE",
        "TIME_ZONE_OFFSET",
        "TIMESTAMP_X",
        "LAST_ACTIVITY_DATE",
        "USER_TYPE",
    }
)

# user.add also accepts these two beyond the user.fields list (extranet users).
ADD_ONLY: frozenset[str] = frozenset({"EXTRANET", "SONET_GROUP_ID"})

CUSTOM_PREFIX = "UF_USR_"


def load_answer(name: str) -> dict[str, object]:
    """A real answer shipped in ``oint_py/data`` (copied from shared/bitrix24/responses)."""
    text = resources.files("oint_py").joinpath("data", name).read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, dict)
    return data


@cache
def standard_fields() -> tuple[str, ...]:
    """The keys of user.fields, in the portal's order."""
    result = load_answer("user.fields.ok.json")["result"]
    assert isinstance(result, dict)
    return tuple(result)


@cache
def writable_fields() -> frozenset[str]:
    """Standard fields that user.update stores (ID is the key, not a field)."""
    return frozenset(standard_fields()) - READ_ONLY - {"ID"}


def is_writable(key: str) -> bool:
    """True if user.update would store ``key`` (keys are case-insensitive on the server)."""
    upper = key.upper()
    return upper in writable_fields() or upper.startswith(CUSTOM_PREFIX)
