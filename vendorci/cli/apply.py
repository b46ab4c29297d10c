"""`vendorci apply [DIR]`: deploy the data repository onto the master (files, Jenkins jobs, Zuul reload)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli import exits
from vendorci.cli.app import get_app
from vendorci.errors import Code, UsageError
from vendorci.output import Result

MARK = {"created": "+", "updated": "~", "unchanged": "=", "failed": "✗"}


def _print_diffs(console: Any, files: list[dict[str, Any]]) -> None:
    for f in files:
        if f.get("diff"):
            console.print(f["diff"].rstrip("\n"), markup=False, soft_wrap=True, highlight=False)


def _render(console: Any, result: Result) -> None:
    d = result.data
    if d.get("dry_run") or not result.ok and d.get("needs_confirmation"):
        _print_diffs(console, d["files"])
    for f in d["files"]:
        console.print(f"{MARK.get(f['action'], '?')} {f['path']} ({f['action']})", markup=False, soft_wrap=True)
    if d.get("dry_run"):
        console.print("dry run: nothing written, nothing sent", markup=False)
        return
    if d.get("needs_confirmation"):
        return
    j = d.get("jenkins") or {}
    if j.get("skipped"):
        console.print(f"- Jenkins jobs: skipped ({j['skipped']})", markup=False)
    for job in j.get("jobs") or []:
        console.print(f"{MARK.get(job['action'], '?')} job {job['name']} ({job['action']})", markup=False)
    r = d.get("reload") or {}
    if r.get("done"):
        console.print(f"✓ Zuul reloaded ({r['how']}{', pid ' + str(r['pid']) if r.get('pid') else ''})", markup=False)
    elif r.get("reason"):
        console.print(f"- Zuul not reloaded: {r['reason']}", markup=False, soft_wrap=True)
    for note in d.get("notes") or []:
        console.print(f"! {note}", markup=False, soft_wrap=True)
    if d.get("backup_dir"):
        console.print(f"backups: {d['backup_dir']}", markup=False, soft_wrap=True)
        console.print(f"roll back with: {d['rollback']}", markup=False, soft_wrap=True)


def _interactive() -> bool:
    return sys.stdin.isatty()


def _client_factory(appl: Any, plan: Any, url: Optional[str], user: Optional[str]) -> Any:
    """A JenkinsClient maker; credentials from env, token file or ROOT's own jenkins_jobs.ini, never the repo."""
    from vendorci.clients.jenkins import JenkinsClient
    from vendorci.core.apply import jenkins_url
    from vendorci.errors import ConfigError

    cfg = appl.load_config({"jenkins.url": url, "jenkins.user": user,
                            "jjb.ini": str(plan.root / "etc/jenkins_jobs/jenkins_jobs.ini")})
    final_url = cfg["jenkins.url"]
    if cfg.source("jenkins.url") == "default" or cfg.source("jenkins.url").startswith("host:"):
        final_url = jenkins_url(plan) or final_url  # the ini apply deploys says where Jenkins is
    jenkins_user, token = cfg["jenkins.user"], cfg.secret("jenkins.token")
    if jenkins_user and not token:
        raise ConfigError(f"no API token for Jenkins user {jenkins_user!r}", code=Code.JENKINS_TOKEN_MISSING,
                          hint="Set VENDORCI_JENKINS_TOKEN, jenkins.token_file (0600) or [jenkins] password in "
                          "ROOT/etc/jenkins_jobs/jenkins_jobs.ini; or use --no-jenkins.")
    timeout = float(cfg.get("jenkins.timeout", 10.0))
    return lambda: JenkinsClient(final_url, jenkins_user, token, timeout)


def apply(
    ctx: typer.Context,
    directory: Path = typer.Argument(Path("."), metavar="[DIR]", help="The data repository (default: here)."),
    root: Path = typer.Option(Path("/"), "--root", help="Directory standing for / : every path is put under it."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show the diff and stop: nothing written, nothing sent."),
    no_jenkins: bool = typer.Option(False, "--no-jenkins", help="Do not push jobs to Jenkins."),
    no_reload: bool = typer.Option(False, "--no-reload", help="Do not reload Zuul."),
    jenkins_url: Optional[str] = typer.Option(None, "--jenkins-url",
                                              help="Jenkins URL (default: the deployed jenkins_jobs.ini's)."),
    jenkins_user: Optional[str] = typer.Option(
        None, "--jenkins-user", help="Jenkins user (env VENDORCI_JENKINS_USER); its API token from "
        "VENDORCI_JENKINS_TOKEN, a 0600 jenkins.token_file or ROOT's jenkins_jobs.ini, never a flag."),
    reconfigure_command: Optional[str] = typer.Option(
        None, "--reconfigure-command", envvar="VENDORCI_ZUUL_RECONFIGURE",
        help="Zuul v3+: command that reloads the tenant config (default: zuul-scheduler full-reconfigure)."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation (needed when not on a terminal)."),
) -> None:
    """Deploy the data repo onto this master: validate, render ${NAME} from vars.sh into ROOT/etc/zuul and
    ROOT/etc/jenkins_jobs (diff shown, backups kept), push changed jobs with Jenkins Job Builder, reload Zuul."""
    from vendorci.core.apply import execute, prepare

    appl = get_app(ctx)

    def run() -> Result:
        plan, findings = prepare(directory, root)
        files = [{**f.as_dict(), "backup": None, "diff": f.diff or None} for f in plan.files]
        base = {"repo": str(plan.repo), "root": str(plan.root), "files": files,
                "warnings": [f.as_dict() for f in findings], "notes": list(plan.notes)}
        if dry_run:
            return Result("apply", {**base, "dry_run": True})
        if not yes:
            refused = None
            if appl.json or not _interactive():
                refused = UsageError("apply changes the master and asks first; not on a terminal, nothing was done",
                                     code=Code.CONFIRMATION_REQUIRED,
                                     hint="Review with --dry-run, then run again with --yes.")
            else:
                _print_diffs(appl.console(), files)
                changes = sum(f["action"] != "unchanged" for f in files)
                if not typer.confirm(f"Apply {changes} file change(s) to {plan.root}"
                                     + ("" if no_jenkins else ", push jobs to Jenkins") + "?", err=True):
                    refused = UsageError("not confirmed; nothing was done", code=Code.NOT_CONFIRMED)
            if refused is not None:
                return Result("apply", {**base, "needs_confirmation": True}, ok=False,
                              exit_code=exits.for_error(refused), errors=[refused.as_dict()])
        factory = None if no_jenkins else _client_factory(appl, plan, jenkins_url, jenkins_user)
        res = execute(plan, factory, reload=not no_reload, reconfigure_command=reconfigure_command)
        data = res.as_dict()
        problems = res.problems()
        return Result("apply", data, ok=res.ok, exit_code=exits.for_problems(problems),
                      errors=[e.as_dict() for e in problems])

    appl.run("apply", run, _render)


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("apply")(apply)
