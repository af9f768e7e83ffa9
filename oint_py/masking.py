"""Secret masking: the one helper every message built from a URL, a token or a library
exception goes through. Standard library only, so that even click's usage errors (which quote
what was typed) can be masked without loading the HTTP layer."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from oint_py.inputs import strip_wrapping

MASK = "***"


def _quote(text: str, safe: str = "/") -> str:
    from urllib.parse import quote  # on first use: start-up time (tests/test_startup.py)

    return quote(text, safe=safe)


_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/@\s]+@")
# Any webhook path, even one whose secret oint was not told (a redirect's Location).
_WEBHOOK_PATH = re.compile(r"(?i)(/rest/\d+/)(?!\*\*\*(?:[/?#\s'\"]|$))[^/?#\s'\"]+")


MIN_SECRET_LENGTH = 4


def mask(text: str, secrets: Iterable[str]) -> str:
    """Replace each secret (raw, URL-encoded or decoded, JSON-escaped, in any letter case), the
    secret segment of any webhook path and any URL credentials (``user:password@``, e.g. of a
    proxy) with ``***``."""
    from urllib.parse import unquote

    forms: set[str] = set()
    for secret in secrets:
        # Shorter strings are no real webhook secret or token (those are 16+ characters),
        # and masking every "x" would garble messages; webhook paths are masked below anyway.
        if len(secret) >= MIN_SECRET_LENGTH:
            for variant in (secret, unquote(secret)):
                forms.update(
                    {
                        variant,
                        _quote(variant, safe=""),
                        _quote(variant),
                        json.dumps(variant)[1:-1],
                        json.dumps(variant, ensure_ascii=False)[1:-1],
                    }
                )
    forms.discard("")
    if forms:
        pattern = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        text = re.sub(pattern, MASK, text, flags=re.IGNORECASE)
    text = _WEBHOOK_PATH.sub(r"\1" + MASK, text)
    return _USERINFO.sub(r"\1" + MASK + "@", text)


def secrets_of(url: str | None, token: str | None) -> tuple[str, ...]:
    """The secrets a user gave (the token, the segment after /rest/<id>/ of the URL), found
    leniently so that messages about a URL that fails the rules are masked too."""
    found = [strip_wrapping(token)] if token else []
    if url:
        found += re.findall(r"(?i)[/\\]rest[/\\]+[^/\\]*[/\\]+([^/\\?#\s]+)", url)
    return tuple(s for s in found if s)
