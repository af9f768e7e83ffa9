"""End to end: the installed `oint` as a subprocess against the fake portal on 127.0.0.1.

Each row of the README's exit-code table is produced here from a real process.
"""

from __future__ import annotations

import json
import signal
import subprocess
import time
from pathlib import Path

import pytest

from oint_py.testing import Answer, FakePortal
from tests.conftest import Result, clean_env, oint_executable, run_oint

OUTPUTS: list[Result] = []  # every failing case's output, for the secret sweep below


def record(result: Result) -> Result:
    OUTPUTS.append(result)
    return result


def test_seed_webhook_example(portal: FakePortal) -> None:
    result = run_oint(
        "bitrix24",
        "UpdateUser",
        "--url",
        portal.webhook_url,
        "--userid",
        "2626",
        "--fields",
        '{"EMAIL":"d2c5@example.org","UF_DEPARTMENT":1}',
    )
    assert (result.code, result.stderr) == (0, "")
    answer = json.loads(result.stdout)
    assert list(answer) == ["result", "time"]
    assert answer["result"] is True
    assert result.stdout == json.dumps(answer, indent=1, ensure_ascii=False) + "\n"
    assert portal.users[2626]["EMAIL"] == "d2c5@example.org"
    assert portal.users[2626]["UF_DEPARTMENT"] == [1]
    (call,) = portal.calls("user.update")
    assert call.path == f"/rest/1/{portal.secret}/user.update"
    assert call.json == {"ID": 2626, "EMAIL": "d2c5@example.org", "UF_DEPARTMENT": 1}
    assert call.headers["Content-Type"] == "application/json; charset=utf-8"


def test_seed_token_example_with_fields_file(portal: FakePortal, tmp_path: Path) -> None:
    fields = tmp_path / "fields.json"
    fields.write_text('{"NAME":"Олег","WORK_POSITION":"QA"}', encoding="utf-8-sig")
    result = run_oint(
        "bitrix24",
        "UpdateUser",
        "--url",
        f"http://{portal.host}",
        "--userid",
        "2628",
        "--fields",
        str(fields),
        "--token",
        portal.token,
    )
    assert (result.code, result.stderr) == (0, "")
    assert json.loads(result.stdout)["result"] is True
    (call,) = portal.calls("user.update")
    assert call.path == "/rest/user.update"
    assert call.auth_mode == "token"
    assert call.json == {"ID": 2628, "NAME": "Олег", "WORK_POSITION": "QA", "auth": portal.token}
    assert portal.users[2628]["NAME"] == "Олег"


def test_seed_single_quoted_example_short_options(portal: FakePortal) -> None:
    result = run_oint(
        "bitrix24",
        "updateuser",
        "-u",
        f"http://{portal.host}",
        "-s",
        "3204",
        "-t",
        portal.token,
        "-f",
        "{'EMAIL':'87f4@example.org','NAME':'Oleg','LAST_NAME':'Lama','UF_DEPARTMENT':'7'}",
    )
    assert (result.code, result.stderr) == (0, "")
    user = portal.users[3204]
    assert (user["EMAIL"], user["NAME"], user["LAST_NAME"]) == ("87f4@example.org", "Oleg", "Lama")
    assert portal.calls("user.update")[0].json["UF_DEPARTMENT"] == "7"  # sent exactly as given


def test_env_vars_and_python_m(portal: FakePortal) -> None:
    env = clean_env(BITRIX24_URL=f"http://{portal.host}", BITRIX24_TOKEN=portal.token)
    proc = subprocess.run(
        [
            str(Path(oint_executable()).parent / "python"),
            "-m",
            "oint_py",
            "bitrix24",
            "UpdateUser",
            "-s",
            "2626",
            "-f",
            '{"NAME":"Env"}',
        ],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert portal.users[2626]["NAME"] == "Env"


def test_exit_1_portal_error(portal: FakePortal) -> None:
    result = record(
        run_oint(
            "bitrix24",
            "UpdateUser",
            "--url",
            portal.webhook_url,
            "--userid",
            "2626",
            "--fields",
            '{"EMAIL":"not-an-email"}',
        )
    )
    assert result.code == 1
    assert json.loads(result.stdout) == {
        "error": "ERROR_CORE",
        "error_description": "Incorrect E-Mail<br>",
    }
    assert result.stderr == (
        "Error: the portal answered ERROR_CORE: Incorrect E-Mail (HTTP 400). "
        "Check the ID and the values sent.\n"
    )


def test_exit_1_wrong_secret(portal: FakePortal) -> None:
    wrong = f"{portal.url}/rest/1/wrongsecret0123/"
    result = record(
        run_oint("bitrix24", "UpdateUser", "-u", wrong, "-s", "2626", "-f", '{"NAME":"x"}')
    )
    assert result.code == 1
    assert json.loads(result.stdout)["error"] == "INVALID_CREDENTIALS"
    assert "wrongsecret0123" not in result.stderr
    assert result.stderr.startswith("Error: the portal answered INVALID_CREDENTIALS: ")


def test_exit_2_nothing_sent(portal: FakePortal) -> None:
    result = record(
        run_oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "abc", "-f", '{"NAME":"A"}'
        )
    )
    assert (result.code, result.stdout) == (2, "")
    assert (
        result.stderr == "Error: --userid must be a positive integer, not 'abc'. "
        "Pass the user's numeric ID, e.g. --userid 2626.\n"
    )
    assert portal.requests == []


def test_exit_3_non_json_answer(portal: FakePortal) -> None:
    portal.script(Answer(status=200, body="<html><body>Portal maintenance</body></html>"))
    result = record(
        run_oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626", "-f", '{"NAME":"A"}'
        )
    )
    assert (result.code, result.stdout) == (3, "")
    assert result.stderr.startswith(
        f"Error: no JSON answer from {portal.host}: HTTP 200, text/html"
    )
    assert "'Portal maintenance'" in result.stderr


def test_exit_3_connection_refused() -> None:
    with FakePortal() as closed:
        url = closed.webhook_url
    result = record(
        run_oint("bitrix24", "UpdateUser", "-u", url, "-s", "2626", "-f", '{"NAME":"A"}')
    )
    assert (result.code, result.stdout) == (3, "")
    host = url.split("/")[2]
    assert result.stderr == (
        f"Error: could not connect to {host}: connection refused. "
        "Check the address in --url and your network or proxy.\n"
    )


def test_exit_3_redirect_not_followed(portal: FakePortal) -> None:
    portal.licence_expired()
    result = record(
        run_oint(
            "bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626", "-f", '{"NAME":"A"}'
        )
    )
    assert (result.code, result.stdout) == (3, "")
    assert len(portal.requests) == 1
    assert result.stderr == (
        f"Error: the portal redirected (HTTP 302) to {portal.url}/bitrix/coupon_activation.php, "
        "away from the REST API (an expired licence, a login or maintenance page?); not "
        "followed. Open the portal in a browser to see why, and fix --url.\n"
    )


def test_exit_3_timeout(portal: FakePortal) -> None:
    portal.script(*[Answer(delay=3.0, body={"result": True})] * 3)
    started = time.monotonic()
    result = record(
        run_oint(
            "bitrix24",
            "UpdateUser",
            "-u",
            portal.webhook_url,
            "-s",
            "2626",
            "-f",
            '{"NAME":"A"}',
            "--timeout",
            "0.3",
            "--retries",
            "1",
        )
    )
    elapsed = time.monotonic() - started
    assert (result.code, result.stdout) == (3, "")
    assert result.stderr.startswith(
        f"Error: no answer from {portal.host} within 0.3 s (gave up after 2 attempts)"
    )
    assert len(portal.calls("user.update")) == 2
    assert elapsed < 10


def test_exit_130_on_interrupt(portal: FakePortal) -> None:
    portal.script(Answer(delay=10.0, body={"result": True}))
    proc = subprocess.Popen(
        [
            oint_executable(),
            "bitrix24",
            "UpdateUser",
            "-u",
            portal.webhook_url,
            "-s",
            "2626",
            "-f",
            '{"NAME":"A"}',
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=clean_env(),
    )
    deadline = time.monotonic() + 10
    while not portal.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 130
    assert out == b""
    assert b"Traceback" not in err
    OUTPUTS.append(Result(130, out.decode(), err.decode(), out))


def test_out_file_written_atomically(portal: FakePortal, tmp_path: Path) -> None:
    target = tmp_path / "answer.json"
    result = run_oint(
        "bitrix24",
        "UpdateUser",
        "-u",
        portal.webhook_url,
        "-s",
        "2626",
        "-f",
        '{"NAME":"Иван"}',
        "--out",
        str(target),
    )
    assert (result.code, result.stdout) == (0, "")
    assert result.stderr == f"Saved the answer to {target}\n"
    assert json.loads(target.read_bytes().decode("utf-8"))["result"] is True


def test_utf8_stdout_under_c_locale(portal: FakePortal) -> None:
    env = clean_env(LC_ALL="C", LANG="C", PYTHONUTF8="0", PYTHONCOERCECLOCALE="0")
    del env["PYTHONIOENCODING"]  # no user override: oint itself must choose UTF-8
    result = run_oint(
        "bitrix24",
        "UpdateUser",
        "-u",
        portal.webhook_url,
        "-s",
        "2626",
        "-f",
        '{"NAME":"Иван"}',
        "--test",
        env=env,
    )
    assert result.code == 0
    assert '"NAME": "Иван"' in result.stdout_bytes.decode("utf-8")


def test_closed_pipe_ends_quietly(portal: FakePortal) -> None:
    base = (
        f"'{oint_executable()}' bitrix24 UpdateUser -u '{portal.webhook_url}' -s 2626 "
        '-f \'{"NAME":"A"}\''
    )
    head = subprocess.run(
        ["bash", "-o", "pipefail", "-c", base + " | head -c 5"],
        capture_output=True,
        env=clean_env(),
        timeout=60,
    )
    assert (head.returncode, head.stdout, head.stderr) == (0, b'{\n "r', b"")
    # The reader is gone before the (delayed) answer arrives: a real EPIPE on write.
    portal.script(Answer(delay=0.5, passthrough=True))
    gone = subprocess.run(
        ["bash", "-o", "pipefail", "-c", base + " | true"],
        capture_output=True,
        env=clean_env(),
        timeout=60,
    )
    assert (gone.returncode, gone.stderr) == (0, b"")
    assert len(portal.calls("user.update")) == 2


def test_no_secret_in_any_failing_output(portal: FakePortal) -> None:
    assert len(OUTPUTS) >= 8, "run the whole module: the sweep reads the other tests' outputs"
    for result in OUTPUTS:
        for secret in (portal.secret, portal.token, "wrongsecret0123"):
            assert secret not in result.stdout
            assert secret not in result.stderr


@pytest.mark.parametrize("debug", [True])
def test_debug_trace_end_to_end_is_masked(portal: FakePortal, debug: bool) -> None:
    portal.script(Answer.error("QUERY_LIMIT_EXCEEDED"))
    result = record(
        run_oint(
            "bitrix24",
            "UpdateUser",
            "-u",
            portal.webhook_url,
            "-s",
            "2626",
            "-f",
            '{"NAME":"A"}',
            "--debug",
        )
    )
    assert result.code == 0
    assert f"> POST {portal.url}/rest/1/***/user.update (attempt 1)" in result.stderr
    assert f"> POST {portal.url}/rest/1/***/user.update (attempt 2)" in result.stderr
    assert "* retry 1/4 in " in result.stderr
    assert portal.secret not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_stdout_on_a_full_disk_is_exit_3_after_the_call(portal: FakePortal) -> None:
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [
                oint_executable(),
                "bitrix24",
                "UpdateUser",
                "-u",
                portal.webhook_url,
                "-s",
                "2626",
                "-f",
                '{"NAME":"Full"}',
            ],
            stdout=full,
            stderr=subprocess.PIPE,
            env=clean_env(),
            timeout=60,
        )
    assert proc.returncode == 3
    assert proc.stderr.decode() == (
        "Error: could not write the answer to stdout: No space left on device. The call itself "
        "was made: a change it asked for may have taken effect, so check before running it "
        "again; free some space or choose another --out.\n"
    )
    assert portal.users[2626]["NAME"] == "Full"


def test_closed_stdout_is_exit_3_not_a_traceback(portal: FakePortal) -> None:
    cmd = (
        f"'{oint_executable()}' bitrix24 UpdateUser -u '{portal.webhook_url}' -s 2626 "
        '-f \'{"NAME":"Closed"}\' >&-'
    )
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, env=clean_env(), timeout=60)
    assert proc.returncode == 3
    assert proc.stderr.decode() == (
        "Error: could not write the answer: stdout is closed. The call itself was made: a "
        "change it asked for may have taken effect, so check before running it again; run it "
        "with stdout open, or with --out FILE.\n"
    )
    assert portal.users[2626]["NAME"] == "Closed"


def test_interrupting_create_user_says_outcome_unknown(portal: FakePortal) -> None:
    portal.script(Answer(delay=10.0, body={"result": 9999}))
    proc = subprocess.Popen(
        [oint_executable(), "bitrix24", "CreateUser", "-u", portal.webhook_url,
         "-f", '{"EMAIL":"new.person@example.org"}'],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=clean_env(),
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while not portal.requests and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert (proc.returncode, out) == (130, b"")
    assert err.decode() == (
        "Error: interrupted while user.add was being sent (outcome unknown: check with GetUser "
        "or FindUsers). Look the user up before running it again, so that it cannot run twice.\n"
    )


@pytest.mark.parametrize(
    "typed", ["\"{'LAST_NAME':'O\\'Brien'}\"", '"{\'LAST_NAME\':\\"O\'Brien\\"}"']
)
def test_readme_apostrophe_forms_work_in_bash(portal: FakePortal, typed: str) -> None:
    cmd = f"'{oint_executable()}' bitrix24 UpdateUser -u '{portal.webhook_url}' -s 2626 -f {typed}"
    proc = subprocess.run(["bash", "-c", cmd], capture_output=True, env=clean_env(), timeout=60)
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert portal.users[2626]["LAST_NAME"] == "O'Brien"
