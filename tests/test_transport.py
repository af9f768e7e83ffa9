"""Unit tests of oint_py.transport with requests-mock: no socket is ever opened.

URL rules of parse_portal, masking, answer classification, Retry-After, backoff, redirect
decisions and the --debug trace.
"""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import requests_mock

from oint_py.errors import InputError, NoAnswerError, OutcomeUnknownError, PortalError
from oint_py.transport import (
    Settings,
    Transport,
    _retry_after,
    mask,
    parse_portal,
)

SECRET = "SECRET0123456789abcdef"
TOKEN = "TOKENfedcba9876543210"
HOOK = f"https://portal.example/rest/1/{SECRET}/"
CALL = f"https://portal.example/rest/1/{SECRET}/user.update"
OK = {"result": True, "time": {"start": 1.0, "operating_reset_at": 1796316000}}


@pytest.fixture
def mock() -> Iterator[requests_mock.Mocker]:
    with requests_mock.Mocker(real_http=False) as mocker:
        yield mocker


class Recorder:
    """Settings whose sleep, debug and warn are recorded instead of done or printed."""

    def __init__(self, **options: Any) -> None:
        self.sleeps: list[float] = []
        self.debug: list[str] = []
        self.warnings: list[str] = []
        defaults: dict[str, Any] = {"backoff_base": 1.0, "environ": {}}
        defaults.update(options)
        self.settings = Settings(
            sleep=self.sleeps.append,
            debug=self.debug.append,
            warn=self.warnings.append,
            **defaults,
        )

    def transport(self, url: str = HOOK, token: str | None = None) -> Transport:
        return Transport(parse_portal(url, token, self.settings), self.settings)


# --- parse_portal ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (HOOK, CALL),
        (HOOK.rstrip("/"), CALL),
        (HOOK + "profile.json", CALL),
        (HOOK + "user.update", CALL),
        (f"portal.example/rest/1/{SECRET}/", CALL),
        (f'"{HOOK}"', CALL),
        (f"  '{HOOK}'  ", CALL),
        (f'""{HOOK}""', CALL),
        (f"HTTPS://Portal.Example/rest/1/{SECRET}/", CALL),
        (f"http://127.0.0.1:8080/rest/1/{SECRET}/", f"http://127.0.0.1:8080/rest/1/{SECRET}/"),
        (
            f"https://portal.example:8443/bitrix/rest/1/{SECRET}/",
            f"https://portal.example:8443/bitrix/rest/1/{SECRET}/",
        ),
    ],
)
def test_webhook_urls(url: str, expected: str) -> None:
    portal = parse_portal(url, None)
    assert portal.secret == SECRET and portal.token is None
    assert portal.method_url("user.update") == (
        expected if expected.endswith("user.update") else expected + "user.update"
    )


@pytest.mark.parametrize(
    "url",
    [
        "portal.example",
        "portal.example:443",
        "https://portal.example",
        "https://portal.example/rest/",
    ],
)
def test_token_mode_urls(url: str) -> None:
    portal = parse_portal(url, TOKEN)
    host = "portal.example:443" if ":443" in url else "portal.example"
    assert portal.method_url("user.update") == f"https://{host}/rest/user.update"
    assert portal.token == TOKEN and portal.secret is None


@pytest.mark.parametrize(
    ("url", "token", "message"),
    [
        (
            "",
            None,
            "--url is empty. Pass the webhook URL (https://<portal>/rest/<user id>/<secret>/) "
            "with --url or set BITRIX24_URL.",
        ),
        (
            HOOK,
            TOKEN,
            "--url is a webhook URL (it carries a secret) and --token is given too. Use one: "
            "the webhook URL alone, or the portal address with --token.",
        ),
        (
            "https://portal.example/",
            None,
            "--url is a portal address without a webhook secret, and no token is given. Pass "
            "the webhook URL (https://<portal>/rest/<user id>/<secret>/), or --token (or "
            "BITRIX24_TOKEN) with an OAuth token.",
        ),
        (
            "ftp://portal.example/rest/1/x/",
            None,
            "--url must be an http:// or https:// address, not ftp://. Use the webhook URL "
            "(https://<portal>/rest/<user id>/<secret>/).",
        ),
        (
            f"https://user:{SECRET}@portal.example/rest/",
            TOKEN,
            "--url must not carry a user name or password. Use the webhook URL or --token "
            "for credentials.",
        ),
        (
            HOOK + "?auth=" + TOKEN,
            None,
            "--url must not have a query string or fragment. Use the webhook URL as the portal "
            "shows it (https://<portal>/rest/<user id>/<secret>/).",
        ),
        (
            "https://portal.example/rest/1/",
            None,
            "--url ends after the user id: the webhook secret is missing. Copy the whole "
            "webhook URL (https://<portal>/rest/<user id>/<secret>/) from the portal.",
        ),
        (
            f"https://portal.example/rest/1/{SECRET}/a/b",
            None,
            "--url has too many path segments after /rest/<user id>/<secret>/. Use the webhook "
            "URL (https://<portal>/rest/<user id>/<secret>/).",
        ),
        (
            "https://portal.example/rest/1/ x/",
            None,
            "--url contains spaces or control characters. Pass only the address, e.g. "
            "https://<portal>/rest/<user id>/<secret>/.",
        ),
    ],
)
def test_bad_urls_are_usage_errors(url: str, token: str | None, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_portal(url, token)
    assert caught.value.message == message
    assert SECRET not in caught.value.message and TOKEN not in caught.value.message


def test_webhook_with_token_from_the_environment_names_the_variable() -> None:
    with pytest.raises(InputError) as caught:
        parse_portal(HOOK, TOKEN, Settings(token_source="BITRIX24_TOKEN"))
    assert caught.value.message == (
        "--url is a webhook URL (it carries a secret) and BITRIX24_TOKEN is set. Unset "
        "BITRIX24_TOKEN for webhook calls, or give the portal address alone."
    )


def test_plain_http_warns_only_off_loopback() -> None:
    recorder = Recorder()
    recorder.transport(f"http://portal.example/rest/1/{SECRET}/")
    recorder.transport(f"http://127.0.0.1:9/rest/1/{SECRET}/")
    recorder.transport(f"http://localhost:9/rest/1/{SECRET}/")
    assert recorder.warnings == [
        "Warning: portal.example is reached over plain http: the webhook secret or token "
        "crosses the network unencrypted. Use https:// unless this is an on-premise portal "
        "on a trusted network."
    ]


# --- masking --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (CALL, "https://portal.example/rest/1/***/user.update"),
        ("secret 'a b/c' in a URL: /rest/1/a%20b%2Fc/x", "secret '***' in a URL: /rest/1/***/x"),
        ("encoded once a%20b/c", "encoded once ***"),
        (
            "proxy http://alice:pa55@proxy.corp:3128 failed",
            "proxy http://***@proxy.corp:3128 failed",
        ),
        ("HTTPS://bob@proxy:8080/", "HTTPS://***@proxy:8080/"),
        ("a redirect to /rest/7/0therSecret/user.update", "a redirect to /rest/7/***/user.update"),
        ("already /rest/1/***/ masked", "already /rest/1/***/ masked"),
        ("nothing here", "nothing here"),
    ],
)
def test_mask(text: str, expected: str) -> None:
    assert mask(text, ["a b/c"]) == expected


def test_mask_covers_the_token_and_the_secret() -> None:
    portal = parse_portal("https://portal.example", TOKEN)
    assert portal.mask(f'{{"auth": "{TOKEN}"}} {TOKEN}') == '{"auth": "***"} ***'
    hook = parse_portal(HOOK, None)
    assert hook.mask(f"HTTPSConnectionPool(url='/rest/1/{SECRET}/x')") == (
        "HTTPSConnectionPool(url='/rest/1/***/x')"
    )


def test_test_mode_description_is_masked() -> None:
    recorder = Recorder(dry_run=True)
    wire = recorder.transport("https://portal.example", TOKEN)
    assert wire.call("user.update", {"ID": 1, "NAME": "x"}) == {
        "method": "POST",
        "url": "https://portal.example/rest/user.update",
        "headers": {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": wire.describe("x", {})["headers"]["User-Agent"],
        },
        "body": {"ID": 1, "NAME": "x", "auth": "***"},
    }


@pytest.mark.parametrize(
    "error",
    [
        requests.exceptions.ProxyError(
            f"HTTPSConnectionPool: Max retries exceeded with url: /rest/1/{SECRET}/user.update "
            "(Caused by ProxyError('Unable to connect to proxy http://carol:hunter2@proxy:3128'))"
        ),
        requests.exceptions.ProxyError(f"Cannot connect to proxy for /rest/1/{SECRET}%21/x"),
    ],
)
def test_proxy_errors_are_masked(mock: requests_mock.Mocker, error: Exception) -> None:
    mock.post(CALL, exc=error)
    recorder = Recorder()
    with pytest.raises(NoAnswerError) as caught:
        recorder.transport().call("user.update", {"ID": 1})
    text = caught.value.message + "\n".join(recorder.debug)
    assert caught.value.message.startswith("the proxy failed the connection to portal.example: ")
    assert caught.value.message.endswith(". Check HTTPS_PROXY / NO_PROXY.")
    assert SECRET not in text and "hunter2" not in text and "carol" not in text


def test_connection_error_with_url_encoded_secret_is_masked(mock: requests_mock.Mocker) -> None:
    secret = "s3cr3t-\u00e9t\u00e9"
    url = f"https://portal.example/rest/1/{secret}/"
    encoded = "s3cr3t-%C3%A9t%C3%A9"
    mock.post(
        url + "user.update",
        exc=requests.exceptions.ConnectionError(f"Failed for /rest/1/{encoded}/user.update: boom"),
    )
    recorder = Recorder()
    with pytest.raises(NoAnswerError):
        recorder.transport(url).call("user.update", {"ID": 1})
    assert not any(encoded in line or secret in line for line in recorder.debug)
    assert "< connection dropped after" in "\n".join(recorder.debug)


# --- Retry-After ----------------------------------------------------------------------------


def test_retry_after_parsing() -> None:
    assert _retry_after(None) is None
    assert _retry_after("") is None
    assert _retry_after("5") == 5.0
    assert _retry_after(" 1.5 ") == 1.5
    assert _retry_after("-3") is None
    assert _retry_after("soon") is None
    assert _retry_after("Wed, 21 Oct 2015 07:28:00") is None  # no zone: not an HTTP date
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    future = email.utils.formatdate(time.time() + 100, usegmt=True)
    value = _retry_after(future)
    assert value is not None and 90 <= value <= 101


# --- classification, backoff and the budget -------------------------------------------------


def answer(status: int, body: Any, **headers: str) -> dict[str, Any]:
    if isinstance(body, (dict, list)):
        headers.setdefault("Content-Type", "application/json")
        return {"status_code": status, "text": json.dumps(body), "headers": headers}
    return {"status_code": status, "content": body, "headers": headers}


LIMIT = {"error": "QUERY_LIMIT_EXCEEDED", "error_description": "Too many requests"}
INTERNAL = {"error": "INTERNAL_SERVER_ERROR", "error_description": "Internal server error"}


def test_success(mock: requests_mock.Mocker) -> None:
    mock.post(CALL, **answer(200, OK))
    recorder = Recorder()
    wire = recorder.transport()
    assert wire.call("user.update", {"ID": 1, "NAME": "x"}) == OK
    assert mock.call_count == 1
    sent = mock.request_history[0]
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert sent.headers["Accept"] == "application/json"
    assert json.loads(sent.body) == {"ID": 1, "NAME": "x"}
    assert wire.operating_reset_at == 1796316000.0
    assert recorder.sleeps == []


def test_token_goes_in_the_body_never_the_url(mock: requests_mock.Mocker) -> None:
    mock.post("https://portal.example/rest/user.update", **answer(200, OK))
    Recorder().transport("portal.example", TOKEN).call("user.update", {"ID": 1})
    sent = mock.request_history[0]
    assert TOKEN not in sent.url
    assert json.loads(sent.body) == {"ID": 1, "auth": TOKEN}


@pytest.mark.parametrize(
    "first",
    [
        answer(503, LIMIT),
        answer(500, INTERNAL),
        answer(502, b"<html><body>Bad Gateway</body></html>", **{"Content-Type": "text/html"}),
        answer(504, b""),
        answer(500, {"result": None}),
        {"exc": requests.exceptions.ReadTimeout("read timed out")},
        {"exc": requests.exceptions.ConnectionError("Connection aborted.")},
        {"exc": requests.exceptions.ChunkedEncodingError("Connection broken")},
    ],
    ids=["limit", "internal", "html-502", "empty-504", "json-500", "timeout", "dropped", "chunk"],
)
def test_retried_once_then_success(mock: requests_mock.Mocker, first: dict[str, Any]) -> None:
    mock.post(CALL, [first, answer(200, OK)])
    recorder = Recorder()
    assert recorder.transport().call("user.update", {"ID": 1}) == OK
    assert mock.call_count == 2
    assert mock.request_history[0].body == mock.request_history[1].body
    assert len(recorder.sleeps) == 1 and 0.75 <= recorder.sleeps[0] <= 1.25


@pytest.mark.parametrize(
    ("reply", "error", "message"),
    [
        (
            answer(400, {"error": "ERROR_CORE", "error_description": "Incorrect E-Mail<br>"}),
            PortalError,
            "the portal answered ERROR_CORE: Incorrect E-Mail (HTTP 400). Check the ID and the "
            "values sent.",
        ),
        (
            answer(200, {"error": "insufficient_scope", "error_description": "x"}),
            PortalError,
            "the portal answered insufficient_scope: x (HTTP 200). Check that the webhook's user "
            "may do this (only admins may update other users) and that the webhook has the "
            "'user' scope.",
        ),
        (
            answer(503, {"error": "OVERLOAD_LIMIT", "error_description": "Overloaded"}),
            PortalError,
            "the portal answered OVERLOAD_LIMIT: Overloaded (HTTP 503).",
        ),
        (
            answer(401, {"error": "invalid_token", "error_description": "bad"}),
            PortalError,
            "the portal answered invalid_token: bad (HTTP 401). Check the token (--token or "
            "BITRIX24_TOKEN).",
        ),
        (
            answer(404, b"<html><h1>Not Found</h1></html>", **{"Content-Type": "text/html"}),
            NoAnswerError,
            "no JSON answer from portal.example: HTTP 404, text/html, 'Not Found'. Check that "
            "--url points at the Bitrix24 portal's REST address.",
        ),
        (
            answer(413, b"Request Entity Too Large"),
            NoAnswerError,
            "no JSON answer from portal.example: HTTP 413, no content type, 'Request Entity Too "
            "Large'. The request is too large for the portal: send fewer or smaller fields.",
        ),
        (
            answer(200, [1, 2]),
            NoAnswerError,
            "no JSON answer from portal.example: HTTP 200, application/json, '[1, 2]'. Check "
            "that --url points at the Bitrix24 portal's REST address.",
        ),
        (
            answer(200, b'{"result": NaN}'),
            NoAnswerError,
            "no JSON answer from portal.example: HTTP 200, no content type, '{\"result\": NaN}'. "
            "Check that --url points at the Bitrix24 portal's REST address.",
        ),
        (
            answer(404, {"result": 1}),
            NoAnswerError,
            "HTTP 404 from portal.example with a JSON answer that has no error code. Check that "
            "--url points at the Bitrix24 portal's REST address.",
        ),
    ],
)
def test_not_retried(
    mock: requests_mock.Mocker, reply: dict[str, Any], error: type[Exception], message: str
) -> None:
    mock.post(CALL, **reply)
    recorder = Recorder()
    with pytest.raises(error) as caught:
        recorder.transport().call("user.update", {"ID": 1})
    assert getattr(caught.value, "message", None) == message
    assert mock.call_count == 1 and recorder.sleeps == []


def test_connect_failures_are_not_retried(mock: requests_mock.Mocker) -> None:
    mock.post(CALL, exc=requests.exceptions.ConnectTimeout("connect timed out"))
    recorder = Recorder()
    with pytest.raises(NoAnswerError) as caught:
        recorder.transport().call("user.update", {"ID": 1})
    assert caught.value.message == (
        "could not connect to portal.example within 10 s. Check the address and your network "
        "or proxy (HTTPS_PROXY), or raise --timeout."
    )
    assert mock.call_count == 1


def test_tls_failure_says_so(mock: requests_mock.Mocker) -> None:
    mock.post(
        CALL,
        exc=requests.exceptions.SSLError(
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: self-signed "
            "certificate in certificate chain (_ssl.c:1006)"
        ),
    )
    with pytest.raises(NoAnswerError) as caught:
        Recorder().transport().call("user.update", {"ID": 1})
    assert caught.value.message == (
        "TLS certificate verification failed for portal.example (a certificate failure): "
        "certificate verify failed: self-signed certificate in certificate chain. If your "
        "network uses its own CA (a corporate proxy), point REQUESTS_CA_BUNDLE or "
        "SSL_CERT_FILE at that CA's PEM file. Verification is never turned off."
    )


def test_backoff_doubles_with_jitter_and_gives_up_with_the_answer(
    mock: requests_mock.Mocker,
) -> None:
    mock.post(CALL, **answer(503, LIMIT))
    recorder = Recorder()
    with pytest.raises(PortalError) as caught:
        recorder.transport().call("user.update", {"ID": 1})
    assert caught.value.answer == LIMIT and caught.value.status == 503
    assert mock.call_count == 5
    assert len(recorder.sleeps) == 4
    for n, slept in enumerate(recorder.sleeps):
        assert 0.75 * 2**n <= slept <= 1.25 * 2**n
    assert caught.value.fix.startswith("Gave up after 5 attempts. ")


def test_retry_after_wins_over_a_shorter_backoff(mock: requests_mock.Mocker) -> None:
    mock.post(CALL, [answer(503, LIMIT, **{"Retry-After": "7"}), answer(200, OK)])
    recorder = Recorder()
    recorder.transport().call("user.update", {"ID": 1})
    assert recorder.sleeps == [7.0]


def test_max_wait_caps_the_total_wait(mock: requests_mock.Mocker) -> None:
    mock.post(CALL, **answer(503, LIMIT))
    recorder = Recorder(max_wait=2.5, retries=10)
    with pytest.raises(PortalError) as caught:
        recorder.transport().call("user.update", {"ID": 1})
    assert sum(recorder.sleeps) == pytest.approx(2.5)
    assert "--max-wait (2.5 s) used" in caught.value.fix


def test_zero_retries(mock: requests_mock.Mocker) -> None:
    mock.post(CALL, **answer(503, LIMIT))
    recorder = Recorder(retries=0)
    with pytest.raises(PortalError):
        recorder.transport().call("user.update", {"ID": 1})
    assert mock.call_count == 1 and recorder.sleeps == []


@pytest.mark.parametrize("raw", ["fast", "-1", "61"])
def test_bad_backoff_base_is_a_usage_error(mock: requests_mock.Mocker, raw: str) -> None:
    settings = Settings(environ={"OINT_BACKOFF_BASE": raw})
    wire = Transport(parse_portal(HOOK, None), settings)
    with pytest.raises(InputError) as caught:
        wire.call("user.update", {"ID": 1})
    assert caught.value.message == (
        f"OINT_BACKOFF_BASE must be a number of seconds from 0 to 60, not {raw!r}. "
        "Unset it to use the default (1 s)."
    )
    assert mock.call_count == 0


@pytest.mark.parametrize(
    "first",
    [
        answer(500, INTERNAL),
        answer(502, b"<html>Bad Gateway</html>"),
        {"exc": requests.exceptions.ReadTimeout("read timed out")},
        {"exc": requests.exceptions.ConnectionError("Connection aborted.")},
    ],
    ids=["internal", "html-502", "timeout", "dropped"],
)
def test_non_idempotent_outcome_unknown(mock: requests_mock.Mocker, first: dict[str, Any]) -> None:
    mock.post(f"https://portal.example/rest/1/{SECRET}/user.add", [first, answer(200, OK)])
    recorder = Recorder()
    with pytest.raises(OutcomeUnknownError) as caught:
        recorder.transport().call("user.add", {"EMAIL": "a@b.org"}, idempotent=False)
    assert "outcome unknown: check with GetUser or FindUsers" in caught.value.message
    assert caught.value.exit_code == 3
    assert mock.call_count == 1
    assert recorder.debug[-1].startswith("* not re-sent: user.add is not idempotent")


def test_non_idempotent_rate_limit_is_retried(mock: requests_mock.Mocker) -> None:
    mock.post(
        f"https://portal.example/rest/1/{SECRET}/user.add", [answer(503, LIMIT), answer(200, OK)]
    )
    assert Recorder().transport().call("user.add", {"EMAIL": "a@b.org"}, idempotent=False) == OK
    assert mock.call_count == 2


# --- redirects ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_to_another_https_portal_resends_the_same_post(
    mock: requests_mock.Mocker, status: int
) -> None:
    moved = f"https://new.example/rest/1/{SECRET}/user.update"
    mock.post(CALL, status_code=status, headers={"Location": moved})
    mock.post(moved, **answer(200, OK))
    recorder = Recorder()
    assert recorder.transport().call("user.update", {"ID": 1, "NAME": "é"}) == OK
    first, second = mock.request_history
    assert second.method == "POST" and second.body == first.body
    assert recorder.warnings == [
        f"Warning: the portal has moved to https://new.example/rest/1/***/ (HTTP {status}); "
        "the same request is re-sent there once. Update --url to the new address."
    ]
    assert recorder.sleeps == []


@pytest.mark.parametrize(
    ("url", "location", "reason"),
    [
        (HOOK, f"/rest/1/{SECRET}/user.update.json", "to the same portal"),
        (HOOK, "https://portal.example/bitrix/coupon_activation.php", "away from the REST API"),
        (HOOK, f"http://new.example/rest/1/{SECRET}/user.update", "from https to plain http"),
        (
            f"http://portal.example/rest/1/{SECRET}/",
            f"http://new.example/rest/1/{SECRET}/user.update",
            "over plain http, where anyone on the path could have sent it",
        ),
        (HOOK, f"https://x:{SECRET}@new.example/rest/1/{SECRET}/x", "carrying a user name"),
        (HOOK, "ftp://new.example/rest/1/x/", "not an http(s) address"),
        (HOOK, "https://new.example/rest/1/0therSecret/user.update", None),
    ],
)
def test_redirect_refusals(
    mock: requests_mock.Mocker, url: str, location: str, reason: str | None
) -> None:
    call = parse_portal(url, None).method_url("user.update")
    mock.post(requests_mock.ANY, **answer(301, {}, Location=call))  # the second hop, if taken
    mock.post(call, status_code=302, headers={"Location": location})
    recorder = Recorder()
    with pytest.raises(NoAnswerError) as caught:
        recorder.transport(url).call("user.update", {"ID": 1})
    text = caught.value.message + "\n".join(recorder.debug + recorder.warnings)
    assert SECRET not in text and "0therSecret" not in text
    if reason is None:  # accepted, then the new portal redirected again: a second hop
        assert "a second redirect (only one is followed)" in caught.value.message
        assert mock.call_count == 2
    else:
        assert reason in caught.value.message
        assert caught.value.message.endswith(
            "; not followed. Open the portal in a browser to see why, and fix --url."
        )
        assert mock.call_count == 1 and recorder.warnings == [
            "Warning: portal.example is reached over plain http: the webhook secret or token "
            "crosses the network unencrypted. Use https:// unless this is an on-premise portal "
            "on a trusted network."
        ] * url.startswith("http:")


def test_redirect_without_location_or_with_a_broken_one(mock: requests_mock.Mocker) -> None:
    mock.post(
        CALL,
        [{"status_code": 301}, {"status_code": 302, "headers": {"Location": "https://[::1/x"}}],
    )
    wire = Recorder().transport()
    with pytest.raises(NoAnswerError) as caught:
        wire.call("user.update", {"ID": 1})
    assert caught.value.message == (
        "the portal answered HTTP 301 (a redirect) without a Location header. Open the portal "
        "in a browser to see why, and fix --url."
    )
    with pytest.raises(NoAnswerError) as caught:
        wire.call("user.update", {"ID": 1})
    assert caught.value.message == (
        "the portal redirected (HTTP 302) to an invalid address; not followed. Open the "
        "portal in a browser to see why, and fix --url."
    )


# --- the debug trace ------------------------------------------------------------------------


def test_debug_trace(mock: requests_mock.Mocker) -> None:
    url = "https://portal.example/rest/user.update"
    mock.post(url, [answer(503, LIMIT, **{"Retry-After": "2"}), answer(200, OK)])
    recorder = Recorder()
    recorder.transport("https://portal.example", TOKEN).call("user.update", {"ID": 1})
    trace = "\n".join(recorder.debug)
    assert TOKEN not in trace
    assert recorder.debug[:5] == [
        f"> POST {url} (attempt 1)",
        "> Content-Type: application/json; charset=utf-8",
        "> Accept: application/json",
        recorder.debug[3],
        '> {"ID": 1, "auth": "***"}',
    ]
    assert recorder.debug[3].startswith("> User-Agent: oint-py/")
    assert recorder.debug[5].startswith("< HTTP 503 ") and recorder.debug[5].endswith(" s)")
    assert "< Retry-After: 2" in recorder.debug
    assert "* retry 1/4 in 2.00 s: HTTP 503 QUERY_LIMIT_EXCEEDED (rate limit)" in recorder.debug
    assert f"> POST {url} (attempt 2)" in recorder.debug


@pytest.mark.parametrize(
    "shown",
    [
        "A%2Bb%20c%25d",  # as typed (percent-encoded)
        "a+b c%d",  # decoded by a server that echoes it
        "a%2bb%20c%25d",  # another letter case of the escapes
        "A%2BB%20C%25D",  # an upper-cased echo
    ],
)
def test_mask_catches_every_spelling_of_a_secret(shown: str) -> None:
    assert mask(f"echo: {shown}!", ["A%2Bb%20c%25d"]) == "echo: ***!"


def test_mask_catches_json_escaped_tokens() -> None:
    token = "tök€n-0123"
    assert mask('"auth": "t\\u00f6k\\u20acn-0123"', [token]) == '"auth": "***"'


def test_secrets_of_is_lenient() -> None:
    from oint_py.masking import secrets_of

    assert secrets_of("https://h\\rest\\1\\S3CR3T\\", None) == ("S3CR3T",)
    assert secrets_of('"https://h/REST/1/S3CR3T/profile.json"', " tok ") == ("tok", "S3CR3T")
    assert secrets_of(None, None) == ()
