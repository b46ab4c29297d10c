"""Gerrit over SSH (29418: version, query, review, stream-events) and REST (``/a/``, basic auth, ``)]}'`` prefix).

Both query paths return changes normalized to one shape (:func:`normalize_ssh_change`, :func:`normalize_rest_change`)::

    {"number", "project", "branch", "subject", "url", "status", "patchset" (current),
     "messages": [{"ts", "username", "message", "patchset"}],
     "approvals": [{"username", "value", "patchset"}]}          # Verified only

:class:`EventStream` is one ``gerrit stream-events`` channel on a connection of its own, read by a thread into a
queue, so that a waiter sees an event as soon as its line arrives and learns when the stream is refused or drops.
"""

from __future__ import annotations

import contextlib
import json
import queue
import re
import shlex
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from vendorci.clients.gerrit_parse import parse_patchset
from vendorci.clients.nethint import connect_hint
from vendorci.clients.ssh import SshSession, SshTarget
from vendorci.errors import AuthFailed, ConnectionFailed, InputError, OperationFailed, VendorciError, WaitTimeout

NOT_PERMITTED = re.compile(r"not permitted|capability|streamEvents", re.I)


@contextlib.contextmanager
def shape_guard(peer: str, what: str) -> Iterator[None]:
    """Errors met while reading a peer's answer of the wrong shape (a timestamp that is not a number,
    a string where an object belongs) become a clear error naming the peer (exit 1), never exit 3."""
    from vendorci.clients.http import peer_unexpected

    try:
        yield
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        raise peer_unexpected(peer, what, exc) from None


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def check_command(rc: int, out: str, err: str, what: str) -> str:
    if rc != 0:
        msg = (err or out).strip().splitlines()
        raise OperationFailed(f"{what} failed: {msg[0] if msg else f'exit status {rc}'}", code="gerrit_command_failed",
                              data={"exit_status": rc, "stderr": err.strip()})
    return out


def gerrit_version(session: SshSession, timeout: float = 10.0) -> str:
    out = check_command(*session.run("gerrit version", timeout=timeout), "gerrit version")
    m = re.search(r"gerrit version (\S+)", out)
    if not m:
        raise OperationFailed(f"unexpected answer to `gerrit version`: {out.strip()[:80]!r}", code="gerrit_unexpected",
                              hint="Is this port a Gerrit SSH port (29418) and not a plain sshd?")
    return m.group(1)


def query_lines(text: str) -> list[dict]:
    """Parse ``gerrit query --format=JSON`` output: change objects; an error line raises."""
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise OperationFailed(f"gerrit query: not JSON: {line[:80]!r}", code="gerrit_unexpected") from None
        if not isinstance(obj, dict):
            raise OperationFailed(f"gerrit query answered a JSON {type(obj).__name__} where a change object belongs: "
                                  f"{line[:80]!r}", code="gerrit_unexpected")
        if obj.get("type") == "error":
            raise InputError(f"gerrit query refused: {obj.get('message')}", code="gerrit_query_error")
        if obj.get("type") != "stats":
            rows.append(obj)
    return rows


def ssh_query(session: SshSession, query: str, options: tuple[str, ...] = ("--comments", "--current-patch-set"),
              timeout: float = 30.0) -> list[dict]:
    cmd = "gerrit query --format=JSON " + " ".join(options) + " " + shlex.quote(query)
    rc, out, err = session.run(cmd, timeout=timeout)
    if rc != 0 and '"type":"error"' in out.replace(" ", ""):
        return query_lines(out)  # raises with Gerrit's message
    rows = query_lines(check_command(rc, out, err, "gerrit query"))
    with shape_guard(f"Gerrit at {session.target.host}" if hasattr(session, "target") else "Gerrit", "gerrit query"):
        return [normalize_ssh_change(c) for c in rows]


def ssh_review(session: SshSession, change: int, patchset: int, *, message: str | None = None,
               verified: int | None = None, abandon: bool = False, timeout: float = 30.0) -> None:
    cmd = f"gerrit review {change},{patchset}"
    if verified is not None:
        cmd += f" --verified {verified:d}"
    if message:
        cmd += " -m " + shlex.quote(message)
    if abandon:
        cmd += " --abandon"
    check_command(*session.run(cmd, timeout=timeout), f"gerrit review {change},{patchset}")


def normalize_ssh_change(c: dict) -> dict:
    messages = []
    for m in c.get("comments") or []:
        messages.append({"ts": float(m.get("timestamp") or 0), "username": (m.get("reviewer") or {}).get("username"),
                         "message": m.get("message") or "", "patchset": parse_patchset(m.get("message") or "")})
    approvals = []
    sets = list(c.get("patchSets") or [])
    cur = c.get("currentPatchSet")
    if cur and not any(_int(p.get("number")) == _int(cur.get("number")) for p in sets):
        sets.append(cur)
    for ps in sets:
        for a in ps.get("approvals") or []:
            if a.get("type") == "Verified" and _int(a.get("value")) is not None:
                approvals.append({"username": (a.get("by") or {}).get("username"), "value": _int(a["value"]),
                                  "patchset": _int(ps.get("number"))})
    current = _int((cur or {}).get("number")) or max((_int(p.get("number")) or 0 for p in sets), default=None)
    return {"number": _int(c.get("number")), "project": c.get("project"), "branch": c.get("branch"),
            "subject": c.get("subject"), "url": c.get("url"), "status": c.get("status"), "patchset": current,
            "messages": messages, "approvals": approvals}


def _rest_ts(date: str) -> float:
    import calendar

    return float(calendar.timegm(time.strptime(date.split(".")[0], "%Y-%m-%d %H:%M:%S")))


def normalize_rest_change(c: dict, base_url: str) -> dict:
    cur_rev = c.get("current_revision")
    current = _int(((c.get("revisions") or {}).get(cur_rev) or {}).get("_number")) if cur_rev else None
    messages = [{"ts": _rest_ts(m["date"]), "username": (m.get("author") or {}).get("username"),
                 "message": m.get("message") or "", "patchset": _int(m.get("_revision_number"))}
                for m in c.get("messages") or []]
    if current is None:
        current = max((_int(m["patchset"]) or 0 for m in messages), default=0) or None
    approvals = [{"username": a.get("username"), "value": _int(a.get("value")), "patchset": current}
                 for a in ((c.get("labels") or {}).get("Verified") or {}).get("all") or [] if a.get("value")]
    return {"number": _int(c.get("_number")), "project": c.get("project"), "branch": c.get("branch"),
            "subject": c.get("subject"), "url": f"{base_url.rstrip('/')}/c/{c.get('project')}/+/{c.get('_number')}",
            "status": c.get("status"), "patchset": current, "messages": messages, "approvals": approvals}


@dataclass
class GerritRest:
    """Authenticated REST calls under ``/a/`` (HTTP basic); every call has a timeout."""

    url: str
    user: str
    password: str
    timeout: float = 15.0

    def get(self, path: str, params: list[tuple[str, str]] | None = None) -> Any:
        import base64
        import urllib.error
        import urllib.parse
        import urllib.request

        full = self.url.rstrip("/") + "/a/" + path.lstrip("/")
        if params:
            full += "?" + urllib.parse.urlencode(params)
        if not full.startswith(("http://", "https://")):
            raise InputError(f"Gerrit REST URL must be http(s): {self.url}", code="gerrit_http_url")
        from vendorci.clients.http import read_body, urllib_opener

        token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        req = urllib.request.Request(full, headers={"Authorization": f"Basic {token}",  # noqa: S310 (scheme checked)
                                                    "Accept": "application/json"})
        peer = f"Gerrit REST at {self.url}"
        try:  # the password goes to the configured origin only: a redirect elsewhere is refused
            with urllib_opener(self.url, "Gerrit REST").open(req, timeout=self.timeout) as resp:
                body = read_body(resp, peer).decode("utf-8", errors="replace")
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise AuthFailed(f"Gerrit REST {path}: HTTP {exc.code} for user {self.user}", code="gerrit_http_auth",
                                 hint="Check VENDORCI_GERRIT_HTTP_USER / VENDORCI_GERRIT_HTTP_PASSWORD (the HTTP "
                                 "password from the account's settings page, not the login password).") from None
            raise OperationFailed(f"Gerrit REST {path}: HTTP {exc.code}", code="gerrit_http_error") from None
        except TimeoutError:
            raise WaitTimeout(f"Gerrit REST {path}: no answer within {self.timeout:g}s", code="gerrit_http_timeout"
                              ) from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ConnectionFailed(f"Gerrit REST {self.url}: {reason}", code="gerrit_http_unreachable") from None
        if body.startswith(")]}'"):
            body = body.split("\n", 1)[1] if "\n" in body else ""
        from vendorci.clients.http import expect_json

        return expect_json(body, peer, path, (dict, list, str, int, float))

    def query(self, query: str, limit: int | None = None) -> list[dict]:
        params = [("q", query)] + [("o", o) for o in ("MESSAGES", "DETAILED_LABELS", "DETAILED_ACCOUNTS",
                                                      "CURRENT_REVISION")]
        if limit:
            params.append(("n", str(limit)))
        changes = self.get("changes/", params)
        with shape_guard(f"Gerrit REST at {self.url}", "the change query"):
            if not isinstance(changes, list):
                raise TypeError(f"a JSON {type(changes).__name__}, not a list of changes")
            return [normalize_rest_change(c, self.url) for c in changes]

    def version(self) -> str:
        v = self.get("config/server/version")
        if not isinstance(v, str):
            with shape_guard(f"Gerrit REST at {self.url}", "config/server/version"):
                raise TypeError(f"a JSON {type(v).__name__}, not a version string")
        return v


class StreamClosed(VendorciError):
    """The event stream ended: ``refused`` (no Stream Events capability) or dropped."""

    code = "gerrit_stream_closed"

    def __init__(self, message: str, refused: bool, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.refused = refused


class EventStream:
    """``gerrit stream-events`` on its own SSH connection; ``get(timeout)`` -> event dict or None."""

    def __init__(self, target: SshTarget) -> None:
        self.target = target
        self.session: SshSession | None = None
        self.events = 0
        self._q: queue.Queue = queue.Queue()
        self._stop = threading.Event()

    def __enter__(self) -> EventStream:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> EventStream:
        import paramiko

        self.session = SshSession(self.target)
        self.session.connect()
        try:
            chan = self.session.client.get_transport().open_session(timeout=self.target.timeout)
            chan.settimeout(0.25)
            chan.exec_command("gerrit stream-events")
        except (paramiko.SSHException, OSError, EOFError) as exc:
            self.close()
            raise ConnectionFailed(f"stream-events: {exc or type(exc).__name__}", code="gerrit_stream_failed") from None
        threading.Thread(target=self._read, args=(chan,), daemon=True, name="gerrit-stream").start()
        return self

    def _read(self, chan: Any) -> None:
        buf = b""
        while not self._stop.is_set():
            try:
                data = chan.recv(65536)
            except TimeoutError:
                continue
            except (OSError, EOFError):
                data = b""
            if not data:
                break
            buf += data
            if len(buf) > 4 * 1024 * 1024 and b"\n" not in buf:  # one event line is never this long: drop it
                buf = b""
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                try:
                    ev = json.loads(line)
                except ValueError:
                    continue
                if isinstance(ev, dict):
                    self._q.put(("event", ev))
        if self._stop.is_set():
            return
        err = b""
        deadline = time.monotonic() + 0.5
        while time.monotonic() < deadline and not chan.exit_status_ready():
            time.sleep(0.02)
        while chan.recv_stderr_ready():
            err += chan.recv_stderr(65536)
        status = chan.recv_exit_status() if chan.exit_status_ready() else None
        self._q.put(("closed", status, err.decode(errors="replace").strip()))

    def get(self, timeout: float) -> dict | None:
        """The next event, None after ``timeout``; raises StreamClosed when the stream has ended."""
        try:
            item = self._q.get(timeout=max(0.0, timeout))
        except queue.Empty:
            return None
        if item[0] == "event":
            self.events += 1
            return item[1]
        _, status, err = item
        self._q.put(item)  # stays closed for every later call
        # Gerrit refuses with a message and a positive exit status; -1 or None means the connection died
        refused = bool(NOT_PERMITTED.search(err)) or (status is not None and status > 0 and self.events == 0)
        if refused:
            raise StreamClosed(f"stream-events refused for {self.target.user}: {err or f'exit status {status}'}",
                               refused=True, code="gerrit_stream_refused",
                               hint=f"Grant the 'Stream Events' global capability to {self.target.user} (ask the "
                               "Gerrit admins / infra team); service accounts of third-party CIs need it.")
        raise StreamClosed("the event stream dropped" + (f": {err}" if err else ""), refused=False,
                           code="gerrit_stream_dropped")

    def close(self) -> None:
        self._stop.set()
        if self.session is not None:
            self.session.close()
            self.session = None


def matches_comment(ev: dict, change: int, patchset: int | None, username: str) -> bool:
    """A ``comment-added`` event by ``username`` on ``change`` (and patch set); a comment-added event
    of the wrong shape (``author`` a string, ...) is Gerrit's error (exit 1)."""
    if ev.get("type") == "comment-added":
        for part in ("author", "change", "patchSet"):
            if ev.get(part) is not None and not isinstance(ev[part], dict):
                raise OperationFailed(f"Gerrit's event stream sent a comment-added event whose {part!r} is a "
                                      f"{type(ev[part]).__name__}, not an object", code="gerrit_unexpected",
                                      hint="Is this port a real Gerrit (stream-events)?")
    return (ev.get("type") == "comment-added" and (ev.get("author") or {}).get("username") == username
            and _int((ev.get("change") or {}).get("number")) == change
            and (patchset is None or _int((ev.get("patchSet") or {}).get("number")) == patchset))


QueryFn = Callable[[str], list[dict]]


def fetch_host_key(host: str, port: int, timeout: float = 10.0) -> Any:
    """The server's host key, from an SSH handshake without authentication (for a known_hosts check)."""
    import paramiko

    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise ConnectionFailed(f"SSH to {host}:{port}: {getattr(exc, 'strerror', None) or exc}",
                               code="ssh_unreachable",
                               hint=connect_hint(host, exc, f"Is Gerrit's SSH port {port} open from this host?",
                                                 "gerrit.host ([gerrit] server in zuul.conf)")) from None
    transport = paramiko.Transport(sock)
    transport.banner_timeout = timeout
    try:
        transport.start_client(timeout=timeout)
        return transport.get_remote_server_key()
    except (paramiko.SSHException, EOFError, OSError) as exc:
        raise ConnectionFailed(f"SSH to {host}:{port}: {exc or type(exc).__name__}", code="ssh_protocol_error"
                               ) from None
    finally:
        transport.close()
