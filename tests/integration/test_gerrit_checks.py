"""Doctor checks gerrit.* against the Gerrit double (real SSH handshake, auth, stream-events, query)."""

from __future__ import annotations

import time

import pytest

from vendorci.checks.context import DoctorContext
from vendorci.checks.gerrit import checks
from vendorci.checks.runner import run_checks
from vendorci.config import load_config

pytestmark = pytest.mark.real_server


def doctor(g, key=None, **options):
    cfg = load_config({"gerrit.host": "127.0.0.1", "gerrit.port": g.double.port, "gerrit.user": "ci",
                       "gerrit.ssh_key": str(key or g.ci_key), "known_hosts": str(g.known_hosts)})
    reports = run_checks(checks(), DoctorContext(cfg, timeout=5, options=options), timeout=5)
    return {r.id: r.as_dict() for r in reports}


def test_all_pass_with_recent_vote(make_gerrit):
    g = make_gerrit()
    c = g.double.create_change("openstack/nova", "x", "op")
    g.double.review("ci", c.number, 1, verified=1, message="Build succeeded.\n\n- noop http://l/1 : SUCCESS in 1s")
    r = doctor(g)
    assert {k: v["status"] for k, v in r.items()} == {"gerrit.known-hosts": "ok", "gerrit.ssh": "ok",
                                                      "gerrit.stream-events": "ok", "gerrit.activity": "ok"}
    assert "Gerrit 3.9.1" in r["gerrit.ssh"]["summary"]
    assert "/c/openstack/nova/+/1001 (Verified+1)" in r["gerrit.activity"]["summary"]
    assert r["gerrit.known-hosts"]["data"]["fingerprint"].startswith("SHA256:")


def test_unknown_host_key_fails_and_blocks_the_rest(make_gerrit):
    g = make_gerrit(known=False)
    r = doctor(g)
    assert r["gerrit.known-hosts"]["status"] == "fail"
    assert f"ssh-keyscan -p {g.double.port} 127.0.0.1 >> {g.known_hosts}" in r["gerrit.known-hosts"]["fix"]
    assert r["gerrit.ssh"]["status"] == "skip" and r["gerrit.activity"]["status"] == "skip"
    assert not g.double.commands  # nothing authenticated


def test_no_stream_capability_and_stale_activity(make_gerrit):
    g = make_gerrit(stream_events=False)
    c = g.double.create_change("openstack/nova", "x", "op", at=int(time.time()) - 3 * 86400)
    g.double.review("ci", c.number, 1, verified=-1, message="Build failed.", at=int(time.time()) - 3 * 86400)
    r = doctor(g)
    assert r["gerrit.ssh"]["status"] == "ok"
    assert r["gerrit.stream-events"]["status"] == "fail"
    assert "Stream Events" in r["gerrit.stream-events"]["fix"]
    assert r["gerrit.activity"]["status"] == "warn"
    assert "last comment 3d ago" in r["gerrit.activity"]["summary"]
    r = doctor(g, stale_after=7 * 86400)
    assert r["gerrit.activity"]["status"] == "ok"


def test_never_commented_warns(make_gerrit):
    g = make_gerrit()
    r = doctor(g)
    assert r["gerrit.activity"]["status"] == "warn" and "has not commented" in r["gerrit.activity"]["summary"]


def test_wrong_key_fails_auth(make_gerrit):
    g = make_gerrit()
    r = doctor(g, key=g.op_key)  # a key the ci account does not have
    assert r["gerrit.known-hosts"]["status"] == "ok"
    assert r["gerrit.ssh"]["status"] == "fail" and "authentication failed" in r["gerrit.ssh"]["summary"]
    assert r["gerrit.stream-events"]["status"] == "skip"


def test_skip_when_not_configured(tmp_path):
    from tests.fixtures.net import closed_port

    cfg = load_config({"gerrit.host": "127.0.0.1", "gerrit.port": closed_port(), "known_hosts": str(tmp_path / "kh")})
    ctx = DoctorContext(cfg, timeout=2)
    r = {x.id: x.as_dict() for x in run_checks([c for c in checks() if c.id != "gerrit.known-hosts"], ctx)}
    assert r["gerrit.ssh"]["status"] == "skip" and "gerrit.user and gerrit.ssh_key" in r["gerrit.ssh"]["summary"]
    known = {x.id: x.as_dict() for x in run_checks(checks()[:1], ctx)}
    assert known["gerrit.known-hosts"]["status"] == "fail"  # nothing listens there


def test_activity_of_a_comment_only_ci(make_gerrit):
    g = make_gerrit()
    c = g.double.create_change("openstack/nova", "x", "op", at=int(time.time()) - 3600)
    g.double.review("ci", c.number, 1, message="Build failed (check pipeline).", at=int(time.time()) - 3600)
    r = doctor(g)  # found by commentby: (no vote, so no reviewer: on a real Gerrit)
    assert r["gerrit.activity"]["status"] == "ok"
    assert "(no vote, FAILURE), success rate 0%" in r["gerrit.activity"]["summary"]
