"""vendorci against the articles' master, for real: Zuul 2.5.2 on Python 2.7
with its embedded Gearman server and zuul-merger (``tests/fixtures/zuul2.py``)."""

from __future__ import annotations

import json
import signal
import subprocess
import time

import pytest

from tests.fixtures.zuul2 import Zuul2Master, free_loopback_host, require_real, start_master, zuul2_available

pytestmark = pytest.mark.real_server


@pytest.fixture(scope="module")
def shared_master(tmp_path_factory):
    """One running master for the tests that only read it (Zuul 2 takes ~8 s to start)."""
    require_real(zuul2_available())
    m = start_master(Zuul2Master(tmp_path_factory.mktemp("zuul2-shared"), free_loopback_host()))
    yield m
    m.stop()


def _doctor(cli, m, *ids):
    out = cli("-o", "json", "doctor", *ids, "--zuul-conf", str(m.conf), "--timeout", "10")
    doc = json.loads(out.stdout)
    return out.exit_code, {c["id"]: c for c in doc["data"]["checks"]}


def test_gearman_workers_lists_zuul2s_merger_and_rpc_listener(shared_master, cli):
    # Zuul 2's embedded server sends client ids with spaces ("Zuul Merger")
    m = shared_master
    out = cli("-o", "json", "gearman", "workers", "--server", m.gearman_address)
    assert out.exit_code == 0, out.stdout + out.stderr
    ids = {w["client_id"] for w in out.json["data"]["workers"]}
    assert {"Zuul Merger", "Zuul RPC Listener"} <= ids


def test_doctor_gearman_on_a_real_zuul2_master(shared_master, cli):
    m = shared_master
    _code, checks = _doctor(cli, m, "gearman")
    assert checks["gearman.reachable"]["status"] == "ok", checks["gearman.reachable"]
    assert checks["gearman.merger"]["status"] == "ok", checks["gearman.merger"]
    assert checks["gearman.zuul_server"]["status"] == "ok", checks["gearman.zuul_server"]


def test_doctor_zuul_processes_pidfiles_and_log_on_a_real_zuul2_master(zuul2_factory, cli):
    # one master through its bad day: green, then a layout that does not load (an ERROR in the real log
    # configuration's file), then a crashed merger (its pid file left behind), then a stale zuul-server pid file
    m = zuul2_factory()
    workers = m.workers()
    assert "Zuul Merger" in workers and "merger:merge" in workers
    assert "Zuul RPC Listener" in workers and "zuul:enqueue" in workers
    server, merger = m.pid("server"), m.pid("merger")
    assert server and merger and server != merger
    code, checks = _doctor(cli, m, "zuul.processes", "zuul.pidfiles", "zuul.log")
    for cid in ("zuul.processes", "zuul.pidfiles", "zuul.log"):
        assert checks[cid]["status"] == "ok", (cid, checks[cid])
    assert str(m.log_dir / "zuul.log") in checks["zuul.log"]["data"]["log_files"]
    assert code == 0

    good = m.layout_path.read_text()
    m.layout_path.write_text(good.replace("manager: IndependentPipelineManager", "manager: NoSuchManager"))
    m.reload()  # SIGHUP: Zuul 2 re-reads the layout, fails, logs the exception and keeps the old one
    deadline = time.monotonic() + 20
    while "ERROR" not in (m.log_dir / "zuul.log").read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    m.layout_path.write_text(good)
    code, checks = _doctor(cli, m, "zuul.log")
    log = checks["zuul.log"]
    assert log["status"] == "warn", log
    assert any("ERROR" in line and line.startswith("zuul.log: ") for line in log["data"]["errors"]), log

    m.kill("merger", signal.SIGKILL)  # a crash: the pid file stays behind
    assert m.merger_pidfile.read_text().strip() == str(merger)
    code, checks = _doctor(cli, m, "zuul.processes", "zuul.pidfiles", "gearman.merger")
    assert code == 1
    assert checks["gearman.merger"]["status"] == "fail", checks["gearman.merger"]
    procs, pids = checks["zuul.processes"], checks["zuul.pidfiles"]
    assert procs["status"] == "fail" and "zuul-merger" in json.dumps(procs), procs
    assert pids["status"] in ("fail", "warn") and str(merger) in json.dumps(pids), pids

    # zuul-server gone too, its pid file naming a process that has exited since (a stale pid file)
    m.kill("server", signal.SIGKILL)
    m.stop()  # the embedded Gearman child
    gone = subprocess.Popen(["true"])
    gone.wait(timeout=10)
    m.server_pidfile.write_text(f"{gone.pid}\n")
    try:
        code, checks = _doctor(cli, m, "zuul.pidfiles")
    finally:
        m.server_pidfile.unlink()  # never let the fixture's stop() signal a recycled pid
    pids = checks["zuul.pidfiles"]
    assert code == 1 and pids["status"] == "fail", pids
    assert str(gone.pid) in json.dumps(pids), pids
    m.stop()
    assert m.pid("server") is None and m.pid("merger") is None
