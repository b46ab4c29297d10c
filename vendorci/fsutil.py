"""Atomic, permission-aware file writing used by everything vendorci writes."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomic(path: str | os.PathLike[str], data: str | bytes, mode: int = 0o644) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same directory.

    The file gets ``mode`` before any byte is written, so private material is
    never readable by others, not even for an instant; a crash leaves either the
    old file or the new one, never half of one.
    """
    target = Path(path)
    raw = data.encode() if isinstance(data, str) else data
    try:
        fd, tmp = tempfile.mkstemp(dir=str(target.parent), prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise _write_failed(target, exc) from None
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(exc, OSError):
            raise _write_failed(target, exc) from None
        raise
    return target


def _write_failed(target: Path, exc: OSError) -> Exception:
    """A disk full or a read-only file system is the machine's failure, not a vendorci bug (exit 1, not 3)."""
    from vendorci.errors import OperationFailed

    return OperationFailed(f"{target}: cannot write: {exc.strerror or exc}", code="write_failed",
                           hint="Check free space and permissions there; the previous file, if any, is unchanged.")


def ensure_private_dir(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and parents) with mode 0700 for the last component."""
    p = Path(path)
    p.mkdir(parents=True, exist_ok=True, mode=0o700)
    return p
