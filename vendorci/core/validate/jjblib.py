"""Jenkins Job Builder's own parser, used as a library: the jobs JJB would generate, and its errors.

The same steps as ``jenkins-jobs test -r DIR``: JJB's loader (with its tags
``!include-raw:``, ``!j2:``...), ``Roots`` (defaults, macros, templates,
job-groups, projects), the module registry with the repository's macros, and
the XML generator (which refuses unknown components and malformed ones).
Nothing of JJB's formatting is re-implemented here.  JJB stops at its first
error; so do we, for loading and expansion; the XML of each job is generated
separately so that one broken job does not hide the errors of the others.
"""

from __future__ import annotations

import logging
import tempfile
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: At most this many JJB errors from XML generation are reported (the rest are counted).
MAX_ERRORS = 50
#: At most this many missing names are skipped in one JJB project (as JJB 2 did) before it counts as not expanded.
MAX_SKIPS = 20


@dataclass
class JJBError:
    message: str
    file: str | None
    line: int | None
    context: list[str] = field(default_factory=list)
    yaml: bool = False  # a YAML syntax error
    formatting: bool = False  # a JJB 3+ formatting of a string JJB 2 left literal


@dataclass
class JJBJobs:
    """What JJB generated: job names (with the file and line of their definition), errors, project params."""

    jobs: dict[str, tuple[str | None, int | None]] = field(default_factory=dict)
    errors: list[JJBError] = field(default_factory=list)
    complete: bool = True  # False when loading or expansion stopped: the job set is partial
    files: list[Path] = field(default_factory=list)
    project_params: list[dict[str, Any]] = field(default_factory=list)


class JJBUnavailable(Exception):
    """jenkins-job-builder cannot be imported."""


def yaml_files(dirs: Iterable[Path]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under each directory (recursive, as ``jenkins-jobs test -r``), or the file."""
    out: list[Path] = []
    seen: set[Path] = set()
    for d in dirs:
        found = [d] if d.is_file() else sorted(p for p in d.rglob("*") if p.suffix in (".yaml", ".yml")
                                               and p.is_file())
        for p in found:
            real = p.resolve()
            if real not in seen:
                seen.add(real)
                out.append(p)
    return out


def _pos(pos: Any) -> tuple[str | None, int | None]:
    if pos is None:
        return None, None
    return (str(pos.path) if getattr(pos, "path", None) else None,
            pos.line + 1 if isinstance(getattr(pos, "line", None), int) else None)


def _error(exc: Exception) -> JJBError:
    pos = getattr(exc, "pos", None)
    file, line = _pos(pos)
    if file is None:  # the innermost context that has a position (e.g. the job-template being expanded)
        for ctx in reversed(getattr(exc, "ctx", None) or []):
            file, line = _pos(getattr(ctx, "pos", None))
            if file:
                break
    context = []
    for ctx in getattr(exc, "ctx", None) or []:
        cf, cl = _pos(getattr(ctx, "pos", None))
        context.append(f"{cf}:{cl}: {ctx.message}" if cf else str(ctx.message))
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    dup = next((ctx for ctx in getattr(exc, "ctx", None) or [] if str(ctx.message).startswith("Duplicate ")), None)
    if dup is not None and str(message).startswith("Previous ") and _pos(getattr(dup, "pos", None))[0]:
        # JJB raises a duplicate at the first definition ("Previous macro definition") with the duplicate as
        # context: report the duplicate where it is, naming the first one
        first = f"{file}:{line}" if file else "elsewhere"
        file, line = _pos(dup.pos)
        return JJBError(f"{dup.message} (first defined at {first}; JJB refuses duplicates)", file, line, [])
    return JJBError(str(message).splitlines()[0] if message else type(exc).__name__, file, line, context)


def expand(dirs: list[Path]) -> JJBJobs:
    """Load, expand and generate the JJB files under ``dirs`` with JJB itself (JJBUnavailable without it)."""
    try:
        from jenkins_jobs.config import JJBConfig
        from jenkins_jobs.errors import JenkinsJobsException
        from jenkins_jobs.loader import load_files
        from jenkins_jobs.registry import ModuleRegistry
        from jenkins_jobs.roots import Roots
        from jenkins_jobs.xml_config import XmlJobGenerator
    except Exception as exc:  # noqa: BLE001 - missing or broken install: the caller says how to fix it
        raise JJBUnavailable(str(exc)) from None
    out = JJBJobs(files=yaml_files(dirs))
    # JJB logs its warnings (deprecated components, duplicate files) on the root logger: keep them off our stderr
    logging.disable(logging.WARNING)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # JJB 6 warns about the JJB 2 tags it still reads
            return _expand(out, JJBConfig, JenkinsJobsException, load_files, ModuleRegistry, Roots, XmlJobGenerator)
    finally:
        logging.disable(logging.NOTSET)


def _expand(out: JJBJobs, JJBConfig: Any, JenkinsJobsException: Any, load_files: Any,  # noqa: N803
            ModuleRegistry: Any, Roots: Any, XmlJobGenerator: Any) -> JJBJobs:  # noqa: N803
    with tempfile.TemporaryDirectory(prefix="vendorci-jjb-") as tmp:
        ini = Path(tmp) / "jenkins_jobs.ini"
        # a fixed, minimal configuration: no user or system jenkins_jobs.ini, no query to a Jenkins
        ini.write_text("[job_builder]\nignore_cache=True\nallow_empty_variables=True\n[jenkins]\nurl=http://127.0.0.1:9/\n"
                       "query_plugins_info=False\n", encoding="utf-8")
        cfg = JJBConfig(str(ini))
        cfg.validate()
        cfg.builder["plugins_info"] = []
        roots = Roots(cfg)
        try:
            load_files(cfg, roots, out.files)
        except Exception as exc:  # noqa: BLE001 - JJB's loader raises YAML errors (with a mark) and its own
            err = _error(exc)
            mark = getattr(exc, "problem_mark", None)
            if mark is not None:
                err.file, err.line, err.yaml = str(mark.name), mark.line + 1, True
                err.message = " ".join(str(exc).split("\n")[0:1] + [str(getattr(exc, "problem", "") or "")])
            out.errors.append(err)
            out.complete = False
            return out
        jobs = _generate(roots, out, JenkinsJobsException)
        for proj in roots.projects.values():
            params = getattr(proj, "params", None)
            if isinstance(params, dict):
                file, line = _pos(getattr(proj, "pos", None))
                out.project_params.append({**params, "name": getattr(proj, "name", None), "__file": file,
                                           "__line": line})
        registry = ModuleRegistry(cfg, [])
        registry.set_macros(roots.macros)
        registry.amend_job_dicts(jobs)
        gen = XmlJobGenerator(registry)
        kinds: dict[str, Any] = {}
        for job in jobs:
            where = out.jobs.get(str(job.data.get("name")), (None, None))
            try:
                _job_xml(gen, kinds, job)
            except Exception as exc:  # noqa: BLE001 - JJB's modules raise more than JenkinsJobsException
                _add(out, exc, where)
    return out


def _job_xml(gen: Any, kinds: dict[str, Any], job: Any) -> None:
    """What ``XmlJobGenerator.generateXML([job])`` does, with each project type's module looked up once.

    JJB resolves the entry point of the job's project type (and all its distribution's requirements)
    for every job: most of its time on a large repository.  The module found, ``root_xml`` and
    ``_gen_xml`` are JJB's own; an unknown project type goes through ``generateXML`` for JJB's error."""
    import pkg_resources

    data = job.data
    kind = data.get(gen.kind_attribute, gen.kind_default)
    if kind not in kinds:
        eps = list(pkg_resources.iter_entry_points(group=gen.entry_point_group, name=kind))
        kinds[kind] = eps[0].load() if eps else None
    mod_class = kinds[kind]
    if mod_class is None:
        gen.generateXML([job])
        return
    try:
        xml = mod_class(gen.registry).root_xml(data)
        gen._gen_xml(xml, data)
    except Exception as exc:
        with_ctx = getattr(exc, "with_ctx_list", None)
        raise (with_ctx(job.context) if with_ctx else exc) from None


def _project_jobs(roots: Any, project: Any, out: JJBJobs, where: tuple[str | None, int | None]) -> list[Any]:
    """The jobs of one JJB project.  JJB 2 skipped, silently, a name in a job-group's job list that nothing
    defined (one in the project's own list was an error); JJB 3+ stops the project there.  So that the other
    jobs of the project are still known, such a name is taken out of the group's list (JJB's own data, the
    spec JJB points at) and the project expanded again, at most MAX_SKIPS times; each skip is a JJB-version
    warning."""
    for _ in range(MAX_SKIPS):
        try:
            return list(project.generate_jobs())
        except Exception as exc:  # noqa: BLE001
            if not _skip_missing(roots, exc):
                out.complete = False
                _add(out, exc, where)
                return []
            _add(out, exc, where)
            out.errors[-1].formatting = True
            out.errors[-1].message += " (JJB 2 skipped it silently: the job never existed)"
    out.complete = False
    return []


def _skip_missing(roots: Any, exc: Exception) -> bool:
    """Remove the spec JJB could not find (the one at the error's position) from its list; False if none."""
    pos = getattr(exc, "pos", None)
    if pos is None or not str(getattr(exc, "message", "")).startswith("Failed to find suitable job/view/template"):
        return False
    for owner in roots.job_groups.values():  # JJB 2 skipped only a job-group's names; a project's were errors
        specs = getattr(owner, "job_specs", None)
        if specs is None:
            specs = getattr(owner, "specs", None)
        if not isinstance(specs, list):
            continue
        for k, spec in enumerate(specs):
            if getattr(spec, "pos", None) is pos:
                del specs[k]
                return True
    return False


def _add(out: JJBJobs, exc: Exception, where: tuple[str | None, int | None]) -> None:
    if len(out.errors) >= MAX_ERRORS:
        return
    err = _error(exc)
    if err.file is None:
        err.file, err.line = where
    err.formatting = _is_formatting(exc, err)
    if err.formatting and not hasattr(exc, "pos"):
        err.message = f"{type(exc).__name__}: {err.message}"
    out.errors.append(err)


def _is_formatting(exc: Exception, err: JJBError) -> bool:
    """What this JJB refuses and JJB 2 accepted: a str.format of a plain job or a macro body (JJB 3+ formats
    those, JJB 2 left them literal), or a plain Python error inside one of JJB's modules (a component whose
    schema changed since), rather than one of JJB's own errors."""
    if not hasattr(exc, "pos"):
        return True
    if not err.message.startswith("While formatting string"):
        return False
    return not any("In job template" in c and "macro" not in c for c in err.context[-1:])


def _generate(roots: Any, out: JJBJobs, jje: type[Exception]) -> list[Any]:
    """The job data JJB generates, item by item so that one failure does not hide the rest."""
    jobs: list[Any] = []
    for job in roots.jobs.values():
        where = _pos(getattr(job, "pos", None))
        try:
            items = list(job.top_level_generate_items())
        except Exception as exc:  # noqa: BLE001
            out.jobs[str(job.name)] = where  # JJB 2 did not format plain jobs: the literal name is the job
            _add(out, exc, where)
            continue
        for item in items:
            out.jobs[str(item.data.get("name"))] = where
        jobs += items
    for project in roots.projects.values():
        where = _pos(getattr(project, "pos", None))
        items = _project_jobs(roots, project, out, where)
        for item in items:
            out.jobs[str(item.data.get("name"))] = where
        jobs += items
    try:
        return list(roots._remove_duplicates(jobs, "job"))
    except jje as exc:
        _add(out, exc, (None, None))
        return jobs
