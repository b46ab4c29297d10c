"""`vendorci keys convert`: rewrite a private key between the OpenSSH format and traditional PEM, in place.

Same key (checked by loading the new bytes before anything is written), same SHA256 fingerprint, same file
mode; the comment stays in NAME.pub (PEM has no comment field; the OpenSSH format gets it inside too); the
old bytes stay beside it as ``PATH.bak-TIMESTAMP`` (0600).  Encrypted keys are refused (key_encrypted).
"""

from __future__ import annotations

import os
import stat
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from vendorci.core.keyformats import (
    TARGET_FORMATS,
    Verdict,
    consumers_for,
    detect_format,
    key_type_of,
    load_private,
    openssh_comment,
    pem_refused,
    public_line,
    read_key,
    serialize,
)
from vendorci.errors import Code, InputError, OperationFailed, UsageError


@dataclass(frozen=True)
class Conversion:
    path: str
    type: str
    bits: int
    from_format: str
    to_format: str
    changed: bool
    fingerprint: str
    comment: str
    mode: str
    backup: str | None = None
    pub_written: bool = False
    consumers: list[Verdict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["consumers"] = [v.as_dict() for v in self.consumers]
        return d


def _pub_comment(p: Path, line: str) -> str | None:
    """The comment of NAME.pub when it holds the same public key, else None."""
    pub = p.with_name(p.name + ".pub")
    try:
        words = pub.read_text(encoding="utf-8", errors="replace").split() if pub.is_file() else []
    except OSError:
        return None
    if len(words) >= 2 and words[:2] == line.split()[:2]:
        return " ".join(words[2:])
    return None


def _backup_path(p: Path, now: datetime) -> Path:
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    cand = p.with_name(f"{p.name}.bak-{stamp}")
    n = 1
    while cand.exists() or cand.is_symlink():
        n += 1
        cand = p.with_name(f"{p.name}.bak-{stamp}-{n}")
    return cand


def convert_key(path: str | os.PathLike[str], to_format: str, now: datetime | None = None) -> Conversion:
    """Rewrite the private key at ``path`` in ``to_format``, in place.

    The key, its SHA256 fingerprint and its file mode stay; the comment stays in NAME.pub (and, for
    ``openssh``, inside the private key too); the old bytes are kept in ``PATH.bak-TIMESTAMP`` (0600).
    A key already in ``to_format`` is left alone (no backup).
    """
    from vendorci.core.keys import fingerprint
    from vendorci.fsutil import write_atomic

    if to_format not in TARGET_FORMATS:
        raise UsageError(f"unknown key format {to_format!r}", code=Code.BAD_KEY_FORMAT, hint="Use pem or openssh.")
    p = Path(path)
    if p.is_symlink():
        raise InputError(f"{p}: is a symbolic link; refusing to write through it", code=Code.PATH_IS_SYMLINK,
                         hint="Convert the file the link points to.")
    raw = read_key(p)
    fmt = detect_format(raw)
    if fmt == "public":
        raise InputError(f"{p}: is a public key; only private keys have a format to convert", code=Code.KEY_NOT_PRIVATE,
                         hint=f"Give the private key: vendorci keys convert {str(p).removesuffix('.pub')} "
                              f"--format {to_format}")
    key = load_private(raw, fmt, str(p))
    ktype, bits = key_type_of(key)
    mode = stat.S_IMODE(p.stat().st_mode)
    line = public_line(key)
    from_pub = _pub_comment(p, line)
    inner = openssh_comment(raw) if fmt == "openssh" else ""
    comment = from_pub if from_pub else inner
    if fmt == to_format:
        return Conversion(str(p), ktype, bits, fmt, to_format, False, fingerprint(line), comment, f"{mode:o}",
                          consumers=consumers_for(to_format, ktype, str(p)))
    if to_format == "pem" and ktype == "ed25519":
        raise pem_refused()
    new = serialize(key, to_format, comment)
    again = load_private(new, to_format, str(p))
    if public_line(again) != line:  # never replace a key by another one
        raise OperationFailed(f"{p}: the converted key does not match the original; nothing changed",
                              code=Code.KEY_CONVERT_MISMATCH, exit_code=3)
    backup = _backup_path(p, now or datetime.now(timezone.utc))
    write_atomic(backup, raw, mode=0o600)
    write_atomic(p, new, mode=mode)
    pub = p.with_name(p.name + ".pub")
    pub_written = False
    if not pub.exists() and not pub.is_symlink():  # PEM has no comment field: NAME.pub keeps it
        write_atomic(pub, public_line(key, comment) + "\n", mode=0o644)
        pub_written = True
    return Conversion(str(p), ktype, bits, fmt, to_format, True, fingerprint(line), comment, f"{mode:o}",
                      str(backup), pub_written, consumers_for(to_format, ktype, str(p)))

