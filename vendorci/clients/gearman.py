"""A small Gearman admin client over a plain socket.

The admin protocol is line-based text on the job port (see docs/PROTOCOLS):
``status`` and ``workers`` answer lines ended by ``.``; ``version`` answers one
``OK ...`` line on gearmand and nothing at all on gear's server (what zuul-server
embeds).  Every request has a deadline; a reply that is not the protocol raises
``gearman_protocol_error``, a connection closed mid-reply ``gearman_closed``.

:meth:`GearmanAdmin.probe` pipelines ``version`` and ``status`` on one
connection: servers answer in order, so the version is known (or known to be
absent) without waiting for a reply that gear's server never sends.
"""

from __future__ import annotations

import re
import socket
import time
from typing import NamedTuple

from vendorci.clients.nethint import connect_hint
from vendorci.errors import ConnectionFailed

DEFAULT_PORT = 4730
MAX_REPLY = 64 * 1024 * 1024  # one admin reply; 10,000 functions with long names are well under 2 MB
# The client id may hold spaces (Zuul 2's embedded server: "Zuul Merger",
# "Zuul RPC Listener"); the function list after " :" is space-separated names.
_WORKER_RE = re.compile(r"^(\d+) (\S+) (.+?) :((?: \S+)*) ?\r?$")


CLOSED_HINT = ("The Gearman server went away mid-request: it was stopped, or is restarting or overloaded (is "
               "gearmand/zuul-server still running?), or this port is not a Gearman server.")


class GearmanError(ConnectionFailed):
    code = "gearman_error"


class FunctionStatus(NamedTuple):  # a NamedTuple: 10,000 of them are built in a few ms
    name: str
    total: int  # queued plus running
    running: int
    workers: int  # available workers

    @property
    def queued(self) -> int:
        return self.total - self.running

    def as_dict(self) -> dict:
        return {"name": self.name, "total": self.total, "running": self.running, "workers": self.workers,
                "queued": self.queued}


class WorkerInfo(NamedTuple):  # a NamedTuple, like FunctionStatus: no dataclasses import on the quick path
    fd: int
    address: str
    client_id: str  # "-" when the connection set none
    functions: tuple[str, ...]

    def as_dict(self) -> dict:
        return {"fd": self.fd, "address": self.address, "client_id": self.client_id,
                "functions": list(self.functions)}


def parse_address(text: str, default_port: int = DEFAULT_PORT) -> tuple[str, int]:
    """``HOST[:PORT]`` (``[v6]:PORT`` too) -> (host, port)."""
    s = text.strip()
    if s.startswith("["):
        host, _, rest = s[1:].partition("]")
        port = rest.lstrip(":") or str(default_port)
    elif s.count(":") == 1:
        host, _, port = s.partition(":")
    else:
        host, port = s, str(default_port)
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        from vendorci.errors import UsageError

        raise UsageError(f"bad Gearman server {text!r}", code="bad_address", hint="Use HOST:PORT, e.g. 127.0.0.1:4730.")
    return host, int(port)


def _protocol_error(where: str, line: bytes, cmd: str) -> GearmanError:
    shown = line[:80].decode("utf-8", "replace").strip()
    return GearmanError(
        f"{where} answered {cmd!r} with {shown!r}, which is not the Gearman admin protocol",
        code="gearman_protocol_error",
        hint="Check that HOST:PORT is the Gearman server (gearmand or zuul-server's embedded one), "
        "not another service.",
    )


def parse_status(text: str) -> list[FunctionStatus]:
    """Lines ``FUNC\\tTOTAL\\tRUNNING\\tWORKERS`` (without the final ``.``); any other line is a protocol error."""
    out: list[FunctionStatus] = []
    append = out.append
    new = tuple.__new__  # what FunctionStatus(...) does, without its Python-level __new__ (10,000 rows)
    for line in text.split("\n"):
        f = line.split("\t")
        if len(f) == 4:
            append(new(FunctionStatus, (f[0], int(f[1]), int(f[2]), int(f[3]))))
        elif line.rstrip("\r") not in ("", "."):
            raise ValueError(line)
    return out


def parse_workers(text: str) -> list[WorkerInfo]:
    """Lines ``FD ADDRESS CLIENT_ID : FUNC FUNC`` (without the final ``.``)."""
    out = []
    for line in text.splitlines():
        if not line or line == ".":
            continue
        m = _WORKER_RE.match(line)
        if m is None:
            raise ValueError(line)
        out.append(WorkerInfo(int(m[1]), m[2], m[3], tuple(m[4].split())))
    return out


def _valid_status_line(line: bytes) -> bool:
    f = line.split(b"\t")
    return line == b"." or (len(f) == 4 and all(x.isdigit() for x in f[1:]))


def _valid_workers_line(line: bytes) -> bool:
    return line == b"." or _WORKER_RE.match(line.decode("utf-8", "replace")) is not None


class GearmanAdmin:
    """One admin connection; use as a context manager."""

    def __init__(self, host: str, port: int = DEFAULT_PORT, timeout: float = 5.0) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self._sock: socket.socket | None = None
        self._buf = b""

    @property
    def where(self) -> str:
        return f"Gearman server {self.host}:{self.port}"

    def connect(self) -> GearmanAdmin:
        try:
            # an ASCII name goes to the resolver as bytes: a str would load the IDNA codec (a millisecond of a
            # command that is run in loops) only to give the same bytes back
            host: str | bytes = self.host.encode("ascii") if self.host.isascii() else self.host
            self._sock = socket.create_connection((host, self.port), timeout=self.timeout)  # type: ignore[arg-type]
        except TimeoutError:
            raise GearmanError(f"{self.where}: no answer to connect within {self.timeout:g}s",
                               code="gearman_timeout",
                               hint="A firewall drops the packets, or the host is down.") from None
        except OSError as exc:
            raise GearmanError(
                f"{self.where}: cannot connect: {exc.strerror or exc}",
                code="gearman_unreachable",
                hint=connect_hint(self.host, exc, "Start the Gearman server (gearmand, or zuul-server with "
                                  "[gearman_server] start=true) or fix the address (--server, doctor --gearman, "
                                  "gearman.server, [gearman] server in zuul.conf).",
                                  "--server / doctor --gearman / [gearman] server in zuul.conf"),
            ) from None
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return self

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> GearmanAdmin:
        return self.connect() if self._sock is None else self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- low level ------------------------------------------------------------
    def _send(self, data: bytes) -> None:
        if self._sock is None:
            self.connect()
        assert self._sock is not None
        try:
            self._sock.sendall(data)
        except OSError as exc:
            raise GearmanError(f"{self.where}: send failed: {exc}", code="gearman_closed", hint=CLOSED_HINT) from None

    def _fill(self, deadline: float, cmd: str, got: int) -> bool:
        """Read more into the buffer; False on timeout, raise when closed."""
        assert self._sock is not None
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        self._sock.settimeout(left)
        try:
            chunk = self._sock.recv(262144)
        except TimeoutError:
            return False
        except OSError as exc:
            self.close()
            raise GearmanError(f"{self.where}: connection lost during {cmd!r}: {exc}", code="gearman_closed",
                               hint=CLOSED_HINT) from None
        if not chunk:
            self.close()
            raise GearmanError(
                f"{self.where} closed the connection in the middle of the {cmd!r} reply"
                + (f" (after {got} bytes)" if got else ""),
                code="gearman_closed",
                hint=CLOSED_HINT,
            )
        self._buf += chunk
        if len(self._buf) > MAX_REPLY:
            self.close()
            raise GearmanError(f"{self.where} sent more than {MAX_REPLY} bytes for {cmd!r}; stopped reading",
                               code="gearman_reply_too_large", hint="Is HOST:PORT really a Gearman server?")
        return True

    def _line(self, deadline: float, cmd: str) -> bytes | None:
        while True:
            i = self._buf.find(b"\n")
            if i >= 0:
                line, self._buf = self._buf[:i], self._buf[i + 1:]
                return line.rstrip(b"\r")
            if not self._fill(deadline, cmd, len(self._buf)):
                return None

    def _timeout(self, cmd: str, timeout: float) -> GearmanError:
        self.close()  # a late reply would be read as the answer to the next request
        return GearmanError(f"{self.where}: no complete answer to {cmd!r} within {timeout:g}s",
                            code="gearman_timeout",
                            hint="The server is overloaded or this port is not a Gearman server; "
                            "raise --timeout if it is only slow.")

    def _block(self, cmd: str, valid, timeout: float | None = None) -> str:
        """Read a ``.``-terminated reply, checking its first line is the protocol."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        first = self._line(deadline, cmd)
        if first is None:
            raise self._timeout(cmd, timeout)
        if first == b".":
            return ""
        if not valid(first):
            self.close()
            raise _protocol_error(self.where, first, cmd)
        # the rest: read until a buffer holds the terminator, then split once (fast for 10k lines)
        start = 0
        while True:
            if self._buf.startswith(b".\n"):
                end = 0
            else:
                end = self._buf.find(b"\n.\n", max(0, start - 2))
                end = -1 if end < 0 else end + 1
            if end >= 0:
                body, self._buf = self._buf[:end], self._buf[end + 2:]
                return (first + b"\n" + body).decode("utf-8", "replace")
            start = len(self._buf)
            if not self._fill(deadline, cmd, len(self._buf)):
                raise self._timeout(cmd, timeout)

    def _parse(self, cmd: str, text: str, parser):
        try:
            return parser(text)
        except ValueError as exc:
            self.close()
            raise _protocol_error(self.where, str(exc).encode(), cmd) from None

    # -- requests -------------------------------------------------------------
    def status(self, timeout: float | None = None) -> list[FunctionStatus]:
        self._send(b"status\n")
        return self._parse("status", self._block("status", _valid_status_line, timeout), parse_status)

    def workers(self, timeout: float | None = None) -> list[WorkerInfo]:
        self._send(b"workers\n")
        return self._parse("workers", self._block("workers", _valid_workers_line, timeout), parse_workers)

    def version(self, wait: float = 0.5) -> str | None:
        """The server version, or None when it does not answer within ``wait``
        (gear's server ignores the command) or answers ``ERR``."""
        self._send(b"version\n")
        line = self._line(time.monotonic() + wait, "version")
        if line is None:
            self.close()
            return None
        return _version_from(line, self.where)

    def probe(self, timeout: float | None = None) -> tuple[str | None, list[FunctionStatus]]:
        """``version`` and ``status`` pipelined: (version or None, status) in one round trip."""
        self._send(b"version\nstatus\n")
        timeout = self.timeout if timeout is None else timeout
        first = self._line(time.monotonic() + timeout, "version")
        if first is None:
            raise self._timeout("status", timeout)
        version = None
        if first.startswith((b"OK", b"ERR")) and b"\t" not in first:
            version = _version_from(first, self.where)
        else:
            self._buf = first + b"\n" + self._buf  # gear's server: that was already the status reply
        return version, self._parse("status", self._block("status", _valid_status_line, timeout), parse_status)


def _version_from(line: bytes, where: str) -> str | None:
    if line.startswith(b"OK"):
        return line[2:].decode("utf-8", "replace").strip() or None
    if line.startswith(b"ERR"):
        return None
    raise _protocol_error(where, line, "version")


def connect(host: str, port: int = DEFAULT_PORT, timeout: float = 5.0) -> GearmanAdmin:
    return GearmanAdmin(host, port, timeout).connect()
