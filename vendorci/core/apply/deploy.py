"""``vendorci apply`` end to end: check, write, push jobs, reload Zuul.

:func:`prepare` builds the plan and stops on bad input (unresolved
``${NAME}``: exit 2; validation errors: exit 1) before anything is written.
:func:`execute` writes the files (backups first), generates the job XML with
Jenkins Job Builder and pushes what differs, then reloads Zuul when its
configuration changed.  A step that fails stops the run; the result says what
was already done and where the backups are.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.core.apply.plan import Plan, build_plan
from vendorci.core.apply.write import WriteReport, write_plan
from vendorci.core.reload import ReloadResult, run_command, sighup
from vendorci.errors import Code, OperationFailed, UsageError, VendorciError


@dataclass(frozen=True)
class JenkinsReport:
    jobs: tuple[Any, ...] = ()  # clients.jjb.JobAction
    skipped: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"jobs": [j.as_dict() for j in self.jobs], "skipped": self.skipped}


@dataclass(frozen=True)
class ApplyResult:
    plan: Plan
    written: WriteReport | None
    jenkins: JenkinsReport
    reload: ReloadResult
    failed_step: str | None = None
    error: VendorciError | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return self.failed_step is None

    def problems(self) -> list[VendorciError]:
        """The failed step as the error the envelope reports: what failed, and that the files are applied."""
        if self.error is None:
            return []
        w = self.written
        done = sum(f.action != "unchanged" for f in w.files) if w else 0
        where = f", backups in {w.backup_dir}" if w and w.backup_dir else ""
        return [OperationFailed(f"the {self.failed_step} step failed: {self.error.message}; the files were applied "
                                f"({done} changed){where}", code=self.error.code, hint=self.error.hint)]

    def as_dict(self) -> dict[str, Any]:
        w = self.written
        files = [f.as_dict() for f in w.files] if w else []
        diffs = {f.path: f.diff for f in self.plan.files}
        for f in files:
            f["diff"] = diffs.get(f["path"]) or None
        return {"repo": str(self.plan.repo), "root": str(self.plan.root), "files": files,
                "backup_dir": w.backup_dir if w else None, "rollback": w.rollback if w else None,
                "jenkins": self.jenkins.as_dict(), "reload": self.reload.as_dict(),
                "zuul": self.plan.zuul.as_dict() if self.plan.zuul else None,
                "failed_step": self.failed_step, "error": self.error.as_dict() if self.error else None,
                "notes": list(self.plan.notes) + list(self.notes)}


def prepare(directory: str | Path, root: str | Path = "/") -> tuple[Plan, list[Any]]:
    """(plan, validation findings); UsageError for unresolved names, OperationFailed for validation errors."""
    from vendorci.core.validate import validate_repo

    plan = build_plan(directory, root)
    findings = validate_repo(plan.repo)
    if plan.unresolved:
        names = sorted({u.name for u in plan.unresolved})
        raise UsageError("unresolved ${NAME} in the files to deploy: " + ", ".join(names) + "; nothing was written",
                         code=Code.APPLY_UNRESOLVED_VARS,
                         hint="Set them in vars.sh (export NAME=value); in a JJB file, write ${{NAME}} for a "
                              "variable Jenkins expands at build time.",
                         data={"unresolved": [u.as_dict() for u in plan.unresolved]})
    errors = [f for f in findings if f.severity == "error"]
    if errors:
        raise OperationFailed(f"validate found {len(errors)} error(s) in {plan.repo}; nothing was written",
                              code=Code.VALIDATION_FAILED, hint="Run `vendorci validate` and fix the findings.",
                              data={"findings": [f.as_dict() for f in findings]})
    return plan, findings


def jenkins_url(plan: Plan) -> str | None:
    """The ``[jenkins] url`` of the repo's jenkins_jobs.ini, rendered."""
    from vendorci.inifile import IniSyntaxError, parse_ini

    try:
        return parse_ini(plan.jjb_ini, "jenkins_jobs.ini").get("jenkins", "url")
    except IniSyntaxError:
        return None


def execute(plan: Plan, client_factory: Callable[[], Any] | None, *, reload: bool = True,
            reconfigure_command: str | None = None) -> ApplyResult:
    """Write, push, reload.  ``client_factory`` (a JenkinsClient maker) None: the Jenkins step is skipped."""
    jobs_xml = None
    if client_factory is not None:
        from vendorci.clients.jjb import generate

        jobs_xml = generate(plan.jjb_files, plan.jjb_ini)  # bad YAML stops apply before any write
    written = write_plan(plan)
    jenkins = JenkinsReport(skipped="--no-jenkins")
    not_reached = ReloadResult(False, None, reason="not reached: an earlier step failed")
    if jobs_xml is not None and client_factory is not None:
        from vendorci.clients.jjb import push

        try:
            actions, err = push(client_factory(), jobs_xml)
        except VendorciError as exc:
            actions, err = [], exc
        jenkins = JenkinsReport(tuple(actions))
        if err is not None:
            return ApplyResult(plan, written, jenkins, not_reached, "jenkins", err)
    try:
        result = _reload(plan, reload, reconfigure_command)
    except VendorciError as exc:
        return ApplyResult(plan, written, jenkins, ReloadResult(False, None, exc.data.get("pid"), exc.message),
                           "reload", exc)
    notes: tuple[str, ...] = ()
    if result.done and plan.zuul and plan.zuul.version == 2 and any(
            f.path.endswith("/zuul.conf") and f.action != "unchanged" for f in plan.files if f.kind == "zuul"):
        notes = ("zuul.conf changed: zuul-server makes its Gerrit and Gearman connections only at start; restart "
                 "Zuul (service zuul restart) if those settings changed",)
    return ApplyResult(plan, written, jenkins, result, notes=notes)


def _reload(plan: Plan, reload: bool, command: str | None) -> ReloadResult:
    zuul = plan.zuul
    if not reload:
        return ReloadResult(False, None, reason="--no-reload")
    if zuul is None:
        return ReloadResult(False, None, reason="the data repository has no zuul.conf")
    if zuul.version == 2:
        if not plan.zuul_changed():
            return ReloadResult(False, None, reason="Zuul's configuration did not change")
        assert zuul.pidfile is not None
        return sighup(zuul.pidfile)
    tenant = zuul.tenant_config
    if not any(f.kind == "zuul" and f.action != "unchanged" and f.path == tenant for f in plan.files):
        return ReloadResult(False, None, reason="the tenant configuration did not change")
    return run_command(command, zuul.pidfile)
