"""Shell completion: the committed scripts are current, and they complete in a real bash.

The scripts in completions/ are click's, generated from the real command tree by
scripts/gen_completions.py; at every <TAB> they run the installed ``oint`` with
``_OINT_COMPLETE=<shell>_complete``. The bash tests source the committed script in a real bash
process, set COMP_WORDS/COMP_CWORD, call the completion function and read COMPREPLY.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import click
import pytest

from oint_py.cli import cli

ROOT = Path(__file__).resolve().parent.parent
COMPLETIONS = ROOT / "completions"
BIN = Path(sys.executable).parent
OINT = BIN / "oint"
BASH = shutil.which("bash")

METHODS = cli.commands["bitrix24"]
assert isinstance(METHODS, click.Group)
METHOD_NAMES = [name for name, command in METHODS.commands.items() if not command.hidden]
UPDATE_USER = METHODS.commands["UpdateUser"]


def _generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "gen_completions", ROOT / "scripts" / "gen_completions.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the committed files ----------------------------------------------------------------


def test_committed_scripts_match_a_fresh_generation() -> None:
    generated = _generator().generate()
    assert sorted(generated) == ["_oint", "oint.bash", "oint.fish", "oint.ps1"]
    stale = [
        name
        for name, text in generated.items()
        if (COMPLETIONS / name).read_bytes() != text.encode("utf-8")
    ]
    assert stale == [], "completions/ is stale: run python scripts/gen_completions.py"


def test_check_mode_fails_on_a_stale_file_and_regenerates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gen = _generator()
    assert gen.main(["--out-dir", str(tmp_path)]) == 0
    assert gen.main(["--check", "--out-dir", str(tmp_path)]) == 0
    (tmp_path / "oint.fish").write_text("# edited by hand\n", encoding="utf-8")
    capsys.readouterr()
    assert gen.main(["--check", "--out-dir", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        "completions/ is out of date: oint.fish. Run: python scripts/gen_completions.py\n"
    )
    assert gen.main(["--out-dir", str(tmp_path)]) == 0
    assert (tmp_path / "oint.fish").read_bytes() == (COMPLETIONS / "oint.fish").read_bytes()


def test_headers_list_every_method_of_the_tree() -> None:
    for name in ("oint.bash", "_oint", "oint.fish", "oint.ps1"):
        text = (COMPLETIONS / name).read_text(encoding="utf-8")
        for method in METHOD_NAMES:
            assert f"#   oint bitrix24 {method}\n" in text, (name, method)
    assert (COMPLETIONS / "_oint").read_text(encoding="utf-8").startswith("#compdef oint\n")


def test_scripts_use_lf_line_endings() -> None:
    for path in COMPLETIONS.iterdir():
        if path.name != "README.md":
            assert b"\r" not in path.read_bytes(), path.name


def test_every_fields_filter_and_out_option_completes_file_names() -> None:
    """Walks the real tree, so a method added later without file completion fails here."""
    checked = []
    for name, command in METHODS.commands.items():
        ctx = click.Context(command, info_name=name)
        for param in command.params:
            if isinstance(param, click.Option) and param.name in ("fields", "filter", "out"):
                items = param.shell_complete(ctx, "fie")
                assert [(i.type, i.value) for i in items] == [("file", "fie")], (name, param)
                checked.append((name, param.name))
    assert ("UpdateUser", "fields") in checked and ("UpdateUser", "out") in checked


# --- real bash --------------------------------------------------------------------------

BASH_DRIVER = r"""
set -u
source "$1"; shift
# compopt only works while bash itself runs a completion; record what the script asks for.
compopt() { local IFS=" "; COMPOPT="$*"; }
complete -p oint
COMP_CWORD=$1; shift
COMP_WORDS=("$@")
COMPREPLY=()
COMPOPT=
_oint_completion oint "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
printf 'compopt=%s\n' "$COMPOPT"
printf 'reply=%s\n' "${COMPREPLY[@]}"
"""


def bash_complete(*words: str) -> tuple[list[str], str]:
    """Complete the last of ``words`` in a real bash; return (COMPREPLY, compopt's args)."""
    assert BASH is not None
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("_OINT_COMPLETE", None)
    done = subprocess.run(
        [BASH, "--norc", "--noprofile", "-c", BASH_DRIVER, "driver"]
        + [str(COMPLETIONS / "oint.bash"), str(len(words) - 1), *words],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = done.stdout.splitlines()
    assert lines[0] == "complete -o nosort -F _oint_completion oint"
    assert lines[1].startswith("compopt=")
    reply = [line.removeprefix("reply=") for line in lines[2:] if line != "reply="]
    return reply, lines[1].removeprefix("compopt=")


needs_bash = pytest.mark.skipif(BASH is None, reason="bash is not installed")


@needs_bash
@pytest.mark.parametrize("typed", ["Upd", "upd", "UPDATEU", "updateuser"])
def test_bash_completes_method_names_case_insensitively(typed: str) -> None:
    expected = [n for n in METHOD_NAMES if n.lower().startswith(typed.lower())]
    assert "UpdateUser" in expected
    assert bash_complete("oint", "bitrix24", typed) == (expected, "")


@needs_bash
def test_bash_completes_the_group_and_all_methods() -> None:
    assert bash_complete("oint", "bi") == (["bitrix24"], "")
    assert bash_complete("oint", "bitrix24", "") == (METHOD_NAMES, "")
    assert bash_complete("oint", "bitrix24", "zzz") == ([], "")


@needs_bash
def test_bash_completes_options_after_a_lower_case_method_name() -> None:
    assert bash_complete("oint", "bitrix24", "updateuser", "--u") == (["--url", "--userid"], "")
    assert bash_complete("oint", "bitrix24", "UpdateUser", "--f") == (["--fields"], "")
    assert bash_complete("oint", "-") == (["--version", "-h", "--help"], "")


@needs_bash
def test_bash_lists_every_option_of_the_command() -> None:
    reply, _ = bash_complete("oint", "bitrix24", "UpdateUser", "--")
    expected = [
        opt
        for param in UPDATE_USER.get_params(click.Context(UPDATE_USER))
        if isinstance(param, click.Option) and not param.hidden
        for opt in (*param.opts, *param.secondary_opts)
        if opt.startswith("--")
    ]
    assert reply == expected
    for core in ("--url", "--token", "--userid", "--fields", "--out", "--test", "--help"):
        assert core in reply
    # an option already given is not offered again
    reply, _ = bash_complete("oint", "bitrix24", "UpdateUser", "--test", "--t")
    assert reply == ["--token", "--timeout"]


@needs_bash
@pytest.mark.parametrize("option", ["--fields", "-f", "--out"])
def test_bash_hands_file_names_to_the_shell(option: str) -> None:
    # click answers "file": the script empties COMPREPLY and asks bash for its default
    # (file name) completion with `compopt -o default`.
    assert bash_complete("oint", "bitrix24", "UpdateUser", option, "") == ([], "-o default")
    assert bash_complete("oint", "bitrix24", "UpdateUser", option, "us") == ([], "-o default")


@needs_bash
def test_bash_offers_nothing_for_free_values() -> None:
    assert bash_complete("oint", "bitrix24", "UpdateUser", "--userid", "") == ([], "")


# --- the other shells' protocol, through the installed oint -------------------------------


def run_complete(shell: str, words: str, cword: str) -> str:
    env = dict(os.environ, _OINT_COMPLETE=f"{shell}_complete", COMP_WORDS=words, COMP_CWORD=cword)
    done = subprocess.run([str(OINT)], capture_output=True, text=True, env=env, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout


HELP = UPDATE_USER.get_short_help_str()


def test_zsh_protocol() -> None:
    out = run_complete("zsh", "oint bitrix24 updateu", "2")
    assert out == f"plain\nUpdateUser\n{HELP}\n"
    out = run_complete("zsh", "oint bitrix24 UpdateUser --fields ", "4")
    assert out == "file\n\n_\n"


def test_fish_protocol() -> None:
    assert run_complete("fish", "oint bitrix24 upd", "upd") == f"plain,UpdateUser\t{HELP}\n"
    assert run_complete("fish", "oint bitrix24 UpdateUser --out ", "") == "file,\n"


def test_powershell_protocol() -> None:
    out = run_complete("powershell", "oint bitrix24 UPD", "2")
    assert out == f"plain\nUpdateUser\n{HELP}\n"
    out = run_complete("powershell", "oint bitrix24 UpdateUser -f ", "4")
    assert out == "file\n\n_\n"
