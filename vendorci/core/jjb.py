"""Jenkins Job Builder definitions, expanded into the jobs Jenkins will have.

:func:`load_jjb` reads every ``*.yaml``/``*.yml`` under a directory and
expands each ``project``'s ``jobs:`` list the way JJB does: a ``job-group``
expands to its jobs, a ``job-template`` is formatted with the parameters of
``defaults`` < the template's own keys < the project < the group < the per-job
override (``- dsvm-tempest-full: {node: devstack_slave}``); list-valued
parameters the template uses multiply the jobs.  Plain ``job``s are taken as
they are.  The result is :attr:`JJBConfig.jobs`: name -> :class:`JobDef`.

Macros (``builder``, ``publisher``, ``wrapper``... definitions) are collected
so that :mod:`vendorci.core.validate` can tell a missing macro from a JJB
component.  Problems found while expanding (unknown template, missing
parameter) are :class:`~vendorci.results.Finding` entries in
:attr:`JJBConfig.problems`; bad YAML raises InputError with file:line.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.results import Finding
from vendorci.yamlutil import LoadedYaml, load_yaml

#: JJB component lists a job can carry, and the macro kind each one names.
COMPONENT_LISTS = {
    "builders": "builder",
    "prebuilders": "builder",
    "postbuilders": "builder",
    "publishers": "publisher",
    "wrappers": "wrapper",
    "triggers": "trigger",
    "scm": "scm",
    "properties": "property",
    "parameters": "parameter",
    "reporters": "reporter",
    "notifications": "notification",
}
MACRO_KINDS = sorted(set(COMPONENT_LISTS.values()))
_VAR = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_LABEL_ATOM = re.compile(r"[^\s&|!()]+")


@dataclass
class JobDef:
    """One Jenkins job JJB would create."""

    name: str
    node: str | None
    file: str
    line: int | None
    template: str | None = None  # the job-template it came from
    project: str | None = None  # the JJB project that expanded it
    components: dict[str, list[str]] = field(default_factory=dict)  # "builder" -> ["shell", "link-logs"]


@dataclass
class Macro:
    kind: str
    name: str
    file: str
    line: int | None
    components: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class JJBConfig:
    root: Path
    files: list[Path] = field(default_factory=list)
    jobs: dict[str, JobDef] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    macros: dict[tuple[str, str], Macro] = field(default_factory=dict)  # (kind, name)
    #: a macro defined again (JJB refuses it): (name, (file, line) of the second '- KIND:' entry, of the first)
    duplicate_macros: list[tuple[str, tuple[str, int | None], tuple[str, int | None]]] = field(default_factory=list)
    macro_entries: dict[tuple[str, str], tuple[str, int | None]] = field(default_factory=dict, repr=False)
    projects: list[dict[str, Any]] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)
    where: dict[int, tuple[str, int | None]] = field(default_factory=dict, repr=False)  # id(body) -> file, line


def label_atoms(node_expr: str | None) -> list[str]:
    """Labels named in a Jenkins label expression: ``'a || b && !c'`` -> ['a', 'b', 'c']."""
    if not node_expr:
        return []
    out: list[str] = []
    for atom in _LABEL_ATOM.findall(node_expr):
        atom = atom.strip("'\"")
        if atom and atom not in out:
            out.append(atom)
    return out


class MissingParam(KeyError):
    pass


def jjb_format(text: str, params: dict[str, Any]) -> str:
    """JJB's formatting: ``{var}``, ``{var|default}``, ``{{``/``}}`` escapes."""

    def sub(m: re.Match) -> str:
        tok = m.group(0)
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        key, bar, default = m.group(1).partition("|")
        key = key.strip()
        if key in params and not isinstance(params[key], (dict, list)):
            return str(params[key])
        if bar:
            return default
        raise MissingParam(key)

    return _VAR.sub(sub, text)


def _vars_in(value: Any) -> set[str]:
    if isinstance(value, str):
        return {m.group(1).partition("|")[0].strip() for m in _VAR.finditer(value) if m.group(1)}
    if isinstance(value, list):
        return set().union(*(_vars_in(v) for v in value)) if value else set()
    if isinstance(value, dict):
        return set().union(*(_vars_in(v) for v in value.values())) if value else set()
    return set()


def _format_all(value: Any, params: dict[str, Any]) -> None:
    """Format every string of a template body, as JJB does, to find missing parameters."""
    if isinstance(value, str):
        jjb_format(value, params)
    elif isinstance(value, list):
        for v in value:
            _format_all(v, params)
    elif isinstance(value, dict):
        for k, v in value.items():
            if k != "name":
                _format_all(v, params)


def component_names(entries: Any) -> list[str]:
    """Names in a JJB component list: ``- shell: ...``, ``- link-logs``, ``- timeout: {...}``."""
    out: list[str] = []
    for item in entries if isinstance(entries, list) else []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and len(item) == 1:
            out.append(str(next(iter(item))))
    return out


def _components(body: dict[str, Any]) -> dict[str, list[str]]:
    comps: dict[str, list[str]] = {}
    for key, kind in COMPONENT_LISTS.items():
        if key in body:
            comps.setdefault(kind, []).extend(component_names(body[key]))
    return comps


def _entry(item: Any) -> tuple[str | None, dict[str, Any]]:
    """A ``jobs:`` list entry: ``name`` or ``{name: {overrides}}``."""
    if isinstance(item, str):
        return item, {}
    if isinstance(item, dict) and len(item) == 1:
        name, over = next(iter(item.items()))
        return str(name), over if isinstance(over, dict) else {}
    return None, {}


def _yaml_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_jjb(directory: str | Path) -> JJBConfig:
    """Read and expand the JJB definitions under ``directory`` (InputError on bad YAML)."""
    root = Path(directory)
    return load_jjb_files(root, _yaml_files(root))


def load_jjb_files(root: Path, files: list[Path]) -> JJBConfig:
    """Read and expand the JJB definitions in ``files`` (InputError on bad YAML)."""
    cfg = JJBConfig(root=root, files=list(files))
    defaults: dict[str, dict[str, Any]] = {}
    plain: list[tuple[dict[str, Any], str, int | None]] = []
    where = cfg.where
    for path in cfg.files:
        loaded = load_yaml(path)
        _collect(cfg, loaded, defaults, plain, where)
    for body, file, line in plain:
        d = {**defaults.get(str(body.get("defaults", "global")), {}), **body}
        name = str(body["name"])
        cfg.jobs[name] = JobDef(name, _node(d.get("node")), file, line, components=_components(d))
    for proj in cfg.projects:
        _expand_project(cfg, proj, defaults, where)
    return cfg


def _collect(cfg: JJBConfig, loaded: LoadedYaml, defaults: dict, plain: list, where: dict) -> None:
    data = loaded.data
    file = str(loaded.path)
    if data is None:
        return
    if not isinstance(data, list):
        cfg.problems.append(Finding("error", "jjb_structure", "a JJB file must be a list of '- job:', "
                                    "'- job-template:', '- project:' ... entries", file, loaded.line() or 1,
                                    "Start each definition with '- KIND:' at column 0."))
        return
    for i, item in enumerate(data):
        if not isinstance(item, dict) or len(item) != 1:
            cfg.problems.append(Finding("error", "jjb_structure", f"entry {i + 1} is not a single '- KIND:' mapping",
                                        file, loaded.line(i), "Check the indentation of this entry."))
            continue
        kind, body = next(iter(item.items()))
        line = loaded.line(i, kind, "name") or loaded.line(i)
        if not isinstance(body, dict) or not isinstance(body.get("name"), (str, int)):
            cfg.problems.append(Finding("error", "jjb_structure", f"'{kind}' entry has no name", file, line,
                                        "Every JJB definition needs 'name:'."))
            continue
        name = str(body["name"])
        where[id(body)] = (file, line)
        if kind == "defaults":
            defaults[name] = body
        elif kind == "job":
            plain.append((body, file, line))
        elif kind == "job-template":
            cfg.templates[name] = body
        elif kind == "job-group":
            cfg.groups[name] = body
        elif kind == "project":
            cfg.projects.append(body)
        elif kind in MACRO_KINDS:
            entry = (file, loaded.line(i))  # where JJB places a duplicate: the '- KIND:' line
            if (kind, name) in cfg.macros:
                cfg.duplicate_macros.append((name, entry, cfg.macro_entries[(kind, name)]))
                continue
            cfg.macros[(kind, name)] = Macro(kind, name, file, line, _components(body))
            cfg.macro_entries[(kind, name)] = entry


def _node(value: Any) -> str | None:
    return None if value is None else str(value)


def _expand_project(cfg: JJBConfig, proj: dict[str, Any], defaults: dict, where: dict) -> None:
    file, line = where.get(id(proj), ("?", None))
    pname = str(proj["name"])
    base = {k: v for k, v in proj.items() if k != "jobs"}
    # (entry, parameters, the job-group that lists it or None)
    queue: list[tuple[Any, dict[str, Any], str | None]] = [(item, base, None) for item in proj.get("jobs") or []]
    while queue:
        item, params, in_group = queue.pop(0)
        name, over = _entry(item)
        if name is None:
            cfg.problems.append(Finding("error", "jjb_structure", f"project {pname}: unreadable jobs entry {item!r}",
                                        file, line, "Write '- JOB' or '- JOB: {param: value}'."))
            continue
        if name in cfg.groups:
            group = cfg.groups[name]
            gparams = {**params, **{k: v for k, v in group.items() if k not in ("name", "jobs")}, **over}
            queue[:0] = [(sub, gparams, name) for sub in group.get("jobs") or []]
        elif name in cfg.templates:
            _expand_template(cfg, name, {**params, **over}, pname, defaults, where)
        elif name in cfg.jobs:
            continue  # a plain job listed by name: already defined
        else:
            try:
                expanded = jjb_format(name, {**params, **over})
            except MissingParam:
                expanded = name
            if expanded not in cfg.jobs and in_group is not None:  # JJB 2 skipped it; JJB 3+ refuses it
                gfile, gline = where.get(id(cfg.groups[in_group]), (file, line))
                cfg.problems.append(Finding(
                    "warning", "jobs_jjb_format",
                    f"job-group {in_group} lists '{name}', which no job, job-template or job-group defines (JJB 2 "
                    "skipped it silently: the job never existed; JJB 3+ refuses it)", gfile, gline,
                    "Remove the name from the job-group, or define it."))
            elif expanded not in cfg.jobs:
                cfg.problems.append(Finding(
                    "error", "jjb_unknown_template",
                    f"project {pname} lists '{name}', which no job, job-template or job-group defines",
                    file, line, "Define it in a JJB file, or fix the spelling."))


def _expand_template(cfg: JJBConfig, tname: str, params: dict[str, Any], pname: str,
                     defaults: dict, where: dict) -> None:
    tpl = cfg.templates[tname]
    file, line = where.get(id(tpl), ("?", None))
    dflt = defaults.get(str(tpl.get("defaults", "global")), {})
    merged = {**dflt, **{k: v for k, v in tpl.items() if k != "name"}, **params}
    used = _vars_in(tname) | _vars_in(tpl.get("node")) | _vars_in(tpl)
    axes = [k for k in used if isinstance(merged.get(k), list)]
    for combo in itertools.product(*(merged[k] for k in axes)):
        p = {**merged, **dict(zip(axes, combo, strict=True))}
        p["name"] = params.get("name", pname)
        p.setdefault("template-name", tname)  # JJB gives every template its own name as {template-name}
        try:
            jname = jjb_format(tname, p)
            raw_node = tpl.get("node", dflt.get("node"))
            node = jjb_format(str(raw_node), p) if raw_node is not None else None
            _format_all(tpl, p)
        except MissingParam as exc:
            cfg.problems.append(Finding(
                "error", "jjb_missing_param",
                f"job-template '{tname}' uses {{{exc.args[0]}}} but project {pname} gives it no value",
                file, line, f"Add '{exc.args[0]}: ...' to the project, the job entry or the defaults."))
            continue
        if jname in cfg.jobs and cfg.jobs[jname].project != pname:
            cfg.problems.append(Finding("error", "jjb_duplicate_job", f"job '{jname}' is defined twice",
                                        file, line, "Rename one of them; JJB refuses duplicate jobs."))
            continue
        cfg.jobs[jname] = JobDef(jname, node, file, line, template=tname, project=pname,
                                 components=_components({**dflt, **tpl}))
