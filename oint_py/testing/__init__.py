"""A local fake Bitrix24 portal for tests (stdlib only; ``trustme`` only with ``tls=True``).

::

    from oint_py.testing import FakePortal, Answer

    with FakePortal() as portal:                 # FakePortal(tls=True) serves HTTPS
        portal.webhook_url                       # http://127.0.0.1:PORT/rest/1/<secret>/
        portal.script(Answer.error("QUERY_LIMIT_EXCEEDED"), Answer.html(502))
        ...                                      # run the client against it
        portal.users[2626]["EMAIL"]              # the table reflects user.update
        portal.requests[-1].json                 # what the client sent

Routing, as a real portal (BITRIX24.md):

- webhook ``/rest/<user id>/<secret>/<method>[.json][/]`` (method case-insensitive); wrong
  secret or user id: 401 INVALID_CREDENTIALS. Token: ``/rest/<method>`` with ``auth`` in the
  body or the query: unknown 401 invalid_token, expired 401 expired_token, none 401
  NO_AUTH_FOUND. Unknown method: 404 ERROR_METHOD_NOT_FOUND (before authentication).
  Off ``/rest/``: a 404 HTML page.
- The body is JSON only with ``Content-Type: application/json``; form bodies are parsed as
  flat keys; any other body is ignored. Query-string parameters lose to the body.
- Methods: user.update, user.add, user.get, user.search, user.current, user.fields (and
  profile). Successes carry a fresh ``time``; errors are the bodies of ``data/errors.json``.

Order of handling: record the request; a scripted ``Answer`` (``script``) if one is queued;
then licence redirect, rename redirect, rate limit, method lookup, authentication, blocked
method, the method itself.

Inspection: ``requests`` (every ``Received``), ``calls(method)``, ``users`` (the table,
``dict[int, dict]``), ``dropped`` (upper-cased keys user.update/user.add silently dropped),
``errors`` (tracebacks of bugs in the fake itself: should stay empty).
"""

from oint_py.testing._answer import Answer
from oint_py.testing._portal import (
    DEFAULT_SECRET,
    DEFAULT_TOKEN,
    KNOWN_METHODS,
    FakePortal,
    Headers,
    Received,
)

__all__ = [
    "DEFAULT_SECRET",
    "DEFAULT_TOKEN",
    "KNOWN_METHODS",
    "Answer",
    "FakePortal",
    "Headers",
    "Received",
]
