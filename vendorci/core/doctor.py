"""Run the doctor: build the context, select checks, run them, summarize."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vendorci.checks.base import Check, CheckReport, run_checks, select, summarize
from vendorci.checks.context import DoctorContext


@dataclass
class DoctorReport:
    reports: list[CheckReport]
    summary: dict[str, Any]

    def as_data(self) -> dict[str, Any]:
        return {"checks": [r.as_dict() for r in self.reports], "summary": self.summary}


def default_data_repo(config: Any, cwd: Path | None = None) -> Path | None:
    """The cwd when it holds vendorci.yaml, else config ``data_repo``."""
    cwd = cwd or Path.cwd()
    if (cwd / "vendorci.yaml").is_file():
        return cwd
    return Path(str(config["data_repo"])) if config["data_repo"] else None


def available_checks() -> list[Check]:
    from vendorci.checks import all_checks

    return all_checks()


def run_doctor(ctx: DoctorContext, patterns: list[str] | None = None, strict: bool = False,
               checks: list[Check] | None = None) -> DoctorReport:
    chosen = select(checks if checks is not None else available_checks(), patterns or [])
    reports = run_checks(chosen, ctx, timeout=ctx.timeout)
    summary = summarize(reports, strict=strict)
    summary["strict"] = strict
    return DoctorReport(reports, summary)
