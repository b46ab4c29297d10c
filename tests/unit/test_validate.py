"""validate_repo on the real reference repos, on what init writes, and on broken variants of it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.golden.refdata import reference_datarepos
from vendorci.core.datarepo import parse_vars
from vendorci.core.scaffold import InitOptions, init_repo
from vendorci.core.validate import validate_repo
from vendorci.errors import InputError

LOGS = "https://logs.acme.test/logs"  # a public log URL: a fresh repo reporting upstream needs one


def codes(findings, severity=None):
    return sorted({f.code for f in findings if severity is None or f.severity == severity})


@pytest.fixture
def repo(tmp_path, fast_rsa) -> Path:
    d = tmp_path / "data"
    init_repo(d, InitOptions(vendor="acme", gerrit_user="acme-ci", log_url=LOGS,  # RSA in PEM: no keys_format warning
                             publish_host="logs.acme.test"))
    return d


def test_fresh_init_repo_has_no_findings(repo):
    assert validate_repo(repo) == []


def test_articles_data_repo_real_problems():
    findings = validate_repo(reference_datarepos() / "os-ext-testing-data")
    errors = {(f.code, f.file, f.line): f for f in findings if f.severity == "error"}
    # the builder macros lived in the installer's Puppet template, not in the repo
    # (reported by JJB itself, which stops a job at its first unknown macro)
    jjb = [f for f in findings if f.code == "jobs_jjb"]
    assert jjb and all(f.severity == "error" and f.file == "etc/jenkins_jobs/config/examples.yaml" for f in jjb)
    assert "Unknown entry point or macro 'devstack-checkout' for component type: 'builder'" in jjb[0].message
    # the host key variable the installer never read
    misnamed = errors[("vars_misnamed", "vars.sh", 1)]
    assert "UPSTREAM_GERRIT_HOST_PUB_KEY" in misnamed.message and "PUBLIC_KEY" in misnamed.message
    # gerrit_key named by vars.sh but absent (and the private jenkins key was left out)
    assert ("keys_missing", "vars.sh", 5) in errors and ("keys_missing", "vars.sh", 6) in errors
    # recheck drift: 'recheck no bug' / 'recheck myvendor' but not plain 'recheck'
    assert "layout_recheck" in codes(findings, "warning")
    # not flagged: the commented-out job, known variables, the layout schema
    assert not [f for f in findings if f.code in ("jobs_undefined", "layout_unknown_key", "vars_unused")]
    assert codes(findings, "error") == ["jobs_jjb", "keys_missing", "vars_misnamed"]


def test_project_config_example_valid_things_not_flagged():
    findings = validate_repo(reference_datarepos() / "project-config-example")
    # regex job names with a parameter-function from an included python file, smtp reporters,
    # the silent pipeline: all valid
    assert codes(findings, "error") == []
    assert codes(findings) == ["jobs_placeholder", "layout_recheck", "layout_recheck_placeholder", "repo_not_git"]
    placeholder = [f for f in findings if f.code == "jobs_placeholder" and "<your-log-server>" in f.message]
    assert placeholder and placeholder[0].file == "jenkins/jobs/macros-common.yaml" and placeholder[0].line == 60


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new))


LAYOUT = "etc/zuul/layout.yaml"


@pytest.mark.parametrize("old, new, code, line", [
    ("      - noop-check-communication", "      - noop-check-comunication", "jobs_undefined", 27),
    ("manager: IndependentPipelineManager", "manager: IndependentManager", "layout_manager", 5),
    ("- event: change-restored", "- event: change-resurrected", "layout_event", 9),
    ("recheck\\s*$'", "recheck(\\s*$'", "layout_regex", 12),
    ("sandbox\n    check:", "sandbox\n    gate:", "layout_unknown_pipeline", 24),
    ("pipelines:", "pipeline-typo: []\npipelines:", "layout_unknown_key", 2),
    ("    success:\n", "    start:\n      gerrit: {}\n    success:\n", "layout_start_report", 13),
    ("\\s*(acme:\\s*)?recheck", "\\s*recheck", "layout_recheck", 12),
])
def test_layout_breakage_is_reported_with_line(repo, old, new, code, line):
    edit(repo / LAYOUT, old, new)
    hits = [f for f in validate_repo(repo) if f.code == code]
    assert hits, code
    assert hits[0].file == LAYOUT and hits[0].line == line
    assert hits[0].hint


def test_yaml_syntax_error_names_file_and_line(repo):
    edit(repo / "etc/jenkins_jobs/config/projects.yaml", "    vendor: acme", "    vendor: [acme")
    f = [f for f in validate_repo(repo) if f.code.startswith("yaml")]
    assert f and f[0].file == "etc/jenkins_jobs/config/projects.yaml" and f[0].line
    assert f[0].severity == "error"


def test_vars_checked_both_ways_and_never_executed(repo, tmp_path):
    marker = tmp_path / "executed"
    edit(repo / "vars.sh", "export LOG_URL_ROOT=", f"export PWNED=$(touch {marker})\nexport LOG_URL_ROTO=")
    findings = validate_repo(repo)
    assert not marker.exists()
    by_code = {f.code: f for f in findings}
    assert by_code["vars_command"].line and "PWNED" in by_code["vars_command"].message
    undefined = [f for f in findings if f.code == "vars_undefined"]
    assert {f.file for f in undefined} == {"etc/zuul/zuul.conf", "etc/jenkins_jobs/config/macros.yaml"}
    assert all("LOG_URL_ROOT" in f.message and "LOG_URL_ROTO" in f.hint for f in undefined)
    # a near miss of a name something reads is an error; a plain unused name a warning
    assert by_code["vars_misnamed"].severity == "error" and "LOG_URL_ROTO" in by_code["vars_misnamed"].message
    assert by_code["vars_unused"].severity == "warning" and "PWNED" in by_code["vars_unused"].message


def test_parse_vars_is_textual(tmp_path):
    p = tmp_path / "vars.sh"
    p.write_text("# c\nexport A='x y'\nB=\"$A/z\"  # trailing\nexport C='$A'\nif true; then :; fi\n")
    vf = parse_vars(p)
    assert (vf.get("A"), vf.get("B"), vf.get("C")) == ("x y", "x y/z", "$A")
    assert [f.code for f in vf.problems] == ["vars_unparsed"]


def test_key_modes_pub_mismatch_and_missing(repo):
    os.chmod(repo / "gerrit_key", 0o644)
    (repo / "jenkins_key.pub").write_text((repo / "gerrit_key.pub").read_text())
    findings = validate_repo(repo)
    mode = [f for f in findings if f.code == "keys_mode"]
    assert mode and mode[0].file == "gerrit_key" and "644" in mode[0].message and "chmod 600" in mode[0].hint
    assert [f.file for f in findings if f.code == "keys_pub_mismatch"] == ["jenkins_key.pub"]
    (repo / "gerrit_key").unlink()
    missing = [f for f in validate_repo(repo) if f.code == "keys_missing"]
    assert missing and missing[0].file == "vars.sh" and missing[0].line


def test_secret_in_jenkins_jobs_ini(repo):
    ini = repo / "etc/jenkins_jobs/jenkins_jobs.ini"
    ini.write_text(ini.read_text() + "user=admin\npassword=11aa22bb\n")
    f = [f for f in validate_repo(repo) if f.code == "config_secret_in_repo"]
    assert f and f[0].severity == "error" and f[0].line


def test_bad_vendorci_yaml_is_a_finding(repo):
    (repo / "vendorci.yaml").write_text("gerrit:\n  port: seventy\n")
    f = [f for f in validate_repo(repo) if f.code.startswith("config")]
    assert f and "gerrit.port" in f[0].message


def test_not_a_data_repo(tmp_path):
    with pytest.raises(InputError) as exc:
        validate_repo(tmp_path)
    assert exc.value.code == "not_a_datarepo"
    with pytest.raises(InputError):
        validate_repo(tmp_path / "missing")


def test_not_a_git_checkout_is_a_warning(repo):
    import shutil

    shutil.rmtree(repo / ".git")
    assert [(f.code, f.severity) for f in validate_repo(repo)] == [("repo_not_git", "warning")]
