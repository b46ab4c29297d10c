"""A lying or redirecting HTTP peer on loopback for the hostile tests.

``HttpPeer(route)`` serves every request with ``route(method, path, headers, body) -> (status, headers, body)``
and records what it received, so a test can assert that a credential or a secret body never arrived.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Route = Callable[[str, str, dict, bytes], tuple[int, dict, bytes]]


@dataclass
class Received:
    method: str
    path: str
    headers: dict
    body: bytes


@dataclass
class HttpPeer:
    route: Route
    received: list[Received] = field(default_factory=list)

    def start(self) -> HttpPeer:
        peer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _any(self) -> None:
                n = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(n) if n else b""
                peer.received.append(Received(self.command, self.path, dict(self.headers), body))
                status, headers, out = peer.route(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                headers = dict(headers)
                unannounced = headers.pop("X-No-Length", None)  # a body delimited by closing the connection
                for k, v in headers.items():
                    self.send_header(k, v)
                if unannounced:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                elif "Content-Length" not in headers:
                    self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                if self.command != "HEAD":
                    try:
                        self.wfile.write(out)
                    except OSError:
                        pass

            do_GET = do_POST = do_PUT = do_HEAD = _any

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def saw_secret(self, *secrets: str) -> bool:
        import base64

        for r in self.received:
            blob = repr(r.headers) + r.body.decode("latin-1") + r.path
            auth = r.headers.get("Authorization", "")
            if auth.startswith("Basic "):
                blob += base64.b64decode(auth[6:]).decode("latin-1")
            if any(s in blob for s in secrets):
                return True
        return False


@pytest.fixture
def http_peer():
    made: list[HttpPeer] = []

    def make(route: Route) -> HttpPeer:
        made.append(HttpPeer(route).start())
        return made[-1]

    yield make
    for p in made:
        p.stop()


def json_answer(doc: Any, status: int = 200, headers: dict | None = None) -> tuple[int, dict, bytes]:
    import json

    return status, {"Content-Type": "application/json", "X-Jenkins": "2.440.3", **(headers or {})}, \
        json.dumps(doc).encode()


def jenkins(answers: dict[str, Any], crumb: Any = None) -> Route:
    """A Jenkins-like route: ``answers`` maps a path prefix (``computer/api/json``) to a JSON document or to
    a (status, headers, body) triple; the crumb issuer answers 404 (no CSRF protection) unless ``crumb``."""

    def route(method: str, path: str, headers: dict, body: bytes) -> tuple[int, dict, bytes]:
        p = path.lstrip("/")
        if p.startswith("crumbIssuer"):
            return json_answer(crumb) if crumb is not None else (404, {"X-Jenkins": "2.440.3"}, b"no crumbs")
        for prefix, ans in answers.items():
            if p.startswith(prefix):
                return ans if isinstance(ans, tuple) else json_answer(ans)
        return 404, {"X-Jenkins": "2.440.3"}, b"not found"

    return route
