"""Hints for connection failures that say which failure it was: a name that does not resolve is a DNS or
spelling problem, not a closed port or a stopped server."""

from __future__ import annotations

import socket


def connect_hint(host: str, exc: OSError, otherwise: str, setting: str = "the host name") -> str:
    """``otherwise`` unless ``exc`` is a resolver failure, then a hint about the name itself."""
    if isinstance(exc, socket.gaierror):
        return (f"{host!r} does not resolve ({exc.strerror or exc}): check the spelling of {setting}, "
                "/etc/hosts and the DNS resolver (/etc/resolv.conf); use an IP address to rule DNS out.")
    return otherwise
