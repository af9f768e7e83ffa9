"""Run `oint` in-process with captured streams, through the same `run()` the script uses."""

from __future__ import annotations

from dataclasses import dataclass

from click.testing import CliRunner

from oint_py.cli import run


@dataclass
class Outcome:
    code: int
    stdout: str
    stderr: str


def invoke(
    *args: str, env: dict[str, str | None] | None = None, input: bytes | str | None = None
) -> Outcome:
    base: dict[str, str | None] = {
        "BITRIX24_URL": None,
        "BITRIX24_TOKEN": None,
        "OINT_RETRIES": None,
        "OINT_MAX_WAIT": None,
        "OINT_BACKOFF_BASE": "0",
        "REQUESTS_CA_BUNDLE": None,
        "CURL_CA_BUNDLE": None,
        "SSL_CERT_FILE": None,
    }
    base.update(env or {})
    runner = CliRunner()
    with runner.isolation(input=input, env=base) as (out, err, _):
        code = run(list(args))
    return Outcome(int(code), out.getvalue().decode("utf-8"), err.getvalue().decode("utf-8"))
