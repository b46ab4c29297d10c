"""JJB expansion: templates x projects, overrides, groups, defaults, list axes; label atoms."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.refdata import reference_datarepos
from vendorci.core.jjb import MissingParam, jjb_format, label_atoms, load_jjb
from vendorci.errors import InputError


def jjb_dir(tmp_path: Path, **files: str) -> Path:
    d = tmp_path / "jobs"
    d.mkdir()
    for name, text in files.items():
        (d / f"{name}.yaml").write_text(text)
    return d


def test_articles_data_repo_jobs_and_nodes():
    cfg = load_jjb(reference_datarepos() / "os-ext-testing-data/etc/jenkins_jobs/config")
    assert {n: j.node for n, j in cfg.jobs.items()} == {
        "noop-check-communication": "master", "dsvm-tempest-full": "devstack_slave"}
    dsvm = cfg.jobs["dsvm-tempest-full"]
    assert dsvm.template == "dsvm-tempest-full" and dsvm.project == "sandbox"
    assert dsvm.file.endswith("examples.yaml") and dsvm.line == 12
    assert dsvm.components["builder"] == ["devstack-checkout", "shell", "link-logs"]
    assert "publisher" not in dsvm.components  # commented out in the articles' repo
    assert not cfg.problems


def test_project_config_example_label_expression_and_macros():
    cfg = load_jjb(reference_datarepos() / "project-config-example/jenkins/jobs")
    assert set(cfg.jobs) == {"noop-check-communication", "dsvm-tempest-full", "dsvm-tempest-my-cinder-driver"}
    node = cfg.jobs["dsvm-tempest-full"].node
    assert node == "devstack_slave || devstack-precise-check || d-p-c"
    assert label_atoms(node) == ["devstack_slave", "devstack-precise-check", "d-p-c"]
    assert ("builder", "link-logs") in cfg.macros and ("publisher", "console-log") in cfg.macros
    assert not cfg.problems


def test_groups_defaults_axes_and_plain_jobs(tmp_path):
    d = jjb_dir(tmp_path, all="""
- defaults:
    name: global
    node: default-label
- job-template:
    name: '{name}-py{py}'
    builders: [{shell: 'tox -e py{py}'}]
- job-template:
    name: '{name}-docs'
    node: '{node}'
- job-group:
    name: python-jobs
    jobs: ['{name}-py{py}', '{name}-docs']
- job:
    name: plain-job
- project:
    name: cinder
    py: [27, 311]
    node: bare
    jobs:
      - python-jobs
      - plain-job
""")
    cfg = load_jjb(d)
    assert {n: j.node for n, j in cfg.jobs.items()} == {
        "plain-job": "default-label", "cinder-py27": "default-label", "cinder-py311": "default-label",
        "cinder-docs": "bare"}
    assert not cfg.problems


def test_unknown_template_and_missing_parameter_are_problems(tmp_path):
    d = jjb_dir(tmp_path, all="""
- job-template:
    name: 'noop-{vendor}'
- project:
    name: p
    jobs:
      - noop-{vendor}
      - no-such-job
""")
    cfg = load_jjb(d)
    codes = sorted(p.code for p in cfg.problems)
    assert codes == ["jjb_missing_param", "jjb_unknown_template"]
    assert all(p.file.endswith("all.yaml") and p.line for p in cfg.problems)


def test_bad_yaml_is_input_error_with_line(tmp_path):
    d = jjb_dir(tmp_path, bad="- job:\n    name: x\n  - oops\n")
    with pytest.raises(InputError) as exc:
        load_jjb(d)
    assert "bad.yaml:" in exc.value.message


@pytest.mark.parametrize("expr, atoms", [
    ("devstack_slave || d-p-c", ["devstack_slave", "d-p-c"]),
    ("master", ["master"]),
    ("(a && !b) || 'c'", ["a", "b", "c"]),
    ("", []),
    (None, []),
])
def test_label_atoms(expr, atoms):
    assert label_atoms(expr) == atoms


def test_jjb_format_escapes_and_defaults():
    assert jjb_format("a {x} {{y}} {z|dflt}", {"x": 1}) == "a 1 {y} dflt"
    with pytest.raises(MissingParam):
        jjb_format("{nope}", {})
