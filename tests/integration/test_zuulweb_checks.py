"""Zuul v3+ doctor checks and the zuul-web client against a loopback HTTP server
answering with real zuul-web responses (tests/data/zuul-api/, from Zuul 14.3.0),
altered where a test needs a state that server was not in (it says so)."""

from __future__ import annotations

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from vendorci.checks.context import DoctorContext
from vendorci.checks.runner import run_doctor
from vendorci.clients.zuulweb import ZuulWeb, ZuulWebError
from vendorci.config import load_config

DATA = Path(__file__).resolve().parent.parent / "data" / "zuul-api"


def rec(name: str):
    return json.loads((DATA / name).read_text())


class _Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):  # noqa: N802
        path = self.path.split("?")[0]
        route = self.routes.get(path)
        if route is None:
            code, body, ctype = 404, (DATA / "tenant_missing_status_404.html").read_bytes(), "text/html"
        elif isinstance(route, tuple):
            code, body, ctype = route
        else:
            code, body, ctype = 200, json.dumps(route).encode(), "application/json"
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *a):
        pass


@pytest.fixture
def web():
    servers = []

    def start(routes: dict) -> str:
        srv = ThreadingHTTPServer(("127.0.0.1", 0), type("H", (_Handler,), {"routes": routes}))
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        servers.append(srv)
        return f"http://127.0.0.1:{srv.server_address[1]}"

    yield start
    for s in servers:
        s.shutdown()
        s.server_close()


def base_routes(**extra) -> dict:
    r = {"/api/info": rec("info.json"), "/api/tenants": rec("tenants.json"), "/api/components": rec("components.json")}
    for t in ("example", "empty"):
        errors = "config-errors.json" if t == "example" else "config-errors_empty.json"
        r[f"/api/tenant/{t}/config-errors"] = rec(errors)
        r[f"/api/tenant/{t}/status"] = rec("status_empty.json")
        r[f"/api/tenant/{t}/builds"] = rec("builds.json")
        r[f"/api/tenant/{t}/labels"] = rec("labels.json")
        r[f"/api/tenant/{t}/nodes"] = rec("nodes.json")
    r.update(extra)
    return r


def doctor(tmp_path, url, ids, **options):
    cfg = load_config({"zuul.conf": str(tmp_path / "absent.conf")}, env={}, cwd=tmp_path)
    ctx = DoctorContext(config=cfg, timeout=3, zuul_web=url, options=options)
    return {r.id: r.result for r in run_doctor(ctx, list(ids)).reports}


def fresh_builds(results: list[str], age_s: float = 60) -> list[dict]:
    """builds.json's shape, with end times moved to now (the recording is hours old)."""
    template = rec("builds.json")[0]
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(time.time() - age_s))
    out = []
    for i, res in enumerate(results):
        b = copy.deepcopy(template)
        b.update(uuid=f"u{i}", result=res, end_time=stamp, start_time=stamp,
                 log_url=f"https://logs.example/{i}/" if res != "SUCCESS" else None)
        out.append(b)
    return out


# --- config errors ---------------------------------------------------------------------------
def test_config_errors_recorded(tmp_path, web):
    url = web(base_routes())
    r = doctor(tmp_path, url, ["zuul.config-errors"])["zuul.config-errors"]
    assert r.status.value == "fail" and r.summary == "3 configuration error(s) in example"
    assert "example: demo-project@master .zuul.yaml: expected dict for dictionary value @ data['nodeset']" in r.details
    assert "example: zuul-config@master zuul.d/jobs.yaml: Job does-not-exist not defined" in r.details
    assert r.data["errors"][0]["error"].startswith("Zuul encountered a syntax error")
    assert "vendorci validate" in r.fix


def test_config_errors_one_tenant_and_warnings_only(tmp_path, web):
    warn = rec("config-errors.json")[:1]
    warn[0]["severity"] = "warning"  # altered: the recording has errors only
    url = web(base_routes(**{"/api/tenant/example/config-errors": warn}))
    r = doctor(tmp_path, url, ["zuul.config-errors"])["zuul.config-errors"]
    assert r.status.value == "warn" and "1 configuration warning(s)" in r.summary
    url = web(base_routes())
    r = doctor(tmp_path, url, ["zuul.config-errors"], tenant="empty")["zuul.config-errors"]
    assert r.status.value == "ok" and r.data["tenants"] == ["empty"]


def test_unknown_tenant(tmp_path, web):
    url = web(base_routes())
    r = doctor(tmp_path, url, ["zuul.config-errors"], tenant="nope")["zuul.config-errors"]
    assert r.status.value == "fail" and "'nope' is not served" in r.summary
    assert r.details == ["tenants: empty, example"]


# --- components ------------------------------------------------------------------------------
def test_components(tmp_path, web):
    r = doctor(tmp_path, web(base_routes()), ["zuul.components"])["zuul.components"]
    assert r.status.value == "ok" and r.summary.startswith("4 component(s) running")

    comps = rec("components.json")
    del comps["executor"]  # altered: no executor, a merger still runs
    r = doctor(tmp_path, web(base_routes(**{"/api/components": comps})), ["zuul.components"])["zuul.components"]
    assert r.status.value == "fail" and r.summary.startswith("no executor running")
    assert "sudo systemctl start zuul-executor" in r.fix and "service zuul" not in r.fix

    comps = rec("components.json")
    del comps["merger"]  # an executor merges: no merger is fine
    r = doctor(tmp_path, web(base_routes(**{"/api/components": comps})), ["zuul.components"])["zuul.components"]
    assert r.status.value == "ok"

    comps = rec("components.json")
    comps["executor"][0]["state"] = "paused"
    comps["web"][0]["version"] = "13.1.0"  # altered: a paused executor and version skew
    r = doctor(tmp_path, web(base_routes(**{"/api/components": comps})), ["zuul.components"])["zuul.components"]
    assert r.status.value == "warn"
    assert "executor on localhost is paused" in r.summary and "version skew: 13.1.0: web@localhost" in r.summary
    assert "zuul-executor resume" in r.fix and "same release" in r.fix


# --- pipelines -------------------------------------------------------------------------------
def test_pipelines_stale_item(tmp_path, web):
    status = rec("status_with_item.json")  # enqueued at a recorded time, long ago by now
    url = web(base_routes(**{"/api/tenant/example/status": status}))
    r = doctor(tmp_path, url, ["zuul.pipelines"], tenant="example")["zuul.pipelines"]
    assert r.status.value == "warn" and "1 item(s) queued longer than 2h" in r.summary
    assert r.details[0].startswith("example/periodic: demo-project refs/heads/master queued")

    item = status["pipelines"][0]["change_queues"][0]["heads"][0][0]
    item["enqueue_time"] = int(time.time() * 1000) - 5000  # altered: enqueued 5 s ago
    url = web(base_routes(**{"/api/tenant/example/status": status}))
    r = doctor(tmp_path, url, ["zuul.pipelines"], tenant="example")["zuul.pipelines"]
    assert r.status.value == "ok" and "1 item(s) in pipelines" in r.summary
    r = doctor(tmp_path, url, ["zuul.pipelines"], tenant="example", stale_after=1)["zuul.pipelines"]
    assert r.status.value == "warn"


def test_pipelines_backlog_that_does_not_shrink(tmp_path, web):
    status = rec("status_empty.json")
    status["trigger_event_queue"]["length"] = 500  # altered: a scheduler far behind
    url = web(base_routes(**{"/api/tenant/example/status": status}))
    r = doctor(tmp_path, url, ["zuul.pipelines"], tenant="example")["zuul.pipelines"]
    assert r.status.value == "warn" and "1 event queue(s) growing" in r.summary
    assert "example:trigger_event_queue: 500 -> 500 events" in r.details


# --- builds ----------------------------------------------------------------------------------
def test_builds_infra_failures_and_silence(tmp_path, web):
    healthy = fresh_builds(["SUCCESS"] * 9 + ["FAILURE"])
    url = web(base_routes(**{"/api/tenant/example/builds": healthy}))
    r = doctor(tmp_path, url, ["zuul.builds"], tenant="example")["zuul.builds"]
    assert r.status.value == "ok", r.summary

    some = fresh_builds(["SUCCESS"] * 8 + ["NODE_FAILURE", "POST_FAILURE"])
    url = web(base_routes(**{"/api/tenant/example/builds": some}))
    r = doctor(tmp_path, url, ["zuul.builds"], tenant="example")["zuul.builds"]
    assert r.status.value == "warn" and "2 of the last 10 builds failed in the infrastructure (20%" in r.summary
    assert any("NODE_FAILURE https://logs.example/8/" in d for d in r.details)

    bad = fresh_builds(["SUCCESS"] * 5 + ["RETRY_LIMIT", "TIMED_OUT", "LOST"])
    url = web(base_routes(**{"/api/tenant/example/builds": bad}))
    r = doctor(tmp_path, url, ["zuul.builds"], tenant="example")["zuul.builds"]
    assert r.status.value == "fail" and "LOST, RETRY_LIMIT, TIMED_OUT" in r.summary

    # the recording itself: its last build is hours old, so the CI is silent
    r = doctor(tmp_path, web(base_routes()), ["zuul.builds"], tenant="example")["zuul.builds"]
    assert r.status.value == "warn" and "example: no build for" in r.summary and "(the CI is silent)" in r.summary
    r = doctor(tmp_path, web(base_routes(**{"/api/tenant/example/builds": []})), ["zuul.builds"],
               tenant="example")["zuul.builds"]
    assert r.status.value == "warn" and "example: no build recorded" in r.summary


# --- nodes -----------------------------------------------------------------------------------
def test_nodes(tmp_path, web):
    r = doctor(tmp_path, web(base_routes()), ["zuul.nodes"])["zuul.nodes"]
    assert r.status.value == "skip" and "no node provider" in r.summary

    # altered: a provider offering two labels, one node ready, and a job waiting for nodes
    status = rec("status_with_item.json")
    status["pipelines"][0]["change_queues"][0]["heads"][0][0]["jobs"][0].update(
        waiting_status="node request: 200-0000001", result=None)
    routes = base_routes(**{"/api/tenant/example/labels": [{"name": "ubuntu-noble"}, {"name": "gpu"}],
                            "/api/tenant/example/nodes": [{"id": "1", "type": ["ubuntu-noble"], "state": "ready"}],
                            "/api/tenant/example/status": status})
    r = doctor(tmp_path, web(routes), ["zuul.nodes"], tenant="example")["zuul.nodes"]
    assert r.status.value == "warn" and "no ready node for label(s) gpu" in r.summary


# --- zuul.web and the client's guards --------------------------------------------------------
def test_web_ok_and_not_zuul(tmp_path, web):
    r = doctor(tmp_path, web(base_routes()), ["zuul.web"])["zuul.web"]
    assert r.status.value == "ok" and "2 tenant(s)" in r.summary and r.data["source"] == "flag"
    url = web({"/api/info": (200, b"<html>login</html>", "text/html")})
    res = doctor(tmp_path, url, ["zuul.web", "zuul.config-errors"])
    assert res["zuul.web"].status.value == "fail" and "did not answer JSON" in res["zuul.web"].summary
    assert res["zuul.config-errors"].status.value == "skip"


def test_client_guards(web):
    url = web({"/api/tenants": {"not": "a list"}, "/api/components": {"web": "x"},
               "/api/tenant/t/builds": [1, 2], "/big": (200, b"[" + b"1," * 3000 + b"1]", "application/json")})
    with pytest.raises(ZuulWebError) as e:
        ZuulWeb(url).tenants()
    assert e.value.code == "zuul_web_bad_shape" and "/api/tenants is not a list" in e.value.message
    with pytest.raises(ZuulWebError) as e:
        ZuulWeb(url).components()
    assert e.value.code == "zuul_web_bad_shape"
    with pytest.raises(ZuulWebError) as e:
        ZuulWeb(url).builds("t")
    assert "[0] is not a dict" in e.value.message
    with pytest.raises(ZuulWebError) as e:
        ZuulWeb(url, max_bytes=1000).get("/big")
    assert e.value.code == "zuul_web_too_large"
    with pytest.raises(ZuulWebError) as e:
        ZuulWeb(url).status("missing")
    assert e.value.code == "zuul_web_http" and e.value.http_status == 404
    # a peer's text prints literally: no terminal escapes, bounded length
    url2 = web({"/api/tenants": [{"name": "evil\x1b]0;owned\x07\x1b[31m"}, {"name": "x" * 50_000}]})
    names = ZuulWeb(url2).tenants()
    assert names[0] == "evil\ufffd]0;owned\ufffd\ufffd[31m" and len(names[1]) < 20_100
    with pytest.raises(ZuulWebError) as e:
        ZuulWeb("file:///etc/passwd")
    assert e.value.code == "zuul_web_bad_url"


def test_client_timeout_on_a_silent_peer():
    import socket

    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)  # accepts, never answers
    try:
        t0 = time.monotonic()
        with pytest.raises(ZuulWebError) as e:
            ZuulWeb(f"http://127.0.0.1:{srv.getsockname()[1]}", timeout=0.5).tenants()
        assert e.value.code == "zuul_web_unreachable" and time.monotonic() - t0 < 5
    finally:
        srv.close()
