"""The check model, a concurrent runner with per-check timeouts, and the doctor built on them.

A check has a stable ``id`` (``gearman.registered``), a ``title``, the ids it
``requires`` and a ``run(ctx)`` returning a :class:`CheckResult`.  The runner
starts every check whose requirements are done, each in its own thread, and
gives each its own deadline: a slow check costs one timeout, not the sum.  A
check whose requirement did not pass is skipped; a check that raises becomes
``error``; neither stops the report.
"""

from __future__ import annotations

import fnmatch
import queue
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from vendorci.results import CheckReport, CheckResult, Status, summarize


@dataclass
class Check:
    id: str
    title: str
    func: Callable[[Any], CheckResult]
    requires: tuple[str, ...] = ()
    timeout: float | None = None  # None: the runner's default

    def run(self, ctx: Any) -> CheckResult:
        return self.func(ctx)


def select(checks: Sequence[Check], patterns: Iterable[str]) -> list[Check]:
    """Checks whose id equals, starts with ``PATTERN.`` or glob-matches a pattern,
    plus everything they require.  No patterns: all checks."""
    pats = [p for p in patterns if p]
    if not pats:
        return list(checks)
    by_id = {c.id: c for c in checks}
    wanted: set[str] = set()
    for p in pats:
        hit = {c.id for c in checks if c.id == p or c.id.startswith(p.rstrip(".") + ".") or fnmatch.fnmatch(c.id, p)}
        if not hit:
            from vendorci.errors import UsageError

            raise UsageError(
                f"no check matches {p!r}",
                code="unknown_check",
                hint="List the checks with `vendorci doctor --list`.",
            )
        wanted |= hit
    stack = list(wanted)
    while stack:
        for r in by_id[stack.pop()].requires:
            if r in by_id and r not in wanted:
                wanted.add(r)
                stack.append(r)
    return [c for c in checks if c.id in wanted]


def _blocked_by(check: Check, done: dict[str, CheckReport]) -> str | None:
    for r in check.requires:
        rep = done.get(r)
        if rep is not None and rep.result.status not in (Status.OK, Status.WARN):
            return r
    return None


def run_checks(
    checks: Sequence[Check],
    ctx: Any,
    *,
    timeout: float = 5.0,
    on_done: Callable[[CheckReport], None] | None = None,
) -> list[CheckReport]:
    """Run ``checks`` concurrently; return reports in the order of ``checks``.

    Each check runs in its own daemon thread, so one that hangs past its
    deadline is reported as ``error`` and abandoned without delaying the exit.
    """
    ids = {c.id for c in checks}
    pending = list(checks)
    done: dict[str, CheckReport] = {}
    running: dict[str, tuple[Check, float, float]] = {}
    finished_q: queue.Queue[tuple[str, CheckResult, float]] = queue.Queue()

    def finish(rep: CheckReport) -> None:
        done[rep.id] = rep
        if on_done is not None:
            on_done(rep)

    def call(check: Check) -> None:
        t0 = time.monotonic()
        try:
            res = check.run(ctx)
            if not isinstance(res, CheckResult):
                raise TypeError(f"check {check.id} returned {type(res).__name__}, not CheckResult")
        except Exception as exc:  # a broken check never stops the report
            res = CheckResult(
                Status.ERROR,
                f"check crashed: {type(exc).__name__}: {exc}",
                fix="This is a bug in vendorci or an unexpected environment; run with --debug and report it.",
            )
        finished_q.put((check.id, res, time.monotonic() - t0))

    while pending or running:
        for check in list(pending):
            if any(r in ids and r not in done for r in check.requires):
                continue
            pending.remove(check)
            blocker = _blocked_by(check, done)
            if blocker is not None:
                finish(CheckReport(check.id, check.title, CheckResult.skip(f"skipped: {blocker} did not pass")))
                continue
            limit = check.timeout if check.timeout is not None else timeout
            running[check.id] = (check, time.monotonic(), limit)
            threading.Thread(target=call, args=(check,), name=f"check-{check.id}", daemon=True).start()
        if not running:
            for check in pending:  # a requirement cycle: nothing can start
                finish(CheckReport(check.id, check.title, CheckResult.skip("skipped: requirement cycle")))
            break
        next_deadline = min(start + limit for _, start, limit in running.values())
        try:
            cid, res, elapsed = finished_q.get(timeout=max(0.0, next_deadline - time.monotonic()))
            if cid in running:
                check = running.pop(cid)[0]
                finish(CheckReport(check.id, check.title, res, elapsed))
        except queue.Empty:
            pass
        now = time.monotonic()
        for cid, (check, start, limit) in list(running.items()):
            if now - start >= limit:
                del running[cid]
                finish(
                    CheckReport(
                        check.id,
                        check.title,
                        CheckResult(
                            Status.ERROR,
                            f"timed out after {limit:g}s",
                            fix="The peer is slow or blackholed; check the network path, or raise --timeout.",
                            data={"timeout_s": limit},
                        ),
                        now - start,
                    )
                )
    return [done[c.id] for c in checks if c.id in done]


@dataclass
class DoctorReport:
    reports: list[CheckReport]
    summary: dict[str, Any]

    def as_data(self) -> dict[str, Any]:
        return {"checks": [r.as_dict() for r in self.reports], "summary": self.summary}


def available_checks() -> list[Check]:
    from vendorci.checks import all_checks

    return all_checks()


def run_doctor(ctx: Any, patterns: list[str] | None = None, strict: bool = False,
               checks: list[Check] | None = None) -> DoctorReport:
    """Select the checks (all by default), run them against ``ctx`` (a DoctorContext), summarize."""
    from vendorci.checks.configcheck import with_config_check

    chosen = with_config_check(select(checks if checks is not None else available_checks(), patterns or []), ctx)
    reports = run_checks(chosen, ctx, timeout=ctx.timeout)
    summary = summarize(reports, strict=strict)
    summary["strict"] = strict
    return DoctorReport(reports, summary)
