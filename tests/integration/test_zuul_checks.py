"""Zuul doctor checks against real processes named like Zuul's daemons, real pid
files in a temporary run dir, a real log file and a loopback zuul-web double."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vendorci.checks.context import DoctorContext
from vendorci.checks.runner import run_doctor
from vendorci.config import load_config
from vendorci.results import Status

SLEEPER = "import time\ntime.sleep(60)\n"


@pytest.fixture
def zuul_procs(tmp_path):
    """``start(name, style)``: a real process named NAME; style 'script' runs
    ``python BIN/NAME -c zuul.conf``, style 'exec-a' runs ``exec -a NAME python``."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    procs: list[subprocess.Popen] = []

    def start(name: str, style: str = "script", config: str | None = None) -> subprocess.Popen:
        config = config or str(tmp_path / "zuul.conf")  # the zuul.conf the tests diagnose
        if style == "script":
            script = bindir / name
            script.write_text(SLEEPER)
            argv = [sys.executable, str(script), "-c", config]
        else:
            argv = ["bash", "-c", f'exec -a {name} "{sys.executable}" -c "import time; time.sleep(60)" -c {config}']
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL)
        procs.append(p)
        deadline = time.monotonic() + 5  # wait until the cmdline shows the final argv
        while time.monotonic() < deadline:
            try:
                raw = Path(f"/proc/{p.pid}/cmdline").read_bytes()
            except OSError:
                raw = b""
            if name.encode() in raw and (style == "script" or raw.startswith(name.encode())):
                break
            time.sleep(0.01)
        return p

    yield start
    for p in procs:
        p.kill()
        p.wait(5)


def conf(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "zuul.conf"
    p.write_text(text)
    return p


V2_CONF = """\
[gearman]
server=127.0.0.1
[gearman_server]
start=true
[zuul]
layout_config=/etc/zuul/layout.yaml
pidfile={run}/zuul/zuul.pid
log_config={logconf}
"""


def doctor(tmp_path, zuul_conf: Path | None, ids=("zuul",), zuul_web=None):
    cfg = load_config({"zuul.conf": str(zuul_conf) if zuul_conf else str(tmp_path / "absent.conf")})
    ctx = DoctorContext(config=cfg, timeout=3, run_dir=tmp_path / "run", zuul_web=zuul_web)
    return {r.id: r.result for r in run_doctor(ctx, list(ids)).reports}


def v2_conf(tmp_path, start="true"):
    return conf(tmp_path, V2_CONF.format(run=tmp_path / "run", logconf=tmp_path / "logging.conf")
                .replace("start=true", f"start={start}"))


def test_v2_healthy(tmp_path, zuul_procs):
    servers = [zuul_procs("zuul-server"), zuul_procs("zuul-server", "exec-a")]
    merger = zuul_procs("zuul-merger", "exec-a")
    res = doctor(tmp_path, v2_conf(tmp_path))
    p = res["zuul.processes"]
    assert p.status is Status.OK, p.summary
    assert p.data["generation"] == 2 and p.data["expected"] == {"zuul-server": 2, "zuul-merger": 1}
    assert sorted(x["pid"] for x in p.data["found"]["zuul-server"]) == sorted(s.pid for s in servers)
    assert [x["pid"] for x in p.data["found"]["zuul-merger"]] == [merger.pid]
    assert "zuul-server" in p.data["found"]["zuul-server"][0]["cmdline"]
    assert res["zuul.conf"].status is Status.OK
    assert res["zuul.conf"].data["gearman_server_start"] is True


def test_v2_gearman_child_missing(tmp_path, zuul_procs):
    zuul_procs("zuul-server")
    zuul_procs("zuul-merger")
    p = doctor(tmp_path, v2_conf(tmp_path))["zuul.processes"]
    assert p.status is Status.FAIL
    assert "1 zuul-server running, expected 2" in p.summary
    assert "Gearman child" in p.fix


def test_v2_external_gearman_expects_one_server(tmp_path, zuul_procs):
    zuul_procs("zuul-server")
    zuul_procs("zuul-merger")
    p = doctor(tmp_path, v2_conf(tmp_path, start="false"))["zuul.processes"]
    assert p.status is Status.OK and p.data["expected"]["zuul-server"] == 1


def test_v2_merger_missing(tmp_path, zuul_procs):
    zuul_procs("zuul-server")
    zuul_procs("zuul-server", "exec-a")
    p = doctor(tmp_path, v2_conf(tmp_path))["zuul.processes"]
    assert p.status is Status.FAIL
    assert "0 zuul-merger running, expected 1" in p.summary
    assert "zuul-merger is not running" in p.fix and "service zuul-merger start" in p.fix


def test_no_conf_no_processes_skips(tmp_path):
    res = doctor(tmp_path, None)
    assert res["zuul.processes"].status is Status.SKIP
    assert res["zuul.conf"].status is Status.SKIP and "--zuul-conf" in res["zuul.conf"].fix


def test_pidfiles(tmp_path, zuul_procs):
    live = zuul_procs("zuul-merger")
    dead = subprocess.Popen(["true"])
    dead.wait(5)
    other = subprocess.Popen(["sleep", "30"])
    try:
        run = tmp_path / "run"
        (run / "zuul").mkdir(parents=True)
        (run / "zuul-merger").mkdir()
        (run / "zuul-merger" / "zuul-merger.pid").write_text(f"{live.pid}\n")
        res = doctor(tmp_path, v2_conf(tmp_path))
        assert res["zuul.pidfiles"].status is Status.OK, res["zuul.pidfiles"].summary

        (run / "zuul" / "zuul.pid").write_text(f"{dead.pid}\n")  # also the [zuul] pidfile of zuul.conf
        pf = doctor(tmp_path, v2_conf(tmp_path))["zuul.pidfiles"]
        assert pf.status is Status.FAIL
        assert f"names dead pid {dead.pid}" in pf.summary
        assert f"rm -f {run / 'zuul' / 'zuul.pid'}" in pf.fix and "service zuul start" in pf.fix
        assert "zuul-merger.pid" not in pf.fix

        (run / "zuul" / "zuul.pid").write_text(f"{other.pid}\n")
        pf = doctor(tmp_path, v2_conf(tmp_path))["zuul.pidfiles"]
        assert pf.status is Status.WARN and "sleep 30" in pf.summary and "reused" in pf.fix
    finally:
        other.kill()
        other.wait(5)


def test_v3_processes(tmp_path, zuul_procs):
    for name in ("zuul-scheduler", "zuul-executor", "zuul-web"):
        zuul_procs(name)
    c = conf(tmp_path, "[zookeeper]\nhosts=127.0.0.1:2181\n[scheduler]\ntenant_config=/etc/zuul/main.yaml\n")
    res = doctor(tmp_path, c, ids=("zuul", "gearman.reachable"))
    p = res["zuul.processes"]
    assert p.status is Status.OK and p.data["generation"] == 4
    assert "Zuul v4 or newer" in p.summary
    assert res["gearman.reachable"].status is Status.SKIP and "ZooKeeper" in res["gearman.reachable"].summary


def test_v3_executor_missing(tmp_path, zuul_procs):
    zuul_procs("zuul-scheduler")
    zuul_procs("zuul-web")
    c = conf(tmp_path, "[gearman]\nserver=127.0.0.1\n[zookeeper]\nhosts=127.0.0.1:2181\n[scheduler]\n")
    p = doctor(tmp_path, c)["zuul.processes"]
    assert p.status is Status.FAIL and p.data["generation"] == 3
    assert "0 zuul-executor running" in p.summary and "zuul-executor is not running" in p.fix


def test_log_errors(tmp_path):
    log = tmp_path / "zuul.log"
    log.write_text("2014-02-14 16:08:51,629 DEBUG zuul.Gerrit: Change status: NEW\n"
                   "2014-02-14 16:09:00,001 ERROR zuul.Scheduler: Exception in run handler:\n"
                   "2014-02-14 16:09:01,002 ERROR zuul.GerritConnection: Unable to connect to review.openstack.org\n")
    (tmp_path / "logging.conf").write_text(
        "[loggers]\nkeys=root\n[handlers]\nkeys=normal\n[formatters]\nkeys=simple\n"
        "[logger_root]\nlevel=WARNING\nhandlers=normal\n"
        "[handler_normal]\nlevel=WARNING\nclass=logging.handlers.TimedRotatingFileHandler\nformatter=simple\n"
        f"args=('{log}', 'midnight', 1, 30,)\n[formatter_simple]\nformat=%(asctime)s %(message)s\n")
    r = doctor(tmp_path, v2_conf(tmp_path))["zuul.log"]
    assert r.status is Status.WARN
    assert "2 recent ERROR line(s)" in r.summary
    assert "Unable to connect to review.openstack.org" in r.details[-1]
    assert "failing connection" in r.fix
    log.write_text("2014-02-14 16:08:51,629 INFO zuul.Scheduler: ok\n")
    assert doctor(tmp_path, v2_conf(tmp_path))["zuul.log"].status is Status.OK


class _Web(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        body = self.routes.get(self.path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *a):
        pass


@pytest.fixture
def zuul_web():
    servers = []

    def start(routes: dict) -> str:
        handler = type("H", (_Web,), {"routes": routes})
        srv = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


INFO = {"info": {"capabilities": {"job_history": True, "auth": {"realms": {}}}, "websocket_url": None,
                 "stats": {"url": None, "prefix": None, "type": "graphite"}}}


def comps(executor_state="running"):
    return {
        "scheduler": [{"hostname": "zuul01", "state": "running", "version": "10.1.0"}],
        "executor": [{"hostname": "ze01", "state": executor_state, "version": "10.1.0"}],
        "merger": [],
        "web": [{"hostname": "zuul01", "state": "running", "version": "10.1.0"}],
    }


def test_web_components(tmp_path, zuul_web):
    tenants = [{"name": "t1"}]
    url = zuul_web({"/api/info": INFO, "/api/tenants": tenants, "/api/components": comps()})
    r = doctor(tmp_path, None, ids=("zuul.components",), zuul_web=url)["zuul.components"]
    assert r.status is Status.OK and "3 component(s) running" in r.summary
    assert {c["kind"] for c in r.data["components"]} == {"scheduler", "executor", "web"}

    url = zuul_web({"/api/info": INFO, "/api/tenants": tenants, "/api/components": comps("paused")})
    r = doctor(tmp_path, None, ids=("zuul.components",), zuul_web=url)["zuul.components"]
    assert r.status is Status.WARN and "executor on ze01 is paused" in r.summary and "resume" in r.fix

    url = zuul_web({"/api/info": INFO, "/api/tenants": tenants,
                    "/api/components": {"scheduler": comps()["scheduler"], "executor": []}})
    r = doctor(tmp_path, None, ids=("zuul.components",), zuul_web=url)["zuul.components"]
    assert r.status is Status.FAIL and "no web, no executor running" in r.summary
    assert "systemctl start zuul-executor" in r.fix and "service zuul" not in r.fix


def test_web_v2_status_and_down(tmp_path, zuul_web):
    url = zuul_web({"/status.json": {"zuul_version": "2.5.1", "pipelines": []}})
    r = doctor(tmp_path, None, ids=("zuul.web",), zuul_web=url)["zuul.web"]
    assert r.status is Status.OK and r.data["zuul_version"] == "2.5.1"

    from tests.fixtures.net import closed_port

    r = doctor(tmp_path, None, ids=("zuul.web",), zuul_web=f"http://127.0.0.1:{closed_port()}")["zuul.web"]
    assert r.status is Status.FAIL and "cannot reach zuul-web" in r.summary and "Start zuul-web" in r.fix

    r = doctor(tmp_path, None, ids=("zuul.web",))["zuul.web"]
    assert r.status is Status.SKIP and "--zuul-web" in r.fix
