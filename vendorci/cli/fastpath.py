"""`gearman status` and `gearman workers` without typer, click or rich.

These two print one line per Gearman function or connection, 10,000 of them on a big master, and are run from
scripts, cron and watch loops: their whole-process time is mostly interpreter start plus imports, and the typer
application (with click and rich) costs more than the query and the output together.  So :func:`run_fast`
recognises their plain invocations from argv (the global options anywhere, the command's own ``--server``,
``--filter`` and ``--timeout``), checks every value the way the typer options would, and runs them through the
same :class:`~vendorci.cli.boundary.Boundary` and renderers as the typer commands.  Anything it does not
recognise — ``--help``, ``--watch``, an unknown option, a value the typer options would refuse — returns None and
goes to the typer application, which prints the usual usage error; so the fast path never changes what a command
accepts or prints, only how soon it starts.
"""

from __future__ import annotations

import math
import os
import sys
from typing import Any, NamedTuple, Optional

from vendorci.cli.gearman_render import TIMEOUT_DEFAULT, TIMEOUT_MIN
from vendorci.cli.guards import MAX_NUMBER

COMMANDS = ("status", "workers")
OUTPUT_MODES = ("human", "json")  # openmetrics: the typer path says it is not available here


class FastCall(NamedTuple):
    command: str  # "status" or "workers"
    output: str
    config: Optional[str]
    debug: bool
    server: Optional[str]
    pattern: Optional[str]
    timeout: float


def _split(arg: str, names: tuple[str, ...]) -> tuple[Optional[str], Optional[str]]:
    """(name, attached value) when ``arg`` is one of the long ``names`` (``--name`` or ``--name=VALUE``)."""
    for name in names:
        if arg == name:
            return name, None
        if arg.startswith(name + "="):
            return name, arg[len(name) + 1:]
    return None, None


def parse(args: list[str], environ: Optional[dict[str, str]] = None) -> Optional[FastCall]:
    """The call ``args`` make, when it is a plain ``gearman status|workers``; else None."""
    env = os.environ if environ is None else environ
    words: list[str] = []
    opts: dict[str, str] = {}
    debug = False
    i = 0
    while i < len(args):
        a = args[i]
        name: Optional[str]
        value: Optional[str]
        if a == "--debug":
            debug = True
            i += 1
            continue
        if a.startswith("-o") and not a.startswith("--"):
            name, value = "--output", (a[2:] or None)
        else:
            name, value = _split(a, ("--output", "--config", "--server", "--filter", "--timeout"))
        if name is None:
            if a.startswith("-"):  # --help, --watch, --version, `--`, anything else: the typer path
                return None
            words.append(a)
            i += 1
            continue
        if name in ("--server", "--filter", "--timeout") and len(words) != 2:
            return None  # the command's own options go after it
        if value is None:
            if i + 1 >= len(args):
                return None
            value = args[i + 1]
            if value.startswith("-"):  # click would take it as the value; leave the odd case to click
                return None
            i += 1
        opts[name] = value  # repeated: the last one wins, as click does
        i += 1
    if len(words) != 2 or words[0] != "gearman" or words[1] not in COMMANDS:
        return None
    output = opts.get("--output", env.get("VENDORCI_OUTPUT") or "human").lower()
    if output not in OUTPUT_MODES:
        return None
    config = opts.get("--config", env.get("VENDORCI_CONFIG") or None)
    if config is not None and os.path.isdir(config):
        return None  # the typer option refuses a directory
    timeout = TIMEOUT_DEFAULT
    if "--timeout" in opts:
        try:
            timeout = float(opts["--timeout"])
        except ValueError:
            return None
        if not math.isfinite(timeout) or not TIMEOUT_MIN <= timeout <= MAX_NUMBER:
            return None
    return FastCall(words[1], output, config, debug, opts.get("--server"), opts.get("--filter"), timeout)


class _PlainConsole:
    """What the plain renderers need of a console: the file, and whether it is a terminal."""

    def __init__(self, file: Any) -> None:
        self.file = file
        try:
            self.is_terminal = file.isatty()
        except (AttributeError, ValueError, OSError):
            self.is_terminal = False


def run_fast(argv: Optional[list[str]] = None) -> Optional[int]:
    """Run ``argv`` (default ``sys.argv[1:]``) when it is a plain ``gearman status|workers`` and return the exit
    code; None when the typer application must handle it."""
    args = list(sys.argv[1:] if argv is None else argv)
    if "gearman" not in args:
        return None
    call = parse(args)
    if call is None:
        return None
    from vendorci.cli.boundary import Boundary
    from vendorci.cli.gearman_render import render_status, render_workers, status_result, workers_result
    from vendorci.cli.guards import signals_interrupt

    if call.debug or not call.server:
        # the Gearman client logs nothing; the configuration may (and --debug wants the client's own lines)
        from vendorci.logutil import setup_logging

        setup_logging(call.debug)
    boundary = Boundary(output=call.output, config_path=call.config, debug=call.debug)
    boundary._consoles[False] = _PlainConsole(sys.stdout)

    result, render = (status_result, render_status) if call.command == "status" else (workers_result,
                                                                                        render_workers)
    restore = signals_interrupt()
    try:
        return boundary.run_code(f"gearman {call.command}",
                                 lambda: result(boundary, call.server, call.timeout, call.pattern), render)
    except KeyboardInterrupt:  # a signal between the boundary's handlers
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        restore()
