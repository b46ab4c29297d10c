"""Each Zuul v3+ doctor check against the real Zuul 14 of tests/fixtures/zuul14.py
(scheduler, merger and web; no executor; tenants healthy, broken, stuck)."""

from __future__ import annotations

import time

import pytest

# the session fixture starts Zuul inside the first test that asks for it (~20-60 s)
pytestmark = [pytest.mark.real_server, pytest.mark.timeout(360)]


def doctor(cli, zuul14, *args: str, conf=None):
    r = cli("-o", "json", "doctor", "--zuul-conf", str(conf or zuul14.zuul_conf), *args)
    assert r.exit_code in (0, 1), r.stdout + r.stderr
    return {c["id"]: c for c in r.json["data"]["checks"]}, r


def test_web_found_from_zuul_conf(cli, zuul14):
    """No --zuul-web: the URL comes from zuul.conf [web] root."""
    res, _ = doctor(cli, zuul14, "zuul.web")
    web = res["zuul.web"]
    assert web["status"] == "ok", web
    assert web["data"]["url"] == zuul14.web_url
    assert "[web]" in web["data"]["source"] and str(zuul14.zuul_conf) in web["data"]["source"]
    assert {"healthy", "broken", "stuck"} <= set(web["data"]["tenants"])


def test_config_errors_named_per_tenant(cli, zuul14):
    res, r = doctor(cli, zuul14, "--tenant", "broken", "zuul.config-errors")
    ce = res["zuul.config-errors"]
    assert ce["status"] == "fail" and r.exit_code == 1
    assert ce["summary"].startswith("5 configuration error(s)") and "broken" in ce["summary"]
    text = "\n".join(ce["details"])
    assert "broken: broken-config@master zuul.d/jobs.yaml: Job does-not-exist not defined" in text
    assert "zuul.d/jobs.yaml: extra keys not allowed @ data['no-such-attribute']" in text
    assert "zuul.d/syntax.yaml: while parsing a flow sequence" in text
    assert "zuul.d/projects.yaml" in text and "missing-job" in text
    # the full text, with the offending stanza, is in JSON
    full = {e["short_error"]: e["error"] for e in ce["data"]["errors"]}
    assert "nodeset: [not, a, mapping]" in full["expected dict for dictionary value @ data['nodeset']"]


def test_config_errors_verbose_human_output(cli, zuul14):
    r = cli("doctor", "--zuul-conf", str(zuul14.zuul_conf), "--tenant", "broken", "--verbose", "zuul.config-errors")
    assert r.exit_code == 1
    assert "The problem appears in the \"bad-nodeset\" job stanza" in r.stdout


def test_config_errors_healthy_tenant_ok(cli, zuul14):
    res, r = doctor(cli, zuul14, "--tenant", "healthy", "zuul.config-errors")
    assert res["zuul.config-errors"]["status"] == "ok" and r.exit_code == 0
    assert "no configuration errors in 1 tenant" in res["zuul.config-errors"]["summary"]


def test_unknown_tenant_fails_with_the_list(cli, zuul14):
    res, _ = doctor(cli, zuul14, "--tenant", "nope", "zuul.config-errors")
    ce = res["zuul.config-errors"]
    assert ce["status"] == "fail" and "'nope' is not served" in ce["summary"]
    assert "healthy" in ce["details"][0]


def test_components_missing_executor(cli, zuul14):
    res, _ = doctor(cli, zuul14, "zuul.components")
    c = res["zuul.components"]
    assert c["status"] == "fail" and c["summary"].startswith("no executor running")
    assert c["data"]["missing"] == ["executor"]
    assert {r["kind"] for r in c["data"]["components"]} == {"scheduler", "merger", "web"}
    assert "sudo systemctl start zuul-executor" in c["fix"] and "journalctl -u zuul-executor" in c["fix"]
    assert "service zuul" not in c["fix"]


def test_pipelines_item_waiting_for_an_executor(cli, zuul14):
    def old_item():
        st = zuul14.get("/api/tenant/stuck/status")
        now = time.time() * 1000
        # a pipeline being (re)loaded may be listed without its queues yet: ask again then
        return [i for p in st.get("pipelines", []) for q in p.get("change_queues", []) for h in q.get("heads", [])
                for i in h if now - i["enqueue_time"] > 3000]

    zuul14.wait_for("an item older than 3 s in tenant stuck", old_item, 60)
    res, _ = doctor(cli, zuul14, "--tenant", "stuck", "--stale-after", "2s", "zuul.pipelines")
    p = res["zuul.pipelines"]
    assert p["status"] == "warn", p
    assert "queued longer than 2s" in p["summary"]
    assert any(d.startswith("stuck/periodic: stuck-config refs/heads/master queued") for d in p["details"])
    assert "needs-executor: waiting for executor" in "\n".join(p["details"])
    assert "systemctl start zuul-executor" in p["fix"]

    res, _ = doctor(cli, zuul14, "--tenant", "healthy", "zuul.pipelines")
    assert res["zuul.pipelines"]["status"] == "ok", res["zuul.pipelines"]


def test_builds_from_the_timer_pipeline(cli, zuul14):
    zuul14.wait_for("two finished noop builds", lambda: len(
        [b for b in zuul14.get("/api/tenant/healthy/builds?limit=10") if b["result"]]) >= 2, 30)
    res, _ = doctor(cli, zuul14, "--tenant", "healthy", "zuul.builds")
    b = res["zuul.builds"]
    assert b["status"] == "ok", b
    assert b["data"]["tenants"]["healthy"]["builds"] >= 2
    assert b["data"]["tenants"]["healthy"]["infra"] == []
    assert b["data"]["tenants"]["healthy"]["last_build_age_s"] < 120

    res, _ = doctor(cli, zuul14, "--tenant", "stuck", "zuul.builds")
    b = res["zuul.builds"]
    assert b["status"] == "warn" and "stuck: no build recorded" in b["summary"]


def test_nodes_skip_without_a_provider(cli, zuul14):
    res, _ = doctor(cli, zuul14, "zuul.nodes")
    n = res["zuul.nodes"]
    assert n["status"] == "skip" and "no node provider" in n["summary"]


def test_processes_bound_to_their_zuul_conf(cli, zuul14, tmp_path):
    res, _ = doctor(cli, zuul14, "zuul.processes")
    p = res["zuul.processes"]
    pids = zuul14.zuul_pids()
    found = {n: [x["pid"] for x in v] for n, v in p["data"]["found"].items()}
    assert found.get("zuul-scheduler") == [pids["zuul-scheduler"]]
    assert found.get("zuul-web") == [pids["zuul-web"]] and found.get("zuul-merger") == [pids["zuul-merger"]]
    assert p["status"] == "fail" and "0 zuul-executor running" in p["summary"]
    assert "systemctl start zuul-executor" in p["fix"] and "service zuul" not in p["fix"]

    # the same Zuul seen from another zuul.conf: its processes are listed apart, never counted
    other = tmp_path / "zuul.conf"
    other.write_text(zuul14.zuul_conf.read_text())
    res, _ = doctor(cli, zuul14, "zuul.processes", conf=other)
    p = res["zuul.processes"]
    assert not p["data"]["found"].get("zuul-scheduler")
    listed = {x["pid"]: x["config"] for v in p["data"]["other_configs"].values() for x in v}
    assert listed[pids["zuul-scheduler"]] == str(zuul14.zuul_conf)
