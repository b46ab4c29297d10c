"""`vendorci validate` through the CLI: exit codes, human lines with fixes, the JSON envelope."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.refdata import reference_datarepos
from vendorci.core.scaffold import InitOptions, init_repo

LOGS = "https://logs.acme.test/logs"  # a public log URL: a fresh repo reporting upstream needs one


@pytest.fixture
def repo(tmp_path, fast_rsa) -> Path:
    d = tmp_path / "data"
    init_repo(d, InitOptions(vendor="acme", gerrit_user="acme-ci", log_url=LOGS,  # RSA in PEM: no keys_format warning
                             publish_host="logs.acme.test"))
    return d


def test_clean_repo_exit_0(cli, repo):
    res = cli("validate", str(repo))
    assert res.exit_code == 0
    assert res.stdout.strip().endswith("0 error(s), 0 warning(s)")


def test_defaults_to_current_directory(cli, repo, monkeypatch):
    monkeypatch.chdir(repo)
    assert cli("validate").exit_code == 0


def test_reference_repo_errors_exit_1_with_file_line_and_fix(cli):
    ref = reference_datarepos() / "os-ext-testing-data"
    res = cli("validate", str(ref))
    assert res.exit_code == 1
    assert "✗ vars.sh:1: UPSTREAM_GERRIT_HOST_PUBLIC_KEY" in res.stdout
    assert "    fix: Rename UPSTREAM_GERRIT_HOST_PUBLIC_KEY to UPSTREAM_GERRIT_HOST_PUB_KEY." in res.stdout
    # where JJB itself places the unknown macro (the job-template it expands)
    assert "✗ etc/jenkins_jobs/config/examples.yaml:11: Jenkins Job Builder: Unknown entry point or macro " \
        "'devstack-checkout'" in res.stdout
    assert res.stderr.startswith("error: 4 error(s)")


def test_json_envelope(cli):
    ref = reference_datarepos() / "os-ext-testing-data"
    res = cli("-o", "json", "validate", str(ref))
    assert res.exit_code == 1
    env = res.json
    assert env["command"] == "validate" and env["status"] == "fail" and env["exit_code"] == 1
    assert env["data"]["counts"]["error"] == 4  # JJB stops the job at its first unknown macro
    f = env["data"]["findings"][0]
    assert set(f) == {"severity", "code", "message", "file", "line", "hint"}
    assert env["errors"][0]["code"] == "validation_failed"


def test_warnings_only_pass_unless_strict(cli):
    ref = reference_datarepos() / "project-config-example"
    assert cli("validate", str(ref)).exit_code == 0
    assert cli("validate", str(ref), "--strict").exit_code == 1


@pytest.mark.parametrize("setup, code", [
    (lambda p: None, "dir_missing"),
    (lambda p: p.write_text("x"), "not_a_directory"),
    (lambda p: p.mkdir(), "not_a_datarepo"),
])
def test_bad_directories_exit_2(cli, tmp_path, setup, code):
    target = tmp_path / "x"
    setup(target)
    res = cli("-o", "json", "validate", str(target))
    assert res.exit_code == 2
    assert res.json["errors"][0]["code"] == code and res.json["errors"][0]["hint"]


def test_malformed_layout_is_a_finding_not_a_crash(cli, repo):
    (repo / "etc/zuul/layout.yaml").write_text("pipelines:\n  - name: check\n\tbad\n")
    res = cli("-o", "json", "validate", str(repo))
    assert res.exit_code == 1
    f = [f for f in res.json["data"]["findings"] if f["code"].startswith("yaml")]
    assert f and f[0]["file"] == "etc/zuul/layout.yaml" and f[0]["line"] == 3
