"""`vendorci smoke-test sandbox` end to end through the CLI against the Gerrit double.

Real: SSH (paramiko server with its own host key), git clone/fetch/push over it, the installed git-review, the
proc-receive hook that makes a change.  The CI bot answers like a vendor CI after a short delay.
"""

from __future__ import annotations

import threading
import time

import pytest

pytestmark = pytest.mark.real_server


def smoke(cli, env, *extra, timeout=20):
    return cli("--output", "json", "smoke-test", "sandbox", *env.args(*extra, timeout=timeout))


def test_positive_vote_pushes_a_real_change(cli, make_gerrit):
    g = make_gerrit()
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    assert set(d) >= {"change", "patchset", "url", "ci_user", "vote", "comment", "jobs", "elapsed_s"}
    assert (d["change"], d["patchset"], d["vote"], d["ci_user"], d["via"]) == (1001, 1, 1, "ci", "stream")
    assert d["url"] == "http://review.test/c/opendev/ci-sandbox/+/1001"
    assert [j["name"] for j in d["jobs"]] == list(g.bot.JOBS)
    assert all(j["result"] == "SUCCESS" and j["url"].startswith(f"{g.logs.url}/01/1001/1/") for j in d["jobs"])
    assert [j["log_status"] for j in d["jobs"]] == ["200", "200"]  # fetched from the real log server
    assert (d["result"], d["policy"], d["abandoned"]) == ("SUCCESS", [], False)
    assert 0.25 <= d["elapsed_s"] < 10
    change = g.double.changes[1001]
    assert change.owner == "op" and change.topic == "vendorci-smoke"
    assert change.subject.startswith("vendorci smoke test for ci at ")
    assert "Change-Id: I" in change.commit_message  # the commit-msg hook ran
    refs = g.double.repo(g.project)
    import subprocess

    shown = subprocess.run(["git", "show", "--stat", "--format=%s", "refs/changes/01/1001/1"], cwd=refs,
                           capture_output=True, text=True, check=True).stdout
    assert "vendorci-smoke.txt" in shown
    # the operator pushed, the CI account only streamed and queried
    assert any(u == "op" and c.startswith("git-receive-pack") for u, c in g.double.commands)
    assert not any(u == "ci" and c.startswith("git-") for u, c in g.double.commands)


def test_second_run_reuses_the_cached_clone(cli, make_gerrit):
    g = make_gerrit(delay=0.05)
    assert smoke(cli, g).exit_code == 0
    clone = g.workdir / f"127.0.0.1_{g.double.port}" / "opendev" / "ci-sandbox"
    marker = clone / ".git" / "vendorci-test-marker"
    marker.write_text("kept")
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout
    assert res.json["data"]["change"] == 1002
    assert marker.exists()  # updated in place, not cloned again
    assert len(g.double.changes[1002].patchsets) == 1  # a new change, not a new patch set of 1001


def test_negative_vote_exits_1_with_failing_job_in_human_output(cli, make_gerrit):
    g = make_gerrit(verdict=-1)
    res = cli("smoke-test", "sandbox", *g.args())
    assert res.exit_code == 1
    assert "✗ ci: Verified-1" in res.stdout
    assert f"✗ dsvm-tempest-vendor-driver: FAILURE in 1h 2m 3s  {g.logs.url}/" in res.stdout
    assert "error: ci voted Verified-1" in res.stderr
    assert "waiting for ci's comment" in res.stderr  # progress on stderr


def test_comment_without_vote_fails_only_with_expect_vote(cli, make_gerrit):
    g = make_gerrit(verdict="comment")
    res = smoke(cli, g, "--expect-vote")
    assert res.exit_code == 1
    assert res.json["data"]["vote"] is None and res.json["data"]["jobs"]
    assert res.json["data"]["result"] == "SUCCESS"
    assert res.json["errors"][0]["code"] == "no_vote"


def test_no_comment_times_out_with_124(cli, make_gerrit):
    g = make_gerrit(verdict=None)
    t0 = time.monotonic()
    res = smoke(cli, g, timeout=2)
    assert res.exit_code == 124
    assert time.monotonic() - t0 < 15
    assert res.json["errors"][0]["code"] == "timeout"
    assert res.json["data"]["change"] == 1001 and res.json["data"]["comment"] is None


def test_stream_refused_falls_back_to_polling(cli, make_gerrit):
    g = make_gerrit(stream_events=False)
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert d["via"] == "poll" and d["vote"] == 1
    assert any("not permitted" in n for n in d["notes"])
    assert g.double.stream_connects == 0
    assert any(u == "ci" and "gerrit query" in c and "change:1001" in c for u, c in g.double.commands)


def _drop_once_uploaded(g):
    def run():
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and not (g.double.changes and g.double.stream_count):
            time.sleep(0.02)
        g.double.drop_streams()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t


def test_stream_dropped_then_resumed_sees_the_vote_on_the_stream(cli, make_gerrit):
    g = make_gerrit(delay=2.5)
    _drop_once_uploaded(g)
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert d["vote"] == 1 and d["via"] == "stream"
    assert g.double.stream_connects == 2
    assert any("dropped" in n for n in d["notes"])


def test_vote_during_the_gap_is_found_by_the_catch_up_poll(cli, make_gerrit):
    g = make_gerrit(delay=0.4)
    _drop_once_uploaded(g)
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout
    assert res.json["data"]["vote"] == 1
    # posted while no stream was open: a poll found it (after reopening the stream, or before it under load)
    assert res.json["data"]["via"] == "poll"
    assert g.double.stream_connects in (1, 2)


def test_push_denied_is_a_clear_error(cli, make_gerrit):
    g = make_gerrit()
    g.double.accounts["op"].can_push = False
    res = smoke(cli, g)
    assert res.exit_code == 1
    err = res.json["errors"][0]
    assert err["code"] == "push_denied"
    assert "not permitted: create change on refs/heads/master" in err["message"]
    assert not g.double.changes


def test_unknown_project_is_a_clear_error(cli, make_gerrit):
    g = make_gerrit()
    res = smoke(cli, g, "--project", "openstack-dev/nope")
    assert res.exit_code == 1
    assert res.json["errors"][0]["code"] == "gerrit_project_unknown"


def test_unknown_host_key_refused_then_accepted_on_request(cli, make_gerrit):
    g = make_gerrit(known=False)
    res = smoke(cli, g)
    assert res.exit_code == 1
    assert res.json["errors"][0]["code"] == "host_key_unknown"
    assert "SHA256:" in res.json["errors"][0]["message"]
    assert not g.known_hosts.exists()
    assert not g.double.commands  # refused before anything ran
    res = smoke(cli, g, "--accept-new-host-key")
    assert res.exit_code == 0, res.stdout
    assert g.known_hosts.read_text().count(f"[127.0.0.1]:{g.double.port} ecdsa-sha2-nistp256") == 1


def test_abandon_after_the_vote(cli, make_gerrit):
    g = make_gerrit()
    res = smoke(cli, g, "--abandon")
    assert res.exit_code == 0, res.stdout
    assert res.json["data"]["abandoned"] is True
    c = g.double.changes[1001]
    assert c.status == "ABANDONED"
    assert c.comments[-1]["reviewer"] == "op" and c.comments[-1]["message"].startswith("Abandoned")


def test_recheck_waits_for_the_next_vote(cli, make_gerrit):
    g = make_gerrit(delay=0.2)
    assert smoke(cli, g).exit_code == 0
    g.bot.verdict = -1
    res = smoke(cli, g, "--recheck", "1001")
    assert res.exit_code == 1, res.stdout
    d = res.json["data"]
    assert (d["change"], d["patchset"], d["vote"], d["recheck"]) == (1001, 1, -1, True)
    assert [m["reviewer"] for m in g.double.changes[1001].comments] == ["ci", "op", "ci"]
    assert g.double.changes[1001].comments[1]["message"] == "Patch Set 1:\n\nrecheck"
    # same value again: Gerrit leaves the label out of the message; the vote comes from the event's approvals
    res = smoke(cli, g, "--recheck", "http://review.test/c/opendev/ci-sandbox/+/1001")
    assert res.exit_code == 1
    assert res.json["data"]["vote"] == -1 and res.json["data"]["vote_source"] == "approval"


def test_recheck_when_polling_uses_the_patch_set_approval(cli, make_gerrit):
    g = make_gerrit(stream_events=False, delay=0.1)
    assert smoke(cli, g).exit_code == 0
    res = smoke(cli, g, "--recheck", "1001,1")
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert (d["vote"], d["via"], d["vote_source"]) == (1, "poll", "approval")


def test_gerrit_2x_output_and_string_numbers(cli, make_gerrit):
    g = make_gerrit(version="2.13.9")
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert (d["change"], d["patchset"], d["vote"]) == (1001, 1, 1)
    assert d["url"] == "http://review.test/1001"


def test_config_supplies_the_ci_account(cli, make_gerrit):
    g = make_gerrit()
    cfg = g.config()
    res = cli("--output", "json", "--config", str(cfg), "smoke-test", "sandbox", "--gerrit", g.gerrit_url,
              "--ssh-key", str(g.op_key), "--workdir", str(g.workdir), "--timeout", "20")
    assert res.exit_code == 0, res.stdout
    assert res.json["data"]["ci_user"] == "ci"
    assert g.double.changes[1001].subject.startswith("vendorci smoke test for acme at ")


def test_polling_over_rest_when_configured(cli, make_gerrit, monkeypatch):
    from tests.fixtures.gerrit_double import RestDouble

    g = make_gerrit(stream_events=False)
    rest = RestDouble(g.double, {"ci": "http-secret-1"})
    url = rest.start()
    try:
        monkeypatch.setenv("VENDORCI_GERRIT_HTTP_USER", "ci")
        monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", "http-secret-1")
        res = smoke(cli, g, "--gerrit-http", url)
        assert res.exit_code == 0, res.stdout
        assert res.json["data"]["via"] == "poll" and res.json["data"]["vote"] == 1
        assert any(p.startswith("/a/changes/?q=change%3A1001") for p in rest.requests)
        assert not any("gerrit query" in c for _, c in g.double.commands)
        assert "http-secret-1" not in res.stdout + res.stderr
    finally:
        rest.stop()
