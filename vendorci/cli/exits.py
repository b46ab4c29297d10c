"""The exit-code policy, in one place: 0 ok, 1 failed, 2 usage/input, 3 internal, 124 timeout, 130 interrupted.

Core returns results and raises :class:`~vendorci.errors.VendorciError`; only the CLI turns them into exit codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vendorci.errors import (
    EXIT_FAIL,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TIMEOUT,
    EXIT_USAGE,
    VendorciError,
)

__all__ = ["EXIT_FAIL", "EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_TIMEOUT", "EXIT_USAGE",
           "for_error", "for_problems", "for_registration", "for_batch"]


def for_error(err: VendorciError) -> int:
    """An error's exit code: its class's (UsageError 2, WaitTimeout 124, others 1) unless it was given one."""
    return int(err.exit_code)


def for_problems(problems: Iterable[VendorciError]) -> int:
    """A command that ran and found problems: 130 when it was interrupted, 124 when one of them is a timeout,
    else 1; 0 without problems."""
    codes = [for_error(p) for p in problems]
    if not codes:
        return EXIT_OK
    if EXIT_INTERRUPTED in codes:
        return EXIT_INTERRUPTED
    return EXIT_TIMEOUT if EXIT_TIMEOUT in codes else EXIT_FAIL


def for_registration(reg: Any) -> int:
    """One node registration: 0 ok; the stopping error's code; 124 timed out; else 1."""
    if reg.ok:
        return EXIT_OK
    if reg.error and reg.error.get("exit_code"):
        return int(reg.error["exit_code"])
    return EXIT_TIMEOUT if reg.state.value == "timeout" else EXIT_FAIL


def for_batch(batch: Any) -> int | None:
    """``node register --from``: None (0) when all are ok, 2 when every failure is a usage error, else 1."""
    if batch.ok:
        return None
    codes = {for_registration(r) for r in batch.registrations if not r.ok}
    return EXIT_USAGE if codes == {EXIT_USAGE} else EXIT_FAIL
