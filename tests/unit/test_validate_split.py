"""validate on a Zuul 2 layout split over several files (issue 17, part 1).

The layout of test_validate_real_v2 (every construct Zuul 2.5.2 accepts) cut at its top-level sections into
the files of a split layout; tests/integration/test_validate_zuul2_oracle.py concatenates the same files
and asks the real `zuul-server -t`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.test_validate_real_v2 import LAYOUT, errors, make
from vendorci.core.layoutsplit import merge, split_files
from vendorci.core.validate import validate_repo
from vendorci.yamlutil import parse_yaml

#: the sections of LAYOUT as three files: includes + pipelines, jobs + project-templates, projects
PIPES = LAYOUT[:LAYOUT.index("jobs:\n")]
JOBS = LAYOUT[LAYOUT.index("jobs:\n"):LAYOUT.index("projects:\n")]
PROJECTS = LAYOUT[LAYOUT.index("projects:\n"):]
NEUTRON = "  - name: openstack/neutron\n    check:\n      - noop\n"


def split_repo(tmp_path: Path, parts: dict[str, str], folder: str = "zuul/layout.d") -> Path:
    """A repo whose layout is ``parts`` (file name -> text) in ``folder``, functions.py in zuul/."""
    repo = make(tmp_path)
    (repo / "zuul/layout.yaml").unlink()
    (repo / folder).mkdir(parents=True, exist_ok=True)
    for name, text in parts.items():
        (repo / folder / name).write_text(text)
    (repo / folder).parent.joinpath("functions.py").write_text((repo / "zuul/functions.py").read_text())
    return repo


def three(**more: str) -> dict[str, str]:
    return {"00-pipelines.yaml": PIPES, "10-jobs.yaml": JOBS, "20-projects.yaml": PROJECTS, **more}


def found(repo: Path, **kw) -> list[tuple[str, str | None, int | None]]:
    return [(f.code, f.file, f.line) for f in errors(validate_repo(repo, **kw))]


def test_split_folder_is_discovered_and_accepted(tmp_path):
    repo = split_repo(tmp_path, three())
    findings = validate_repo(repo)
    assert errors(findings) == []
    assert not [f for f in findings if f.code == "layout_split_concat"]


@pytest.mark.parametrize("folder", ["zuul/layout.d", "etc/zuul/layout.d", "zuul/layout"])
def test_split_folders_discovered(tmp_path, folder):
    repo = split_repo(tmp_path, three(), folder)
    text = PROJECTS.replace("      - acme-dsvm\n", "      - acme-dsvn\n")
    (repo / folder / "20-projects.yaml").write_text(text)
    assert found(repo) == [("jobs_undefined", f"{folder}/20-projects.yaml", 8)]


def test_layout_option_repeatable_in_the_order_given(tmp_path):
    repo = split_repo(tmp_path, {"a.yaml": PROJECTS, "b.yaml": JOBS, "c.yaml": PIPES}, "ci/zuul")
    assert found(repo, layout=["ci/zuul/c.yaml", "ci/zuul/b.yaml", "ci/zuul/a.yaml"]) == []
    # a folder among the --layout values: its files, sorted
    assert found(repo, layout=["ci/zuul"]) == []


def test_vendorci_yaml_records_a_list(tmp_path):
    repo = split_repo(tmp_path, {"p.yaml": PIPES, "j.yaml": JOBS, "x.yaml": PROJECTS}, "zuul/parts")
    (repo / "vendorci.yaml").write_text("validate:\n  layout: [zuul/parts/p.yaml, zuul/parts/j.yaml, "
                                        "zuul/parts/x.yaml]\n")
    assert found(repo) == []
    (repo / "vendorci.yaml").write_text("validate:\n  layout: [zuul/parts/j.yaml, zuul/parts/x.yaml]\n")
    assert ("layout_invalid", "zuul/parts/j.yaml", 1) in found(repo)  # no pipelines without p.yaml


@pytest.mark.parametrize(("part", "old", "new", "code", "line"), [
    ("00-pipelines.yaml", "    success:\n", "    succes:\n", "layout_unknown_key", 14),
    ("10-jobs.yaml", "    skip-if:", "    skip_if:", "layout_unknown_key", 4),
    ("10-jobs.yaml", "    parameter-function: set_node", "    parameter-function: set_nodes",
     "layout_parameter_function", 3),
    ("20-projects.yaml", "        flavor: full\n", "", "layout_template_param", 4),
    ("20-projects.yaml", "      - noop\n      - acme-dsvm\n", "", "layout_project_jobs", 6),
])
def test_finding_names_the_part_and_its_own_line(tmp_path, part, old, new, code, line):
    parts = three()
    assert old in parts[part]
    parts[part] = parts[part].replace(old, new)
    assert (code, f"zuul/layout.d/{part}", line) in found(split_repo(tmp_path, parts))


def test_same_section_in_two_files_is_merged_with_a_warning(tmp_path):
    repo = split_repo(tmp_path, three(**{"30-neutron.yaml": "projects:\n" + NEUTRON}))
    findings = validate_repo(repo)
    assert errors(findings) == []
    warn = [f for f in findings if f.code == "layout_split_concat"]
    assert [(f.file, f.line) for f in warn] == [("zuul/layout.d/30-neutron.yaml", 1)]
    assert "keeps only the last" in warn[0].message and "drop 1 projects entry" in warn[0].message


def test_a_list_file_continues_the_previous_section(tmp_path):
    repo = split_repo(tmp_path, three(**{"30-neutron.yaml": NEUTRON.replace("noop", "acme-neutron")}))
    findings = validate_repo(repo)
    assert [(f.code, f.file, f.line) for f in errors(findings)] == [
        ("jobs_undefined", "zuul/layout.d/30-neutron.yaml", 3)]
    assert not [f for f in findings if f.code == "layout_split_concat"]


@pytest.mark.parametrize(("extra", "line", "concat"), [
    ("projects:\n  - name: openstack/nova\n    check:\n      - noop\n", 2, True),     # a second projects: key
    ("  - name: openstack/nova\n    check:\n      - noop\n", 1, False),               # the same list, continued
])
def test_project_defined_in_two_files(tmp_path, extra, line, concat):
    repo = split_repo(tmp_path, three(**{"30-dup.yaml": extra}))
    dup = [f for f in errors(validate_repo(repo)) if f.code == "layout_duplicate"]
    assert [(f.file, f.line) for f in dup] == [("zuul/layout.d/30-dup.yaml", line)]
    assert "first at zuul/layout.d/20-projects.yaml:2" in dup[0].message
    assert "Duplicate name: openstack/nova" in dup[0].message
    assert ("silently drop" in dup[0].message) == concat


def test_pipeline_defined_in_two_files(tmp_path):
    check = PIPES[PIPES.index("pipelines:\n"):]
    repo = split_repo(tmp_path, three(**{"05-check-again.yaml": check}))
    dup = [f for f in errors(validate_repo(repo)) if f.code == "layout_duplicate"]
    assert [(f.file, f.line) for f in dup] == [("zuul/layout.d/05-check-again.yaml", 2)]
    assert "pipeline 'check' is defined twice (first at zuul/layout.d/00-pipelines.yaml:4)" in dup[0].message


def test_a_part_that_is_not_a_mapping(tmp_path):
    repo = split_repo(tmp_path, {"00-bad.yaml": "- just\n- a list\n", **three()})
    assert ("layout_invalid", "zuul/layout.d/00-bad.yaml", 1) in found(repo)


def test_merge_keeps_each_items_file_and_line(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(PIPES + PROJECTS)
    b.write_text("\n\n" + NEUTRON)
    merged, split = merge([parse_yaml(a.read_text(), a), parse_yaml(b.read_text(), b)])
    assert [p["name"] for p in merged.data["projects"]] == ["openstack/nova", "openstack/neutron"]
    assert split.origin[("projects", 1)] == b and merged.line("projects", 1, "check") == 4
    assert split.origin[("pipelines", 0)] == a and merged.line("pipelines", 0, "manager") == 5
    assert split_files([tmp_path]) == [a, b]


def test_cli_layout_repeatable_json(tmp_path, cli):
    repo = split_repo(tmp_path, {"a.yaml": PIPES, "b.yaml": JOBS, "c.yaml": PROJECTS.replace("acme-dsvm", "acme-x")},
                      "ci")
    res = cli("-o", "json", "validate", str(repo), "--layout", "ci/a.yaml", "--layout", "ci/b.yaml",
              "--layout", "ci/c.yaml")
    assert res.exit_code == 1
    found = [(f["code"], f["file"], f["line"]) for f in res.json["data"]["findings"] if f["severity"] == "error"]
    assert found == [("jobs_undefined", "ci/c.yaml", 8)]
    res = cli("-o", "json", "validate", str(repo), "--layout", "ci/missing.yaml")
    assert res.exit_code == 2 and res.json["errors"][0]["code"] == "not_a_file"


def test_upstream_size_layout_split_in_twenty_parts(tmp_path):
    """The benchmark's upstream-size repo, its projects cut into 20 parts (each continuing 'projects:' as a bare
    list): the same 100 undefined jobs, each at its own part's line (the merge is linear: see docs)."""
    from benchmarks.validate_upstream import generate

    root = tmp_path / "repo"
    generate(root)
    text = (root / "zuul/layout.yaml").read_text()
    (root / "zuul/layout.yaml").unlink()
    head, projects = text.split("projects:\n", 1)
    items = projects.split("\n  - name: ")
    parts = root / "zuul/layout.d"
    parts.mkdir()
    (parts / "000.yaml").write_text(head + "projects:\n")
    per = len(items) // 20 + 1
    for k in range(20):
        (parts / f"{k + 1:03d}.yaml").write_text("  - name: " * bool(k) + "\n  - name: ".join(
            items[k * per:(k + 1) * per]) + "\n")
    undefined = [f for f in validate_repo(root) if f.code == "jobs_undefined"]
    assert len(undefined) == 100
    for f in undefined:
        job = f.message.split("runs '")[1].split("'")[0]
        assert job in (root / f.file).read_text().splitlines()[f.line - 1]
