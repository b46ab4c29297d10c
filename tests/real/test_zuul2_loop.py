"""The articles' whole loop on real parts: a real Gerrit 3.9.1, a real voting Zuul 2.5.2 (zuul-server with its
embedded Gearman, zuul-merger) and the Jenkins double's Gearman plugin serving the jobs.

One master for the module (Zuul 2 starts in ~8 s, and holds every Gerrit event 10 s before acting, so each
report takes ~14 s): the smoke tests run against it in order, the doctor tests that break things use their own.

Zuul's Gerrit account has an RSA key in PEM (paramiko 1.18 reads nothing else), Zuul's HOME holds a known_hosts
with the site's ``[127.0.0.1]:PORT`` host keys, and the merger fetches over ``GIT_SSH_COMMAND`` with the same key.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess

import pytest

from tests.fixtures.gerrit_real import GerritAccount
from tests.fixtures.jenkins_double import JenkinsDouble, Node
from tests.fixtures.jenkins_gearman import GearmanPlugin
from tests.fixtures.zuul2 import (
    CHECK_PIPELINE,
    GerritPeer,
    Zuul2Master,
    free_loopback_host,
    require_real,
    start_master,
    zuul2_available,
)

pytestmark = pytest.mark.real_server

SERVED, UNSERVED = "vendor-ci-check", "vendor-ci-unserved"
LAYOUT = CHECK_PIPELINE + f"""\
projects:
  - name: opendev/ci-sandbox
    check:
      - {SERVED}
  - name: openstack-dev/sandbox
    check:
      - {SERVED}
      - {UNSERVED}
"""
REPORT_TIMEOUT = 60  # Zuul 2.5.2 holds each event 10 s, then merges and launches


def zuul_account(g, root, username: str = "zuul2ci") -> GerritAccount:
    """A CI account in the CI group (streamEvents, Verified -1..+1) whose key is RSA in PEM, as Zuul 2 needs."""
    if username in g.accounts:
        return g.accounts[username]
    key = root / f"{username}_rsa"
    subprocess.run(["ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-m", "PEM", "-N", "", "-C", username, "-f",
                    str(key)], check=True, capture_output=True, timeout=60)
    acct = GerritAccount(username, "Acme Zuul 2", f"{username}@example.com",
                         base64.b32encode(os.urandom(10)).decode().lower(), key)
    info = g.rest("PUT", f"accounts/{username}", {"name": acct.name, "email": acct.email,
                                                   "http_password": acct.http_password, "groups": ["CI"],
                                                   "ssh_key": acct.public_key})
    acct.account_id = int(info["_account_id"])
    g.accounts[username] = acct
    return acct


def peer(g, acct: GerritAccount) -> GerritPeer:
    return GerritPeer(g.host, g.ssh_port, g.url.rstrip("/"), acct.username, acct.key, g.known_hosts_lines())


class Loop:
    def __init__(self, g, master: Zuul2Master, acct: GerritAccount, jenkins: JenkinsDouble, plugin: GearmanPlugin):
        self.g, self.master, self.acct, self.jenkins, self.plugin = g, master, acct, jenkins, plugin


def start_jenkins(master: Zuul2Master) -> tuple[JenkinsDouble, GearmanPlugin]:
    d = JenkinsDouble()
    d.add_user("admin")
    d.add_job(SERVED, "vendor_node")
    d.start()
    with d.lock:
        d.nodes["vendor-1"] = Node("vendor-1", 2, "/home/jenkins", "vendor_node", {}, offline=False)
    plugin = GearmanPlugin(d, master.host, 4730).start()
    plugin.wait_registered(f"build:{SERVED}:vendor_node")
    return d, plugin


@pytest.fixture(scope="module")
def loop(real_gerrit, tmp_path_factory):
    require_real(zuul2_available())
    g = real_gerrit
    root = tmp_path_factory.mktemp("zuul2-loop")
    acct = zuul_account(g, root)
    before = {sid for sid, _ in g.sessions()}
    m = Zuul2Master(root / "master", free_loopback_host(), gerrit=peer(g, acct), layout=LAYOUT)
    start_master(m)
    d = plugin = None
    try:
        g.wait_stream(acct.username, timeout=60, besides=before)
        d, plugin = start_jenkins(m)
        yield Loop(g, m, acct, d, plugin)
    finally:
        if plugin is not None:
            plugin.stop()
        if d is not None:
            d.stop()
        m.stop()


@pytest.fixture
def operator(real_gerrit, monkeypatch):
    op = real_gerrit.accounts["op"]
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, op.email)
    return op


def smoke(cli, lp: Loop, tmp_path, *extra, project: str = "opendev/ci-sandbox"):
    g = lp.g
    return cli("--output", "json", "smoke-test", "sandbox", "--gerrit", f"ssh://op@127.0.0.1:{g.ssh_port}",
               "--ssh-key", str(g.accounts["op"].key), "--ci-user", lp.acct.username, "--ci-key", str(lp.acct.key),
               "--known-hosts", str(g.known_hosts), "--workdir", str(tmp_path / "work"), "--project", project,
               "--timeout", str(REPORT_TIMEOUT), "--expect-vote", "--no-check-logs", *extra)


def _explain(res, lp: Loop) -> str:
    log = lp.master.log_dir / "zuul.log"
    return res.stdout + res.stderr + "\n--- zuul.log ---\n" + (log.read_text()[-3000:] if log.exists() else "")


def test_zuul2_votes_plus_one_then_recheck(cli, loop, operator, tmp_path):
    loop.plugin.results.pop(SERVED, None)
    res = smoke(cli, loop, tmp_path)
    assert res.exit_code == 0, _explain(res, loop)
    d = res.json["data"]
    n = d["change"]
    assert (d["vote"], d["ci_user"], d["patchset"]) == (1, loop.acct.username, 1)
    assert d["summary"].startswith("Build succeeded")
    assert [(j["name"], j["result"]) for j in d["jobs"]] == [(SERVED, "SUCCESS")]
    assert d["jobs"][0]["url"].startswith(f"http://logs.example.invalid/{n}/1/check/{SERVED}/")  # url_pattern
    build = [b for b in loop.plugin.builds if b.job == SERVED][-1]
    assert build.arguments["ZUUL_CHANGE"] == str(n) and build.result == "SUCCESS"
    assert build.worker.startswith("vendor-1_exec-")

    # recheck: the operator comments, Zuul 2's trigger regex matches, a new build and a new +1
    builds = len(loop.plugin.builds)
    res = smoke(cli, loop, tmp_path, "--recheck", str(n))
    assert res.exit_code == 0, _explain(res, loop)
    d = res.json["data"]
    assert (d["change"], d["recheck"], d["vote"]) == (n, True, 1)
    assert len(loop.plugin.builds) == builds + 1


def test_zuul2_failing_job_exits_1_and_names_the_job(cli, loop, operator, tmp_path):
    loop.plugin.results[SERVED] = "FAILURE"
    try:
        res = smoke(cli, loop, tmp_path)
    finally:
        loop.plugin.results.pop(SERVED, None)
    assert res.exit_code == 1, _explain(res, loop)
    d = res.json["data"]
    assert d["vote"] == -1 and d["summary"].startswith("Build failed")
    assert [(j["name"], j["result"]) for j in d["jobs"]] == [(SERVED, "FAILURE")]
    err = res.json["errors"][0]
    assert err["code"] == "negative_vote"
    assert SERVED in err["message"]


def test_zuul2_job_nobody_serves_is_not_registered_and_names_the_doctor_check(cli, loop, operator, tmp_path):
    res = smoke(cli, loop, tmp_path, project="openstack-dev/sandbox")
    assert res.exit_code == 1, _explain(res, loop)
    d = res.json["data"]
    results = {j["name"]: j["result"] for j in d["jobs"]}
    assert results == {SERVED: "SUCCESS", UNSERVED: "NOT_REGISTERED"}
    err = res.json["errors"][0]
    assert err["code"] == "job_not_registered", err
    assert UNSERVED in err["message"]
    assert "vendorci doctor gearman.registered" in err["hint"]
    # and the check it names does find it on this master
    out = cli("-o", "json", "doctor", "gearman.registered", "--zuul-conf", str(loop.master.conf), "--timeout", "10")
    checks = {c["id"]: c for c in json.loads(out.stdout)["data"]["checks"]}
    assert checks["gearman.registered"]["status"] == "fail", checks["gearman.registered"]
    assert UNSERVED in json.dumps(checks["gearman.registered"])


def test_doctor_gerrit_checks_from_zuul_confs_gerrit_section(cli, loop, monkeypatch):
    # the Gerrit server, port, user and key come from zuul.conf's [gerrit]; the host keys from Zuul's own HOME
    monkeypatch.setenv("VENDORCI_KNOWN_HOSTS", str(loop.master.root / "home/.ssh/known_hosts"))
    out = cli("-o", "json", "doctor", "gerrit", "--zuul-conf", str(loop.master.conf), "--timeout", "15",
              "--stale-after", "1h")
    doc = json.loads(out.stdout)
    checks = {c["id"]: c for c in doc["data"]["checks"]}
    assert checks, out.stdout + out.stderr
    for cid in ("gerrit.known-hosts", "gerrit.ssh", "gerrit.stream-events"):
        assert checks[cid]["status"] == "ok", (cid, checks[cid], out.stderr)
    assert loop.acct.username in json.dumps(checks["gerrit.ssh"])
