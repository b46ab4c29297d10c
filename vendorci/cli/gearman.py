"""`vendorci gearman status|workers`: what `telnet 127.0.0.1 4730` + `status` showed, as tables or JSON."""

from __future__ import annotations

import contextlib
import time
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.cli.gearman_render import (
    gearman_address,
    render_status,
    render_workers,
    status_result,
    workers_result,
)
from vendorci.cli.options import GEARMAN_SERVER_HELP, GEARMAN_TIMEOUT_OPT
from vendorci.core.gearman import gearman_status, status_text
from vendorci.output import Result

app = typer.Typer(help="Inspect the Gearman server between Zuul and Jenkins (admin protocol, port 4730).",
                  no_args_is_help=True)

SERVER_HELP = GEARMAN_SERVER_HELP


@app.command("status")
def status(
    ctx: typer.Context,
    server: Optional[str] = typer.Option(None, "--server", metavar="HOST:PORT", help=SERVER_HELP),
    filter_: Optional[str] = typer.Option(None, "--filter", metavar="GLOB",
                                          help="Only functions matching, e.g. 'build:*'."),
    watch: Optional[float] = typer.Option(None, "--watch", metavar="SECONDS", min=0.2,
                                          help="Refresh in place every SECONDS (default 2) until Ctrl-C."),
    timeout: float = GEARMAN_TIMEOUT_OPT,
) -> None:
    """Functions with queued (total minus running), running and available workers, sorted by name."""
    appl = get_app(ctx)

    def run() -> Result:
        if watch and not appl.json:
            host, port = gearman_address(appl, server)
            try:
                _watch(appl, host, port, timeout, filter_, watch)
            except KeyboardInterrupt:  # Ctrl-C is how a watch ends: not an error
                raise typer.Exit(0) from None
        return status_result(appl, server, timeout, filter_)

    appl.run("gearman status", run, render_status)


def _watch(appl: Any, host: str, port: int, timeout: float, pattern: Optional[str], every: float) -> None:
    """Redraw until Ctrl-C."""
    from rich.live import Live
    from rich.text import Text

    console = appl.console()
    live = Live(console=console, auto_refresh=False, transient=False) if console.is_terminal else None
    with live or contextlib.nullcontext():
        while True:
            text = status_text(gearman_status(host, port, timeout, pattern))
            if live is not None:
                live.update(Text(f"{time.strftime('%H:%M:%S')}  every {every:g}s, Ctrl-C to stop\n{text}"),
                            refresh=True)
            else:  # a pipe or a log: one plain snapshot per refresh
                print(f"{time.strftime('%H:%M:%S')}\n{text}", flush=True)
            time.sleep(every)


@app.command("workers")
def workers(
    ctx: typer.Context,
    server: Optional[str] = typer.Option(None, "--server", metavar="HOST:PORT", help=SERVER_HELP),
    filter_: Optional[str] = typer.Option(None, "--filter", metavar="GLOB",
                                          help="Only connections offering a function matching."),
    timeout: float = GEARMAN_TIMEOUT_OPT,
) -> None:
    """Connections: fd, address, client id (Jenkins: NODE_exec-N, MASTER_manager) and their functions."""
    appl = get_app(ctx)
    appl.run("gearman workers", lambda: workers_result(appl, server, timeout, filter_), render_workers)
