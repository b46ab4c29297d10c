"""Shared result types every layer may import: check statuses and results, data-repo findings, summaries.

A ground module: it imports nothing from vendorci.  :mod:`vendorci.checks.runner` runs checks that return
:class:`CheckResult`; core code (preflight, validation) builds the same types without reaching up into ``checks``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"
    ERROR = "error"


@dataclass
class CheckResult:
    status: Status
    summary: str
    details: list[str] = field(default_factory=list)
    fix: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def ok(cls, summary: str, **kw: Any) -> CheckResult:
        return cls(Status.OK, summary, **kw)

    @classmethod
    def warn(cls, summary: str, **kw: Any) -> CheckResult:
        return cls(Status.WARN, summary, **kw)

    @classmethod
    def fail(cls, summary: str, **kw: Any) -> CheckResult:
        return cls(Status.FAIL, summary, **kw)

    @classmethod
    def skip(cls, summary: str, **kw: Any) -> CheckResult:
        return cls(Status.SKIP, summary, **kw)


@dataclass
class CheckReport:
    id: str
    title: str
    result: CheckResult
    elapsed: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        r = self.result
        return {
            "id": self.id,
            "title": self.title,
            "status": r.status.value,
            "summary": r.summary,
            "details": list(r.details),
            "fix": r.fix,
            "data": r.data,
            "elapsed_s": round(self.elapsed, 3),
        }


@dataclass
class Finding:
    """One problem found in a data repo.  ``file``/``line`` locate it when known."""

    severity: str  # "error" | "warning"
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    hint: str | None = None

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        loc = self.where
        return f"{loc}: {self.message}" if loc else self.message


def summarize(reports: Sequence[CheckReport], strict: bool = False) -> dict[str, Any]:
    counts = {s.value: 0 for s in Status}
    for r in reports:
        counts[r.result.status.value] += 1
    bad = counts["fail"] + counts["error"] + (counts["warn"] if strict else 0)
    return {"counts": counts, "ok": bad == 0}


