"""What every method function shares: check the address, then send one REST call."""

from __future__ import annotations

from typing import Any

from oint_py.transport import Settings, Transport, parse_portal


def open_portal(url: str, token: str | None, settings: Settings | None) -> Transport:
    """A Transport for ``url``/``token`` (raises InputError for a bad address)."""
    settings = settings or Settings()
    return Transport(parse_portal(url, token, settings), settings)


def run(
    url: str,
    token: str | None,
    rest_method: str,
    body: dict[str, Any],
    *,
    idempotent: bool = True,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Send one REST call and return the portal's answer (or, dry run, its description)."""
    transport = open_portal(url, token, settings)
    try:
        return transport.call(rest_method, body, idempotent=idempotent)
    finally:
        transport.close()
