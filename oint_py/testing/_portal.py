"""A local fake Bitrix24 portal: a real HTTP(S) server on 127.0.0.1 (see the package docs)."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import re
import shutil
import socket
import socketserver
import ssl
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar, overload
from urllib.parse import parse_qsl, unquote, urlsplit

from oint_py.bitrix24.fields import (
    ADD_ONLY,
    CUSTOM_PREFIX,
    is_writable,
    load_answer,
    standard_fields,
)
from oint_py.testing import _users
from oint_py.testing._answer import JSON_TYPE, Answer, error_body, html_page

_T = TypeVar("_T")

DEFAULT_SECRET = "h0m3s3cr3tw3bh00k"
DEFAULT_TOKEN = "t0k3n-valid-0123456789"
COUPON_PATH = "/bitrix/coupon_activation.php"


class Headers(dict[str, str]):
    """Request headers: keys stored lower-case, lookups case-insensitive.

    Repeated headers are joined with ``", "``.
    """

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__()
        for key, value in items:
            low = key.lower()
            if dict.__contains__(self, low):
                value = f"{dict.__getitem__(self, low)}, {value}"
            super().__setitem__(low, value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    @overload
    def get(self, key: str, default: None = None, /) -> str | None: ...
    @overload
    def get(self, key: str, default: str, /) -> str: ...
    @overload
    def get(self, key: str, default: _T, /) -> str | _T: ...
    def get(self, key: str, default: object = None, /) -> object:
        return super().get(key.lower(), default)


@dataclass
class Received:
    """One request as the portal received it.

    ``headers`` is a case-insensitive dict (keys stored lower-case). ``json`` is the body
    parsed as JSON whenever it parses, whatever the Content-Type (for inspection);
    ``params`` is what the portal itself used: the query string merged with the body (JSON
    only with ``Content-Type: application/json``, else form-encoded flat keys), the body
    winning. ``rest_method`` is lower-case without ``.json`` (None off ``/rest/``);
    ``auth_mode`` is ``"webhook"`` for ``/rest/<id>/<secret>/...``, ``"token"`` for
    ``/rest/<method>`` carrying ``auth``, else None.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: Headers
    body: bytes
    json: Any
    rest_method: str | None
    auth_mode: str | None
    params: dict[str, Any] = field(default_factory=dict)
    raw_query: str = ""
    at: float = 0.0


@dataclass
class _Route:
    shape: str  # "webhook", "token", "other" (under /rest/ but neither), "off" (not /rest/)
    method: str | None = None
    user: str | None = None
    secret: str | None = None


def _route(path: str) -> _Route:
    if not (path == "/rest" or path.startswith("/rest/")):
        return _Route("off")
    parts = [unquote(p) for p in path[len("/rest/") :].split("/") if p]
    method: str | None = None
    if len(parts) in (1, 3):
        method = parts[-1].lower()
        if method.endswith(".json"):
            method = method[: -len(".json")]
    if len(parts) == 1:
        return _Route("token", method)
    if len(parts) in (2, 3):
        return _Route("webhook", method, parts[0], parts[1])
    return _Route("other")


def _parse_params(
    content_type: str | None, body: bytes, query: dict[str, str]
) -> tuple[dict[str, Any], Any]:
    params: dict[str, Any] = dict(query)
    parsed: Any = None
    if body:
        try:
            parsed = json.loads(body.decode("utf-8"))
        except ValueError:
            parsed = None
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "application/json":
        if isinstance(parsed, dict):
            params.update(parsed)
    elif ctype == "application/x-www-form-urlencoded":
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params, parsed


def _iso(t: float) -> str:
    return datetime.fromtimestamp(int(t), timezone.utc).isoformat()


def _time_envelope(t0: float) -> dict[str, Any]:
    t1 = time.time()
    return {
        "start": t0,
        "finish": t1,
        "duration": t1 - t0,
        "processing": t1 - t0,
        "date_start": _iso(t0),
        "date_finish": _iso(t1),
        "operating_reset_at": int(t0) + 600,
        "operating": 0,
    }


def _upper(params: dict[str, Any]) -> dict[str, Any]:
    return {str(k).upper(): v for k, v in params.items()}


def _filter(params: dict[str, Any], extra: tuple[str, ...]) -> dict[str, Any]:
    """Filter keys of a read: top-level field keys, then ``FILTER``'s (upper-cased).

    Only user fields (standard, ``UF_USR_*``) and ``extra`` filter; other keys (``auth``,
    ``start``, ``order``, unknown names) are ignored.
    """
    known = set(standard_fields()) | set(extra)
    inner = params.get("FILTER")
    merged = dict(params)
    if isinstance(inner, dict):
        merged.update(_upper(inner))
    return {k: v for k, v in merged.items() if k in known or k.startswith(CUSTOM_PREFIX)}


def _find_auth(params: dict[str, Any]) -> object:
    if "auth" in params:
        return params["auth"]
    for key, value in params.items():
        if str(key).lower() == "auth":
            return value
    return None


class _Bucket:
    """A leaky bucket: ``burst`` requests, draining ``drain`` per second."""

    def __init__(self, burst: int, drain: float) -> None:
        self.burst, self.drain = burst, drain
        self.level = 0.0
        self.last = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.level = max(0.0, self.level - (now - self.last) * self.drain)
        self.last = now
        if self.level + 1 > self.burst:
            return False
        self.level += 1
        return True


# What a handler produces: status, headers, body.
_Reply = tuple[int, dict[str, str], bytes]


def _encode(status: int, body: dict[str, Any]) -> _Reply:
    headers, data = Answer(status=status, body=body).payload()
    headers["Content-Type"] = JSON_TYPE
    return status, headers, data


def _error(code: str, description: str | None = None) -> _Reply:
    status, body = error_body(code, description)
    return _encode(status, body)


def _html(status: int, text: str | None = None, location: str | None = None) -> _Reply:
    headers, data = Answer(
        status=status, body=html_page(status) if text is None else text
    ).payload()
    if location is not None:
        headers["Location"] = location
    return status, headers, data


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], portal: FakePortal) -> None:
        self.portal = portal
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        # Skip HTTPServer.server_bind's socket.getfqdn (reverse DNS can be slow).
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name = str(host)
        self.server_port = int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        self.portal._note_error(traceback.format_exc())

    def close_all(self) -> None:
        with self.sockets_lock:
            sockets = list(self.open_sockets)
            self.open_sockets.clear()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                sock.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx"
    sys_version = ""
    timeout = 30
    wbufsize = 65536  # headers and body leave in one write (no Nagle/delayed-ACK stalls)
    server: _Server
    _dead = False

    def setup(self) -> None:
        with contextlib.suppress(OSError):
            self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.settimeout(10)
                self.request.do_handshake()
            except (OSError, ValueError):
                self._dead = True
        super().setup()

    def handle(self) -> None:
        if not self._dead:
            with contextlib.suppress(ConnectionError, TimeoutError, ssl.SSLError):
                super().handle()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: nothing on stderr."""

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_GET

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks: list[bytes] = []
            while True:
                line = self.rfile.readline(65537)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline(65537)
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = 0
        return self.rfile.read(length) if length > 0 else b""

    def _serve(self) -> None:
        t0 = time.time()
        portal = self.server.portal
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        body = self._read_body()
        headers = Headers(self.headers.items())
        params, parsed = _parse_params(headers.get("content-type"), body, query)
        route = _route(split.path)
        auth_mode: str | None = None
        if route.shape == "webhook":
            auth_mode = "webhook"
        elif route.shape == "token" and _find_auth(params) not in (None, ""):
            auth_mode = "token"
        received = Received(
            method=self.command,
            path=split.path,
            query=query,
            headers=headers,
            body=body,
            json=parsed,
            rest_method=route.method,
            auth_mode=auth_mode,
            params=params,
            raw_query=split.query,
            at=t0,
        )
        answer = portal._receive(received)
        if answer is not None:
            if answer.delay > 0 and portal._sleep(answer.delay):
                self.close_connection = True  # stopped while sleeping: no answer at all
                return
            if not answer.passthrough:
                self._send_answer(answer)
                return
        try:
            reply = portal._dispatch(received, route, t0)
        except Exception:
            portal._note_error(traceback.format_exc())
            reply = _html(500)
        self._send(*reply)

    def _send(self, status: int, headers: dict[str, str], data: bytes, half: bool = False) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data[: len(data) // 2] if half else data)
        self.wfile.flush()
        if half:
            self.close_connection = True

    def _send_answer(self, answer: Answer) -> None:
        if answer.close:
            self.close_connection = True
            return
        headers, data = answer.payload()
        self._send(answer.status, headers, data, half=answer.truncate)


_EMAIL = re.compile(r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$")


def _valid_email(email: str) -> bool:
    """Roughly the portal's check: one @, no spaces, a dotted domain without empty labels."""
    return _EMAIL.match(email.strip()) is not None


class FakePortal:
    """A fake Bitrix24 portal on ``127.0.0.1`` (a free port unless ``port`` is given).

    Use as a context manager (``start()`` / ``stop()``). See the package docstring for
    routing, methods, fault injection and scripted answers.
    """

    def __init__(
        self,
        *,
        secret: str = DEFAULT_SECRET,
        token: str = DEFAULT_TOKEN,
        tls: bool = False,
        port: int = 0,
        extra_users: int = 0,
        webhook_user: int = 1,
    ) -> None:
        self.secret = secret
        self.token = token
        self.tls = tls
        self.webhook_user = webhook_user
        self.users: dict[int, dict[str, object]] = _users.seed_users(extra_users)
        self.departments: dict[int, str] = dict(_users.DEPARTMENTS)
        self.dropped: list[str] = []
        self.errors: list[str] = []
        self.ca_file: str | None = None
        self._port = port
        self._lock = threading.RLock()
        self._stopping = threading.Event()
        self._requests: list[Received] = []
        self._queue: list[Answer] = []
        self._bucket: _Bucket | None = None
        self._blocked: set[str] = set()
        self._expired: set[str] = set()
        self._renamed: tuple[FakePortal, int] | None = None
        self._licence = False
        self._drop: set[str] = set()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._tmpdir: str | None = None

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> FakePortal:
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server(("127.0.0.1", self._port), self)
        if self.tls:
            import trustme  # only in TLS mode

            ca = trustme.CA()
            cert = ca.issue_cert("127.0.0.1", "localhost")
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            cert.configure_cert(context)
            self._tmpdir = tempfile.mkdtemp(prefix="oint-fake-portal-")
            self.ca_file = os.path.join(self._tmpdir, "ca.pem")
            ca.cert_pem.write_to_path(self.ca_file)
            server.socket = context.wrap_socket(
                server.socket, server_side=True, do_handshake_on_connect=False
            )
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-bitrix24-portal",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        server.server_close()
        server.close_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> FakePortal:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def serve_forever(self) -> None:
        """Block until ``stop()`` is called or the process is interrupted."""
        self.start()
        while not self._stopping.wait(0.2):
            pass

    # -- addresses -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the fake portal is not running")
        return self._server.server_port

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}"

    @property
    def webhook_url(self) -> str:
        return f"{self.url}/rest/{self.webhook_user}/{self.secret}/"

    # -- inspection and scripting ----------------------------------------------------------

    @property
    def requests(self) -> list[Received]:
        """A copy of every request received so far, in order."""
        with self._lock:
            return list(self._requests)

    def calls(self, rest_method: str | None = None) -> list[Received]:
        """Requests under ``/rest/`` (only those for ``rest_method`` if given)."""
        wanted = rest_method.lower() if rest_method else None
        return [
            r
            for r in self.requests
            if r.rest_method is not None and (wanted is None or r.rest_method == wanted)
        ]

    def script(self, *answers: Answer) -> None:
        """Serve ``answers`` instead of normal handling, one per next request, in order."""
        with self._lock:
            self._queue.extend(answers)

    def clear(self) -> None:
        """Forget recorded requests, dropped keys and the unused scripted answers."""
        with self._lock:
            self._requests.clear()
            self.dropped.clear()
            self._queue.clear()

    def user(self, uid: int) -> dict[str, object]:
        """A copy of one user's stored fields."""
        with self._lock:
            return copy.deepcopy(self.users[uid])

    # -- fault injection (all off by default) ----------------------------------------------

    def rate_limit(self, burst: int = 50, drain_per_s: float = 2.0) -> None:
        """A leaky bucket across all /rest/ requests; over it: 503 QUERY_LIMIT_EXCEEDED."""
        with self._lock:
            self._bucket = _Bucket(burst, drain_per_s)

    def block_method(self, rest_method: str) -> None:
        """Answer 429 OPERATION_TIME_LIMIT to ``rest_method`` (after authentication)."""
        with self._lock:
            self._blocked.add(rest_method.lower())

    def expire_token(self, token: str | None = None) -> None:
        """Make ``token`` (default: ``self.token``) answer 401 expired_token."""
        with self._lock:
            self._expired.add(self.token if token is None else token)

    def rename_to(self, other: FakePortal, status: int = 301) -> None:
        """Redirect every /rest/ request to the same path and query on ``other``."""
        with self._lock:
            self._renamed = (other, status)

    def licence_expired(self) -> None:
        """Redirect (302) every /rest/ request to this host's coupon activation page."""
        with self._lock:
            self._licence = True

    def drop_fields(self, *keys: str) -> None:
        """user.update answers true but does not store these keys."""
        with self._lock:
            self._drop.update(k.upper() for k in keys)

    def reset_faults(self) -> None:
        """Turn every fault injection off again."""
        with self._lock:
            self._bucket = None
            self._blocked.clear()
            self._expired.clear()
            self._renamed = None
            self._licence = False
            self._drop.clear()

    # -- internals ---------------------------------------------------------------------------

    def _note_error(self, text: str) -> None:
        with self._lock:
            self.errors.append(text)

    def _sleep(self, seconds: float) -> bool:
        """Sleep unless stopped; True if ``stop()`` interrupted the sleep."""
        return self._stopping.wait(seconds)

    def _receive(self, received: Received) -> Answer | None:
        with self._lock:
            self._requests.append(received)
            return self._queue.pop(0) if self._queue else None

    def _dispatch(self, rec: Received, route: _Route, t0: float) -> _Reply:
        if route.shape == "off":
            if rec.path == COUPON_PATH:
                return _html(200, "<html><body><h1>Your licence has expired</h1></body></html>")
            return _html(404)
        with self._lock:
            if self._licence:
                return _html(302, location=f"{self.url}{COUPON_PATH}")
            if self._renamed is not None:
                other, status = self._renamed
                target = other.url + rec.path + (f"?{rec.raw_query}" if rec.raw_query else "")
                return _html(status, location=target)
            if self._bucket is not None and not self._bucket.take():
                return _error("QUERY_LIMIT_EXCEEDED")
            handler = _METHODS.get(route.method or "")
            if handler is None:
                return _error("ERROR_METHOD_NOT_FOUND")
            caller = self._authenticate(rec, route)
            if not isinstance(caller, int):
                return caller
            if route.method in self._blocked:
                return _error("OPERATION_TIME_LIMIT")
            status, result = handler(self, _upper(rec.params), caller)
            if "error" in result:
                return _encode(status, result)
            result["time"] = _time_envelope(t0)
            return _encode(status, result)

    def _authenticate(self, rec: Received, route: _Route) -> int | _Reply:
        if route.shape == "webhook":
            if route.user != str(self.webhook_user) or route.secret != self.secret:
                return _error("INVALID_CREDENTIALS")
            return self.webhook_user
        token = _find_auth(rec.params)
        if token in (None, ""):
            return _error("NO_AUTH_FOUND")
        if token in self._expired:
            return _error("expired_token")
        if token != self.token:
            return _error("invalid_token")
        return self.webhook_user

    # -- REST methods: (upper-cased params, caller id) -> (status, body without time) -------

    def _m_user_update(self, p: dict[str, Any], caller: int) -> tuple[int, dict[str, Any]]:
        uid = _users.as_id(p.get("ID"))
        if uid is None or uid not in self.users:
            return error_body("ERROR_CORE", "access_denied")
        changes: dict[str, Any] = {}
        dropped: list[str] = []
        for key, value in p.items():
            if key in ("ID", "AUTH"):
                continue
            if not is_writable(key) or key in self._drop:
                dropped.append(key)
            else:
                changes[key] = value
        if "EMAIL" in changes:
            email = str(changes["EMAIL"])
            if not _valid_email(email):
                return error_body("ERROR_CORE", "Incorrect E-Mail<br>")
            if self._email_taken(email, uid):
                return error_body(
                    "ERROR_CORE", f"A user with this e-mail address ({email}) already exists.<br>"
                )
        user = self.users[uid]
        for key, value in changes.items():
            user[key] = _users.stored_value(key, value, self.url, uid)
        self.dropped.extend(dropped)
        return 200, {"result": True}

    def _email_taken(self, email: str, uid: int | None) -> bool:
        """Where the portal checks uniqueness (errors.json): another user has this e-mail."""
        return any(
            str(other.get("EMAIL", "")).lower() == email.lower()
            for other_id, other in self.users.items()
            if other_id != uid
        )

    def _m_user_add(self, p: dict[str, Any], caller: int) -> tuple[int, dict[str, Any]]:
        email = p.get("EMAIL")
        if not isinstance(email, str) or not _valid_email(email):
            return error_body("ERROR_ARGUMENT")
        if self._email_taken(email, None):
            return error_body(
                "ERROR_CORE", f"A user with this e-mail address ({email}) already exists.<br>"
            )
        uid = max(self.users, default=0) + 1
        extranet = p.get("EXTRANET") in ("Y", True)
        user: dict[str, object] = {
            "ID": str(uid),
            "XML_ID": "",
            "ACTIVE": True,
            "NAME": "",
            "LAST_NAME": "",
            "EMAIL": email,
            "LAST_LOGIN": "",
            "DATE_REGISTER": _iso(time.time())[:10] + "T00:00:00+00:00",
            "IS_ONLINE": "N",
            "UF_DEPARTMENT": [],
            "USER_TYPE": "extranet" if extranet else "employee",
        }
        for key, value in p.items():
            if key in ("AUTH", "EMAIL") or key in ADD_ONLY:
                continue
            if is_writable(key):
                user[key] = _users.stored_value(key, value, self.url, uid)
            else:
                self.dropped.append(key)
        self.users[uid] = user
        return 200, {"result": uid}

    def _page(self, found: list[dict[str, Any]], p: dict[str, Any]) -> dict[str, Any]:
        if not found:
            return {"result": []}
        start = _users.as_id(p.get("START")) or 0
        found.sort(key=_users.sort_key)
        page = [copy.deepcopy(u) for u in found[start : start + _users.PAGE]]
        answer: dict[str, Any] = {"result": page}
        if start + _users.PAGE < len(found):
            answer["next"] = start + _users.PAGE
        answer["total"] = len(found)
        return answer

    def _m_user_get(self, p: dict[str, Any], caller: int) -> tuple[int, dict[str, Any]]:
        wanted = _filter(p, ())
        found = [
            u
            for u in self.users.values()
            if all(_users.matches_exact(u, k, v) for k, v in wanted.items())
        ]
        return 200, self._page(found, p)

    def _m_user_search(self, p: dict[str, Any], caller: int) -> tuple[int, dict[str, Any]]:
        wanted = _filter(p, ("FIND", "UF_DEPARTMENT_NAME"))
        found = [
            u
            for u in self.users.values()
            if all(_users.matches_search(u, k, v, self.departments) for k, v in wanted.items())
        ]
        return 200, self._page(found, p)

    def _m_user_current(self, p: dict[str, Any], caller: int) -> tuple[int, dict[str, Any]]:
        return 200, {"result": copy.deepcopy(self.users.get(caller, {}))}

    def _m_user_fields(self, p: dict[str, Any], caller: int) -> tuple[int, dict[str, Any]]:
        return 200, {"result": load_answer("user.fields.ok.json")["result"]}

    def _m_profile(self, p: dict[str, Any], caller: int) -> tuple[int, dict[str, Any]]:
        user = self.users.get(caller, {})
        keys = ("NAME", "LAST_NAME", "PERSONAL_GENDER", "PERSONAL_PHOTO", "TIME_ZONE")
        result: dict[str, Any] = {"ID": caller, "ADMIN": caller == self.webhook_user}
        result.update({k: user.get(k, "") for k in keys})
        return 200, {"result": result}


_Method = Callable[[FakePortal, dict[str, Any], int], tuple[int, dict[str, Any]]]

_METHODS: dict[str, _Method] = {
    "user.update": FakePortal._m_user_update,
    "user.add": FakePortal._m_user_add,
    "user.get": FakePortal._m_user_get,
    "user.search": FakePortal._m_user_search,
    "user.current": FakePortal._m_user_current,
    "user.fields": FakePortal._m_user_fields,
    "profile": FakePortal._m_profile,
}

KNOWN_METHODS: tuple[str, ...] = tuple(_METHODS)
