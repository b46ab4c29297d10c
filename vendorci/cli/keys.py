"""`vendorci keys generate|show|convert`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.output import Result

app = typer.Typer(help="Generate, inspect and convert SSH key pairs (OpenSSH or PEM format, private keys 0600).",
                  no_args_is_help=True)

_MARK = {"ok": "✓", "no": "✗", "depends": "!"}


def _render_consumers(console: Any, consumers: list[dict]) -> None:
    if not consumers:
        return
    console.print("who can read it:", markup=False)
    for v in consumers:
        line = f"  {_MARK.get(v['status'], '?')} {v['name']}"
        if v["status"] != "ok":
            line += f": {v['reason']}"
        console.print(line, markup=False, soft_wrap=True)
        if v.get("fix") and v["status"] != "ok":
            console.print(f"      fix: {v['fix']}", markup=False, soft_wrap=True)
        if v.get("note"):
            console.print(f"      note: {v['note']}", markup=False, soft_wrap=True)


def _render_key(console: Any, result: Result) -> None:
    d = result.data
    fmt = f", {d['format']} format" if d.get("format") else ""
    console.print(f"{d['path']}: {d['type']} {d['bits']} bits{fmt}" + (" (encrypted)" if d.get("encrypted") else ""),
                  markup=False)
    if d.get("fingerprint"):
        console.print(f"fingerprint: {d['fingerprint']}", markup=False)
    if d.get("public_key"):
        console.print(d["public_key"], markup=False, soft_wrap=True)
    _render_consumers(console, d.get("consumers") or [])
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
    key_format: str = typer.Option("openssh", "--format",
                                   help="openssh, or pem (traditional RSA PEM, for Java SSH libraries and Zuul's "
                                        "Gerrit connection; not for ed25519)."),
    comment: str = typer.Option("", "--comment", help="Comment in the public key."),
    force: bool = typer.Option(False, "--force", help="Overwrite an existing key."),
) -> None:
    """Generate a key pair and print the public key, its SHA256 fingerprint and who can read it."""
    from vendorci.core.keyformats import consumers_for
    from vendorci.core.keys import generate_key

    def run() -> Result:
        if "/" in name:  # NAME is a file name inside --dir, never a path out of it
            from vendorci.errors import UsageError

            raise UsageError(f"{name!r}: not a valid key name", code="bad_key_name",
                             hint="Give a plain file name and the directory with --dir.")
        info = generate_key(directory / name, key_type, bits, comment, force, key_format)
        data = info.as_dict()
        data["consumers"] = [v.as_dict() for v in consumers_for(info.format, info.type, info.path)]
        return Result("keys generate", data)

    get_app(ctx).run("keys generate", run, _render_key)


@app.command("show")
def show(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Private or public key file."),
    for_: Optional[list[str]] = typer.Option(
        None, "--for", help="Fail (exit 1) unless this consumer can read the key: openssh, paramiko, "
                            "jenkins-ssh-agents, jsch, zuul-gerrit. Repeatable."),
) -> None:
    """Type, bits, format, fingerprint, public key and which consumers can read it (with the fix when one
    cannot); flags a private key others can read."""
    from vendorci.core.keyformats import CONSUMERS, format_report
    from vendorci.core.keys import inspect_key
    from vendorci.errors import Code, UsageError

    def run() -> Result:
        wanted = tuple(for_ or ())
        unknown = [c for c in wanted if c not in CONSUMERS]
        if unknown:
            raise UsageError(f"unknown consumer {unknown[0]!r}", code=Code.BAD_CONSUMER,
                             hint="Use one of: " + ", ".join(CONSUMERS))
        info = inspect_key(path)
        from vendorci.errors import InputError, OperationFailed, VendorciError

        data = info.as_dict()
        report = format_report(path)
        data["format"] = report.format
        data["consumers"] = [v.as_dict() for v in report.consumers]
        problems: list[VendorciError] = [] if info.mode_ok else [OperationFailed(
            f"{path}: private key has mode {info.mode}; others can read it", code=Code.KEY_MODE_UNSAFE,
            hint=f"chmod 600 {path}")]
        by_id = {v.consumer: v for v in report.consumers}
        for c in wanted:
            v = by_id.get(c)
            if v is None:
                problems.append(InputError(f"{path}: not a private key {CONSUMERS[c]} could use",
                                           code=Code.KEY_NOT_PRIVATE, hint="Give the private key file."))
            elif v.status != "ok":
                problems.append(OperationFailed(f"{path}: {v.name}: {v.reason}", code=Code.KEY_UNREADABLE_BY_CONSUMER,
                                                hint=v.fix))
        usage = any(isinstance(e, InputError) for e in problems)
        return Result("keys show", data, ok=not problems, errors=[e.as_dict() for e in problems],
                      exit_code=2 if usage else None)

    get_app(ctx).run("keys show", run, _render_key)


def _render_convert(console: Any, result: Result) -> None:
    d = result.data
    if not d["changed"]:
        console.print(f"{d['path']}: already in {d['to_format']} format; nothing changed", markup=False,
                      soft_wrap=True)
    else:
        console.print(f"{d['path']}: converted {d['from_format']} -> {d['to_format']} (mode {d['mode']} kept)",
                      markup=False, soft_wrap=True)
        console.print(f"backup: {d['backup']} (0600)", markup=False, soft_wrap=True)
        if d["pub_written"]:
            console.print(f"wrote {d['path']}.pub (it keeps the comment)", markup=False, soft_wrap=True)
    console.print(f"fingerprint: {d['fingerprint']} (unchanged)", markup=False)
    _render_consumers(console, d.get("consumers") or [])


@app.command("convert")
def convert(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Private key file to rewrite in place."),
    key_format: str = typer.Option(..., "--format", help="pem (traditional; RSA and ECDSA) or openssh."),
) -> None:
    """Rewrite a private key in another format: same key, fingerprint, mode and comment; the old file is kept
    as PATH.bak-TIMESTAMP (0600).  Encrypted keys are refused."""
    from vendorci.core.keyconvert import convert_key

    def run() -> Result:
        return Result("keys convert", convert_key(path, key_format).as_dict())

    get_app(ctx).run("keys convert", run, _render_convert)
