"""``vendorci validate``: check a data repository without touching any server.

:func:`validate_repo` returns :class:`Finding` objects, one per problem, each
with a file, a line when known, and a fix hint.  Areas (the code prefix):
``yaml`` syntax, ``layout`` (Zuul v2 schema, regexes, recheck syntax),
``jobs`` (every job a project runs is defined by JJB; macros exist), ``vars``
(vars.sh against the files that use it), ``keys`` (key files and modes),
``config`` (vendorci.yaml, zuul.conf), ``repo`` (the checkout itself).
"""

from __future__ import annotations

import configparser
import difflib
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vendorci.core.datarepo import (
    KEY_VARS,
    KNOWN_VARS,
    REQUIRED_VARS,
    DataRepo,
    Finding,
    VarsFile,
    find_datarepo,
    parse_vars,
    var_references,
)
from vendorci.core.jjb import JJBConfig, load_jjb
from vendorci.core.layout import Layout, parse_layout
from vendorci.errors import VendorciError
from vendorci.yamlutil import load_yaml

__all__ = ["Finding", "validate_repo", "area_of", "AREAS"]

AREAS = ("yaml", "layout", "jobs", "vars", "keys", "config", "repo")
_AREA_PREFIX = {"yaml": "yaml", "layout": "layout", "jjb": "jobs", "jobs": "jobs", "vars": "vars",
                "keys": "keys", "config": "config", "zuul": "config", "repo": "repo"}

LAYOUT_TOP = {"includes", "pipelines", "project-templates", "jobs", "projects"}
MANAGERS = {"IndependentPipelineManager", "DependentPipelineManager"}
PIPELINE_KEYS = {
    "name", "description", "manager", "source", "precedence", "require", "reject", "trigger", "start", "success",
    "failure", "merge-failure", "disabled", "success-message", "failure-message", "merge-failure-message",
    "footer-message", "start-message", "dequeue-on-new-patchset", "ignore-dependencies", "window",
    "window-floor", "window-increase-type", "window-increase-factor", "window-decrease-type",
    "window-decrease-factor", "disable-after-consecutive-failures",
}
REPORTER_KEYS = ("start", "success", "failure", "merge-failure", "disabled")
REPORTERS = {"gerrit", "smtp", "sql", "mysql"}
TRIGGERS = {"gerrit", "timer", "zuul"}
GERRIT_EVENTS = {"patchset-created", "draft-published", "change-abandoned", "change-restored", "change-merged",
                 "comment-added", "ref-updated", "ref-replicated", "topic-changed"}
GERRIT_TRIGGER_KEYS = {"event", "branch", "ref", "ignore-deletes", "approval", "require-approval",
                       "reject-approval", "comment", "comment_filter", "email", "email_filter", "username",
                       "username_filter"}
TRIGGER_REGEX_KEYS = ("branch", "ref", "comment", "comment_filter", "email", "email_filter", "username",
                      "username_filter")
JOB_SETTING_KEYS = {"name", "queue-name", "failure-message", "success-message", "failure-pattern",
                    "success-pattern", "hold-following-changes", "voting", "mutex", "tags", "parameter-function",
                    "branch", "files", "skip-if", "swift"}
PROJECT_NON_PIPELINE = {"name", "template", "merge-mode"}
KEY_MODE_MASK = 0o077


def area_of(code: str) -> str:
    return _AREA_PREFIX.get(code.split("_", 1)[0], "repo")


class _Ctx:
    """What one validation run accumulates."""

    def __init__(self, repo: DataRepo) -> None:
        self.repo = repo
        self.findings: list[Finding] = []
        self.layout: Layout | None = None
        self.jjb: JJBConfig | None = None
        self.vars: VarsFile | None = None
        self.vendor: str | None = None

    def add(self, severity: str, code: str, message: str, file: Path | str | None = None,
            line: int | None = None, hint: str | None = None) -> None:
        rel = self.repo.rel(file) if file is not None else None
        self.findings.append(Finding(severity, code, message, rel, line, hint))

    def add_finding(self, f: Finding) -> None:
        if f.file:
            f.file = self.repo.rel(f.file)
        self.findings.append(f)

    def guard(self, fn: Callable[[], Any], area: str = "yaml", file: Path | None = None) -> Any:
        """Run a loader; an InputError becomes a finding (with its file and line)."""
        try:
            return fn()
        except VendorciError as err:
            data = err.data or {}
            file = data.get("file") or file
            code = err.code if err.code.startswith(("yaml", "layout", "jjb", "vars", "config", "zuul")) \
                else f"{area}_{err.code}"
            msg = err.message
            if file and msg.startswith(str(file)):
                msg = msg[len(str(file)):].lstrip(":0123456789 ")
            self.add("error", code, msg, file, data.get("line"), err.hint)
            return None


def validate_repo(directory: str | Path) -> list[Finding]:
    """Every finding for the data repo at ``directory`` (InputError if it is not one)."""
    repo = find_datarepo(directory)
    c = _Ctx(repo)
    _check_config(c)
    _check_vars(c)
    _load_jjb(c)
    _check_layout(c)
    _check_jobs(c)
    _check_var_usage(c)
    _check_keys(c)
    _check_repo(c)
    return c.findings


# -- config ------------------------------------------------------------------
def _check_config(c: _Ctx) -> None:
    repo = c.repo
    config = repo.config
    if config is not None:
        from vendorci.config import read_config_file

        values = c.guard(lambda: read_config_file(config))
        if values is not None:
            c.vendor = values[0].get("vendor")
    if repo.zuul_conf is not None:
        cp = configparser.RawConfigParser()
        try:
            cp.read_string(repo.zuul_conf.read_text(encoding="utf-8"), str(repo.zuul_conf))
        except (configparser.Error, UnicodeDecodeError, OSError) as exc:
            line = getattr(exc, "lineno", None)
            c.add("error", "zuul_conf_invalid", f"invalid INI: {str(exc).splitlines()[0]}", repo.zuul_conf, line,
                  "Fix the INI syntax: [section] headers and key=value lines.")
            return
        for section in ("gearman", "gerrit", "zuul"):
            if not cp.has_section(section):
                c.add("error", "zuul_conf_section", f"zuul.conf has no [{section}] section", repo.zuul_conf, None,
                      f"Add [{section}]; see docs/init.md for a complete zuul.conf.")
    if repo.jjb_ini is not None:
        _check_jjb_ini(c, repo.jjb_ini)
    if repo.layout is None:
        c.add("error", "layout_missing", "no Zuul layout (etc/zuul/layout.yaml or zuul/layout.yaml)",
              repo.root, None, "Create etc/zuul/layout.yaml, or run `vendorci init` to start a repo.")
    if repo.jjb_dir is None:
        c.add("error", "jobs_missing_dir", "no Jenkins Job Builder directory (etc/jenkins_jobs/config or "
              "jenkins/jobs)", repo.root, None, "Create etc/jenkins_jobs/config/ with your job definitions.")


def _check_jjb_ini(c: _Ctx, path: Path) -> None:
    cp = configparser.RawConfigParser()
    try:
        cp.read_string(path.read_text(encoding="utf-8"), str(path))
    except (configparser.Error, UnicodeDecodeError, OSError) as exc:
        c.add("error", "config_jjb_ini", f"invalid INI: {str(exc).splitlines()[0]}", path,
              getattr(exc, "lineno", None), "Fix the INI syntax: [section] headers and key=value lines.")
        return
    if cp.has_option("jenkins", "password") and cp.get("jenkins", "password").strip():
        line = next((n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                     if text.strip().startswith("password")), None)
        c.add("error", "config_secret_in_repo", "jenkins_jobs.ini holds a Jenkins password or API token", path,
              line, "Remove it (and revoke the token); give it at run time (jenkins-jobs --password, "
              "VENDORCI_JENKINS_TOKEN).")


# -- layout ------------------------------------------------------------------
def _compile(c: _Ctx, pattern: Any, what: str, file: Path, line: int | None) -> re.Pattern | None:
    for pat in pattern if isinstance(pattern, list) else [pattern]:
        if not isinstance(pat, str):
            c.add("error", "layout_regex", f"{what}: expected a regex string, got {type(pat).__name__}", file, line,
                  "Quote the regex.")
            return None
        try:
            return re.compile(pat)
        except re.error as exc:
            c.add("error", "layout_regex", f"{what}: regex does not compile: {exc}", file, line,
                  "Fix the regular expression (Python re syntax).")
    return None


def _check_layout(c: _Ctx) -> None:
    path = c.repo.layout
    if path is None:
        return
    loaded = c.guard(lambda: load_yaml(path))
    if loaded is None:
        return
    c.layout = c.guard(lambda: parse_layout(loaded))
    lay = c.layout
    if lay is None:
        return
    data = lay.data
    for key in data:
        if key not in LAYOUT_TOP:
            c.add("error", "layout_unknown_key", f"unknown top-level section '{key}'", path, lay.line(key),
                  "Zuul v2 layouts have: " + ", ".join(sorted(LAYOUT_TOP)) + ".")
    for i, inc in enumerate(data.get("includes") or []):
        pyfile = inc.get("python-file") if isinstance(inc, dict) else None
        if pyfile and not (path.parent / str(pyfile)).is_file():
            c.add("error", "layout_include_missing", f"includes python-file '{pyfile}', which does not exist "
                  f"beside the layout", path, lay.line("includes", i), "Add the file or remove the include.")
    seen: set[str] = set()
    for i, pipe in enumerate(data.get("pipelines") or []):
        _check_pipeline(c, lay, i, pipe, seen)
    for i, tpl in enumerate(data.get("project-templates") or []):
        if not isinstance(tpl, dict) or not tpl.get("name"):
            c.add("error", "layout_template_name", "project-template without a name", path,
                  lay.line("project-templates", i), "Add 'name:'.")
            continue
        for key in tpl:
            if key != "name" and key not in lay.pipelines:
                c.add("error", "layout_unknown_pipeline", f"project-template '{tpl['name']}' lists jobs for "
                      f"pipeline '{key}', which is not defined", path, lay.line("project-templates", i, key),
                      "Define the pipeline or fix the name: " + ", ".join(lay.pipelines))
    for i, js in enumerate(data.get("jobs") or []):
        _check_job_setting(c, lay, i, js)
    _check_projects(c, lay)


def _check_pipeline(c: _Ctx, lay: Layout, i: int, pipe: Any, seen: set[str]) -> None:
    path = lay.path
    at = lay.line("pipelines", i)
    if not isinstance(pipe, dict) or not pipe.get("name"):
        c.add("error", "layout_pipeline_name", "pipeline without a name", path, at, "Add 'name:'.")
        return
    name = str(pipe["name"])
    rechecks: list[tuple[re.Pattern, int | None]] = []
    if name in seen:
        c.add("error", "layout_duplicate", f"pipeline '{name}' is defined twice", path, at, "Remove one.")
    seen.add(name)
    for key in pipe:
        if key not in PIPELINE_KEYS:
            c.add("warning", "layout_unknown_key", f"pipeline '{name}': unknown setting '{key}'", path,
                  lay.line("pipelines", i, key), "Check the spelling against the Zuul v2 manual.")
    manager = pipe.get("manager")
    if manager not in MANAGERS:
        c.add("error", "layout_manager", f"pipeline '{name}': manager {manager!r} is not "
              + " or ".join(sorted(MANAGERS)), path, lay.line("pipelines", i, "manager") or at,
              "Third-party CI check pipelines use IndependentPipelineManager.")
    trig = pipe.get("trigger")
    if not isinstance(trig, dict) or not trig:
        c.add("error", "layout_trigger", f"pipeline '{name}' has no trigger", path, at,
              "Add 'trigger: {gerrit: [{event: patchset-created}]}'.")
    else:
        for tname, entries in trig.items():
            tline = lay.line("pipelines", i, "trigger", tname)
            if tname not in TRIGGERS:
                c.add("error", "layout_trigger", f"pipeline '{name}': unknown trigger '{tname}'", path, tline,
                      "Use gerrit, timer or zuul.")
                continue
            if tname != "gerrit":
                continue
            if not isinstance(entries, list):
                c.add("error", "layout_trigger", f"pipeline '{name}': the gerrit trigger must be a list of "
                      "'- event: ...' entries", path, tline, "Write '- event: patchset-created'.")
                continue
            for j, ev in enumerate(entries):
                _check_gerrit_trigger(c, lay, name, (i, j), ev, rechecks)
    for rk in REPORTER_KEYS:
        rep = pipe.get(rk)
        rline = lay.line("pipelines", i, rk)
        if rep is None:
            continue
        if not isinstance(rep, dict):
            c.add("error", "layout_reporter", f"pipeline '{name}': '{rk}' must map reporters (gerrit, smtp)",
                  path, rline, "Write e.g. 'success: {gerrit: {verified: 1}}'.")
            continue
        for rname in rep:
            if rname not in REPORTERS:
                c.add("error", "layout_reporter", f"pipeline '{name}': unknown reporter '{rname}' in '{rk}'",
                      path, rline, "Use gerrit or smtp.")
        if rk == "start" and "gerrit" in rep:
            c.add("warning", "layout_start_report", f"pipeline '{name}' reports to Gerrit when jobs start",
                  path, rline, "Upstream asks third-party CIs not to post start messages; remove 'start:'.")
    if not any(k in pipe for k in ("success", "failure")):
        c.add("warning", "layout_reporter", f"pipeline '{name}' reports neither success nor failure", path, at,
              "Add 'success: {gerrit: {verified: 1}}' and 'failure: {gerrit: {verified: -1}}'.")
    votes = any(isinstance(pipe.get(k), dict) and "gerrit" in pipe[k] for k in ("success", "failure"))
    if votes and isinstance(trig, dict) and isinstance(trig.get("gerrit"), list):
        _check_recheck(c, lay, name, rechecks, at)


def _check_gerrit_trigger(c: _Ctx, lay: Layout, pname: str, ij: tuple[int, int], ev: Any, rechecks: list) -> None:
    i, j = ij
    at = lay.line("pipelines", i, "trigger", "gerrit", j)
    if not isinstance(ev, dict):
        c.add("error", "layout_trigger", f"pipeline '{pname}': gerrit trigger entry is not a mapping",
              lay.path, at, "Write '- event: patchset-created'.")
        return
    events = ev.get("event")
    for e in events if isinstance(events, list) else [events]:
        if e not in GERRIT_EVENTS:
            c.add("error", "layout_event", f"pipeline '{pname}': unknown Gerrit event {e!r}", lay.path, at,
                  "Known events: " + ", ".join(sorted(GERRIT_EVENTS)) + ".")
    for key in ev:
        if key not in GERRIT_TRIGGER_KEYS:
            c.add("warning", "layout_unknown_key", f"pipeline '{pname}': unknown gerrit trigger setting '{key}'",
                  lay.path, lay.line("pipelines", i, "trigger", "gerrit", j, key), "Check the spelling.")
    for key in TRIGGER_REGEX_KEYS:
        if key in ev:
            kline = lay.line("pipelines", i, "trigger", "gerrit", j, key)
            rx = _compile(c, ev[key], f"pipeline '{pname}' {key}", lay.path, kline)
            if rx is not None and key in ("comment", "comment_filter"):
                for pat in ev[key] if isinstance(ev[key], list) else [ev[key]]:
                    rechecks.append((re.compile(pat), kline))


def _check_job_setting(c: _Ctx, lay: Layout, i: int, js: Any) -> None:
    at = lay.line("jobs", i)
    if not isinstance(js, dict) or not js.get("name"):
        c.add("error", "layout_job_name", "jobs: entry without a name", lay.path, at, "Add 'name:'.")
        return
    name = str(js["name"])
    if name.startswith("^"):
        _compile(c, name, f"job setting name '{name}'", lay.path, at)
    for key in js:
        if key not in JOB_SETTING_KEYS:
            c.add("warning", "layout_unknown_key", f"job '{name}': unknown setting '{key}'", lay.path,
                  lay.line("jobs", i, key), "Check the spelling against the Zuul v2 manual.")
    for key in ("branch", "files", "skip-if"):
        if key in js and key != "skip-if":
            _compile(c, js[key], f"job '{name}' {key}", lay.path, lay.line("jobs", i, key))
    func = js.get("parameter-function")
    if func:
        files = [lay.path.parent / str(inc["python-file"]) for inc in lay.data.get("includes") or []
                 if isinstance(inc, dict) and inc.get("python-file")]
        defined = any(re.search(rf"^def {re.escape(str(func))}\s*\(", f.read_text(encoding="utf-8",
                      errors="replace"), re.M) for f in files if f.is_file())
        if not defined:
            c.add("error", "layout_parameter_function", f"job '{name}': parameter-function '{func}' is not "
                  "defined in any included python-file", lay.path, lay.line("jobs", i, "parameter-function"),
                  "Define it in the file listed under 'includes: - python-file:'.")


def _check_projects(c: _Ctx, lay: Layout) -> None:
    seen: set[str] = set()
    for i, proj in enumerate(lay.data.get("projects") or []):
        at = lay.line("projects", i)
        if not isinstance(proj, dict) or not isinstance(proj.get("name"), str):
            c.add("error", "layout_project_name", "project without a name", lay.path, at,
                  "Add 'name: ORG/PROJECT'.")
            continue
        name = proj["name"]
        if name in seen:
            c.add("error", "layout_duplicate", f"project '{name}' is listed twice", lay.path, at, "Merge them.")
        seen.add(name)
        for key in proj:
            if key not in PROJECT_NON_PIPELINE and key not in lay.pipelines:
                c.add("error", "layout_unknown_pipeline", f"project '{name}' lists jobs for pipeline '{key}', "
                      "which is not defined", lay.path, lay.line("projects", i, key),
                      "Define the pipeline or fix the name: " + ", ".join(lay.pipelines))
        refs = proj.get("template") or []
        if not isinstance(refs, list):
            c.add("error", "layout_unknown_template", f"project '{name}': 'template' must be a list of "
                  "'- name: TEMPLATE'", lay.path, lay.line("projects", i, "template"),
                  "Write 'template:' then '  - name: TEMPLATE'.")
            refs = []
        for j, ref in enumerate(refs):
            tname = ref.get("name") if isinstance(ref, dict) else None
            if tname not in lay.templates:
                c.add("error", "layout_unknown_template", f"project '{name}' uses project-template {tname!r}, "
                      "which is not defined", lay.path, lay.line("projects", i, "template", j),
                      "Define it under 'project-templates:' or fix the name.")
        if not lay.project_jobs.get(name):
            c.add("warning", "layout_project_no_jobs", f"project '{name}' runs no job in any pipeline", lay.path,
                  at, "List at least one job under a pipeline, e.g. 'check: [noop-check-communication]'.")


def _check_recheck(c: _Ctx, lay: Layout, pname: str, rechecks: list, at: int | None) -> None:
    """A voting pipeline must answer 'recheck' and 'VENDOR: recheck' (Gerrit prefixes 'Patch Set N:')."""
    vendor = c.vendor if c.vendor and c.vendor.lower() != "myvendor" else None
    said = ["recheck"] + ([f"{vendor}: recheck"] if vendor else [])
    for word in said:
        samples = [f"Patch Set 1:\n\n{word}", f"Patch Set 12: Code-Review+1\n\n{word}"]
        if not all(any(rx.search(s) for rx, _ in rechecks) for s in samples):
            c.add("warning", "layout_recheck", f"pipeline '{pname}': no comment-added trigger matches a "
                  f"'{word}' comment (as Gerrit posts it, after 'Patch Set N:')",
                  lay.path, rechecks[0][1] if rechecks else at,
                  "Accept both 'recheck' and 'VENDOR: recheck', e.g. comment: "
                  r"(?i)^(Patch Set [0-9]+:)?( [\w\\+-]*)*(\n\n)?\s*(VENDOR:\s*)?recheck\s*$")
    for rx, rline in rechecks:
        if "myvendor" in rx.pattern.lower():
            c.add("warning", "layout_recheck_placeholder", f"pipeline '{pname}': the recheck regex still names "
                  "the example vendor 'myvendor'", lay.path, rline, "Replace 'myvendor' with your CI's name.")


# -- jobs --------------------------------------------------------------------
def _load_jjb(c: _Ctx) -> None:
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


def _check_jobs(c: _Ctx) -> None:
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


def _check_layout_jobs(c: _Ctx, lay: Layout, jjb: JJBConfig) -> None:
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


def _check_macros(c: _Ctx, jjb: JJBConfig) -> None:
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


# -- vars --------------------------------------------------------------------
def _check_vars(c: _Ctx) -> None:
    if c.repo.vars_sh is None:
        if c.repo.layout is not None and c.repo.rel(c.repo.layout).startswith("zuul/"):
            return  # project-config style: settings live in the installer's hiera, not in vars.sh
        c.add("warning", "vars_missing", "no vars.sh", c.repo.root, None,
              "Add vars.sh with the variables the installer needs (see docs/init.md).")
        return
    vars_sh = c.repo.vars_sh
    c.vars = c.guard(lambda: parse_vars(vars_sh), "vars", vars_sh)
    if c.vars is None:
        return
    for p in c.vars.problems:
        c.add_finding(p)
    for name in REQUIRED_VARS:
        if name not in c.vars.vars:
            close = difflib.get_close_matches(name, c.vars.vars, n=1, cutoff=0.75)
            c.add("error", "vars_required", f"vars.sh does not set {name} ({KNOWN_VARS[name]})", c.repo.vars_sh,
                  None, f"Add 'export {name}=...'" + (f" (is '{close[0]}' meant to be it?)" if close else "") + ".")
    if not c.vendor:
        c.vendor = c.vars.get("VENDOR")


_SKIP_SCAN = {".git", "__pycache__"}


def _text_files(root: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in _SKIP_SCAN]
        for f in filenames:
            p = Path(dirpath) / f
            if f == "vars.sh" and Path(dirpath) == root or f.lower().startswith("readme") or f.endswith(".pub"):
                continue
            try:
                if p.stat().st_size > 1024 * 1024:
                    continue
                head = p.read_bytes()
            except OSError:
                continue
            if b"\0" in head or b"PRIVATE KEY" in head:
                continue
            out.append(p)
    return out


def _check_var_usage(c: _Ctx) -> None:
    vf = c.vars
    if vf is None:
        return
    refs: dict[str, dict[Path, int]] = {}  # name -> file -> first line using it
    for p in _text_files(c.repo.root):
        text = p.read_text(encoding="utf-8", errors="replace")
        for n, line in enumerate(text.splitlines(), 1):
            if line.lstrip().startswith(("#", ";")) and not line.lstrip().startswith("#!"):
                continue  # a comment may talk about ${NAME} without using it
            for name in var_references(line):
                refs.setdefault(name, {}).setdefault(p, n)
    for name, p, n in sorted((name, p, n) for name, uses in refs.items() for p, n in uses.items()):
        if name not in vf.vars:
            close = difflib.get_close_matches(name, vf.vars, n=1, cutoff=0.75)
            c.add("error", "vars_undefined", f"{c.repo.rel(p)} uses ${{{name}}}, which vars.sh does not set", p, n,
                  f"vars.sh sets '{close[0]}': rename one of them." if close else f"Add 'export {name}=...' to "
                  "vars.sh.")
    for name, var in vf.vars.items():
        if name in refs or name in KNOWN_VARS:
            continue
        close = difflib.get_close_matches(name, [k for k in KNOWN_VARS if k not in vf.vars], n=1, cutoff=0.8)
        if close:
            c.add("error", "vars_misnamed", f"{name} is read by nothing; the name that is read is {close[0]} "
                  f"({KNOWN_VARS[close[0]]})", vf.path, var.line, f"Rename {name} to {close[0]}.")
        else:
            c.add("warning", "vars_unused", f"{name} is set but no file of the repo uses it", vf.path, var.line,
                  f"Remove it, or use ${{{name}}} where it is meant to be used.")


# -- keys --------------------------------------------------------------------
def _check_keys(c: _Ctx) -> None:
    root = c.repo.root
    paths: dict[Path, str] = {}
    if c.vars is not None:
        for name in KEY_VARS:
            value = c.vars.get(name)
            if not value:
                continue
            p = Path(os.path.expanduser(value))
            if p.is_absolute():
                c.add("warning", "keys_outside", f"{name}={value} points outside the repository", c.vars.path,
                      c.vars.vars[name].line, "Keep the key in the data repo and give a relative path.")
            paths[p if p.is_absolute() else root / p] = name
    for default in ("gerrit_key", "jenkins_key"):
        if (root / default).exists() and root / default not in paths:
            paths[root / default] = default
    for p, name in paths.items():
        line = c.vars.vars[name].line if c.vars is not None and name in c.vars.vars else None
        src = c.vars.path if line and c.vars is not None else p
        if not p.exists():
            c.add("error", "keys_missing", f"{name} names {c.repo.rel(p)}, which does not exist", src, line,
                  f"Copy the private key there, or create one: vendorci keys generate {p.name} --dir "
                  f"{p.parent}")
            continue
        if p.is_dir():
            c.add("error", "keys_missing", f"{c.repo.rel(p)} is a directory, not a key", src, line,
                  "Point the variable at the private key file.")
            continue
        mode = stat.S_IMODE(p.stat().st_mode)
        if mode & KEY_MODE_MASK:
            c.add("error", "keys_mode", f"private key {c.repo.rel(p)} has mode {mode:o}; others can read it", p,
                  None, f"chmod 600 {p}")
        _check_key_pair(c, p)


def _check_key_pair(c: _Ctx, p: Path) -> None:
    from vendorci.core.keys import inspect_key

    try:
        info = inspect_key(p)
    except VendorciError as err:
        c.add("error", "keys_invalid", err.message.split(": ", 1)[-1], p, None,
              "Replace it with an OpenSSH private key (vendorci keys generate).")
        return
    if not info.private:
        c.add("error", "keys_invalid", f"{c.repo.rel(p)} holds a public key where a private key is expected", p,
              None, "Put the private key here (the .pub file beside it).")
        return
    if info.type == "rsa" and info.bits < 2048:
        c.add("warning", "keys_weak", f"{c.repo.rel(p)} is a {info.bits}-bit RSA key", p, None,
              "Replace it with a 4096-bit RSA or an ed25519 key and register the new public key.")
    pub = p.with_name(p.name + ".pub")
    if not pub.is_file():
        c.add("warning", "keys_pub_missing", f"{c.repo.rel(pub)} is missing", p, None,
              f"Recreate it: ssh-keygen -y -f {p} > {pub}")
        return
    if info.fingerprint:
        try:
            pinfo = inspect_key(pub)
        except VendorciError:
            pinfo = None
        if pinfo is None or pinfo.fingerprint != info.fingerprint:
            c.add("error", "keys_pub_mismatch", f"{c.repo.rel(pub)} does not belong to {c.repo.rel(p)}", pub, None,
                  f"Recreate it: ssh-keygen -y -f {p} > {pub}")


# -- repo --------------------------------------------------------------------
def _check_repo(c: _Ctx) -> None:
    if not (c.repo.root / ".git").exists():
        c.add("warning", "repo_not_git", "the data repo is not a git checkout", c.repo.root, None,
              "Track it in a private git repository: git init && git add -A && git commit")
