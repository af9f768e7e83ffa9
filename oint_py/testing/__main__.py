"""``python -m oint_py.testing``: run the fake Bitrix24 portal by hand.

- ``serve [--port N] [--secret S] [--token T]``: print the addresses, serve until Ctrl-C.
- ``run [--token-mode] -- COMMAND [ARGS...]``: start the portal on a free port, run COMMAND
  with ``BITRIX24_URL`` (and ``BITRIX24_TOKEN`` in token mode) pointing at it, then print
  on stderr what the command changed in the users table; exit with COMMAND's exit code.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import subprocess
import sys
from collections.abc import Sequence

from oint_py.testing._portal import DEFAULT_SECRET, DEFAULT_TOKEN, FakePortal

_MAX_VALUE = 60


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m oint_py.testing",
        description="A local fake Bitrix24 portal (127.0.0.1) for trying oint without a portal.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="serve until Ctrl-C")
    serve.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    serve.add_argument("--secret", default=DEFAULT_SECRET, help="webhook secret")
    serve.add_argument("--token", default=DEFAULT_TOKEN, help="valid OAuth token")
    serve.add_argument("--extra-users", type=int, default=0, help="generated users to add")
    serve.add_argument("--tls", action="store_true", help="serve HTTPS (needs trustme)")
    run = sub.add_parser(
        "run",
        help="run a command against a fresh portal",
        description="Run COMMAND with BITRIX24_URL (and BITRIX24_TOKEN with --token-mode) "
        "pointing at a fresh fake portal; report changed users on stderr; exit with "
        "COMMAND's exit code. Put -- before COMMAND.",
    )
    run.add_argument(
        "--token-mode",
        action="store_true",
        help="BITRIX24_URL is the portal address and BITRIX24_TOKEN a valid token",
    )
    run.add_argument("--extra-users", type=int, default=0, help="generated users to add")
    run.add_argument("argv", nargs=argparse.REMAINDER, metavar="COMMAND [ARGS...]")
    return parser


def _short(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= _MAX_VALUE else text[: _MAX_VALUE - 3] + "..."


def changes(before: dict[int, dict[str, object]], after: dict[int, dict[str, object]]) -> list[str]:
    """One line per user that differs between two snapshots of the table."""
    lines: list[str] = []
    for uid in sorted(set(before) | set(after)):
        old, new = before.get(uid), after.get(uid)
        if old == new:
            continue
        if new is None:
            lines.append(f"fake portal: user {uid} removed")
            continue
        diff = [
            f"{k}={_short(v)}" for k, v in new.items() if old is None or k not in old or old[k] != v
        ]
        verb = "created with" if old is None else "now"
        lines.append(f"fake portal: user {uid} {verb} {', '.join(diff)}")
    return lines


def _serve(args: argparse.Namespace) -> int:
    portal = FakePortal(
        port=args.port,
        secret=args.secret,
        token=args.token,
        extra_users=args.extra_users,
        tls=args.tls,
    )
    try:
        portal.start()
        print(f"portal URL:  {portal.url}", flush=True)
        print(f"webhook URL: {portal.webhook_url}", flush=True)
        print(f"token:       {portal.token}", flush=True)
        if portal.ca_file:
            print(f"CA file:     {portal.ca_file}", flush=True)
        print("Serving until Ctrl-C.", file=sys.stderr, flush=True)
        portal.serve_forever()
    except KeyboardInterrupt:
        pass
    except OSError as exc:
        print(f"Error: cannot serve on port {args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    finally:
        portal.stop()
    return 0


def _run(args: argparse.Namespace) -> int:
    argv: list[str] = list(args.argv)
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(
            "Error: no command given. Usage: python -m oint_py.testing run -- COMMAND [ARGS...]",
            file=sys.stderr,
        )
        return 2
    with FakePortal(extra_users=args.extra_users) as portal:
        env = dict(os.environ)
        if args.token_mode:
            env["BITRIX24_URL"] = portal.url
            env["BITRIX24_TOKEN"] = portal.token
        else:
            env["BITRIX24_URL"] = portal.webhook_url
            env.pop("BITRIX24_TOKEN", None)
        # Find `oint` of this interpreter's environment even when it is not activated.
        bindir = os.path.dirname(sys.executable)
        env["PATH"] = os.pathsep.join([bindir, env.get("PATH", os.defpath)])
        before = copy.deepcopy(portal.users)
        try:
            code = subprocess.call(argv, env=env)
        except KeyboardInterrupt:
            return 130
        except OSError as exc:
            print(f"Error: cannot run {argv[0]}: {exc.strerror or exc}", file=sys.stderr)
            return 127
        for line in changes(before, portal.users):
            print(line, file=sys.stderr)
    return 128 - code if code < 0 else code


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
