"""Windows behaviour, tested on Linux.

1. Quoting: what cmd.exe, Windows PowerShell 5.1 and bash deliver to ``sys.argv`` for the
   README's quoting table and WINDOWS.md's table, and what ``oint --test`` makes of it. The
   typed lines go through small models of the documented rules (cmd.exe's quote toggling and
   ``^``/``&``, the Universal CRT's argument parser, PowerShell 5.1's unescaped quotes); each
   model's result is checked against the argv column of WINDOWS.md, then run through
   ``oint_py.cli.run`` (exact body, or exact error and exit 2).
2. Files: UTF-16 LE with BOM (PowerShell 5 ``>``), UTF-8 with BOM (Notepad); cp1251 refused.
3. Redirected stdout under a non-UTF-8 locale and under cp1251/cp1252: UTF-8 bytes out.
4. ``%VAR%`` / ``$VAR`` inside JSON reach the portal as typed (``windows_expand_args=False``).
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import pytest

import oint_py.cli
from oint_py.cli import cli, run

URL = "http://127.0.0.1:9/rest/1/s3cr3t/"  # --test sends nothing
OINT = Path(sys.executable).parent / "oint"
SYNTAX_HINT = (
    "Check the JSON: keys and strings in double quotes, a comma between pairs, braces closed. "
    "If that looks right, the shell changed it: quote the JSON"
)
HINT = (
    "Quote the JSON so the shell keeps its inner quotes: OPI's form \"{'EMAIL':'a@b.org'}\" "
    "works the same in bash, cmd.exe and PowerShell; strict JSON in cmd.exe is "
    '"{""EMAIL"":""a@b.org""}"; in bash \'{"EMAIL":"a@b.org"}\'; or put the JSON in a UTF-8 '
    "file and pass its path."
)


# --- models of the documented parsing rules (WINDOWS.md, "The chain") ---------------------


def cmd_exe(line: str) -> str:
    """cmd.exe: quotes toggle; outside them ``^x`` is ``x`` and ``&`` ends the command."""
    out: list[str] = []
    quoted = False
    i = 0
    while i < len(line):
        char = line[i]
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "^" and i + 1 < len(line):
            i += 1
            char = line[i]
        elif not quoted and char in "&|<>":
            break
        out.append(char)
        i += 1
    return "".join(out).rstrip()


def ucrt_argv(line: str) -> list[str]:
    """The Universal CRT's parser (python.exe's wmain): backslashes, quotes, ``""``."""
    args: list[str] = []
    current: list[str] = []
    in_arg = quoted = False
    i = 0
    while i < len(line):
        char = line[i]
        if char == "\\":
            n = 0
            while i < len(line) and line[i] == "\\":
                n += 1
                i += 1
            if i < len(line) and line[i] == '"':
                current.append("\\" * (n // 2))
                in_arg = True
                if n % 2:
                    current.append('"')
                    i += 1
                continue  # an even count: the quote is handled below as a quote
            current.append("\\" * n)
            in_arg = True
            continue
        if char == '"':
            in_arg = True
            if quoted and i + 1 < len(line) and line[i + 1] == '"':
                current.append('"')  # "" inside a quoted section: a literal quote
                i += 2
                continue
            quoted = not quoted
            i += 1
            continue
        if char in " \t" and not quoted:
            if in_arg:
                args.append("".join(current))
                current, in_arg = [], False
            i += 1
            continue
        current.append(char)
        in_arg = True
        i += 1
    if in_arg:
        args.append("".join(current))
    return args


def powershell51(values: list[str]) -> list[str]:
    """Windows PowerShell 5.1 builds the command line from the parsed strings: it wraps a
    value with whitespace in quotes and does NOT escape embedded quotes; then the CRT parses."""
    line = " ".join(f'"{v}"' if (not v or any(c in v for c in " \t")) else v for v in values)
    return ucrt_argv(line)


def ps_single_quoted(text: str) -> str:
    """A PowerShell '...' literal (only '' is special)."""
    assert text[0] == text[-1] == "'"
    return text[1:-1].replace("''", "'")


def ps_double_quoted(text: str) -> str:
    """A PowerShell "..." string without variables (`" and "" are quotes)."""
    assert text[0] == text[-1] == '"'
    return text[1:-1].replace('`"', '"').replace('""', '"')


def delivered(shell: str, typed: str) -> list[str]:
    """The argv oint receives for ``--fields <typed>`` in ``shell``, as a list of values."""
    if shell == "bash":
        return shlex.split(typed)
    if shell == "cmd":
        return ucrt_argv(cmd_exe(typed))
    assert shell == "powershell"
    literal = ps_single_quoted(typed) if typed.startswith("'") else ps_double_quoted(typed)
    return powershell51([literal])


def test_the_models_reproduce_windows_md_argv_column() -> None:
    rows = [
        ('"value"', ["value"]),
        ('""value""', ["value"]),
        ('"""value"""', ['"value"']),
        ("\"{'EMAIL':'a@b'}\"", ["{'EMAIL':'a@b'}"]),
        ('"{""EMAIL"":""a@b""}"', ['{"EMAIL":"a@b"}']),
        ('"{\\"EMAIL\\":\\"a@b\\"}"', ['{"EMAIL":"a@b"}']),
        ('"{\\"NAME\\":\\"A&B\\"}"', ['{"NAME":"A']),  # cmd ends the command at &
        ('{\\"NAME\\":\\"Ivan Petrov\\"}', ['{"NAME":"Ivan', 'Petrov"}']),
        ('\'{"EMAIL":"a@b"}\'', ["'{EMAIL:a@b}'"]),
        ('{"EMAIL":"a@b"}', ["{EMAIL:a@b}"]),
        ('"{""WORK_NOTES"":""C:\\\\""}"', ['{"WORK_NOTES":"C:\\"}']),
        ("ab^cd", ["abcd"]),
        ('"ab^cd"', ["ab^cd"]),
    ]
    for typed, argv in rows:
        assert delivered("cmd", typed) == argv, typed
    assert delivered("powershell", '\'{"EMAIL":"a@b"}\'') == ["{EMAIL:a@b}"]
    assert delivered("powershell", '\'{\\"EMAIL\\":\\"a@b\\"}\'') == ['{"EMAIL":"a@b"}']
    assert delivered("powershell", "\"{'EMAIL':'a@b'}\"") == ["{'EMAIL':'a@b'}"]


# --- the quoting table through oint --test ----------------------------------------------


def oint_test(
    capsys: pytest.CaptureFixture[str], *args: str, url: str = URL
) -> tuple[int, str, str]:
    code = run(["bitrix24", "UpdateUser", "-u", url, "-s", "2626", *args, "--test"])
    out, err = capsys.readouterr()
    return code, out, err


def sent_body(out: str) -> dict[str, Any]:
    request = json.loads(out)
    assert request["method"] == "POST"
    assert request["url"] == "http://127.0.0.1:9/rest/1/***/user.update"
    body = request["body"]
    assert isinstance(body, dict)
    return body


EMAIL = {"ID": 2626, "EMAIL": "a@b.org"}

SHELLS = {"bash, zsh": "bash", "cmd.exe": "cmd", "PowerShell 5.1": "powershell"}


def readme_quoting_table() -> list[tuple[str, str, dict[str, Any] | None]]:
    """(shell, as typed after --fields, body or None for the hint) from README.md's table."""
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = text.split("### Quoting cheat sheet", 1)[1].split("\n\n", 2)[1]
    cases: list[tuple[str, str, dict[str, Any] | None]] = []
    for row in section.splitlines()[2:]:
        shell, works, breaks = (cell.strip() for cell in row.strip("|").split("|"))
        for cell, body in ((works, EMAIL), (breaks, None)):
            for form in cell.split("`, `"):
                cases.append((SHELLS[shell], form.strip("`"), body))
    return cases


README_TABLE = readme_quoting_table()


def test_the_readme_table_was_read() -> None:
    assert len(README_TABLE) == 10
    assert ("cmd", '"{""EMAIL"":""a@b.org""}"', EMAIL) in README_TABLE


@pytest.mark.parametrize(("shell", "typed", "body"), README_TABLE)
def test_readme_quoting_table(
    capsys: pytest.CaptureFixture[str], shell: str, typed: str, body: dict[str, Any] | None
) -> None:
    argv = delivered(shell, typed)
    assert len(argv) == 1
    code, out, err = oint_test(capsys, "--fields", argv[0])
    if body is not None:
        assert (code, err) == (0, "")
        assert sent_body(out) == body
    else:
        shown = argv[0]
        assert (code, out) == (2, "")
        assert err == (
            f"Error: --fields looks like JSON whose quotes the shell removed: {shown}. {HINT}\n"
        )


def test_cmd_strict_json_with_ampersand_and_spaces(capsys: pytest.CaptureFixture[str]) -> None:
    typed = '"{""NAME"":""Ivan & Maria Petrov""}"'
    code, out, err = oint_test(capsys, "--fields", *delivered("cmd", typed))
    assert (code, err) == (0, "")
    assert sent_body(out) == {"ID": 2626, "NAME": "Ivan & Maria Petrov"}


def test_cmd_backslash_quotes_and_ampersand_break(capsys: pytest.CaptureFixture[str]) -> None:
    argv = delivered("cmd", '"{\\"NAME\\":\\"A&B\\"}"')
    code, out, err = oint_test(capsys, "--fields", *argv)
    assert (code, out) == (2, "")
    assert err == (
        'Error: --fields is not valid JSON (Unterminated string starting at): {"NAME":"A. '
        f"{SYNTAX_HINT}{HINT[len('Quote the JSON') :]}\n"
    )


def test_cmd_unquoted_value_with_a_space_is_split(capsys: pytest.CaptureFixture[str]) -> None:
    argv = delivered("cmd", '{\\"NAME\\":\\"Ivan Petrov\\"}')
    code, out, err = oint_test(capsys, "--fields", *argv)
    assert (code, out) == (2, "")
    assert err == (
        "Usage: oint bitrix24 UpdateUser [OPTIONS]\n"
        "Try 'oint bitrix24 UpdateUser --help' for help.\n\n"
        'Error: Got unexpected extra argument (Petrov"})\n'
    )


def test_cmd_halved_backslashes_before_a_quote(capsys: pytest.CaptureFixture[str]) -> None:
    argv = delivered("cmd", '"{""WORK_NOTES"":""C:\\\\""}"')
    code, out, err = oint_test(capsys, "--fields", *argv)
    assert (code, out) == (2, "")
    assert err == (
        "Error: --fields is not valid JSON (Unterminated string starting at): "
        '{"WORK_NOTES":"C:\\"}. '
        f"{SYNTAX_HINT}{HINT[len('Quote the JSON') :]}\n"
    )
    # the working form doubles them again: C:\\\\ typed gives C:\\ in argv, C:\ in the value
    argv = delivered("cmd", '"{""WORK_NOTES"":""C:\\\\\\\\""}"')
    code, out, err = oint_test(capsys, "--fields", *argv)
    assert (code, err) == (0, "")
    assert sent_body(out) == {"ID": 2626, "WORK_NOTES": "C:\\"}


@pytest.mark.parametrize(
    "typed_url", ['"http://127.0.0.1:9/rest/1/s3cr3t/"', '""http://127.0.0.1:9/rest/1/s3cr3t/""']
)
def test_cmd_quoted_urls(capsys: pytest.CaptureFixture[str], typed_url: str) -> None:
    (url,) = delivered("cmd", typed_url)
    code, out, err = oint_test(capsys, "--fields", '{"NAME":1}', url=url)
    assert (code, err) == (0, "")
    assert sent_body(out) == {"ID": 2626, "NAME": 1}


def test_cmd_tripled_quotes_around_the_url_are_stripped(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (url,) = delivered("cmd", '"""http://127.0.0.1:9/rest/1/s3cr3t/"""')
    assert url == '"http://127.0.0.1:9/rest/1/s3cr3t/"'
    code, out, err = oint_test(capsys, "--fields", '{"NAME":1}', url=url)
    assert (code, err) == (0, "")
    assert sent_body(out) == {"ID": 2626, "NAME": 1}


@pytest.mark.parametrize(("typed", "token"), [("ab^cd", "abcd"), ('"ab^cd"', "ab^cd")])
def test_cmd_caret_in_a_token_is_masked_either_way(
    capsys: pytest.CaptureFixture[str], typed: str, token: str
) -> None:
    (value,) = delivered("cmd", typed)
    assert value == token
    argv = ["bitrix24", "UpdateUser", "-u", "b24.example.org", "-t", value, "-s", "7"]
    code = run([*argv, "-f", '{"NAME":1}', "--test"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert token not in out
    assert json.loads(out)["body"] == {"ID": 7, "NAME": 1, "auth": "***"}


# --- %VAR% and $VAR inside JSON ---------------------------------------------------------


def test_variables_inside_json_are_left_alone(capsys: pytest.CaptureFixture[str]) -> None:
    fields = '{"NAME":"%USERNAME%","LAST_NAME":"$HOME","WORK_NOTES":"~/*.json ${X}"}'
    code, out, err = oint_test(capsys, "--fields", fields)
    assert (code, err) == (0, "")
    assert sent_body(out) == {
        "ID": 2626,
        "NAME": "%USERNAME%",
        "LAST_NAME": "$HOME",
        "WORK_NOTES": "~/*.json ${X}",
    }


def _pretend_windows(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """click.core sees os.name == "nt"; record every call of click's _expand_args."""
    fake_os = types.ModuleType("os")
    fake_os.__dict__.update(os.__dict__)
    fake_os.name = "nt"
    monkeypatch.setattr(click.core, "os", fake_os)
    expanded: list[list[str]] = []
    real: Callable[[list[str]], list[str]] = click.core._expand_args

    def spy(args: list[str]) -> list[str]:
        expanded.append(list(args))
        return real(args)

    monkeypatch.setattr(click.core, "_expand_args", spy)
    return expanded


def test_run_passes_windows_expand_args_false(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # click expands only arguments it takes from sys.argv itself, as the console script has it
    expanded = _pretend_windows(monkeypatch)
    monkeypatch.setenv("USERNAME", "expanded-user")
    argv = ["bitrix24", "UpdateUser", "-u", URL, "-s", "2626", "-f", '{"NAME":"%USERNAME%"}']
    monkeypatch.setattr(sys, "argv", ["oint", *argv, "--test"])
    code = run()
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert sent_body(out) == {"ID": 2626, "NAME": "%USERNAME%"}
    assert expanded == []  # click never expanded anything


def test_the_windows_pretence_is_real(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Control: click's default (expansion on) under the same pretence does expand."""
    expanded = _pretend_windows(monkeypatch)
    monkeypatch.setattr(sys, "argv", ["oint", "--version"])
    with pytest.raises(SystemExit):
        cli.main(prog_name="oint")
    assert expanded == [["--version"]]
    assert capsys.readouterr().out == f"oint {oint_py.__version__}\n"


# --- files: UTF-16 and BOMs -------------------------------------------------------------

CYRILLIC = {"NAME": "Олег", "LAST_NAME": "Лама", "WORK_POSITION": "Инженер"}


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-16-le", b"\xff\xfe"), ("utf-8", b"\xef\xbb\xbf"), ("utf-8", b"")],
    ids=["utf-16-le-bom", "utf-8-bom", "utf-8"],
)
def test_fields_files_in_windows_encodings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, encoding: str, prefix: bytes
) -> None:
    path = tmp_path / "fields.json"
    text = json.dumps(CYRILLIC, ensure_ascii=False, indent=2).replace("\n", "\r\n")
    path.write_bytes(prefix + text.encode(encoding))
    for value in (str(path), f"@{path}"):
        code, out, err = oint_test(capsys, "--fields", value)
        assert (code, err) == (0, "")
        assert sent_body(out) == {"ID": 2626, **CYRILLIC}


def test_a_cp1251_file_is_refused_not_guessed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "ansi.json"
    path.write_bytes(json.dumps(CYRILLIC, ensure_ascii=False).encode("cp1251"))
    code, out, err = oint_test(capsys, "--fields", str(path))
    assert (code, out) == (2, "")
    assert err == (
        f"Error: the file {path} is not UTF-8 text. Save it as UTF-8 (in Notepad: Save as, "
        "Encoding: UTF-8) or UTF-16 with a BOM.\n"
    )


# --- redirected stdout under Windows-like encodings --------------------------------------


def _expected_request(url: str = "http://127.0.0.1:9/rest/1/***/user.update") -> bytes:
    request = {
        "method": "POST",
        "url": url,
        "headers": {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": f"oint-py/{oint_py.__version__}",
        },
        "body": {"ID": 2626, **CYRILLIC},
    }
    return (json.dumps(request, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def run_installed(
    env_overrides: dict[str, str], fields: str | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON"))}
    env.update(env_overrides)
    fields = fields or json.dumps(CYRILLIC, ensure_ascii=False)
    return subprocess.run(
        [str(OINT), "bitrix24", "UpdateUser", "-u", URL, "-s", "2626", "-f", fields, "--test"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=60,
    )


C_LOCALE = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}


def test_stdout_pipe_under_a_non_utf8_locale_gets_utf8(tmp_path: Path) -> None:
    path = tmp_path / "fields.json"
    path.write_text(json.dumps(CYRILLIC, ensure_ascii=False), encoding="utf-8")
    done = run_installed(C_LOCALE, fields=str(path))
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == _expected_request()


def test_utf8_argv_under_a_non_utf8_locale_is_read_as_utf8() -> None:
    # The locale cannot decode the UTF-8 bytes of the argument (they arrive as surrogate
    # escapes); oint reads them as UTF-8, as Python's UTF-8 mode would.
    done = run_installed(C_LOCALE)
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == _expected_request()


def test_the_locale_probe_is_really_non_utf8() -> None:
    """Control: under the same environment, Python's own default for a pipe is ASCII."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON"))}
    env.update({"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"})
    done = subprocess.run(
        [sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
        capture_output=True,
        env=env,
        text=True,
    )
    assert done.stdout.strip().lower() in ("ascii", "ansi_x3.4-1968")


@pytest.mark.parametrize("encoding", ["cp1251", "cp1252"])
def test_stdout_pipe_with_a_windows_code_page_gets_utf8(encoding: str) -> None:
    done = run_installed({"PYTHONIOENCODING": encoding})
    assert (done.returncode, done.stderr) == (0, b"")
    assert done.stdout == _expected_request()
    assert done.stdout.decode("utf-8")  # valid UTF-8, not cp1251 bytes


def test_ascii_flag_escapes_for_readers_that_cannot_take_utf8() -> None:
    fields = json.dumps(CYRILLIC, ensure_ascii=False)
    done = subprocess.run(
        [str(OINT), "bitrix24", "UpdateUser", "-u", URL, "-s", "2626", "-f", fields]
        + ["--test", "--ascii"],
        capture_output=True,
        env=dict(os.environ, PYTHONIOENCODING="cp1252"),
        timeout=60,
    )
    assert done.returncode == 0
    assert done.stdout.isascii()
    assert json.loads(done.stdout)["body"] == {"ID": 2626, **CYRILLIC}


# --- the README's .bat recipe -----------------------------------------------------------


def readme_recipe(name: str) -> str:
    text = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- recipe: {re.escape(name)} -->\n```[a-z]*\n(.*?)```", text, re.S)
    assert match, name
    return match.group(1)


def for_f_tokens(line: str) -> tuple[str, str] | None:
    """``for /f "eol=# tokens=1,* delims=,"``: leading commas skipped, first field, the rest."""
    if not line.strip() or line.startswith("#"):
        return None
    stripped = line.lstrip(",")
    first, _, rest = stripped.partition(",")
    return first, rest.lstrip(",")


def test_bat_recipe_is_utf8_with_chcp_65001_first() -> None:
    lines = readme_recipe("update-users.bat").splitlines()
    assert lines[:2] == ["@echo off", "chcp 65001 >nul"]
    assert not any(line.rstrip() != line for line in lines)  # no stray blanks after ^ or values
    assert 'for /f "usebackq eol=# tokens=1,* delims=," %%A in ("%csv%") do (' in lines


@pytest.mark.parametrize(
    "csv_line",
    [
        *readme_recipe("users.csv").splitlines(),
        "3204,{'NAME':'Мария & Co','WORK_POSITION':'50% <lead>'}",
        "3204,{'WORK_NOTES':'%USERNAME% and $HOME, as typed'}",
    ],
)
def test_bat_recipe_oint_line_delivers_the_csv_fields(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], csv_line: str
) -> None:
    import json5

    (oint_line,) = [
        line.strip()
        for line in readme_recipe("update-users.bat").splitlines()
        if line.strip().startswith("oint ")
    ]
    tokens = for_f_tokens(csv_line)
    assert tokens is not None
    user_id, fields = tokens
    # for /f substitutes %%A and %%B after cmd.exe has parsed the line, so their content
    # is not re-scanned for %VAR%; quotes in it still count when the command line is split.
    typed = oint_line.replace("%%A", user_id).replace("%%B", fields)
    argv = ucrt_argv(cmd_exe(typed))
    assert argv[:3] == ["oint", "bitrix24", "UpdateUser"]
    out_at = argv.index("--out")
    assert argv[out_at + 1] == f"answers\\{user_id}.json"
    args = argv[1:out_at] + argv[out_at + 2 :]
    monkeypatch.setenv("BITRIX24_URL", URL)
    code = run([*args, "--test"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert sent_body(out) == {"ID": int(user_id), **json5.loads(fields)}
