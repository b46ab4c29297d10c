"""The real Zuul 14 fixture itself: it serves what the doctor tests rely on,
and its helpers (push + full-reconfigure) change what Zuul reports."""

from __future__ import annotations

import pytest

# the session fixture starts Zuul inside the first test that asks for it (~20-60 s)
pytestmark = [pytest.mark.real_server, pytest.mark.timeout(360)]


def test_serves_every_tenant_and_no_executor(zuul14):
    assert {t["name"] for t in zuul14.get("/api/tenants")} >= {"healthy", "broken", "stuck"}
    components = zuul14.get("/api/components")
    assert components.get("scheduler") and components.get("web") and components.get("merger")
    assert not components.get("executor")


def test_broken_tenant_reports_several_kinds_of_errors(zuul14):
    errors = zuul14.get("/api/tenant/broken/config-errors")
    shorts = " | ".join(e["short_error"] for e in errors)
    for needle in ("does-not-exist not defined", "expected dict", "extra keys not allowed",
                   "did not find expected"):
        assert needle in shorts
    assert zuul14.get("/api/tenant/healthy/config-errors") == []


def test_timer_pipeline_records_noop_builds(zuul14):
    # a build is listed from its start, with result null until it ends
    builds = zuul14.wait_for("a finished noop build", lambda: [
        b for b in zuul14.get("/api/tenant/healthy/builds?limit=5") if b["result"]], 30)
    assert builds[0]["job_name"] == "noop" and builds[0]["result"] == "SUCCESS"


def test_push_and_full_reconfigure_change_the_layout(zuul14):
    """A new config error pushed to the config project appears after full-reconfigure."""
    bad = {"zuul.d/extra.yaml": "- job:\n    name: extra-job\n    parent: also-missing\n"}
    zuul14.push("broken-config", bad, "add an undefined parent")
    try:
        zuul14.full_reconfigure(wait_tenant="broken")
        zuul14.wait_for("the new error", lambda: any(
            "also-missing" in e["short_error"] for e in zuul14.get("/api/tenant/broken/config-errors")), 60)
    finally:
        zuul14.push("broken-config", {"zuul.d/extra.yaml": None}, "drop it again")
        zuul14.full_reconfigure(wait_tenant="broken")
