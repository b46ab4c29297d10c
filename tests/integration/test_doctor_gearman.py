"""Doctor Gearman checks against a real gearmand and gear.Server, with gear.Workers
registering what Jenkins' Gearman plugin and Zuul would; and misbehaving servers."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.samples import JJB, LAYOUT, NOOP, TEMPEST
from vendorci.checks.context import DoctorContext
from vendorci.checks.runner import run_doctor
from vendorci.config import load_config
from vendorci.results import Status

pytestmark = pytest.mark.real_server



@pytest.fixture
def datarepo(tmp_path):
    repo = tmp_path / "data"
    (repo / "etc" / "zuul").mkdir(parents=True)
    (repo / "etc" / "jenkins_jobs" / "config").mkdir(parents=True)
    (repo / "etc" / "zuul" / "layout.yaml").write_text(LAYOUT)
    (repo / "etc" / "jenkins_jobs" / "config" / "projects.yaml").write_text(JJB)
    return repo


def doctor(tmp_path: Path, server: str, repo: Path | None = None, timeout: float = 3.0, ids=("gearman",),
           **options):
    cfg = load_config({"gearman.server": server})
    empty = tmp_path / "proc"
    empty.mkdir(exist_ok=True)
    ctx = DoctorContext(config=cfg, timeout=timeout, run_dir=tmp_path / "run", data_repo=repo, proc_root=empty,
                       options=options)
    rep = run_doctor(ctx, list(ids))
    return {r.id: r.result for r in rep.reports}


def healthy(ws, skip=()):
    nodes = {"master": ([f for f in NOOP if f not in skip], 2),
             "devstack_slave-1": ([f for f in TEMPEST if f not in skip], 1)}
    ws.jenkins("master", nodes)
    ws.zuul()


def test_healthy(tmp_path, gearman_server, gearman_workers, datarepo):
    healthy(gearman_workers(gearman_server))
    res = doctor(tmp_path, gearman_server.address, datarepo)
    assert {k: v.status for k, v in res.items()} == {
        "gearman.reachable": Status.OK, "gearman.registered": Status.OK, "gearman.workers": Status.OK,
        "gearman.queues": Status.OK, "gearman.jenkins": Status.OK, "gearman.merger": Status.OK,
        "gearman.zuul_server": Status.OK}
    if gearman_server.kind == "gearmand":
        assert res["gearman.reachable"].data["version"]
    else:
        assert res["gearman.reachable"].data["version"] is None
        assert "does not answer 'version'" in res["gearman.reachable"].summary
    assert res["gearman.workers"].data["serving"]["build:noop-check-communication"] == [
        "master_exec-0", "master_exec-1"]
    assert res["gearman.jenkins"].data["masters"] == ["master"]
    assert res["gearman.registered"].data["jobs"]["dsvm-tempest-full"]["labels"] == ["devstack_slave"]


def test_reference_datarepo(tmp_path, gearmand, gearman_workers):
    """The articles' own data repo: build:noop-check-communication:master is required."""
    ws = gearman_workers(gearmand)
    ws.add("master_exec-0", ["build:noop-check-communication"])
    ws.add("master_manager", ["stop:master", "set_description:master"])
    ref = Path("/work/shared/reference/datarepos/os-ext-testing-data")
    if not ref.is_dir():
        pytest.skip("missing prerequisite: reference data repo /work/shared/reference/datarepos")
    res = doctor(tmp_path, gearmand.address, ref)
    reg = res["gearman.registered"]
    assert reg.status is Status.FAIL
    assert reg.data["missing"][0]["function"] == "build:noop-check-communication:master"
    assert "label master" in reg.fix and "master needs the label 'master'" in reg.fix


def test_job_missing(tmp_path, gearman_server, gearman_workers, datarepo):
    healthy(gearman_workers(gearman_server), skip=TEMPEST)
    res = doctor(tmp_path, gearman_server.address, datarepo)
    reg = res["gearman.registered"]
    assert reg.status is Status.FAIL
    assert "dsvm-tempest-full" in reg.summary and "noop-check-communication" not in reg.summary
    assert "Jenkins has no such job" in reg.details[0]
    assert "jenkins-jobs update" in reg.fix and "Gearman plugin registers new jobs" in reg.fix


def test_job_not_in_jjb(tmp_path, gearman_server, gearman_workers, datarepo):
    layout = datarepo / "etc" / "zuul" / "layout.yaml"
    layout.write_text(LAYOUT + "      - ghost-job\n")
    healthy(gearman_workers(gearman_server))
    res = doctor(tmp_path, gearman_server.address, datarepo)
    reg = res["gearman.registered"]
    assert reg.status is Status.FAIL
    assert [m["job"] for m in reg.data["missing"]] == ["ghost-job"]
    assert "not defined in the JJB config" in reg.details[0]
    assert "Define ghost-job" in reg.fix


def test_label_missing(tmp_path, gearman_server, gearman_workers, datarepo):
    healthy(gearman_workers(gearman_server), skip=["build:dsvm-tempest-full:devstack_slave"])
    res = doctor(tmp_path, gearman_server.address, datarepo)
    reg = res["gearman.registered"]
    assert reg.status is Status.FAIL
    assert reg.data["missing"] == [{"job": "dsvm-tempest-full", "function": "build:dsvm-tempest-full:devstack_slave",
                                    "cause": "no online node with label devstack_slave"}]
    assert "label devstack_slave" in reg.fix


def test_plugin_not_connected(tmp_path, gearman_server, gearman_workers, datarepo):
    ws = gearman_workers(gearman_server)
    ws.zuul()
    res = doctor(tmp_path, gearman_server.address, datarepo)
    assert res["gearman.jenkins"].status is Status.FAIL
    assert "Enable Gearman" in res["gearman.jenkins"].fix
    reg = res["gearman.registered"]
    assert reg.status is Status.FAIL and len(reg.data["missing"]) == 2
    assert all(m["cause"] == "Gearman plugin not connected" for m in reg.data["missing"])
    assert "Gearman Plugin Config" in reg.fix
    assert res["gearman.merger"].status is Status.OK


def test_merger_and_zuul_server_absent(tmp_path, gearman_server, gearman_workers, datarepo):
    ws = gearman_workers(gearman_server)
    ws.jenkins("master", {"master": (NOOP + TEMPEST, 1)})
    res = doctor(tmp_path, gearman_server.address, datarepo)
    assert res["gearman.registered"].status is Status.OK
    assert res["gearman.merger"].status is Status.FAIL and "zuul-merger" in res["gearman.merger"].fix
    assert res["gearman.zuul_server"].status is Status.FAIL
    assert "zuul-server" in res["gearman.zuul_server"].fix


def test_no_workers_left(tmp_path, gearman_server, gearman_workers, datarepo):
    """Workers registered the label function once and went away (node went offline)."""
    ws = gearman_workers(gearman_server)
    healthy(ws, skip=["build:dsvm-tempest-full:devstack_slave"])
    gone = ws.add("devstack_slave-1_exec-0", ["build:dsvm-tempest-full:devstack_slave"])
    gone.shutdown()
    ws.workers.remove(gone)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        res = doctor(tmp_path, gearman_server.address, datarepo)
        if res["gearman.workers"].status is not Status.OK or res["gearman.registered"].status is not Status.OK:
            break
        time.sleep(0.05)
    # both servers keep a function once registered, with 0 workers: it is known, but nobody serves it
    w = res["gearman.workers"]
    assert res["gearman.registered"].status is Status.OK
    assert w.status is Status.FAIL
    assert w.data["without_workers"] == ["build:dsvm-tempest-full:devstack_slave"]
    assert "offline" in w.fix


def test_stuck_and_long_queue(tmp_path, gearman_server, gearman_workers, datarepo):
    ws = gearman_workers(gearman_server)
    healthy(ws)
    ws.submit("build:removed-job", 3)
    deadline = time.monotonic() + 5
    while True:
        res = doctor(tmp_path, gearman_server.address, datarepo)
        q = res["gearman.queues"]
        if q.status is Status.FAIL or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert q.status is Status.FAIL
    assert "3 job(s) waiting on build:removed-job" in q.summary
    assert "No worker offers these functions" in q.fix


def test_long_queue(tmp_path, gearman_server, gearman_workers, datarepo):
    ws = gearman_workers(gearman_server)
    healthy(ws)
    ws.submit("build:dsvm-tempest-full", 6)
    deadline = time.monotonic() + 5
    while True:
        q = doctor(tmp_path, gearman_server.address, datarepo, queue_warn=4)["gearman.queues"]
        if q.status is Status.WARN or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert q.status is Status.WARN, q.summary
    assert "waiting on build:dsvm-tempest-full" in q.summary
    assert "add executors or nodes" in q.fix


def test_no_layout_skips_registered(tmp_path, gearman_server, gearman_workers):
    healthy(gearman_workers(gearman_server))
    res = doctor(tmp_path, gearman_server.address, None)
    assert res["gearman.registered"].status is Status.SKIP
    assert "--layout" in res["gearman.registered"].fix
    assert res["gearman.workers"].status is Status.OK


def test_server_down(tmp_path, datarepo):
    from tests.fixtures.net import closed_port

    res = doctor(tmp_path, f"127.0.0.1:{closed_port()}", datarepo)
    assert res["gearman.reachable"].status is Status.FAIL
    assert "Start the Gearman server" in res["gearman.reachable"].fix
    assert res["gearman.reachable"].data["code"] == "gearman_unreachable"
    assert all(res[k].status is Status.SKIP for k in res if k != "gearman.reachable")


@pytest.mark.parametrize("mode,code,words", [
    ("close_mid_reply", "gearman_closed", "restarting or overloaded"),
    ("garbage", "gearman_protocol_error", "not another service"),
    ("silent", "gearman_timeout", "not a Gearman server"),
])
def test_misbehaving_servers(tmp_path, fake_gearman, datarepo, mode, code, words):
    srv = fake_gearman(mode)
    t0 = time.monotonic()
    res = doctor(tmp_path, srv.address, datarepo, timeout=1.0)
    assert time.monotonic() - t0 < 2.0
    r = res["gearman.reachable"]
    assert r.status is Status.FAIL, r.summary
    assert r.data["code"] == code
    assert words in r.fix


def test_blackholed_server_costs_one_timeout(tmp_path, fake_gearman, datarepo):
    srv = fake_gearman("blackhole")
    t0 = time.monotonic()
    res = doctor(tmp_path, srv.address, datarepo, timeout=1.0, ids=("gearman", "zuul"))
    elapsed = time.monotonic() - t0
    assert res["gearman.reachable"].status in (Status.FAIL, Status.ERROR)
    assert elapsed < 1.8


def test_server_never_answers_version(tmp_path, fake_gearman, datarepo):
    srv = fake_gearman("no_version")
    t0 = time.monotonic()
    res = doctor(tmp_path, srv.address, datarepo, timeout=3.0)
    assert time.monotonic() - t0 < 1.0
    r = res["gearman.reachable"]
    assert r.status is Status.OK and r.data["version"] is None
    assert "does not answer 'version'" in r.summary
