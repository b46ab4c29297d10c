"""Checks of the Zuul v2 layout: schema, regexes, triggers, job settings, projects, recheck syntax."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from vendorci.core.layout import Layout, parse_layout
from vendorci.core.validate.context import Run
from vendorci.core.validate.split import check_duplicates, check_split
from vendorci.saferegex import SlowRegex, UntrustedRegex
from vendorci.yamlutil import load_yaml

LAYOUT_TOP = {"includes", "pipelines", "project-templates", "jobs", "projects"}
MANAGERS = {"IndependentPipelineManager", "DependentPipelineManager"}
PIPELINE_KEYS = {
    "name", "description", "manager", "source", "precedence", "require", "reject", "trigger", "start", "success",
    "failure", "merge-failure", "disabled", "success-message", "failure-message", "merge-failure-message",
    "footer-message", "dequeue-on-new-patchset", "ignore-dependencies", "window",
    "window-floor", "window-increase-type", "window-increase-factor", "window-decrease-type",
    "window-decrease-factor", "disable-after-consecutive-failures",
}
REPORTER_KEYS = ("start", "success", "failure", "merge-failure", "disabled")
REPORTERS = {"gerrit", "smtp", "sql"}
TRIGGERS = {"gerrit", "timer", "zuul"}
GERRIT_EVENTS = {"patchset-created", "draft-published", "change-abandoned", "change-restored", "change-merged",
                 "comment-added", "ref-updated"}
ZUUL_EVENTS = {"parent-change-enqueued", "project-change-merged"}
ZUUL_TRIGGER_KEYS = {"event", "pipeline", "require-approval", "reject-approval"}
TIMER_TRIGGER_KEYS = {"time"}
SMTP_REPORTER_KEYS = {"connection", "to", "from", "subject"}
MERGE_MODES = {"merge", "merge-resolve", "merge-resolve,", "cherry-pick"}
SKIP_IF_KEYS = {"project", "branch", "all-files-match-any"}
GERRIT_TRIGGER_KEYS = {"event", "branch", "ref", "ignore-deletes", "approval", "require-approval",
                       "reject-approval", "comment", "comment_filter", "email", "email_filter", "username",
                       "username_filter"}
TRIGGER_REGEX_KEYS = ("branch", "ref", "comment", "comment_filter", "email", "email_filter", "username",
                      "username_filter")
JOB_SETTING_KEYS = {"name", "queue-name", "failure-message", "success-message", "failure-pattern",
                    "success-pattern", "hold-following-changes", "voting", "attempts", "mutex", "tags",
                    "parameter-function", "branch", "files", "skip-if", "swift"}
PROJECT_NON_PIPELINE = {"name", "template", "merge-mode"}


# -- layout ------------------------------------------------------------------
def _compile(c: Run, pattern: Any, what: str, file: Path, line: int | None) -> re.Pattern | None:
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


def check_layout(c: Run) -> None:
    paths = c.layout_paths or ([c.repo.layout] if c.repo.layout is not None else [])
    if not paths:
        return
    if len(paths) == 1 and paths[0].is_file():
        loaded = c.guard(lambda: load_yaml(paths[0]))
        c.layout = c.guard(lambda: parse_layout(loaded)) if loaded is not None else None
    else:
        from vendorci.core.layoutsplit import load_split

        merged = c.guard(lambda: load_split(paths))
        c.layout = c.guard(lambda: parse_layout(*merged)) if merged is not None else None
    lay = c.layout
    if lay is None:
        return
    data = lay.data
    for key in data:
        if key not in LAYOUT_TOP:
            c.add("error", "layout_unknown_key", f"unknown top-level section '{key}'", lay.file(key), lay.line(key),
                  "Zuul v2 layouts have: " + ", ".join(sorted(LAYOUT_TOP)) + ".")
    for i, inc in enumerate(data.get("includes") or []):
        pyfile = inc.get("python-file") if isinstance(inc, dict) else None
        if pyfile and _include_path(lay, i, str(pyfile)) is None:
            c.add("error", "layout_include_missing", f"includes python-file '{pyfile}', which does not exist "
                  f"beside the layout", lay.file("includes", i), lay.line("includes", i),
                  "Add the file or remove the include.")
    if lay.split is not None:
        check_split(c, lay)
    for i, pipe in enumerate(data.get("pipelines") or []):
        _check_pipeline(c, lay, i, pipe)
    for i, tpl in enumerate(data.get("project-templates") or []):
        if not isinstance(tpl, dict) or not tpl.get("name"):
            c.add("error", "layout_template_name", "project-template without a name",
                  lay.file("project-templates", i), lay.line("project-templates", i), "Add 'name:'.")
            continue
        for key in tpl:
            if key != "name" and key not in lay.pipelines:
                c.add("error", "layout_unknown_pipeline", f"project-template '{tpl['name']}' lists jobs for "
                      f"pipeline '{key}', which is not defined", lay.file("project-templates", i, key),
                      lay.line("project-templates", i, key),
                      "Define the pipeline or fix the name: " + ", ".join(lay.pipelines))
    for section in ("pipelines", "jobs", "project-templates", "projects"):
        check_duplicates(c, lay, section)
    for i, js in enumerate(data.get("jobs") or []):
        _check_job_setting(c, lay, i, js)
    _check_projects(c, lay)


def _include_path(lay: Layout, i: int, pyfile: str) -> Path | None:
    """An ``includes: - python-file:``, beside the file that names it (or, for a layout.d/ part, one folder up)."""
    here = lay.file("includes", i).parent
    for p in (here / pyfile, here.parent / pyfile) if lay.split is not None else (here / pyfile,):
        if p.is_file():
            return p
    return None


def _check_pipeline(c: Run, lay: Layout, i: int, pipe: Any) -> None:
    path = lay.file("pipelines", i)
    at = lay.line("pipelines", i)
    if not isinstance(pipe, dict) or not pipe.get("name"):
        c.add("error", "layout_pipeline_name", "pipeline without a name", path, at, "Add 'name:'.")
        return
    name = str(pipe["name"])
    rechecks: list[tuple[re.Pattern, int | None]] = []
    for key in pipe:
        if key not in PIPELINE_KEYS:
            c.add("error", "layout_unknown_key", f"pipeline '{name}': unknown setting '{key}' (Zuul 2's layout "
                  "schema refuses it: extra keys not allowed)", path, lay.line("pipelines", i, key),
                  _did_you_mean(key, PIPELINE_KEYS))
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
        conns = _connections(c)
        for tname, entries in trig.items():
            tline = lay.line("pipelines", i, "trigger", tname)
            if conns.get(tname) == "gerrit":
                tname = "gerrit"  # a [connection NAME] of zuul.conf with driver=gerrit
            if tname not in TRIGGERS:
                c.add("error", "layout_trigger", f"pipeline '{name}': unknown trigger '{tname}'", path, tline,
                      "Use gerrit, timer or zuul.")
                continue
            if isinstance(entries, dict):
                entries = [entries]  # Zuul 2 takes one entry or a list of them
            if not isinstance(entries, list):
                c.add("error", "layout_trigger", f"pipeline '{name}': the {tname} trigger must be a list of "
                      "'- event: ...' entries", path, tline, "Write '- event: patchset-created'.")
                continue
            if tname != "gerrit":
                _check_other_trigger(c, (path, tline), name, tname, entries)
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
            if rname not in REPORTERS and _connections(c).get(rname) not in REPORTERS:
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
        _check_recheck(c, path, name, rechecks, at)


def _connections(c: Run) -> dict[str, str]:
    """zuul.conf's ``[connection NAME]`` sections: name -> driver (what Zuul 2.5 accepts as trigger/reporter)."""
    if c.connections is None:
        c.connections = {}
        if c.repo.zuul_conf is not None:
            from vendorci.inifile import IniSyntaxError, parse_ini

            try:
                ini = parse_ini(c.repo.zuul_conf.read_text(encoding="utf-8"), str(c.repo.zuul_conf))
            except (IniSyntaxError, UnicodeDecodeError, OSError):
                return c.connections  # check_config reports it
            for section in ini.sections:
                if section.startswith("connection "):
                    c.connections[section.split(None, 1)[1].strip()] = str(ini.get(section, "driver") or "")
    return c.connections


def _did_you_mean(key: str, known: set[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.7)
    return f"Did you mean '{close[0]}'?" if close else "Known: " + ", ".join(sorted(known)) + "."


def _check_other_trigger(c: Run, where: tuple[Path, int | None], pname: str, tname: str, entries: list) -> None:
    """The zuul and timer triggers, as Zuul 2.5's drivers define them."""
    path, at = where
    keys, required = (ZUUL_TRIGGER_KEYS, "event") if tname == "zuul" else (TIMER_TRIGGER_KEYS, "time")
    for ev in entries:
        if not isinstance(ev, dict) or required not in ev:
            c.add("error", "layout_trigger", f"pipeline '{pname}': a {tname} trigger entry needs '{required}'",
                  path, at, f"Write '- {required}: ...'.")
            continue
        for key in ev:
            if key not in keys:
                c.add("error", "layout_unknown_key", f"pipeline '{pname}': unknown {tname} trigger setting "
                      f"'{key}' (Zuul 2 refuses it)", path, at, _did_you_mean(key, keys))
        if tname == "zuul":
            evs = ev["event"] if isinstance(ev["event"], list) else [ev["event"]]
            for e in evs:
                if e not in ZUUL_EVENTS:
                    c.add("error", "layout_event", f"pipeline '{pname}': unknown zuul trigger event {e!r}",
                          path, at, "Known events: " + ", ".join(sorted(ZUUL_EVENTS)) + ".")


def _check_gerrit_trigger(c: Run, lay: Layout, pname: str, ij: tuple[int, int], ev: Any, rechecks: list) -> None:
    i, j = ij
    path, at = lay.at("pipelines", i, "trigger", "gerrit", j)
    if not isinstance(ev, dict):
        c.add("error", "layout_trigger", f"pipeline '{pname}': gerrit trigger entry is not a mapping",
              path, at, "Write '- event: patchset-created'.")
        return
    events = ev.get("event")
    for e in events if isinstance(events, list) else [events]:
        if e not in GERRIT_EVENTS:
            c.add("error", "layout_event", f"pipeline '{pname}': unknown Gerrit event {e!r}", path, at,
                  "Known events: " + ", ".join(sorted(GERRIT_EVENTS)) + ".")
    for key in ev:
        if key not in GERRIT_TRIGGER_KEYS:
            c.add("error", "layout_unknown_key", f"pipeline '{pname}': unknown gerrit trigger setting '{key}' "
                  "(Zuul 2 refuses it)", path, lay.line("pipelines", i, "trigger", "gerrit", j, key),
                  _did_you_mean(key, GERRIT_TRIGGER_KEYS))
    for key in TRIGGER_REGEX_KEYS:
        if key in ev:
            kline = lay.line("pipelines", i, "trigger", "gerrit", j, key)
            rx = _compile(c, ev[key], f"pipeline '{pname}' {key}", path, kline)
            if rx is not None and key in ("comment", "comment_filter"):
                for pat in ev[key] if isinstance(ev[key], list) else [ev[key]]:
                    rechecks.append((UntrustedRegex(pat), kline))


def _check_job_setting(c: Run, lay: Layout, i: int, js: Any) -> None:
    path, at = lay.at("jobs", i)
    if not isinstance(js, dict) or not js.get("name"):
        c.add("error", "layout_job_name", "jobs: entry without a name", path, at, "Add 'name:'.")
        return
    name = str(js["name"])
    if name.startswith("^"):
        _compile(c, name, f"job setting name '{name}'", path, at)
    for key in js:
        if key not in JOB_SETTING_KEYS:
            c.add("error", "layout_unknown_key", f"job '{name}': unknown setting '{key}' (Zuul 2 refuses it)",
                  path, lay.line("jobs", i, key), _did_you_mean(key, JOB_SETTING_KEYS))
    for key in ("branch", "files"):
        if key in js:
            _compile(c, js[key], f"job '{name}' {key}", path, lay.line("jobs", i, key))
    skips = js.get("skip-if")
    for skip in skips if isinstance(skips, list) else [skips] if skips is not None else []:
        bad = [k for k in skip] if not isinstance(skip, dict) else [k for k in skip if k not in SKIP_IF_KEYS]
        if bad or not isinstance(skip, dict):
            c.add("error", "layout_unknown_key", f"job '{name}': skip-if takes {', '.join(sorted(SKIP_IF_KEYS))}; "
                  f"not {', '.join(map(str, bad)) or repr(skip)}", path, lay.line("jobs", i, "skip-if"),
                  _did_you_mean(str(bad[0]), SKIP_IF_KEYS) if bad else "Write a mapping.")
    func = js.get("parameter-function")
    if func:
        files = [_include_path(lay, k, str(inc["python-file"])) for k, inc in enumerate(lay.data.get("includes")
                                                                                         or [])
                 if isinstance(inc, dict) and inc.get("python-file")]
        defined = any(re.search(rf"^def {re.escape(str(func))}\s*\(", f.read_text(encoding="utf-8",
                      errors="replace"), re.M) for f in files if f is not None)
        if not defined:
            c.add("error", "layout_parameter_function", f"job '{name}': parameter-function '{func}' is not "
                  "defined in any included python-file", path, lay.line("jobs", i, "parameter-function"),
                  "Define it in the file listed under 'includes: - python-file:'.")


def _check_projects(c: Run, lay: Layout) -> None:
    for i, proj in enumerate(lay.data.get("projects") or []):
        path, at = lay.at("projects", i)
        if not isinstance(proj, dict) or not isinstance(proj.get("name"), str):
            c.add("error", "layout_project_name", "project without a name", path, at,
                  "Add 'name: ORG/PROJECT'.")
            continue
        name = proj["name"]
        for key in proj:
            if key not in PROJECT_NON_PIPELINE and key not in lay.pipelines:
                c.add("error", "layout_unknown_pipeline", f"project '{name}' lists jobs for pipeline '{key}', "
                      "which is not defined", path, lay.line("projects", i, key),
                      "Define the pipeline or fix the name: " + ", ".join(lay.pipelines))
        for key in lay.pipelines:
            if key in proj:
                bad = _bad_job_names(proj[key])
                if bad is not None:
                    c.add("error", "layout_project_jobs", f"project '{name}', pipeline '{key}': {bad} (Zuul 2's "
                          "layout schema refuses it)", path, lay.line("projects", i, key),
                          "List job names under the pipeline ('- JOB'), or remove the empty pipeline key.")
        mode = proj.get("merge-mode")
        if mode is not None and mode not in MERGE_MODES:
            c.add("error", "layout_schema", f"project '{name}': merge-mode {mode!r} is not one of merge, "
                  "merge-resolve, cherry-pick", path, lay.line("projects", i, "merge-mode"), "Fix the value.")
        refs = proj.get("template") or []
        if not isinstance(refs, list):
            c.add("error", "layout_unknown_template", f"project '{name}': 'template' must be a list of "
                  "'- name: TEMPLATE'", path, lay.line("projects", i, "template"),
                  "Write 'template:' then '  - name: TEMPLATE'.")
            refs = []
        for j, ref in enumerate(refs):
            tname = ref.get("name") if isinstance(ref, dict) else None
            if tname not in lay.templates:
                c.add("error", "layout_unknown_template", f"project '{name}' uses project-template {tname!r}, "
                      "which is not defined", path, lay.line("projects", i, "template", j),
                      "Define it under 'project-templates:' or fix the name.")
                continue
            missing = sorted(_format_fields(lay.templates[tname]) - set(ref) - {"name"})
            if missing:
                c.add("error", "layout_template_param", f"project '{name}' uses project-template '{tname}' without "
                      f"{', '.join(missing)} (Zuul 2 requires every parameter the template uses)", path,
                      lay.line("projects", i, "template", j), f"Add {missing[0]}: VALUE to the template entry.")
        if not lay.project_jobs.get(name):
            c.add("warning", "layout_project_no_jobs", f"project '{name}' runs no job in any pipeline", path,
                  at, "List at least one job under a pipeline, e.g. 'check: [noop-check-communication]'.")


def _bad_job_names(value: Any) -> str | None:
    """Why Zuul 2's job-tree schema refuses ``value`` (None: accepted): every leaf is a name without spaces."""
    if isinstance(value, list):
        for v in value:
            why = _bad_job_names(v)
            if why:
                return why
        return None
    if isinstance(value, dict):
        for v in value.values():
            why = _bad_job_names(v)
            if why:
                return why
        return None
    if value is None:
        return "the job list is empty (null)"
    if not isinstance(value, str) or not re.match(r"^\S+$", value):
        return f"{value!r} is not a job name"
    return None


def _format_fields(tree: Any) -> set[str]:
    """The str.format fields a project-template uses (what Zuul 2 makes required parameters)."""
    import string

    if isinstance(tree, str):
        try:
            return {f for _, f, _, _ in string.Formatter().parse(tree) if f is not None}
        except ValueError:
            return set()
    if isinstance(tree, list):
        return set().union(*(_format_fields(x) for x in tree)) if tree else set()
    if isinstance(tree, dict):
        return set().union(*(_format_fields(x) for x in tree.values())) if tree else set()
    return set()


def _check_recheck(c: Run, path: Path, pname: str, rechecks: list, at: int | None) -> None:
    """A voting pipeline must answer 'recheck' and 'VENDOR: recheck' (Gerrit prefixes 'Patch Set N:')."""
    vendor = c.vendor if c.vendor and c.vendor.lower() != "myvendor" else None
    said = ["recheck"] + ([f"{vendor}: recheck"] if vendor else [])
    for word in said:
        samples = [f"Patch Set 1:\n\n{word}", f"Patch Set 12: Code-Review+1\n\n{word}"]
        try:
            matched = all(any(rx.search(s) for rx, _ in rechecks) for s in samples)
        except SlowRegex as exc:
            c.add("warning", "layout_regex_slow", f"pipeline '{pname}': {exc}", path,
                  rechecks[0][1] if rechecks else at, "Rewrite it without nested repetition such as ( [\\w]*)*; "
                  "Zuul would hang on the same comments.")
            continue
        if not matched:
            c.add("warning", "layout_recheck", f"pipeline '{pname}': no comment-added trigger matches a "
                  f"'{word}' comment (as Gerrit posts it, after 'Patch Set N:')",
                  path, rechecks[0][1] if rechecks else at,
                  "Accept both 'recheck' and 'VENDOR: recheck', e.g. comment: "
                  r"(?i)^(Patch Set [0-9]+:)?( [\w\\+-]*)*(\n\n)?\s*(VENDOR:\s*)?recheck\s*$")
    for rx, rline in rechecks:
        if "myvendor" in rx.pattern.lower():
            c.add("warning", "layout_recheck_placeholder", f"pipeline '{pname}': the recheck regex still names "
                  "the example vendor 'myvendor'", path, rline, "Replace 'myvendor' with your CI's name.")
