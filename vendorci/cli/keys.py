"""`vendorci keys generate|show`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.output import Result

app = typer.Typer(help="Generate and inspect SSH key pairs (OpenSSH format, private keys 0600).", no_args_is_help=True)


def _render_key(console: Any, result: Result) -> None:
    d = result.data
    console.print(f"{d['path']}: {d['type']} {d['bits']} bits" + (" (encrypted)" if d.get("encrypted") else ""),
                  markup=False)
    if d.get("fingerprint"):
        console.print(f"fingerprint: {d['fingerprint']}", markup=False)
    if d.get("public_key"):
        console.print(d["public_key"], markup=False, soft_wrap=True)
    if not d.get("mode_ok", True):
        console.print(f"✗ private key mode {d['mode']} is readable by others; fix: chmod 600 {d['path']}",
                      markup=False)


@app.command("generate")
def generate(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="File name of the private key; NAME.pub is written beside it."),
    directory: Path = typer.Option(Path("."), "--dir", help="Directory to write into."),
    key_type: str = typer.Option("rsa", "--type", help="rsa or ed25519."),
    bits: Optional[int] = typer.Option(None, "--bits", help="RSA size (default 4096, at least 2048)."),
    comment: str = typer.Option("", "--comment", help="Comment in the public key."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing key."),
) -> None:
    """Generate a key pair and print the public key and its SHA256 fingerprint."""
    from vendorci.core.keys import generate_key

    def run() -> Result:
        if "/" in name:  # NAME is a file name inside --dir, never a path out of it
            from vendorci.errors import UsageError

            raise UsageError(f"{name!r}: not a valid key name", code="bad_key_name",
                             hint="Give a plain file name and the directory with --dir.")
        info = generate_key(directory / name, key_type, bits, comment, force)
        return Result("keys generate", info.as_dict())

    get_app(ctx).run("keys generate", run, _render_key)


@app.command("show")
def show(ctx: typer.Context, path: Path = typer.Argument(..., help="Private or public key file.")) -> None:
    """Type, bits, fingerprint and public key; flags a private key others can read."""
    from vendorci.core.keys import inspect_key

    def run() -> Result:
        info = inspect_key(path)
        from vendorci.errors import Code, OperationFailed

        problems = [] if info.mode_ok else [OperationFailed(
            f"{path}: private key has mode {info.mode}; others can read it", code=Code.KEY_MODE_UNSAFE,
            hint=f"chmod 600 {path}")]
        return Result("keys show", info.as_dict(), ok=info.mode_ok, errors=[e.as_dict() for e in problems])

    get_app(ctx).run("keys show", run, _render_key)
