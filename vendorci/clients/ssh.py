"""SSH with verified host keys (paramiko), errors translated to VendorciError.

Host keys are checked against a known_hosts file: a known, matching key is
accepted; a changed key is always refused (HostKeyMismatch); an unknown key
is refused (HostKeyUnknown) unless ``accept_new`` is set, in which case it is
recorded in the known_hosts file (atomically) and accepted.
"""

from __future__ import annotations

import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vendorci.clients.nethint import connect_hint
from vendorci.errors import (
    AuthFailed,
    ConnectionFailed,
    HostKeyMismatch,
    HostKeyUnknown,
    InputError,
    OperationFailed,
    WaitTimeout,
)

MAX_OUTPUT = 16 * 1024 * 1024  # stdout + stderr of one remote command


def host_key_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


def _fp(key: Any) -> str:
    import base64
    import hashlib

    return "SHA256:" + base64.b64encode(hashlib.sha256(key.asbytes()).digest()).decode().rstrip("=")


def add_known_host(known_hosts: Path, host: str, port: int, key: Any) -> None:
    """Record ``key`` for host:port in ``known_hosts`` (locked, atomic, through a symlink)."""
    from vendorci.clients import known_hosts as kh

    kh.add(known_hosts, host, port, key.get_name(), key.get_base64())


def check_host_key(known_hosts: Path, host: str, port: int, key: Any, accept_new: bool) -> str:
    """Verify ``key`` as OpenSSH does (see ``clients.known_hosts``); "known" or "added"; raises otherwise."""
    from vendorci.clients import known_hosts as kh

    return kh.check(known_hosts, host, port, key, accept_new)


@dataclass
class SshTarget:
    host: str
    port: int
    user: str
    key_path: Path | None
    known_hosts: Path
    accept_new: bool = False
    timeout: float = 10.0


class SshSession:
    """One authenticated SSH connection; use as a context manager."""

    def __init__(self, target: SshTarget) -> None:
        self.target = target
        self.client: Any = None
        self.host_key_status = ""

    def __enter__(self) -> SshSession:
        self.connect()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connect(self) -> None:
        import paramiko

        t = self.target
        pkey = load_private_key(t.key_path) if t.key_path else None
        sock = None
        try:
            sock = socket.create_connection((t.host, t.port), timeout=t.timeout)
        except TimeoutError:
            raise WaitTimeout(f"SSH to {t.host}:{t.port}: no answer within {t.timeout:g}s",
                              code="ssh_timeout", hint="Check the host is up and no firewall drops port "
                              f"{t.port}.") from None
        except OSError as exc:
            raise ConnectionFailed(f"SSH to {t.host}:{t.port}: {exc.strerror or exc}", code="ssh_unreachable",
                                   hint=connect_hint(t.host, exc, f"Is sshd running on {t.host} and port {t.port} "
                                                     "open?")) from None
        transport = paramiko.Transport(sock)
        transport.banner_timeout = t.timeout
        transport.auth_timeout = t.timeout
        try:
            negotiated = threading.Event()
            transport.start_client(event=negotiated)  # paramiko's own timeout returns silently, unnegotiated
            if not negotiated.wait(t.timeout):
                transport.close()
                raise WaitTimeout(f"SSH to {t.host}:{t.port}: no SSH handshake within {t.timeout:g}s",
                                  code="ssh_timeout", hint="The port is open but the peer does not speak SSH "
                                  "(or is overloaded): check the host and port.")
            if not transport.is_active():
                raise transport.get_exception() or paramiko.SSHException("negotiation failed")
            self.host_key_status = check_host_key(t.known_hosts, t.host, t.port, transport.get_remote_server_key(),
                                                  t.accept_new)
            if pkey is None:
                raise AuthFailed(f"SSH to {t.user}@{t.host}:{t.port}: no private key given", code="ssh_no_key")
            transport.auth_publickey(t.user, pkey)
        except (HostKeyMismatch, HostKeyUnknown, AuthFailed, WaitTimeout):
            transport.close()
            raise
        except paramiko.AuthenticationException:
            transport.close()
            raise AuthFailed(f"SSH authentication failed for {t.user}@{t.host}:{t.port} with {t.key_path}",
                             code="ssh_auth_failed",
                             hint=f"Add the public key {t.key_path}.pub to ~{t.user}/.ssh/authorized_keys on the host."
                             ) from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            transport.close()
            raise ConnectionFailed(f"SSH to {t.host}:{t.port} failed: {exc or type(exc).__name__}",
                                   code="ssh_protocol_error",
                                   hint="The peer closed the connection or is not an SSH server.") from None
        client = paramiko.SSHClient()
        client._transport = transport  # type: ignore[attr-defined]  # an already verified, authenticated transport
        self.client = client

    def run(self, command: str, timeout: float | None = None, stdin: bytes | None = None) -> tuple[int, str, str]:
        """Run ``command``; return (exit status, stdout, stderr). Raises WaitTimeout past ``timeout``."""
        import paramiko

        limit = timeout or self.target.timeout
        try:
            chan = self.client.get_transport().open_session(timeout=limit)
            chan.settimeout(limit)
            chan.exec_command(command)
            if stdin:
                chan.sendall(stdin)
            chan.shutdown_write()
            out, err = bytearray(), bytearray()
            import time

            deadline = time.monotonic() + limit
            # Read both streams until the remote side has sent EOF (or closed)
            # AND the exit status: the status can arrive before the last data.
            while True:
                if len(out) + len(err) > MAX_OUTPUT:
                    chan.close()
                    raise OperationFailed(f"{command.split()[0]!r} on {self.target.host} wrote more than "
                                          f"{MAX_OUTPUT} bytes; stopped reading", code="ssh_output_too_large",
                                          hint="Is the command (or a login banner/profile script) looping?")
                if chan.recv_ready():
                    out += chan.recv(65536)
                elif chan.recv_stderr_ready():
                    err += chan.recv_stderr(65536)
                elif chan.exit_status_ready() and (chan.eof_received or chan.closed):
                    break
                elif time.monotonic() > deadline:
                    chan.close()
                    raise WaitTimeout(f"remote command did not finish within {limit:g}s: {command.split()[0]}",
                                      code="ssh_command_timeout")
                else:
                    time.sleep(0.005)
            status = chan.recv_exit_status()
            chan.close()
            if status == -1 and not self.client.get_transport().is_active():  # no exit status: the peer went away
                raise ConnectionFailed(
                    f"SSH connection to {self.target.host}:{self.target.port} was closed before "
                    f"{command.split()[0]!r} finished", code="ssh_connection_lost",
                    hint="sshd or the host dropped the session (a ForceCommand, a restart, OOM, a firewall idle "
                    "timeout); see the host's auth log.")
            return status, out.decode(errors="replace"), err.decode(errors="replace")
        except TimeoutError:
            raise WaitTimeout(f"remote command timed out after {limit:g}s", code="ssh_command_timeout") from None
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise ConnectionFailed(f"SSH connection to {self.target.host} lost: {exc or type(exc).__name__}",
                                   code="ssh_connection_lost") from None

    def close(self) -> None:
        if self.client is not None:
            self.client.close()
            self.client = None


def load_private_key(path: Path | str) -> Any:
    """Load an OpenSSH/PEM private key (RSA, Ed25519, ECDSA) without a passphrase."""
    import paramiko

    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: private key not found", code="key_missing")
    if os.stat(p).st_mode & 0o077:
        raise InputError(f"{p}: private key is readable by group or others", code="key_mode_unsafe",
                         hint=f"chmod 600 {p}")
    errors = []
    for cls in (paramiko.Ed25519Key, paramiko.RSAKey, paramiko.ECDSAKey):
        try:
            return cls.from_private_key_file(str(p))
        except paramiko.PasswordRequiredException:
            raise InputError(f"{p}: private key is encrypted; vendorci needs an unencrypted service key",
                             code="key_encrypted") from None
        except Exception as exc:  # noqa: BLE001 - paramiko raises IndexError/AssertionError on damaged keys
            errors.append(str(exc))
    raise InputError(f"{p}: not a usable SSH private key", code="key_invalid")
