"""The command line: click only. Parses, calls the library, prints, maps errors to exit codes.

Nothing here builds URLs or talks HTTP (that is ``oint_py.transport``), and nothing here
imports requests, so --help, completion and usage errors stay fast.
"""

from __future__ import annotations

import io
import os
import re
import sys
from collections.abc import Sequence

import click

from oint_py.cli.app import cli
from oint_py.errors import ExitCode

__all__ = ["cli", "main"]


def _utf8_streams() -> None:
    """UTF-8 when not a terminal, whatever the locale (Windows cp1251/cp1252 CI logs)."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            try:
                if stream.isatty():
                    stream.reconfigure(errors="backslashreplace")
                else:
                    stream.reconfigure(encoding="utf-8", errors="strict")
            except (ValueError, OSError):  # a closed or detached stream: leave it
                pass


def _silence_stdout() -> None:
    """After a closed pipe (`oint ... | head -c 10`): drop the rest of stdout quietly."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass


def _utf8_argv(args: list[str]) -> list[str] | None:
    """Arguments a non-UTF-8 POSIX locale could not decode (LC_ALL=C with UTF-8 mode off)
    arrive with surrogate escapes: they were UTF-8 bytes (a UTF-8 terminal, a UTF-8 script),
    so decode them as such, as Python's UTF-8 mode would. None if nothing needed it."""
    fixed, changed = [], False
    for arg in args:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            try:
                arg = os.fsencode(arg).decode("utf-8")
                changed = True
            except UnicodeError:  # not UTF-8 either: leave it to the usual error
                pass
        fixed.append(arg)
    return fixed if changed else None


def _secrets_in_argv(args: list[str]) -> tuple[str, ...]:
    """Every secret the command line or the environment may carry, for click's own messages
    (they quote option values and extra arguments as typed)."""
    from oint_py.masking import secrets_of

    found: list[str] = []
    for i, arg in enumerate(args):
        found += secrets_of(arg, None)
        if arg in ("-t", "--token") and i + 1 < len(args):
            found.append(args[i + 1])
        elif arg.startswith("--token="):
            found.append(arg.split("=", 1)[1])
        elif arg.startswith("-t") and len(arg) > 2:
            found.append(arg[2:])
    found += secrets_of(os.environ.get("BITRIX24_URL"), os.environ.get("BITRIX24_TOKEN"))
    return tuple(f for f in found if f)


_EXTRA = re.compile(r"(Got unexpected extra arguments? \()(.*)(\))", re.DOTALL)
_TOKEN_LIKE = re.compile(r"[A-Za-z0-9_\-.~]{16,}")


def _show_masked(error: click.ClickException, args: list[str]) -> None:
    """click's usage errors, with secrets masked: a webhook typed without --url, or a token
    without -t, arrives as an 'unexpected extra argument' and would be echoed in full."""
    from oint_py.masking import mask

    secrets = _secrets_in_argv(args)
    buffer = io.StringIO()
    error.show(file=buffer)
    text = mask(buffer.getvalue(), secrets)
    # A long bare word among the extra arguments may be a token typed without -t.
    text = _EXTRA.sub(lambda m: m.group(1) + _TOKEN_LIKE.sub("***", m.group(2)) + m.group(3), text)
    click.echo(text, err=True, nl=False)


def run(argv: Sequence[str] | None = None) -> int:
    """Run oint with ``argv`` (default: sys.argv[1:]) and return the exit code."""
    if argv is None and os.name != "nt":
        argv = _utf8_argv(sys.argv[1:])
    try:
        rv = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="oint",
            standalone_mode=False,
            windows_expand_args=False,  # WINDOWS.md: click would expand %VAR%/$VAR in JSON
        )
    except click.exceptions.Abort:
        click.echo("Error: interrupted.", err=True)
        return ExitCode.INTERRUPTED
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except click.ClickException as error:
        _show_masked(error, list(argv) if argv is not None else sys.argv[1:])
        return ExitCode.USAGE if error.exit_code == 2 else error.exit_code
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.OK
    if isinstance(rv, int):
        return rv
    return ExitCode.OK


def main(argv: Sequence[str] | None = None) -> None:
    """The ``oint`` console script."""
    _utf8_streams()
    code = run(argv)
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    except OSError:
        pass
    sys.exit(int(code))


if __name__ == "__main__":  # pragma: no cover
    main()
