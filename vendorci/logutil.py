"""Logging with secret redaction, and the internal-error log file."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from vendorci.redaction import REDACTED, redact, register_secret

__all__ = ["REDACTED", "RedactingFilter", "redact", "register_secret", "setup_logging", "write_crash_log"]


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        msg = record.getMessage()
        record.msg = redact(msg)
        record.args = None
        return True


def setup_logging(debug: bool) -> None:
    root = logging.getLogger("vendorci")
    root.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if debug else logging.WARNING)
    root.propagate = False
    # paramiko logs transport chatter at INFO; keep it quiet unless debugging
    logging.getLogger("paramiko").setLevel(logging.DEBUG if debug else logging.CRITICAL)


def write_crash_log(command: str, exc: BaseException) -> tuple[Path | None, str]:
    """Write the traceback with versions to the user log dir; return (path, text)."""
    import platform
    import traceback

    from vendorci import __version__

    text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    body = redact(
        f"vendorci {__version__} on Python {platform.python_version()} ({platform.platform()})\n"
        f"command: {command}\n\n{text}"
    )
    try:
        from vendorci.fsutil import ensure_private_dir, write_atomic
        from vendorci.paths import user_log_dir

        d = ensure_private_dir(user_log_dir())
        path = d / "vendorci.log"
        write_atomic(path, body, mode=0o600)
        return path, body
    except Exception:
        return None, body
