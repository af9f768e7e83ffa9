"""CLI tests of the "Users management" commands: exact stdout, stderr and exit codes.

The commands run in-process (``oint_py.cli.run`` inside click's CliRunner isolation) against
requests-mock (exact answers, no sockets) or the fake portal on 127.0.0.1.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests
import requests_mock as rm
from click.testing import CliRunner

from oint_py.bitrix24.fields import load_answer
from oint_py.cli import run
from oint_py.testing import Answer, FakePortal

HOOK = "https://b24.example.org/rest/1/s3cr3tw3bh00k/"
PORTAL = "https://b24.example.org"
TOKEN = "t0k3n-abcdef-123456"


def oint(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> tuple[int, str, str]:
    """Run ``oint ARGS`` in-process; return (exit code, stdout, stderr)."""
    environ: dict[str, str | None] = {
        "BITRIX24_URL": None,
        "BITRIX24_TOKEN": None,
        "OINT_RETRIES": None,
        "OINT_MAX_WAIT": None,
        "OINT_BACKOFF_BASE": "0.01",
    }
    environ.update(env or {})
    with CliRunner().isolation(input=stdin, env=environ) as (out, err, _):
        code = run(list(args))
    return int(code), out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


def rendered(answer: Any) -> str:
    return json.dumps(answer, indent=1, ensure_ascii=False) + "\n"


def answer(name: str) -> dict[str, Any]:
    return load_answer(name)


TRUE = {"result": True, "time": {"start": 1765396872, "finish": 1765396872.5}}
TRUE_TEXT = (
    '{\n "result": true,\n "time": {\n  "start": 1765396872,\n  "finish": 1765396872.5\n }\n}\n'
)


@pytest.fixture
def mock() -> Any:
    with rm.Mocker() as m:
        yield m


def sent(mock: Any) -> list[tuple[str, Any]]:
    return [(r.url, r.json()) for r in mock.request_history]


# --- the group ---------------------------------------------------------------------------


def test_bitrix24_lists_the_eight_users_commands() -> None:
    code, out, err = oint("bitrix24")
    assert (code, err) == (0, "")
    section = out[out.index("Users management:") :]
    assert section == (
        "Users management:\n"
        "  GetCurrentUser          The webhook's or token's own user (user.current).\n"
        "  GetUser                 A user by ID (user.get).\n"
        "  CreateUser              Create a user (user.add).\n"
        "  UpdateUser              Change a user's fields (user.update).\n"
        "  ChangeUserStatus        Fire or rehire a user (user.update ACTIVE).\n"
        "  FindUsers               Find users by a filter (user.search).\n"
        "  GetUserFieldsStructure  The user fields and titles (user.fields).\n"
        "  GetUserFilterStructure  FindUsers' filter template (local).\n"
    )


COMMANDS = [
    "GetCurrentUser",
    "GetUser",
    "CreateUser",
    "UpdateUser",
    "ChangeUserStatus",
    "FindUsers",
    "GetUserFieldsStructure",
    "GetUserFilterStructure",
]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_a_bash_and_a_cmd_example_and_the_per_call_options(name: str) -> None:
    code, out, err = oint("bitrix24", name.lower(), "--help")
    assert (code, err) == (0, "")
    assert "  bash:\n    oint bitrix24 " + name in out
    assert "  cmd.exe:\n    oint bitrix24 " + name in out
    for option in ("--out", "--debug", "--test", "--timeout", "--ascii", "--retries", "--max-wait"):
        assert f"  {option} " in out
    has_portal = name != "GetUserFilterStructure"
    assert ("BITRIX24_URL" in out) is has_portal
    assert ("BITRIX24_TOKEN" in out) is has_portal


# --- GetCurrentUser ----------------------------------------------------------------------


def test_get_current_user_webhook(mock: Any) -> None:
    current = answer("user.current.ok.json")
    mock.post(HOOK + "user.current", json=current)
    code, out, err = oint("bitrix24", "GetCurrentUser", "--url", HOOK)
    assert (code, out, err) == (0, rendered(current), "")
    assert out.startswith('{\n "result": {\n  "ID": "1",\n  "XML_ID": "53818298",\n')
    assert '"NAME": "Иван"' in out
    assert sent(mock) == [(HOOK + "user.current", {})]


def test_get_current_user_token_from_the_environment(mock: Any) -> None:
    mock.post(PORTAL + "/rest/user.current", json=TRUE)
    code, out, err = oint(
        "bitrix24", "getcurrentuser", env={"BITRIX24_URL": PORTAL, "BITRIX24_TOKEN": TOKEN}
    )
    assert (code, out, err) == (0, TRUE_TEXT, "")
    assert sent(mock) == [(PORTAL + "/rest/user.current", {"auth": TOKEN})]


def test_get_current_user_portal_error_exit_1(mock: Any) -> None:
    body = {"error": "expired_token", "error_description": "The access token provided has expired."}
    mock.post(PORTAL + "/rest/user.current", status_code=401, json=body)
    code, out, err = oint("bitrix24", "GetCurrentUser", "-u", PORTAL, "-t", TOKEN)
    assert code == 1
    assert out == rendered(body)
    assert err == (
        "Error: the portal answered expired_token: The access token provided has expired "
        "(HTTP 401). The OAuth token lives one hour: get a new one (refresh it) and run again.\n"
    )
    assert TOKEN not in err


# --- GetUser -----------------------------------------------------------------------------


def test_get_user_by_id(mock: Any) -> None:
    got = answer("user.get.ok.json")
    mock.post(HOOK + "user.get", json=got)
    code, out, err = oint("bitrix24", "GetUser", "-u", HOOK, "-s", '"3216"')
    assert (code, out, err) == (0, rendered(got), "")
    assert sent(mock) == [(HOOK + "user.get", {"ID": 3216})]


def test_get_user_needs_an_id_or_all(mock: Any) -> None:
    code, out, err = oint("bitrix24", "GetUser", "-u", HOOK)
    assert (code, out) == (2, "")
    assert err == (
        "Error: --userid is missing. Pass the user's ID (-s 2626), or --all to list every user.\n"
    )
    assert mock.call_count == 0


def test_get_user_bad_id(mock: Any) -> None:
    code, out, err = oint("bitrix24", "GetUser", "-u", HOOK, "-s", "abc")
    assert (code, out) == (2, "")
    assert err == (
        "Error: --userid must be a positive integer, not 'abc'. "
        "Pass the user's numeric ID, e.g. --userid 2626.\n"
    )
    assert mock.call_count == 0


def _pages(items: list[dict[str, Any]], size: int) -> list[dict[str, Any]]:
    responses = []
    for start in range(0, len(items), size):
        page: dict[str, Any] = {"result": items[start : start + size]}
        if start + size < len(items):
            page["next"] = start + size
        page["total"] = len(items)
        page["time"] = {"start": 1}
        responses.append({"json": page})
    return responses


def test_get_user_all_follows_next(mock: Any) -> None:
    items = [{"ID": str(i), "NAME": f"N{i}"} for i in range(1, 6)]
    mock.post(HOOK + "user.get", _pages(items, 2))
    code, out, err = oint("bitrix24", "GetUser", "-u", HOOK, "--all")
    assert (code, err) == (0, "")
    assert out == rendered({"result": items, "total": 5})
    assert sent(mock) == [
        (HOOK + "user.get", {}),
        (HOOK + "user.get", {"start": 2}),
        (HOOK + "user.get", {"start": 4}),
    ]


def test_get_user_all_nothing_found(mock: Any) -> None:
    mock.post(HOOK + "user.get", json=answer("user.search.empty.json"))
    code, out, err = oint("bitrix24", "GetUser", "-u", HOOK, "-s", "99", "--all")
    assert (code, out) == (0, '{\n "result": [],\n "total": 0\n}\n')
    assert err == "Warning: there is no user with ID 99 (the portal found none).\n"


def test_get_user_all_stops_when_next_does_not_advance(mock: Any) -> None:
    mock.post(HOOK + "user.get", json={"result": [{"ID": "1"}], "next": 0, "total": 9})
    code, out, err = oint("bitrix24", "GetUser", "-u", HOOK, "--all")
    assert (code, out) == (3, "")
    assert err == (
        "Error: user.get answered next=0 after start=0, which does not move forward. "
        "Run it without --all and page by hand.\n"
    )
    assert mock.call_count == 1


def test_get_user_all_test_describes_the_first_request(mock: Any) -> None:
    code, out, err = oint("bitrix24", "GetUser", "-u", HOOK, "--all", "--test")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "method": "POST",
        "url": "https://b24.example.org/rest/1/***/user.get",
        "headers": {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": json.loads(out)["headers"]["User-Agent"],
        },
        "body": {},
    }
    assert mock.call_count == 0


# --- CreateUser --------------------------------------------------------------------------


def test_create_user(mock: Any) -> None:
    added = answer("user.add.ok.json")
    mock.post(HOOK + "user.add", json=added)
    code, out, err = oint(
        "bitrix24", "CreateUser", "-u", HOOK, "-f", "{'EMAIL':'new@example.org','UF_DEPARTMENT':7}"
    )
    assert (code, out, err) == (0, rendered(added), "")
    assert out.startswith('{\n "result": 3088,\n')
    assert sent(mock) == [(HOOK + "user.add", {"EMAIL": "new@example.org", "UF_DEPARTMENT": 7})]


@pytest.mark.parametrize("fields", ['{"NAME":"Ann"}', '{"email":"  "}'])
def test_create_user_without_email_is_refused_before_sending(mock: Any, fields: str) -> None:
    code, out, err = oint("bitrix24", "CreateUser", "-u", HOOK, "-f", fields)
    assert (code, out) == (2, "")
    assert err == (
        "Error: --fields has no EMAIL: the portal needs one to create a user. Add the new "
        'user\'s e-mail, e.g. {"EMAIL":"new.person@example.org"}.\n'
    )
    assert mock.call_count == 0


def test_create_user_duplicate_email_hint(mock: Any) -> None:
    body = {
        "error": "ERROR_CORE",
        "error_description": "A user with this e-mail address (a@example.org) already exists.<br>",
    }
    mock.post(HOOK + "user.add", status_code=400, json=body)
    code, out, err = oint("bitrix24", "CreateUser", "-u", HOOK, "-f", '{"EMAIL":"a@example.org"}')
    assert (code, out) == (1, rendered(body))
    assert err == (
        "Error: the portal answered ERROR_CORE: A user with this e-mail address (a@example.org) "
        "already exists (HTTP 400). Check the values sent (the EMAIL must be valid and not in "
        "use).\n"
    )


def test_create_user_fields_from_stdin_in_token_mode(mock: Any) -> None:
    mock.post(PORTAL + "/rest/user.add", json={"result": 3089})
    code, out, err = oint(
        "bitrix24", "CreateUser", "-u", PORTAL, "-t", TOKEN, "-f", "-",
        stdin='{"EMAIL":"a@example.org","NAME":"Аня"}',
    )  # fmt: skip
    assert (code, out, err) == (0, '{\n "result": 3089\n}\n', "")
    assert sent(mock) == [
        (PORTAL + "/rest/user.add", {"EMAIL": "a@example.org", "NAME": "Аня", "auth": TOKEN})
    ]


def test_create_user_dropped_connection_is_outcome_unknown_and_not_resent(mock: Any) -> None:
    mock.post(HOOK + "user.add", exc=requests.exceptions.ConnectionError("Connection aborted."))
    code, out, err = oint("bitrix24", "CreateUser", "-u", HOOK, "-f", '{"EMAIL":"x@example.org"}')
    assert (code, out) == (3, "")
    assert err == (
        "Error: the connection to b24.example.org was dropped before a complete answer; "
        "user.add may or may not have been carried out (outcome unknown: check with GetUser "
        "or FindUsers). It was not re-sent, so that it cannot run twice. Look the user up "
        "before running it again.\n"
    )
    assert mock.call_count == 1


def test_create_user_against_the_fake_portal_dropped_connection() -> None:
    with FakePortal() as portal:
        portal.script(Answer(close=True))
        code, out, err = oint(
            "bitrix24", "CreateUser", "-u", portal.webhook_url, "-f", '{"EMAIL":"x@example.org"}'
        )
        assert (code, out) == (3, "")
        assert "(outcome unknown: check with GetUser or FindUsers)" in err
        assert err.count("\n") == 1 and err.startswith("Error: ")
        assert len(portal.requests) == 1
        assert [r.rest_method for r in portal.requests] == ["user.add"]
        assert max(portal.users) == 3216  # nothing created


# --- ChangeUserStatus --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "active"),
    [([], "N"), (["--fire", "true"], "N"), (["--fire", "FALSE"], "Y"), (["--fire=True"], "N")],
)
def test_change_user_status(mock: Any, extra: list[str], active: str) -> None:
    mock.post(HOOK + "user.update", json=TRUE)
    code, out, err = oint("bitrix24", "ChangeUserStatus", "-u", HOOK, "-s", "2626", *extra)
    assert (code, out, err) == (0, TRUE_TEXT, "")
    assert sent(mock) == [(HOOK + "user.update", {"ID": 2626, "ACTIVE": active})]


def test_change_user_status_fire_takes_only_true_or_false(mock: Any) -> None:
    code, out, err = oint("bitrix24", "ChangeUserStatus", "-u", HOOK, "-s", "2626", "--fire", "yes")
    assert (code, out) == (2, "")
    assert err.endswith(
        "Error: Invalid value for '--fire': 'yes' is not true or false. "
        "Write true or false (any case).\n"
    )
    assert mock.call_count == 0


# --- FindUsers ---------------------------------------------------------------------------


def test_find_users_inline_filter(mock: Any) -> None:
    got = answer("user.get.ok.json")
    mock.post(HOOK + "user.search", json=got)
    code, out, err = oint("bitrix24", "FindUsers", "-u", HOOK, "--filter", "{'NAME':'Oleg'}")
    assert (code, out, err) == (0, rendered(got), "")
    assert sent(mock) == [(HOOK + "user.search", {"FILTER": {"NAME": "Oleg"}})]


def test_find_users_filter_from_a_file_all_pages(mock: Any, tmp_path: Path) -> None:
    path = tmp_path / "filter.json"
    path.write_bytes(b'\xef\xbb\xbf{"UF_DEPARTMENT_NAME":"Sales"}')  # Notepad's BOM
    items = [{"ID": str(i)} for i in range(1, 4)]
    mock.post(PORTAL + "/rest/user.search", _pages(items, 2))
    code, out, err = oint(
        "bitrix24", "FindUsers", "-u", PORTAL, "-t", TOKEN, "--filter", str(path), "--all"
    )
    assert (code, err) == (0, "")
    assert out == (
        '{\n "result": [\n  {\n   "ID": "1"\n  },\n  {\n   "ID": "2"\n  },\n'
        '  {\n   "ID": "3"\n  }\n ],\n "total": 3\n}\n'
    )
    flt = {"UF_DEPARTMENT_NAME": "Sales"}
    assert sent(mock) == [
        (PORTAL + "/rest/user.search", {"FILTER": flt, "auth": TOKEN}),
        (PORTAL + "/rest/user.search", {"FILTER": flt, "start": 2, "auth": TOKEN}),
    ]


def test_find_users_bad_filter_is_exit_2(mock: Any) -> None:
    code, out, err = oint("bitrix24", "FindUsers", "-u", HOOK, "--filter", "{NAME:Oleg}")
    assert (code, out) == (2, "")
    assert err.startswith(
        "Error: --filter looks like JSON whose quotes the shell removed: {NAME:Oleg}. "
    )
    assert mock.call_count == 0


def test_find_users_filter_is_required(mock: Any) -> None:
    code, out, err = oint("bitrix24", "FindUsers", "-u", HOOK)
    assert (code, out) == (2, "")
    assert err == (
        'Error: --filter is missing. Give a filter such as {"LAST_NAME":"Petrova"} (see '
        "GetUserFilterStructure), or list every user with GetUser --all.\n"
    )


# --- GetUserFieldsStructure --------------------------------------------------------------


def test_get_user_fields_structure(mock: Any) -> None:
    fields = answer("user.fields.ok.json")
    mock.post(HOOK + "user.fields", json=fields)
    code, out, err = oint("bitrix24", "GetUserFieldsStructure", "-u", HOOK, "--ascii")
    assert (code, out, err) == (0, json.dumps(fields, indent=1) + "\n", "")
    assert '"NAME": "\\u0418\\u043c\\u044f"' in out
    assert sent(mock) == [(HOOK + "user.fields", {})]


# --- GetUserFilterStructure --------------------------------------------------------------

TEMPLATE = (
    "{\n"
    ' "NAME": "<name>",\n'
    ' "LAST_NAME": "<surname>",\n'
    ' "WORK_POSITION": "<position>",\n'
    ' "UF_DEPARTMENT_NAME": "<department name>",\n'
    ' "USER_TYPE": "<type: employee, extranet, email>"\n'
    "}\n"
)
EMPTY = (
    '{\n "NAME": "",\n "LAST_NAME": "",\n "WORK_POSITION": "",\n'
    ' "UF_DEPARTMENT_NAME": "",\n "USER_TYPE": ""\n}\n'
)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ([], TEMPLATE),
        (["--empty", "false"], TEMPLATE),
        (["--empty", "TRUE"], EMPTY),
        (["--empty=true", "--test", "--debug", "--timeout", "5", "--retries", "0"], EMPTY),
    ],
)
def test_get_user_filter_structure_is_local(mock: Any, extra: list[str], expected: str) -> None:
    code, out, err = oint("bitrix24", "GetUserFilterStructure", *extra)
    assert (code, out, err) == (0, expected, "")
    assert mock.call_count == 0


def test_get_user_filter_structure_out_file(tmp_path: Path) -> None:
    target = tmp_path / "filter.json"
    code, out, err = oint("bitrix24", "GetUserFilterStructure", "--out", str(target))
    assert (code, out, err) == (0, "", f"Saved the answer to {target}\n")
    assert target.read_bytes() == TEMPLATE.encode("utf-8")


def test_get_user_filter_structure_takes_no_url() -> None:
    code, out, err = oint("bitrix24", "GetUserFilterStructure", "--url", HOOK)
    assert (code, out) == (2, "")
    assert err.endswith("Error: No such option '--url'. Did you mean '--out'?\n")


def test_get_user_filter_structure_matches_the_shared_copy() -> None:
    shared = Path(__file__).resolve().parents[2] / "shared/bitrix24/responses"
    if not shared.is_dir():
        pytest.skip("../shared is not next to this checkout")
    assert answer("GetUserFilterStructure.local.json") == json.loads(
        (shared / "GetUserFilterStructure.local.json").read_text(encoding="utf-8")
    )


# --- UpdateUser warnings and --strict ----------------------------------------------------

WARN_FIELDS = json.dumps(
    {
        "EMIAL": "a@example.org",
        "last_login": "",
        "ACTIVE": "false",
        "PERSONAL_PHOTO": "",
        "fields": {"NAME": "Ivan"},
        "UF_USR_1700000000": "ok",
        "NAME": "Ivan",
    }
)
WARNINGS = (
    "Warning: EMIAL is not a user field: the portal would answer true and ignore it. "
    "Did you mean EMAIL? See GetUserFieldsStructure for the field names (custom fields start "
    "with UF_USR_).\n"
    "Warning: last_login is read-only: the portal would answer true and ignore it. Remove it "
    "from --fields.\n"
    'Warning: ACTIVE is the string "false": the portal would keep the user active (it reads '
    'every string but "N" as Y). Send "N" or JSON false (or use ChangeUserStatus).\n'
    "Warning: PERSONAL_PHOTO is empty: the portal would delete the user's photo. Remove the "
    "key to keep it.\n"
    'Warning: --fields has a nested "fields" object (the form CRM methods use); user.update '
    "takes the fields at the top level and would ignore everything inside it. Move its keys "
    'up: {"NAME":"Ivan"}, not {"fields":{"NAME":"Ivan"}}.\n'
)


def test_update_user_warns_before_sending(mock: Any) -> None:
    mock.post(HOOK + "user.update", json=TRUE)
    code, out, err = oint("bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626", "-f", WARN_FIELDS)
    assert (code, out, err) == (0, TRUE_TEXT, WARNINGS)
    assert mock.call_count == 1


def test_update_user_strict_refuses_and_sends_nothing(mock: Any) -> None:
    code, out, err = oint(
        "bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626", "-f", WARN_FIELDS, "--strict"
    )
    assert (code, out) == (2, "")
    assert err == WARNINGS + (
        "Error: --strict: 5 warnings above; nothing was sent. Fix --fields, or leave out "
        "--strict to send it anyway.\n"
    )
    assert mock.call_count == 0


@pytest.mark.parametrize(
    ("value", "line"),
    [
        (
            "1",
            'Warning: ACTIVE is the string "1": the portal would read it as Y only because every '
            'string but "N" means Y. Send "Y" or JSON true (or use ChangeUserStatus).\n',
        ),
        (
            " TRUE ",
            'Warning: ACTIVE is the string " TRUE ": the portal would read it as Y only because '
            'every string but "N" means Y. Send "Y" or JSON true (or use ChangeUserStatus).\n',
        ),
        (
            "0",
            'Warning: ACTIVE is the string "0": the portal would keep the user active (it reads '
            'every string but "N" as Y). Send "N" or JSON false (or use ChangeUserStatus).\n',
        ),
    ],
)
def test_update_user_active_words(mock: Any, value: str, line: str) -> None:
    fields = json.dumps({"ACTIVE": value})
    code, out, err = oint(
        "bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626", "-f", fields, "--strict"
    )
    assert (code, out) == (2, "")
    assert err == line + (
        "Error: --strict: 1 warning above; nothing was sent. Fix --fields, or leave out "
        "--strict to send it anyway.\n"
    )


@pytest.mark.parametrize(
    "fields",
    [
        '{"ACTIVE":"N","UF_USR_1700000000":"x","email":"a@example.org"}',
        '{"ACTIVE":false,"PERSONAL_PHOTO":{"fileData":["a.jpg","AAAA"]}}',
        '{"UF_DEPARTMENT":7,"PERSONAL_BIRTHDAY":"1990-05-17"}',
        '{"UF_DEPARTMENT":["7","5"]}',
    ],
)
def test_update_user_no_warning_for_good_fields(mock: Any, fields: str) -> None:
    mock.post(HOOK + "user.update", json=TRUE)
    code, out, err = oint(
        "bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626", "-f", fields, "--strict"
    )
    assert (code, out, err) == (0, TRUE_TEXT, "")
    assert mock.call_count == 1


@pytest.mark.parametrize(
    ("fields", "warning"),
    [
        (
            '{"NAME":null}',
            "Warning: NAME is null: the portal would store it empty, clearing what the user "
            "has. Remove the key to keep the stored value.",
        ),
        (
            '{"UF_DEPARTMENT":"7,5"}',
            'Warning: UF_DEPARTMENT is "7,5": the portal expects department IDs, a number or '
            "a list of numbers such as [7].",
        ),
    ],
)
def test_update_user_warns_on_null_and_bad_departments(
    mock: Any, fields: str, warning: str
) -> None:
    mock.post(HOOK + "user.update", json=TRUE)
    code, out, err = oint("bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626", "-f", fields)
    assert (code, out, err) == (0, TRUE_TEXT, warning + "\n")


def test_update_user_warnings_also_under_test(mock: Any) -> None:
    code, out, err = oint(
        "bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626", "-f", '{"EMIAL":"a@b.org"}', "--test"
    )
    assert code == 0
    assert json.loads(out)["body"] == {"ID": 2626, "EMIAL": "a@b.org"}
    assert err.startswith("Warning: EMIAL is not a user field")
    assert mock.call_count == 0


def test_update_user_result_false_is_warned(mock: Any) -> None:
    mock.post(HOOK + "user.update", json={"result": False})
    code, out, err = oint("bitrix24", "UpdateUser", "-u", HOOK, "-s", "2626", "-f", '{"NAME":"A"}')
    assert (code, out) == (0, '{\n "result": false\n}\n')
    assert err == "Warning: the portal answered result false: the user was not updated.\n"
