"""`smoke-test sandbox` as OpenDev runs the loop today (issue 12), against the Gerrit double and a real log server.

Real: SSH to the double, git and git-review, the HTTP server on loopback that serves (or 404s) the jobs' logs, and
for Ctrl-C/SIGTERM a real vendorci process.  The double behaves as a real Gerrit 3.9.1 does (REAL-GERRIT.md): a
comment-only review's event lists ``Verified`` "0"; a push with a foreign committer e-mail is refused.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from tests.fixtures.net import closed_port

pytestmark = pytest.mark.real_server


def smoke(cli, env, *extra, timeout=20):
    return cli("--output", "json", "smoke-test", "sandbox", *env.args(*extra, timeout=timeout))


def test_comment_only_success_passes_and_verified_zero_is_no_vote(cli, make_gerrit):
    g = make_gerrit(verdict="comment")
    events = []
    g.double.subscribe(lambda ev: events.append(ev) if ev.get("type") == "comment-added" else None)
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    assert (d["vote"], d["result"], d["vote_source"]) == (None, "SUCCESS", "none")
    assert res.json["errors"] == []
    # what a real Gerrit sends for a comment-only review: every label the account may vote on, value "0"
    ci_events = [e for e in events if e["author"]["username"] == "ci"]
    assert ci_events and ci_events[0]["approvals"] == [{"type": "Verified", "description": "Verified", "value": "0"}]


def test_comment_only_failure_fails_with_build_failed(cli, make_gerrit):
    g = make_gerrit(verdict="comment-fail")
    res = smoke(cli, g)
    assert res.exit_code == 1, res.stdout
    d = res.json["data"]
    assert (d["vote"], d["result"]) == (None, "FAILURE")
    assert [e["code"] for e in res.json["errors"]] == ["build_failed"]
    human = cli("smoke-test", "sandbox", *g.args())
    assert human.exit_code == 1
    assert "✗ ci: no Verified vote, comment says FAILURE" in human.stdout
    assert "error: ci reported a failure (comment only)" in human.stderr


def test_positive_vote_reports_success(cli, make_gerrit):
    res = smoke(cli, make_gerrit(verdict=1), "--expect-vote")
    assert res.exit_code == 0, res.stdout
    assert (res.json["data"]["vote"], res.json["data"]["result"]) == (1, "SUCCESS")


def test_unreachable_logs_fail_unless_not_checked(cli, make_gerrit):
    g = make_gerrit(verdict="comment")
    g.bot.missing.add(g.bot.JOBS[1])
    res = smoke(cli, g)
    assert res.exit_code == 1, res.stdout
    d = res.json["data"]
    assert [j["log_status"] for j in d["jobs"]] == ["200", "404"]
    err = res.json["errors"][0]
    assert err["code"] == "log_unreachable"
    assert g.bot.JOBS[1] in err["message"] and d["jobs"][1]["url"] in err["message"] and "(404)" in err["message"]
    assert any(p.startswith("/01/1001/1/check/") for p in g.logs.requests)  # really fetched
    res = smoke(cli, g, "--no-check-logs")
    assert res.exit_code == 0, res.stdout
    assert [j["log_status"] for j in res.json["data"]["jobs"]] == [None, None]
    assert res.json["data"]["logs_checked"] is False


def test_log_server_down_is_unreachable(cli, make_gerrit):
    g = make_gerrit(verdict="comment")
    g.bot.logs, g.bot.log_server = f"http://127.0.0.1:{closed_port()}", None
    res = smoke(cli, g)
    assert res.exit_code == 1
    assert all(j["log_status"].startswith("unreachable") for j in res.json["data"]["jobs"])
    assert {e["code"] for e in res.json["errors"]} == {"log_unreachable"}


def test_policy_findings_warn_then_fail_with_strict(cli, make_gerrit):
    g = make_gerrit(verdict="comment", wiki=False)
    g.bot.no_url.add(g.bot.JOBS[0])
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout
    codes = [f["code"] for f in res.json["data"]["policy"]]
    assert codes == ["no_wiki_link", "no_log_link"]
    assert all(f["message"] for f in res.json["data"]["policy"])
    human = cli("smoke-test", "sandbox", *g.args())
    assert human.exit_code == 0
    assert "! no_wiki_link: " in human.stdout and f"! no_log_link: job {g.bot.JOBS[0]} has no log URL" in human.stdout
    res = smoke(cli, g, "--strict")
    assert res.exit_code == 1
    assert [e["code"] for e in res.json["errors"]] == ["policy_no_wiki_link", "policy_no_log_link"]


def test_two_reports_on_one_patch_set_is_a_finding(cli, make_gerrit):
    g = make_gerrit(verdict="comment", reports=2)
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout
    assert [f["code"] for f in res.json["data"]["policy"]] == ["multiple_comments"]
    # a recheck in between resets the count: one report since the retrigger is fine
    g.bot.reports = 1
    res = smoke(cli, g, "--recheck", "1001")
    assert res.exit_code == 0, res.stdout
    assert res.json["data"]["policy"] == []


def test_recheck_with_the_cis_own_word(cli, make_gerrit):
    g = make_gerrit(verdict="comment", delay=0.1, words=("acme: recheck",))
    assert smoke(cli, g).exit_code == 0
    res = smoke(cli, g, "--recheck", "1001,1", "--recheck-comment", "acme: recheck")
    assert res.exit_code == 0, res.stdout
    assert res.json["data"]["recheck"] is True and res.json["data"]["result"] == "SUCCESS"
    c = g.double.changes[1001]
    assert c.comments[1]["message"] == "Patch Set 1:\n\nacme: recheck"
    assert [m["reviewer"] for m in c.comments] == ["ci", "op", "ci"]
    # the CI does not answer a bare `recheck` here: the run times out (and the report must follow the comment)
    res = smoke(cli, g, "--recheck", "1001,1", timeout=2)
    assert res.exit_code == 124 and res.json["data"]["change"] == 1001
    res = smoke(cli, g, "--recheck", "1001", "--recheck-comment", "two\nlines")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "bad_recheck_comment"


@pytest.mark.parametrize("verdict, code", [(-1, 1), ("comment-fail", 1), (None, 124)])
def test_abandon_on_failure_and_timeout(cli, make_gerrit, verdict, code):
    g = make_gerrit(verdict=verdict)
    res = smoke(cli, g, "--abandon", timeout=2 if verdict is None else 20)
    assert res.exit_code == code, res.stdout
    d = res.json["data"]
    assert (d["change"], d["patchset"], d["abandoned"]) == (1001, 1, True)
    assert d["url"] == "http://review.test/c/opendev/ci-sandbox/+/1001"
    assert g.double.changes[1001].status == "ABANDONED"


def test_recheck_never_abandons_a_change_it_did_not_create(cli, make_gerrit):
    g = make_gerrit(verdict="comment", delay=0.1)
    assert smoke(cli, g).exit_code == 0
    res = smoke(cli, g, "--recheck", "1001", "--abandon")
    assert res.exit_code == 0 and res.json["data"]["abandoned"] is False
    assert g.double.changes[1001].status == "NEW"


def _run_and_signal(g, sig, *extra, settle=0.3):
    """Run vendorci in a process of its own; send ``sig`` once the change exists; return (rc, stdout, stderr)."""
    argv = [sys.executable, "-m", "vendorci", *extra, "smoke-test", "sandbox", *g.args("--abandon", timeout=60)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, env=dict(os.environ))
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (g.double.changes and g.double.stream_count):
            time.sleep(0.05)
        assert g.double.changes, "no change was pushed"
        if "json" not in extra:  # human output prints the change URL as soon as it exists
            while time.monotonic() < deadline and not any(line.startswith("change: ") for line in lines):
                time.sleep(0.05)
        seen_before = list(lines)
        time.sleep(settle)
        proc.send_signal(sig)
        rc = proc.wait(timeout=30)
        reader.join(timeout=5)
        return rc, "".join(lines), proc.stderr.read(), seen_before
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_abandons_and_reports_the_change_json(make_gerrit, sig):
    g = make_gerrit(verdict=None)
    rc, out, err, _ = _run_and_signal(g, sig, "--output", "json")
    assert rc == 130, err
    doc = json.loads(out)
    assert doc["exit_code"] == 130 and doc["errors"][0]["code"] == "interrupted"
    d = doc["data"]
    assert (d["change"], d["patchset"], d["abandoned"]) == (1001, 1, True)
    assert d["url"].endswith("/+/1001")
    assert g.double.changes[1001].status == "ABANDONED"


def test_interrupt_while_git_review_still_pushes_finds_the_change(make_gerrit):
    g = make_gerrit(verdict=None)
    g.double.push_delay = 8  # the change exists, git review has not returned
    rc, out, err, _ = _run_and_signal(g, signal.SIGTERM, "--output", "json", settle=0.5)
    assert rc == 130, err
    d = json.loads(out)["data"]
    assert (d["change"], d["patchset"], d["abandoned"]) == (1001, 1, True)  # found by the commit's Change-Id
    assert g.double.changes[1001].status == "ABANDONED"


def test_interrupt_human_output_printed_the_change_first(make_gerrit):
    g = make_gerrit(verdict=None)
    rc, out, err, before = _run_and_signal(g, signal.SIGINT)
    assert rc == 130
    assert any(line.startswith("change: http://review.test/c/opendev/ci-sandbox/+/1001") for line in before)
    assert "change abandoned" in out and "interrupted while waiting on change 1001" in err
    assert g.double.changes[1001].status == "ABANDONED"


def test_invalid_committer_is_fixed_with_the_registered_address(cli, make_gerrit, monkeypatch):
    g = make_gerrit(verdict="comment")
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "stranger@example.org")
    res = smoke(cli, g)
    assert res.exit_code == 0, res.stdout + res.stderr
    bare = g.double.repo(g.project)
    ce = subprocess.run(["git", "log", "-1", "--format=%ce", "refs/changes/01/1001/1"], cwd=bare,
                        capture_output=True, text=True, check=True).stdout.strip()
    assert ce == "op@example.test"
    assert "committing again as op@example.test" in res.stderr


def test_invalid_committer_without_addresses_says_what_to_set(cli, make_gerrit, monkeypatch):
    g = make_gerrit(verdict="comment")
    g.double.list_addresses = False
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "stranger@example.org")
    res = smoke(cli, g)
    assert res.exit_code == 1
    err = res.json["errors"][0]
    assert err["code"] == "invalid_committer" and "invalid committer" in err["message"]
    assert "git config --global user.email" in err["hint"]
    assert not g.double.changes
