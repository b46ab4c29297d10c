"""`vendorci config show`."""

from __future__ import annotations

from typing import Any

import typer

from vendorci.cli.app import get_app
from vendorci.output import Result

app = typer.Typer(help="Inspect vendorci's effective configuration.", no_args_is_help=True)


def _render(console: Any, result: Result) -> None:
    from vendorci.cli.render import render_table

    # cells are literal text: "host:/etc/zuul/zuul.conf [connection opendev]" is not markup
    rows: list[tuple[str, str, str]] = []
    for r in result.data["settings"]:
        rows.append((r["key"], r["value"], r["source"]))
        if r.get("pairing"):  # where a credential may go, and why it is withheld when it is
            rows.append(("", "", f"  {r['pairing']}"))
    render_table(console, ["key", "value", "source"], rows, keep_whole=1)


@app.command("show")
def show(ctx: typer.Context) -> None:
    """Print every setting, its value (secrets masked) and where it came from."""
    appl = get_app(ctx)

    def run() -> Result:
        cfg = appl.load_config()
        return Result("config show", {"files": list(cfg.files), "settings": cfg.show()})

    appl.run("config show", run, _render)
