"""`vendorci init DIR`: create a private data repository for a third-party CI."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.output import Result


def _render(console: Any, result: Result) -> None:
    d = result.data
    verb = "Completed" if d["forced"] else "Created"
    console.print(f"{verb} data repository {d['path']} for {d['vendor']}", markup=False, soft_wrap=True)
    for rel in d["written"]:
        console.print(f"  + {rel}", markup=False, soft_wrap=True)
    for rel in d["kept"]:
        console.print(f"  = {rel} (kept)", markup=False, soft_wrap=True)
    if d["commit"]:
        console.print(f"committed {d['commit'][:12]} (Initial vendorci data repository)", markup=False,
                      soft_wrap=True)
    for key in d["keys"]:
        if key.get("generated"):
            console.print(f"{key['name']} ({key['purpose']}): {key['type']} {key['bits']} bits, "
                          f"{key.get('format', '')} format, {key['fingerprint']}", markup=False, soft_wrap=True)
    gerrit = next((k for k in d["keys"] if k["name"] == "gerrit_key" and k.get("public_key")), None)
    if gerrit:
        console.print("Public key to register for the Gerrit service account:", markup=False, soft_wrap=True)
        console.print(gerrit["public_key"], markup=False, soft_wrap=True)
    console.print("This repository holds private keys: push it only to a private remote.", markup=False, soft_wrap=True)
    if d.get("not_ready"):
        v3 = d.get("zuul") == "v3"
        where = "log_url_root in zuul-config/zuul.d/jobs.yaml" if v3 else "LOG_URL_ROOT in vars.sh"
        console.print(f"! Not ready to report upstream: {d['not_ready']}. Set {where} to the public URL the logs "
                      "are served under (or run init with --log-url URL); until then reviewers cannot open the "
                      "logs your reports link to" + ("." if v3 else ", and `vendorci validate` reports it."),
                      markup=False, soft_wrap=True)
    console.print(f"Next: vendorci validate {d['path']}", markup=False, soft_wrap=True)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _prompt_missing(vendor: Optional[str], gerrit_user: Optional[str], yes: bool) -> tuple[str, Optional[str]]:
    from vendorci.errors import UsageError

    if vendor:
        return vendor, gerrit_user
    if yes or not _interactive():
        raise UsageError("missing option --vendor", code="missing_option",
                         hint="Give --vendor NAME (lowercase letters, digits, '-', '_'); prompts only happen on a "
                              "terminal without --yes.")
    vendor = typer.prompt("Vendor name (lowercase letters, digits, '-', '_')", err=True)
    if not gerrit_user:
        gerrit_user = typer.prompt("Gerrit service account", default=f"{vendor}-ci", err=True)
    return vendor, gerrit_user


def _prompt_log_url(log_url: Optional[str], ask: bool) -> Optional[str]:
    """The public log URL: given, else asked on a terminal (empty: decide later, the scaffold keeps logs local)."""
    if log_url is not None or not ask:
        return log_url
    answer = typer.prompt("Public URL of the CI's logs, e.g. https://logs.acme-ci.net/ (LOG_URL_ROOT; empty: set "
                          "it later)", default="", show_default=False, err=True)
    return answer.strip() or None


def init(
    ctx: typer.Context,
    directory: Path = typer.Argument(..., metavar="DIR", help="Directory to create (must be empty or absent).",
                                     file_okay=True, dir_okay=True),
    vendor: Optional[str] = typer.Option(None, "--vendor", help="CI name: lowercase letters, digits, '-', '_'."),
    gerrit_user: Optional[str] = typer.Option(None, "--gerrit-user",
                                              help="The CI's Gerrit service account (default VENDOR-ci)."),
    gerrit_host: str = typer.Option("review.opendev.org", "--gerrit-host", help="Upstream Gerrit host."),
    gerrit_port: int = typer.Option(29418, "--gerrit-port", help="Gerrit SSH port."),
    jenkins_url: str = typer.Option("http://127.0.0.1:8080/", "--jenkins-url", help="Jenkins master URL."),
    key_type: str = typer.Option("rsa", "--key-type", help="rsa (4096 bits) or ed25519."),
    zuul: str = typer.Option("v2", "--zuul", metavar="v2|v3",
                             help="v2: Zuul 2 + Jenkins + Gearman (layout.yaml, JJB); v3: today's Zuul (zuul.conf "
                                  "with ZooKeeper, main.yaml, a zuul-config/ config project)."),
    vote: bool = typer.Option(False, "--vote", help="v3: report Verified +/-1 (default: comments only, as the "
                                                     "upstream asks of new CIs)."),
    key_format: Optional[str] = typer.Option(None, "--key-format",
                                             help="pem or openssh (default: pem for rsa, the form Zuul's Gerrit "
                                                  "connection and Jenkins' Java SSH libraries read; openssh for "
                                                  "ed25519)."),
    log_url: Optional[str] = typer.Option(None, "--log-url", metavar="URL",
                                          help="Public URL root of the logs (LOG_URL_ROOT); reports link to it "
                                               "(asked on a terminal; default http://127.0.0.1/logs: not ready to "
                                               "report upstream)."),
    publish_host: Optional[str] = typer.Option(None, "--publish-host",
                                               help="Host the logs are copied to (default: the --log-url host, "
                                                    "else 127.0.0.1)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Never prompt; fail (exit 2) naming what is missing."),
    force: bool = typer.Option(False, "--force",
                               help="Allow a non-empty DIR: add only missing files; never overwrite keys."),
) -> None:
    """Create DIR as a git repository holding the CI's data: vars.sh, SSH keys, Zuul layout and zuul.conf,
    Jenkins Job Builder jobs, vendorci.yaml (--zuul v3: zuul.conf, main.yaml and a zuul-config/ config project
    instead of the layout and JJB); and commit it."""
    from vendorci.core.scaffold import InitOptions, init_repo

    appl = get_app(ctx)

    def run() -> Result:
        v, user = _prompt_missing(vendor, gerrit_user, yes or appl.json)
        url = _prompt_log_url(log_url, not (yes or appl.json) and _interactive())
        opts = InitOptions(vendor=v, gerrit_user=user or f"{v}-ci", gerrit_host=gerrit_host,
                           gerrit_port=gerrit_port, jenkins_url=jenkins_url, key_type=key_type, force=force,
                           zuul=zuul, vote=vote, key_format=key_format, log_url=url, publish_host=publish_host)
        return Result("init", init_repo(directory, opts).as_dict())

    appl.run("init", run, _render)


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("init")(init)
