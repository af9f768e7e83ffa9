"""Property-based: arbitrary --url/--token/--userid/--fields and arbitrary portal answers.

oint runs in-process (``oint_py.cli.run`` with click's captured streams) and every HTTP
request goes to requests-mock (``real_http=False``, one matcher for ANY method and URL): a
generated host name is never looked up or contacted. For every input and every answer:

- no exception escapes (so no traceback) and the exit code is in the contract's table;
- stdout is empty or exactly one JSON document;
- neither the webhook secret (``SECRET`` + 16 hex digits) nor the token (``TOKEN`` + 16 hex
  digits) appears in anything oint writes. Generated answers never contain that pattern.
"""

from __future__ import annotations

import json
import re
from typing import Any

import requests_mock
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from oint_py.cli import run

PATTERN = re.compile(r"SECRET[0-9a-f]{16}|TOKEN[0-9a-f]{16}")
HEX16 = st.text("0123456789abcdef", min_size=16, max_size=16)
SECRETS = HEX16.map(lambda h: "SECRET" + h)
TOKENS = HEX16.map(lambda h: "TOKEN" + h)


def clean(text: str) -> bool:
    return "SECRET" not in text and "TOKEN" not in text


TEXT = st.text(max_size=30).filter(clean)
HOSTS = st.one_of(
    st.from_regex(r"\A[a-z][a-z0-9\-]{0,12}(\.[a-z]{2,6}){1,2}\Z"),
    st.sampled_from(
        ["127.0.0.1", "localhost", "[::1]", "portal.example:8443", "xn--80ak6aa92e.com"]
    ),
    TEXT,
)
VALID_PREFIXES = st.builds(
    lambda s, h: s + h,
    st.sampled_from(["https://", "http://", ""]),
    st.from_regex(r"\A[a-z][a-z0-9\-]{0,12}\.[a-z]{2,6}\Z"),
)
PREFIXES = st.one_of(
    VALID_PREFIXES,
    VALID_PREFIXES,
    VALID_PREFIXES,
    st.builds(
        lambda s, h: s + h,
        st.sampled_from(["https://", "http://", "", "HTTPS://", "ftp://"]),
        HOSTS,
    ),
    TEXT,
)
USER_IDS = st.one_of(
    st.just("1"),
    st.just("1"),
    st.just("1"),
    st.sampled_from(["12", "0"]),
    st.integers(1, 10**6).map(str),
    TEXT,
)
SUFFIXES = st.one_of(
    st.just("/"),
    st.just("/"),
    st.sampled_from(["/", "", "/profile.json", "/user.update", "/user.update.json/", "?x=1", "#f"]),
    TEXT,
)


def wrap(value: str, how: int) -> str:
    return [value, f'"{value}"', f"'{value}'", f'""{value}""', f"  {value}\t"][how]


@st.composite
def urls_and_tokens(draw: st.DrawFn) -> tuple[str, str | None, str, str]:
    """(--url, --token or None, the secret, the token) — the secret sits where one belongs."""
    secret, token = draw(SECRETS), draw(TOKENS)
    shape = draw(st.sampled_from(["webhook"] * 4 + ["portal"] * 2 + ["both", "junk"]))
    prefix = draw(PREFIXES)
    if shape in ("webhook", "both"):
        url = f"{prefix}/rest/{draw(USER_IDS)}/{secret}{draw(SUFFIXES)}"
    elif shape == "portal":
        url = prefix + draw(st.sampled_from(["", "/", "/rest/", "/rest/user.update"]))
    else:
        url = draw(TEXT)
    given_token: str | None = None
    if shape in ("portal", "both") or draw(st.sampled_from([False] * 5 + [True])):
        given_token = wrap(token, draw(st.integers(0, 4)))
    how = draw(st.one_of(st.just(0), st.just(0), st.integers(0, 4)))
    return wrap(url, how), given_token, secret, token


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)
VALID_FIELDS = st.fixed_dictionaries(
    {"NAME": JSON_VALUES}, optional={"EMAIL": TEXT, "UF_DEPARTMENT": JSON_VALUES}
).map(json.dumps)
FIELDS = st.one_of(
    VALID_FIELDS,
    VALID_FIELDS,
    VALID_FIELDS,
    st.dictionaries(
        st.sampled_from(["NAME", "EMAIL", "UF_DEPARTMENT", "ID", "x"]), JSON_VALUES, max_size=4
    ).map(json.dumps),
    st.sampled_from(
        [
            "{'NAME':'Oleg'}",
            "{NAME:Oleg}",
            "{}",
            "[]",
            "-",
            "@missing.json",
            "x.json",
            "https://fields.example/f.json",
            '{"NAME":"Oleg"',
        ]
    ),
    TEXT,
)

ERROR_CODES = [
    "QUERY_LIMIT_EXCEEDED",
    "OPERATION_TIME_LIMIT",
    "INTERNAL_SERVER_ERROR",
    "expired_token",
    "invalid_token",
    "ERROR_CORE",
    "INVALID_CREDENTIALS",
    "insufficient_scope",
    "PORTAL_DELETED",
    "OVERLOAD_LIMIT",
    "ERROR_METHOD_NOT_FOUND",
    "NO_AUTH_FOUND",
]
JSON_BODIES = st.one_of(
    st.fixed_dictionaries(
        {"result": JSON_VALUES},
        optional={
            "time": st.fixed_dictionaries(
                {"operating_reset_at": st.one_of(st.integers(0, 2**40), TEXT)}
            )
        },
    ),
    st.fixed_dictionaries(
        {"error": st.one_of(st.sampled_from(ERROR_CODES), JSON_VALUES)},
        optional={"error_description": st.one_of(TEXT, JSON_VALUES)},
    ),
    st.dictionaries(TEXT, JSON_VALUES, max_size=3),
    JSON_VALUES,
).map(lambda v: json.dumps(v).encode())
BODIES = st.one_of(
    JSON_BODIES,
    JSON_BODIES.map(lambda b: b[: len(b) // 2]),
    st.sampled_from(
        [
            b"",
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            b"\xff\xfe\x00garbage",
            b'{"result": NaN}',
            b"null",
        ]
    ),
    st.binary(max_size=40).filter(lambda b: clean(b.decode("latin-1"))),
    TEXT.map(lambda t: f"<html><script>{t}</script><p>{t}</p></html>".encode()),
)
LOCATIONS = st.one_of(
    st.sampled_from(
        [
            "https://moved.example/rest/1/0therSecret/user.update",
            "http://moved.example/rest/user.update",
            "/bitrix/coupon_activation.php",
            "/rest/1/x/user.update",
            "https://[::1/x",
            "ftp://moved.example/rest/",
            "https://u:p@moved.example/rest/1/s/user.update",
            "",
        ]
    ),
    TEXT,
)
HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Content-Type": st.sampled_from(
            [
                "application/json",
                "text/html",
                "text/plain; charset=utf-8",
                "application/octet-stream",
            ]
        ),
        "Retry-After": st.sampled_from(
            ["0", "0.001", "soon", "", "-1", "99999", "1e3", "Wed, 21 Oct 2015 07:28:00 GMT"]
        ),
        "Location": LOCATIONS,
    },
)
STATUSES = st.one_of(
    st.sampled_from(
        [200, 201, 204, 301, 302, 303, 307, 308, 400, 401, 403, 404, 413, 429, 500, 502, 503, 504]
    ),
    st.integers(200, 599),
)
ANSWERS = st.lists(
    st.builds(
        lambda status, headers, body: {"status_code": status, "headers": headers, "content": body},
        STATUSES,
        HEADERS,
        BODIES,
    ),
    min_size=1,
    max_size=6,
)
OPTIONS = st.lists(
    st.sampled_from(
        [
            ["--debug"],
            ["--test"],
            ["--ascii"],
            ["--retries", "1"],
            ["--retries=0"],
            ["--max-wait", "0"],
            ["--timeout", "5"],
        ]
    ),
    max_size=3,
).map(lambda groups: [o for g in groups for o in g])

ENV = {
    "OINT_BACKOFF_BASE": "0",
    "OINT_RETRIES": None,
    "OINT_MAX_WAIT": None,
    "BITRIX24_URL": None,
    "BITRIX24_TOKEN": None,
}


def invoke(argv: list[str]) -> tuple[int, str, str]:
    runner = CliRunner()
    with runner.isolation(input="", env=ENV) as (out, err, _):
        code = run(argv)
        stdout = out.getvalue().decode("utf-8")
        stderr = err.getvalue().decode("utf-8")
    return int(code), stdout, stderr


def check(code: int, stdout: str, stderr: str, secret: str, token: str) -> None:
    assert code in (0, 1, 2, 3), (code, stderr)
    assert "Traceback" not in stderr
    if stdout:
        assert stdout.endswith("\n")
        json.loads(stdout)  # exactly one JSON document: trailing data would raise
    for text in (stdout, stderr):
        assert secret not in text, text
        assert token not in text, text
        assert not PATTERN.search(text), text


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    target=urls_and_tokens(),
    userid=st.one_of(
        st.just("2626"),
        st.just("2626"),
        st.just("2626"),
        st.sampled_from(["2626", '"2626"', " 7 ", "-1", "0", "1e3"]),
        TEXT,
    ),
    fields=FIELDS,
    answers=ANSWERS,
    options=OPTIONS,
)
def test_any_input_and_any_answer(
    target: tuple[str, str | None, str, str],
    userid: str,
    fields: str,
    answers: list[dict[str, Any]],
    options: list[str],
) -> None:
    url, given_token, secret, token = target
    argv = ["bitrix24", "UpdateUser", f"--url={url}", f"--userid={userid}", f"--fields={fields}"]
    if given_token is not None:
        argv.append(f"--token={given_token}")
    argv += options
    with requests_mock.Mocker(real_http=False) as mock:
        mock.register_uri(requests_mock.ANY, requests_mock.ANY, answers)
        code, stdout, stderr = invoke(argv)
    event(f"exit {code}")
    check(code, stdout, stderr, secret, token)
    if code == 2:  # a usage error: nothing was sent to the portal
        assert not any("/rest/" in r.url for r in mock.request_history)


@settings(max_examples=60, deadline=None)
@given(secret=SECRETS, token=TOKENS, answers=ANSWERS)
def test_valid_call_any_answer(secret: str, token: str, answers: list[dict[str, Any]]) -> None:
    """A valid webhook call with --debug: every answer ends in 0, 1 or 3, never leaking."""
    argv = ["bitrix24", "UpdateUser", f"--url=https://portal.example/rest/1/{secret}/"]
    argv += ["--userid=2626", '--fields={"NAME":"Oleg"}', "--debug"]
    with requests_mock.Mocker(real_http=False) as mock:
        mock.register_uri(requests_mock.ANY, requests_mock.ANY, answers)
        code, stdout, stderr = invoke(argv)
    event(f"exit {code}")
    check(code, stdout, stderr, secret, token)
    assert code in (0, 1, 3)
    assert mock.call_count >= 1
    if code == 0:
        assert "error" not in json.loads(stdout) or json.loads(stdout)["error"] in (
            None,
            "",
            False,
            0,
        )
