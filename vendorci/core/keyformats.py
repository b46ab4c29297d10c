"""SSH private key file formats: which one a file has, who can read it, and conversion between them.

Formats (``detect_format``):

- ``openssh``: OpenSSH's own format (``-----BEGIN OPENSSH PRIVATE KEY-----``), the default of
  ``ssh-keygen`` since 7.8.  Read by OpenSSH and paramiko >= 2.7, not by JSch 0.1.55.
- ``pem``: the traditional ("PEM", PKCS#1 for RSA) format (``-----BEGIN RSA PRIVATE KEY-----``,
  ``EC PRIVATE KEY``, ``DSA PRIVATE KEY``).  Read by everything that reads SSH keys.  Ed25519 has
  no such form.
- ``pkcs8``: ``-----BEGIN PRIVATE KEY-----``; OpenSSH and JSch read it (RSA), paramiko does not.
- ``public``, ``putty``, ``unknown``: not a private key vendorci can use.

The consumer matrix (``consumers_for``) is the knowledge the issue asks for; the tests prove its
rows against the real consumers (OpenSSH, paramiko, JSch 0.1.55).  Nothing here imports typer or rich.
"""

from __future__ import annotations

import base64
import os
import struct
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import Code, InputError, UsageError

FORMATS = ("openssh", "pem", "pkcs8")
TARGET_FORMATS = ("openssh", "pem")
MAX_KEY_BYTES = 64 * 1024
_OPENSSH_MAGIC = b"openssh-key-v1\x00"
_PEM_TAGS = {"RSA PRIVATE KEY": "rsa", "EC PRIVATE KEY": "ecdsa", "DSA PRIVATE KEY": "dsa"}


# -- detection ---------------------------------------------------------------------------------------
def detect_format(raw: bytes) -> str:
    """``openssh`` | ``pem`` | ``pkcs8`` | ``public`` | ``putty`` | ``unknown`` from a file's bytes."""
    text = raw[:MAX_KEY_BYTES].decode("ascii", "replace").lstrip()
    if text.startswith("-----BEGIN OPENSSH PRIVATE KEY-----"):
        return "openssh"
    for tag in _PEM_TAGS:
        if text.startswith(f"-----BEGIN {tag}-----"):
            return "pem"
    if text.startswith(("-----BEGIN PRIVATE KEY-----", "-----BEGIN ENCRYPTED PRIVATE KEY-----")):
        return "pkcs8"
    if text.startswith("PuTTY-User-Key-File"):
        return "putty"
    first = text.split("\n", 1)[0].split()
    if len(first) >= 2 and (first[0].startswith(("ssh-", "ecdsa-", "sk-"))):
        return "public"
    return "unknown"


def _armored_body(raw: bytes) -> bytes:
    lines = raw.decode("ascii", "replace").strip().splitlines()
    body = "".join(ln.strip() for ln in lines if ln.strip() and not ln.startswith("-----"))
    try:
        return base64.b64decode(body, validate=True)
    except ValueError:
        raise InputError("not a readable private key (damaged base64)", code=Code.KEY_INVALID) from None


def is_encrypted(raw: bytes, fmt: str) -> bool:
    """True when the private key needs a passphrase (read from the file's headers, no passphrase tried)."""
    if fmt == "pem":
        return b"Proc-Type: 4,ENCRYPTED" in raw
    if fmt == "pkcs8":
        return b"BEGIN ENCRYPTED PRIVATE KEY" in raw
    if fmt == "openssh":
        fields, _ = _openssh_fields(_armored_body(raw))
        return fields[0] != b"none"
    return False


# -- the openssh-key-v1 container: enough of it to read and set the comment --------------------------
def _read_string(buf: bytes, pos: int) -> tuple[bytes, int]:
    if pos + 4 > len(buf):
        raise InputError("not a readable private key (truncated)", code=Code.KEY_INVALID)
    (n,) = struct.unpack(">I", buf[pos:pos + 4])
    if pos + 4 + n > len(buf):
        raise InputError("not a readable private key (truncated)", code=Code.KEY_INVALID)
    return buf[pos + 4:pos + 4 + n], pos + 4 + n


def _openssh_fields(blob: bytes) -> tuple[list[bytes], int]:
    """cipher, kdf, kdfoptions, public key, private section (one key only) and the end offset."""
    if not blob.startswith(_OPENSSH_MAGIC):
        raise InputError("not a readable private key (no openssh-key-v1 header)", code=Code.KEY_INVALID)
    pos = len(_OPENSSH_MAGIC)
    cipher, pos = _read_string(blob, pos)
    kdf, pos = _read_string(blob, pos)
    kdfopts, pos = _read_string(blob, pos)
    (nkeys,) = struct.unpack(">I", blob[pos:pos + 4]) if pos + 4 <= len(blob) else (0,)
    if nkeys != 1:
        raise InputError("not a single-key OpenSSH private key file", code=Code.KEY_INVALID)
    pub, pos = _read_string(blob, pos + 4)
    priv, pos = _read_string(blob, pos)
    return [cipher, kdf, kdfopts, pub, priv], pos


#: Length-prefixed fields that follow the key type in the private section, per key type.
_PRIVATE_FIELDS = {b"ssh-rsa": 6, b"ssh-ed25519": 2, b"ssh-dss": 5}


def _split_private(priv: bytes) -> tuple[bytes, bytes]:
    """(checkints + key fields, comment) of an unencrypted private section."""
    ktype, pos = _read_string(priv, 8)
    count = _PRIVATE_FIELDS.get(ktype, 3 if ktype.startswith(b"ecdsa-sha2-") else -1)
    if count < 0:
        raise InputError(f"unsupported key type {ktype[:40].decode('ascii', 'replace')}", code=Code.KEY_INVALID)
    for _ in range(count):
        _, pos = _read_string(priv, pos)
    comment, _end = _read_string(priv, pos)
    return priv[:pos], comment


def openssh_comment(raw: bytes) -> str:
    """The comment stored inside an unencrypted OpenSSH-format private key ('' if none)."""
    fields, _ = _openssh_fields(_armored_body(raw))
    if fields[0] != b"none":
        return ""
    return _split_private(fields[4])[1].decode("utf-8", "replace")


def openssh_with_comment(raw: bytes, comment: str) -> bytes:
    """The same unencrypted OpenSSH-format key with ``comment`` stored inside (as ssh-keygen -C does)."""
    fields, _ = _openssh_fields(_armored_body(raw))
    if fields[0] != b"none":
        raise InputError("cannot set the comment of an encrypted key", code=Code.KEY_ENCRYPTED)
    head, _old = _split_private(fields[4])
    c = comment.encode()
    section = head + struct.pack(">I", len(c)) + c
    section += bytes(range(1, 1 + (-len(section) % 8)))  # padding 1, 2, 3... to the cipher block size (8)

    def s(b: bytes) -> bytes:
        return struct.pack(">I", len(b)) + b

    blob = b"".join([_OPENSSH_MAGIC, s(fields[0]), s(fields[1]), s(fields[2]), struct.pack(">I", 1), s(fields[3]),
                     s(section)])
    b64 = base64.b64encode(blob).decode()
    lines = [b64[i:i + 70] for i in range(0, len(b64), 70)]
    armored = "\n".join(["-----BEGIN OPENSSH PRIVATE KEY-----", *lines, "-----END OPENSSH PRIVATE KEY-----", ""])
    return armored.encode()


# -- loading -----------------------------------------------------------------------------------------
def load_private(raw: bytes, fmt: str, where: str) -> Any:
    """A cryptography private key object; InputError key_encrypted / key_invalid."""
    from cryptography.hazmat.primitives import serialization

    if fmt not in FORMATS:
        raise InputError(f"{where}: not a private key vendorci can read ({fmt})", code=Code.KEY_NOT_PRIVATE,
                         hint="Give the private key file (not NAME.pub); PuTTY keys: convert with puttygen first.")
    if is_encrypted(raw, fmt):
        raise _encrypted(where)
    try:
        if fmt == "openssh":
            return serialization.load_ssh_private_key(raw, password=None)
        return serialization.load_pem_private_key(raw, password=None)
    except TypeError:
        raise _encrypted(where) from None
    except Exception as exc:  # noqa: BLE001 - cryptography raises several kinds for damaged keys
        raise InputError(f"{where}: not a readable private key ({type(exc).__name__})", code=Code.KEY_INVALID) from None


def _encrypted(where: str) -> InputError:
    return InputError(
        f"{where}: the private key is encrypted (has a passphrase); vendorci does not read passphrases",
        code=Code.KEY_ENCRYPTED,
        hint=f"Convert it with OpenSSH, which asks for the passphrase: ssh-keygen -p -m PEM -f {where} "
             "(service keys for Zuul and Jenkins are normally unencrypted).")


def key_type_of(key: Any) -> tuple[str, int]:
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa

    if isinstance(key, rsa.RSAPrivateKey):
        return "rsa", key.key_size
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "ed25519", 256
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return "ecdsa", key.curve.key_size
    if isinstance(key, dsa.DSAPrivateKey):
        return "dsa", key.key_size
    return type(key).__name__.lower(), 0


def public_line(key: Any, comment: str = "") -> str:
    from cryptography.hazmat.primitives import serialization

    line = key.public_key().public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    return f"{line} {comment}".strip()


def serialize(key: Any, fmt: str, comment: str = "") -> bytes:
    """The unencrypted private key in ``fmt`` (``openssh`` keeps ``comment`` inside; ``pem`` has no place for one)."""
    from cryptography.hazmat.primitives import serialization

    if fmt == "pem":
        ktype, _ = key_type_of(key)
        if ktype == "ed25519":
            raise pem_refused()
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                                 serialization.NoEncryption())
    if fmt == "openssh":
        raw = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
        return openssh_with_comment(raw, comment)
    raise UsageError(f"unknown key format {fmt!r}", code=Code.BAD_KEY_FORMAT, hint="Use pem or openssh.")


def pem_refused() -> UsageError:
    return UsageError(
        "ed25519 keys have no traditional PEM form, and the Java SSH libraries that need PEM (JSch 0.1.55 in "
        "publish-over-ssh and other Jenkins plugins) cannot read ed25519 keys at all",
        code=Code.KEY_FORMAT_UNSUPPORTED,
        hint="Use an RSA key for those consumers: --type rsa --format pem; keep ed25519 in --format openssh for "
             "OpenSSH and paramiko.")


def check_format(fmt: str, key_type: str) -> None:
    """UsageError (exit 2) for a format generate/init cannot write for ``key_type``."""
    if fmt not in TARGET_FORMATS:
        raise UsageError(f"unknown key format {fmt!r}", code=Code.BAD_KEY_FORMAT,
                         hint="Use pem (traditional, read by Java SSH libraries) or openssh.")
    if fmt == "pem" and key_type == "ed25519":
        raise pem_refused()


def default_format(key_type: str) -> str:
    """What ``init`` writes for Zuul's Gerrit connection and Jenkins: RSA in PEM; ed25519 can only be OpenSSH."""
    return "openssh" if key_type == "ed25519" else "pem"


# -- who reads what ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verdict:
    consumer: str
    name: str
    status: str  # ok | no | depends
    reason: str = ""
    fix: str = ""
    note: str = ""  # what else the consumer needs, when it reads the key

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


CONSUMERS: dict[str, str] = {
    "openssh": "OpenSSH (ssh, scp, ssh-keygen)",
    "paramiko": "paramiko >= 2.7 (vendorci, Zuul v3 and later)",
    "jenkins-ssh-agents": "Jenkins ssh-agents plugin (agent launch, trilead-ssh2)",
    "jsch": "JSch 0.1.55 plugins (publish-over-ssh, SCP publisher, ...)",
    "zuul-gerrit": "Zuul's Gerrit connection (zuul.conf sshkey)",
}
JSCH_RSA_NOTE = ("JSch 0.1.55 signs with ssh-rsa (SHA-1), which OpenSSH 8.8 and later refuse by default: the server "
                 "it logs in to (e.g. the log server) needs 'PubkeyAcceptedAlgorithms +ssh-rsa' in sshd_config, or "
                 "a plugin built on a JSch with rsa-sha2 support (com.github.mwiede:jsch)")
#: Which consumers read the key a data repository variable (or default file name) names.
ROLE_CONSUMERS: dict[str, tuple[str, ...]] = {
    "UPSTREAM_GERRIT_SSH_KEY_PATH": ("zuul-gerrit",),
    "gerrit_key": ("zuul-gerrit",),
    "JENKINS_SSH_KEY_PATH": ("jenkins-ssh-agents", "jsch"),
    "jenkins_key": ("jenkins-ssh-agents", "jsch"),
    # a Zuul v3+ data repo: its Gerrit connection is paramiko >= 2.7, which reads OpenSSH and ed25519 keys too
    "UPSTREAM_GERRIT_SSH_KEY_PATH:v3": ("paramiko",),
    "gerrit_key:v3": ("paramiko",),
}


def _verdict(consumer: str, fmt: str, ktype: str, path: str) -> Verdict:
    import shlex

    name = CONSUMERS[consumer]
    # the same key in another file format: its fingerprint stays, nothing to register again
    convert_pem = f"vendorci keys convert {shlex.quote(path)} --format pem"
    p = Path(path)
    new_rsa = (f"vendorci keys generate {shlex.quote(p.name + '-rsa')} --dir {shlex.quote(str(p.parent))} --type rsa "
               f"--format pem, then register {p.name}-rsa.pub where {p.name}.pub is registered (Gerrit account, "
               "agents' authorized_keys) and point the consumer at it")
    if consumer == "openssh":
        if ktype in ("rsa", "ed25519", "ecdsa"):
            return Verdict(consumer, name, "ok")
        return Verdict(consumer, name, "no", f"OpenSSH 9 no longer accepts {ktype} keys", new_rsa)
    if consumer == "paramiko":
        if ktype not in ("rsa", "ed25519", "ecdsa"):
            return Verdict(consumer, name, "no", f"{ktype} keys are not supported", new_rsa)
        if fmt == "pkcs8":
            fix = f"vendorci keys convert {shlex.quote(path)} --format {default_format(ktype)}"
            return Verdict(consumer, name, "no", "paramiko's key classes do not read PKCS#8 (BEGIN PRIVATE KEY)", fix)
        return Verdict(consumer, name, "ok")
    if consumer == "jsch":
        if ktype == "ed25519":
            return Verdict(consumer, name, "no", "JSch 0.1.55 has no ed25519 support ('invalid privatekey')", new_rsa)
        if fmt == "openssh":
            return Verdict(consumer, name, "no", "JSch 0.1.55 cannot read the OpenSSH private key format "
                           "('invalid privatekey')", convert_pem)
        if fmt == "pkcs8" and ktype != "rsa":
            return Verdict(consumer, name, "no", "JSch 0.1.55 reads PKCS#8 only for RSA", convert_pem)
        return Verdict(consumer, name, "ok", note=JSCH_RSA_NOTE if ktype == "rsa" else "")
    if consumer == "jenkins-ssh-agents":
        if ktype == "ed25519":
            return Verdict(consumer, name, "depends", "ed25519 needs a recent trilead-api plugin; older Jenkins "
                           "masters fail the agent launch", new_rsa)
        if fmt != "pem":
            return Verdict(consumer, name, "depends", f"the {fmt} format needs a recent trilead-api plugin; older "
                           "Jenkins masters fail the agent launch (their documentation asks for ssh-keygen -m PEM)",
                           convert_pem)
        return Verdict(consumer, name, "ok")
    # zuul-gerrit: Zuul 2 runs paramiko 1.x (no OpenSSH format, no ed25519) and Zuul's Gerrit driver documents
    # RSA in PEM (ssh-keygen -t rsa -m PEM)
    if ktype != "rsa":
        return Verdict(consumer, name, "no", f"Zuul's Gerrit driver asks for an RSA key in PEM; Zuul 2's paramiko "
                       f"1.x cannot read {ktype} keys", new_rsa)
    if fmt != "pem":
        return Verdict(consumer, name, "no", f"Zuul's Gerrit driver asks for RSA in PEM; Zuul 2's paramiko 1.x "
                       f"cannot read the {fmt} format", convert_pem)
    return Verdict(consumer, name, "ok")


def consumers_for(fmt: str, ktype: str, path: str, only: tuple[str, ...] | None = None) -> list[Verdict]:
    """One verdict per consumer (all, or ``only``) for a private key of ``fmt`` and ``ktype``."""
    return [_verdict(c, fmt, ktype, path) for c in (only or tuple(CONSUMERS))]


@dataclass(frozen=True)
class FormatReport:
    path: str
    format: str
    type: str
    bits: int
    encrypted: bool
    consumers: list[Verdict] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "format": self.format, "type": self.type, "bits": self.bits,
                "encrypted": self.encrypted, "consumers": [v.as_dict() for v in self.consumers]}


def format_report(path: str | os.PathLike[str], only: tuple[str, ...] | None = None) -> FormatReport:
    """Format and consumer verdicts of a key file (a public key gets no verdicts)."""
    p = Path(path)
    raw = read_key(p)
    fmt = detect_format(raw)
    if fmt not in FORMATS:
        return FormatReport(str(p), fmt, "", 0, False, [])
    ktype, bits, encrypted = "", 0, is_encrypted(raw, fmt)
    if not encrypted:
        ktype, bits = key_type_of(load_private(raw, fmt, str(p)))
    else:
        ktype = _type_from_pub(p) or _PEM_TAGS.get(_pem_tag(raw), "")
    if not ktype:
        return FormatReport(str(p), fmt, "unknown", 0, encrypted, [])
    return FormatReport(str(p), fmt, ktype, bits, encrypted, consumers_for(fmt, ktype, str(p), only))


def _pem_tag(raw: bytes) -> str:
    first = raw.decode("ascii", "replace").lstrip().split("\n", 1)[0]
    return first.removeprefix("-----BEGIN ").removesuffix("-----").strip()


def _type_from_pub(p: Path) -> str:
    pub = p.with_name(p.name + ".pub")
    try:
        word = pub.read_text(encoding="utf-8", errors="replace").split()[0] if pub.is_file() else ""
    except (OSError, IndexError):
        return ""
    return {"ssh-rsa": "rsa", "ssh-ed25519": "ed25519", "ssh-dss": "dsa"}.get(
        word, "ecdsa" if word.startswith("ecdsa-") else "")


def read_key(p: Path) -> bytes:
    if not p.exists() and not p.is_symlink():
        raise InputError(f"{p}: no such file", code=Code.FILE_MISSING)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, expected a key file", code=Code.NOT_A_FILE)
    from vendorci.fsutil import read_bounded

    try:  # non-blocking and regular files only: a FIFO or a device is refused at once
        raw = read_bounded(p, MAX_KEY_BYTES + 1, "key file")
    except InputError as exc:
        if exc.code == Code.FILE_TOO_LARGE:
            raise InputError(f"{p}: too large to be an SSH key", code=Code.KEY_INVALID) from None
        raise
    if len(raw) > MAX_KEY_BYTES:
        raise InputError(f"{p}: too large to be an SSH key", code=Code.KEY_INVALID)
    return raw


def problems_for_role(path: str | os.PathLike[str], role: str) -> list[Verdict]:
    """Verdicts other than ok for the consumers of ``role`` (a KEY var name or gerrit_key/jenkins_key).

    Unreadable or encrypted keys give nothing here: other checks report those."""
    only = ROLE_CONSUMERS.get(role)
    if not only:
        return []
    try:
        report = format_report(path, only)
    except InputError:
        return []
    return [v for v in report.consumers if v.status != "ok"]


def init_key_note(key_type: str, key_format: str | None) -> str:
    """The data repository README's paragraph on the form of the keys ``init`` wrote."""
    fmt = key_format or default_format(key_type)
    if key_type == "rsa" and fmt == "pem":
        return ("Both keys are RSA (4096 bits) in the traditional PEM form\n"
                "(`-----BEGIN RSA PRIVATE KEY-----`), the form every consumer of them reads:\n"
                "Zuul's Gerrit connection (its driver asks for RSA in PEM), the Jenkins\n"
                "ssh-agents launcher, and JSch-based plugins such as publish-over-ssh (JSch\n"
                "0.1.55 reads neither OpenSSH-format nor ed25519 keys). `vendorci init\n"
                "--key-format openssh` writes OpenSSH-format keys instead.")
    what = "ed25519" if key_type == "ed25519" else "RSA (4096 bits)"
    fix = ("they need an RSA key in PEM\n(`vendorci keys generate NAME --type rsa --format pem`)."
           if key_type == "ed25519" else
           "`vendorci keys convert gerrit_key --format pem`\nfixes that without changing the key.")
    return (f"Both keys are {what} in OpenSSH's format\n"
            "(`-----BEGIN OPENSSH PRIVATE KEY-----`), as `vendorci init` was asked. OpenSSH\n"
            "and paramiko read them; Zuul 2's Gerrit connection, older Jenkins ssh-agents\n"
            f"launchers and JSch-based plugins such as publish-over-ssh cannot: {fix}")


def role_warnings(path: str | os.PathLike[str], role: str, shown: str) -> list[tuple[str, str, str]]:
    """(code, message, fix) for each consumer of ``role`` that cannot (or may not) read the key at ``path``."""
    out = []
    for v in problems_for_role(path, role):
        verb = "cannot read" if v.status == "no" else "may not read"
        out.append((Code.KEYS_FORMAT, f"{shown} is handed to {v.name}, which {verb} it: {v.reason}", v.fix))
    return out


def credential_warnings(key_path: str | os.PathLike[str] | None) -> list[dict[str, str]]:
    """Warnings for a key about to be stored as a Jenkins SSH credential (read by ssh-agents and JSch plugins)."""
    if key_path is None:
        return []
    return [{"code": code, "message": message, "hint": fix}
            for code, message, fix in role_warnings(key_path, "JENKINS_SSH_KEY_PATH", str(key_path))]
