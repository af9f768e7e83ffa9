"""One exception root, one subclass per exit code (the contract's table).

The library raises these; the CLI maps them to exit codes and `Error:` lines. Messages are
already masked: nothing built here may carry a webhook secret or a token.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    OK = 0
    PORTAL_ERROR = 1
    USAGE = 2
    NO_ANSWER = 3
    INTERRUPTED = 130


class OintError(Exception):
    """Root of every error oint reports. ``str()`` is the line after ``Error: ``."""

    exit_code: ExitCode = ExitCode.NO_ANSWER

    def __init__(self, what: str, fix: str = "") -> None:
        self.what = what.rstrip(". ")
        self.fix = fix
        super().__init__(self.message)

    def redact(self, mask: Callable[[str], str]) -> None:
        """Pass the texts through ``mask`` (the transport's secret masking), in place."""
        self.what, self.fix = mask(self.what), mask(self.fix)
        self.args = (self.message,)

    @property
    def message(self) -> str:
        text = self.what + "."
        if self.fix:
            text += " " + self.fix
        return text


class InputError(OintError):
    """Exit 2: a usage or input error found before anything was sent to the portal."""

    exit_code = ExitCode.USAGE


class PortalError(OintError):
    """Exit 1: the portal answered with an ``error`` (whatever the HTTP status).

    ``answer`` is the portal's answer as it sent it; the CLI prints it on stdout.
    """

    exit_code = ExitCode.PORTAL_ERROR

    def __init__(
        self, answer: dict[str, Any], status: int, fix: str = "", method: str = ""
    ) -> None:
        self.answer = answer
        self.status = status
        self.method = method
        self.code = str(answer.get("error", ""))
        description = str(answer.get("error_description", "") or "")
        description = description.replace("<br>", " ").replace("<br/>", " ").strip()
        self.description = " ".join(description.split())
        what = f"the portal answered {self.code}"
        if self.description:
            what += f": {self.description.rstrip('.')}"
        what += f" (HTTP {status})"
        super().__init__(what, fix)


class VerifyError(OintError):
    """Exit 1: UpdateUser --verify read the user back and a sent field did not take.

    ``answer`` is the update's answer (still printed on stdout); ``mismatches`` one line per field.
    """

    exit_code = ExitCode.PORTAL_ERROR

    def __init__(self, answer: dict[str, Any], mismatches: list[str]) -> None:
        self.answer = answer
        self.mismatches = mismatches
        n = len(mismatches)
        super().__init__(
            f"the portal answered true but {n} field{'s' if n != 1 else ''} did not take",
            "The webhook's user may lack the right to change them (only admins may change "
            "ACTIVE and UF_DEPARTMENT), or the portal has no such field.",
        )


class NoAnswerError(OintError):
    """Exit 3: no usable answer (DNS, refused connection, TLS, timeout, non-JSON, redirect)."""

    exit_code = ExitCode.NO_ANSWER


class OutcomeUnknownError(NoAnswerError):
    """Exit 3: a non-idempotent write (user.add) may or may not have been carried out."""


class Interrupted(OintError):
    """Exit 130: Ctrl-C while a call was under way; the message says whether to re-run it."""

    exit_code = ExitCode.INTERRUPTED
