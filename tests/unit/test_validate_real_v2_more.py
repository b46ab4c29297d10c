"""validate on the real vendor repositories found with the search tools (issue 17, part 2).

Each folder of tests/data/real-v2/ has a SOURCE (repository, commit, licence: all Apache-2.0) and the
repository's LICENSE.  The verdicts of both oracles (Zuul 2.5.2's `zuul-server -t`; `jenkins-jobs test -r`
of JJB 6.5.0 from the venv and of JJB 2.0.10 on Python 2.7) are in tests/data/real-v2/README.md; here each
verdict is a test: no error where both accept, an error with file and line where one refuses.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.unit.test_validate_real_v2 import DATA, errors
from vendorci.core.validate import validate_repo
from vendorci.core.validate.jjblib import expand

#: both oracles accept: (folder, number of jobs JJB generates)
ACCEPTED = [
    ("CloudByteStorages__project-config", 3),
    ("IamFive__project-config-ironic-ibmc-driver", 3),
    ("inspur-storage__project-config", 3),
    ("lenovo-lxca-ci__project-config-xclarity", 5),
]


@pytest.mark.parametrize(("name", "count"), ACCEPTED)
def test_found_repos_both_oracles_accept_have_no_error(name, count):
    assert (DATA / name / "LICENSE").is_file() and "license: Apache-2.0" in (DATA / name / "SOURCE").read_text()
    assert errors(validate_repo(DATA / name)) == []
    jobs = expand([DATA / name / "jenkins/jobs"])
    assert jobs.complete and len(jobs.jobs) == count


def test_mellanox_conflict_markers_and_duplicate_macro_are_errors():
    """Mellanox's last commit: Zuul refuses the layout (git merge-conflict markers left in it from line 394: Zuul
    says "could not find expected ':'" at line 395), JJB refuses the second definition of the builder macro
    'clean-build-machine'."""
    found = errors(validate_repo(DATA / "Mellanox__mlnx-project-config"))
    assert sorted((f.code, f.file, f.line) for f in found) == [
        ("jobs_jjb", "jenkins/jobs/builder.yaml", 43), ("yaml_syntax", "zuul/layout.yaml", 394)]
    assert "merge-conflict marker" in next(f for f in found if f.code == "yaml_syntax").message
    dup = next(f for f in found if f.code == "jobs_jjb")
    assert "Duplicate macro: 'clean-build-machine'" in dup.message
    assert "first defined at jenkins/jobs/build-kernel.yaml:94" in dup.message


@pytest.mark.parametrize("name", [n for n, _ in ACCEPTED])
def test_found_repos_job_names_agree_with_jenkins_jobs_test(tmp_path, name):
    jdir = DATA / name / "jenkins/jobs"
    ini = tmp_path / "jjb.ini"
    ini.write_text("[job_builder]\nignore_cache=True\nallow_empty_variables=True\n"
                   "[jenkins]\nurl=http://127.0.0.1:9/\nquery_plugins_info=False\n")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "jenkins_jobs", "--conf", str(ini), "test", "-r", str(jdir),
                          "-o", str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert set(expand([jdir]).jobs) == {p.name for p in out.iterdir()}


def test_mellanox_jenkins_jobs_test_refuses_too(tmp_path):
    ini = tmp_path / "jjb.ini"
    ini.write_text("[job_builder]\nignore_cache=True\n[jenkins]\nurl=http://127.0.0.1:9/\nquery_plugins_info=False\n")
    run = subprocess.run([sys.executable, "-m", "jenkins_jobs", "--conf", str(ini), "test", "-r",
                          str(DATA / "Mellanox__mlnx-project-config/jenkins/jobs"), "-o", str(tmp_path / "out")],
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode != 0 and "Duplicate macro: 'clean-build-machine'" in run.stderr


@pytest.mark.parametrize("where", ["zuul/layout.yaml", "jenkins/jobs/jobs.yaml"])
def test_merge_conflict_marker_is_named_at_its_line(tmp_path, where):
    from tests.unit.test_validate_real_v2 import make

    repo = make(tmp_path)
    lines = (repo / where).read_text().splitlines(keepends=True)
    lines[2:2] = ["<<<<<<< Updated upstream\n", "=======\n", ">>>>>>> Stashed changes\n"]
    (repo / where).write_text("".join(lines))
    found = [(f.code, f.file, f.line) for f in errors(validate_repo(repo)) if "merge-conflict" in f.message]
    assert found == [("yaml_syntax", where, 3)]


JOB_GROUP_MISSING = """\
- job-template:
    name: 'acme-{name}-unit'
    builders:
      - shell: echo unit
- job-group:
    name: acme-group
    jobs:
      - 'acme-{name}-unit'
      - 'acme-{name}-gone'
- project:
    name: nova
    jobs:
      - acme-group
"""


def test_job_group_naming_nothing_is_skipped_as_jjb2_did(tmp_path):
    """Found on Tesora's project-config (2016, a fork of OpenStack's): a job-group lists job-templates that no
    longer exist.  JJB 2.0.10 expanded the project without them (427 jobs, measured here on Python 2.7); JJB 6
    stops the project at the first.  validate keeps JJB 2's job set and warns at the missing name's line."""
    from tests.unit.test_validate_real_v2 import make

    layout = ("pipelines:\n  - name: check\n    manager: IndependentPipelineManager\n    trigger:\n      gerrit:\n"
              "        - event: patchset-created\n    success:\n      gerrit:\n        verified: 1\n"
              "projects:\n  - name: openstack/nova\n    check:\n      - acme-nova-unit\n")
    repo = make(tmp_path, layout=layout, jjb=JOB_GROUP_MISSING)
    jobs = expand([repo / "jenkins/jobs"])
    assert set(jobs.jobs) == {"acme-nova-unit"} and jobs.complete
    findings = validate_repo(repo)
    assert errors(findings) == []
    warn = [f for f in findings if f.code == "jobs_jjb_format"]
    assert [(f.file, f.line) for f in warn] == [("jenkins/jobs/jobs.yaml", 9)]
    assert "acme-{name}-gone" in warn[0].message and "JJB 2 skipped it silently" in warn[0].message


@pytest.mark.parametrize(("pattern", "expect"), [
    ("^gate-nova-.*$", ["gate-nova-docs", "gate-nova-pep8"]),
    ("^gate-novas?-pep8$", ["gate-nova-docs", "gate-nova-pep8", "gate-novaclient-pep8"]),  # 's' optional
    ("^gate-(nova|neutron)-pep8$", None),  # any alternation: every name (kept simple and safe)
    ("^gate-nova|periodic$", None),  # alternation: every name
    ("^.*-pep8$", None),
])
def test_job_setting_candidates_by_literal_prefix(pattern, expect):
    """Upstream's layout has hundreds of regex job settings and some 17,000 jobs: each setting is matched only
    against the names that start with its literal prefix (4 s of the upstream run before)."""
    import re

    from vendorci.core.validate.jobs import _with_prefix

    names = sorted(["gate-neutron-pep8", "gate-nova-docs", "gate-nova-pep8", "gate-novaclient-pep8",
                    "nova-periodic", "periodic-nova"])
    got = _with_prefix(names, pattern)
    assert got == (names if expect is None else expect)
    # never loses a match
    assert [n for n in names if re.search(pattern, n)] == [n for n in got if re.search(pattern, n)]


def test_project_naming_nothing_stays_an_error(tmp_path, monkeypatch):
    """JJB 2.0.10 skipped a missing name only inside a job-group; listed by the project itself it refused it
    ("Failed to find suitable template named ..."), as JJB 6 does: an error with both readers."""
    from tests.unit.test_validate_real_v2 import make
    from vendorci.core.validate import jjblib

    jjb = JOB_GROUP_MISSING.replace("      - acme-group\n", "      - 'acme-{name}-unit'\n      - 'acme-{name}-gone'\n")
    repo = make(tmp_path, jjb=jjb)
    assert [f.code for f in errors(validate_repo(repo)) if f.code.startswith(("jobs_jjb", "jjb_"))] == ["jobs_jjb"]

    def unavailable(dirs):
        raise jjblib.JJBUnavailable("hidden by the test")

    monkeypatch.setattr(jjblib, "expand", unavailable)
    found = [f.code for f in errors(validate_repo(repo)) if f.code.startswith(("jobs_jjb", "jjb_"))]
    assert found == ["jjb_unknown_template"]
    # inside a job-group, the built-in reader warns as the JJB path does
    warn = [f for f in validate_repo(make(tmp_path / "g", jjb=JOB_GROUP_MISSING)) if f.code == "jobs_jjb_format"]
    assert len(warn) == 1 and "JJB 2 skipped it silently" in warn[0].message
