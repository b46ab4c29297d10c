"""Contract: the Gerrit double (tests/fixtures/gerrit_double.py) against the real Gerrit 3.9.1.

One scenario runs through both, driven only by vendorci's own clients (``vendorci.clients.git`` with the installed
git-review, ``vendorci.clients.gerrit``: ``EventStream``, ``ssh_query``, ``ssh_review``, ``GerritRest``), and the
tests compare what vendorci PARSES from each: git-review's output lines, the stream's events, the fields of
``gerrit query`` and REST changes after normalisation, and the queries votes relies on.  Numbers, hosts and
times differ between the two by nature and are normalised away; everything else must match.

Scenario: the CI account opens the event stream; the operator pushes a change with git-review; the CI votes
Verified+1 with a report; the CI (a second time) posts a report without a vote; a CI account that never voted
comments on a second change.

Once different and now modelled by the double (each compared here): a comment-only ``comment-added`` event lists
Verified ``"0"`` in its ``approvals``; ``reviewer:NAME`` misses an account that only commented (``commentby:NAME``
finds it); a push whose committer is not one of the account's addresses is refused (``invalid committer``; the
real refusal is exercised in tests/real/test_smoke_real.py).

What the double still does not model (so tests using it cannot notice):
- the change message Gerrit writes on upload (``Uploaded patch set 1.`` by the uploader): the double writes none,
  so its message lists start with the first review.  vendorci only reads other accounts' messages.
- REST without ``DETAILED_ACCOUNTS``: a real Gerrit then gives only ``_account_id``; the double always adds names.
- everything vendorci does not read: ``gerrit query`` fields like ``id``, ``lastUpdated``, ``open``; REST fields
  beyond those in ``normalize_rest_change``; ``ref-updated``/``change-merged`` events; access control beyond the
  Stream Events capability and push permission; server-side hooks, the web UI, e-mail.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from vendorci.clients.gerrit import (
    EventStream,
    GerritRest,
    StreamClosed,
    gerrit_version,
    matches_comment,
    ssh_query,
    ssh_review,
)
from vendorci.clients.gerrit_parse import parse_jobs, pick_vote, summary_line
from vendorci.clients.git import Git, classify, git_review_program, parse_review_output, ssh_command
from vendorci.clients.ssh import SshSession, SshTarget

pytestmark = pytest.mark.real_server

REPORT = ("Build succeeded (check pipeline).\n\n"
          "- noop-check-communication http://logs.example/1/noop : SUCCESS in 1s\n"
          "- dsvm-tempest-vendor-driver http://logs.example/1/tempest : SUCCESS in 1h 2m 3s\n")
PROJECT = "opendev/ci-sandbox"


@dataclass
class Peer:
    """What the scenario needs from either Gerrit: where it is, who is who, and a REST endpoint."""

    name: str
    host: str
    port: int
    web: str  # the change URL prefix Gerrit prints
    rest_url: str
    known_hosts: Path
    op: tuple[str, Path, str]  # username, key, e-mail
    ci: tuple[str, Path, str]  # username, key, HTTP password
    quiet: tuple[str, Path]  # a CI account that never votes
    seen: dict[str, Any] = field(default_factory=dict)


def target(p: Peer, who: tuple) -> SshTarget:
    return SshTarget(p.host, p.port, who[0], who[1], p.known_hosts, timeout=15)


def wait_event(stream: EventStream, pred: Any, timeout: float = 20) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = stream.get(0.5)
        if ev is not None and pred(ev):
            return ev
    raise AssertionError("no matching event within the deadline")


def git_env(p: Peer, root: Path) -> dict[str, str]:
    home = root / "home"
    home.mkdir(parents=True, exist_ok=True)
    return {"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config"), "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "Operator", "GIT_AUTHOR_EMAIL": p.op[2], "GIT_COMMITTER_NAME": "Operator",
            "GIT_COMMITTER_EMAIL": p.op[2]}


def failures(p: Peer, root: Path) -> dict[str, Any]:
    """How vendorci classifies what each Gerrit says when things go wrong (error codes, not texts)."""
    seen: dict[str, Any] = {}
    ssh = ssh_command(p.known_hosts, p.op[1])
    env = git_env(p, root)
    res = Git(ssh, cwd=root, extra_env=env).run("clone", "-q", f"ssh://{p.op[0]}@{p.host}:{p.port}/nobody/none",
                                                str(root / "none"), check=False)
    seen["unknown_project"] = getattr(classify(res.stdout + res.stderr, "git clone"), "code", None)
    clone = root / "clone"
    git = Git(ssh, cwd=clone, extra_env=env)
    res = git.run("push", "origin", "HEAD:refs/for/master", check=False)  # the change pushed before, again
    seen["no_new_changes"] = getattr(classify(res.stdout + res.stderr, "git push"), "code", None)
    (clone / "second.txt").write_text("no Change-Id\n")
    git.run("add", "second.txt")
    git.run("-c", "core.hooksPath=/dev/null", "commit", "-q", "-m", "No Change-Id here")
    res = git.run("push", "origin", "HEAD:refs/for/master", check=False)
    seen["missing_change_id"] = getattr(classify(res.stdout + res.stderr, "git push"), "code", None)
    try:
        with EventStream(target(p, p.op)) as stream:  # the operator has no Stream Events capability
            stream.get(10)
            stream.get(1)
        seen["stream_refused"] = None
    except StreamClosed as exc:
        seen["stream_refused"] = (exc.refused, exc.code)
    with SshSession(target(p, p.op)) as s:
        seen["version"] = gerrit_version(s)
    return seen


def push(p: Peer, root: Path) -> str:
    """Clone as the operator, ``git review -s``, commit, ``git review``: the output git-review printed."""
    env = git_env(p, root)
    ssh = ssh_command(p.known_hosts, p.op[1])
    clone = root / "clone"
    Git(ssh, cwd=root, extra_env=env).run("clone", "-q", f"ssh://{p.op[0]}@{p.host}:{p.port}/{PROJECT}", str(clone))
    git = Git(ssh, cwd=clone, extra_env=env)
    git.run("config", "gitreview.username", p.op[0])
    review = git_review_program()
    git.run("-s", program=review)
    (clone / "contract.txt").write_text("contract\n")
    git.run("add", "contract.txt")
    git.run("commit", "-q", "-m", "Contract test change")
    out = git.run("-y", "-t", "contract", "master", program=review, timeout=120)
    return out.stdout + out.stderr


def run_scenario(p: Peer, root: Path) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    with EventStream(target(p, p.ci)) as stream:
        time.sleep(0.5)  # the stream is registered server-side before the push
        text = push(p, root)
        seen["push_output"] = text
        parsed = parse_review_output(text)
        assert parsed, text
        n, url = parsed
        seen["change"], seen["url"] = n, url
        seen["patchset_created"] = wait_event(stream, lambda e: e.get("type") == "patchset-created"
                                              and int(e["change"]["number"]) == n)
        with SshSession(target(p, p.ci)) as s:
            ssh_review(s, n, 1, message=REPORT, verified=1)
            seen["voted"] = wait_event(stream, lambda e: matches_comment(e, n, 1, p.ci[0]))
            ssh_review(s, n, 1, message=REPORT)
            seen["commented"] = wait_event(stream, lambda e: matches_comment(e, n, 1, p.ci[0]))
            seen["query"] = ssh_query(s, f"change:{n}", ("--comments", "--all-approvals", "--current-patch-set"))
        with SshSession(target(p, p.quiet)) as s:
            ssh_review(s, n, 1, message="quiet CI: " + REPORT)
            seen["quiet_commented"] = wait_event(stream, lambda e: matches_comment(e, n, 1, p.quiet[0]))
    seen["rest"] = GerritRest(p.rest_url, p.ci[0], p.ci[2]).query(f"change:{n}")
    with SshSession(target(p, p.ci)) as s:
        seen["reviewer_quiet"] = [c["number"] for c in ssh_query(s, f"reviewer:{p.quiet[0]} change:{n}")]
        seen["reviewer_ci"] = [c["number"] for c in ssh_query(s, f"reviewer:{p.ci[0]} change:{n}")]
    seen["failures"] = failures(p, root)
    return seen


@pytest.fixture(scope="module")
def both(real_gerrit, tmp_path_factory):
    """The scenario's observations from the double and from the real Gerrit."""
    from tests.fixtures.gerrit_double import RestDouble, start_gerrit_env
    from tests.fixtures.sshd import keygen

    g = real_gerrit
    quiet = g.new_ci_account("quiet")
    ci = g.new_ci_account("contract")
    real = Peer("real", g.host, g.ssh_port, g.url.rstrip("/"), g.url, g.known_hosts,
                (g.accounts["op"].username, g.accounts["op"].key, g.accounts["op"].email),
                (ci.username, ci.key, ci.http_password), (quiet.username, quiet.key))
    root = tmp_path_factory.mktemp("contract")
    env = start_gerrit_env(root / "double", verdict=None)
    try:
        d = env.double  # start_gerrit_env creates PROJECT (opendev/ci-sandbox) already
        qkey = root / "quiet"
        d.add_account("quiet", keygen(qkey, "ed25519"), stream_events=True)
        rest = RestDouble(d, {"ci": "http-pw"})
        rest_url = rest.start()
        double = Peer("double", d.host, d.port, "http://review.test", rest_url, env.known_hosts,
                      ("op", env.op_key, d.accounts["op"].email), ("ci", env.ci_key, "http-pw"), ("quiet", qkey))
        saved = dict(os.environ)
        try:
            os.environ.update(HOME=str(root / "home"), GIT_CONFIG_NOSYSTEM="1")
            out = {"double": run_scenario(double, root / "d"), "real": run_scenario(real, root / "r")}
        finally:
            os.environ.clear()
            os.environ.update(saved)
        rest.stop()
    finally:
        env.stop()
    out["peers"] = {"double": double, "real": real}
    return out


def norm(value: Any, peer: Peer, n: int, key: str = "") -> Any:
    """Replace what differs by nature (host and port, the change number, account names) with placeholders."""
    if isinstance(value, dict):
        return {k: norm(v, peer, n, k) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [norm(v, peer, n, key) for v in value]
    if key in ("number", "change") and value in (n, str(n)):
        return "N"
    if isinstance(value, str):
        tags = {peer.ci[0]: "CI", peer.quiet[0]: "QUIET", peer.op[0]: "OP"}
        if value in tags:
            return tags[value]
        value = value.replace(peer.web, "WEB").replace(peer.rest_url.rstrip("/"), "WEB")
        value = re.sub(rf"/\+/{n}\b", "/+/N", value)
        value = re.sub(rf"refs/changes/\d\d/{n}/", "refs/changes/NN/N/", value)
    return value


def pair(both: dict, fn: Any) -> tuple[Any, Any]:
    return tuple(norm(fn(both[k]), both["peers"][k], both[k]["change"]) for k in ("double", "real"))


def test_git_review_output_lines(both):
    def lines(seen: dict) -> list[str]:
        keep = []
        for line in seen["push_output"].splitlines():
            line = line.rstrip()
            if line.startswith("remote:") and ("SUCCESS" in line or "/c/" in line or "New Changes" in line):
                keep.append(re.sub(r"\s+", " ", line))
        return keep

    double, real = pair(both, lines)
    assert real == ["remote: SUCCESS", "remote: WEB/c/opendev/ci-sandbox/+/N Contract test change [NEW]"]
    assert double == real
    assert pair(both, lambda s: s["url"]) == ("WEB/c/opendev/ci-sandbox/+/N",) * 2


def event_fields(ev: dict, user: str) -> dict:
    """What vendorci reads from an event: type, change/patch set numbers and their JSON types, who, the vote."""
    change, ps = ev.get("change") or {}, ev.get("patchSet") or {}
    seen = {"type": ev.get("type"), "number": change.get("number"), "number_type": type(change.get("number")).__name__,
            "project": change.get("project"), "branch": change.get("branch"), "url": change.get("url"),
            "patchset": ps.get("number"), "patchset_type": type(ps.get("number")).__name__,
            "ref": ps.get("ref"), "uploader": (ps.get("uploader") or {}).get("username"),
            "owner": (change.get("owner") or {}).get("username")}
    if ev.get("type") == "comment-added":
        seen.update(author=(ev.get("author") or {}).get("username"),
                    vote=pick_vote(ev.get("comment", ""), ev.get("approvals"), user),
                    summary=summary_line(ev.get("comment", "")),
                    jobs=[j.as_dict() for j in parse_jobs(ev.get("comment", ""))])
    return seen


def test_patchset_created_event(both):
    double, real = pair(both, lambda s: event_fields(s["patchset_created"], ""))
    assert real["type"] == "patchset-created" and real["number_type"] == "int" and real["patchset"] == 1
    assert double == real


def test_vote_comment_event(both):
    double, real = pair(both, lambda s: event_fields(s["voted"], s["voted"]["author"]["username"]))
    assert real["vote"] == [1, "comment"]
    assert real["summary"] == "Build succeeded (check pipeline)." and len(real["jobs"]) == 2
    assert double == real


def test_comment_after_a_vote_carries_the_standing_vote(both):
    double, real = pair(both, lambda s: event_fields(s["commented"], s["commented"]["author"]["username"]))
    assert real["vote"] == [1, "approval"]  # no label in the text; the approvals hold the account's current +1
    assert double == real


def test_comment_only_event_of_an_account_that_never_voted(both):
    double, real = pair(both, lambda s: event_fields(s["quiet_commented"], s["quiet_commented"]["author"]["username"]))
    # real Gerrit lists Verified "0" for an account that only commented: vendorci reads that as no vote
    assert real["vote"] == [None, "none"]
    assert double == real


def change_fields(c: dict) -> dict:
    return {k: c.get(k) for k in ("number", "project", "branch", "subject", "url", "status", "patchset")} | {
        "messages": [(m["username"], m["patchset"], m["message"].split("\n", 1)[0]) for m in c["messages"]],
        "approvals": c["approvals"]}


def test_query_fields(both):
    double, real = pair(both, lambda s: change_fields(s["query"][0]))
    assert real["status"] == "NEW" and real["patchset"] == 1
    assert ["CI", 1, "Patch Set 1: Verified+1"] in real["messages"]
    assert [a["value"] for a in real["approvals"]] == [1]
    # the double leaves out Gerrit's own "Uploaded patch set 1." message at the start; compare the CI's part
    assert [m for m in double["messages"] if m[0] != "OP"] == [m for m in real["messages"] if m[0] != "OP"]
    assert {k: v for k, v in double.items() if k != "messages"} == {k: v for k, v in real.items() if k != "messages"}


def test_rest_fields(both):
    double, real = pair(both, lambda s: change_fields(s["rest"][0]))
    assert real["url"] == "WEB/c/opendev/ci-sandbox/+/N" and real["patchset"] == 1
    assert [m for m in double["messages"] if m[0] != "OP"] == [m for m in real["messages"] if m[0] != "OP"]
    assert {k: v for k, v in double.items() if k != "messages"} == {k: v for k, v in real.items() if k != "messages"}


def test_failures_are_classified_alike(both):
    double, real = pair(both, lambda s: s["failures"])
    assert real == {"unknown_project": "gerrit_project_unknown", "no_new_changes": "push_no_new_changes",
                    "missing_change_id": "push_missing_change_id",
                    "stream_refused": [True, "gerrit_stream_refused"], "version": "3.9.1"}
    assert double == real


def test_reviewer_query_finds_a_voting_ci(both):
    assert pair(both, lambda s: {"number": s["reviewer_ci"][0]}) == ({"number": "N"},) * 2


def test_reviewer_query_and_a_comment_only_account(both):
    double, real = pair(both, lambda s: s["reviewer_quiet"])
    assert double == real
