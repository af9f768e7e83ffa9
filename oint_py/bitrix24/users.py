"""OPI's "Users management" group: one function per command, each naming its REST method.

Each function checks its input, builds the body and hands it to ``run`` (one REST call, or
with ``all_pages`` every page of a list read). Only UpdateUser does more: warnings before
sending, and --verify's read-back in the same connection.
"""

from __future__ import annotations

import copy
from typing import Any

from oint_py.bitrix24._call import portal_session, run
from oint_py.bitrix24.checks import compare, update_warnings
from oint_py.bitrix24.fields import load_answer
from oint_py.errors import InputError, OintError, VerifyError
from oint_py.transport import Settings, Transport


def _check_id(user_id: int) -> int:
    if isinstance(user_id, bool) or not isinstance(user_id, int) or user_id <= 0:
        raise InputError(f"the user id must be a positive integer, not {user_id!r}")
    return user_id


def update_user_body(user_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """user.update takes the fields at the top level plus ``ID`` (not under ``fields``)."""
    body: dict[str, Any] = {"ID": _check_id(user_id)}
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


def get_current_user(
    url: str, token: str | None = None, *, settings: Settings | None = None
) -> dict[str, Any]:
    """GetCurrentUser (user.current): the webhook's or token's own user."""
    return run(url, token, "user.current", {}, settings=settings)


def get_user(
    url: str,
    user_id: int | None,
    token: str | None = None,
    *,
    all_pages: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """GetUser (user.get): one user by ID; without an ID (with ``all_pages``), every user."""
    body = {} if user_id is None else {"ID": _check_id(user_id)}
    answer = run(url, token, "user.get", body, all_pages=all_pages, settings=settings)
    if user_id is not None and answer.get("result") == [] and settings is not None:
        # The portal answers an unknown ID with an empty list, not an error (exit 0).
        settings.warn(f"Warning: there is no user with ID {user_id} (the portal found none).")
    return answer


def create_user(
    url: str, fields: dict[str, Any], token: str | None = None, *, settings: Settings | None = None
) -> dict[str, Any]:
    """CreateUser (user.add): the answer's result is the new ID. Never re-sent once it may
    have reached the portal (exit 3, outcome unknown), so it cannot create a duplicate."""
    if not any(k.upper() == "EMAIL" and str(v).strip() for k, v in fields.items()):
        raise InputError(
            "--fields has no EMAIL: the portal needs one to create a user",
            'Add the new user\'s e-mail, e.g. {"EMAIL":"new.person@example.org"}.',
        )
    return run(url, token, "user.add", dict(fields), idempotent=False, settings=settings)


def change_user_status(
    url: str,
    user_id: int,
    fire: bool = True,
    token: str | None = None,
    *,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """ChangeUserStatus (user.update with ACTIVE): fire sends "N", otherwise "Y"."""
    body = {"ID": _check_id(user_id), "ACTIVE": "N" if fire else "Y"}
    return run(url, token, "user.update", body, settings=settings)


def find_users(
    url: str,
    filter_: dict[str, Any],
    token: str | None = None,
    *,
    all_pages: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """FindUsers (user.search): users matching ``FILTER`` (NAME, LAST_NAME, FIND, ...)."""
    return run(
        url, token, "user.search", {"FILTER": filter_}, all_pages=all_pages, settings=settings
    )


def get_user_fields_structure(
    url: str, token: str | None = None, *, settings: Settings | None = None
) -> dict[str, Any]:
    """GetUserFieldsStructure (user.fields): every standard field and its title."""
    return run(url, token, "user.fields", {}, settings=settings)


def get_user_filter_structure(empty: bool = False) -> dict[str, Any]:
    """GetUserFilterStructure (local, nothing sent): FindUsers' filter template.

    ``empty``: the same keys with empty values (OPI's ``--empty true``).
    """
    template = copy.deepcopy(load_answer("GetUserFilterStructure.local.json"))
    return {key: "" for key in template} if empty else template


def update_user(
    url: str,
    user_id: int,
    fields: dict[str, Any],
    token: str | None = None,
    *,
    verify: bool = False,
    strict: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """UpdateUser (user.update): change a user's fields; returns the portal's answer.

    Before sending, input the portal would silently mishandle is reported through
    ``settings.warn`` (``strict``: InputError instead, nothing sent). ``verify``: read the
    user back (user.get, same connection) and raise VerifyError if a sent field did not
    take; under dry run only the update is described.
    """
    settings = settings or Settings()
    body = update_user_body(user_id, fields)
    warnings = update_warnings({k: v for k, v in body.items() if k != "ID"})
    for line in warnings:
        settings.warn(line)
    if strict and warnings:
        n = len(warnings)
        raise InputError(
            f"--strict: {n} warning{'s' if n != 1 else ''} above; nothing was sent",
            "Fix --fields, or leave out --strict to send it anyway.",
        )
    with portal_session(url, token, settings) as transport:
        answer = transport.call("user.update", body)
        if answer.get("result") is False and not settings.dry_run:
            # Not an error answer (exit 0, as the contract says), but nothing was changed.
            settings.warn("Warning: the portal answered result false: the user was not updated.")
        if verify and not settings.dry_run:
            _verify(transport, body, answer)
    return answer


class ReadBackError(VerifyError):
    """Exit 1: the update answered without error, but reading the user back failed."""

    def __init__(self, answer: dict[str, Any], error: OintError) -> None:
        self.answer = answer
        self.mismatches = []
        OintError.__init__(
            self,
            f"the update was answered without error, but --verify could not read the user "
            f"back: {error.what}",
            "Check the user with GetUser.",
        )


def _verify(transport: Transport, body: dict[str, Any], answer: dict[str, Any]) -> None:
    user_id = body["ID"]
    try:
        got = transport.call("user.get", {"ID": user_id})
    except OintError as error:
        raise ReadBackError(answer, error) from None
    found = got.get("result")
    if not isinstance(found, list) or not found or not isinstance(found[0], dict):
        raise VerifyError(answer, [f"Mismatch: user.get found no user with ID {user_id}"])
    mismatches, skipped = compare(body, found[0])
    for key in skipped:
        transport.settings.warn(
            f"Note: --verify skipped {key}: a file is read back as a URL, so it cannot be compared."
        )
    if mismatches:
        raise VerifyError(answer, mismatches)
