"""The secrets registry: every secret vendorci learns is registered here, and everything it prints or logs
goes through :func:`redact`.  Kept apart from :mod:`vendorci.logutil` (which needs ``logging``) so that output
can be redacted by commands that never set up logging."""

from __future__ import annotations

import threading

_secrets: set[str] = set()
_lock = threading.Lock()
REDACTED = "<redacted>"


def register_secret(value: str | None) -> None:
    """Remember a secret so that it never reaches output or logs."""
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    with _lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for s in secrets:
        text = text.replace(s, REDACTED)
    return text
