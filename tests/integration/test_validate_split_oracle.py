"""Oracle for split layouts: the parts concatenated into one file (what a `cat` deploy step gives Zuul 2's
single layout_config), loaded by the real Zuul 2.5.2 `zuul-server -t`, against what validate says of the
parts.  Zuul's -t log lists each pipeline ("Configured Pipeline Manager NAME") and its projects, which shows
what survived the concatenation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.integration.test_validate_zuul2_oracle import zuul_loads
from tests.unit.test_validate_split import JOBS, NEUTRON, PIPES, PROJECTS, split_repo, three
from vendorci.core.layoutsplit import split_files
from vendorci.core.validate import validate_repo

pytestmark = pytest.mark.real_server


def concatenated(repo: Path, tmp: Path) -> tuple[bool, str]:
    work = tmp / "zuul-run"
    work.mkdir()
    (work / "functions.py").write_text((repo / "zuul/functions.py").read_text())
    text = "".join(p.read_text() for p in split_files([repo / "zuul/layout.d"]))
    (work / "layout.yaml").write_text(text)
    return zuul_loads(work / "layout.yaml", work, tail=200_000)


def projects_of(log: str) -> set[str]:
    """The project names Zuul's -t log lists under the pipelines' "Projects:"."""
    return set(re.findall(r"^INFO:zuul\.\w+:    (\S+/\S+)$", log, re.M))


def layout_findings(repo: Path):
    return [f for f in validate_repo(repo) if f.code.startswith("layout")]


def test_disjoint_sections_load_as_merged(tmp_path):
    repo = split_repo(tmp_path, three(**{"30-neutron.yaml": NEUTRON}))  # a list file continues 'projects:'
    ok, log = concatenated(repo, tmp_path)
    assert ok, log[-1500:]
    assert projects_of(log) == {"openstack/nova", "openstack/neutron"}
    assert [f for f in layout_findings(repo) if f.severity == "error" or f.code == "layout_split_concat"] == []


def test_a_section_in_two_files_keeps_only_the_last(tmp_path):
    repo = split_repo(tmp_path, three(**{"30-neutron.yaml": "projects:\n" + NEUTRON}))
    ok, log = concatenated(repo, tmp_path)
    assert ok, log[-1500:]
    assert projects_of(log) == {"openstack/neutron"}  # nova's project silently dropped, as the warning says
    found = layout_findings(repo)
    assert not [f for f in found if f.severity == "error"]
    assert [(f.code, f.file) for f in found if f.code == "layout_split_concat"] == [
        ("layout_split_concat", "zuul/layout.d/30-neutron.yaml")]


def test_same_project_continued_is_refused(tmp_path):
    repo = split_repo(tmp_path, three(**{"30-dup.yaml": "  - name: openstack/nova\n    check:\n      - noop\n"}))
    ok, log = concatenated(repo, tmp_path)
    assert not ok and "Duplicate name: openstack/nova" in log
    assert [(f.code, f.file, f.line) for f in layout_findings(repo) if f.severity == "error"] == [
        ("layout_duplicate", "zuul/layout.d/30-dup.yaml", 1)]


def test_same_pipeline_in_two_files_loads_the_last_only(tmp_path):
    again = PIPES[PIPES.index("pipelines:\n"):].replace("verified: -1", "verified: -1\n    description: again")
    repo = split_repo(tmp_path, three(**{"05-check-again.yaml": again}))
    ok, log = concatenated(repo, tmp_path)
    # one YAML document: the second 'pipelines:' replaces the first, so Zuul loads one 'check' and no duplicate
    assert ok and log.count("Configured Pipeline Manager check") == 1, log[-1500:]
    # merged (what validate checks), Zuul refuses it: validate says both
    merged = tmp_path / "merged"
    merged.mkdir()
    (merged / "functions.py").write_text((repo / "zuul/functions.py").read_text())
    (merged / "layout.yaml").write_text(PIPES + again[len("pipelines:\n"):] + JOBS + PROJECTS)
    ok, log = zuul_loads(merged / "layout.yaml", merged)
    assert not ok and "Duplicate name: check" in log
    dup = [f for f in layout_findings(repo) if f.code == "layout_duplicate"]
    assert [(f.file, f.line) for f in dup] == [("zuul/layout.d/05-check-again.yaml", 2)]
    assert "silently drop" in dup[0].message


def test_error_in_a_later_part_is_refused_and_located(tmp_path):
    parts = three()
    parts["20-projects.yaml"] = PROJECTS.replace("        flavor: full\n", "")
    repo = split_repo(tmp_path, parts)
    ok, log = concatenated(repo, tmp_path)
    assert not ok, log[-1500:]
    assert [(f.code, f.file, f.line) for f in layout_findings(repo) if f.severity == "error"] == [
        ("layout_template_param", "zuul/layout.d/20-projects.yaml", 4)]
