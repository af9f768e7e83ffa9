"""Scripted answers for the fake portal, and the error bodies of the packaged ``errors.json``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from http import HTTPStatus
from importlib import resources
from typing import Any

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html"


@cache
def error_entries() -> tuple[tuple[int, dict[str, Any]], ...]:
    """``(status, body)`` of every case in the packaged ``data/errors.json``, in file order.

    (``errors.json`` is a list, so ``fields.load_answer``, which returns objects, cannot
    read it; it is read here from the same package copy.)
    """
    text = resources.files("oint_py").joinpath("data", "errors.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert isinstance(data, list)
    entries: list[tuple[int, dict[str, Any]]] = []
    for case in data:
        assert isinstance(case, dict)
        status, body = case["status"], case["body"]
        assert isinstance(status, int) and isinstance(body, dict)
        entries.append((status, body))
    return tuple(entries)


def error_body(code: str, description: str | None = None) -> tuple[int, dict[str, Any]]:
    """Status and a fresh body of the first ``errors.json`` case with this ``error`` code.

    The code is matched exactly first, then case-insensitively. ``description`` replaces
    ``error_description``. Unknown codes raise ``KeyError``.
    """
    entries = error_entries()
    found = [e for e in entries if e[1].get("error") == code] or [
        e for e in entries if str(e[1].get("error", "")).lower() == code.lower()
    ]
    if not found:
        raise KeyError(f"no error code {code!r} in errors.json")
    status, body = found[0]
    body = dict(body)
    if description is not None:
        body["error_description"] = description
    return status, body


_NGINX_PAGE = """<html>
<head><title>{code} {phrase}</title></head>
<body>
<center><h1>{code} {phrase}</h1></center>
<hr><center>nginx</center>
</body>
</html>
"""


def html_page(status: int) -> str:
    """A typical nginx error page for ``status``."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    return _NGINX_PAGE.format(code=status, phrase=phrase)


@dataclass
class Answer:
    """One answer the portal serves instead of its normal handling (see ``FakePortal.script``).

    - ``body``: ``dict``/``list`` are sent as JSON (``Content-Type: application/json;
      charset=utf-8``), ``str`` as UTF-8 ``text/html``, ``bytes`` as given (no Content-Type
      unless ``headers`` has one), ``None`` as an empty body. ``headers`` override the
      defaults (including ``Content-Length``, to lie about the length).
    - ``delay``: seconds to sleep before answering (interrupted by ``FakePortal.stop()``).
    - ``close``: read the request, then close the connection without any answer.
    - ``truncate``: send the headers with the full ``Content-Length`` but only the first
      half of the body, then close the connection.
    - ``passthrough``: only apply ``delay``, then handle the request normally.
    """

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | str | dict[str, Any] | list[Any] | None = None
    delay: float = 0.0
    close: bool = False
    truncate: bool = False
    passthrough: bool = False

    def payload(self) -> tuple[dict[str, str], bytes]:
        """The headers (defaults merged with ``headers``) and the encoded body."""
        defaults: dict[str, str] = {}
        body = self.body
        if isinstance(body, (dict, list)):
            data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            defaults["Content-Type"] = JSON_TYPE
        elif isinstance(body, str):
            data = body.encode("utf-8")
            defaults["Content-Type"] = HTML_TYPE
        elif body is None:
            data = b""
        else:
            data = bytes(body)
        defaults["Content-Length"] = str(len(data))
        given = {k.lower() for k in self.headers}
        merged = {k: v for k, v in defaults.items() if k.lower() not in given}
        merged.update(self.headers)
        return merged, data

    @classmethod
    def error(
        cls, code: str, description: str | None = None, *, status: int | None = None
    ) -> Answer:
        """The status and body of ``code`` in the packaged errors.json (first case wins).

        ``Answer.error("QUERY_LIMIT_EXCEEDED")`` is a 503;
        ``Answer.error("ERROR_CORE", description="Incorrect E-Mail<br>")`` overrides the text;
        ``status=`` overrides the status (sources disagree on several codes).
        """
        found_status, body = error_body(code, description)
        return cls(status=found_status if status is None else status, body=body)

    @classmethod
    def redirect(cls, location: str, status: int = 301) -> Answer:
        """A redirect to ``location`` with nginx's small HTML body."""
        return cls(status=status, headers={"Location": location}, body=html_page(status))

    @classmethod
    def html(cls, status: int = 502) -> Answer:
        """An nginx HTML error page, by default "502 Bad Gateway"."""
        return cls(status=status, body=html_page(status))
