"""`vendorci smoke-test sandbox` end to end against the real Gerrit 3.9.1, with a CI stand-in.

Real: Gerrit's sshd and receive-pack, the commit-msg hook it serves, the installed git-review, `gerrit
stream-events` (vendorci's and the stand-in's), `gerrit review` and `gerrit query`.  The stand-in
(tests/fixtures/gerrit_real/standin.py) listens to the stream as a CI account and reports as told.

Stay on the double (tests/integration/test_smoke_double.py), each because a real Gerrit will not do it on demand:
a stream dropped mid-wait and the catch-up poll after it; Gerrit 2.x output and string numbers; a push refused by
a permission the double switches per account.
"""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.real_server

PROJECT = "opendev/ci-sandbox"


@pytest.fixture
def operator(real_gerrit, monkeypatch):
    """The operator commits with the address registered on the account: a real Gerrit refuses others."""
    op = real_gerrit.accounts["op"]
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, op.email)
    return op


def smoke(cli, g, tmp_path, *extra, ci=None, timeout=30, project=PROJECT):
    ci = ci or g.accounts["ci"]
    return cli("--output", "json", "smoke-test", "sandbox", "--gerrit", f"ssh://op@127.0.0.1:{g.ssh_port}",
               "--ssh-key", str(g.accounts["op"].key), "--ci-user", ci.username, "--ci-key", str(ci.key),
               "--known-hosts", str(g.known_hosts), "--workdir", str(tmp_path / "work"), "--project", project,
               "--timeout", str(timeout), *extra)


def change(g, n, *options):
    q = "&".join(f"o={o}" for o in options)
    return g.rest("GET", f"changes/{n}?{q}" if q else f"changes/{n}")


def test_positive_vote_on_a_real_change_then_abandon(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    bot = ci_stand_in(verdict=1)
    res = smoke(cli, g, tmp_path, "--abandon")
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    n = d["change"]
    assert (d["patchset"], d["vote"], d["ci_user"], d["via"]) == (1, 1, "ci", "stream")
    assert d["url"] == f"{g.url}c/{PROJECT}/+/{n}"
    assert [j["name"] for j in d["jobs"]] == list(bot.JOBS)
    assert all(j["result"] == "SUCCESS" and j["url"].startswith(f"{bot.log_root}/{n % 100:02d}/{n}/1/")
               and j["log_status"] == "200" for j in d["jobs"])
    assert d["abandoned"] is True
    info = change(g, n, "CURRENT_REVISION", "CURRENT_COMMIT", "DETAILED_ACCOUNTS")
    assert info["status"] == "ABANDONED" and info["topic"] == "vendorci-smoke"
    assert info["owner"]["username"] == "op" and info["subject"].startswith("vendorci smoke test for ci at ")
    commit = info["revisions"][info["current_revision"]]["commit"]
    assert "Change-Id: I" in commit["message"]  # Gerrit's own commit-msg hook ran in the clone
    assert commit["committer"]["email"] == "op@example.com"
    assert bot.posted[0]["change"] == n and not bot.errors


def test_negative_vote_exits_1(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    bot = ci_stand_in(verdict=-1)
    res = cli("smoke-test", "sandbox", "--gerrit", f"ssh://op@127.0.0.1:{g.ssh_port}", "--ssh-key",
              str(g.accounts["op"].key), "--ci-user", "ci", "--ci-key", str(g.accounts["ci"].key), "--known-hosts",
              str(g.known_hosts), "--workdir", str(tmp_path / "work"), "--project", PROJECT, "--timeout", "30")
    assert res.exit_code == 1, res.stdout + res.stderr
    assert "✗ ci: Verified-1" in res.stdout
    assert f"✗ dsvm-tempest-vendor-driver: FAILURE in 1h 2m 3s  {bot.log_root}/" in res.stdout
    assert "error: ci voted Verified-1" in res.stderr


def test_silent_ci_times_out_with_124(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    ci_stand_in(verdict=None)
    t0 = time.monotonic()
    res = smoke(cli, g, tmp_path, timeout=3)
    assert res.exit_code == 124, res.stdout + res.stderr
    assert time.monotonic() - t0 < 30
    assert res.json["errors"][0]["code"] == "timeout"
    n = res.json["data"]["change"]
    assert res.json["data"]["comment"] is None
    assert change(g, n)["status"] == "NEW"


def test_recheck_waits_for_the_next_report(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    bot = ci_stand_in(verdict=1)
    first = smoke(cli, g, tmp_path)
    assert first.exit_code == 0, first.stdout + first.stderr
    n = first.json["data"]["change"]
    bot.verdict = -1
    res = smoke(cli, g, tmp_path, "--recheck", str(n))
    assert res.exit_code == 1, res.stdout + res.stderr
    d = res.json["data"]
    assert (d["change"], d["patchset"], d["vote"], d["recheck"]) == (n, 1, -1, True)
    msgs = change(g, n, "MESSAGES", "DETAILED_ACCOUNTS")["messages"]
    authors = [m["author"]["username"] for m in msgs if "author" in m]
    assert authors[-3:] == ["ci", "op", "ci"]
    assert msgs[-2]["message"].endswith("recheck")
    # the same value again: Gerrit leaves the label out of the message; the vote comes from the approvals
    res = smoke(cli, g, tmp_path, "--recheck", f"{g.url}c/{PROJECT}/+/{n}")
    assert res.exit_code == 1, res.stdout + res.stderr
    assert res.json["data"]["vote"] == -1 and res.json["data"]["vote_source"] == "approval"


def test_stream_refused_falls_back_to_polling(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    ci = g.new_ci_account(stream_events=False)
    ci_stand_in(ci, verdict=1, listen_as=g.admin)
    res = smoke(cli, g, tmp_path, ci=ci)
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    assert (d["vote"], d["via"], d["ci_user"]) == (1, "poll", ci.username)
    assert any("streamEvents" in note or "not permitted" in note for note in d["notes"]), d["notes"]


def test_polling_over_rest(cli, real_gerrit, ci_stand_in, operator, tmp_path, monkeypatch):
    g = real_gerrit
    ci = g.new_ci_account(stream_events=False)
    ci_stand_in(ci, verdict=-1, listen_as=g.admin)
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_USER", ci.username)
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", ci.http_password)
    res = smoke(cli, g, tmp_path, "--gerrit-http", g.url, ci=ci)
    assert res.exit_code == 1, res.stdout + res.stderr
    d = res.json["data"]
    assert (d["vote"], d["via"]) == (-1, "poll")
    assert ci.http_password not in res.stdout + res.stderr


def test_abandon_after_a_negative_vote(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    ci_stand_in(verdict=-1)
    res = smoke(cli, g, tmp_path, "--abandon")
    assert res.exit_code == 1, res.stdout + res.stderr
    d = res.json["data"]
    assert d["vote"] == -1 and d["abandoned"] is True
    assert change(g, d["change"])["status"] == "ABANDONED"


def test_abandon_on_timeout(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    ci_stand_in(verdict=None)
    res = smoke(cli, g, tmp_path, "--abandon", timeout=3)
    assert res.exit_code == 124, res.stdout + res.stderr
    assert res.json["data"]["abandoned"] is True
    assert change(g, res.json["data"]["change"])["status"] == "ABANDONED"


def test_recheck_with_the_cis_own_word(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    bot = ci_stand_in(verdict=1, recheck=r"acme: recheck")
    first = smoke(cli, g, tmp_path)
    assert first.exit_code == 0, first.stdout + first.stderr
    n = first.json["data"]["change"]
    res = smoke(cli, g, tmp_path, "--recheck", str(n), "--recheck-comment", "acme: recheck")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert res.json["data"]["recheck"] is True and len(bot.posted) == 2


def test_comment_only_failure_report_fails(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    ci_stand_in(verdict="comment-fail")
    res = smoke(cli, g, tmp_path)
    assert res.json["data"]["vote"] is None, res.stdout
    assert res.exit_code == 1


def test_comment_only_success_report_passes_without_a_vote(cli, real_gerrit, ci_stand_in, operator, tmp_path):
    g = real_gerrit
    ci_stand_in(verdict="comment")
    res = smoke(cli, g, tmp_path)
    assert res.exit_code == 0, res.stdout + res.stderr
    assert res.json["data"]["vote"] is None and res.json["data"]["result"] == "SUCCESS"


def test_unregistered_committer_address_is_replaced_by_the_accounts_own(cli, real_gerrit, ci_stand_in, tmp_path,
                                                                       monkeypatch):
    # a real Gerrit 3.9.1 refuses the push (`invalid committer`) and lists the account's registered addresses;
    # smoke-test commits again with the first of them and pushes again
    g = real_gerrit
    ci_stand_in(verdict=1)
    monkeypatch.setenv("GIT_COMMITTER_EMAIL", "someone@elsewhere.example")
    monkeypatch.setenv("GIT_AUTHOR_EMAIL", "someone@elsewhere.example")
    res = smoke(cli, g, tmp_path, "--abandon")
    assert res.exit_code == 0, res.stdout + res.stderr
    info = change(g, res.json["data"]["change"], "CURRENT_REVISION", "CURRENT_COMMIT")
    assert info["revisions"][info["current_revision"]]["commit"]["committer"]["email"] == "op@example.com"
