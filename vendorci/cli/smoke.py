"""`vendorci smoke-test sandbox`: push a patch to the sandbox project and wait for the CI's vote."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.cli.options import ACCEPT_NEW_OPT, CI_KEY_OPT, CI_USER_OPT, GERRIT_HTTP_OPT, KNOWN_HOSTS_OPT
from vendorci.output import Result

app = typer.Typer(help="Prove the whole chain end to end: push a sandbox patch and wait for the CI's vote.",
                  no_args_is_help=True)

GERRIT_HELP = ("Operator account: ssh://USER@HOST:PORT (default: config gerrit.host/port, "
               "git config gitreview.username).")


def render_vote(console: Any, result: Result) -> None:
    d = result.data
    console.print(f"change: {d.get('url')} (change {d.get('change')}, patch set {d.get('patchset')})", markup=False)
    if d.get("comment") is None:
        console.print(f"✗ no comment from {d.get('ci_user')} after {d.get('elapsed_s')}s", markup=False)
        return
    vote = d.get("vote")
    sym = "✓" if vote and vote > 0 else "✗"
    text = "no Verified vote" if vote is None else f"Verified{vote:+d}"
    console.print(f"{sym} {d['ci_user']}: {text} after {d['elapsed_s']:.1f}s (seen via {d.get('via')})", markup=False)
    if d.get("summary"):
        console.print(f"  {d['summary']}", markup=False)
    for j in d.get("jobs") or []:
        mark = "✓" if j["result"] == "SUCCESS" else "✗"
        console.print(f"  {mark} {j['name']}: {j['result']}" + (f" in {j['duration']}" if j.get("duration") else "")
                      + (f"  {j['url']}" if j.get("url") else ""), markup=False)
    if not d.get("jobs"):
        console.print("  (no job lines in the comment)", markup=False)
    if d.get("abandoned"):
        console.print("change abandoned", markup=False)


@app.command("sandbox")
def sandbox(
    ctx: typer.Context,
    project: str = typer.Option("openstack-dev/sandbox", "--project", help="Project to push the test patch to."),
    branch: str = typer.Option("master", "--branch"),
    timeout: float = typer.Option(3600, "--timeout", min=1, help="Seconds to wait for the CI's comment (exit 124)."),
    abandon: bool = typer.Option(False, "--abandon", help="Abandon the change once the vote is in."),
    recheck: Optional[str] = typer.Option(None, "--recheck", metavar="CHANGE",
                                          help="Comment `recheck` on CHANGE[,PS] instead of pushing a new patch."),
    workdir: Optional[Path] = typer.Option(None, "--workdir", help="Where the clone is cached (default: user cache)."),
    gerrit: Optional[str] = typer.Option(None, "--gerrit", help=GERRIT_HELP),
    ssh_key: Optional[Path] = typer.Option(None, "--ssh-key", help="Operator's private key (default: ssh's own)."),
    ci_user: Optional[str] = CI_USER_OPT,
    ci_key: Optional[Path] = CI_KEY_OPT,
    gerrit_http: Optional[str] = GERRIT_HTTP_OPT,
    known_hosts: Optional[Path] = KNOWN_HOSTS_OPT,
    accept_new_host_key: bool = ACCEPT_NEW_OPT,
    vendor: Optional[str] = typer.Option(None, "--vendor", help="Vendor name for the commit message."),
) -> None:
    """Push a patch (or `recheck`), wait for the CI's comment, report its vote and jobs.

    Exit 0 on Verified > 0, 1 on a negative vote or a comment without a vote, 124 on timeout.
    """
    from vendorci.cli import exits
    from vendorci.core.smoke import SmokeOptions, access_from_config, run_smoke

    appl = get_app(ctx)

    def run() -> Result:
        cfg = appl.load_config({"gerrit.http_url": gerrit_http,
                                "known_hosts": str(known_hosts) if known_hosts else None, "vendor": vendor})
        access = access_from_config(cfg, gerrit=gerrit, ssh_key=ssh_key, ci_user=ci_user, ci_key=ci_key,
                                    accept_new=accept_new_host_key)
        # no single SSH step may outlast the whole wait
        access = dataclasses.replace(access, timeout=min(access.timeout, max(1.0, timeout)))
        opts = SmokeOptions(access, project=project, branch=branch, timeout=timeout, abandon=abandon,
                            recheck=recheck, workdir=workdir, vendor=cfg["vendor"])
        with appl.progress("smoke test") as update:
            outcome = run_smoke(opts, update)
        problems = [outcome.problem] if outcome.problem else []
        return Result("smoke-test sandbox", outcome.as_dict(), ok=outcome.ok, errors=[e.as_dict() for e in problems],
                      exit_code=exits.for_problems(problems) if problems else None)

    appl.run("smoke-test sandbox", run, render_vote)
