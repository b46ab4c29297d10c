"""`vendorci votes` against the Gerrit double, over SSH and over REST."""

from __future__ import annotations

import time

import pytest

from tests.fixtures.gerrit_double import RestDouble, start_gerrit_env

pytestmark = pytest.mark.real_server

OK = "Build succeeded (check pipeline).\n\n- noop http://logs.example/{n}/noop : SUCCESS in 1s\n" \
     "- tempest http://logs.example/{n}/tempest : SUCCESS in 1h 2m\n"
BAD = "Build failed (check pipeline).\n\n- noop http://logs.example/{n}/noop : SUCCESS in 1s\n" \
      "- tempest http://logs.example/{n}/tempest : FAILURE in 1h 2m\n"


@pytest.fixture
def gerrit(tmp_path):
    env = start_gerrit_env(tmp_path / "g", verdict=None)
    d, now = env.double, int(time.time())
    d.add_account("other", None)
    # newest first: failure 2h ago, success 5h ago (re-voted on a recheck), other CI only, 10 days old (outside 7d)
    c1 = d.create_change("openstack/nova", "Fix the scheduler", "op", at=now - 3 * 3600)
    d.review("ci", c1.number, 1, verified=-1, message=BAD.format(n=c1.number), at=now - 2 * 3600)
    c2 = d.create_change("openstack-dev/sandbox", "Sandbox test", "op", at=now - 6 * 3600)
    d.review("ci", c2.number, 1, verified=1, message=OK.format(n=c2.number), at=now - 5 * 3600)
    d.review("ci", c2.number, 1, verified=1, message=OK.format(n=c2.number), at=now - 4 * 3600)
    c3 = d.create_change("openstack/nova", "Unrelated", "op", at=now - 3600)
    d.review("other", c3.number, 1, verified=1, message="looks fine", at=now - 3500)
    c4 = d.create_change("openstack/nova", "Old", "op", at=now - 10 * 86400)
    d.review("ci", c4.number, 1, verified=1, message=OK.format(n=c4.number), at=now - 10 * 86400)
    yield env
    env.stop()


def votes(cli, g, *extra):
    return cli("--output", "json", "votes", "--ci-user", "ci", "--ci-key", str(g.ci_key), "--known-hosts",
               str(g.known_hosts), "--gerrit", f"ssh://127.0.0.1:{g.double.port}", *extra)


def test_votes_over_ssh(cli, gerrit):
    res = votes(cli, gerrit)
    assert res.exit_code == 0, res.stdout
    d = res.json["data"]
    assert [(c["change"], c["vote"]) for c in d["comments"]] == [(1001, -1), (1002, 1), (1002, 1)]
    assert [c["vote_source"] for c in d["comments"]] == ["comment", "approval", "comment"]  # re-vote: no label
    first = d["comments"][0]
    assert first["subject"] == "Fix the scheduler" and first["patchset"] == 1
    assert 7100 < first["age_s"] < 7300
    assert first["jobs"][1] == {"name": "tempest", "url": "http://logs.example/1001/tempest", "result": "FAILURE",
                                "duration": "1h 2m"}
    s = d["summary"]
    assert (s["comments"], s["votes"], s["positive"], s["negative"]) == (3, 3, 2, 1)
    assert s["success_rate"] == pytest.approx(0.667, abs=0.001)
    assert s["failing_jobs"] == [{"name": "tempest", "failures": 1, "runs": 3}]
    assert s["stale"] is False and d["warning"] is None
    assert "commentby:ci -age:7d limit:20" in d["query"]


def test_votes_project_limit_and_since(cli, gerrit):
    d = votes(cli, gerrit, "--project", "openstack/nova", "--since", "30d").json["data"]
    assert [c["change"] for c in d["comments"]] == [1001, 1004]
    d = votes(cli, gerrit, "--limit", "1").json["data"]
    assert len(d["comments"]) == 1 and d["comments"][0]["change"] == 1001


def test_stale_warning(cli, gerrit):
    res = votes(cli, gerrit, "--stale-after", "1h")
    assert res.exit_code == 0
    d = res.json["data"]
    assert d["summary"]["stale"] is True and "last commented 2h ago" in d["warning"]
    res = cli("votes", "--ci-user", "ci", "--ci-key", str(gerrit.ci_key), "--known-hosts", str(gerrit.known_hosts),
              "--gerrit", f"ssh://127.0.0.1:{gerrit.double.port}", "--project", "nobody/none")
    assert res.exit_code == 0
    assert "last seen: never" in res.stdout and "! ci has not commented in the last 7d" in res.stdout


def test_human_table(cli, gerrit):
    res = cli("votes", "--ci-user", "ci", "--ci-key", str(gerrit.ci_key), "--known-hosts", str(gerrit.known_hosts),
              "--gerrit", f"ssh://127.0.0.1:{gerrit.double.port}")
    assert res.exit_code == 0, res.stderr
    assert "http://review.test/c/openstack/nova/+/1001" in res.stdout
    assert "tempest FAILURE" in res.stdout
    assert "success rate: 67%" in res.stdout and "failing most: tempest 1/3" in res.stdout


def test_votes_over_rest(cli, gerrit, monkeypatch):
    rest = RestDouble(gerrit.double, {"ci": "s3cret-http"})
    url = rest.start()
    try:
        monkeypatch.setenv("VENDORCI_GERRIT_HTTP_USER", "ci")
        monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", "s3cret-http")
        res = cli("--output", "json", "votes", "--ci-user", "ci", "--gerrit-http", url)
        assert res.exit_code == 0, res.stdout
        d = res.json["data"]
        assert [(c["change"], c["vote"]) for c in d["comments"]] == [(1001, -1), (1002, 1), (1002, 1)]
        assert d["comments"][0]["url"] == url.rstrip("/") + "/c/openstack/nova/+/1001"
        assert "s3cret" not in res.stdout + res.stderr
        assert any(p.startswith("/a/changes/?q=commentby%3Aci") and "o=MESSAGES" in p for p in rest.requests)
        assert not any("gerrit query" in c for _, c in gerrit.double.commands)  # REST only
        monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", "wrong")
        res = cli("--output", "json", "votes", "--ci-user", "ci", "--gerrit-http", url)
        assert res.exit_code == 1 and res.json["errors"][0]["code"] == "gerrit_http_auth"
        assert "wrong" not in res.stdout
    finally:
        rest.stop()


def test_usage_errors(cli, gerrit, monkeypatch):
    res = cli("--output", "json", "votes", "--ci-user", "ci", "--since", "soon")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "bad_duration"
    res = cli("--output", "json", "votes")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "no_ci_user"
    res = cli("--output", "json", "votes", "--ci-user", "ci", "--gerrit-http", "http://127.0.0.1:9/")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "gerrit_http_no_credentials"
