"""`vendorci smoke-test sandbox`: push a patch to the sandbox project and wait for the CI's vote."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
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


def render_vote(console: Any, result: Result, url_printed: bool = False) -> None:
    d = result.data
    if d.get("change") is not None and not url_printed:
        console.print(f"change: {d.get('url')} (change {d.get('change')}, patch set {d.get('patchset')})",
                      markup=False)
    if d.get("comment") is None:
        if d.get("elapsed_s") is not None:
            console.print(f"✗ no comment from {d.get('ci_user')} after {d.get('elapsed_s')}s", markup=False)
        if d.get("abandoned"):
            console.print("change abandoned", markup=False)
        return
    vote, res = d.get("vote"), d.get("result")
    sym = "✓" if result.ok else "✗"
    text = (f"no Verified vote, comment says {res or 'neither success nor failure'}" if vote is None
            else f"Verified{vote:+d}")
    console.print(f"{sym} {d['ci_user']}: {text} after {d['elapsed_s']:.1f}s (seen via {d.get('via')})", markup=False)
    if d.get("summary"):
        console.print(f"  {d['summary']}", markup=False)
    for j in d.get("jobs") or []:
        mark = "✓" if j["result"] == "SUCCESS" else "✗"
        logs = j.get("log_status")
        logs_txt = "" if logs is None else f"  (logs: {logs})"
        console.print(f"  {mark} {j['name']}: {j['result']}" + (f" in {j['duration']}" if j.get("duration") else "")
                      + (f"  {j['url']}" if j.get("url") else "") + logs_txt, markup=False)
    if not d.get("jobs"):
        console.print("  (no job lines in the comment)", markup=False)
    for f in d.get("policy") or []:
        console.print(f"! {f['code']}: {f['message']}", markup=False)
    if d.get("abandoned"):
        console.print("change abandoned", markup=False)


class _Terminated(KeyboardInterrupt):
    """SIGTERM, handled like Ctrl-C so that --abandon still cleans up."""


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise _Terminated()

    old = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


@app.command("sandbox")
def sandbox(
    ctx: typer.Context,
    project: str = typer.Option("opendev/ci-sandbox", "--project", help="Project to push the test patch to."),
    branch: str = typer.Option("master", "--branch"),
    timeout: float = typer.Option(3600, "--timeout", min=1, help="Seconds to wait for the CI's comment (exit 124)."),
    abandon: bool = typer.Option(False, "--abandon", help="Abandon the change this run created, whatever the outcome "
                                 "(vote, failure, timeout, Ctrl-C)."),
    recheck: Optional[str] = typer.Option(None, "--recheck", metavar="CHANGE",
                                          help="Comment `recheck` on CHANGE[,PS] instead of pushing a new patch."),
    recheck_comment: str = typer.Option("recheck", "--recheck-comment", metavar="TEXT",
                                        help="The retrigger word to comment (e.g. 'acme: recheck')."),
    expect_vote: bool = typer.Option(False, "--expect-vote", help="A comment without a Verified vote fails "
                                     "(no_vote): for CIs allowed to vote."),
    no_check_logs: bool = typer.Option(False, "--no-check-logs", help="Do not fetch the jobs' log URLs."),
    strict: bool = typer.Option(False, "--strict", help="Policy findings (no wiki link, ...) fail the run."),
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
    """Push a patch (or `recheck`), wait for the CI's comment, report its verdict, jobs, log links and policy.

    Exit 0 on Verified > 0 or, without a vote, a comment reporting success; 1 on a negative vote, a failure report
    or unreachable logs; 124 on timeout; 130 on Ctrl-C/SIGTERM.
    """
    from vendorci.cli import exits
    from vendorci.core.smoke import SmokeOptions, access_from_config, run_smoke
    from vendorci.core.verdict import VerdictOptions

    appl = get_app(ctx)
    printed = [False]

    def on_change(change: int, patchset: int, url: str) -> None:
        if not appl.json:
            appl.console().print(f"change: {url} (change {change}, patch set {patchset})", markup=False)
            printed[0] = True

    def run() -> Result:
        cfg = appl.load_config({"gerrit.http_url": gerrit_http,
                                "known_hosts": str(known_hosts) if known_hosts else None, "vendor": vendor})
        access = access_from_config(cfg, gerrit=gerrit, ssh_key=ssh_key, ci_user=ci_user, ci_key=ci_key,
                                    accept_new=accept_new_host_key)
        # no single SSH step may outlast the whole wait
        access = dataclasses.replace(access, timeout=min(access.timeout, max(1.0, timeout)))
        opts = SmokeOptions(access, project=project, branch=branch, timeout=timeout, abandon=abandon,
                            recheck=recheck, recheck_comment=recheck_comment, workdir=workdir, vendor=cfg["vendor"],
                            verdict=VerdictOptions(expect_vote=expect_vote, check_logs=not no_check_logs,
                                                   strict=strict),
                            on_change=on_change)
        with _sigterm_as_interrupt(), appl.progress("smoke test") as update:
            outcome = run_smoke(opts, update)
        problems = list(outcome.problems)
        return Result("smoke-test sandbox", outcome.as_dict(), ok=outcome.ok, errors=[e.as_dict() for e in problems],
                      exit_code=exits.for_problems(problems) if problems else None)

    appl.run("smoke-test sandbox", run, lambda console, result: render_vote(console, result, printed[0]))
