"""The one place that talks HTTP.

URL building, sending, timeouts, retries, redirects, answer classification and secret
masking live here and nowhere else. ``requests`` is imported only when a request is really
sent, so --help, completion, usage errors and --test stay fast (see ``_requests``).
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from oint_py import __version__, defaults
from oint_py.errors import (
    InputError,
    Interrupted,
    NoAnswerError,
    OintError,
    OutcomeUnknownError,
    PortalError,
)
from oint_py.inputs import strip_wrapping
from oint_py.masking import MASK, mask

if TYPE_CHECKING:
    from urllib.parse import SplitResult

# oint_py.defaults holds them, so that --help can show them without importing this module.
DEFAULT_CONNECT_TIMEOUT = defaults.DEFAULT_CONNECT_TIMEOUT
DEFAULT_READ_TIMEOUT = defaults.DEFAULT_READ_TIMEOUT
DEFAULT_RETRIES = defaults.DEFAULT_RETRIES
DEFAULT_MAX_WAIT = defaults.DEFAULT_MAX_WAIT
DEFAULT_BACKOFF_BASE = defaults.DEFAULT_BACKOFF_BASE


REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_STATUSES = frozenset({500, 502, 503, 504})

HEADERS = {
    "Content-Type": "application/json; charset=utf-8",
    "Accept": "application/json",
    "User-Agent": f"oint-py/{__version__}",
}


def _ignore(_: str) -> None:
    return None


@dataclass
class Settings:
    """Per-call knobs. ``debug`` and ``warn`` receive finished, masked lines."""

    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT
    read_timeout: float = DEFAULT_READ_TIMEOUT
    retries: int = DEFAULT_RETRIES
    max_wait: float = DEFAULT_MAX_WAIT
    backoff_base: float | None = None  # None: OINT_BACKOFF_BASE or DEFAULT_BACKOFF_BASE
    dry_run: bool = False
    debug: Callable[[str], None] | None = None
    warn: Callable[[str], None] = _ignore
    sleep: Callable[[float], None] = time.sleep
    # How the URL and token were given, for messages ("--token" or "BITRIX24_TOKEN").
    url_source: str = "--url"
    token_source: str = "--token"
    environ: dict[str, str] | None = None
    # Secrets to mask beyond the portal's own (the CLI passes what the user gave, so that
    # messages built before or outside a Transport are masked too).
    secrets: tuple[str, ...] = ()

    def env(self) -> dict[str, str]:
        return dict(os.environ) if self.environ is None else self.environ

    def base_delay(self) -> float:
        if self.backoff_base is not None:
            return self.backoff_base
        raw = self.env().get("OINT_BACKOFF_BASE", "").strip()
        if not raw:
            return DEFAULT_BACKOFF_BASE
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 60:
            raise InputError(
                f"OINT_BACKOFF_BASE must be a number of seconds from 0 to 60, not {raw!r}",
                "Unset it to use the default (1 s).",
            )
        return value


# urllib.parse (with ipaddress under it) is imported on first use, not at start-up: --help and
# completion never need it (tests/test_startup.py, bench/bench.py).


def _urlsplit(url: str) -> SplitResult:
    from urllib.parse import urlsplit

    return urlsplit(url)


# --- masking: oint_py.masking (light, so that click's own usage errors can use it) ------

# --- the portal address ----------------------------------------------------------------

WEBHOOK_FORM = "https://<portal>/rest/<user id>/<secret>/"


@dataclass(frozen=True)
class Portal:
    """Where calls go: a webhook (user id + secret in the path) or a portal plus a token."""

    scheme: str
    netloc: str
    hostname: str
    prefix: str = ""
    user_id: str | None = None
    secret: str | None = None
    token: str | None = None

    @property
    def base(self) -> str:
        base = f"{self.scheme}://{self.netloc}{self.prefix}/rest/"
        if self.secret is not None:
            base += f"{self.user_id}/{self.secret}/"
        return base

    def method_url(self, rest_method: str) -> str:
        return self.base + rest_method

    @property
    def secrets(self) -> tuple[str, ...]:
        return tuple(s for s in (self.secret, self.token) if s)

    def mask(self, text: str) -> str:
        return mask(text, self.secrets)

    @property
    def is_loopback(self) -> bool:
        return is_loopback(self.hostname)


def is_loopback(hostname: str | None) -> bool:
    if not hostname:
        return False
    if hostname.lower() in ("localhost", "localhost."):
        return True
    import ipaddress  # here, not at the top: start-up time (tests/test_startup.py)

    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


_HOST_RE = re.compile(r"^[A-Za-z0-9\-._~%]+$")


def parse_portal(url: str, token: str | None, settings: Settings | None = None) -> Portal:
    """Check --url (and --token) against CONTRACT.md's rules; raise InputError otherwise."""
    settings = settings or Settings()
    url_opt, token_opt = settings.url_source, settings.token_source
    text = strip_wrapping(url or "")
    token = strip_wrapping(token) if token is not None else None
    if not token:
        token = None
    if not text:
        raise InputError(
            f"{url_opt} is empty",
            f"Pass the webhook URL ({WEBHOOK_FORM}) with --url or set BITRIX24_URL.",
        )
    if "\\" in text:
        raise InputError(
            f"{url_opt} contains backslashes",
            f"Use forward slashes, as in {WEBHOOK_FORM}.",
        )
    if any(ch.isspace() or ord(ch) < 32 for ch in text):
        raise InputError(
            f"{url_opt} contains spaces or control characters",
            f"Pass only the address, e.g. {WEBHOOK_FORM}.",
        )
    has_scheme = re.match(r"^[A-Za-z][A-Za-z0-9+.\-]*://", text) is not None
    if not has_scheme and re.match(r"(?i)^https?(:/?|//|:?/{3,})(?!/)", text):
        # https:/host, https//host, http:host: the host would be "https" and the webhook's
        # path (with its secret) would go wherever that name resolves.
        raise InputError(
            f"{url_opt} has a misspelled scheme: it must start with https:// or http://",
            f"Use the webhook URL ({WEBHOOK_FORM}).",
        )
    candidate = text if has_scheme else "https://" + text
    try:
        parts = _urlsplit(candidate)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or not parts.hostname:
        bad_port = re.match(r"^[^/]*:(\d+)(/|$)", text.split("://", 1)[-1])
        if bad_port and not 0 < int(bad_port.group(1)) < 65536:
            raise InputError(
                f"{url_opt} has an invalid port: {bad_port.group(1)}",
                "A port is a number from 1 to 65535; most portals need none.",
            )
        raise InputError(
            f"{url_opt} is not a portal address",
            f"Use the webhook URL ({WEBHOOK_FORM}) or the portal's host name.",
        )
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise InputError(
            f"{url_opt} must be an http:// or https:// address, not {scheme}://",
            f"Use the webhook URL ({WEBHOOK_FORM}).",
        )
    hostname = parts.hostname
    bare_host = hostname.strip("[]")
    if not bare_host.isascii():
        try:
            ascii_host = bare_host.encode("idna").decode("ascii")
        except UnicodeError:
            ascii_host = ""
        if ascii_host:
            raise InputError(
                f"{url_opt} has a host name that is not ASCII: {hostname}",
                f"Write it as {ascii_host} (its punycode form).",
            )
    if port == 0:
        raise InputError(
            f"{url_opt} has an invalid port: 0",
            "A port is a number from 1 to 65535; most portals need none.",
        )
    if not (_HOST_RE.match(bare_host) or _is_ip(bare_host)):
        raise InputError(
            f"{url_opt} has an invalid host name: {hostname!r}",
            "Use the portal's address as its webhook page shows it.",
        )
    if "@" in parts.netloc:
        raise InputError(
            f"{url_opt} must not carry a user name or password",
            "Use the webhook URL or --token for credentials.",
        )
    if parts.query or parts.fragment:
        raise InputError(
            f"{url_opt} must not have a query string or fragment",
            f"Use the webhook URL as the portal shows it ({WEBHOOK_FORM}).",
        )
    netloc = parts.netloc.lower() if port is None else parts.netloc
    segments = [s for s in parts.path.split("/") if s]
    lowered = [s.lower() for s in segments]
    prefix_len = lowered.index("rest") if "rest" in lowered else len(segments)
    prefix = "".join("/" + s for s in segments[:prefix_len])
    after = segments[prefix_len + 1 :] if prefix_len < len(segments) else []
    if prefix_len == len(segments) and segments:
        raise InputError(
            f"{url_opt} has a path that is not a Bitrix24 REST address (no /rest/ in it)",
            f"Use the webhook URL ({WEBHOOK_FORM}) or the portal's address alone.",
        )
    user_id: str | None = None
    secret: str | None = None
    if after:
        user_digits = after[0].isascii() and after[0].isdigit()
        if user_digits and len(after) >= 2:
            user_id, secret = after[0], after[1]
            # A trailing method pasted from the webhook page (profile.json) is dropped.
            if len(after) > 3:
                raise InputError(
                    f"{url_opt} has too many path segments after /rest/<user id>/<secret>/",
                    f"Use the webhook URL ({WEBHOOK_FORM}).",
                )
        elif user_digits:
            raise InputError(
                f"{url_opt} ends after the user id: the webhook secret is missing",
                f"Copy the whole webhook URL ({WEBHOOK_FORM}) from the portal.",
            )
        elif len(after) == 1 and "." in after[0]:
            pass  # https://host/rest/<method>: a portal address with a method pasted on
        elif len(after) == 1:
            raise InputError(
                f"{url_opt} is not a webhook URL: the user id is missing between /rest/ and "
                "the secret",
                f"Copy the whole webhook URL ({WEBHOOK_FORM}) from the portal.",
            )
        else:
            raise InputError(
                f"{url_opt} is not a webhook URL: /rest/ must be followed by the user id "
                "and the secret",
                f"Use {WEBHOOK_FORM}.",
            )
    if secret is not None and token is not None:
        if token_opt == "BITRIX24_TOKEN":
            raise InputError(
                f"{url_opt} is a webhook URL (it carries a secret) and BITRIX24_TOKEN is set",
                "Unset BITRIX24_TOKEN for webhook calls, or give the portal address alone.",
            )
        raise InputError(
            f"{url_opt} is a webhook URL (it carries a secret) and {token_opt} is given too",
            "Use one: the webhook URL alone, or the portal address with --token.",
        )
    if secret is None and token is None:
        raise InputError(
            f"{url_opt} is a portal address without a webhook secret, and no token is given",
            f"Pass the webhook URL ({WEBHOOK_FORM}), or --token (or BITRIX24_TOKEN) with "
            "an OAuth token.",
        )
    return Portal(
        scheme=scheme,
        netloc=netloc,
        hostname=hostname,
        prefix=prefix,
        user_id=user_id,
        secret=secret,
        token=token,
    )


def _is_ip(text: str) -> bool:
    import ipaddress

    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


# --- sending ---------------------------------------------------------------------------


def _requests() -> ModuleType:
    import requests  # heavy: only when a request is really sent

    return requests


def _session_class() -> type[Any]:
    """A requests Session that never looks at Location: redirects are decided here only.

    (Even with allow_redirects=False, requests parses Location to prepare the next hop, and
    a malformed one, e.g. ``https://[::1/x``, would raise a bare ValueError.)
    """
    requests = _requests()

    class _Session(requests.Session):  # type: ignore[misc, name-defined]
        def get_redirect_target(self, resp: Any) -> None:
            return None

    return _Session


def _ca_bundle(settings: Settings) -> str | bool:
    env = settings.env()
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        value = env.get(name, "").strip()
        if value:
            if not os.path.exists(value):
                raise InputError(
                    f"{name} points at {value}, which does not exist",
                    "Point it at your CA's PEM file, or unset it.",
                )
            return value
    return True


def _excerpt(data: bytes, secrets: Iterable[str], limit: int = 120) -> str:
    text = data.decode("utf-8", errors="replace")
    text = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = " ".join(_printable(text).split())
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return mask(text, secrets)


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"\d+(\.\d+)?", value):
        return float(value)
    import email.utils  # 12 ms of imports (socket, random, ...): only for an HTTP date

    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - time.time())


READ_TIMEOUT = "read timeout"  # a _Failure code of our own (portal codes are upper case)


@dataclass
class _Failure:
    """A failed attempt that may be retried: why, and whether the server may have acted."""

    reason: str
    reached: bool
    answer: dict[str, Any] | None = None
    status: int = 0
    retry_after: float | None = None
    code: str = ""


@dataclass
class Transport:
    """Sends REST calls to one portal with the contract's retry and redirect policy."""

    portal: Portal
    settings: Settings = field(default_factory=Settings)
    operating_reset_at: float | None = None
    _session: Any = None

    def __post_init__(self) -> None:
        if self.portal.scheme == "http" and not self.portal.is_loopback:
            self.settings.warn(
                f"Warning: {self.portal.hostname} is reached over plain http: the webhook "
                "secret or token crosses the network unencrypted. Use https:// unless this "
                "is an on-premise portal on a trusted network."
            )

    # -- helpers --
    def mask(self, text: str) -> str:
        return mask(text, self.portal.secrets + self.settings.secrets)

    def _debug(self, line: str) -> None:
        if self.settings.debug is not None:
            self.settings.debug(self.mask(line))

    def body_with_auth(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.portal.token is None:
            return dict(body)
        return {**body, "auth": self.portal.token}

    def _masked_body(self, body: dict[str, Any]) -> dict[str, Any]:
        shown = dict(body)
        if "auth" in shown:
            shown["auth"] = MASK
        return shown

    def describe(self, rest_method: str, body: dict[str, Any]) -> dict[str, Any]:
        """What would be sent (--test): method, URL, headers, body; secrets masked."""
        return {
            "method": "POST",
            "url": self.mask(self.portal.method_url(rest_method)),
            "headers": dict(HEADERS),
            "body": self._masked_body(self.body_with_auth(body)),
        }

    def session(self) -> Any:
        if self._session is None:
            self._session = _session_class()()
        return self._session

    def close(self) -> None:
        if self._session is not None:
            self._session.close()
            self._session = None

    # -- the call --
    def call(
        self, rest_method: str, body: dict[str, Any], *, idempotent: bool = True
    ) -> dict[str, Any]:
        """POST one REST call; return the decoded answer or raise an OintError subclass.

        Every error leaving here is masked once more (a portal may echo a secret in its
        error_description). Ctrl-C while a call is under way says whether it is safe to re-run.
        """
        try:
            return self._call(rest_method, body, idempotent=idempotent)
        except OintError as error:
            error.redact(self.mask)
            raise
        except KeyboardInterrupt:
            if idempotent:
                raise Interrupted(
                    f"interrupted during {rest_method}; it may or may not have been carried out",
                    "It is safe to run it again.",
                ) from None
            raise Interrupted(
                f"interrupted while {rest_method} was being sent (outcome unknown: check with "
                "GetUser or FindUsers)",
                "Look the user up before running it again, so that it cannot run twice.",
            ) from None

    def _call(self, rest_method: str, body: dict[str, Any], *, idempotent: bool) -> dict[str, Any]:
        full = self.body_with_auth(body)
        try:
            payload = json.dumps(full, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as error:
            raise InputError(f"the request body cannot be sent as JSON ({error})") from None
        if self.settings.dry_run:
            return self.describe(rest_method, body)
        verify = _ca_bundle(self.settings)
        url = self.portal.method_url(rest_method)
        settings = self.settings
        base = settings.base_delay()
        waited = 0.0
        redirected = False
        attempt = 0
        while True:
            attempt += 1
            result = self._attempt(url, payload, full, verify, attempt, rest_method, redirected)
            if isinstance(result, dict):
                return result
            if isinstance(result, str):  # a redirect we accept: re-send there once
                redirected = True
                url = result
                attempt -= 1
                continue
            failure = result
            if failure.reached and not idempotent:
                self._debug(
                    f"* not re-sent: {rest_method} is not idempotent and the request may have "
                    f"reached the portal ({failure.reason})"
                )
                raise OutcomeUnknownError(
                    f"{failure.reason}; {rest_method} may or may not have been carried out "
                    "(outcome unknown: check with GetUser or FindUsers)",
                    "It was not re-sent, so that it cannot run twice. Look the user up "
                    "before running it again.",
                )
            import random

            delay = base * (2 ** (attempt - 1)) * random.uniform(0.75, 1.25)
            if failure.retry_after is not None:
                delay = max(delay, failure.retry_after)
            remaining = settings.max_wait - waited
            give_up = ""
            if attempt > settings.retries:
                give_up = f"gave up after {attempt} attempt{'s' if attempt != 1 else ''}"
            elif failure.retry_after is not None and failure.retry_after > remaining:
                give_up = (
                    f"gave up: the portal asked to wait {failure.retry_after:g} s "
                    f"(Retry-After), more than the {remaining:g} s left of --max-wait"
                )
            elif remaining <= 0:
                give_up = (
                    f"gave up after {attempt} attempts: --max-wait ({settings.max_wait:g} s) used"
                )
            else:
                delay = min(delay, remaining)
            if give_up:
                self._debug(f"* {give_up}")
                self._give_up(failure, give_up, rest_method)
            self._debug(f"* retry {attempt}/{settings.retries} in {delay:.2f} s: {failure.reason}")
            settings.sleep(delay)
            waited += delay

    def _give_up(self, failure: _Failure, why: str, rest_method: str) -> None:
        fix = "Run it again later, or raise --retries / --max-wait."
        if failure.code == "QUERY_LIMIT_EXCEEDED":
            fix = (
                "The portal's rate limit (about 2 requests a second) held; run fewer calls "
                "at once, or raise --retries / --max-wait."
            )
        elif failure.code == READ_TIMEOUT:
            fix = (
                "The portal did not answer in time: raise --timeout (one request may run up "
                "to 60 s on the portal), or run it again later."
            )
        if failure.answer is not None:
            raise PortalError(
                failure.answer,
                failure.status,
                fix=f"{why[:1].upper()}{why[1:]}. {fix}",
                method=rest_method,
            )
        raise NoAnswerError(f"{failure.reason} ({why})", fix)

    def _attempt(
        self,
        url: str,
        payload: bytes,
        full_body: dict[str, Any],
        verify: str | bool,
        attempt: int,
        rest_method: str,
        redirected: bool = False,
    ) -> dict[str, Any] | str | _Failure:
        requests = _requests()
        settings = self.settings
        host = self.mask(_urlsplit(url).netloc.rpartition("@")[2])
        self._debug(f"> POST {url} (attempt {attempt})")
        for name, value in HEADERS.items():
            self._debug(f"> {name}: {value}")
        self._debug("> " + json.dumps(self._masked_body(full_body), ensure_ascii=False))
        started = time.monotonic()
        try:
            response = self.session().post(
                url,
                data=payload,
                headers=HEADERS,
                timeout=(settings.connect_timeout, settings.read_timeout),
                allow_redirects=False,
                verify=verify,
                stream=True,  # the status and headers first, so a broken body can name them
            )
        except requests.exceptions.SSLError as error:
            self._debug(f"< TLS failure after {time.monotonic() - started:.3f} s: {error}")
            if re.search(r"(?i)wrong.version.number|http.request|record.layer", str(error)):
                raise NoAnswerError(
                    f"{host} did not answer in TLS: it seems to speak plain http, not https",
                    "If it is an http-only on-premise portal or a local test server, write "
                    "http:// in --url (an address without a scheme means https).",
                ) from None
            raise NoAnswerError(
                f"TLS certificate verification failed for {host} (a certificate failure): "
                f"{self.mask(_reason(error))}",
                "If your network uses its own CA (a corporate proxy), point "
                "REQUESTS_CA_BUNDLE or SSL_CERT_FILE at that CA's PEM file. Verification "
                "is never turned off.",
            ) from None
        except requests.exceptions.ConnectTimeout:
            self._debug(f"< connect timeout after {time.monotonic() - started:.3f} s")
            raise NoAnswerError(
                f"could not connect to {host} within {settings.connect_timeout:g} s",
                "Check the address and your network or proxy (HTTPS_PROXY), or raise --timeout.",
            ) from None
        except requests.exceptions.ReadTimeout:
            self._debug(f"< read timeout after {time.monotonic() - started:.3f} s")
            return _Failure(
                f"no answer from {host} within {settings.read_timeout:g} s",
                True,
                code=READ_TIMEOUT,
            )
        except requests.exceptions.ProxyError as error:
            raise NoAnswerError(
                f"the proxy failed the connection to {host}: {self.mask(_reason(error))}",
                "Check HTTPS_PROXY / NO_PROXY.",
            ) from None
        except (
            requests.exceptions.ConnectionError,
            requests.exceptions.ChunkedEncodingError,
            requests.exceptions.ContentDecodingError,
        ) as error:
            elapsed = time.monotonic() - started
            if _not_connected(error):
                self._debug(f"< could not connect after {elapsed:.3f} s: {error}")
                raise NoAnswerError(
                    f"could not connect to {host}: {self.mask(_reason(error))}",
                    "Check the address in --url and your network or proxy.",
                ) from None
            self._debug(f"< connection dropped after {elapsed:.3f} s: {error}")
            return _Failure(f"the connection to {host} was dropped before a complete answer", True)
        except requests.exceptions.RequestException as error:
            reason = self.mask(_reason(error))
            raise NoAnswerError(
                f"the request to {host} failed: {reason}",
                "Check the proxy variables (HTTPS_PROXY, NO_PROXY)."
                if "proxy" in str(error).lower()
                else "Check --url.",
            ) from None
        status = response.status_code
        ctype = _printable(response.headers.get("Content-Type") or "no content type")[:80]
        content, broken = _read_body(response)
        elapsed = time.monotonic() - started
        reason_phrase = _printable(str(response.reason or ""))[:80]
        self._debug(f"< HTTP {status} {reason_phrase} ({elapsed:.3f} s)".replace("  ", " "))
        for name, value in response.headers.items():
            self._debug(f"< {_printable(name)}: {_printable(value)}")
        if broken is not None:
            timed_out = "timed out" in str(broken).lower()
            self._debug(
                f"< the answer broke off after {len(content)} bytes and {elapsed:.3f} s: "
                f"{_printable(str(broken))}"
            )
            excerpt = _excerpt(content, self.portal.secrets)
            what = (
                f"no complete answer from {host} within {settings.read_timeout:g} s"
                if timed_out
                else f"the connection to {host} was dropped in the middle of the answer"
            )
            return _Failure(
                f"{what}: HTTP {status}, {ctype}, "
                + (f"{len(content)} bytes: {excerpt!r}" if excerpt else "nothing of the body"),
                True,
                status=status,
            )
        self._debug("< " + _excerpt(content, self.portal.secrets, limit=2000))
        if status in REDIRECT_STATUSES:
            return self._redirect_target(
                url, status, response.headers.get("Location"), rest_method, redirected
            )
        answer = _decode(content)
        if answer is None:
            reason = f"no JSON answer from {host}: HTTP {status}, {ctype}"
            excerpt = _excerpt(content, self.portal.secrets)
            reason += f", {excerpt!r}" if excerpt else ", empty body"
            if status in RETRYABLE_STATUSES:
                return _Failure(
                    reason,
                    True,
                    status=status,
                    retry_after=_retry_after(response.headers.get("Retry-After")),
                )
            raise NoAnswerError(reason, _no_json_fix(status))
        error_code = answer.get("error")
        if error_code not in (None, "", False):
            code = str(error_code).upper()
            retry_after = _retry_after(response.headers.get("Retry-After"))
            if code == "QUERY_LIMIT_EXCEEDED":
                # The portal did not run the call: safe to resend, even user.add.
                return _Failure(
                    f"HTTP {status} {error_code} (rate limit)",
                    False,
                    answer,
                    status,
                    retry_after,
                    code,
                )
            if code == "INTERNAL_SERVER_ERROR":
                return _Failure(
                    f"HTTP {status} {error_code}", True, answer, status, retry_after, code
                )
            self._debug(f"* not retried: the portal answered {code} (HTTP {status})")
            raise PortalError(
                answer, status, fix=self._error_fix(code, rest_method), method=rest_method
            )
        if status >= 400:
            reason = f"HTTP {status} from {host} with a JSON answer that has no error code"
            if status in RETRYABLE_STATUSES:
                return _Failure(reason, True, status=status)
            raise NoAnswerError(reason, _no_json_fix(status))
        timing = answer.get("time")
        if isinstance(timing, dict):
            reset = timing.get("operating_reset_at")
            if isinstance(reset, (int, float)) and not isinstance(reset, bool):
                self.operating_reset_at = float(reset)
        return answer

    def _error_fix(self, code: str, rest_method: str) -> str:
        if code == "OPERATION_TIME_LIMIT":
            text = (
                f"{rest_method} is blocked for this webhook or application: it used its share "
                "of the portal's operating time, and the block lifts as the portal's 10-minute "
                "window moves on (other methods keep working)"
            )
            if self.operating_reset_at is not None:
                when = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(self.operating_reset_at))
                text += f"; an earlier answer said it resets at {when}"
            return text + ". It was not retried."
        if code == "EXPIRED_TOKEN":
            return "The OAuth token lives one hour: get a new one (refresh it) and run again."
        if code in ("INVALID_TOKEN", "NO_AUTH_FOUND"):
            return "Check the token (--token or BITRIX24_TOKEN)."
        if code == "INVALID_CREDENTIALS":
            return (
                "Check the webhook URL: its user id and secret must match the portal's "
                "webhook page."
            )
        if code in ("INSUFFICIENT_SCOPE", "ACCESS_DENIED"):
            return (
                "Check that the webhook's user may do this (only admins may update other "
                "users) and that the webhook has the 'user' scope."
            )
        if code == "ERROR_CORE":
            if rest_method == "user.add":
                return "Check the values sent (the EMAIL must be valid and not in use)."
            if rest_method == "user.update":
                return "Check the ID and the values sent."
            return "Check the values sent."
        if code == "ERROR_ARGUMENT":
            return (
                "A value was refused (the description names it, e.g. wrong_email): fix it in "
                "--fields."
            )
        if code == "INVALID_REQUEST":
            return "Use https:// in --url."
        if code == "ERROR_METHOD_NOT_FOUND":
            return "The portal does not know this method: check the portal address."
        return ""

    def _redirect_target(
        self,
        url: str,
        status: int,
        location: str | None,
        rest_method: str = "",
        redirected: bool = False,
    ) -> str:
        """Decide one redirect: return the URL to re-send the same POST to, or raise."""
        if not location:
            self._debug(f"* redirect HTTP {status} without a Location header: refused")
            raise NoAnswerError(
                f"the portal answered HTTP {status} (a redirect) without a Location header",
                "Open the portal in a browser to see why, and fix --url.",
            )
        from urllib.parse import urljoin

        try:
            target = urljoin(url, location.strip())
            old, new = _urlsplit(url), _urlsplit(target)
            old_origin = (old.scheme, old.hostname, old.port or _default_port(old.scheme))
            new_origin = (new.scheme, new.hostname, new.port or _default_port(new.scheme))
        except ValueError:
            self._debug(f"* redirect HTTP {status} to an invalid address: refused")
            raise NoAnswerError(
                f"the portal redirected (HTTP {status}) to an invalid address; not followed",
                "Open the portal in a browser to see why, and fix --url.",
            ) from None
        shown = _printable(self.mask(target))
        if len(shown) > 300:
            shown = shown[:297] + "..."
        refused = ""
        if redirected:
            refused = "a second redirect (only one is followed)"
        elif new.scheme not in ("http", "https"):
            refused = "not an http(s) address"
        elif "@" in new.netloc:
            refused = "an address carrying a user name or password"
        elif old.scheme == "https" and new.scheme == "http":
            refused = "from https to plain http"
        elif "/rest/" not in new.path:
            refused = "away from the REST API (an expired licence, a login or maintenance page?)"
        elif old_origin == new_origin:
            refused = "to the same portal"
        elif old.scheme != "https" and not is_loopback(old.hostname):
            refused = "over plain http, where anyone on the path could have sent it"
        self._debug(
            f"* redirect HTTP {status} to {shown}: "
            + (f"refused, {refused}" if refused else "re-sending the same POST there")
        )
        if refused:
            raise NoAnswerError(
                f"the portal redirected (HTTP {status}) to {shown}, {refused}; not followed",
                "Open the portal in a browser to see why, and fix --url.",
            )
        path = new.path
        if rest_method and path.lower().endswith("/" + rest_method.lower()):
            path = path[: -len(rest_method)]
        new_address = self.mask(f"{new.scheme}://{new.netloc}{path}")
        self.settings.warn(
            f"Warning: the portal has moved to {new_address} (HTTP {status}); the same request "
            f"is re-sent there once. Update {self.settings.url_source} to the new address."
        )
        return target


MAX_FETCH_REDIRECTS = 5


def fetch(url: str, settings: Settings) -> bytes:
    """GET a --fields/--filter URL through the same timeouts and TLS; errors are exit 2.

    Redirects are followed by hand, a few at most, never from https to http and never to a
    Bitrix24 REST address (a GET there would run a method: nothing may reach the portal
    before the input is known to be good).
    """
    from urllib.parse import urljoin

    from oint_py.inputs import display_url

    shown = mask(display_url(url), settings.secrets)
    verify = _ca_bundle(settings)
    requests = _requests()
    for _ in range(MAX_FETCH_REDIRECTS + 1):
        if settings.debug is not None:
            settings.debug(f"> GET {mask(display_url(url), settings.secrets)}")
        try:
            response = requests.get(
                url,
                timeout=(settings.connect_timeout, settings.read_timeout),
                verify=verify,
                headers={"User-Agent": HEADERS["User-Agent"]},
                allow_redirects=False,
            )
        except requests.exceptions.RequestException as error:
            raise InputError(
                f"could not fetch {shown}: {mask(_reason(error), settings.secrets)}",
                "Check the URL, or save the JSON to a file. Nothing was sent to the portal.",
            ) from None
        except (ValueError, UnicodeError):
            raise InputError(f"could not fetch {shown}: invalid URL", "Check the URL.") from None
        if response.status_code in REDIRECT_STATUSES:
            try:
                target = urljoin(url, response.headers.get("Location", "").strip())
                parts = _urlsplit(target)
            except ValueError:
                target, parts = "", None
            if (
                parts is None
                or parts.scheme not in ("http", "https")
                or (url.lower().startswith("https:") and parts.scheme == "http")
                or "/rest/" in parts.path.lower()
            ):
                raise InputError(
                    f"could not fetch {shown}: it redirects (HTTP {response.status_code}) to "
                    "an address that is not followed (http, or a Bitrix24 REST address)",
                    "Save the JSON to a file. Nothing was sent to the portal.",
                )
            url = target
            continue
        if response.status_code != 200:
            raise InputError(
                f"could not fetch {shown}: HTTP {response.status_code}",
                "Check the URL. Nothing was sent to the portal.",
            )
        content: bytes = response.content
        return content
    raise InputError(
        f"could not fetch {shown}: more than {MAX_FETCH_REDIRECTS} redirects",
        "Save the JSON to a file. Nothing was sent to the portal.",
    )


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _decode(content: bytes) -> dict[str, Any] | None:
    if not content.strip():
        return None
    try:
        value = json.loads(content, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def _no_json_fix(status: int) -> str:
    if status == 413:
        return "The request is too large for the portal: send fewer or smaller fields."
    if status >= 500:
        return "The portal or a proxy in front of it failed; try again later."
    return "Check that --url points at the Bitrix24 portal's REST address."


def _not_connected(error: BaseException) -> bool:
    """True when the request never reached the server (DNS, refused, unreachable)."""
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, NewConnectionError):
            return True
        if isinstance(current, MaxRetryError) and isinstance(current.reason, NewConnectionError):
            return True
        args = getattr(current, "args", ())
        nested = next((a for a in args if isinstance(a, BaseException)), None)
        current = nested or current.__cause__ or current.__context__
    text = str(error)
    return (
        "NameResolutionError" in text or "Failed to resolve" in text or "Connection refused" in text
    )


def _read_body(response: Any) -> tuple[bytes, BaseException | None]:
    """The body as far as it arrived, and why it broke off (None when complete)."""
    from urllib3.exceptions import HTTPError

    requests = _requests()
    chunks: list[bytes] = []
    read1 = getattr(response.raw, "read1", None)
    try:
        if callable(read1):  # urllib3 2: keeps what arrived before a break
            while chunk := read1(65536):
                chunks.append(chunk)
        else:  # pragma: no cover - urllib3 1.x
            for chunk in response.iter_content(65536):
                chunks.append(chunk)
    except (requests.exceptions.RequestException, HTTPError, OSError) as error:
        return b"".join(chunks), error
    finally:
        response.close()
    return b"".join(chunks), None


def _printable(text: str) -> str:
    """Control characters (a hostile header, a binary body) as spaces."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _reason(error: BaseException) -> str:
    """A short reason from a requests exception (callers mask it: it may hold the URL)."""
    text = str(error)
    for pattern, short in (
        (
            r"Name or service not known|nodename nor servname|getaddrinfo failed"
            r"|Failed to resolve|NameResolutionError",
            "the host name could not be resolved",
        ),
        (r"Connection refused|ConnectionRefused", "connection refused"),
        (r"No route to host|Network is unreachable", "the network is unreachable"),
        (r"certificate verify failed: [^(\]'\"]*", None),
        (r"CERTIFICATE_VERIFY_FAILED", "certificate verify failed"),
        (r"hostname .* doesn't match[^)'\"]*|Hostname mismatch[^)'\"]*", None),
    ):
        match = re.search(pattern, text)
        if match:
            return short or match.group(0).strip()
    text = re.sub(r"<[^>]+>", "", text)
    return " ".join(text.split())[:200]


__all__ = [
    "HEADERS",
    "MASK",
    "Portal",
    "Settings",
    "Transport",
    "fetch",
    "is_loopback",
    "mask",
    "parse_portal",
]
