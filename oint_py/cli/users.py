"""OPI's "Users management" commands: one small function each."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from oint_py.cli.app import USERS, MethodCommand, bitrix24
from oint_py.cli.options import call_options, complete_file, execute, portal_options, require_url
from oint_py.inputs import load_object, parse_user_id

if TYPE_CHECKING:
    from oint_py.transport import Settings

# The library (and the transport under it, with its dataclasses) is imported inside each
# command, when it runs: --help, completion and usage errors never load it. Keep it that way
# in new commands (tests/test_startup.py checks it; bench/bench.py measures it).


def load_json_option(value: str, option: str, settings: Settings) -> dict[str, Any]:
    """--fields/--filter: stdin, a file, a URL (fetched without credentials) or inline JSON."""
    from oint_py.transport import fetch

    return load_object(
        value,
        option,
        stdin=sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None,
        fetch=lambda url: fetch(url, settings),
    )


FIELDS_HELP = (
    "The fields as a JSON object: inline (strict JSON or OPI's {'KEY':'value'}), a file "
    "path or @path, - for stdin, or an http(s) URL."
)


@bitrix24.command("UpdateUser", cls=MethodCommand, section=USERS)
@portal_options
@click.option("-s", "--userid", required=True, metavar="ID", help="The user's ID.")
@click.option(
    "-f",
    "--fields",
    required=True,
    metavar="FIELDS",
    help=FIELDS_HELP,
    shell_complete=complete_file,
)
@call_options
@click.pass_context
def update_user(
    ctx: click.Context,
    /,
    url: str | None,
    token: str | None,
    userid: str,
    fields: str,
    **opts: Any,
) -> int:
    """Change a user's fields (user.update).

    Prints the portal's answer, {"result": true, ...}. Exit codes: 0 done, 1 the portal
    answered with an error, 2 bad input (nothing sent), 3 no usable answer.

    \b
    bash:
      oint bitrix24 UpdateUser --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/" \\
        --userid 2626 --fields '{"EMAIL":"new@example.org","UF_DEPARTMENT":[7]}'
    cmd.exe:
      oint bitrix24 UpdateUser -u b24-ar17wx.bitrix24.by -s 2626 -t %TOKEN% ^
        -f "{'NAME':'Oleg','UF_DEPARTMENT':7}"
    """

    def action(settings: Settings) -> Any:
        from oint_py.bitrix24 import users

        user_id = parse_user_id(userid)
        values = load_json_option(fields, "--fields", settings)
        return users.update_user(require_url(url), user_id, values, token, settings=settings)

    return execute(ctx, opts, action)
