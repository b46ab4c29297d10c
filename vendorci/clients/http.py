"""HTTP bound to one origin: the one place Jenkins and Gerrit REST credentials go out.

A credential (Jenkins API token, Gerrit HTTP password) or a secret body (the
agent's private key in a credential XML) may only be sent to the origin --
scheme, host and port -- that was configured.  A redirect to any other origin
is refused with a clear error instead of being followed (``requests`` strips
Basic auth on a host change but re-sends a 307's body; ``urllib`` keeps the
Authorization header), and https -> http is always a different origin.

Every body read here is bounded (:data:`MAX_BODY`): a peer that answers with
gigabytes gets a clear error, not a full memory.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urljoin, urlsplit

from vendorci.errors import OperationFailed

MAX_BODY = 32 * 1024 * 1024
_DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``, lower-cased, default ports filled in."""
    parts = urlsplit(url)
    scheme = (parts.scheme or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").lower(), port or _DEFAULT_PORTS.get(scheme, 0)


def _show(o: tuple[str, str, int]) -> str:
    return f"{o[0]}://{o[1]}:{o[2]}"


class RedirectRefused(OperationFailed):
    code = "redirect_refused"


class BodyTooLarge(OperationFailed):
    code = "http_body_too_large"


def check_redirect(base_url: str, location: str, peer: str) -> None:
    """Raise :class:`RedirectRefused` unless ``location`` stays on ``base_url``'s origin."""
    want, got = origin(base_url), origin(location)
    if got != want:
        why = " (https to http is never followed)" if want[0] == "https" and got[0] == "http" else ""
        raise RedirectRefused(
            f"{peer} at {_show(want)} redirected to {_show(got)}{why}; not followed, so no credential or "
            "request body went there", hint=f"Configure the URL {peer} really serves (the redirect's target, if "
            "you trust it) instead of the one that redirects.", data={"from": _show(want), "to": _show(got)})


def bind_session(session: Any, base_url: str, peer: str, max_body: int | None = None) -> None:
    """Make a ``requests`` session refuse cross-origin redirects and bound every body it reads.

    A response hook runs before ``requests`` follows a redirect or reads the body, so the
    refusal happens before anything is re-sent and the body is read at most ``max_body`` + 1 bytes.
    """

    def hook(resp: Any, *args: Any, **kwargs: Any) -> Any:
        limit = max_body or MAX_BODY
        if resp.is_redirect or resp.is_permanent_redirect:
            check_redirect(base_url, urljoin(resp.url, resp.headers.get("location", "")), peer)
            return resp
        if kwargs.get("stream"):
            return resp
        length = resp.headers.get("content-length", "")
        if length.isdigit() and int(length) > limit:
            resp.close()
            raise BodyTooLarge(f"{peer} answered {int(length)} bytes, more than the {limit} vendorci reads",
                               hint=f"Is {base_url} really {peer}?")
        if resp._content is False and resp.raw is not None:  # not read yet: read it, bounded
            data = resp.raw.read(limit + 1, decode_content=True) or b""
            if len(data) > limit:
                resp.close()
                raise BodyTooLarge(f"{peer} answered more than the {limit} bytes vendorci reads",
                                   hint=f"Is {base_url} really {peer}?")
            resp._content = data
            resp._content_consumed = True
        return resp

    session.hooks.setdefault("response", []).insert(0, hook)
    session.max_redirects = 5


def read_body(resp: Any, peer: str, max_body: int | None = None) -> bytes:
    """At most ``max_body`` (default MAX_BODY) bytes of a file-like response (urllib), else BodyTooLarge."""
    limit = max_body or MAX_BODY
    data = resp.read(limit + 1)
    if len(data) > limit:
        raise BodyTooLarge(f"{peer} answered more than the {limit} bytes vendorci reads")
    return bytes(data)


def urllib_opener(base_url: str, peer: str) -> Any:
    """A ``urllib`` opener that follows a redirect only within ``base_url``'s origin."""
    import urllib.request

    class SameOrigin(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str) -> Any:
            check_redirect(base_url, newurl, peer)
            return super().redirect_request(req, fp, code, msg, headers, newurl)

    return urllib.request.build_opener(SameOrigin())


def expect_json(text: str | bytes, peer: str, what: str, kind: type | tuple[type, ...] = dict) -> Any:
    """Parse a peer's JSON answer and check its top-level type; OperationFailed (exit 1) naming
    the peer otherwise (an HTML login page answered with 200, a list where an object belongs)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    try:
        value = json.loads(text)
    except ValueError:
        head = text.lstrip()[:60]
        looks = " (an HTML page: a login or proxy page?)" if head.lower().startswith(("<!doctype", "<html")) else ""
        raise OperationFailed(f"{peer} answered {what} with something that is not JSON{looks}: {head!r}",
                              code="peer_unexpected", hint="Check the URL and that the credentials are accepted "
                              "(a single sign-on proxy answers with its login page).") from None
    if not isinstance(value, kind):
        names = "/".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        raise OperationFailed(f"{peer} answered {what} with a JSON {type(value).__name__}, expected {names}",
                              code="peer_unexpected", hint="Is the URL the right service (and version)?")
    return value


def peer_unexpected(peer: str, what: str, exc: BaseException) -> OperationFailed:
    """The error for an answer of the wrong shape found while reading it (exit 1, never 3)."""
    detail = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
    return OperationFailed(f"{peer} answered {what} with data of an unexpected shape ({type(exc).__name__}: "
                           f"{detail})", code="peer_unexpected",
                           hint="The peer may be a different version or not the service configured.")
