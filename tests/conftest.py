"""Shared fixtures: the fake portal and the installed `oint` run as a subprocess."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from oint_py.testing import FakePortal

SHARED = Path(__file__).resolve().parents[2] / "shared"


def oint_executable() -> str:
    """The installed console script next to this Python, else the one on PATH."""
    beside = Path(sys.executable).parent / ("oint.exe" if os.name == "nt" else "oint")
    if beside.exists():
        return str(beside)
    found = shutil.which("oint")
    if found is None:
        pytest.fail("the `oint` console script is not installed: pip install -e '.[test]'")
    return found


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str
    stdout_bytes: bytes


def clean_env(**extra: str) -> dict[str, str]:
    """The environment for a subprocess: no portal, CA or proxy variables from the host."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BITRIX24_", "OINT_"))
        and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE")
        and k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")
    }
    env["NO_PROXY"] = "127.0.0.1,localhost"
    env["OINT_BACKOFF_BASE"] = "0.01"
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(extra)
    return env


def run_oint(
    *args: str, env: dict[str, str] | None = None, input: bytes | None = None, timeout: float = 60
) -> Result:
    proc = subprocess.run(
        [oint_executable(), *args],
        capture_output=True,
        env=env if env is not None else clean_env(),
        input=input,
        timeout=timeout,
    )
    return Result(
        proc.returncode,
        proc.stdout.decode("utf-8"),
        proc.stderr.decode("utf-8"),
        proc.stdout,
    )


@pytest.fixture
def portal() -> Iterator[FakePortal]:
    with FakePortal() as fake:
        yield fake
        assert fake.errors == [], fake.errors
