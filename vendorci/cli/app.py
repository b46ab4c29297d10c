"""The typer side of the command line: the root group (usage errors, global options anywhere) and the
application object every command runs through.

Every command goes through :meth:`Application.run`, i.e. the error boundary of
:class:`vendorci.cli.boundary.Boundary`: it calls the core function, renders its
:class:`~vendorci.output.Result` (human text or one JSON envelope on stdout) and
turns exceptions into exit codes.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from enum import Enum
from pathlib import Path
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from vendorci.cli.boundary import Boundary
from vendorci.cli.exits import EXIT_INTERRUPTED, EXIT_USAGE
from vendorci.cli.guards import bound_numbers, signals_interrupt
from vendorci.errors import UsageError
from vendorci.output import Result, dumps, error_envelope

# click's exception classes, taken from typer's public BadParameter: typer either depends on click or vendors
# it as a private module, depending on its release; its BadParameter always derives from both.
_ClickUsageError: Any = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")
_ClickException: Any = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")


class OutputMode(str, Enum):
    human = "human"
    json = "json"
    openmetrics = "openmetrics"  # votes and doctor only: metrics text for cron and node_exporter's textfile collector


def _argv_output_mode(args: list[str]) -> str:
    """Output mode guessed from raw argv, for errors raised before parsing finished."""
    mode = os.environ.get("VENDORCI_OUTPUT", "human")
    for i, a in enumerate(args):
        if a in ("--output", "-o") and i + 1 < len(args):
            mode = args[i + 1]
        elif a.startswith("--output="):
            mode = a.split("=", 1)[1]
    return mode


def _argv_command(args: list[str]) -> str:
    words = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("--output", "-o", "--config"):
            skip = True
            continue
        if a.startswith("-"):
            continue
        words.append(a)
        if len(words) == 2:
            break
    return " ".join(words) or "vendorci"


# `--watch [SECONDS]`.  click can express an optional value (is_flag=False, flag_value=...), but typer (0.29)
# does not pass those through for a float option: `--watch` alone fails with "requires an argument".  So the
# value is filled in here, before parsing.
OPTIONAL_VALUE_OPTIONS = {"--watch": "2"}


def _fill_optional_values(args: list[str]) -> list[str]:
    """Give options whose value is optional their default when it is left out
    (click cannot parse `--watch` both with and without a value)."""
    out: list[str] = []
    for i, a in enumerate(args):
        out.append(a)
        if a in OPTIONAL_VALUE_OPTIONS:
            nxt = args[i + 1] if i + 1 < len(args) else None
            try:
                float(nxt or "")
            except ValueError:
                out.append(OPTIONAL_VALUE_OPTIONS[a])
        if a == "--":
            out.extend(args[i + 1:])
            break
    return out




# The root's own options.  They are accepted after the subcommand as well (`vendorci doctor -o json`):
# `_hoist_global_options` moves them in front of it before click parses, since click only knows them there.
GLOBAL_VALUE_OPTIONS = ("--output", "-o", "--config")
GLOBAL_FLAGS = ("--debug",)


def _is_global(arg: str) -> bool:
    return (arg in GLOBAL_FLAGS or arg.startswith(("--output=", "--config="))
            or (arg.startswith("-o") and len(arg) > 2 and not arg.startswith("--")))


def _value_options(group: Any, args: list[str]) -> set[str]:
    """Names of the options that take a value on the (sub)commands ``args`` invokes: their values stay theirs
    (``node register --host -oProxyCommand=x`` is a host, not a global ``-o``)."""
    names: set[str] = set()
    cmd = group
    for a in args:
        sub = getattr(cmd, "commands", {}).get(a) if not a.startswith("-") else None
        if sub is None:
            continue
        cmd = sub
        for p in getattr(cmd, "params", ()):
            if getattr(p, "param_type_name", "") == "option" and not p.is_flag and not p.count:
                names.update(p.opts, p.secondary_opts)
    return names


def _hoist_global_options(args: list[str], value_options: AbstractSet[str] = frozenset()) -> list[str]:
    """Move global options that follow the subcommand in front of it; stops at `--`.  A subcommand's own
    option that takes a value (``value_options``) keeps the next word, whatever it looks like."""
    head: list[str] = []
    i = 0
    # the root's own part: options up to the first word (the subcommand)
    while i < len(args) and args[i].startswith("-") and args[i] != "--":
        head.append(args[i])
        if args[i] in GLOBAL_VALUE_OPTIONS and i + 1 < len(args):
            i += 1
            head.append(args[i])
        i += 1
    hoisted: list[str] = []
    rest: list[str] = []
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i:])
            break
        if a in value_options and a not in GLOBAL_VALUE_OPTIONS:
            rest += args[i:i + 2]
            i += 2
            continue
        if a in GLOBAL_VALUE_OPTIONS and i + 1 < len(args):
            hoisted += [a, args[i + 1]]
            i += 2
            continue
        if _is_global(a):
            hoisted.append(a)
        else:
            rest.append(a)
        i += 1
    return head + hoisted + rest


class VendorciGroup(TyperGroup):
    """The root group: turns click usage errors into our exit code 2 and,
    in JSON mode, into the envelope, even though no command ran."""

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,  # type: ignore[override]
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = _fill_optional_values(list(sys.argv[1:] if args is None else args))
        argv = _hoist_global_options(argv, _value_options(self, argv))
        bound_numbers(self)
        restore = signals_interrupt()
        try:
            rv = super().main(args=argv, prog_name=prog_name, complete_var=complete_var,
                              standalone_mode=False, **extra)
        except _ClickUsageError as exc:
            code = EXIT_USAGE
            if _argv_output_mode(argv) == "json":
                err = UsageError(exc.format_message(), code="usage_error",
                                 hint="Run with --help to see the options.")
                typer.echo(dumps(error_envelope(_argv_command(argv), err)))
            else:
                exc.show()
            rv = code
        except typer.Abort:
            typer.echo("interrupted", err=True)
            rv = EXIT_INTERRUPTED
        except typer.Exit as exc:
            rv = exc.exit_code
        except _ClickException as exc:
            exc.show()
            rv = exc.exit_code
        except KeyboardInterrupt:  # a signal between the boundary's handlers
            typer.echo("interrupted", err=True)
            rv = EXIT_INTERRUPTED
        finally:
            restore()
        if not standalone_mode:
            return rv
        sys.exit(rv if isinstance(rv, int) else 0)


class Application(Boundary):
    """The typer side of :class:`~vendorci.cli.boundary.Boundary`: its exit code becomes ``typer.Exit``."""

    def run(
        self, command: str, func: Callable[[], Result], render: Callable[[Any, Result], None],
        metrics: Optional[Callable[[Result], str]] = None,
    ) -> None:
        raise typer.Exit(self.run_code(command, func, render, metrics, passthrough=(typer.Exit,)))


def get_app(ctx: typer.Context) -> Application:
    root = ctx.find_root()
    if not isinstance(root.obj, Application):
        root.obj = Application(output=os.environ.get("VENDORCI_OUTPUT", "human"))
    return root.obj


def _version_callback(value: bool) -> None:
    if value:
        from vendorci import __version__

        typer.echo(f"vendorci {__version__}")
        raise typer.Exit(0)


def global_options(
    ctx: typer.Context,
    output: OutputMode = typer.Option(
        OutputMode.human, "--output", "-o", envvar="VENDORCI_OUTPUT", case_sensitive=False,
        help="human (tables, ✓ ! ✗ lines), json (one envelope on stdout) or openmetrics (votes, doctor).",
    ),
    config: Optional[Path] = typer.Option(
        None, "--config", envvar="VENDORCI_CONFIG", help="Config file (default ./vendorci.yaml, then the user config).",
        dir_okay=False,
    ),
    debug: bool = typer.Option(False, "--debug", help="Log debug output and show tracebacks."),
    version: bool = typer.Option(False, "--version", callback=_version_callback, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """vendorci: the third-party CI operator's tool."""
    from vendorci.logutil import setup_logging

    ctx.obj = Application(output=output.value, config_path=str(config) if config else None, debug=debug)
    setup_logging(debug)
