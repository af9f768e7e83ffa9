"""OPI's "Users management" commands: one small function each.

``method`` registers a command under the bitrix24 group with the shared options in the
contract's order (--url/--token, the method's own, then the per-call options); each command
then parses its own options and calls one library function through ``execute``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from oint_py.cli.app import USERS, MethodCommand, bitrix24
from oint_py.cli.options import call_options, complete_file, execute, portal_options, require_url
from oint_py.errors import InputError
from oint_py.inputs import load_object, parse_user_id, strip_wrapping

if TYPE_CHECKING:
    from oint_py.transport import Settings

# The library (and the transport under it) is imported inside each command, when it runs:
# --help, completion and usage errors never load it. Keep it that way in new commands
# (tests/test_startup.py checks it; bench/bench.py measures it).

Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def _fetch(url: str, settings: Settings) -> bytes:
    from oint_py.transport import fetch

    return fetch(url, settings)


def load_json_option(value: str, option: str, settings: Settings) -> dict[str, Any]:
    """--fields/--filter: stdin, a file, a URL (fetched without credentials) or inline JSON."""
    return load_object(
        value,
        option,
        stdin=sys.stdin.buffer if hasattr(sys.stdin, "buffer") else None,
        fetch=lambda url: _fetch(url, settings),
    )


class BoolWord(click.ParamType[bool]):
    """OPI's value-taking booleans (``--fire false``): true or false, in any case."""

    name = "true|false"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> bool:
        if isinstance(value, bool):
            return value
        word = strip_wrapping(str(value)).lower()
        if word in ("true", "false"):
            return word == "true"
        self.fail(f"{value!r} is not true or false. Write true or false (any case).", param, ctx)

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[Any]:
        from click.shell_completion import CompletionItem  # only when completing

        return [CompletionItem(w) for w in ("true", "false") if w.startswith(incomplete.lower())]


BOOL_WORD = BoolWord()

FIELDS_HELP = (
    "The fields as a JSON object: inline (strict JSON or OPI's {'KEY':'value'}), a file "
    "path or @path, - for stdin, or an http(s) URL."
)


def userid_option(required: bool = True, extra: str = "") -> Decorator:
    return click.option(
        "-s", "--userid", required=required, metavar="ID", help="The user's ID." + extra
    )


def fields_option(help_text: str = FIELDS_HELP) -> Decorator:
    return click.option(
        "-f",
        "--fields",
        required=True,
        metavar="FIELDS",
        help=help_text,
        shell_complete=complete_file,
    )


ALL_OPTION = click.option(
    "--all",
    "all_pages",
    is_flag=True,
    help='Follow "next" through every page; print {"result": [every item], "total": n}.',
)


def method(name: str, *own: Decorator, portal: bool = True) -> Callable[[Callable[..., Any]], Any]:
    """Register ``name`` under ``oint bitrix24``: options url/token, ``own``, per-call."""

    def decorate(func: Callable[..., Any]) -> Any:
        func = call_options(func)
        for option in reversed(own):
            func = option(func)
        if portal:
            func = portal_options(func)
        func = click.pass_context(func)
        return bitrix24.command(name, cls=MethodCommand, section=USERS)(func)

    return decorate


@method("GetCurrentUser")
def get_current_user(ctx: click.Context, /, url: str | None, token: str | None, **opts: Any) -> int:
    """The webhook's or token's own user (user.current).

    \b
    bash:
      oint bitrix24 GetCurrentUser --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/"
    cmd.exe:
      oint bitrix24 GetCurrentUser -u b24-ar17wx.bitrix24.by -t %TOKEN%
    """
    from oint_py.bitrix24 import users

    return execute(ctx, opts, lambda s: users.get_current_user(require_url(url), token, settings=s))


@method("GetUser", userid_option(False, " Without it, --all lists every user."), ALL_OPTION)
def get_user(
    ctx: click.Context,
    /,
    url: str | None,
    token: str | None,
    userid: str | None,
    all_pages: bool,
    **opts: Any,
) -> int:
    """A user by ID (user.get).

    With --all and no --userid: every user, all pages in one document.

    \b
    bash:
      oint bitrix24 GetUser --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/" --userid 2626
      oint bitrix24 GetUser --all > users.json
    cmd.exe:
      oint bitrix24 GetUser -u b24-ar17wx.bitrix24.by -t %TOKEN% -s 2626
    """
    from oint_py.bitrix24 import users

    def action(settings: Settings) -> Any:
        if userid is None and not all_pages:
            raise InputError(
                "--userid is missing", "Pass the user's ID (-s 2626), or --all to list every user."
            )
        user_id = None if userid is None else parse_user_id(userid)
        return users.get_user(
            require_url(url), user_id, token, all_pages=all_pages, settings=settings
        )

    return execute(ctx, opts, action)


@method("CreateUser", fields_option(FIELDS_HELP + " EMAIL is required."))
def create_user(
    ctx: click.Context, /, url: str | None, token: str | None, fields: str, **opts: Any
) -> int:
    """Create a user (user.add).

    Prints the answer, whose result is the new ID. Never re-sent once the request may have
    reached the portal: if the connection drops, exit 3 says the outcome is unknown; check
    with GetUser or FindUsers before running again.

    \b
    bash:
      oint bitrix24 CreateUser --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/" \\
        --fields '{"EMAIL":"new.user@example.org","UF_DEPARTMENT":[7]}'
    cmd.exe:
      oint bitrix24 CreateUser -u b24-ar17wx.bitrix24.by -t %TOKEN% ^
        -f "{'EMAIL':'new.user@example.org','UF_DEPARTMENT':7}"
    """
    from oint_py.bitrix24 import users

    def action(settings: Settings) -> Any:
        values = load_json_option(fields, "--fields", settings)
        return users.create_user(require_url(url), values, token, settings=settings)

    return execute(ctx, opts, action)


@method(
    "UpdateUser",
    userid_option(),
    fields_option(),
    click.option(
        "--verify",
        is_flag=True,
        help="Read the user back and exit 1 if a sent field did not take.",
    ),
    click.option(
        "--strict",
        is_flag=True,
        help="Treat the warnings about --fields as errors (exit 2, nothing sent).",
    ),
)
def update_user(
    ctx: click.Context,
    /,
    url: str | None,
    token: str | None,
    userid: str,
    fields: str,
    verify: bool,
    strict: bool,
    **opts: Any,
) -> int:
    """Change a user's fields (user.update).

    Prints the portal's answer, {"result": true, ...}. Exit codes: 0 done, 1 the portal
    answered with an error (or --verify found a field that did not take), 2 bad input
    (nothing sent), 3 no usable answer. Keys the portal would ignore or misread (a typo,
    a read-only field, ACTIVE "false", an empty PERSONAL_PHOTO) are warned about on stderr.

    \b
    bash:
      oint bitrix24 UpdateUser --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/" \\
        --userid 2626 --fields '{"EMAIL":"new@example.org","UF_DEPARTMENT":[7]}' --verify
    cmd.exe:
      oint bitrix24 UpdateUser -u b24-ar17wx.bitrix24.by -s 2626 -t %TOKEN% ^
        -f "{'NAME':'Oleg','UF_DEPARTMENT':7}" --verify
    """
    from oint_py.bitrix24 import users

    def action(settings: Settings) -> Any:
        user_id = parse_user_id(userid)
        values = load_json_option(fields, "--fields", settings)
        return users.update_user(
            require_url(url),
            user_id,
            values,
            token,
            verify=verify,
            strict=strict,
            settings=settings,
        )

    return execute(ctx, opts, action)


@method(
    "ChangeUserStatus",
    userid_option(),
    click.option(
        "--fire",
        type=BOOL_WORD,
        default="true",
        show_default=True,
        help='true deactivates the user (sends ACTIVE "N"), false reactivates ("Y").',
    ),
)
def change_user_status(
    ctx: click.Context,
    /,
    url: str | None,
    token: str | None,
    userid: str,
    fire: bool,
    **opts: Any,
) -> int:
    """Fire or rehire a user (user.update ACTIVE).

    --fire true (the default) deactivates the user, --fire false reactivates them.

    \b
    bash:
      oint bitrix24 ChangeUserStatus --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/" \\
        --userid 2626 --fire true
    cmd.exe:
      oint bitrix24 ChangeUserStatus -u b24-ar17wx.bitrix24.by -t %TOKEN% -s 2626 --fire false
    """
    from oint_py.bitrix24 import users

    def action(settings: Settings) -> Any:
        user_id = parse_user_id(userid)
        return users.change_user_status(require_url(url), user_id, fire, token, settings=settings)

    return execute(ctx, opts, action)


@method(
    "FindUsers",
    click.option(
        "--filter",
        "filter_",
        metavar="FILTER",
        shell_complete=complete_file,
        help="Required. The filter as a JSON object (see GetUserFilterStructure), from the "
        "same sources as --fields: inline, a file or @path, - for stdin, or an http(s) URL.",
    ),
    ALL_OPTION,
)
def find_users(
    ctx: click.Context,
    /,
    url: str | None,
    token: str | None,
    filter_: str | None,
    all_pages: bool,
    **opts: Any,
) -> int:
    """Find users by a filter (user.search).

    The filter takes NAME, LAST_NAME, WORK_POSITION, UF_DEPARTMENT_NAME, USER_TYPE or FIND
    (see GetUserFilterStructure). Prints the first page (50 users) as the portal sends it;
    --all prints every match.

    \b
    bash:
      oint bitrix24 FindUsers --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/" \\
        --filter '{"LAST_NAME":"Petrova"}'
    cmd.exe:
      oint bitrix24 FindUsers -u b24-ar17wx.bitrix24.by -t %TOKEN% ^
        --filter "{'UF_DEPARTMENT_NAME':'Sales'}" --all
    """
    from oint_py.bitrix24 import users

    def action(settings: Settings) -> Any:
        if filter_ is None:
            raise InputError(
                "--filter is missing",
                'Give a filter such as {"LAST_NAME":"Petrova"} (see GetUserFilterStructure), '
                "or list every user with GetUser --all.",
            )
        values = load_json_option(filter_, "--filter", settings)
        return users.find_users(
            require_url(url), values, token, all_pages=all_pages, settings=settings
        )

    return execute(ctx, opts, action)


@method("GetUserFieldsStructure")
def get_user_fields_structure(
    ctx: click.Context, /, url: str | None, token: str | None, **opts: Any
) -> int:
    """The user fields and titles (user.fields).

    Their keys are what UpdateUser and CreateUser take.

    \b
    bash:
      oint bitrix24 GetUserFieldsStructure --url "https://b24-ar17wx.bitrix24.by/rest/1/<secret>/"
    cmd.exe:
      oint bitrix24 GetUserFieldsStructure -u b24-ar17wx.bitrix24.by -t %TOKEN%
    """
    from oint_py.bitrix24 import users

    return execute(
        ctx, opts, lambda s: users.get_user_fields_structure(require_url(url), token, settings=s)
    )


@method(
    "GetUserFilterStructure",
    click.option(
        "--empty",
        type=BOOL_WORD,
        default="false",
        show_default=True,
        help="true: the same keys with empty values.",
    ),
    portal=False,
)
def get_user_filter_structure(ctx: click.Context, /, empty: bool, **opts: Any) -> int:
    """FindUsers' filter template (local).

    Nothing is sent and no portal is needed.

    \b
    bash:
      oint bitrix24 GetUserFilterStructure --empty true > filter.json
    cmd.exe:
      oint bitrix24 GetUserFilterStructure --empty true --out filter.json
    """
    from oint_py.bitrix24 import users

    return execute(ctx, opts, lambda s: users.get_user_filter_structure(empty))
