"""SSH key pairs: generate (OpenSSH or PEM format, 0600) and inspect.  Formats and consumers: keyformats."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import stat
from dataclasses import asdict, dataclass
from pathlib import Path

from vendorci.errors import InputError, UsageError

KEY_TYPES = ("rsa", "ed25519")
MAX_KEY_FILE = 64 * 1024  # no SSH key file is near this; bounds what `keys show` reads
KEY_NAME_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
MIN_RSA_BITS = 2048
DEFAULT_RSA_BITS = 4096


@dataclass
class KeyInfo:
    path: str
    type: str
    bits: int
    fingerprint: str
    public_key: str
    comment: str = ""
    private: bool = False
    encrypted: bool = False
    mode: str | None = None
    mode_ok: bool = True
    format: str = ""  # openssh | pem | pkcs8 (private keys vendorci wrote or read)

    def as_dict(self) -> dict:
        return asdict(self)


def fingerprint(public_line: str) -> str:
    """``SHA256:...`` as ssh-keygen -l prints it, from an OpenSSH public key line."""
    parts = public_line.split()
    if len(parts) < 2:
        raise InputError("not an OpenSSH public key line", code="key_invalid")
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except ValueError:
        raise InputError("not an OpenSSH public key line", code="key_invalid") from None
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def _describe_public(pub: object) -> tuple[str, int]:
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    if isinstance(pub, rsa.RSAPublicKey):
        return "rsa", pub.key_size
    if isinstance(pub, ed25519.Ed25519PublicKey):
        return "ed25519", 256
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return "ecdsa", pub.curve.key_size
    return type(pub).__name__.lower(), 0


def _public_line(pub: object, comment: str) -> str:
    from cryptography.hazmat.primitives import serialization

    line = pub.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()  # type: ignore[attr-defined]
    return f"{line} {' '.join(comment.split())}".strip()  # one line, whatever the comment held


def validate_key_request(key_type: str, bits: int | None) -> int:
    if key_type not in KEY_TYPES:
        raise UsageError(f"unknown key type {key_type!r}", code="bad_key_type", hint="Use rsa or ed25519.")
    if key_type == "ed25519":
        return 256
    n = DEFAULT_RSA_BITS if bits is None else bits
    if n < MIN_RSA_BITS:
        raise UsageError(
            f"RSA keys of {n} bits are too weak (the articles' 1024-bit example is no longer acceptable)",
            code="key_too_weak",
            hint=f"Use --bits {DEFAULT_RSA_BITS} (at least {MIN_RSA_BITS}), or --type ed25519.",
        )
    if n > 16384:
        raise UsageError(f"RSA keys of {n} bits are not supported", code="bad_key_bits", hint="Use 4096.")
    return n


def generate_key(
    path: str | os.PathLike[str],
    key_type: str = "rsa",
    bits: int | None = None,
    comment: str = "",
    force: bool = False,
    key_format: str = "openssh",
) -> KeyInfo:
    """Write ``path`` (0600 private key, OpenSSH format or traditional PEM) and ``path.pub``.

    Refuses to overwrite an existing private key unless ``force``; ed25519 has no PEM form.
    """
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

    from vendorci.core.keyformats import check_format, serialize
    from vendorci.fsutil import write_atomic

    nbits = validate_key_request(key_type, bits)
    check_format(key_format, key_type)
    if comment and (not comment.isprintable() or len(comment) > 1024):  # a newline would add lines to the .pub
        raise UsageError(f"key comment {comment[:40]!r}: control characters or too long", code="bad_key_comment",
                         hint="Use one line of printable text (e.g. acme-ci Jenkins master).")
    priv_path = Path(path)
    pub_path = priv_path.with_name(priv_path.name + ".pub")
    if not KEY_NAME_RE.match(priv_path.name) or priv_path.name.endswith(".pub"):
        raise UsageError(f"{priv_path.name!r}: not a valid key name", code="bad_key_name",
                         hint="Use letters, digits, '.', '_', '-' (e.g. jenkins_key): key file names end up in "
                              "vars.sh and shell commands.")
    if not priv_path.parent.is_dir():
        raise InputError(f"{priv_path.parent}: directory does not exist", code="dir_missing")
    if not os.access(priv_path.parent, os.W_OK):
        raise InputError(f"{priv_path.parent}: directory is not writable", code="dir_unwritable")
    for p in (priv_path, pub_path):
        if p.is_symlink():
            raise InputError(f"{p}: is a symbolic link; refusing to write through it", code="path_is_symlink")
        if p.exists() and p.is_dir():
            raise InputError(f"{p}: is a directory", code="not_a_file")
    if priv_path.exists() and not force:
        raise UsageError(
            f"{priv_path}: a key already exists; not overwriting it",
            code="key_exists",
            hint="Use --force to replace it (the old key is lost), or choose another name.",
        )
    if key_type == "rsa":
        key = rsa.generate_private_key(public_exponent=65537, key_size=nbits)
    else:
        key = ed25519.Ed25519PrivateKey.generate()  # type: ignore[assignment]
    private_bytes = serialize(key, key_format, comment)  # PEM has no comment: NAME.pub keeps it
    public = _public_line(key.public_key(), comment)
    old_private = priv_path.read_bytes() if priv_path.is_file() else None
    write_atomic(priv_path, private_bytes, mode=0o600)
    try:
        write_atomic(pub_path, public + "\n", mode=0o644)
    except BaseException:  # never leave a private key beside a public key of another pair
        if old_private is None:
            priv_path.unlink(missing_ok=True)
        else:
            write_atomic(priv_path, old_private, mode=0o600)
        raise
    return KeyInfo(
        path=str(priv_path),
        type=key_type,
        bits=nbits,
        fingerprint=fingerprint(public),
        public_key=public,
        comment=comment,
        private=True,
        mode="600",
        format=key_format,
    )


def inspect_key(path: str | os.PathLike[str]) -> KeyInfo:
    """Describe a private or public key file; flags unsafe modes on private keys."""
    from cryptography.hazmat.primitives import serialization

    from vendorci.core.keyformats import detect_format

    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file", code="file_missing")
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a key file", code="not_a_file")
    from vendorci.fsutil import read_bounded, read_text_bounded

    try:  # a FIFO, /dev/zero or a huge file: refused at once, never read
        raw = read_bounded(p, MAX_KEY_FILE, "key file")
    except InputError as exc:
        if exc.code != "file_too_large":
            raise
        raise InputError(f"{p}: too large to be an SSH key", code="key_invalid") from None
    text = raw.decode("utf-8", "replace").strip()
    mode = stat.S_IMODE(p.stat().st_mode)
    if "PRIVATE KEY-----" in text:
        encrypted = False
        pub = None
        try:
            if "OPENSSH PRIVATE KEY" in text:
                key = serialization.load_ssh_private_key(raw, password=None)
            else:
                key = serialization.load_pem_private_key(raw, password=None)  # type: ignore[assignment]
            pub = key.public_key()
        except TypeError:  # password-protected
            encrypted = True
        except (ValueError, Exception) as exc:  # noqa: B014 - cryptography raises several kinds
            raise InputError(f"{p}: not a readable private key ({type(exc).__name__})", code="key_invalid") from None
        comment = ""
        pub_file = p.with_name(p.name + ".pub")
        if pub is None:
            if pub_file.is_file():
                line = read_text_bounded(pub_file, MAX_KEY_FILE, "public key file").strip()
                pub = serialization.load_ssh_public_key(line.encode())
                comment = " ".join(line.split()[2:])
            else:
                return KeyInfo(str(p), "unknown", 0, "", "", private=True, encrypted=True,
                               mode=f"{mode:o}", mode_ok=not mode & 0o077, format=detect_format(raw))
        elif pub_file.is_file():
            comment = " ".join(read_text_bounded(pub_file, MAX_KEY_FILE, "public key file").split()[2:])
        elif "OPENSSH PRIVATE KEY" in text:  # no .pub: the comment an OpenSSH-format key holds
            from vendorci.core.keyformats import openssh_comment

            comment = openssh_comment(raw)
        ktype, bits = _describe_public(pub)
        line = _public_line(pub, comment)
        return KeyInfo(str(p), ktype, bits, fingerprint(line), line, comment, True, encrypted,
                       f"{mode:o}", not mode & 0o077, detect_format(raw))
    try:
        pub = serialization.load_ssh_public_key(text.splitlines()[0].encode() if text else b"")
    except (ValueError, Exception):  # noqa: B014
        raise InputError(
            f"{p}: not an SSH key (neither an OpenSSH/PEM private key nor a public key line)",
            code="key_invalid",
        ) from None
    comment = " ".join(text.split()[2:])
    ktype, bits = _describe_public(pub)
    line = _public_line(pub, comment)
    return KeyInfo(str(p), ktype, bits, fingerprint(line), line, comment, False, False, f"{mode:o}", True)
