"""Zuul v2 layout model: pipelines, project jobs with templates expanded, errors with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.golden.refdata import reference_datarepos
from vendorci.core.layout import deep_format, flatten_jobs, load_layout, short_name
from vendorci.errors import InputError


def write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "layout.yaml"
    p.write_text(text)
    return p


def test_articles_layout_commented_job_is_not_run():
    lay = load_layout(reference_datarepos() / "os-ext-testing-data/etc/zuul/layout.yaml")
    assert lay.pipelines == ["check"]
    assert lay.project_jobs == {"openstack-dev/sandbox": {"check": ["noop-check-communication"]}}
    assert lay.all_jobs() == {"noop-check-communication"}


def test_project_config_example_jobs_section_is_settings_not_jobs():
    lay = load_layout(reference_datarepos() / "project-config-example/zuul/layout.yaml")
    assert lay.pipelines == ["check", "silent"]
    assert lay.project_jobs["openstack-dev/ci-sandbox"] == {
        "check": ["noop-check-communication"], "silent": ["dsvm-tempest-full"]}
    assert "^dsvm-tempest.*$" not in lay.all_jobs()
    assert lay.job_settings[0]["parameter-function"] == "single_use_node"


def test_project_templates_expand_with_short_name_and_parameters(tmp_path):
    lay = load_layout(write(tmp_path, """
pipelines:
  - name: check
    manager: IndependentPipelineManager
    trigger: {gerrit: [{event: patchset-created}]}
  - name: gate
    manager: DependentPipelineManager
    trigger: {gerrit: [{event: comment-added}]}
project-templates:
  - name: python-jobs
    check: ['gate-{name}-pep8', 'gate-{name}-python{py}']
    gate: ['gate-{name}-pep8']
projects:
  - name: openstack/cinder
    template:
      - name: python-jobs
        py: 27
    check:
      - gate-tempest-dsvm-full:
          - gate-cinder-after-tempest
      - gate-cinder-pep8
"""))
    assert lay.project_jobs["openstack/cinder"] == {
        "check": ["gate-cinder-pep8", "gate-cinder-python27", "gate-tempest-dsvm-full", "gate-cinder-after-tempest"],
        "gate": ["gate-cinder-pep8"],
    }
    assert lay.line("projects", 0, "check") == 18


def test_bad_yaml_names_file_and_line(tmp_path):
    p = write(tmp_path, "pipelines:\n  - name: check\n   bad: [\n")
    with pytest.raises(InputError) as exc:
        load_layout(p)
    assert f"{p}:" in exc.value.message and exc.value.data["line"] in (3, 4)


@pytest.mark.parametrize("text, needle", [
    ("- a\n- b\n", "must be a mapping"),
    ("projects: []\n", "no 'pipelines' section"),
    ("pipelines: check\nprojects: []\n", "'pipelines' must be a list"),
    ("pipelines: []\nprojects: {a: b}\n", "'projects' must be a list"),
])
def test_structural_errors(tmp_path, text, needle):
    with pytest.raises(InputError) as exc:
        load_layout(write(tmp_path, text))
    assert needle in exc.value.message
    assert exc.value.exit_code == 2


def test_helpers():
    assert short_name("openstack-dev/sandbox") == "sandbox"
    assert deep_format({"a": ["{name}-x", "{other}"]}, {"name": "n"}) == {"a": ["n-x", "{other}"]}
    assert flatten_jobs(["a", {"b": ["c", {"d": None}]}, "a"]) == ["a", "b", "c", "d"]
