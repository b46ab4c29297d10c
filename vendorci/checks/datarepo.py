"""Doctor checks of the data repository: ``vendorci validate``'s findings, one check per area.

The validation runs once per doctor run (``ctx.memo("datarepo.validate")``);
each check reports the findings of its area.  Without ``ctx.data_repo`` every
check is skipped with a summary that says how to point doctor at the repo.
"""

from __future__ import annotations

from typing import Any

from vendorci.checks.runner import Check
from vendorci.results import CheckResult

NO_REPO = "not in a data repo; pass --data-repo DIR"
#: check id suffix -> (title, validate areas it reports)
AREAS = {
    "repo": ("Data repository found", ("repo",)),
    "yaml": ("YAML files parse", ("yaml",)),
    "layout": ("Zuul layout is valid", ("layout",)),
    "jobs": ("Every job in the layout is defined by JJB", ("jobs",)),
    "vars": ("vars.sh matches the files that use it", ("vars",)),
    "keys": ("Key files exist with safe modes", ("keys",)),
    "config": ("zuul.conf, jenkins_jobs.ini and vendorci.yaml are valid", ("config",)),
}


def _findings(ctx: Any) -> list:
    from vendorci.core.validate import validate_repo

    return ctx.memo("datarepo.validate", lambda: validate_repo(ctx.data_repo))


def _make(suffix: str, title: str, areas: tuple[str, ...]) -> Check:
    def run(ctx: Any) -> CheckResult:
        from vendorci.core.validate import area_of
        from vendorci.errors import VendorciError

        if ctx.data_repo is None:
            return CheckResult.skip(NO_REPO, fix="Run doctor inside the data repo, or give --data-repo DIR.")
        try:
            findings = _findings(ctx)
        except VendorciError as err:
            if suffix == "repo":
                return CheckResult.fail(err.message, fix=err.hint, data={"code": err.code})
            return CheckResult.skip(f"skipped: {ctx.data_repo} is not a usable data repository (see datarepo.repo)")
        mine = [f for f in findings if area_of(f.code) in areas]
        errors = [f for f in mine if f.severity == "error"]
        warnings = [f for f in mine if f.severity == "warning"]
        data = {"findings": [f.as_dict() for f in mine], "data_repo": str(ctx.data_repo)}
        details = [str(f) + (f" ({f.code})" if f.code else "") for f in errors + warnings]
        hints = list(dict.fromkeys(f.hint.rstrip(".") for f in errors + warnings if f.hint))
        fix = "; ".join(hints[:3]) + (f" (and {len(hints) - 3} more)" if len(hints) > 3 else "") if hints else None
        if errors:
            return CheckResult.fail(f"{len(errors)} error(s)" + (f", {len(warnings)} warning(s)" if warnings else "")
                                    + f": {errors[0].message}", details=details, fix=fix, data=data)
        if warnings:
            return CheckResult.warn(f"{len(warnings)} warning(s): {warnings[0].message}", details=details, fix=fix,
                                    data=data)
        return CheckResult.ok(_ok_summary(suffix, ctx), data=data)

    return Check(f"datarepo.{suffix}", title, run, timeout=30.0)


def _ok_summary(suffix: str, ctx: Any) -> str:
    if suffix == "repo":
        return f"{ctx.data_repo} is a data repository"
    if suffix == "jobs":
        return "every job the layout runs is defined by the JJB files"
    return "no problems found"


def checks() -> list[Check]:
    return [_make(suffix, title, areas) for suffix, (title, areas) in AREAS.items()]
