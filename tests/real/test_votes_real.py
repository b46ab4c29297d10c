"""`vendorci votes` against the real Gerrit 3.9.1, over SSH (`gerrit query`) and over REST.

Stay on the double (tests/integration/test_votes_double.py): comments hours or days old (a real Gerrit stamps the
time of the request: `--since`, staleness and ages need a clock the double can set) and Gerrit 2.x formats.
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.real_server

OK = ("Build succeeded (check pipeline).\n\n- noop http://logs.example/{n}/noop : SUCCESS in 1s\n"
      "- tempest http://logs.example/{n}/tempest : SUCCESS in 1h 2m\n")
BAD = ("Build failed (check pipeline).\n\n- noop http://logs.example/{n}/noop : SUCCESS in 1s\n"
       "- tempest http://logs.example/{n}/tempest : FAILURE in 1h 2m\n")


@pytest.fixture(scope="module")
def history(real_gerrit):
    """A fresh CI account's history, oldest first: +1 on c1, +1 again on c1 (a recheck), -1 on c2; another
    CI votes on c3, which ours never touches."""
    g = real_gerrit
    ci, other, op = g.new_ci_account(), g.new_ci_account("other"), g.accounts["op"]
    c1 = g.create_change(op, "votes: sandbox test", project="openstack-dev/sandbox")
    c2 = g.create_change(op, "votes: fix the scheduler")
    c3 = g.create_change(op, "votes: unrelated")
    g.review(ci, c1, message=OK.format(n=c1), verified=1)
    g.review(ci, c1, message=OK.format(n=c1), verified=1)
    g.review(ci, c2, message=BAD.format(n=c2), verified=-1)
    g.review(other, c3, message=OK.format(n=c3), verified=1)
    return g, ci, (c1, c2, c3)


def votes(cli, g, ci, *extra):
    return cli("--output", "json", "votes", "--ci-user", ci.username, "--ci-key", str(ci.key), "--known-hosts",
               str(g.known_hosts), "--gerrit", f"ssh://127.0.0.1:{g.ssh_port}", *extra)


def test_votes_over_ssh(cli, history):
    g, ci, (c1, c2, c3) = history
    res = votes(cli, g, ci)
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    assert [(c["change"], c["vote"]) for c in d["comments"]] == [(c2, -1), (c1, 1), (c1, 1)]
    first = d["comments"][0]
    assert first["subject"] == "votes: fix the scheduler" and first["patchset"] == 1
    assert first["url"] == f"{g.url}c/opendev/ci-sandbox/+/{c2}"
    assert 0 <= first["age_s"] < 120
    assert first["jobs"][1] == {"name": "tempest", "url": f"http://logs.example/{c2}/tempest", "result": "FAILURE",
                                "duration": "1h 2m"}
    s = d["summary"]
    assert (s["comments"], s["votes"], s["positive"], s["negative"]) == (3, 3, 2, 1)
    assert s["failing_jobs"] == [{"name": "tempest", "failures": 1, "runs": 3}]
    assert s["stale"] is False and d["warning"] is None
    d = votes(cli, g, ci, "--project", "openstack-dev/sandbox").json["data"]
    assert [c["change"] for c in d["comments"]] == [c1, c1]


def test_votes_over_rest(cli, history, monkeypatch):
    g, ci, (c1, c2, _c3) = history
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_USER", ci.username)
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", ci.http_password)
    res = cli("--output", "json", "votes", "--ci-user", ci.username, "--gerrit-http", g.url)
    assert res.exit_code == 0, res.stdout + res.stderr
    d = res.json["data"]
    assert [(c["change"], c["vote"]) for c in d["comments"]] == [(c2, -1), (c1, 1), (c1, 1)]
    assert d["comments"][0]["url"] == f"{g.url}c/opendev/ci-sandbox/+/{c2}"
    assert ci.http_password not in res.stdout + res.stderr
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", "wrong")
    res = cli("--output", "json", "votes", "--ci-user", ci.username, "--gerrit-http", g.url)
    assert res.exit_code == 1 and res.json["errors"][0]["code"] == "gerrit_http_auth"


def test_comment_only_ci_is_found(cli, real_gerrit):
    g = real_gerrit
    ci = g.new_ci_account()
    n = g.create_change(g.accounts["op"], "votes: a change the CI only comments on")
    g.review(ci, n, message=OK.format(n=n))
    d = votes(cli, g, ci).json["data"]
    assert [(c["change"], c["vote"]) for c in d["comments"]] == [(n, None)]
