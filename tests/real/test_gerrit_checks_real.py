"""Doctor checks gerrit.* against the real Gerrit 3.9.1: real sshd host keys, key auth, the Stream Events
capability (granted through the CI group, refused without it) and the CI account's last comment.

Stay on the double (tests/integration/test_gerrit_checks.py): comments dated days ago (a real Gerrit stamps the
time of the request, so a stale-activity case would need days) and the not-configured skip (no Gerrit at all).
"""

from __future__ import annotations

import pytest

from vendorci.checks.context import DoctorContext
from vendorci.checks.gerrit import checks
from vendorci.checks.runner import run_checks
from vendorci.config import load_config

pytestmark = pytest.mark.real_server

OK = "Build succeeded (check pipeline).\n\n- noop-check-communication http://logs.example/1/noop : SUCCESS in 1s\n"


def doctor(g, user, key, known_hosts=None, **options):
    cfg = load_config({"gerrit.host": "127.0.0.1", "gerrit.port": g.ssh_port, "gerrit.user": user,
                       "gerrit.ssh_key": str(key), "known_hosts": str(known_hosts or g.known_hosts)})
    reports = run_checks(checks(), DoctorContext(cfg, timeout=10, options=options), timeout=10)
    return {r.id: r.as_dict() for r in reports}


def test_all_pass_for_a_voting_ci(real_gerrit):
    g = real_gerrit
    ci = g.new_ci_account()
    n = g.create_change(g.accounts["op"], "doctor: a change the CI votes on")
    g.review(ci, n, message=OK, verified=1)
    r = doctor(g, ci.username, ci.key)
    assert {k: v["status"] for k, v in r.items()} == {"gerrit.known-hosts": "ok", "gerrit.ssh": "ok",
                                                      "gerrit.stream-events": "ok", "gerrit.activity": "ok"}, r
    assert "Gerrit 3.9.1" in r["gerrit.ssh"]["summary"]
    assert f"{g.url}c/opendev/ci-sandbox/+/{n} (Verified+1)" in r["gerrit.activity"]["summary"]
    fingerprint = r["gerrit.known-hosts"]["data"]["fingerprint"]
    assert fingerprint.startswith("SHA256:")


def test_stream_events_refused_without_the_capability(real_gerrit):
    g = real_gerrit
    plain = g.create_account("nostream")  # not in the CI group: no streamEvents
    r = doctor(g, plain.username, plain.key)
    assert r["gerrit.ssh"]["status"] == "ok"
    assert r["gerrit.stream-events"]["status"] == "fail", r["gerrit.stream-events"]
    assert "may not stream events" in r["gerrit.stream-events"]["summary"]
    assert "Stream Events" in r["gerrit.stream-events"]["fix"]
    assert r["gerrit.activity"]["status"] == "warn"
    assert "has not commented" in r["gerrit.activity"]["summary"]


def test_unknown_host_key_and_wrong_key(real_gerrit, tmp_path):
    g = real_gerrit
    ci = g.accounts["ci"]
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    r = doctor(g, ci.username, ci.key, known_hosts=empty)
    assert r["gerrit.known-hosts"]["status"] == "fail"
    assert f"ssh-keyscan -p {g.ssh_port} 127.0.0.1 >> {empty}" in r["gerrit.known-hosts"]["fix"]
    assert r["gerrit.ssh"]["status"] == "skip"
    r = doctor(g, ci.username, g.accounts["op"].key)  # a key the ci account does not have
    assert r["gerrit.ssh"]["status"] == "fail" and "authentication failed" in r["gerrit.ssh"]["summary"]
    assert r["gerrit.stream-events"]["status"] == "skip"


def test_activity_of_a_comment_only_ci(real_gerrit):
    g = real_gerrit
    ci = g.new_ci_account()
    n = g.create_change(g.accounts["op"], "doctor: a change the CI only comments on")
    g.review(ci, n, message=OK)
    r = doctor(g, ci.username, ci.key)
    assert r["gerrit.activity"]["status"] == "ok", r["gerrit.activity"]
    assert "(no vote, SUCCESS)" in r["gerrit.activity"]["summary"]
