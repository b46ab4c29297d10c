"""The JJB check when jenkins-job-builder cannot be imported: vendorci's own JJB reader and component list.

:func:`vendorci.core.jjb.load_jjb_files` expands the projects' job-templates and job-groups the way JJB does
(the job names the layout needs), and reports unknown templates, missing parameters and duplicate jobs;
every component a job, job-template or macro uses must be a macro of the repository or one of JJB's
components (:mod:`vendorci.core.jjb_components`, generated from JJB's registry).  What only JJB itself can
check (each component's options, the XML) is not: the run carries a note saying so, not a finding, so that a
correct repository still passes ``validate --strict``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vendorci.core.validate.context import Run
from vendorci.core.validate.jjblib import JJBJobs, yaml_files
from vendorci.errors import Code

#: the expansion problems after which the job list is incomplete (undefined jobs are then only warnings)
_PARTIAL = {Code.JJB_UNKNOWN_TEMPLATE, Code.JJB_MISSING_PARAM, Code.JJB_STRUCTURE}


def read_builtin(c: Run, dirs: list[Path], why: str) -> JJBJobs:
    """What JJB would give (job names, project parameters), from the built-in reader; findings go to ``c``."""
    from vendorci.core.jjb import load_jjb_files
    from vendorci.core.jjb_components import JJB_VERSION

    c.notes.append(f"Jenkins Job Builder is not importable ({why}): the JJB files were checked by vendorci's "
                   f"built-in reader and JJB {JJB_VERSION}'s component list, not by JJB itself (install "
                   "jenkins-job-builder for its full checks)")
    files = yaml_files(dirs)
    out = JJBJobs(files=files)
    root = dirs[0] if dirs[0].is_dir() else dirs[0].parent
    cfg = c.guard(lambda: load_jjb_files(root, files))
    if cfg is None:  # bad YAML: a finding already; the job set is unknown
        out.complete = False
        return out
    for problem in cfg.problems:
        c.add_finding(problem)
        if problem.code in _PARTIAL:
            out.complete = False
    for name, (file, line), (ffile, fline) in cfg.duplicate_macros:  # as JJB says it (JJB stops at the first)
        c.add("error", "jobs_jjb", f"Jenkins Job Builder: Duplicate macro: '{name}' (first defined at "
              f"{c.repo.rel(ffile)}:{fline}; JJB refuses duplicates)", file, line,
              "Keep one definition (rename or remove the other).")
    out.jobs = {name: (job.file, job.line) for name, job in cfg.jobs.items()}
    for proj in cfg.projects:
        file, line = cfg.where.get(id(proj), (None, None))
        out.project_params.append({**proj, "__file": file, "__line": line})
    _check_components(c, cfg)
    return out


def _check_components(c: Run, cfg: Any) -> None:
    from vendorci.core.jjb_components import COMPONENTS, JJB_VERSION

    users: dict[str, tuple[dict[str, list[str]], str | None, int | None]] = {}
    for job in cfg.jobs.values():
        who = f"job-template '{job.template}'" if job.template else f"job '{job.name}'"
        users.setdefault(who, (job.components, job.file, job.line))
    for macro in cfg.macros.values():
        users.setdefault(f"{macro.kind} macro '{macro.name}'", (macro.components, macro.file, macro.line))
    unknown: dict[tuple[str, str], list[tuple[str, str | None, int | None]]] = {}
    for who, (comps, file, line) in users.items():
        for kind, names in comps.items():
            known = COMPONENTS.get(kind)
            if known is None:
                continue
            for name in names:
                if "{" in name or (kind, name) in cfg.macros or name in known:
                    continue
                unknown.setdefault((kind, name), []).append((who, file, line))
    for (kind, name), where in unknown.items():
        c.add("error", Code.JOBS_UNKNOWN_COMPONENT, f"{', '.join(w for w, _, _ in where)} uses {kind} '{name}', "
              f"which no '{kind}' macro defines and is not a component of Jenkins Job Builder {JJB_VERSION}",
              where[0][1], where[0][2], f"Define it as a macro ('- {kind}:' with 'name: {name}', e.g. in "
              "macros.yaml) or fix the spelling; a component from a JJB plugin is checked only with "
              "jenkins-job-builder and the plugin installed where vendorci runs.")
