"""Are a CI's log links reachable?  One bounded HTTP GET per URL.

Bounded in time (connect + read timeout, and one deadline for the whole fetch), in size (reads at most ``max_bytes``
of the body: enough to know the server answers) and in redirects (at most ``max_redirects``, http(s) only).  The
answer is a :class:`LogStatus`: the final HTTP status or an error word; ``ok`` is a 2xx.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class LogStatus:
    url: str
    status: int | None  # the final HTTP status, None when there was none
    error: str | None = None  # timeout | unreachable | too_many_redirects | bad_url | ...
    final_url: str | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def text(self) -> str:
        """``200``, ``404`` or the error, for JSON and human output."""
        return str(self.status) if self.status is not None else (self.error or "error")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fetch_status(url: str, *, timeout: float = 10.0, max_redirects: int = 5, max_bytes: int = 65536) -> LogStatus:
    """GET ``url`` following at most ``max_redirects`` redirects; read at most ``max_bytes``."""
    import http.client
    from urllib.parse import urljoin, urlsplit

    deadline = time.monotonic() + timeout
    current = url
    for _hop in range(max_redirects + 1):
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return LogStatus(url, None, "bad_url", current)
        left = deadline - time.monotonic()
        if left <= 0:
            return LogStatus(url, None, "timeout", current)
        conn_cls = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        try:
            conn = conn_cls(parts.hostname, parts.port, timeout=left)
        except ValueError:  # a port that is not a number
            return LogStatus(url, None, "bad_url", current)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            conn.request("GET", path, headers={"User-Agent": "vendorci-logcheck", "Accept": "*/*"})
            resp = conn.getresponse()
            status = resp.status
            location = resp.getheader("Location")
            resp.read(max_bytes)  # a small read: the server sends something, we do not need it all
        except TimeoutError:
            return LogStatus(url, None, "timeout", current)
        except (OSError, http.client.HTTPException) as exc:
            reason = getattr(exc, "strerror", None) or type(exc).__name__
            return LogStatus(url, None, f"unreachable: {reason}", current)
        finally:
            conn.close()
        if status in (301, 302, 303, 307, 308) and location:
            current = urljoin(current, location.strip())
            continue
        return LogStatus(url, status, None, current)
    return LogStatus(url, None, "too_many_redirects", current)


def check_urls(urls: Iterable[str], *, timeout: float = 10.0, workers: int = 4, **kw: Any) -> dict[str, LogStatus]:
    """Each distinct URL fetched once, a few at a time."""
    distinct = list(dict.fromkeys(u for u in urls if u))
    if not distinct:
        return {}
    with ThreadPoolExecutor(max_workers=min(workers, len(distinct))) as pool:
        results = list(pool.map(lambda u: fetch_status(u, timeout=timeout, **kw), distinct))
    return dict(zip(distinct, results, strict=True))
