"""What `vendorci init` renders passes the real `jenkins-jobs test` (jenkins-job-builder)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.fixtures.plugin import require_real
from vendorci.core.jjb import load_jjb
from vendorci.core.scaffold import InitOptions, init_repo

pytestmark = pytest.mark.real_server


def run_jjb(repo, out):
    return subprocess.run(
        ["jenkins-jobs", "--conf", str(repo / "etc/jenkins_jobs/jenkins_jobs.ini"), "test", "-o", str(out),
         str(repo / "etc/jenkins_jobs/config")],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_generated_jobs_pass_jenkins_jobs_test(tmp_path):
    require_real(None if shutil.which("jenkins-jobs") else "the jenkins-jobs command (pip install jenkins-job-builder)")
    repo = tmp_path / "repo"
    init_repo(repo, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519"))
    out = tmp_path / "out"
    proc = run_jjb(repo, out)
    assert proc.returncode == 0, proc.stderr[-2000:]
    produced = sorted(p.name for p in out.iterdir())
    assert produced == ["dsvm-tempest-full", "noop-check-communication"]
    # vendorci's own expansion agrees with JJB's on names and nodes
    ours = load_jjb(repo / "etc/jenkins_jobs/config")
    assert sorted(ours.jobs) == produced
    for name, job in ours.jobs.items():
        xml = (out / name).read_text()
        assert f"<assignedNode>{job.node}</assignedNode>" in xml
    noop = (out / "noop-check-communication").read_text()
    assert "this is the acme Testing System" in noop
    assert "${LOG_URL_ROOT}/$LOG_PATH/" in noop  # the escaped vars.sh reference survives JJB formatting
    assert "<copyConsoleLog>true</copyConsoleLog>" in noop or "copyConsole" in noop


def test_jenkins_jobs_rejects_what_validate_rejects(tmp_path):
    """A missing macro: JJB fails and validate reports it, on the same input."""
    require_real(None if shutil.which("jenkins-jobs") else "the jenkins-jobs command (pip install jenkins-job-builder)")
    from vendorci.core.validate import validate_repo

    repo = tmp_path / "repo"
    init_repo(repo, InitOptions(vendor="acme", gerrit_user="acme-ci", key_type="ed25519"))
    macros = repo / "etc/jenkins_jobs/config/macros.yaml"
    macros.write_text(macros.read_text().replace("name: devstack-checkout", "name: devstack-checkout-old"))
    proc = run_jjb(repo, tmp_path / "out")
    assert proc.returncode != 0
    missing = [f for f in validate_repo(repo) if f.code == "jobs_jjb"]
    assert len(missing) == 1 and "devstack-checkout" in missing[0].message and missing[0].severity == "error"
    assert missing[0].file == "etc/jenkins_jobs/config/examples.yaml" and missing[0].line
