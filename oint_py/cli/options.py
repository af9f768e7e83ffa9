"""Options every method shares, and the one wrapper that runs a call and maps its outcome."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from oint_py.defaults import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_MAX_WAIT,
    DEFAULT_READ_TIMEOUT,
    DEFAULT_RETRIES,
)
from oint_py.errors import (
    ExitCode,
    InputError,
    NoAnswerError,
    OintError,
    PortalError,
    VerifyError,
)

if TYPE_CHECKING:  # imported when a command runs, not for --help (tests/test_startup.py)
    from oint_py.transport import Settings

F = TypeVar("F", bound=Callable[..., Any])

WEBHOOK_HELP = (
    "Webhook URL (https://<portal>/rest/<user id>/<secret>/), or with --token the portal "
    "address (host, https://host). No scheme means https."
)


class Seconds(click.FloatRange):
    """A number of seconds in a range; NaN is no number (click's FloatRange lets it through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number != number:
            self.fail(f"{value!r} is not a number of seconds.", param, ctx)
        return number


def complete_file(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
    """Shell completion of --fields/--filter: file names (the shell lists them)."""
    from click.shell_completion import CompletionItem  # only when completing

    return [CompletionItem(incomplete, type="file")]


def portal_options(func: F) -> F:
    """-u/--url and -t/--token, with BITRIX24_URL / BITRIX24_TOKEN as fallbacks."""
    func = click.option(
        "-t",
        "--token",
        envvar="BITRIX24_TOKEN",
        show_envvar=True,
        metavar="TOKEN",
        help="OAuth access token (sent in the body as auth, never in the URL).",
    )(func)
    func = click.option(
        "-u",
        "--url",
        envvar="BITRIX24_URL",
        show_envvar=True,
        metavar="URL",
        help=WEBHOOK_HELP,
    )(func)
    return func


def call_options(func: F) -> F:
    """The per-call options of the contract, after the method name as OPI places them."""
    options = [
        click.option(
            "--out",
            type=click.Path(dir_okay=False, writable=False),
            metavar="FILE",
            help="Write the answer to FILE (UTF-8) instead of stdout; only on exit 0 or 1.",
        ),
        click.option(
            "--debug", is_flag=True, help="Trace requests and answers on stderr (secrets masked)."
        ),
        click.option(
            "--test",
            is_flag=True,
            help="Send nothing; print the request that would be sent (secrets masked).",
        ),
        click.option(
            "--timeout",
            type=Seconds(min=0, min_open=True, max=3600),
            metavar="SECONDS",
            help=f"Connect and read timeout [default: connect {DEFAULT_CONNECT_TIMEOUT:g}, "
            f"read {DEFAULT_READ_TIMEOUT:g}].",
        ),
        click.option(
            "--ascii", "ascii_", is_flag=True, help="Escape non-ASCII characters in the output."
        ),
        click.option(
            "--retries",
            type=click.IntRange(0, 20),
            default=DEFAULT_RETRIES,
            show_default=True,
            envvar="OINT_RETRIES",
            show_envvar=True,
            metavar="N",
            help="Further attempts after the first, on rate limits and server failures.",
        ),
        click.option(
            "--max-wait",
            type=Seconds(0, 3600),
            default=DEFAULT_MAX_WAIT,
            show_default=True,
            envvar="OINT_MAX_WAIT",
            show_envvar=True,
            metavar="SECONDS",
            help="Total time to spend waiting between attempts.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _user_secrets(ctx: click.Context) -> tuple[str, ...]:
    """The secrets the user gave (webhook secret, token), to mask in every line oint writes."""
    from oint_py.masking import secrets_of

    return secrets_of(ctx.params.get("url"), ctx.params.get("token"))


def _masked_echo(secrets: tuple[str, ...]) -> Callable[[str], None]:
    from oint_py.masking import mask

    def echo(line: str) -> None:
        click.echo(mask(line, secrets), err=True)

    return echo


def make_settings(ctx: click.Context, opts: dict[str, Any]) -> Settings:
    from oint_py.transport import Settings

    secrets = _user_secrets(ctx)
    echo = _masked_echo(secrets)
    settings = Settings(
        retries=opts["retries"],
        max_wait=opts["max_wait"],
        dry_run=opts["test"],
        debug=echo if opts["debug"] else None,
        warn=echo,
        secrets=secrets,
    )
    if opts["timeout"] is not None:
        settings.connect_timeout = settings.read_timeout = opts["timeout"]
    if ctx.get_parameter_source("url") == ParameterSource.ENVIRONMENT:
        settings.url_source = "BITRIX24_URL"
    if ctx.get_parameter_source("token") == ParameterSource.ENVIRONMENT:
        settings.token_source = "BITRIX24_TOKEN"
    return settings


def require_url(url: str | None) -> str:
    if url is None:
        raise InputError(
            "--url is missing",
            "Pass the webhook URL (--url https://<portal>/rest/<user id>/<secret>/) "
            "or set BITRIX24_URL.",
        )
    return url


def render(answer: Any, ascii_only: bool) -> str:
    """OPI's documented look: one space of indent, key order kept, non-ASCII as is."""
    return json.dumps(answer, indent=1, ensure_ascii=ascii_only) + "\n"


def _check_out(path: str | None, inputs: tuple[str | None, ...] = ()) -> None:
    """Before sending: an --out we could not write would lose the answer, and an --out that
    is the --fields/--filter file would replace the input with the answer."""
    if path is None:
        return
    for value in inputs:
        source = value[1:] if value and value.startswith("@") else value
        if source and source != "-" and os.path.isfile(source) and os.path.exists(path):
            if os.path.samefile(source, path):
                raise InputError(
                    f"--out is the file the fields come from: {path}",
                    "Write the answer to another file.",
                )
    if not path.strip():
        raise InputError("--out is empty", "Give a file name, or leave --out out for stdout.")
    target = os.path.realpath(path)  # a link is written through, never replaced
    folder = os.path.dirname(target)
    if not os.path.isdir(folder):
        raise InputError(f"--out names a folder that does not exist: {folder}", "Create it first.")
    if os.path.isdir(target):
        raise InputError(f"--out names a folder: {path}", "Give a file name.")
    if os.path.exists(target) and not os.path.isfile(target):
        # /dev/stdout, /dev/null, a pipe: the atomic rename would replace the device itself.
        raise InputError(
            f"--out must name a regular file, not a device or pipe: {path}",
            "Leave --out out to write to stdout, and redirect that.",
        )
    if not os.access(folder, os.W_OK):
        raise InputError(f"--out cannot be written in {folder}", "Choose a writable folder.")


def _write_atomic(path: str, text: str) -> None:
    """Write a temporary file beside the target and rename it into place (never half a file).

    The target keeps its permissions; a new file gets the usual ones (umask), not mkstemp's
    0600.
    """
    import tempfile  # only when writing --out: start-up time

    target = os.path.realpath(path)
    folder = os.path.dirname(target)
    try:
        mode = os.stat(target).st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, temp = tempfile.mkstemp(prefix=".oint-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


def emit(answer: Any, opts: dict[str, Any]) -> None:
    text = render(answer, opts["ascii_"])
    out = opts["out"]
    if out is not None:
        try:
            _write_atomic(out, text)
        except OSError as error:
            raise AnswerLostError(
                f"could not write the answer to {out}: {error.strerror}"
            ) from None
        click.echo(f"Saved the answer to {out}", err=True)
        return
    if sys.stdout is None:  # `oint ... >&-`
        raise AnswerLostError(
            "could not write the answer: stdout is closed",
            "run it with stdout open, or with --out FILE",
        )
    try:
        click.echo(text, nl=False)
        sys.stdout.flush()
    except BrokenPipeError:
        from oint_py.cli import _silence_stdout

        _silence_stdout()
    except OSError as error:  # /dev/full, a full disk under `> answer.json`
        from oint_py.cli import _silence_stdout

        _silence_stdout()
        raise AnswerLostError(f"could not write the answer to stdout: {error.strerror}") from None


class AnswerLostError(NoAnswerError):
    """Exit 3: the call was made but its answer could not be written (full disk, --out)."""

    def __init__(self, what: str, where: str = "free some space or choose another --out") -> None:
        super().__init__(
            what,
            "The call itself was made: a change it asked for may have taken effect, so check "
            f"before running it again; {where}.",
        )


def execute(ctx: click.Context, opts: dict[str, Any], action: Callable[[Settings], Any]) -> int:
    """Run one library call and turn its outcome into output and an exit code.

    Every line written to stderr passes through the secret masking once more, whatever
    layer built it (a portal can echo a secret in its error_description).
    """
    echo = _masked_echo(_user_secrets(ctx))
    try:
        _check_out(opts["out"], (ctx.params.get("fields"), ctx.params.get("filter_")))
        settings = make_settings(ctx, opts)
        try:
            answer = action(settings)
        except (PortalError, VerifyError) as error:
            emit(error.answer, opts)  # exit 1 still prints the portal's answer
            if isinstance(error, VerifyError):
                for line in error.mismatches:
                    echo(line)
            raise
        emit(answer, opts)
    except OintError as error:
        echo(f"Error: {error.message}")
        return int(error.exit_code)
    return int(ExitCode.OK)
