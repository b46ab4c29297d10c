"""Checks of the Jenkins Job Builder files: every job the layout runs is defined, every macro exists."""

from __future__ import annotations

import difflib
import re

from vendorci.core.jjb import JJBConfig, load_jjb
from vendorci.core.layout import Layout
from vendorci.core.validate.context import Run


# -- jobs --------------------------------------------------------------------
def read_jjb(c: Run) -> None:
    jdir = c.repo.jjb_dir
    if jdir is None:
        return
    c.jjb = c.guard(lambda: load_jjb(jdir))
    if c.jjb is None:
        return
    for p in c.jjb.problems:
        c.add_finding(p)
    for proj in c.jjb.projects:
        if str(proj.get("vendor", "")).lower() == "myvendor":
            c.add("warning", "jobs_placeholder", f"JJB project '{proj['name']}' still has the example 'vendor: "
                  "myvendor'", *_where(c.jjb, proj), "Set 'vendor:' to your CI's name.")
        if not c.vendor and proj.get("vendor"):
            c.vendor = str(proj["vendor"])
    for f in c.jjb.files:
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if "<your-" in line:
                c.add("warning", "jobs_placeholder", f"placeholder left in: {line.strip()[:80]}", f, n,
                      "Replace the <your-...> placeholder with the real value.")


def _where(jjb: JJBConfig, proj: dict) -> tuple[str | None, int | None]:
    return jjb.where.get(id(proj), (None, None))


def check_jobs(c: Run) -> None:
    jjb = c.jjb
    if jjb is None:
        return
    if c.layout is not None:
        _check_layout_jobs(c, c.layout, jjb)
    _check_macros(c, jjb)


def _job_line(lay: Layout, project: str, job: str) -> int | None:
    for i, proj in enumerate(lay.data.get("projects") or []):
        if isinstance(proj, dict) and proj.get("name") == project:
            for pipe in lay.pipelines:
                entries = proj.get(pipe)
                if isinstance(entries, list):
                    for j, e in enumerate(entries):
                        if e == job or (isinstance(e, dict) and job in e):
                            return lay.line("projects", i, pipe, j)
            return lay.line("projects", i)
    return None


def _check_layout_jobs(c: Run, lay: Layout, jjb: JJBConfig) -> None:
    defined = set(jjb.jobs)
    for project, pipes in lay.project_jobs.items():
        for pipe, jobs in pipes.items():
            for job in jobs:
                if job in defined:
                    continue
                close = difflib.get_close_matches(job, defined, n=1)
                c.add("error", "jobs_undefined", f"project '{project}' runs '{job}' in '{pipe}', but no JJB "
                      "definition creates that job (Zuul would report NOT_REGISTERED)", lay.path,
                      _job_line(lay, project, job),
                      f"Did you mean '{close[0]}'?" if close else
                      "Add a job or job-template (expanded by a JJB project) with that name.")
    for i, js in enumerate(lay.data.get("jobs") or []):
        name = js.get("name") if isinstance(js, dict) else None
        if not isinstance(name, str):
            continue
        try:
            rx = re.compile(name) if name.startswith("^") else None
        except re.error:
            continue
        if not any((rx.search(j) if rx else j == name) for j in defined | lay.all_jobs()):
            c.add("warning", "jobs_setting_unused", f"job setting '{name}' matches no job", lay.path,
                  lay.line("jobs", i), "Remove it or fix the name.")


def known_components(kind: str) -> set[str] | None:
    """Names of JJB's built-in components of ``kind`` ("builder"...), or None if JJB is not installed."""
    import importlib

    module = {"builder": "builders", "publisher": "publishers", "wrapper": "wrappers", "trigger": "triggers",
              "scm": "scm", "property": "properties", "parameter": "parameters", "reporter": "reporters",
              "notification": "notifications"}[kind]
    try:
        mod = importlib.import_module(f"jenkins_jobs.modules.{module}")
    except Exception:  # noqa: BLE001 - JJB absent or broken: fall back to the static list
        return None
    names = {"raw"}
    for obj in vars(mod).values():
        doc = getattr(obj, "__doc__", None)
        if callable(obj) and isinstance(doc, str) and doc.startswith("yaml:"):
            parts = doc.split("\n", 1)[0].split()
            if len(parts) > 1:
                names.add(parts[1])
    return names


#: Used when jenkins-job-builder is not installed: common components only.
COMMON_COMPONENTS = {
    "builder": {"shell", "batch", "trigger-builds", "copyartifact", "inject", "python", "raw", "conditional-step",
                "system-groovy", "groovy", "maven-target", "ant", "make"},
    "publisher": {"scp", "archive", "junit", "email", "email-ext", "trigger", "trigger-parameterized-builds",
                  "ftp", "ssh", "postbuildscript", "raw", "workspace-cleanup", "xunit", "text-finder"},
    "wrapper": {"timeout", "timestamps", "ansicolor", "workspace-cleanup", "build-name", "credentials-binding",
                "ssh-agent-credentials", "raw", "inject", "pre-scm-buildstep"},
}


def _check_macros(c: Run, jjb: JJBConfig) -> None:
    known: dict[str, set[str] | None] = {}
    # who uses what: one entry per job-template (not per expanded job), plain job or macro
    users: dict[str, tuple[dict[str, list[str]], str | None, int | None]] = {}
    for j in jjb.jobs.values():
        who = f"job-template '{j.template}'" if j.template else f"job '{j.name}'"
        users.setdefault(who, (j.components, j.file, j.line))
    for m in jjb.macros.values():
        users.setdefault(f"{m.kind} macro '{m.name}'", (m.components, m.file, m.line))
    missing: dict[tuple[str, str], list[tuple[str, str | None, int | None]]] = {}
    for who, (comps, file, line) in users.items():
        for kind, names in comps.items():
            if kind not in known:
                known[kind] = known_components(kind)
            for name in names:
                builtin = known[kind] or COMMON_COMPONENTS.get(kind, set())
                if (kind, name) not in jjb.macros and name not in builtin:
                    missing.setdefault((kind, name), []).append((who, file, line))
    for (kind, name), where in missing.items():
        exact = known.get(kind) is not None
        c.add("error" if exact else "warning", "jobs_macro_missing",
              f"{', '.join(w for w, _, _ in where)} uses {kind} '{name}', which no '{kind}' macro defines and "
              "is not a Jenkins Job Builder component", where[0][1], where[0][2],
              f"Define '- {kind}: {{name: {name}, ...}}' in a JJB file (e.g. macros.yaml)"
              + ("." if exact else "; install jenkins-job-builder for an exact check."))
