"""The typer application: wiring only.  Parse, call core, render, exit code (built on first use: see
vendorci.cli.main)."""

from __future__ import annotations

import typer

from vendorci.cli.app import VendorciGroup, global_options

app = typer.Typer(
    name="vendorci",
    cls=VendorciGroup,
    help="Build, diagnose and prove a third-party CI linked to an upstream Gerrit "
    "(Gerrit -> Zuul -> Gearman -> Jenkins -> Verified vote).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.callback()(global_options)


def _register() -> None:
    # Sub-apps and commands are added explicitly, one module per command.
    from vendorci.cli import apply, config_cmd, doctor, gearman, init, keys, node, smoke, validate, votes

    init.register(app)
    app.add_typer(keys.app, name="keys")
    validate.register(app)
    apply.register(app)
    doctor.register(app)
    app.add_typer(gearman.app, name="gearman")
    app.add_typer(node.app, name="node")
    app.add_typer(smoke.app, name="smoke-test")
    votes.register(app)
    app.add_typer(config_cmd.app, name="config")


_register()


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point."""
    import sys

    try:
        app(args=argv, prog_name="vendorci")
    except SystemExit as exc:
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    return 0 if sys.exc_info()[0] is None else 1
