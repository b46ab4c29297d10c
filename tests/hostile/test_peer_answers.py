"""Class 6: every peer's answer is validated.

A Jenkins on loopback that answers 200 with an HTML login page, a JSON list, a string where a
number belongs or a crumb without a crumb; the Gerrit double answering queries of the wrong shape
over real SSH; a Gerrit REST peer with wrong bodies: each is a clear error naming the peer (exit 1),
never an internal error.
"""

from __future__ import annotations

import time

import pytest

from tests.hostile.peers import http_peer, jenkins, json_answer  # noqa: F401 - fixture

LOGIN = (200, {"Content-Type": "text/html", "X-Jenkins": "2.440.3"},
         b"<!DOCTYPE html><html><head><title>Sign in [Jenkins]</title></head><body>login</body></html>")
NODE = {"displayName": "agent-1", "offline": False, "numExecutors": 2, "assignedLabels": [], "executors": []}


@pytest.mark.parametrize("answers,crumb,expect", [
    ({"computer/api/json": LOGIN}, None, "not JSON (an HTML page"),
    ({"computer/api/json": ["computer"]}, None, "JSON list, expected dict"),
    ({"computer/api/json": {"computer": [dict(NODE, numExecutors="many")]}}, None, "unexpected shape"),
    ({"computer/api/json": {"computer": "agent-1"}}, None, "unexpected shape"),
    ({"computer/api/json": {"computer": [dict(NODE, assignedLabels=[{"label": "x"}])]}}, None, "unexpected shape"),
    ({"computer/api/json": {"computer": []}}, {"crumbRequestField": "Jenkins-Crumb"}, "unexpected shape"),
    ({"computer/api/json": {"computer": []}}, ["crumb"], "unexpected shape"),
])
def test_jenkins_lies_are_clear_errors(cli, http_peer, monkeypatch, answers, crumb, expect):  # noqa: F811
    peer = http_peer(jenkins(answers, crumb=crumb))
    monkeypatch.setenv("VENDORCI_JENKINS_URL", peer.url)
    res = cli("-o", "json", "node", "list")
    assert res.exit_code == 1, res.stdout
    err = res.json["errors"][0]
    assert err["code"] == "peer_unexpected" and f"Jenkins at {peer.url}" in err["message"]
    assert expect in err["message"], err["message"]
    human = cli("node", "list")
    assert human.exit_code == 1 and "Traceback" not in human.stderr and "Jenkins at" in human.stderr


def test_jenkins_whoami_of_the_wrong_type(http_peer):  # noqa: F811
    from vendorci.clients.jenkins import JenkinsClient
    from vendorci.errors import OperationFailed

    peer = http_peer(jenkins({"me/api/json": ["admin"], "api/json": {"jobs": "none"}}))
    client = JenkinsClient(peer.url, "admin", "tok", timeout=5)
    with pytest.raises(OperationFailed) as exc:
        client.whoami()
    assert "who-am-I" in exc.value.message
    with pytest.raises(OperationFailed):
        client.job_names()


def _corrupt(double, how):
    original = double.change_json

    def change_json(c, **kw):
        d = original(c, **kw)
        if how == "list":
            return [d]
        if how == "timestamp":
            for m in d.get("comments", []):
                m["timestamp"] = "yesterday"
        if how == "reviewer":
            for m in d.get("comments", []):
                m["reviewer"] = "ci"
        if how == "patchsets":
            d["currentPatchSet"] = "1"
        return d

    double.change_json = change_json


@pytest.mark.real_server
@pytest.mark.parametrize("how", ["list", "timestamp", "reviewer", "patchsets"])
def test_gerrit_query_of_the_wrong_shape(cli, make_gerrit, how):
    g = make_gerrit(verdict=None)
    now = int(time.time())
    c = g.double.create_change("openstack/nova", "A change", "op", at=now - 600)
    g.double.review("ci", c.number, 1, verified=1, message="Build succeeded.", at=now - 500)
    _corrupt(g.double, how)
    res = cli("-o", "json", "votes", "--ci-user", "ci", "--ci-key", str(g.ci_key), "--known-hosts",
              str(g.known_hosts), "--gerrit", f"ssh://127.0.0.1:{g.double.port}")
    assert res.exit_code == 1, res.stdout
    err = res.json["errors"][0]
    assert err["code"] in ("gerrit_unexpected", "peer_unexpected") and "gerrit" in err["message"].lower()


@pytest.mark.parametrize("body", [
    {"not": "a list"},
    [{"_number": 1, "messages": [{"date": "last tuesday", "author": {"username": "ci"}, "message": "x"}]}],
    [{"_number": 1, "messages": [{"date": "2026-01-01 00:00:00.000000000", "author": "ci", "message": "x"}]}],
    ["a string where a change belongs"],
])
def test_gerrit_rest_bodies_of_the_wrong_shape(cli, http_peer, monkeypatch, body):  # noqa: F811
    import json

    raw = b")]}'\n" + json.dumps(body).encode()
    peer = http_peer(lambda m, p, h, b: (200, {"Content-Type": "application/json"}, raw))
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_USER", "ci")
    monkeypatch.setenv("VENDORCI_GERRIT_HTTP_PASSWORD", "pw")
    res = cli("-o", "json", "votes", "--ci-user", "ci", "--gerrit-http", peer.url)
    assert res.exit_code == 1, res.stdout
    err = res.json["errors"][0]
    assert err["code"] == "peer_unexpected" and f"Gerrit REST at {peer.url}" in err["message"]


def test_stream_event_with_a_string_author_is_gerrits_error():
    from vendorci.clients.gerrit import matches_comment
    from vendorci.errors import OperationFailed

    with pytest.raises(OperationFailed) as exc:
        matches_comment({"type": "comment-added", "author": "ci", "change": {"number": 1}}, 1, None, "ci")
    assert exc.value.code == "gerrit_unexpected" and "'author'" in exc.value.message
    assert not matches_comment({"type": "ref-updated", "author": "x"}, 1, None, "ci")  # other events: not ours
