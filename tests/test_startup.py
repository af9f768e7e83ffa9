"""Start-up: what the installed ``oint`` imports (a behaviour test, not a timing test).

--help, completion, usage errors and --test run on every keystroke and in CI loops, so they
must not import ``requests`` (and urllib3 under it) or the JSON5 parser. The installed console
script runs with ``PYTHONPROFILEIMPORTTIME=1`` (the same as ``python -X importtime``), and the
modules it imported are read from stderr. Real calls and single-quoted JSON are the controls
that show the check can see those imports.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from oint_py.testing import FakePortal

OINT = Path(sys.executable).parent / "oint"
HEAVY = ("requests", "urllib3", "json5", "charset_normalizer", "idna", "certifi", "ssl")
URL = "http://127.0.0.1:9/rest/1/s3cr3t/"  # --test sends nothing; port 9 is never used


def imports_of(args: list[str], env: dict[str, str] | None = None) -> tuple[set[str], int, str]:
    """Run the installed oint; return (top-level packages imported, exit code, other stderr)."""
    full_env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1", OINT_BACKOFF_BASE="0.01")
    for name in ("BITRIX24_URL", "BITRIX24_TOKEN", "_OINT_COMPLETE"):
        full_env.pop(name, None)
    full_env.update(env or {})
    done = subprocess.run(
        [str(OINT), *args],
        capture_output=True,
        text=True,
        env=full_env,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    modules: set[str] = set()
    other: list[str] = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:"):
            name = line.rsplit("|", 1)[1].strip()
            modules.update({name, name.split(".")[0]})
        else:
            other.append(line)
    assert "oint_py" in modules and "click" in modules  # the probe sees imports at all
    return modules, done.returncode, "\n".join(other)


def heavy(modules: set[str]) -> list[str]:
    return sorted(name for name in HEAVY if name in modules)


# Not heavy, but never needed before a command runs: the library and the transport.
LIBRARY = ("oint_py.transport", "oint_py.bitrix24")
# Cases that end before a command runs (click itself answers).
BEFORE_COMMAND = (
    "root help",
    "version",
    "group help",
    "method help",
    "lower-case method help",
    "missing option",
    "unknown method",
)


@pytest.fixture()
def fields_file(tmp_path: Path) -> Path:
    path = tmp_path / "fields.json"
    path.write_text('{"NAME":"Олег","UF_DEPARTMENT":[7]}', encoding="utf-8-sig")
    return path


LIGHT_CASES = {
    "root help": (["--help"], {}, 0),
    "version": (["--version"], {}, 0),
    "group help": (["bitrix24"], {}, 0),
    "method help": (["bitrix24", "UpdateUser", "--help"], {}, 0),
    "lower-case method help": (["bitrix24", "updateuser", "-h"], {}, 0),
    "missing option": (["bitrix24", "UpdateUser", "--userid", "1"], {}, 2),
    "bad user id": (["bitrix24", "UpdateUser", "-u", URL, "-s", "x", "-f", '{"A":1}'], {}, 2),
    "unknown method": (["bitrix24", "NoSuchMethod"], {}, 2),
    "quote-stripped json": (
        ["bitrix24", "UpdateUser", "-u", URL, "-s", "1", "-f", "{EMAIL:a@b.org}"],
        {},
        2,
    ),
    "missing file": (["bitrix24", "UpdateUser", "-u", URL, "-s", "1", "-f", "no.json"], {}, 2),
    "test strict json": (
        ["bitrix24", "UpdateUser", "-u", URL, "-s", "2626", "-f", '{"NAME":"Олег"}', "--test"],
        {},
        0,
    ),
    "test token mode": (
        ["bitrix24", "UpdateUser", "-u", "b24.example", "-t", "tok", "-s", "2", "-f", '{"A":1}']
        + ["--test"],
        {},
        0,
    ),
    "completion bash": ([], {"COMP_WORDS": "oint bitrix24 upd", "COMP_CWORD": "2"}, 0),
    "completion options": (
        [],
        {"COMP_WORDS": "oint bitrix24 UpdateUser --", "COMP_CWORD": "3"},
        0,
    ),
    "completion file": (
        [],
        {"COMP_WORDS": "oint bitrix24 UpdateUser --fields ", "COMP_CWORD": "4"},
        0,
    ),
}


@pytest.mark.parametrize("case", list(LIGHT_CASES))
def test_light_paths_import_neither_requests_nor_json5(case: str) -> None:
    args, env, code = LIGHT_CASES[case]
    if case.startswith("completion"):
        env = dict(env, _OINT_COMPLETE="bash_complete")
    modules, rc, _ = imports_of(args, env)
    assert rc == code
    assert heavy(modules) == []
    if case in BEFORE_COMMAND or case.startswith("completion"):
        assert [name for name in LIBRARY if name in modules] == []


def test_test_with_a_fields_file_imports_neither(fields_file: Path) -> None:
    args = ["bitrix24", "UpdateUser", "-u", URL, "-s", "2626", "-f", str(fields_file), "--test"]
    modules, rc, _ = imports_of(args)
    assert rc == 0
    assert heavy(modules) == []
    at_args = args[:-2] + [f"@{fields_file}", "--test"]
    modules, rc, _ = imports_of(at_args)
    assert (rc, heavy(modules)) == (0, [])


def test_single_quoted_fields_import_json5_but_not_requests() -> None:
    args = ["bitrix24", "UpdateUser", "-u", URL, "-s", "2626", "-f", "{'NAME':'Oleg'}", "--test"]
    modules, rc, _ = imports_of(args)
    assert rc == 0
    assert heavy(modules) == ["json5"]


def test_a_real_call_imports_requests_and_not_json5() -> None:
    with FakePortal() as portal:
        args = ["bitrix24", "UpdateUser", "-u", portal.webhook_url, "-s", "2626"]
        modules, rc, stderr = imports_of(args + ["-f", '{"NAME":"Oleg"}'])
        assert portal.users[2626]["NAME"] == "Oleg"
    assert (rc, stderr) == (0, "")
    assert "requests" in modules and "urllib3" in modules
    assert "json5" not in modules


def test_fields_from_a_url_import_requests_even_with_test() -> None:
    # CONTRACT.md: --test still fetches fields named by a URL, so requests is needed here.
    with FakePortal() as portal:
        url = f"{portal.url}/files/fields.json"
        args = ["bitrix24", "UpdateUser", "-u", URL, "-s", "2626", "-f", url, "--test"]
        modules, rc, stderr = imports_of(args)
        assert [r.path for r in portal.requests] == ["/files/fields.json"]
    assert rc == 2  # the fake portal answers a 404 page off /rest/: nothing sent, exit 2
    assert stderr.startswith("Error: ")
    assert "requests" in modules


def test_python_dash_m_help_is_light_too() -> None:
    env = dict(os.environ, PYTHONPROFILEIMPORTTIME="1")
    done = subprocess.run(
        [sys.executable, "-m", "oint_py", "--help"], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0
    names = {
        line.rsplit("|", 1)[1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "click" in names and "oint_py" in names
    assert heavy(names) == []


@pytest.mark.parametrize("columns", ["", "40", "72", "100", "250", "junk", "-3"])
def test_help_width_is_clicks_rule_without_shutil(
    monkeypatch: pytest.MonkeyPatch, columns: str
) -> None:
    import shutil

    from oint_py.cli.app import _help_width

    monkeypatch.setenv("COLUMNS", columns)
    clicks = max(min(shutil.get_terminal_size().columns, 100) - 2, 50)
    assert _help_width() == clicks
