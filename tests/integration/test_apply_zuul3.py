"""apply's reload for Zuul v3 and newer: `zuul-scheduler full-reconfigure` when the tenant config changed.

No Zuul is installed on these machines, so the command is a recorded stand-in on PATH that writes the
argv it was given; the scheduler's pid file names a live process, checked after the command.
"""

from __future__ import annotations

import json
import shutil

import pytest

from tests.fixtures.zuul_standin import start_zuul_server, write_scheduler
from vendorci.core.apply import build_plan, execute

ZUUL_CONF = """[zookeeper]
hosts=127.0.0.1:2181

[scheduler]
tenant_config=/etc/zuul/main.yaml
pidfile=/var/run/zuul/scheduler.pid

[connection opendev]
driver=gerrit
server=${UPSTREAM_GERRIT_HOST}
user=${UPSTREAM_GERRIT_USER}
sshkey=/var/lib/zuul/.ssh/id_rsa
"""
MAIN = """- tenant:
    name: acme
    source:
      opendev:
        untrusted-projects:
          - openstack/sandbox
"""


@pytest.fixture
def v3repo(tmp_path):
    repo = tmp_path / "repo"
    (repo / "etc/zuul").mkdir(parents=True)
    (repo / "etc/zuul/zuul.conf").write_text(ZUUL_CONF)
    (repo / "etc/zuul/main.yaml").write_text(MAIN)
    (repo / "vars.sh").write_text("export UPSTREAM_GERRIT_HOST=review.opendev.org\n"
                                  "export UPSTREAM_GERRIT_USER=acme-ci\n"
                                  "export UPSTREAM_GERRIT_SSH_KEY_PATH=gerrit_key\n")
    (repo / "gerrit_key").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----\n")
    return repo


@pytest.fixture
def scheduler(tmp_path, monkeypatch):
    record = tmp_path / "argv.jsonl"
    write_scheduler(tmp_path / "bin", record)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{shutil.os.environ['PATH']}")
    return record


def calls(record):
    return [json.loads(x) for x in record.read_text().splitlines()] if record.exists() else []


def test_tenant_config_change_runs_full_reconfigure_once(tmp_path, v3repo, scheduler):
    root = tmp_path / "root"
    root.mkdir()
    proc = start_zuul_server(tmp_path, root / "var/run/zuul/scheduler.pid")  # stands in for zuul-scheduler
    try:
        plan = build_plan(v3repo, root)
        assert plan.zuul is not None and plan.zuul.version == 3 and plan.zuul.tenant_config == "/etc/zuul/main.yaml"
        key = next(f for f in plan.files if f.kind == "key")
        assert key.path == "/var/lib/zuul/.ssh/id_rsa"
        res = execute(plan, None)
        assert res.ok and res.reload.done and res.reload.how == "command" and res.reload.pid == proc.pid
        assert calls(scheduler) == [["full-reconfigure"]]
        assert "server=review.opendev.org" in (root / "etc/zuul/zuul.conf").read_text()
        # nothing changed: no reconfiguration
        res = execute(build_plan(v3repo, root), None)
        assert res.ok and not res.reload.done and calls(scheduler) == [["full-reconfigure"]]
        # only zuul.conf changed: the tenant config did not, so no reconfiguration either
        conf = v3repo / "etc/zuul/zuul.conf"
        conf.write_text(conf.read_text().replace("2181", "2281"))
        res = execute(build_plan(v3repo, root), None)
        assert not res.reload.done and "tenant configuration did not change" in res.reload.reason
        # the tenant config changed, with a configured command
        (v3repo / "etc/zuul/main.yaml").write_text(MAIN + "          - openstack/nova\n")
        res = execute(build_plan(v3repo, root), None, reconfigure_command="zuul-scheduler --config x full-reconfigure")
        assert res.reload.done and calls(scheduler)[-1] == ["--config", "x", "full-reconfigure"]
    finally:
        proc.stop()


def test_failing_or_missing_command_is_a_failed_step(tmp_path, v3repo, monkeypatch):
    root = tmp_path / "root"
    root.mkdir()
    write_scheduler(tmp_path / "bin", tmp_path / "argv.jsonl", status=3)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    res = execute(build_plan(v3repo, root), None)
    assert res.failed_step == "reload" and "exit 3" in res.error.message
    assert (root / "etc/zuul/main.yaml").is_file()  # the files stay applied
    (v3repo / "etc/zuul/main.yaml").write_text(MAIN + "          - openstack/nova\n")
    monkeypatch.setenv("PATH", "/nonexistent")
    res = execute(build_plan(v3repo, root), None)
    assert res.failed_step == "reload" and res.error.code == "reload_command_missing"
