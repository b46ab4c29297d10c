"""OpenSSH's known_hosts format, read and written the way ssh(1) does (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT").

- ``@cert-authority`` lines name a CA for host certificates; they never match a plain host key.
- ``@revoked`` lines name keys that must never be accepted, even where another line lists them.
- Host fields are comma-separated patterns with ``*``/``?`` wildcards and ``!`` negation, or a hashed
  name ``|1|salt|hmac`` (``HashKnownHosts``); a non-22 port is written ``[host]:port``.
- A host may have several lines and key types: the offered key is accepted when any line for the
  host holds exactly it.  A host known only with other keys is refused (a changed key, or a downgrade).
- Malformed lines (too few fields, bad base64, unknown markers) are skipped with a warning, as ssh does.

Writing (``--accept-new-host-key``) takes a lock file beside the real file, re-reads it under the lock,
and replaces it atomically; a symlinked known_hosts is updated where the link points (the link stays).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import HostKeyMismatch, HostKeyUnknown

log = logging.getLogger(__name__)
MAX_KNOWN_HOSTS = 16 * 1024 * 1024
MARKERS = ("@cert-authority", "@revoked")
_thread_lock = threading.Lock()


def host_key_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def fingerprint(blob: bytes) -> str:
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


@dataclass(frozen=True)
class Entry:
    line: int
    marker: str  # "", "@cert-authority" or "@revoked"
    patterns: str
    key_type: str
    blob: bytes

    def matches(self, name: str) -> bool:
        return host_matches(self.patterns, name)


@dataclass
class KnownHosts:
    path: Path
    entries: list[Entry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _hashed_match(pattern: str, name: str) -> bool:
    parts = pattern.split("|")
    if len(parts) != 4 or parts[1] != "1":
        return False
    try:
        salt, want = base64.b64decode(parts[2], validate=True), base64.b64decode(parts[3], validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(hmac.new(salt, name.encode(), hashlib.sha1).digest(), want)


def _glob(pattern: str, name: str) -> bool:
    """OpenSSH wildcards: only ``*`` and ``?`` are special (``[`` in ``[host]:port`` is literal)."""
    import re

    rx = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern.lower())
    return re.fullmatch(rx, name) is not None


def host_matches(patterns: str, name: str) -> bool:
    """OpenSSH's match_hostname: any positive pattern matches and no negated one does."""
    lname = name.lower()
    matched = False
    for pat in patterns.split(","):
        if not pat:
            continue
        if pat.startswith("|"):
            if _hashed_match(pat, name):
                matched = True
            continue
        negated = pat.startswith("!")
        if _glob(pat[1:] if negated else pat, lname):
            if negated:
                return False
            matched = True
    return matched


def parse(text: str, path: Path | str = "known_hosts") -> KnownHosts:
    kh = KnownHosts(Path(path))
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fields = line.split()
        marker = ""
        if fields[0].startswith("@"):
            marker = fields.pop(0)
            if marker not in MARKERS:
                kh.warnings.append(f"{path}:{n}: unknown marker {marker[:40]!r}; line skipped")
                continue
        if len(fields) < 3:
            kh.warnings.append(f"{path}:{n}: expected HOSTS KEYTYPE KEY; line skipped")
            continue
        try:
            blob = base64.b64decode(fields[2], validate=True)
        except (binascii.Error, ValueError):
            kh.warnings.append(f"{path}:{n}: the key is not base64; line skipped")
            continue
        kh.entries.append(Entry(n, marker, fields[0], fields[1], blob))
    for w in kh.warnings:
        log.warning("%s", w)
    return kh


def load(path: Path) -> KnownHosts:
    """The parsed file (empty when it does not exist); a FIFO, a device or a huge file is refused (exit 2)."""
    from vendorci.errors import InputError
    from vendorci.fsutil import read_bounded

    if not path.exists():
        return KnownHosts(path)
    try:
        raw = read_bounded(path, MAX_KNOWN_HOSTS, "known_hosts file")
    except InputError as exc:
        raise InputError(exc.message, code="known_hosts_invalid", hint=exc.hint) from None
    return parse(raw.decode("utf-8", "replace"), path)


def verify(kh: KnownHosts, host: str, port: int, key_type: str, blob: bytes, accept_new: bool) -> str:
    """"known", or "new" (unknown and ``accept_new``); raises HostKeyMismatch / HostKeyUnknown."""
    name = host_key_name(host, port)
    fp = fingerprint(blob)
    data = {"host": name, "fingerprint": fp}
    if any(e.marker == "@revoked" and e.blob == blob and (e.matches(name) or e.patterns == "*")
           for e in kh.entries):
        raise HostKeyMismatch(f"host key for {name} ({key_type} {fp}) is REVOKED in {kh.path}: refusing to connect",
                              code="host_key_revoked", hint="The host must get a new key; do not remove the "
                              "@revoked line unless you know why it was added.", data=data)
    mine = [e for e in kh.entries if not e.marker and e.matches(name)]
    if any(e.blob == blob for e in mine):
        return "known"
    if mine:
        types = sorted({e.key_type for e in mine})
        if key_type in types:
            raise HostKeyMismatch(
                f"host key for {name} has CHANGED ({key_type} {fp}): refusing to connect",
                hint=f"If the host was really reinstalled, remove the old line with `ssh-keygen -R '{name}' -f "
                f"{kh.path}` after verifying the new fingerprint out of band.", data=data)
        raise HostKeyMismatch(f"{name} offered a {key_type} key but {kh.path} has only {', '.join(types)}",
                              hint=f"Verify the host, then update {kh.path}.", data=data)
    if not accept_new:
        raise HostKeyUnknown(f"host key for {name} is not in {kh.path} ({key_type} {fp})",
                             hint="Verify the fingerprint out of band, then rerun with --accept-new-host-key to "
                             "record it.", data=data)
    return "new"


@contextmanager
def _locked(real: Path) -> Iterator[None]:
    import fcntl

    from vendorci.fsutil import ensure_private_dir

    ensure_private_dir(real.parent)
    with _thread_lock:
        fd = os.open(real.parent / f".{real.name}.vendorci-lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)


def add(path: Path, host: str, port: int, key_type: str, key_b64: str) -> None:
    """Record a key: under a lock, re-read, append unless present, replace atomically (through a symlink)."""
    from vendorci.fsutil import read_bounded, write_atomic

    real = Path(os.path.realpath(path))
    with _locked(real):
        old = read_bounded(real, MAX_KNOWN_HOSTS, "known_hosts file").decode("utf-8", "replace") \
            if real.exists() else ""
        name = host_key_name(host, port)
        blob = base64.b64decode(key_b64)
        if any(not e.marker and e.blob == blob and e.matches(name) for e in parse(old, real).entries):
            return  # another run recorded it meanwhile
        if old and not old.endswith("\n"):
            old += "\n"
        mode = (os.stat(real).st_mode & 0o777) if real.exists() else 0o600
        write_atomic(real, old + f"{name} {key_type} {key_b64}\n", mode=mode & 0o644)


def recorded_key(path: Path, host: str, port: int) -> str:
    """The 'TYPE BASE64' recorded for host:port (preferring ed25519, ECDSA, RSA), or ''; revoked keys never."""
    name = host_key_name(host, port)
    entries = load(path).entries
    revoked = {e.blob for e in entries if e.marker == "@revoked"}
    mine = {e.key_type: e for e in entries if not e.marker and e.matches(name) and e.blob not in revoked}
    for t in ("ssh-ed25519", "ecdsa-sha2-nistp256", "rsa-sha2-512", "ssh-rsa", *mine):
        if t in mine:
            return f"{t} {base64.b64encode(mine[t].blob).decode()}"
    return ""


def check(known_hosts: Path, host: str, port: int, key: Any, accept_new: bool) -> str:
    """Verify a paramiko key; returns "known" or "added"."""
    kh = load(known_hosts)
    status = verify(kh, host, port, key.get_name(), key.asbytes(), accept_new)
    if status == "new":
        add(known_hosts, host, port, key.get_name(), key.get_base64())
        return "added"
    return status
