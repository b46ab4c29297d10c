"""`vendorci config show`."""

from __future__ import annotations

from typing import Any

import typer

from vendorci.cli.app import get_app
from vendorci.output import Result

app = typer.Typer(help="Inspect vendorci's effective configuration.", no_args_is_help=True)


def _render(console: Any, result: Result) -> None:
    from rich.table import Table

    from vendorci.cli.render import cells

    table = Table(box=None, pad_edge=False)
    for col in ("key", "value", "source"):
        table.add_column(col, overflow="fold")
    for row in result.data["settings"]:
        # literal text (cells): values and sources like "host:/etc/zuul/zuul.conf [connection opendev]" are not markup
        table.add_row(*cells((row["key"], row["value"], row["source"])))
        if row.get("pairing"):  # where a credential may go, and why it is withheld when it is
            table.add_row(*cells(("", "", f"  {row['pairing']}"), 2000), style="dim")
    console.print(table)


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Print every setting, its value (secrets masked) and where it came from."""
    appl = get_app(ctx)

    def run() -> Result:
        cfg = appl.load_config()
        return Result("config show", {"files": list(cfg.files), "settings": cfg.show()})

    appl.run("config show", run, _render)
