"""The root group and the ``bitrix24`` group (case-insensitive method names, OPI's sections)."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from oint_py import __version__

USERS = "Users management"
SECTIONS = (USERS,)


class MethodCommand(click.Command):
    """A method command; ``section`` is the OPI group it is listed under."""

    def __init__(self, *args: Any, section: str = USERS, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.section = section

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        _refuse_repeated_options(ctx, self, args)
        return super().parse_args(ctx, args)


def _refuse_repeated_options(ctx: click.Context, command: click.Command, args: list[str]) -> None:
    """A value option given twice (`-s 5019 ... --userid 5020`) is a usage error.

    click keeps the last value silently; in a script that is the wrong user updated.
    Flags (`--debug --debug`) may repeat harmlessly.
    """
    names: dict[str, click.Option] = {}
    for param in command.params:
        if isinstance(param, click.Option) and not param.is_flag and not param.multiple:
            for name in param.opts + param.secondary_opts:
                names[name] = param
    seen: dict[str, str] = {}
    i = 0
    while i < len(args):
        token = args[i]
        i += 1
        if token == "--":
            break
        if token.startswith("--"):
            name, has_value = token.split("=", 1)[0], "=" in token
        elif token.startswith("-") and len(token) >= 2 and token[:2] in names:
            name, has_value = token[:2], len(token) > 2
        else:
            continue
        option = names.get(name)
        if option is None:  # a flag, or an unknown option click will report
            continue
        if not has_value:
            i += 1  # its value follows: never read it as an option
        key = option.name or name
        if key in seen:
            raise click.UsageError(
                f"{seen[key]} is given more than once (as {seen[key]} and {name}): give it once.",
                ctx,
            )
        seen[key] = name


class MethodGroup(click.Group):
    """Method names are case-insensitive, as in OPI (`updateuser`, `UPDATEUSER`)."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = self.commands.get(cmd_name)
        if command is not None:
            return command
        wanted = cmd_name.lower()
        for name, candidate in self.commands.items():
            if name.lower() == wanted:
                return candidate
        return None

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name, command, rest = super().resolve_command(ctx, args)
        return (command.name if command is not None else name), command, rest

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        limit = formatter.width - 6 - max((len(n) for n in self.commands), default=0)
        for section in SECTIONS:
            rows = [
                (name, command.get_short_help_str(limit))
                for name, command in self.commands.items()
                if getattr(command, "section", None) == section and not command.hidden
            ]
            if rows:
                with formatter.section(section):
                    formatter.write_dl(rows)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        wanted = incomplete.lower()
        items: list[Any] = [
            CompletionItem(name, help=command.get_short_help_str())
            for name, command in self.commands.items()
            if name.lower().startswith(wanted) and not command.hidden
        ]
        if incomplete.startswith("-"):
            items.extend(click.Command.shell_complete(self, ctx, incomplete))
        return items


def _help_width(max_width: int = 100) -> int:
    """click's help width rule, without the 4 ms import of shutil (and bz2, lzma) it costs."""
    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return max(min(columns, max_width) - 2, 50)


CONTEXT = {
    "help_option_names": ["-h", "--help"],
    "max_content_width": 100,
    "terminal_width": _help_width(),
}


class RootGroup(click.Group):
    """`oint UpdateUser` (bitrix24 forgotten) points at `oint bitrix24 UpdateUser`."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is None and not ctx.resilient_parsing:  # not while completing
            method = bitrix24.get_command(ctx, cmd_name)
            if method is not None:
                raise click.UsageError(
                    f"No such command '{cmd_name}'. Methods are under bitrix24: "
                    f"oint bitrix24 {method.name} ...",
                    ctx,
                )
        return command


@click.group(cls=RootGroup, context_settings=CONTEXT, invoke_without_command=True)
@click.version_option(__version__, "--version", prog_name="oint", message="%(prog)s %(version)s")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """oint: OPI's `oint` commands, re-implemented in Python.

    \b
    oint bitrix24 --help              lists the Bitrix24 methods
    oint bitrix24 UpdateUser --help   one method's options and examples
    """
    if ctx.invoked_subcommand is None:  # bare `oint`: help, as `oint bitrix24` does, exit 0
        click.echo(ctx.get_help())
        ctx.exit(0)


@cli.group(
    "bitrix24",
    cls=MethodGroup,
    invoke_without_command=True,
    context_settings=CONTEXT,
    short_help="Bitrix24 REST methods, named and grouped as in OPI.",
)
@click.pass_context
def bitrix24(ctx: click.Context) -> None:
    """Bitrix24 REST methods, named and grouped as in OPI (names are case-insensitive).

    Each method takes the portal as --url (a webhook URL, or the portal address with
    --token) or from BITRIX24_URL / BITRIX24_TOKEN.
    """
    if ctx.invoked_subcommand is None:
        click.echo(ctx.get_help())
        ctx.exit(0)


# Register the method commands (importing the module adds them to the group).
from oint_py.cli import users as _users  # noqa: E402

del _users
