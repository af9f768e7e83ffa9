"""What every method function shares: check the address, then send one REST call."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from oint_py.errors import NoAnswerError
from oint_py.transport import Settings, Transport, parse_portal


def open_portal(url: str, token: str | None, settings: Settings | None) -> Transport:
    """A Transport for ``url``/``token`` (raises InputError for a bad address)."""
    settings = settings or Settings()
    return Transport(parse_portal(url, token, settings), settings)


@contextmanager
def portal_session(url: str, token: str | None, settings: Settings | None) -> Iterator[Transport]:
    """One Transport (one connection pool) for every call of one command, closed at the end."""
    transport = open_portal(url, token, settings)
    try:
        yield transport
    finally:
        transport.close()


def read_all(transport: Transport, rest_method: str, body: dict[str, Any]) -> dict[str, Any]:
    """Follow ``next`` (sent back as ``start``) through every page of a list read.

    Returns ``{"result": [every item], "total": n}`` (CONTRACT.md, "Reads that return
    lists"); under --test, the description of the first request only.
    """
    first = transport.call(rest_method, body)
    if transport.settings.dry_run:
        return first
    items: list[Any] = []
    answer, start = first, 0
    while True:
        page = answer.get("result")
        if not isinstance(page, list):
            raise NoAnswerError(
                f"{rest_method} answered a page whose result is not a list",
                "Run it without --all to see the portal's answer.",
            )
        items.extend(page)
        following = answer.get("next")
        if following is None or following == "":
            break
        if isinstance(following, bool) or not isinstance(following, int) or following <= start:
            # A portal that sends the same or an earlier offset again would loop forever.
            raise NoAnswerError(
                f"{rest_method} answered next={following!r} after start={start}, which does "
                "not move forward",
                "Run it without --all and page by hand.",
            )
        start = following
        answer = transport.call(rest_method, {**body, "start": start})
    return {"result": items, "total": len(items)}


def run(
    url: str,
    token: str | None,
    rest_method: str,
    body: dict[str, Any],
    *,
    idempotent: bool = True,
    all_pages: bool = False,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Send one REST call and return the portal's answer (or, dry run, its description).

    ``all_pages``: a list read followed through every page (see ``read_all``).
    """
    with portal_session(url, token, settings) as transport:
        if all_pages:
            return read_all(transport, rest_method, body)
        return transport.call(rest_method, body, idempotent=idempotent)
