"""Doctor jenkins.* checks against the Jenkins double (and gear.Server for the Gearman cross-check)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.fixtures.jenkins_double import Node, jenkins_double_fixture  # noqa: F401
from tests.fixtures.net import closed_port
from vendorci.checks.context import DoctorContext
from vendorci.checks.jenkins import checks
from vendorci.checks.runner import run_checks
from vendorci.config import load_config

pytestmark = pytest.mark.real_server

REF = Path("/work/shared/reference/datarepos/os-ext-testing-data")


@pytest.fixture
def repo(tmp_path):
    """The reference data repo: layout runs noop-check-communication; JJB gives dsvm-tempest-full devstack_slave."""
    if not REF.is_dir():
        pytest.skip(f"missing prerequisite: reference data repo {REF}")
    dst = tmp_path / "data"
    shutil.copytree(REF, dst)
    layout = dst / "etc/zuul/layout.yaml"
    layout.write_text(layout.read_text().replace("#- dsvm-tempest-full", "- dsvm-tempest-full"))
    return dst


def _run(d, repo=None, user="admin", token=None, gearman="127.0.0.1:1", url=None):
    env = {"VENDORCI_JENKINS_URL": url or d.url, "VENDORCI_GEARMAN": gearman,
           "VENDORCI_ZUUL_CONF": "/nonexistent/zuul.conf", "VENDORCI_JJB_INI": "/nonexistent/jjb.ini"}
    if user:
        env["VENDORCI_JENKINS_USER"] = user
        env["VENDORCI_JENKINS_TOKEN"] = token or d.admin_token
    if repo:
        env["VENDORCI_ZUUL_LAYOUT"] = str(repo / "etc/zuul/layout.yaml")
    cfg = load_config({}, env=env, cwd=Path("/nonexistent"))
    ctx = DoctorContext(cfg, timeout=5.0, data_repo=repo)
    return {r.id: r.result for r in run_checks(checks(), ctx, timeout=5.0)}


def _online(d, name, labels, executors=2, busy=0, offline=False, reason=""):
    d.nodes[name] = Node(name, executors, "/w", labels, {}, offline=offline, reason=reason, busy=busy)


def test_healthy_jenkins(jenkins_double, repo, gear_server, gearman_workers):
    d = jenkins_double
    d.add_job("noop-check-communication", "master")
    d.add_job("dsvm-tempest-full", "devstack_slave")
    _online(d, "devstack_slave1", "devstack_slave")
    gearman_workers(gear_server).jenkins("master")
    res = _run(d, repo, gearman=gear_server.address)
    assert {k: v.status.value for k, v in res.items()} == {
        "jenkins.reachable": "ok", "jenkins.auth": "ok", "jenkins.plugins": "ok", "jenkins.jobs": "ok",
        "jenkins.nodes": "ok", "jenkins.gearman": "ok"}
    assert res["jenkins.reachable"].summary.startswith("Jenkins 2.440.3")
    assert res["jenkins.auth"].summary == "authenticated as admin"
    assert "scp" not in res["jenkins.plugins"].data["installed"]  # no log publishing in this repo's JJB
    assert res["jenkins.nodes"].data["labels"] == {"devstack_slave": ["dsvm-tempest-full"],
                                                   "master": ["noop-check-communication"]}
    assert "stop:master" in res["jenkins.gearman"].summary


def test_missing_plugins_jobs_and_nodes(jenkins_double, repo, gear_server):
    d = jenkins_double
    del d.plugins["gearman-plugin"], d.plugins["ssh-credentials"]
    d.add_job("noop-check-communication", "master")
    _online(d, "devstack_slave1", "devstack_slave", offline=True, reason="authentication failed")
    res = _run(d, repo, gearman=gear_server.address)
    p = res["jenkins.plugins"]
    assert p.status.value == "fail" and "gearman-plugin ssh-credentials" in p.fix
    j = res["jenkins.jobs"]
    assert j.status.value == "fail" and j.details == ["dsvm-tempest-full"] and "jenkins-jobs" in j.fix
    n = res["jenkins.nodes"]
    assert n.status.value == "fail"
    assert "devstack_slave: no online node (needed by dsvm-tempest-full)" in n.details
    assert "offline devstack_slave1: authentication failed" in n.details
    assert res["jenkins.gearman"].status.value == "fail" and "not installed" in res["jenkins.gearman"].summary


def test_busy_executors_warn_and_plugin_not_connected(jenkins_double, repo, gear_server):
    d = jenkins_double
    d.add_job("noop-check-communication", "master")
    d.add_job("dsvm-tempest-full", "devstack_slave")
    _online(d, "s1", "devstack_slave", executors=1, busy=1)
    res = _run(d, repo, gearman=gear_server.address)
    assert res["jenkins.nodes"].status.value == "warn"
    assert "devstack_slave: all executors busy on s1" in res["jenkins.nodes"].details
    g = res["jenkins.gearman"]
    assert g.status.value == "fail" and "no stop:MASTER" in g.summary and "Enable Gearman" in g.fix


def test_auth_failures_and_down(jenkins_double):
    d = jenkins_double
    res = _run(d, token="wrong")
    assert res["jenkins.reachable"].status.value == "ok"
    assert res["jenkins.auth"].status.value == "fail" and res["jenkins.auth"].data["code"] == "jenkins_auth"
    assert res["jenkins.plugins"].status.value == "skip"
    nobody = d.add_user("nobody", perms=set())
    res = _run(d, user="nobody", token=nobody)
    assert res["jenkins.auth"].data["code"] == "jenkins_forbidden" and "Overall/Read" in res["jenkins.auth"].fix
    res = _run(d, url=f"http://127.0.0.1:{closed_port()}/")
    r = res["jenkins.reachable"]
    assert r.status.value == "fail" and "cannot connect" in r.summary and "Jenkins up" in r.fix
    assert res["jenkins.auth"].status.value == "skip"
    d.down = True
    assert _run(d)["jenkins.reachable"].status.value == "fail"


def test_no_layout_skips_jobs_but_lists_offline_nodes(jenkins_double):
    _online(jenkins_double, "x", "devstack_slave", offline=True, reason="connection refused")
    res = _run(jenkins_double)
    assert res["jenkins.jobs"].status.value == "skip"
    assert res["jenkins.nodes"].status.value == "warn" and res["jenkins.nodes"].details == [
        "offline x: connection refused"]
