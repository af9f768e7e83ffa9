"""End to end: the INSTALLED ``oint`` as a subprocess against the fake portal on 127.0.0.1.

Every "Users management" command runs at least once in webhook mode and once in token mode.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oint_py.testing import Answer, FakePortal

BIN = Path(sys.executable).parent
OINT = shutil.which("oint", path=str(BIN)) or str(BIN / "oint")
README = Path(__file__).resolve().parents[1] / "README.md"


def run_oint(
    *args: str, env: dict[str, str] | None = None, stdin: str | None = None
) -> tuple[int, str, str]:
    environ = {
        k: v
        for k, v in os.environ.items()
        if k not in ("BITRIX24_URL", "BITRIX24_TOKEN", "OINT_RETRIES", "OINT_MAX_WAIT")
    }
    environ["OINT_BACKOFF_BASE"] = "0.01"
    environ.update(env or {})
    done = subprocess.run(
        [OINT, *args],
        input=(stdin or "").encode("utf-8"),
        capture_output=True,
        env=environ,
        timeout=60,
    )
    return done.returncode, done.stdout.decode("utf-8"), done.stderr.decode("utf-8")


@pytest.fixture
def portal() -> Iterator[FakePortal]:
    with FakePortal() as fake:
        yield fake
        assert fake.errors == []


MODES = ["webhook", "token"]


def address(portal: FakePortal, mode: str) -> list[str]:
    if mode == "webhook":
        return ["--url", portal.webhook_url]
    return ["--url", portal.url, "--token", portal.token]


def parsed(out: str) -> dict[str, Any]:
    value = json.loads(out)
    assert isinstance(value, dict)
    assert out == json.dumps(value, indent=1, ensure_ascii=False) + "\n"
    return value


def without_time(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k != "time"}


def assert_no_secret(portal: FakePortal, *texts: str) -> None:
    for text in texts:
        assert portal.secret not in text and portal.token not in text


@pytest.mark.parametrize("mode", MODES)
def test_get_current_user(portal: FakePortal, mode: str) -> None:
    code, out, err = run_oint("bitrix24", "GetCurrentUser", *address(portal, mode))
    assert (code, err) == (0, "")
    assert without_time(parsed(out)) == {"result": portal.user(1)}
    assert [(r.rest_method, r.auth_mode) for r in portal.calls()] == [("user.current", mode)]


@pytest.mark.parametrize("mode", MODES)
def test_get_user(portal: FakePortal, mode: str) -> None:
    code, out, err = run_oint("bitrix24", "getuser", *address(portal, mode), "-s", "3216")
    assert (code, err) == (0, "")
    assert without_time(parsed(out)) == {"result": [portal.user(3216)], "total": 1}


@pytest.mark.parametrize("mode", MODES)
def test_create_user_then_find_it(portal: FakePortal, mode: str) -> None:
    fields = "{'EMAIL':'new.user@example.org','NAME':'Nina','UF_DEPARTMENT':7}"
    code, out, err = run_oint("bitrix24", "CreateUser", *address(portal, mode), "-f", fields)
    assert (code, err) == (0, "")
    new_id = parsed(out)["result"]
    assert new_id == 3217
    assert portal.user(new_id)["NAME"] == "Nina"
    assert portal.user(new_id)["UF_DEPARTMENT"] == [7]
    code, out, err = run_oint(
        "bitrix24", "FindUsers", *address(portal, mode), "--filter", '{"NAME":"Nina"}'
    )
    assert (code, err) == (0, "")
    found = parsed(out)
    assert [u["ID"] for u in found["result"]] == ["3217"] and found["total"] == 1


@pytest.mark.parametrize("answer", [Answer(close=True), Answer.error("INTERNAL_SERVER_ERROR")])
def test_create_user_outcome_unknown_is_sent_once(portal: FakePortal, answer: Answer) -> None:
    portal.script(answer)
    code, out, err = run_oint(
        "bitrix24", "CreateUser", "-u", portal.webhook_url, "-f", '{"EMAIL":"x@example.org"}'
    )
    assert (code, out) == (3, "")
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "user.add may or may not have been carried out (outcome unknown: check with " in err
    assert "GetUser or FindUsers). It was not re-sent, so that it cannot run twice." in err
    assert len(portal.requests) == 1
    assert max(portal.users) == 3216
    assert_no_secret(portal, err)


@pytest.mark.parametrize(
    ("mode", "fire", "active"), [("webhook", [], False), ("token", ["--fire", "False"], True)]
)
def test_change_user_status(portal: FakePortal, mode: str, fire: list[str], active: bool) -> None:
    portal.users[2626]["ACTIVE"] = not active
    code, out, err = run_oint(
        "bitrix24", "ChangeUserStatus", *address(portal, mode), "-s", "2626", *fire
    )
    assert (code, err) == (0, "")
    assert without_time(parsed(out)) == {"result": True}
    assert portal.user(2626)["ACTIVE"] is active
    assert portal.calls()[0].json["ACTIVE"] == ("Y" if active else "N")


@pytest.mark.parametrize("mode", MODES)
def test_find_users_all_pages(mode: str) -> None:
    with FakePortal(extra_users=120) as portal:
        flt = '{"LAST_NAME":"Generated"}'
        code, out, err = run_oint("bitrix24", "FindUsers", *address(portal, mode), "--filter", flt)
        assert (code, err) == (0, "")
        first = parsed(out)
        assert (len(first["result"]), first["next"], first["total"]) == (50, 50, 120)
        portal.clear()
        code, out, err = run_oint(
            "bitrix24", "FindUsers", *address(portal, mode), "--filter", flt, "--all"
        )
        assert (code, err) == (0, "")
        every = parsed(out)
        assert list(every) == ["result", "total"]
        assert every["total"] == 120
        assert [u["ID"] for u in every["result"]] == [str(5001 + i) for i in range(120)]
        starts = [r.json.get("start") for r in portal.calls("user.search")]
        assert starts == [None, 50, 100]


def test_get_user_all_lists_every_user() -> None:
    with FakePortal(extra_users=60) as portal:
        code, out, err = run_oint(
            "bitrix24", "GetUser", "--all", env={"BITRIX24_URL": portal.webhook_url}
        )
        assert (code, err) == (0, "")
        every = parsed(out)
        assert every["total"] == 65 == len(every["result"])
        assert len(portal.calls("user.get")) == 2


@pytest.mark.parametrize("mode", MODES)
def test_get_user_fields_structure(portal: FakePortal, mode: str) -> None:
    code, out, err = run_oint("bitrix24", "GetUserFieldsStructure", *address(portal, mode))
    assert (code, err) == (0, "")
    result = parsed(out)["result"]
    assert list(result)[:4] == ["ID", "XML_ID", "ACTIVE", "NAME"]
    assert result["NAME"] == "Имя"


def test_get_user_filter_structure_needs_no_portal_and_no_requests() -> None:
    code, out, err = run_oint("bitrix24", "GetUserFilterStructure", "--empty", "true", "--ascii")
    assert (code, err) == (0, "")
    assert json.loads(out) == dict.fromkeys(
        ["NAME", "LAST_NAME", "WORK_POSITION", "UF_DEPARTMENT_NAME", "USER_TYPE"], ""
    )
    probe = (
        "import sys; from oint_py.cli import run; "
        "code = run(['bitrix24', 'GetUserFilterStructure']); "
        "print('requests' in sys.modules, 'json5' in sys.modules, code, file=sys.stderr)"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=60)
    assert done.stderr.decode() == "False False 0\n"


@pytest.mark.parametrize("mode", MODES)
def test_update_user_verify_dropped_field(portal: FakePortal, mode: str) -> None:
    portal.drop_fields("UF_DEPARTMENT")
    code, out, err = run_oint(
        "bitrix24", "UpdateUser", *address(portal, mode), "-s", "2628",
        "-f", '{"WORK_POSITION":"Head of sales","UF_DEPARTMENT":[7]}', "--verify",
    )  # fmt: skip
    assert code == 1
    assert without_time(parsed(out)) == {"result": True}
    assert err.splitlines() == [
        "Mismatch: UF_DEPARTMENT sent [7] vs stored [5]",
        "Error: the portal answered true but 1 field did not take. The webhook's user may lack "
        "the right to change them (only admins may change ACTIVE and UF_DEPARTMENT), or the "
        "portal has no such field.",
    ]
    assert portal.user(2628)["WORK_POSITION"] == "Head of sales"
    assert [r.rest_method for r in portal.calls()] == ["user.update", "user.get"]


def test_update_user_strict_sends_nothing(portal: FakePortal) -> None:
    code, out, err = run_oint(
        "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626",
        "-f", "{'EMIAL':'a@example.org'}", "--strict", "--verify",
    )  # fmt: skip
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "Warning: EMIAL is not a user field: the portal would answer true and ignore it. Did "
        "you mean EMAIL? See GetUserFieldsStructure for the field names (custom fields start "
        "with UF_USR_).",
        "Error: --strict: 1 warning above; nothing was sent. Fix --fields, or leave out "
        "--strict to send it anyway.",
    ]
    assert portal.requests == []


def _readme_block(marker: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(
        rf"<!-- {marker} -->\n```bash\n(.*?)```\n<!-- /{marker} -->", text, flags=re.DOTALL
    )
    assert match, f"README has no {marker} block"
    return match.group(1)


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("mode", MODES)
def test_readme_script_find_update_verify_fire(tmp_path: Path, mode: str) -> None:
    script = tmp_path / "find-update-fire.sh"
    script.write_text(_readme_block("users-script-bash"), encoding="utf-8")
    with FakePortal() as portal:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BITRIX24_", "OINT_"))}
        env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", os.defpath)])
        env["OINT_BACKOFF_BASE"] = "0.01"
        if mode == "webhook":
            env["BITRIX24_URL"] = portal.webhook_url
        else:
            env["BITRIX24_URL"], env["BITRIX24_TOKEN"] = portal.url, portal.token
        done = subprocess.run(["bash", str(script)], capture_output=True, env=env, timeout=120)
        assert (done.returncode, done.stderr.decode()) == (0, "")
        shown = parsed(done.stdout.decode("utf-8"))["result"][0]
        assert shown["ID"] == "2626"
        assert shown["ACTIVE"] is False
        assert shown["WORK_POSITION"] == "Chief accountant"
        assert shown["UF_DEPARTMENT"] == [7]
        assert [r.rest_method for r in portal.calls()] == [
            "user.search", "user.update", "user.get", "user.update", "user.get",
        ]  # fmt: skip
        # A dropped field stops the script at UpdateUser: nobody is fired.
        portal.users[2626].update({"ACTIVE": True, "UF_DEPARTMENT": [5]})
        portal.drop_fields("UF_DEPARTMENT")
        done = subprocess.run(["bash", str(script)], capture_output=True, env=env, timeout=120)
        assert done.returncode == 1
        assert done.stderr.decode().splitlines()[0] == (
            "Mismatch: UF_DEPARTMENT sent [7] vs stored [5]"
        )
        assert portal.user(2626)["ACTIVE"] is True
