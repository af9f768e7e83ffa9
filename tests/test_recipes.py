"""The README's CI recipes, run as written against the fake portal.

Each recipe is the fenced block after a ``<!-- recipe: NAME -->`` line in README.md. The
GitHub Actions and GitLab CI jobs are parsed (PyYAML) and their oint lines run in ``bash -e``
(how both run a step) with BITRIX24_URL set to the fake portal's webhook; the bash loop runs
over a users.csv with good, refused, broken and unreachable users. The .bat recipe is checked
in tests/test_windows.py (cmd.exe's rules on Linux).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from oint_py.testing import Answer, FakePortal

README = Path(__file__).resolve().parent.parent / "README.md"
BIN = Path(sys.executable).parent
BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


def recipe(name: str) -> str:
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {re.escape(name)} -->\n```[a-z]*\n(.*?)```", text, re.S)
    assert match, f"README.md has no recipe {name}"
    return match.group(1)


def bash(
    script: str, cwd: Path, url: str, *args: str, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BITRIX24_", "OINT_"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        BITRIX24_URL=url,
        OINT_BACKOFF_BASE="0.01",
        **(extra_env or {}),
    )
    assert BASH is not None
    return subprocess.run(
        [BASH, "-e", "-c", script, "recipe", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
    )


USER_JSON = {"EMAIL": "anna.new@example.org", "WORK_POSITION": "Главный бухгалтер"}


@pytest.fixture()
def workdir(tmp_path: Path) -> Path:
    (tmp_path / "user.json").write_text(json.dumps(USER_JSON, ensure_ascii=False), "utf-8")
    return tmp_path


# --- GitHub Actions ---------------------------------------------------------------------


def github_update_step() -> tuple[dict[str, Any], list[dict[str, Any]]]:
    workflow = yaml.safe_load(recipe("github-actions"))
    assert isinstance(workflow, dict)
    assert workflow[True] == {"workflow_dispatch": None}  # YAML 1.1 reads `on:` as True
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    assert isinstance(steps, list)
    update = [s for s in steps if "oint bitrix24" in s.get("run", "")]
    assert len(update) == 1
    return update[0], steps


def test_github_job_installs_oint_and_takes_the_url_from_a_secret() -> None:
    step, steps = github_update_step()
    assert step["env"] == {"BITRIX24_URL": "${{ secrets.BITRIX24_URL }}"}
    installs = [s["run"] for s in steps if "pip install" in s.get("run", "")]
    assert installs and steps.index(step) > steps.index(
        next(s for s in steps if "pip install" in s.get("run", ""))
    )
    assert "--url" not in step["run"]  # the secret never appears in the job


def test_github_job_updates_the_user_and_fails_on_a_non_zero_exit(workdir: Path) -> None:
    step, _ = github_update_step()
    with FakePortal() as portal:
        done = bash(step["run"], workdir, portal.webhook_url)
        assert (done.returncode, done.stdout) == (0, "")
        assert done.stderr == "Saved the answer to answer.json\n"
        assert portal.users[2626]["EMAIL"] == USER_JSON["EMAIL"]
        assert portal.users[2626]["WORK_POSITION"] == USER_JSON["WORK_POSITION"]
        assert json.loads((workdir / "answer.json").read_text("utf-8"))["result"] is True
        assert portal.secret not in done.stderr

        portal.script(Answer.error("ERROR_CORE", "Incorrect E-Mail<br>"))
        done = bash(step["run"], workdir, portal.webhook_url)
    assert done.returncode == 1  # bash -e: the step, so the job, fails
    assert done.stderr.splitlines()[-1].startswith("Error: ")


# --- GitLab CI --------------------------------------------------------------------------


def gitlab_job() -> dict[str, Any]:
    pipeline = yaml.safe_load(recipe("gitlab-ci"))
    assert isinstance(pipeline, dict)
    (job,) = pipeline.values()
    assert isinstance(job, dict)
    return job


def test_gitlab_job_shape() -> None:
    job = gitlab_job()
    assert job["image"].startswith("python:3.")
    assert job["artifacts"] == {"when": "always", "paths": ["answer.json"]}
    assert "pip install" in job["script"][0]
    assert "--url" not in " ".join(job["script"])  # BITRIX24_URL comes from CI/CD variables


def test_gitlab_job_updates_the_user_and_fails_on_a_non_zero_exit(workdir: Path) -> None:
    lines = [line for line in gitlab_job()["script"] if "pip install" not in line]
    script = "\n".join(lines)
    with FakePortal() as portal:
        done = bash(script, workdir, portal.webhook_url)
        assert (done.returncode, done.stderr) == (0, "Saved the answer to answer.json\n")
        assert portal.users[2626]["EMAIL"] == USER_JSON["EMAIL"]
        (workdir / "user.json").write_text("{EMAIL:broken}", "utf-8")
        done = bash(script, workdir, portal.webhook_url)
        assert portal.calls("user.update")[1:] == []  # exit 2: nothing sent
    assert done.returncode == 2


# --- the bash loop over users.csv -------------------------------------------------------


def loop(workdir: Path, url: str, csv: str, **env: str) -> subprocess.CompletedProcess[str]:
    (workdir / "update-users.sh").write_text(recipe("update-users.sh"), "utf-8")
    (workdir / "users.csv").write_text(csv, "utf-8")
    return bash("bash update-users.sh users.csv", workdir, url, extra_env=env)


def test_the_readme_users_csv_updates_both_users(workdir: Path) -> None:
    with FakePortal() as portal:
        done = loop(workdir, portal.webhook_url, recipe("users.csv"))
        assert portal.users[2626]["EMAIL"] == "anna.petrova@example.org"
        assert portal.users[2628]["NAME"] == "Борис"
        assert portal.users[2628]["WORK_POSITION"] == "Sales manager"
    assert done.returncode == 0
    assert done.stdout == "updated 2626\nupdated 2628\n0 failed\n"
    assert done.stderr == (
        "Saved the answer to answers/2626.json\nSaved the answer to answers/2628.json\n"
    )
    assert sorted(p.name for p in (workdir / "answers").iterdir()) == ["2626.json", "2628.json"]


def test_the_loop_skips_refused_users_and_bad_lines(workdir: Path) -> None:
    csv = (
        "2626,{'EMAIL':'anna.new@example.org'}\n"
        "# a comment\n"
        "\n"
        '9999,{"NAME":"Nobody"}\n'
        "2628,{NAME:broken}\n"
        '3204,{"NAME":"Мария","UF_DEPARTMENT":[7]}\n'
        '2626,{"WORK_POSITION":"Chief, accounts"}'  # no newline at the end
    )
    with FakePortal() as portal:
        done = loop(workdir, portal.webhook_url, csv)
        assert [r.json["ID"] for r in portal.calls("user.update")] == [2626, 9999, 3204, 2626]
        assert portal.users[2626]["EMAIL"] == "anna.new@example.org"
        assert portal.users[2626]["WORK_POSITION"] == "Chief, accounts"
        assert portal.users[3204]["NAME"] == "Мария"
        assert portal.users[2628]["NAME"] == "Boris"
    assert done.returncode == 1
    assert done.stdout == "updated 2626\nupdated 3204\nupdated 2626\n2 failed\n"
    err = done.stderr.splitlines()
    assert "skipped 9999 (exit 1)" in err and "skipped 2628 (exit 2)" in err
    assert err.index("skipped 9999 (exit 1)") < err.index("skipped 2628 (exit 2)")
    saved = [line for line in err if line.startswith("Saved the answer to answers/")]
    assert [line.rsplit("/", 1)[1] for line in saved] == [
        "2626.json",
        "9999.json",
        "3204.json",
        "2626.json",
    ]
    errors = [line for line in err if line.startswith("Error: ")]
    assert len(errors) == 2 and errors[1].startswith("Error: --fields looks like JSON")
    assert len(err) == len(saved) + len(errors) + 2
    answers = sorted(p.name for p in (workdir / "answers").iterdir())
    assert answers == ["2626.json", "3204.json", "9999.json"]  # --out on exit 0 and 1 only


def test_the_loop_reads_an_excel_csv(workdir: Path) -> None:
    """Excel's "CSV UTF-8": a BOM first, CRLF line ends, a blank line, spaces around ids."""
    csv = '\ufeff2626,{"NAME":"Анна"}\r\n\r\n 3204 ,{"WORK_POSITION":"QA"}\r\n'
    with FakePortal() as portal:
        done = loop(workdir, portal.webhook_url, csv)
        assert portal.users[2626]["NAME"] == "Анна"
        assert portal.users[3204]["WORK_POSITION"] == "QA"
    assert (done.returncode, done.stdout) == (0, "updated 2626\nupdated 3204\n0 failed\n")
    assert sorted(p.name for p in (workdir / "answers").iterdir()) == ["2626.json", "3204.json"]


def test_the_loop_stops_when_there_is_no_usable_answer(workdir: Path) -> None:
    csv = '2626,{"NAME":"A"}\n2628,{"NAME":"B"}\n3204,{"NAME":"C"}\n'
    with FakePortal() as portal:
        portal.script(Answer(passthrough=True), Answer.html(502))
        done = loop(workdir, portal.webhook_url, csv, OINT_RETRIES="0")
        assert [r.json["ID"] for r in portal.calls("user.update")] == [2626, 2628]
        assert portal.users[3204]["NAME"] == "Maria"  # never reached
    assert done.returncode == 3
    assert done.stdout == "updated 2626\n"
    assert done.stderr.splitlines()[-1] == "stopped at 2628 (exit 3)"
