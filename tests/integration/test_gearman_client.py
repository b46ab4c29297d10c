"""The admin client against a real gearmand, gear.Server and misbehaving servers."""

from __future__ import annotations

import time

import pytest

from vendorci.clients.gearman import GearmanAdmin, GearmanError, connect

pytestmark = pytest.mark.real_server


def test_status_workers_version(gearman_server, gearman_workers):
    ws = gearman_workers(gearman_server)
    ws.add("master_exec-0", ["build:noop-check-communication", "build:noop-check-communication:master"])
    ws.add("master_exec-1", ["build:noop-check-communication"])
    ws.submit("build:orphan", 2)
    with connect(gearman_server.host, gearman_server.port, 5) as adm:
        status = {f.name: f for f in adm.status()}
        workers = adm.workers()
        version, probed = adm.probe()
        t0 = time.monotonic()
        plain_version = adm.version(wait=0.3)
        waited = time.monotonic() - t0
    assert status["build:noop-check-communication"].workers == 2
    assert status["build:noop-check-communication:master"].workers == 1
    assert status["build:orphan"].total == 2 and status["build:orphan"].workers == 0
    assert status["build:orphan"].queued == 2
    assert {f.name for f in probed} == set(status)
    by_id = {w.client_id: w for w in workers}
    assert set(by_id["master_exec-0"].functions) == {"build:noop-check-communication",
                                                     "build:noop-check-communication:master"}
    assert by_id["master_exec-1"].address == "127.0.0.1"
    if gearman_server.kind == "gearmand":
        assert version and version[0].isdigit()
        assert plain_version == version and waited < 0.3
    else:  # gear.Server never answers version: None, not an error
        assert version is None and plain_version is None


def test_empty_server(gearman_server):
    with GearmanAdmin(gearman_server.host, gearman_server.port, 5) as adm:
        assert adm.status() == []
        # the admin connection itself is listed, without functions
        assert all(w.functions == () for w in adm.workers())


def test_server_down():
    from tests.fixtures.net import closed_port

    with pytest.raises(GearmanError) as ei:
        connect("127.0.0.1", closed_port(), 1)
    assert ei.value.code == "gearman_unreachable"
    assert "cannot connect" in ei.value.message


def test_close_mid_reply(fake_gearman):
    srv = fake_gearman("close_mid_reply")
    with pytest.raises(GearmanError) as ei:
        connect(srv.host, srv.port, 2).status()
    assert ei.value.code == "gearman_closed"
    assert "closed the connection in the middle" in ei.value.message


def test_garbage(fake_gearman):
    srv = fake_gearman("garbage")
    t0 = time.monotonic()
    with pytest.raises(GearmanError) as ei:
        connect(srv.host, srv.port, 3).status()
    assert ei.value.code == "gearman_protocol_error"
    assert "HTTP/1.1 400" in ei.value.message
    assert time.monotonic() - t0 < 1.0  # detected from the first line, not by timing out


def test_silent_server_times_out(fake_gearman):
    srv = fake_gearman("silent")
    t0 = time.monotonic()
    with pytest.raises(GearmanError) as ei:
        connect(srv.host, srv.port, 0.3).status()
    assert ei.value.code == "gearman_timeout"
    assert 0.25 < time.monotonic() - t0 < 2.0


def test_no_version_server(fake_gearman):
    srv = fake_gearman("no_version")
    with connect(srv.host, srv.port, 2) as adm:
        t0 = time.monotonic()
        version, status = adm.probe()
        assert time.monotonic() - t0 < 0.5
        assert version is None
        assert [f.name for f in status] == ["build:noop-check-communication", "build:noop-check-communication:master"]
        assert adm.version(wait=0.2) is None
        # the connection was dropped after the unanswered version; the next request reconnects
        assert adm.workers()[0].client_id == "master_exec-0"
