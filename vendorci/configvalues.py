"""Values of configuration keys: how each kind is parsed and checked, and how a
value is shown (secrets and URL passwords masked).  Ground module of config.py."""

from __future__ import annotations

import re
from typing import Any

MASK = "********"


def _str(v: Any) -> str:
    if isinstance(v, (dict, list)):
        raise ValueError("expected a string")
    return str(v)


def _int(v: Any) -> int:
    if isinstance(v, bool):
        raise ValueError("expected an integer")
    return int(v)


def _port(v: Any) -> int:
    n = _int(v)
    if not 0 < n < 65536:
        raise ValueError("expected a port number 1-65535")
    return n


def _float(v: Any) -> float:
    if isinstance(v, bool):
        raise ValueError("expected a number")
    f = float(v)
    if not 0 < f <= 1e6:  # also refuses nan and inf (a timeout of 1e300 overflows sockets and threads)
        raise ValueError("expected a positive number up to 1000000")
    return f


def _hostport(v: Any) -> str:
    s = _str(v).strip()
    host, _, port = s.rpartition(":")
    if not host or not port:
        raise ValueError("expected HOST:PORT")
    _port(port)
    return s


_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")


def shown(value: Any) -> Any:
    """``value`` fit to echo in a message: credentials embedded in a URL are masked."""
    return _USERINFO.sub(MASK + "@", value) if isinstance(value, str) else value


#: what a URL vendorci writes into vars.sh, jenkins_jobs.ini or vendorci.yaml may contain: nothing a
#: shell, an INI or a YAML parser would read as syntax (no quotes, $, `, ;, &, |, spaces, ( ), <, >, #, !)
FILE_SAFE_URL = re.compile(r"^https?://[A-Za-z0-9._~:/@%+=,\[\]-]+$")


def _url(v: Any) -> str:
    s = _str(v).strip()
    from urllib.parse import urlsplit

    if any(c.isspace() or not c.isprintable() for c in s):  # urlsplit silently drops tabs and newlines
        raise ValueError("a URL cannot contain spaces or control characters")
    parts = urlsplit(s)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an http:// or https:// URL")
    if parts.username or parts.password:
        raise ValueError(
            "credentials must not be embedded in the URL; use the user setting and VENDORCI_*_TOKEN/PASSWORD"
        )
    return s


def _flag(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if str(v).strip().lower() in ("true", "yes", "1"):
        return True
    if str(v).strip().lower() in ("false", "no", "0"):
        return False
    raise ValueError("expected true or false")


def _strlist(v: Any) -> list[str]:
    items = v if isinstance(v, list) else str(v).split(",")
    out = [_str(i).strip() for i in items if str(i).strip()]
    if not out:
        raise ValueError("expected a path or a list of paths")
    return out
