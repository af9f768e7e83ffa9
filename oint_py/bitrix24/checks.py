"""UpdateUser's checks: warnings before sending, and --verify's comparison after.

user.update answers ``true`` for much that it does not store (BITRIX24.md, "user.update"):
unknown and read-only keys are dropped, ``ACTIVE: "false"`` means Y, an empty
PERSONAL_PHOTO deletes the photo. The warnings name these before anything is sent; --verify
reads the user back and names every sent field whose stored value differs.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

from oint_py.bitrix24.fields import READ_ONLY, is_writable, writable_fields

# Sent as files, read back as URLs: never comparable (CONTRACT.md, "UpdateUser --verify").
FILE_FIELDS = ("PERSONAL_PHOTO", "WORK_LOGO")

_ACTIVE_WORDS = {"true": True, "1": True, "false": False, "0": False}


def _shown(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def update_warnings(fields: dict[str, Any]) -> list[str]:
    """One ``Warning:`` line per key of ``fields`` that user.update would mishandle silently.

    Each says what the portal would do and how to fix it. ``fields`` is the body without ID.
    """
    lines: list[str] = []
    for key, value in fields.items():
        upper = key.upper()
        if upper == "FIELDS" and isinstance(value, dict):
            lines.append(
                f'Warning: --fields has a nested "{key}" object (the form CRM methods use); '
                "user.update takes the fields at the top level and would ignore everything "
                'inside it. Move its keys up: {"NAME":"Ivan"}, not '
                f'{{"{key}":{{"NAME":"Ivan"}}}}.'
            )
        elif upper in READ_ONLY:
            lines.append(
                f"Warning: {key} is read-only: the portal would answer true and ignore it. "
                "Remove it from --fields."
            )
        elif not is_writable(key):
            close = difflib.get_close_matches(upper, sorted(writable_fields()), n=1, cutoff=0.75)
            hint = f"Did you mean {close[0]}? " if close else ""
            lines.append(
                f"Warning: {key} is not a user field: the portal would answer true and ignore "
                f"it. {hint}See GetUserFieldsStructure for the field names (custom fields "
                "start with UF_USR_)."
            )
        elif upper == "ACTIVE" and isinstance(value, str):
            word = value.strip().lower()
            if word in _ACTIVE_WORDS:
                meant = _ACTIVE_WORDS[word]
                effect = (
                    'keep the user active (it reads every string but "N" as Y)'
                    if not meant
                    else 'read it as Y only because every string but "N" means Y'
                )
                lines.append(
                    f"Warning: ACTIVE is the string {_shown(value)}: the portal would "
                    f'{effect}. Send "{"Y" if meant else "N"}" or JSON {str(meant).lower()} '
                    "(or use ChangeUserStatus)."
                )
        elif upper in FILE_FIELDS and value in ("", None, [], {}):
            lines.append(
                f"Warning: {key} is empty: the portal would delete the user's "
                f"{'photo' if upper == 'PERSONAL_PHOTO' else 'logo'}. Remove the key to keep it."
            )
        elif value is None:
            lines.append(
                f"Warning: {key} is null: the portal would store it empty, clearing what the "
                "user has. Remove the key to keep the stored value."
            )
        elif upper == "UF_DEPARTMENT" and not _department_ids(value):
            lines.append(
                f"Warning: UF_DEPARTMENT is {_shown(value)}: the portal expects department "
                "IDs, a number or a list of numbers such as [7]."
            )
    return lines


def _department_ids(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(
        (isinstance(i, int) and not isinstance(i, bool) and i > 0)
        or (isinstance(i, str) and i.strip().isascii() and i.strip().isdigit())
        for i in items
    )


# --- --verify ----------------------------------------------------------------------------

_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?$")
_RU_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})(?: .*)?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
_MISSING = object()


def _date_part(value: str) -> str | None:
    """``YYYY-MM-DD`` of an ISO date/time or a ``DD.MM.YYYY[ hh:mm:ss]`` portal date."""
    text = value.strip()
    match = _ISO_DATE.match(text)
    if match:
        return "-".join(match.groups())
    match = _RU_DATE.match(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{month}-{day}"
    return None


def _scalar(value: Any) -> str:
    """One comparable form for numbers given as strings or numbers, null as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value) if not isinstance(value, str) else value
    if _NUMBER.match(text.strip()):
        number = float(text)
        return str(int(number)) if number.is_integer() else repr(number)
    return text


def _active(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    word = str(value).strip().upper()
    if word in ("Y", "TRUE", "1"):
        return True
    if word in ("N", "FALSE", "0"):
        return False
    return None


def _same(sent: Any, stored: Any) -> bool:
    if isinstance(sent, dict) or isinstance(stored, dict):
        if not (isinstance(sent, dict) and isinstance(stored, dict)):
            return False
        upper = {str(k).upper(): v for k, v in stored.items()}
        return len(sent) == len(upper) and all(
            _same(v, upper.get(str(k).upper(), _MISSING)) for k, v in sent.items()
        )
    if stored is _MISSING:
        # user.get leaves out fields that are empty.
        return sent in ("", None, [], False)
    if isinstance(sent, list) or isinstance(stored, list):
        # A scalar is stored as a one-item list (UF_DEPARTMENT: 7 -> [7]).
        sent_items = sent if isinstance(sent, list) else [sent]
        stored_items = stored if isinstance(stored, list) else [stored]
        return sorted(_scalar(v) for v in sent_items) == sorted(_scalar(v) for v in stored_items)
    if isinstance(sent, str) and isinstance(stored, str):
        sent_date, stored_date = _date_part(sent), _date_part(stored)
        if sent_date is not None and stored_date is not None:
            return sent_date == stored_date
    return _scalar(sent) == _scalar(stored)


def compare(sent: dict[str, Any], stored: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(one line per sent field that did not take, the sent file fields that were skipped).

    Normalizations (CONTRACT.md): key case; ACTIVE "Y"/"N" vs true/false; a scalar vs a
    one-item list (UF_DEPARTMENT); numbers vs strings; dates by their date part.
    """
    by_key = {str(k).upper(): v for k, v in stored.items()}
    mismatches: list[str] = []
    skipped: list[str] = []
    for key, value in sent.items():
        upper = key.upper()
        if upper == "ID":
            continue
        if upper in FILE_FIELDS:
            skipped.append(key)
            continue
        found = by_key.get(upper, _MISSING)
        if upper == "ACTIVE":
            wanted = _active(value)
            same = found is not _MISSING and wanted is not None and wanted == _active(found)
        else:
            same = _same(value, found)
        if not same:
            shown = "nothing (user.get does not return it)" if found is _MISSING else _shown(found)
            mismatches.append(f"Mismatch: {key} sent {_shown(value)} vs stored {shown}")
    return mismatches, skipped
