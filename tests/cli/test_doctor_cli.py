"""`vendorci doctor`: selection, --list, human ✓ ! ✗ lines with fixes, JSON envelope, exit codes."""

from __future__ import annotations

import pytest

from tests.samples import JJB, LAYOUT, NOOP, TEMPEST

pytestmark = pytest.mark.real_server


@pytest.fixture
def master(tmp_path, gearmand, gearman_workers):
    """A healthy Gearman side of a master, and the layout/JJB files beside each other as on /etc."""
    etc = tmp_path / "etc"
    (etc / "zuul").mkdir(parents=True)
    (etc / "jenkins_jobs" / "config").mkdir(parents=True)
    (etc / "zuul" / "layout.yaml").write_text(LAYOUT)
    (etc / "jenkins_jobs" / "config" / "projects.yaml").write_text(JJB)
    ws = gearman_workers(gearmand)
    ws.jenkins("master", {"master": (NOOP, 1), "devstack_slave-1": (TEMPEST, 1)})
    ws.zuul()
    (tmp_path / "proc").mkdir()
    return {"gearman": gearmand.address, "layout": str(etc / "zuul" / "layout.yaml"),
            "common": ["--run-dir", str(tmp_path / "run"), "--proc-root", str(tmp_path / "proc")],
            "workers": ws}


def test_list(cli):
    r = cli("doctor", "--list")
    assert r.exit_code == 0
    for cid in ("gearman.reachable", "gearman.registered", "gearman.workers", "gearman.queues", "zuul.processes",
                "zuul.pidfiles"):
        assert cid in r.stdout
    j = cli("-o", "json", "doctor", "--list", "zuul").json
    assert [c["id"] for c in j["data"]["available"]] == [
        "zuul.conf", "zuul.processes", "zuul.pidfiles", "zuul.log", "zuul.web", "zuul.config-errors",
        "zuul.components", "zuul.pipelines", "zuul.builds", "zuul.nodes"]


def test_healthy_gearman_human_and_json(cli, master):
    r = cli("doctor", "gearman", "--gearman", master["gearman"], "--layout", master["layout"], *master["common"])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "✓ gearman.registered: all 2 job(s)" in r.stdout
    assert "healthy: 7 ok" in r.stdout
    j = cli("-o", "json", "doctor", "gearman", "--layout", master["layout"], *master["common"],
            env={"VENDORCI_GEARMAN": master["gearman"]}).json
    assert j["status"] == "ok" and j["exit_code"] == 0
    ids = [c["id"] for c in j["data"]["checks"]]
    assert ids[0] == "gearman.reachable" and len(ids) == 7
    assert set(j["data"]["checks"][0]) >= {"id", "title", "status", "summary", "details", "fix", "data"}
    assert j["data"]["summary"]["counts"]["ok"] == 7


def test_failure_prints_fix_and_exits_1(cli, master):
    master["workers"].submit("build:removed-job", 2)
    r = cli("doctor", "gearman.queues", "--gearman", master["gearman"], "--layout", master["layout"],
            *master["common"])
    assert r.exit_code == 1
    lines = r.stdout.splitlines()
    i = next(n for n, ln in enumerate(lines) if ln.startswith("✗ gearman.queues:"))
    assert lines[i + 1].startswith("    fix: No worker offers these functions")
    assert "problems found" in r.stdout
    j = cli("-o", "json", "doctor", "gearman.queues", "--gearman", master["gearman"], *master["common"]).json
    assert j["status"] == "fail" and j["exit_code"] == 1
    q = [c for c in j["data"]["checks"] if c["id"] == "gearman.queues"][0]
    assert q["status"] == "fail" and q["data"]["stuck"][0]["name"] == "build:removed-job"


def test_strict_makes_warnings_fail(cli, master, tmp_path):
    # no layout: functions without workers are only a warning
    master["workers"].add("gone", ["build:old-job"]).shutdown()
    args = ["doctor", "gearman.workers", "--gearman", master["gearman"], "--layout", str(tmp_path / "none.yaml"),
            *master["common"]]
    import time

    deadline = time.monotonic() + 5
    while True:
        r = cli(*args)
        if "! gearman.workers" in r.stdout or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert r.exit_code == 0 and "! gearman.workers" in r.stdout and "build:old-job" in r.stdout
    r = cli(*args, "--strict")
    assert r.exit_code == 1 and "(--strict: warnings fail)" in r.stdout


def test_unreachable_and_unknown_id(cli, tmp_path):
    from tests.fixtures.net import closed_port

    r = cli("doctor", "gearman", "--gearman", f"127.0.0.1:{closed_port()}", "--run-dir", str(tmp_path))
    assert r.exit_code == 1
    assert "✗ gearman.reachable" in r.stdout and "fix: Start the Gearman server" in r.stdout
    # identical skips are one line with a count
    assert ("- gearman.{registered,workers,queues,jenkins,merger,zuul_server}: skipped: gearman.reachable did not "
            "pass (6 checks)") in r.stdout
    r = cli("-o", "json", "doctor", "nosuch")
    assert r.exit_code == 2 and r.json["errors"][0]["code"] == "unknown_check"
    r = cli("doctor", "gearman", "--gearman", "nonsense")
    assert r.exit_code == 2 and "HOST:PORT" in r.stderr


def test_zuul_conf_gives_gearman_and_layout(cli, master, tmp_path):
    """Zero-config on a master: the Gearman server and layout come from zuul.conf."""
    host, port = master["gearman"].split(":")
    zc = tmp_path / "zuul.conf"
    zc.write_text(f"[gearman]\nserver={host}\nport={port}\n[zuul]\nlayout_config={master['layout']}\n")
    j = cli("-o", "json", "doctor", "gearman", "zuul.conf", *master["common"], env={"VENDORCI_ZUUL_CONF": str(zc)}).json
    st = {c["id"]: c["status"] for c in j["data"]["checks"]}
    assert st["gearman.registered"] == "ok" and st["zuul.conf"] == "ok"
    reg = [c for c in j["data"]["checks"] if c["id"] == "gearman.registered"][0]
    assert reg["data"]["layout"] == master["layout"]


def test_data_repo_config_is_used(cli, tmp_path, gear_server):
    """`doctor --data-repo DIR` diagnoses the CI that DIR describes: its vendorci.yaml is the config."""
    repo = tmp_path / "ci-data"
    r = cli("init", str(repo), "--vendor", "acme", "--key-type", "ed25519", "--yes")
    assert r.exit_code == 0, r.stderr
    cfg = repo / "vendorci.yaml"
    cfg.write_text(cfg.read_text().replace("server: 127.0.0.1:4730", f"server: {gear_server.address}"))
    j = cli("-o", "json", "doctor", "--data-repo", str(repo), "gearman.reachable", "datarepo.repo").json
    by_id = {c["id"]: c for c in j["data"]["checks"]}
    assert by_id["gearman.reachable"]["status"] == "ok", by_id["gearman.reachable"]
    assert by_id["datarepo.repo"]["status"] == "ok"


def test_bad_stale_after_is_a_usage_error(cli):
    r = cli("-o", "json", "doctor", "--stale-after", "soon", "gerrit.activity")
    assert r.exit_code == 2
    assert r.json["errors"][0]["code"] == "bad_duration"
