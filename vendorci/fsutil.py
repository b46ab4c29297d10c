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
    return make_dirs(path, 0o700)


def make_dirs(path: str | os.PathLike[str], mode: int = 0o755) -> Path:
    """``mkdir -p`` whose new directories get ``mode`` (never group/world-writable), whatever the umask.

    ``Path.mkdir(parents=True)`` gives missing parents 0777 minus the umask: with umask 0 that is
    world-writable.  Existing directories are left as they are.
    """
    p = Path(path)
    missing = []
    cur = p
    while not cur.exists() and not cur.is_symlink() and cur != cur.parent:
        missing.append(cur)
        cur = cur.parent
    for d in reversed(missing):
        try:
            d.mkdir(mode=mode)
        except FileExistsError:
            continue
        os.chmod(d, mode & ~0o022)
    if not p.is_dir():
        p.mkdir(exist_ok=True)  # raises the right error (a file in the way)
    return p


def symlinked_part(root: str | os.PathLike[str], rel: str) -> Path | None:
    """The first directory between ``root`` and ``root/rel`` (exclusive) that is a symbolic link, if any.

    Writers that add files under a tree someone else may have prepared (``init --force``) refuse to
    write through a linked subdirectory: it could point anywhere.
    """
    cur = Path(root)
    for part in Path(rel).parts[:-1]:
        cur = cur / part
        if cur.is_symlink():
            return cur
    return None


def contained(base: str | os.PathLike[str], rel: str) -> Path:
    """``base/rel``, refused (exit 2) unless it stays inside ``base``: no absolute path, no ``..``,
    no component that is a symbolic link out of it.  For names that come from flags or peers."""
    from vendorci.errors import InputError

    parts = rel.split("/")
    if not rel or rel.startswith("/") or any(p in ("", "..", ".") for p in parts) or "\x00" in rel:
        raise InputError(f"{rel!r}: not a relative name inside {base}", code="path_escapes",
                         hint="Give a plain name such as openstack-dev/sandbox (no leading '/', no '..').")
    b = Path(base)
    full = b.joinpath(*parts)
    if os.path.realpath(full) != os.path.join(os.path.realpath(b), *parts):
        raise InputError(f"{full}: leads outside {base} through a symbolic link", code="path_escapes",
                         hint=f"Remove the link under {base} (it is vendorci's own cache).")
    return full


def read_bounded(path: str | os.PathLike[str], limit: int, what: str = "file") -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; InputError (exit 2) otherwise.

    Opened non-blocking and checked with ``fstat`` before any read, so a FIFO, a device
    (``/dev/zero``), a directory or a huge file is refused at once instead of hanging or
    filling memory.  Symbolic links are followed (the checks apply to what they point at).
    """
    import stat

    from vendorci.errors import InputError

    p = Path(path)
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0))
    except FileNotFoundError:
        raise InputError(f"{p}: no such file", code="file_missing") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, expected a {what}", code="not_a_file") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror}", code="file_unreadable") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError(f"{p}: is a directory, expected a {what}", code="not_a_file")
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{p}: not a regular file (a FIFO, socket or device), expected a {what}",
                             code="not_a_regular_file", hint="Give the path of an ordinary file.")
        if st.st_size > limit:
            raise InputError(f"{p}: {st.st_size} bytes, more than the {limit} a {what} may have",
                             code="file_too_large")
        chunks, total = [], 0
        while True:
            try:
                chunk = os.read(fd, min(65536, limit + 1 - total))
            except BlockingIOError:  # cannot happen for a regular file; never spin on it
                break
            except OSError as exc:
                raise InputError(f"{p}: cannot read: {exc.strerror}", code="file_unreadable") from None
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:  # grew while being read
                raise InputError(f"{p}: more than the {limit} bytes a {what} may have", code="file_too_large")
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_text_bounded(path: str | os.PathLike[str], limit: int, what: str = "file") -> str:
    """:func:`read_bounded`, decoded as UTF-8 (InputError, exit 2, when it is not)."""
    from vendorci.errors import InputError

    raw = read_bounded(path, limit, what)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text, expected a {what}", code="not_text") from None
