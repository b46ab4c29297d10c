"""vendorci against the articles' master, for real: Zuul 2.5.2 on Python 2.7
with its embedded Gearman server and zuul-merger (``tests/fixtures/zuul2.py``)."""

from __future__ import annotations

import json
import os
import signal

import pytest

pytestmark = pytest.mark.real_server


def test_real_zuul2_master_starts_and_stops(zuul2_factory):
    m = zuul2_factory()
    workers = m.workers()
    assert "Zuul Merger" in workers and "merger:merge" in workers
    assert "Zuul RPC Listener" in workers and "zuul:enqueue" in workers
    server, merger = m.pid("server"), m.pid("merger")
    assert server and merger and server != merger
    m.stop()
    assert m.pid("server") is None and m.pid("merger") is None


def _doctor(cli, m, *ids):
    out = cli("-o", "json", "doctor", *ids, "--zuul-conf", str(m.conf), "--timeout", "10")
    doc = json.loads(out.stdout)
    return out.exit_code, {c["id"]: c for c in doc["data"]["checks"]}


def test_gearman_workers_lists_zuul2s_merger_and_rpc_listener(zuul2_factory, cli):
    # Zuul 2's embedded server sends client ids with spaces ("Zuul Merger")
    m = zuul2_factory()
    out = cli("-o", "json", "gearman", "workers", "--server", m.gearman_address)
    assert out.exit_code == 0, out.stdout + out.stderr
    ids = {w["client_id"] for w in out.json["data"]["workers"]}
    assert {"Zuul Merger", "Zuul RPC Listener"} <= ids


def test_doctor_gearman_on_a_real_zuul2_master(zuul2_factory, cli):
    m = zuul2_factory()
    _code, checks = _doctor(cli, m, "gearman")
    assert checks["gearman.reachable"]["status"] == "ok", checks["gearman.reachable"]
    assert checks["gearman.merger"]["status"] == "ok", checks["gearman.merger"]
    assert checks["gearman.zuul_server"]["status"] == "ok", checks["gearman.zuul_server"]


def test_doctor_sees_a_dead_merger_and_its_stale_pid_file(zuul2_factory, cli):
    m = zuul2_factory()
    pid = m.pid("merger")
    m.kill("merger", signal.SIGKILL)  # a crash: the pid file stays behind
    assert m.merger_pidfile.read_text().strip() == str(pid)
    assert not os.path.exists(f"/proc/{pid}/cmdline") or not open(f"/proc/{pid}/cmdline", "rb").read()
    code, checks = _doctor(cli, m, "gearman.merger")
    assert code == 1
    assert checks["gearman.merger"]["status"] == "fail", checks["gearman.merger"]
