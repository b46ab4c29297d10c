"""What the typer commands and the fast path share for `gearman status|workers`: the server address, and the
human output: plain aligned rows, on a terminal and piped alike.

No table engine: 10,000 functions print in milliseconds, and every value stays whole (a terminal soft-wraps a
long function list).  Used by the typer commands and by the fast path, so both print the same.
"""

from __future__ import annotations

from typing import Any, Optional

from vendorci.output import Result

#: `--timeout` of both commands: per request, in seconds
TIMEOUT_DEFAULT = 5.0
TIMEOUT_MIN = 0.1


def gearman_address(boundary: Any, server: Optional[str]) -> tuple[str, int]:
    """``--server HOST:PORT`` when given (not empty), else the configuration's (gearman.server,
    VENDORCI_GEARMAN, zuul.conf, 127.0.0.1:4730)."""
    if server:
        from vendorci.clients.gearman import parse_address

        return parse_address(server)
    return boundary.load_config().gearman_address


def status_result(boundary: Any, server: Optional[str], timeout: float, pattern: Optional[str]) -> Result:
    """`gearman status`: the functions, as the typed result (its dicts are built only for JSON)."""
    from vendorci.core.gearman import gearman_status

    host, port = gearman_address(boundary, server)
    return Result("gearman status", source=gearman_status(host, port, timeout, pattern))


def workers_result(boundary: Any, server: Optional[str], timeout: float, pattern: Optional[str]) -> Result:
    """`gearman workers`: the connections."""
    from vendorci.core.gearman import gearman_workers

    host, port = gearman_address(boundary, server)
    return Result("gearman workers", gearman_workers(host, port, timeout, pattern).as_dict())


def render_status(console: Any, result: Result) -> None:
    from vendorci.cli.render_plain import write_lines
    from vendorci.core.gearman import status_text

    write_lines(console, [status_text(result.source)])  # the typed result: no 10,000 dicts for a table


def render_workers(console: Any, result: Result) -> None:
    from vendorci.cli.render_plain import plain_rows, write_lines
    from vendorci.safetext import visible

    # client ids and function names come from anyone who can reach port 4730: control characters made visible
    rows = [[str(w["fd"]), visible(w["address"]), visible(w["client_id"]), visible(" ".join(w["functions"]) or "-")]
            for w in result.data["workers"]]
    # one connection per line, every value whole (a terminal soft-wraps the function list)
    write_lines(console, plain_rows(["fd", "address", "client id", "functions"], rows)
                + [f"{len(rows)} connection(s) on {result.data['server']}"])
