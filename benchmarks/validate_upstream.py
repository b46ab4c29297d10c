"""Wall time of `vendorci validate` on an upstream-sized data repository (generated, not fetched).

Run by hand:  python benchmarks/validate_upstream.py [PROJECTS]
The input is generated to the size of OpenStack's Zuul 2 layout of 2016-2017 (about 19,000 lines,
1,650 JJB jobs): PROJECTS projects (default 1,500), each with a few pipelines of jobs from
project-templates and its own jobs; the JJB side has job-templates expanded by one JJB project per
layout project, macros, defaults and job-groups.  About 3% of the layout's jobs are left undefined
(near misses of real names) so that the 'did you mean' path is measured too.  Zuul 2.5.2's own loader
took 4.4 s on the real upstream layout; this must stay within a few seconds.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PIPELINES = ("check", "gate", "post", "experimental")


def generate(root: Path, projects: int = 1500) -> tuple[int, int]:
    """Write a data repo under ``root``; returns (layout lines, JJB jobs)."""
    (root / "zuul").mkdir(parents=True)
    jdir = root / "jenkins/jobs"
    jdir.mkdir(parents=True)
    lay = ["pipelines:"]
    for p in PIPELINES:
        lay += [f"  - name: {p}", "    manager: IndependentPipelineManager", "    trigger:", "      gerrit:",
                "        - event: patchset-created", "    success:", "      gerrit:", "        verified: 1",
                "    failure:", "      gerrit:", "        verified: -1"]
    lay += ["project-templates:", "  - name: python-jobs", "    check:", "      - 'gate-{name}-pep8'",
            "    gate:", "      - 'gate-{name}-pep8'",
            "jobs:", "  - name: ^gate-.*-docs$", "    voting: false", "  - name: ^.*-dsvm-.*$", "    branch: ^master$",
            "projects:"]
    jjb = ["- builder:", "    name: run-tox", "    builders:", "      - shell: 'tox -e {envlist}'",
           "- defaults:", "    name: global", "    node: bare-xenial",
           "- job-template:", "    name: 'gate-{name}-pep8'", "    builders:", "      - run-tox:",
           "          envlist: pep8",
           "- job-template:", "    name: '{name}-dsvm-{suite}'", "    builders:", "      - shell: 'run {suite}'",
           "- job-group:", "    name: dsvm-jobs", "    jobs:", "      - '{name}-dsvm-{suite}'"]
    jobs = 0
    for i in range(projects):
        name = f"project{i:04d}"
        lay += [f"  - name: openstack/{name}", "    merge-mode: merge-resolve", "    template:",
                "      - name: python-jobs"]
        dsvm = i % 10 == 0
        for p in ("check", "gate"):
            lay.append(f"    {p}:")
            if dsvm:
                lay.append(f"      - {name}-dsvm-full")
                lay.append(f"      - {name}-dsvm-{'neutron' if i % 30 else 'neutrn'}")  # 3%: a near miss
            lay.append("      - noop")
        lay += ["    post:", "      - noop", "    experimental:", "      - noop"]
        jjb += ["- project:", f"    name: {name}", "    jobs:", "      - 'gate-{name}-pep8'"]
        jobs += 1
        if dsvm:
            jjb += ["      - dsvm-jobs:", "          suite:", "            - full", "            - neutron"]
            jobs += 2
    (root / "zuul/layout.yaml").write_text("\n".join(lay) + "\n")
    (jdir / "jobs.yaml").write_text("\n".join(jjb) + "\n")
    return len(lay), jobs


def main() -> None:
    from vendorci.core.validate import validate_repo

    projects = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
    with tempfile.TemporaryDirectory() as d:
        lines, jobs = generate(Path(d) / "repo", projects)
        t0 = time.perf_counter()
        findings = validate_repo(Path(d) / "repo")
        took = time.perf_counter() - t0
    undefined = sum(f.code == "jobs_undefined" for f in findings)
    print(f"validate: {lines} layout lines, {jobs} JJB jobs, {undefined} undefined jobs reported: {took:.2f} s")


if __name__ == "__main__":
    main()
