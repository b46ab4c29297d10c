"""Zuul 2 reload: SIGHUP to the pid file's process, which must be Zuul and must survive."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.fixtures.zuul_standin import start_zuul_server
from vendorci.core.reload import read_pid, sighup
from vendorci.errors import OperationFailed, UsageError


def test_sighup_reaches_the_stand_in_and_it_survives(tmp_path):
    server = start_zuul_server(tmp_path, tmp_path / "run/zuul.pid")
    try:
        res = sighup(server.pidfile)
        assert res.done and res.how == "sighup" and res.pid == server.pid
        deadline = time.monotonic() + 5
        while server.hups < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert server.hups == 1 and server.alive()
    finally:
        server.stop()


def test_not_running_is_reported_not_signalled(tmp_path):
    res = sighup(tmp_path / "none.pid")
    assert not res.done and "not running" in res.reason
    server = start_zuul_server(tmp_path, tmp_path / "zuul.pid")
    server.stop()
    res = sighup(tmp_path / "zuul.pid")  # stale pid file
    assert not res.done and "not running" in res.reason


def test_a_process_that_dies_on_sighup_fails_the_step(tmp_path):
    script = tmp_path / "zuul-server"
    script.write_text("import time\ntime.sleep(60)\n")  # default SIGHUP action: terminate
    proc = subprocess.Popen([sys.executable, str(script)], stdin=subprocess.DEVNULL)
    try:
        time.sleep(0.2)
        (tmp_path / "zuul.pid").write_text(f"{proc.pid}\n")
        with pytest.raises(OperationFailed) as err:
            sighup(tmp_path / "zuul.pid", settle=2.0)
        assert err.value.code == "reload_died"
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_a_pid_that_is_not_zuul_gets_no_signal(tmp_path):
    proc = subprocess.Popen(["sleep", "30"], stdin=subprocess.DEVNULL)
    try:
        (tmp_path / "zuul.pid").write_text(f"{proc.pid}\n")
        with pytest.raises(OperationFailed) as err:
            sighup(tmp_path / "zuul.pid")
        assert err.value.code == "reload_not_zuul" and proc.poll() is None
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_garbage_pid_file(tmp_path):
    (tmp_path / "p").write_text("hello")
    with pytest.raises(UsageError):
        read_pid(tmp_path / "p")
