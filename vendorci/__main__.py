"""`python -m vendorci` and the `vendorci` console script.

`vendorci --version` alone is answered here, before typer (and the pydantic it builds its parameter adapters
with) is imported: it is what scripts and the one-file build's quick check call most often.
"""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:] == ["--version"]:
        from vendorci import __version__

        print(f"vendorci {__version__}")
        return 0
    from vendorci.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    raise SystemExit(main())
