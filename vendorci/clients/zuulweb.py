"""A thin, read-only zuul-web REST client (Zuul v3 and newer).

Every call has an explicit timeout, reads at most ``max_bytes`` of the body
and checks the JSON's shape before handing it on: zuul-web is a peer, so
what it answers is untrusted. Failures raise :class:`ZuulWebError` with a
stable ``code`` (``zuul_web_unreachable``, ``zuul_web_http``,
``zuul_web_not_json``, ``zuul_web_bad_shape``, ``zuul_web_too_large``).

Shapes (see tests/data/zuul-api/, captured from a real Zuul 14.3.0):
``/api/tenants`` a list of ``{name}``; ``/api/components`` a mapping kind ->
list of ``{hostname, state, version}``; ``/api/tenant/T/config-errors`` a
list of ``{source_context: {project, branch, path}, error, short_error,
severity, name}``; ``/api/tenant/T/status`` a mapping with ``pipelines``;
``/api/tenant/T/builds`` a list of builds; ``/nodes`` and ``/labels`` lists.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from typing import Any

from vendorci.errors import Code, ConnectionFailed

MAX_BYTES = 8 * 1024 * 1024
MAX_STRING = 20_000
# terminal control characters (ESC sequences, C1, DEL) a peer could slip into names or error texts
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class ZuulWebError(ConnectionFailed):
    """zuul-web could not be asked, or answered something unusable."""

    code = Code.ZUUL_WEB_ERROR

    def __init__(self, message: str, *, code: str, http_status: int | None = None, url: str = "") -> None:
        super().__init__(message, code=code, data={"http_status": http_status, "url": url})
        self.http_status = http_status
        self.url = url


def clean(value: Any, depth: int = 0) -> Any:
    """The decoded JSON with control characters replaced and strings bounded, so that
    whatever zuul-web relays (config error texts quote users' YAML) prints literally."""
    if depth > 64:
        raise ZuulWebError("zuul-web answer nested too deeply", code=Code.ZUUL_WEB_BAD_SHAPE)
    if isinstance(value, str):
        text = _CONTROL.sub("\ufffd", value)
        return text if len(text) <= MAX_STRING else text[:MAX_STRING] + "… (cut)"
    if isinstance(value, list):
        return [clean(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {clean(k, depth + 1): clean(v, depth + 1) for k, v in value.items()}
    return value


def _expect(value: Any, kind: type | tuple[type, ...], what: str, url: str) -> Any:
    if not isinstance(value, kind):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ZuulWebError(f"{url}: {what} is not a {names} (got {type(value).__name__})",
                           code=Code.ZUUL_WEB_BAD_SHAPE, url=url)
    return value


def _dict_items(value: Any, what: str, url: str) -> list[dict[str, Any]]:
    items = _expect(value, list, what, url)
    for i, item in enumerate(items):
        _expect(item, dict, f"{what}[{i}]", url)
    return items


class ZuulWeb:
    def __init__(self, base_url: str, timeout: float = 5.0, max_bytes: int = MAX_BYTES) -> None:
        parts = urllib.parse.urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ZuulWebError(f"not an http(s) URL: {base_url!r}", code=Code.ZUUL_WEB_BAD_URL, url=base_url)
        self.base = base_url.rstrip("/")
        self.timeout = timeout
        self.max_bytes = max_bytes

    def url(self, path: str) -> str:
        return self.base + path

    def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET ``path`` (under the root) and decode its JSON."""
        import urllib.error
        import urllib.request

        url = self.url(path)
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, headers={"Accept": "application/json",  # noqa: S310 - http(s) checked
                                                   "User-Agent": "vendorci-doctor"})
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - http(s) checked above
                body = resp.read(self.max_bytes + 1)
        except urllib.error.HTTPError as exc:
            raise ZuulWebError(f"{url} answered HTTP {exc.code}", code=Code.ZUUL_WEB_HTTP, http_status=exc.code,
                               url=url) from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise ZuulWebError(f"cannot reach zuul-web at {self.base}: {reason}", code=Code.ZUUL_WEB_UNREACHABLE,
                               url=url) from None
        if len(body) > self.max_bytes:
            raise ZuulWebError(f"{url}: answer larger than {self.max_bytes} bytes", code=Code.ZUUL_WEB_TOO_LARGE,
                               url=url)
        try:
            doc = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise ZuulWebError(f"{url} did not answer JSON (is this zuul-web's root?)", code=Code.ZUUL_WEB_NOT_JSON,
                               url=url) from None
        return clean(doc)

    def tenant_path(self, tenant: str, rest: str) -> str:
        return f"/api/tenant/{urllib.parse.quote(tenant, safe='')}/{rest}"

    # --- endpoints ------------------------------------------------------------------------
    def info(self) -> dict[str, Any]:
        url = self.url("/api/info")
        doc = _expect(self.get("/api/info"), dict, "/api/info", url)
        return _expect(doc.get("info", doc), dict, "/api/info info", url)

    def tenants(self) -> list[str]:
        url = self.url("/api/tenants")
        items = _dict_items(self.get("/api/tenants"), "/api/tenants", url)
        names = []
        for i, t in enumerate(items):
            names.append(str(_expect(t.get("name"), str, f"/api/tenants[{i}].name", url)))
        return names

    def components(self) -> dict[str, list[dict[str, Any]]]:
        url = self.url("/api/components")
        doc = _expect(self.get("/api/components"), dict, "/api/components", url)
        out: dict[str, list[dict[str, Any]]] = {}
        for kind, items in doc.items():
            rows = []
            for item in _dict_items(items, f"/api/components {kind}", url):
                rows.append({"kind": str(kind), "hostname": str(item.get("hostname") or "?"),
                             "state": str(item.get("state") or "unknown"),
                             "version": None if item.get("version") is None else str(item.get("version"))})
            out[str(kind)] = rows
        return out

    def config_errors(self, tenant: str) -> list[dict[str, Any]]:
        path = self.tenant_path(tenant, "config-errors")
        out = []
        for item in _dict_items(self.get(path), path, self.url(path)):
            raw_ctx = item.get("source_context")
            ctx: dict[str, Any] = raw_ctx if isinstance(raw_ctx, dict) else {}
            short = item.get("short_error")
            if not isinstance(short, str) or not short.strip():
                lines = str(item.get("error") or "").strip().splitlines()
                short = lines[0] if lines else "(no error text)"
            out.append({
                "tenant": tenant,
                "project": str(ctx.get("project") or "?"), "branch": str(ctx.get("branch") or "?"),
                "path": str(ctx.get("path") or "?"),
                "severity": str(item.get("severity") or "error").lower(),
                "short_error": short.strip(),
                "error": str(item.get("error") or ""),
                "name": str(item.get("name") or ""),
            })
        return out

    def status(self, tenant: str) -> dict[str, Any]:
        path = self.tenant_path(tenant, "status")
        doc = _expect(self.get(path), dict, path, self.url(path))
        _dict_items(doc.get("pipelines", []), f"{path} pipelines", self.url(path))
        return doc

    def builds(self, tenant: str, limit: int = 100) -> list[dict[str, Any]]:
        path = self.tenant_path(tenant, "builds")
        return _dict_items(self.get(path, {"limit": limit}), path, self.url(path))

    def nodes(self, tenant: str) -> list[dict[str, Any]]:
        path = self.tenant_path(tenant, "nodes")
        return _dict_items(self.get(path), path, self.url(path))

    def labels(self, tenant: str) -> list[Any]:
        path = self.tenant_path(tenant, "labels")
        return _expect(self.get(path), list, path, self.url(path))
