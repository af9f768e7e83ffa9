"""UpdateUser --verify: the comparison's normalizations, and the command against the fake portal."""

from __future__ import annotations

import json
from typing import Any

import pytest
from click.testing import CliRunner

from oint_py.bitrix24 import update_user
from oint_py.bitrix24.checks import compare
from oint_py.cli import run
from oint_py.errors import VerifyError
from oint_py.testing import Answer, FakePortal
from oint_py.transport import Settings


def oint(*args: str) -> tuple[int, str, str]:
    env: dict[str, str | None] = {
        "BITRIX24_URL": None,
        "BITRIX24_TOKEN": None,
        "OINT_RETRIES": None,
        "OINT_MAX_WAIT": None,
        "OINT_BACKOFF_BASE": "0.01",
    }
    with CliRunner().isolation(env=env) as (out, err, _):
        code = run(list(args))
    return int(code), out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8")


NOTHING = "nothing (user.get does not return it)"

# --- compare(): the documented normalizations --------------------------------------------


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ({"ACTIVE": "N"}, {"ACTIVE": False}),
        ({"ACTIVE": "Y"}, {"ACTIVE": True}),
        ({"ACTIVE": False}, {"ACTIVE": "N"}),
        ({"ACTIVE": True}, {"ACTIVE": "Y"}),
        ({"UF_DEPARTMENT": 7}, {"UF_DEPARTMENT": [7]}),
        ({"UF_DEPARTMENT": "7"}, {"UF_DEPARTMENT": [7]}),
        ({"UF_DEPARTMENT": [5, "7"]}, {"UF_DEPARTMENT": [7, 5]}),
        ({"PERSONAL_COUNTRY": 4}, {"PERSONAL_COUNTRY": "4"}),
        ({"PERSONAL_COUNTRY": "4"}, {"PERSONAL_COUNTRY": 4}),
        ({"UF_USR_SCORE": 2.0}, {"UF_USR_SCORE": "2"}),
        ({"email": "a@example.org"}, {"EMAIL": "a@example.org"}),
        ({"Name": "Ivan"}, {"NAME": "Ivan"}),
        ({"PERSONAL_BIRTHDAY": "1990-05-17"}, {"PERSONAL_BIRTHDAY": "1990-05-17T00:00:00+03:00"}),
        ({"PERSONAL_BIRTHDAY": "1990-05-17"}, {"PERSONAL_BIRTHDAY": "17.05.1990"}),
        ({"UF_EMPLOYMENT_DATE": "2025-01-09T10:00:00"}, {"UF_EMPLOYMENT_DATE": "2025-01-09"}),
        ({"PERSONAL_MOBILE": None}, {"PERSONAL_MOBILE": ""}),
        ({"PERSONAL_MOBILE": ""}, {}),  # user.get leaves out empty fields
        ({"ID": 5, "NAME": "x"}, {"ID": "2626", "NAME": "x"}),  # ID is the key, not compared
        ({"UF_USR_MAP": {"a": 1}}, {"UF_USR_MAP": {"A": "1"}}),
    ],
)
def test_compare_accepts_the_same_value_in_another_form(
    sent: dict[str, Any], stored: dict[str, Any]
) -> None:
    assert compare(sent, stored) == ([], [])


@pytest.mark.parametrize(
    ("sent", "stored", "line"),
    [
        ({"ACTIVE": "N"}, {"ACTIVE": True}, 'ACTIVE sent "N" vs stored true'),
        ({"ACTIVE": "false"}, {"ACTIVE": True}, 'ACTIVE sent "false" vs stored true'),
        ({"ACTIVE": False}, {}, "ACTIVE sent false vs stored " + NOTHING),
        ({"UF_DEPARTMENT": [7]}, {"UF_DEPARTMENT": [5]}, "UF_DEPARTMENT sent [7] vs stored [5]"),
        ({"UF_DEPARTMENT": 7}, {"UF_DEPARTMENT": [5, 7]}, "UF_DEPARTMENT sent 7 vs stored [5, 7]"),
        (
            {"EMAIL": "b@example.org"},
            {"EMAIL": "a@example.org"},
            'EMAIL sent "b@example.org" vs stored "a@example.org"',
        ),
        (
            {"EMIAL": "b@example.org"},
            {"EMAIL": "b@example.org"},
            'EMIAL sent "b@example.org" vs stored ' + NOTHING,
        ),
        (
            {"PERSONAL_BIRTHDAY": "1990-05-17"},
            {"PERSONAL_BIRTHDAY": "1990-05-18T00:00:00+00:00"},
            'PERSONAL_BIRTHDAY sent "1990-05-17" vs stored "1990-05-18T00:00:00+00:00"',
        ),
        (
            {"PERSONAL_COUNTRY": 4},
            {"PERSONAL_COUNTRY": "40"},
            'PERSONAL_COUNTRY sent 4 vs stored "40"',
        ),
        ({"NAME": "Иван"}, {"NAME": "Ivan"}, 'NAME sent "Иван" vs stored "Ivan"'),
        ({"NAME": "x" * 80}, {"NAME": ""}, 'NAME sent "' + "x" * 56 + '... vs stored ""'),
    ],
)
def test_compare_names_each_field_that_did_not_take(
    sent: dict[str, Any], stored: dict[str, Any], line: str
) -> None:
    assert compare(sent, stored) == (["Mismatch: " + line], [])


def test_compare_skips_file_fields() -> None:
    sent = {"PERSONAL_PHOTO": {"fileData": ["a.jpg", "AAAA"]}, "WORK_LOGO": "", "NAME": "A"}
    stored = {"PERSONAL_PHOTO": "https://cdn.example.org/a.jpg", "NAME": "A"}
    assert compare(sent, stored) == ([], ["PERSONAL_PHOTO", "WORK_LOGO"])


# --- the command against the fake portal ------------------------------------------------

TRUE_KEYS = ["result", "time"]


def test_verify_passes_when_every_field_took() -> None:
    fields = '{"NAME":"Anya","UF_DEPARTMENT":7,"ACTIVE":"N","PERSONAL_BIRTHDAY":"1990-05-17"}'
    with FakePortal() as portal:
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626", "-f", fields,
            "--verify",
        )  # fmt: skip
        assert (code, err) == (0, "")
        assert json.loads(out)["result"] is True
        assert [(r.rest_method, r.json) for r in portal.calls()] == [
            (
                "user.update",
                {
                    "ID": 2626,
                    "NAME": "Anya",
                    "UF_DEPARTMENT": 7,
                    "ACTIVE": "N",
                    "PERSONAL_BIRTHDAY": "1990-05-17",
                },
            ),
            ("user.get", {"ID": 2626}),
        ]


def test_verify_reports_a_dropped_field_exit_1_stdout_is_the_update_answer() -> None:
    with FakePortal() as portal:
        portal.drop_fields("UF_DEPARTMENT")
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.url, "-t", portal.token, "-s", "2626",
            "-f", '{"NAME":"Anya","UF_DEPARTMENT":[7]}', "--verify",
        )  # fmt: skip
        assert code == 1
        update_answer = json.loads(out)
        assert list(update_answer) == TRUE_KEYS and update_answer["result"] is True
        assert out == json.dumps(update_answer, indent=1, ensure_ascii=False) + "\n"
        assert err == (
            "Mismatch: UF_DEPARTMENT sent [7] vs stored [5]\n"
            "Error: the portal answered true but 1 field did not take. The webhook's user may "
            "lack the right to change them (only admins may change ACTIVE and UF_DEPARTMENT), "
            "or the portal has no such field.\n"
        )
        assert portal.user(2626)["NAME"] == "Anya"
        assert [r.rest_method for r in portal.calls()] == ["user.update", "user.get"]
        assert [r.auth_mode for r in portal.calls()] == ["token", "token"]


def test_verify_out_file_still_gets_the_update_answer(tmp_path: Any) -> None:
    target = tmp_path / "answer.json"
    with FakePortal() as portal:
        portal.drop_fields("EMAIL", "NAME")
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "3204", "--out",
            str(target), "-f", '{"EMAIL":"m@example.org","NAME":"Masha"}', "--verify",
        )  # fmt: skip
    assert (code, out) == (1, "")
    assert json.loads(target.read_text(encoding="utf-8"))["result"] is True
    assert err.splitlines()[:3] == [
        f"Saved the answer to {target}",
        'Mismatch: EMAIL sent "m@example.org" vs stored "maria.ivanova@example.org"',
        'Mismatch: NAME sent "Masha" vs stored "Maria"',
    ]
    assert err.splitlines()[3].startswith("Error: the portal answered true but 2 fields did not")


def test_verify_skips_the_photo_and_says_so() -> None:
    photo = '{"PERSONAL_PHOTO":{"fileData":["a.jpg","/9j/4AAQ"]},"NAME":"Oleg"}'
    with FakePortal() as portal:
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "3216", "-f", photo,
            "--verify",
        )  # fmt: skip
    assert code == 0
    assert json.loads(out)["result"] is True
    assert err == (
        "Note: --verify skipped PERSONAL_PHOTO: a file is read back as a URL, so it cannot be "
        "compared.\n"
    )


def test_verify_with_test_describes_only_the_update() -> None:
    with FakePortal() as portal:
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626", "-f",
            '{"NAME":"Anya"}', "--verify", "--test",
        )  # fmt: skip
        assert (code, err) == (0, "")
        described = json.loads(out)
        assert described["url"] == f"{portal.url}/rest/1/***/user.update"
        assert described["body"] == {"ID": 2626, "NAME": "Anya"}
        assert portal.requests == []


def test_verify_read_back_failure_is_exit_1_with_the_update_answer() -> None:
    with FakePortal() as portal:
        portal.script(
            Answer(passthrough=True), Answer.error("ERROR_CORE", description="access_denied")
        )
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626", "-f",
            '{"NAME":"Anya"}', "--verify",
        )  # fmt: skip
        assert code == 1
        assert json.loads(out)["result"] is True
        assert err.startswith(
            "Error: the update was answered without error, but --verify could not read the "
            "user back: the portal answered ERROR_CORE: access_denied (HTTP "
        )
        assert err.endswith("). Check the user with GetUser.\n")
        assert [r.rest_method for r in portal.calls()] == ["user.update", "user.get"]


def test_verify_user_not_found_when_read_back() -> None:
    with FakePortal() as portal:
        portal.script(Answer(passthrough=True), Answer(body={"result": []}))
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626", "-f",
            '{"NAME":"Anya"}', "--verify",
        )  # fmt: skip
    assert code == 1
    assert err.splitlines()[0] == "Mismatch: user.get found no user with ID 2626"


def test_update_error_is_not_verified() -> None:
    with FakePortal() as portal:
        code, out, err = oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626", "-f",
            '{"EMAIL":"not-an-address"}', "--verify",
        )  # fmt: skip
        assert code == 1
        assert json.loads(out)["error"] == "ERROR_CORE"
        assert err == (
            "Error: the portal answered ERROR_CORE: Incorrect E-Mail (HTTP 400). "
            "Check the ID and the values sent.\n"
        )
        assert [r.rest_method for r in portal.calls()] == ["user.update"]


def test_library_verify_raises_verify_error() -> None:
    warnings: list[str] = []
    with FakePortal() as portal:
        portal.drop_fields("WORK_POSITION")
        settings = Settings(warn=warnings.append, backoff_base=0.01)
        with pytest.raises(VerifyError) as caught:
            update_user(
                portal.webhook_url,
                2628,
                {"WORK_POSITION": "Head of sales", "PERSONAL_PHOTO": ""},
                verify=True,
                settings=settings,
            )
    assert caught.value.answer["result"] is True
    assert caught.value.mismatches == [
        'Mismatch: WORK_POSITION sent "Head of sales" vs stored "Sales manager"'
    ]
    assert warnings == [
        "Warning: PERSONAL_PHOTO is empty: the portal would delete the user's photo. Remove "
        "the key to keep it.",
        "Note: --verify skipped PERSONAL_PHOTO: a file is read back as a URL, so it cannot be "
        "compared.",
    ]
