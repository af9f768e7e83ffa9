"""The fake portal's users table: seeding, storing fields as the portal does, filtering."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

from oint_py.bitrix24.fields import load_answer

PAGE = 50

# Department ids seen in the real answers, with plausible names (for UF_DEPARTMENT_NAME).
DEPARTMENTS: dict[int, str] = {1: "Example Company", 5: "Sales", 7: "Development"}

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FILE_FIELDS = ("PERSONAL_PHOTO", "WORK_LOGO")
_DATE_FIELDS = ("PERSONAL_BIRTHDAY", "UF_EMPLOYMENT_DATE")


def _employee(
    uid: int, name: str, last: str, email: str, position: str, departments: list[int]
) -> dict[str, Any]:
    return {
        "ID": str(uid),
        "XML_ID": str(69815000 + uid),
        "ACTIVE": True,
        "NAME": name,
        "LAST_NAME": last,
        "EMAIL": email,
        "LAST_LOGIN": "2025-12-01T09:00:00+00:00",
        "DATE_REGISTER": "2025-03-03T00:00:00+00:00",
        "IS_ONLINE": "N",
        "TIMESTAMP_X": {},
        "PERSONAL_GENDER": "",
        "PERSONAL_BIRTHDAY": "",
        "PERSONAL_MOBILE": "",
        "WORK_POSITION": position,
        "UF_EMPLOYMENT_DATE": "",
        "UF_DEPARTMENT": departments,
        "USER_TYPE": "employee",
    }


def seed_users(extra_users: int = 0) -> dict[int, dict[str, Any]]:
    """User 1 (user.current.ok.json), 3216 (user.get.ok.json), the OPI documentation's
    2626, 2628 and 3204, and ``extra_users`` generated employees (ids from 5001)."""
    current = load_answer("user.current.ok.json")["result"]
    got = load_answer("user.get.ok.json")["result"]
    assert isinstance(current, dict) and isinstance(got, list) and isinstance(got[0], dict)
    users: dict[int, dict[str, Any]] = {1: copy.deepcopy(current)}
    users[2626] = _employee(2626, "Anna", "Petrova", "anna.petrova@example.org", "Accountant", [5])
    users[2628] = _employee(
        2628, "Boris", "Smirnov", "boris.smirnov@example.org", "Sales manager", [5]
    )
    users[3204] = _employee(3204, "Maria", "Ivanova", "maria.ivanova@example.org", "Developer", [7])
    users[3216] = copy.deepcopy(got[0])
    for i in range(extra_users):
        uid = 5001 + i
        users[uid] = _employee(
            uid, f"Test{i:03d}", "Generated", f"user{uid}@example.org", "Tester", [1]
        )
    return users


def as_id(value: object) -> int | None:
    """A positive user id from ``2626`` or ``"2626"``; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value > 0 else None
    if isinstance(value, str) and value.strip().isdigit():
        number = int(value.strip())
        return number if number > 0 else None
    return None


def _intish(value: object) -> object:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return value


def stored_value(key: str, value: object, base_url: str, uid: int) -> object:
    """What the portal stores (and user.get later shows) for ``key`` sent as ``value``."""
    if key == "ACTIVE":
        # The real quirk: only JSON false and "N" deactivate; the string "false" means Y.
        return not (value is False or value == "N")
    if key == "UF_DEPARTMENT":
        items = value if isinstance(value, list) else [value]
        return [_intish(v) for v in items]
    if key in _FILE_FIELDS:
        if value in ("", None):
            return ""
        return f"{base_url}/upload/main/{key.lower()}_{uid}.jpg"
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, (int, float)):
        return str(value)
    if key in _DATE_FIELDS and isinstance(value, str) and _DATE.match(value):
        return f"{value}T00:00:00+00:00"
    return copy.deepcopy(value)


def _norm(value: object) -> str:
    if isinstance(value, bool):
        return "y" if value else "n"
    if value is None:
        return ""
    return str(value).strip().lower()


def matches_exact(user: dict[str, Any], key: str, wanted: object) -> bool:
    """user.get filtering: the field equals (one of) the wanted value(s), ignoring case."""
    wants = {_norm(w) for w in (wanted if isinstance(wanted, list) else [wanted])}
    actual = user.get(key)
    if key == "ACTIVE":
        wants = {
            "y" if w in ("y", "true", "1") else "n" if w in ("n", "false", "0") else w
            for w in wants
        }
    actuals = actual if isinstance(actual, list) else [actual]
    return any(_norm(a) in wants for a in actuals)


def _contains(value: object, needle: str) -> bool:
    return needle in _norm(value)


def matches_search(
    user: dict[str, Any], key: str, wanted: object, departments: dict[int, str]
) -> bool:
    """user.search filtering: case-insensitive substring for text keys."""
    if wanted in ("", None, []):
        return True
    needle = _norm(wanted)
    if key == "FIND":
        return any(_contains(user.get(k), needle) for k in ("NAME", "LAST_NAME", "EMAIL"))
    if key == "UF_DEPARTMENT_NAME":
        ids = user.get("UF_DEPARTMENT") or []
        names: Iterable[object] = (
            departments.get(i, "")
            for i in (ids if isinstance(ids, list) else [ids])
            if isinstance(i, int)
        )
        return any(_contains(n, needle) for n in names)
    if key == "USER_TYPE":
        return _norm(user.get("USER_TYPE", "employee")) == needle
    if key in ("ID", "ACTIVE", "UF_DEPARTMENT"):
        return matches_exact(user, key, wanted)
    return _contains(user.get(key), needle)


def sort_key(user: dict[str, Any]) -> int:
    uid = as_id(user.get("ID"))
    return uid if uid is not None else 0
