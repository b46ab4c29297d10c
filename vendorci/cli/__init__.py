"""The command line.

:func:`main` answers ``gearman status|workers`` (output of 10,000 lines, run from scripts and watch loops)
through :mod:`vendorci.cli.fastpath`, which needs neither typer nor rich, and everything else through the typer
application in :mod:`vendorci.cli.root` (``vendorci.cli.root.app``), imported only then.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    from vendorci.cli.fastpath import run_fast

    code = run_fast(argv)
    if code is not None:
        return code
    from vendorci.cli.root import main as full_main

    return full_main(argv)

