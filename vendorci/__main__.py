"""`python -m vendorci` and the `vendorci` console script.

`vendorci --version` alone is answered here, before typer (and the pydantic it builds its parameter adapters
with) is imported: it is what scripts and the one-file build's quick check call most often.  `gearman status`
and `gearman workers` take the typer-free fast path (:mod:`vendorci.cli.fastpath`) and, being the whole
program here, end without the interpreter's teardown (see :func:`_exit_now`).
"""

from __future__ import annotations

import sys


def _exit_now(code: int) -> None:
    """Flush and leave at once.  The fast path prints 10,000 lines from as many objects; freeing them one by
    one at interpreter exit costs a tenth of the command's time, for nothing: it holds no files, threads or
    atexit work (logging writes straight to stderr, flushed here)."""
    import os

    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away (`| head`): nothing more to say
            pass
    os._exit(code)


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        from vendorci import __version__

        print(f"vendorci {__version__}")
        return 0
    if "gearman" in sys.argv[1:]:
        from vendorci.cli.fastpath import run_fast

        code = run_fast()
        if code is not None:
            _exit_now(code)
    from vendorci.cli.root import main as typer_main  # the fast path declined (or was not asked): typer

    return typer_main()


if __name__ == "__main__":
    raise SystemExit(main())
