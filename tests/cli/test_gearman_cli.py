"""`vendorci gearman status|workers` against a real gearmand and gear.Server."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.real_server


def test_status_table_and_json(cli, gearman_server, gearman_workers):
    ws = gearman_workers(gearman_server)
    ws.add("master_exec-0", ["build:noop-check-communication", "build:noop-check-communication:master"])
    ws.add("master_manager", ["stop:master", "set_description:master"])
    ws.submit("build:zz-orphan", 3)
    r = cli("gearman", "status", "--server", gearman_server.address)
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["function", "queued", "running", "workers"]
    names = [ln.split()[0] for ln in lines[1:-1]]
    assert names == sorted(names) and "build:zz-orphan" in names
    orphan = next(ln for ln in lines if ln.startswith("build:zz-orphan")).split()
    assert orphan[1:] == ["3", "0", "0"]
    assert "1 with jobs but no worker" in lines[-1]

    j = cli("-o", "json", "gearman", "status", "--filter", "build:*", env={"VENDORCI_GEARMAN": gearman_server.address})
    funcs = j.json["data"]["functions"]
    assert [f["name"] for f in funcs] == ["build:noop-check-communication", "build:noop-check-communication:master",
                                          "build:zz-orphan"]
    assert funcs[0] == {"name": "build:noop-check-communication", "total": 0, "running": 0, "workers": 1,
                        "queued": 0}


def test_workers(cli, gearman_server, gearman_workers):
    ws = gearman_workers(gearman_server)
    ws.add("master_exec-0", ["build:noop-check-communication"])
    ws.add("merger", ["merger:merge", "merger:update"])
    r = cli("gearman", "workers", "--server", gearman_server.address)
    assert r.exit_code == 0
    row = next(ln for ln in r.stdout.splitlines() if "master_exec-0" in ln).split()
    assert row[0].isdigit() and row[1] == "127.0.0.1" and row[3] == "build:noop-check-communication"
    j = cli("-o", "json", "gearman", "workers", "--server", gearman_server.address, "--filter", "merger:*").json
    ws_ = j["data"]["workers"]
    assert len(ws_) == 1 and ws_[0]["client_id"] == "merger"
    assert sorted(ws_[0]["functions"]) == ["merger:merge", "merger:update"]
    assert set(ws_[0]) == {"fd", "address", "client_id", "functions"}


def test_errors(cli, fake_gearman):
    from tests.fixtures.net import closed_port

    r = cli("-o", "json", "gearman", "status", "--server", f"127.0.0.1:{closed_port()}")
    assert r.exit_code == 1 and r.json["errors"][0]["code"] == "gearman_unreachable"
    g = fake_gearman("garbage")
    r = cli("gearman", "workers", "--server", g.address, "--timeout", "1")
    assert r.exit_code == 1 and "not the Gearman admin protocol" in r.stderr and "hint:" in r.stderr
    r = cli("gearman", "status", "--server", "host:notaport")
    assert r.exit_code == 2


def test_watch_without_a_value_refreshes_until_stopped(gear_server):
    """`--watch` takes an optional SECONDS; piped, it prints one snapshot per refresh; a closed pipe is no error."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "vendorci", "gearman", "status", "--server", gear_server.address, "--watch"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=5)
    except subprocess.TimeoutExpired:
        p.terminate()
        out, err = p.communicate(timeout=10)
    assert out.count("function  queued  running  workers") >= 2, out + err
    assert "requires an argument" not in err
    head = subprocess.run(f"{' '.join(cmd[:-1])} --watch 0.2 | head -n 1", shell=True, capture_output=True,
                          text=True, timeout=30)
    assert head.returncode == 0
    assert "Traceback" not in head.stderr and "internal error" not in head.stderr
