"""Zuul 2.5.2's real embedded Gearman server with the Jenkins double's Gearman
plugin (``tests/fixtures/jenkins_gearman.py``): registrations that follow the
nodes and their labels, the plugin's management functions, and a stuck queue
when Jenkins' workers vanish, as on the articles' master."""

from __future__ import annotations

import json
import time

import pytest

from tests.fixtures.jenkins_double import JenkinsDouble, Node
from tests.fixtures.jenkins_gearman import GearmanPlugin
from tests.fixtures.zuul2 import CHECK_PIPELINE

pytestmark = pytest.mark.real_server

LAYOUT = CHECK_PIPELINE + """\
projects:
  - name: opendev/ci-sandbox
    check:
      - dsvm-tempest-full
"""

JJB = """\
- job:
    name: dsvm-tempest-full
    node: devstack_slave
    builders:
      - shell: "echo tempest"
"""


@pytest.fixture
def master(zuul2_factory):
    m = zuul2_factory(layout=LAYOUT, start=False)
    jdir = m.root / "etc" / "jenkins_jobs" / "config"
    jdir.mkdir(parents=True)
    (jdir / "jobs.yaml").write_text(JJB)
    m.start()
    return m


@pytest.fixture
def jenkins(master):
    d = JenkinsDouble()
    d.add_user("admin")
    d.add_job("dsvm-tempest-full", "devstack_slave")
    d.start()
    plugin = GearmanPlugin(d, master.host, 4730).start()
    yield d, plugin
    plugin.stop()
    d.stop()


def _online(d, name, labels, executors=1):
    with d.lock:
        d.nodes[name] = Node(name, executors, "/home/jenkins", labels, {}, offline=False)


def _doctor(cli, m, *ids):
    out = cli("-o", "json", "doctor", *ids, "--zuul-conf", str(m.conf), "--timeout", "10")
    doc = json.loads(out.stdout)
    return out.exit_code, {c["id"]: c for c in doc["data"]["checks"]}


def _wait_gone(m, function, timeout=10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if function not in m.workers():
            return
        time.sleep(0.1)
    raise AssertionError(f"{function} still registered")


def test_node_with_the_label_registers_the_job_and_doctor_is_green(master, jenkins, cli):
    d, plugin = jenkins
    _online(d, "devstack-1", "devstack_slave", executors=2)
    plugin.wait_registered("build:dsvm-tempest-full:devstack_slave")
    workers = master.workers()
    assert "devstack-1_exec-1" in workers and "devstack-1_exec-2" in workers
    assert "stop:jenkins-double" in workers  # the management worker
    code, checks = _doctor(cli, master, "gearman")
    for cid in ("gearman.reachable", "gearman.registered", "gearman.jenkins", "gearman.merger",
                "gearman.zuul_server"):
        assert checks[cid]["status"] == "ok", (cid, checks[cid])
    assert code == 0


def test_removing_the_node_unregisters_and_doctor_names_the_job(master, jenkins, cli):
    # Depending on timing, gear's server either keeps the functions listed with no worker (which Zuul 2.5.2 still
    # counts as registered: zuul/launcher/gearman.py isJobRegistered, so the job waits and nobody reports) or
    # forgets them (Zuul reports NOT_REGISTERED).  doctor names the job either way, with the matching check.
    d, plugin = jenkins
    _online(d, "devstack-1", "devstack_slave")
    plugin.wait_registered("build:dsvm-tempest-full:devstack_slave")
    with d.lock:
        del d.nodes["devstack-1"]
    _wait_gone(master, "build:dsvm-tempest-full")
    listed = "build:dsvm-tempest-full:devstack_slave\t" in master.status()
    code, checks = _doctor(cli, master, "gearman.registered", "gearman.workers")
    assert code == 1
    failing = checks["gearman.workers"] if listed else checks["gearman.registered"]
    assert failing["status"] == "fail", (listed, checks)
    assert "dsvm-tempest-full" in json.dumps(failing)


def test_label_mismatch_registers_nothing_for_the_job(master, jenkins, cli):
    d, plugin = jenkins
    _online(d, "bare-1", "bare_slave")
    time.sleep(1.0)  # several sync rounds of the plugin
    assert "build:dsvm-tempest-full" not in master.workers()
    _code, checks = _doctor(cli, master, "gearman.registered")
    assert checks["gearman.registered"]["status"] == "fail"
    assert "dsvm-tempest-full" in json.dumps(checks["gearman.registered"])


def test_jenkins_gone_leaves_a_stuck_queue_that_doctor_names(master, jenkins, cli):
    import gear

    d, plugin = jenkins
    _online(d, "devstack-1", "devstack_slave")
    plugin.wait_registered("build:dsvm-tempest-full:devstack_slave")
    plugin.disconnect()  # Jenkins dies without unregistering
    client = gear.Client("zuul-like")
    client.addServer(master.host, 4730)
    client.waitForServer(10)
    try:
        client.submitJob(gear.Job(b"build:dsvm-tempest-full:devstack_slave", b"{}"))
        deadline = time.monotonic() + 10
        while "build:dsvm-tempest-full:devstack_slave\t1\t0\t0" not in master.status():
            assert time.monotonic() < deadline, master.status()
            time.sleep(0.1)
        code, checks = _doctor(cli, master, "gearman.queues")
        assert code == 1
        q = checks["gearman.queues"]
        assert q["status"] == "fail", q
        assert "build:dsvm-tempest-full:devstack_slave" in json.dumps(q)
    finally:
        client.shutdown()


def test_a_build_sends_work_data_and_completes_with_the_scripted_result(master, jenkins):
    import gear

    d, plugin = jenkins
    _online(d, "devstack-1", "devstack_slave")
    plugin.wait_registered("build:dsvm-tempest-full:devstack_slave")
    plugin.results["dsvm-tempest-full"] = "FAILURE"
    client = gear.Client("zuul-like")
    client.addServer(master.host, 4730)
    client.waitForServer(10)
    try:
        job = gear.Job(b"build:dsvm-tempest-full:devstack_slave", json.dumps({"ZUUL_UUID": "abc"}).encode())
        client.submitJob(job)
        deadline = time.monotonic() + 15
        while not job.complete:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        first = json.loads(job.data[0])
        assert first["name"] == "dsvm-tempest-full" and first["number"] == 1
        assert first["worker"] == "devstack-1_exec-1" and first["url"].endswith("job/dsvm-tempest-full/1/")
        done = json.loads(job.data[-1])
        assert done["result"] == "FAILURE"
        assert plugin.builds[0].arguments == {"ZUUL_UUID": "abc"}
    finally:
        client.shutdown()
