"""The doctor's runner (vendorci.checks.runner): concurrency, per-check timeouts,
crashes become ``error``, failed requirements skip, selection by id/prefix/glob."""

from __future__ import annotations

import threading
import time

import pytest

from vendorci.checks.context import DoctorContext
from vendorci.checks.runner import Check, run_checks, select
from vendorci.errors import UsageError
from vendorci.results import CheckResult, Status, summarize


def sleeper(seconds, result=None):
    def run(ctx):
        time.sleep(seconds)
        return result or CheckResult.ok(f"slept {seconds}")
    return run


def test_independent_checks_run_concurrently():
    checks = [Check(f"a.{i}", "t", sleeper(0.3)) for i in range(5)]
    t0 = time.monotonic()
    reps = run_checks(checks, None, timeout=2)
    assert time.monotonic() - t0 < 0.9  # not 1.5 s
    assert [r.id for r in reps] == [f"a.{i}" for i in range(5)]
    assert all(r.result.status is Status.OK for r in reps)


def test_each_check_has_its_own_timeout():
    hang = threading.Event()
    checks = [
        Check("slow.a", "t", lambda ctx: hang.wait(10) and CheckResult.ok("late")),
        Check("slow.b", "t", lambda ctx: hang.wait(10) and CheckResult.ok("late")),
        Check("fast", "t", sleeper(0.01)),
        Check("own", "t", sleeper(0.6), timeout=0.2),
    ]
    t0 = time.monotonic()
    reps = {r.id: r for r in run_checks(checks, None, timeout=0.5)}
    elapsed = time.monotonic() - t0
    hang.set()
    assert elapsed < 0.9  # about one timeout, not the sum
    assert reps["slow.a"].result.status is Status.ERROR and "timed out after 0.5s" in reps["slow.a"].result.summary
    assert reps["slow.a"].result.fix and "--timeout" in reps["slow.a"].result.fix
    assert reps["own"].result.status is Status.ERROR and "0.2s" in reps["own"].result.summary
    assert reps["fast"].result.status is Status.OK


def test_a_crash_is_an_error_not_an_abort():
    def boom(ctx):
        raise KeyError("zuul")

    reps = {r.id: r for r in run_checks([Check("x.boom", "t", boom), Check("x.ok", "t", sleeper(0))], None)}
    assert reps["x.boom"].result.status is Status.ERROR
    assert "KeyError" in reps["x.boom"].result.summary and "report it" in reps["x.boom"].result.fix
    assert reps["x.ok"].result.status is Status.OK
    bad = run_checks([Check("x.none", "t", lambda ctx: None)], None)[0]
    assert bad.result.status is Status.ERROR and "not CheckResult" in bad.result.summary


def test_requires_skip_and_order():
    order = []

    def rec(name, res):
        def run(ctx):
            order.append(name)
            return res
        return run

    checks = [
        Check("g.reach", "t", rec("reach", CheckResult.fail("down"))),
        Check("g.dep", "t", rec("dep", CheckResult.ok("x")), requires=("g.reach",)),
        Check("g.warnbase", "t", rec("warnbase", CheckResult.warn("meh"))),
        Check("g.dep2", "t", rec("dep2", CheckResult.ok("x")), requires=("g.warnbase",)),
    ]
    reps = {r.id: r.result for r in run_checks(checks, None)}
    assert reps["g.dep"].status is Status.SKIP and "g.reach did not pass" in reps["g.dep"].summary
    assert "dep" not in order
    assert reps["g.dep2"].status is Status.OK  # warn does not block
    assert order.index("dep2") > order.index("warnbase")


def test_select():
    checks = [Check(i, "t", sleeper(0), requires=r) for i, r in (
        ("gearman.reachable", ()), ("gearman.registered", ("gearman.reachable",)), ("zuul.processes", ()),
        ("zuul.pidfiles", ()))]
    assert [c.id for c in select(checks, ["gearman"])] == ["gearman.reachable", "gearman.registered"]
    assert [c.id for c in select(checks, ["gearman.registered"])] == ["gearman.reachable", "gearman.registered"]
    assert [c.id for c in select(checks, ["zuul.p*"])] == ["zuul.processes", "zuul.pidfiles"]
    assert len(select(checks, [])) == 4
    with pytest.raises(UsageError) as ei:
        select(checks, ["jenkins.nope"])
    assert ei.value.code == "unknown_check"


def test_summarize_strict():
    reps = run_checks([Check("a", "t", sleeper(0, CheckResult.warn("w"))), Check("b", "t", sleeper(0))], None)
    assert summarize(reps)["ok"] is True
    assert summarize(reps, strict=True)["ok"] is False
    assert summarize(reps)["counts"] == {"ok": 1, "warn": 1, "fail": 0, "skip": 0, "error": 0}


def test_memo_computes_once_across_threads():
    ctx = DoctorContext(config=None)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.1)
        return 42

    checks = [Check(f"m.{i}", "t", lambda c: CheckResult.ok(str(c.memo("k", slow)))) for i in range(4)]
    reps = run_checks(checks, ctx)
    assert [r.result.summary for r in reps] == ["42"] * 4 and len(calls) == 1
