"""The documented network defaults (CONTRACT.md, "Network behaviour"), in a module of their own.

``oint_py.transport`` uses (and re-exports) them; the CLI shows them in --help without
importing the transport, so --help and completion stay fast (tests/test_startup.py).
"""

DEFAULT_CONNECT_TIMEOUT = 10.0
# Above the portal's own 60 s cap on one request (BITRIX24.md, "Limits"): a shorter read
# timeout can abandon an update that then succeeds.
DEFAULT_READ_TIMEOUT = 75.0
DEFAULT_RETRIES = 4
DEFAULT_MAX_WAIT = 30.0
DEFAULT_BACKOFF_BASE = 1.0
