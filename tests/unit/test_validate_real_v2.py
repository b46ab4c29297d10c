"""validate against real vendor data repositories, with the verdicts of Zuul 2.5.2 and JJB as oracles.

The five repositories in tests/data/real-v2/ (Apache-2.0; each folder's SOURCE names the repository and
commit, LICENSE is theirs) are copied from /work/shared/reference/datarepos/real-v2/, whose README gives what
Zuul 2.5.2's loader and `jenkins-jobs test` said of each.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from vendorci.core.validate import validate_repo
from vendorci.core.validate.jjblib import expand
from vendorci.core.validate.near import NearIndex

DATA = Path(__file__).resolve().parents[1] / "data" / "real-v2"


def errors(findings):
    return [f for f in findings if f.severity == "error"]


@pytest.mark.parametrize("name", ["CiscoSystems__project-config-third-party", "Kaminario__openstack-ci-configuration",
                                  "a10networks-ci__project-config"])
def test_repos_both_oracles_accept_have_no_error(name):
    assert (DATA / name / "LICENSE").is_file() and (DATA / name / "SOURCE").is_file()
    assert errors(validate_repo(DATA / name)) == []


def test_template_name_jobs_are_the_layout_jobs():
    jobs = expand([DATA / "a10networks-ci__project-config/jenkins/jobs"])
    assert len(jobs.jobs) == 240 and jobs.complete  # what JJB 2.0.10 rendered: all 240 jobs
    findings = validate_repo(DATA / "a10networks-ci__project-config")
    assert not [f for f in findings if f.code in ("jobs_undefined", "jjb_missing_param", "jobs_jjb")]


def test_renamed_jobs_are_really_undefined():
    findings = validate_repo(DATA / "citrix-openstack__os-ext-testing")
    undefined = sorted((f.message.split("runs '")[1].split("'")[0], f.file, f.line) for f in errors(findings))
    assert undefined == [("check-fuel-xenserver-6.5-plugin", "zuul/layout.yaml", 189),
                         ("check-fuel-xenserver-plugin", "zuul/layout.yaml", 188),
                         ("check-fuel-xenserver-plugin-ely", "zuul/layout.yaml", 187)]
    assert {f.code for f in errors(findings)} == {"jobs_undefined"}


def test_zuul_refuses_typod_pipeline_key():
    found = errors(validate_repo(DATA / "ank-s2k__qstor-ci-config"))
    assert [(f.code, f.file, f.line) for f in found] == [("layout_unknown_key", "zuul/layout.yaml", 22)]
    assert "'ailure'" in found[0].message


def test_external_jobs_makes_undefined_a_warning(tmp_path):
    repo = tmp_path / "r"
    shutil.copytree(DATA / "citrix-openstack__os-ext-testing", repo)
    findings = validate_repo(repo, external_jobs=True)
    assert errors(findings) == []
    assert sum(f.code == "jobs_undefined" for f in findings) == 3


# -- constructs: the accepted and the refused form of each ------------------------------------------------
LAYOUT = """\
includes:
  - python-file: functions.py
pipelines:
  - name: check
    manager: IndependentPipelineManager
    trigger:
      gerrit:
        - event: patchset-created
        - event: comment-added
          comment: (?i)^(Patch Set [0-9]+:)?( [\\w\\\\+-]*)*(\\n\\n)?\\s*(acme:\\s*)?recheck\\s*$
      zuul:
        - event: parent-change-enqueued
          pipeline: check
    success:
      gerrit:
        verified: 1
    failure:
      gerrit:
        verified: -1
jobs:
  - name: ^acme-.*$
    parameter-function: set_node
    skip-if:
      - project: ^openstack/nova$
        all-files-match-any:
          - ^doc/.*$
project-templates:
  - name: acme-jobs
    check:
      - 'acme-{name}-{flavor}'
projects:
  - name: openstack/nova
    template:
      - name: acme-jobs
        flavor: full
    check:
      - noop
      - acme-dsvm
"""

JJB = """\
- job-template:
    name: 'acme-{name}-{flavor}'
    node: '{template-name}'
    builders:
      - acme-shell-{flavor}
      - shell: !include-raw: script.sh

- builder:
    name: acme-shell-full
    builders:
      - shell: 'echo {template-name}'

- job:
    name: acme-dsvm
    builders:
      - shell: !include-raw-escape: script.sh

- project:
    name: nova
    flavor:
      - full:
          extra: yes
    jobs:
      - 'acme-{name}-{flavor}'
"""


def make(tmp_path: Path, layout: str = LAYOUT, jjb: str = JJB, jjb_dir: str = "jenkins/jobs") -> Path:
    repo = tmp_path / "repo"
    (repo / "zuul").mkdir(parents=True)
    (repo / "zuul/layout.yaml").write_text(layout)
    (repo / "zuul/functions.py").write_text("def set_node(item, job, params):\n    pass\n")
    (repo / jjb_dir).mkdir(parents=True)
    (repo / jjb_dir / "jobs.yaml").write_text(jjb)
    (repo / jjb_dir / "script.sh").write_text("echo {not-a-param}\n")
    return repo


def test_accepted_constructs_are_not_errors(tmp_path):
    # {template-name}, {name} in a macro name, dict-valued axis items, !include-raw: / !include-raw-escape:,
    # the zuul trigger, the noop job, skip-if, parameter-function, project-template parameters
    assert errors(validate_repo(make(tmp_path))) == []


@pytest.mark.parametrize("jjb_dir", ["jenkins_jobs/config", "etc/jenkins_jobs/config", "jobs", "jjb"])
def test_jjb_folders_are_discovered(tmp_path, jjb_dir):
    assert errors(validate_repo(make(tmp_path, jjb_dir=jjb_dir))) == []


def test_layout_and_jjb_options(tmp_path):
    repo = make(tmp_path, jjb_dir="ci/jjb-defs")
    assert "jobs_missing_dir" in {f.code for f in validate_repo(repo)}
    assert errors(validate_repo(repo, jjb=["ci/jjb-defs"])) == []
    (repo / "zuul/layout.yaml").rename(repo / "zuul/main.yaml")
    assert errors(validate_repo(repo, layout="zuul/main.yaml", jjb=[repo / "ci/jjb-defs"])) == []


@pytest.mark.parametrize(("old", "new", "code", "line"), [
    ("    success:\n", "    succes:\n", "layout_unknown_key", 14),            # extra pipeline key
    ("      - noop\n      - acme-dsvm\n", "", "layout_project_jobs", 36),     # null job list
    ("        flavor: full\n", "", "layout_template_param", 34),               # template param missing
    ("- event: parent-change-enqueued", "- event: parent-change", "layout_event", 11),
    ("    skip-if:", "    skip_if:", "layout_unknown_key", 23),
    ("      - acme-dsvm\n", "      - acme-dsvn\n", "jobs_undefined", 38),
    ("    manager: IndependentPipelineManager", "    manager: Independent", "layout_manager", 5),
])
def test_refused_layout_forms(tmp_path, old, new, code, line):
    assert old in LAYOUT
    found = [(f.code, f.file, f.line) for f in errors(validate_repo(make(tmp_path, LAYOUT.replace(old, new))))]
    assert (code, "zuul/layout.yaml", line) in found


def test_undefined_job_did_you_mean(tmp_path):
    found = [f for f in validate_repo(make(tmp_path, LAYOUT.replace("- acme-dsvm\n", "- acme-dsvn\n")))
             if f.code == "jobs_undefined"]
    assert found[0].hint == "Did you mean 'acme-dsvm'?"


@pytest.mark.parametrize(("jjb", "what"), [
    (JJB + "\n- builder:\n    name: acme-shell-full\n    builders:\n      - shell: echo\n", "acme-shell-full"),
    (JJB.replace("      - acme-shell-{flavor}\n", "      - acme-shel-{flavor}\n"), "acme-shel-full"),
    (JJB.replace("    builders:\n      - shell: !include-raw-escape: script.sh\n",
                 "    builders:\n      - shell: !include-raw-escape: missing.sh\n"), "missing.sh"),
    (JJB + "<<<<<<< HEAD\n", ""),
])
def test_refused_jjb_forms(tmp_path, jjb, what):
    found = [f for f in errors(validate_repo(make(tmp_path, jjb=jjb))) if f.code in ("jobs_jjb", "yaml_syntax")]
    assert found and found[0].file == "jenkins/jobs/jobs.yaml" and found[0].line
    assert what in found[0].message


def test_near_index_is_capped_and_finds_near_misses():
    idx = NearIndex([f"gate-tempest-dsvm-{i}" for i in range(5000)] + ["check-acme-dsvm-full"])
    assert idx.closest("check-acme-dsvm-ful") == "check-acme-dsvm-full"
    assert idx.closest("zzz") is None


# -- oracle: jenkins-jobs test on the same input ----------------------------------------------------------
@pytest.mark.parametrize("name", ["a10networks-ci__project-config", "ank-s2k__qstor-ci-config"])
def test_job_names_agree_with_jenkins_jobs_test(tmp_path, name):
    jdir = DATA / name / "jenkins/jobs"
    ini = tmp_path / "jjb.ini"
    ini.write_text("[job_builder]\nignore_cache=True\nallow_empty_variables=True\n"
                   "[jenkins]\nurl=http://127.0.0.1:9/\nquery_plugins_info=False\n")
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "jenkins_jobs", "--conf", str(ini), "test", "-r", str(jdir),
                          "-o", str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert set(expand([jdir]).jobs) == {p.name for p in out.iterdir()}


def test_jjb_unknown_macro_reported_as_jjb_reports_it(tmp_path):
    repo = make(tmp_path, jjb=textwrap.dedent("""\
        - job:
            name: acme-dsvm
            builders:
              - no-such-macro
        """))
    f = [f for f in errors(validate_repo(repo)) if f.code == "jobs_jjb"]
    assert f and "Unknown entry point or macro 'no-such-macro'" in f[0].message and f[0].line == 1


def test_upstream_size_repo_gets_every_near_miss(tmp_path):
    """The benchmark's generated upstream-size repo (about 18,600 layout lines, 1,800 JJB jobs, 100 undefined
    near misses): each undefined job found, with its line and a "did you mean".  How long it takes is measured by
    benchmarks/validate_upstream.py (seconds; it took about 10 minutes before), not asserted here."""
    from benchmarks.validate_upstream import generate

    lines, jobs = generate(tmp_path / "repo")
    assert lines > 18000 and jobs >= 1650
    findings = validate_repo(tmp_path / "repo")
    undefined = [f for f in findings if f.code == "jobs_undefined"]
    assert len(undefined) == 100 and all(f.hint and "Did you mean '" in f.hint and f.line for f in undefined)


def test_vendorci_yaml_records_where_things_are(tmp_path):
    repo = make(tmp_path, jjb_dir="ci/jjb-defs")
    (repo / "zuul/layout.yaml").rename(repo / "zuul/main.yaml")
    (repo / "vendorci.yaml").write_text("validate:\n  layout: zuul/main.yaml\n  jjb:\n    - ci/jjb-defs\n")
    assert errors(validate_repo(repo)) == []
    text = LAYOUT.replace("      - acme-dsvm\n", "      - acme-elsewhere\n")
    (repo / "zuul/main.yaml").write_text(text)
    assert [f.code for f in errors(validate_repo(repo))] == ["jobs_undefined"]
    (repo / "vendorci.yaml").write_text("validate:\n  layout: zuul/main.yaml\n  jjb: [ci/jjb-defs]\n"
                                        "  external_jobs: true\n")
    assert errors(validate_repo(repo)) == []


def test_zuul_conf_connection_names_are_triggers_and_reporters(tmp_path):
    text = LAYOUT
    for a, b in [("      gerrit:\n        - event: patchset-created",
                  "      review:\n        - event: patchset-created"),
                 ("        - event: comment-added\n", "      gerrit:\n        - event: comment-added\n"),
                 ("    success:\n      gerrit:", "    success:\n      review:")]:
        text = text.replace(a, b)
    repo = make(tmp_path, text)
    found = [f.code for f in errors(validate_repo(repo))]
    assert found == ["layout_trigger", "layout_reporter"]
    (repo / "zuul/zuul.conf").write_text("[gearman]\nserver=127.0.0.1\n[gerrit]\n[zuul]\n"
                                         "[connection review]\ndriver=gerrit\nserver=review.example.org\n")
    assert errors(validate_repo(repo)) == []
