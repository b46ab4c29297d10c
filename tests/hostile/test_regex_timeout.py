"""Class 4: regexes from configuration cannot hang the tool.

A data repository's layout carries regexes vendorci evaluates (a job setting's ``^...`` name
against every job, comment triggers against Gerrit's recheck comments).  Catastrophic
backtracking patterns must end in a ``layout_regex_slow`` finding within seconds, through
`validate` and `doctor`, and a doctor run stays within its timeouts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

SLOW_JOB_SETTING = "^(a|a)*$"  # exponential on "aaaa...ab"
LONG_JOB = "a" * 34 + "b"


def repo_with(tmp_path, job_setting: str = SLOW_JOB_SETTING, comment: str = "(?i)^(Patch Set [0-9]+:)?.*recheck"):
    repo = tmp_path / "repo"
    (repo / "etc/zuul").mkdir(parents=True)
    (repo / "etc/zuul/layout.yaml").write_text(f"""\
pipelines:
  - name: check
    manager: IndependentPipelineManager
    trigger:
      gerrit:
        - event: patchset-created
        - event: comment-added
          comment: '{comment}'
jobs:
  - name: '{job_setting}'
    voting: false
projects:
  - name: openstack-dev/sandbox
    check:
      - {LONG_JOB}
""")
    (repo / "vars.sh").write_text("export UPSTREAM_GERRIT_USER=acme-ci\n")
    (repo / "etc/jenkins_jobs/config").mkdir(parents=True)
    (repo / "etc/jenkins_jobs/config/jobs.yaml").write_text(f"- job:\n    name: {LONG_JOB}\n    builders:\n"
                                                           "      - shell: 'true'\n")
    return repo


def run(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess, float]:
    t = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "vendorci", *args], capture_output=True, text=True,
                          timeout=timeout, stdin=subprocess.DEVNULL, env=os.environ.copy())
    return proc, time.monotonic() - t


def codes(doc: dict) -> list[str]:
    return [f["code"] for f in doc["data"].get("findings", [])]


def test_validate_reports_a_catastrophic_job_setting_regex_quickly(tmp_path):
    proc, took = run("-o", "json", "validate", str(repo_with(tmp_path)))
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert "layout_regex_slow" in codes(doc), doc
    assert took < 20, f"validate took {took:.1f}s"
    human, _ = run("validate", str(repo_with(tmp_path / "h")))
    assert "did not finish within" in human.stdout


def test_a_sane_regex_is_not_reported(tmp_path):
    proc, _ = run("-o", "json", "validate", str(repo_with(tmp_path, job_setting="^a+b$")))
    assert "layout_regex_slow" not in codes(json.loads(proc.stdout))


def test_doctor_datarepo_check_ends_with_the_finding(tmp_path):
    proc, took = run("-o", "json", "doctor", "datarepo.*", "--data-repo", str(repo_with(tmp_path)), "--timeout", "3")
    assert "Traceback" not in proc.stderr
    doc = json.loads(proc.stdout)
    assert took < 25, f"doctor took {took:.1f}s"
    assert "layout_regex_slow" in json.dumps(doc)


def test_untrusted_regex_releases_the_interpreter_and_stops():
    """The bound works where a thread-based timeout could not: the main thread keeps running."""
    import threading

    from vendorci.saferegex import SlowRegex, UntrustedRegex

    rx = UntrustedRegex(SLOW_JOB_SETTING)
    ticks, errors = [0], []

    def work():
        try:
            rx.search(LONG_JOB, timeout=0.5)
        except SlowRegex as exc:
            errors.append(exc)

    th = threading.Thread(target=work)
    t = time.monotonic()
    th.start()
    while th.is_alive() and time.monotonic() - t < 30:
        ticks[0] += 1
        time.sleep(0.01)
    assert not th.is_alive() and errors, "the slow search did not stop"
    assert ticks[0] > 5, "the search held the interpreter lock"


def test_re_syntax_errors_are_still_reported_as_zuul_sees_them():
    import re

    from vendorci.saferegex import UntrustedRegex

    with pytest.raises(re.error):
        UntrustedRegex("(unclosed")
    assert UntrustedRegex(r"(?i)^recheck$").search("RECHECK")
