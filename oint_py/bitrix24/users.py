"""OPI's "Users management" group: one function per command, each naming its REST method."""

from __future__ import annotations

from typing import Any

from oint_py.bitrix24._call import run
from oint_py.errors import InputError
from oint_py.transport import Settings


def update_user_body(user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """user.update takes the fields at the top level plus ``ID`` (not under ``fields``)."""
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise InputError(f"the user id must be a positive integer, not {user_id!r}")
    body: dict[str, Any] = {"ID": user_id}
    for key, value in fields.items():
        if key.upper() == "ID":
            if str(value).strip() != str(user_id):
                raise InputError(
                    f"--fields has {key}={value!r} but --userid is {user_id}",
                    "Remove the ID from --fields or make it match --userid.",
                )
            continue
        body[key] = value
    if len(body) == 1:
        raise InputError("--fields has no field to change besides ID", "Add a field to send.")
    return body


def update_user(
    url: str,
    user_id: int,
    fields: dict[str, Any],
    token: str | None = None,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """UpdateUser (user.update): change a user's fields; returns the portal's answer."""
    return run(url, token, "user.update", update_user_body(user_id, fields), settings=settings)
