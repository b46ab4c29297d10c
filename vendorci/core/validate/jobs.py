"""Checks of the Jenkins Job Builder files: JJB itself expands them; every job the layout runs must be among them."""

from __future__ import annotations

from pathlib import Path

from vendorci.core.layout import Layout
from vendorci.core.validate.context import Run
from vendorci.core.validate.near import NearIndex
from vendorci.errors import Code
from vendorci.saferegex import SlowRegex, UntrustedRegex

#: Jobs Zuul 2 runs without asking Gearman (its launcher answers 'noop' itself).
ZUUL2_BUILTIN_JOBS = frozenset({"noop"})


# -- jobs --------------------------------------------------------------------
def read_jjb(c: Run) -> None:
    dirs = c.jjb_dirs
    if not dirs:
        return
    from vendorci.core.validate.jjblib import JJBUnavailable, expand

    try:
        c.jjb_jobs = expand(dirs)
    except JJBUnavailable as exc:
        from vendorci.core.validate.jjbbuiltin import read_builtin

        c.jjb_jobs = read_builtin(c, dirs, str(exc))
    root = str(c.repo.root.resolve()) + "/"
    seen: set[tuple[str, str | None, int | None]] = set()
    for err in c.jjb_jobs.errors:
        if (err.message, err.file, err.line) in seen:
            continue  # one template, many jobs: one finding
        seen.add((err.message, err.file, err.line))
        err.context = [ctx.replace(root, "").replace(str(c.repo.root) + "/", "") for ctx in err.context]
        err.message = err.message.replace(root, "").replace(str(c.repo.root) + "/", "")
        if err.file and err.file.startswith(root):
            err.file = err.file[len(root):]
            err.file = str(c.repo.root / err.file)
        if err.yaml:
            marker = _marker(err.file)
            if marker is not None:
                from vendorci.yamlutil import CONFLICT_HINT, CONFLICT_MESSAGE

                c.add("error", "yaml_syntax", CONFLICT_MESSAGE, err.file, marker, CONFLICT_HINT)
                continue
            c.add("error", "yaml_syntax", f"invalid YAML: {err.message.strip()}", err.file, err.line,
                  "Fix the YAML syntax at that line (JJB cannot read the file).")
        elif err.formatting:
            c.add("warning", "jobs_jjb_format", f"the installed Jenkins Job Builder ({_jjb_version()}) refuses "
                  f"what JJB 2 accepted: {err.message}" + (f" ({err.context[-1]})" if err.context else ""),
                  err.file, err.line, "Before moving to JJB 3+: double the braces that are not JJB parameters "
                  "(${{VAR:-default}}) and follow the component's current schema.")
        else:
            c.add("error", "jobs_jjb", f"Jenkins Job Builder: {err.message}"
                  + (f" ({err.context[0]})" if err.context else ""), err.file, err.line,
                  "Fix the JJB definition; `jenkins-jobs test -r DIR` shows the same error.")
    for params in c.jjb_jobs.project_params:
        vendor = params.get("vendor")
        if isinstance(vendor, str) and vendor.lower() == "myvendor":
            c.add("warning", "jobs_placeholder", f"JJB project '{params.get('name')}' still has the example "
                  "'vendor: myvendor'", params.get("__file") or dirs[0], params.get("__line"),
                  "Set 'vendor:' to your CI's name.")
        elif isinstance(vendor, str) and not c.vendor:
            c.vendor = vendor
    for f in c.jjb_jobs.files:
        for n, line in enumerate(f.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if "<your-" in line:
                c.add("warning", "jobs_placeholder", f"placeholder left in: {line.strip()[:80]}", f, n,
                      "Replace the <your-...> placeholder with the real value.")


def _marker(file: str | None) -> int | None:
    from vendorci.yamlutil import conflict_marker

    try:
        return conflict_marker(Path(file).read_text(encoding="utf-8", errors="replace")) if file else None
    except OSError:
        return None


def _jjb_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("jenkins-job-builder")
    except PackageNotFoundError:
        return "unknown version"


def check_jobs(c: Run) -> None:
    if c.layout is None:
        return
    if c.jjb_jobs is None and not c.external_jobs:
        return
    _check_layout_jobs(c, c.layout)


def _check_layout_jobs(c: Run, lay: Layout) -> None:
    defined = set(c.jjb_jobs.jobs) if c.jjb_jobs is not None else set()
    partial = c.jjb_jobs is None or not c.jjb_jobs.complete
    near = NearIndex(defined)
    lines = lay.job_lines()
    reported: set[tuple[str, str, str]] = set()
    for project, pipes in lay.project_jobs.items():
        for pipe, jobs in pipes.items():
            for job in jobs:
                if job in defined or job in ZUUL2_BUILTIN_JOBS or (project, pipe, job) in reported:
                    continue
                reported.add((project, pipe, job))
                close = near.closest(job)
                if c.external_jobs or partial:
                    sev, why = "warning", (" (jobs are also defined outside this repository's JJB)"
                                           if c.external_jobs else " (JJB could not expand every project)")
                else:
                    sev, why = "error", " (Zuul would report NOT_REGISTERED)"
                file, line = lines.get((project, pipe, job), (lay.path, None))
                c.add(sev, Code.JOBS_UNDEFINED, f"project '{project}' runs '{job}' in '{pipe}', but no JJB "
                      f"definition creates that job{why}", file, line,
                      f"Did you mean '{close}'?" if close else
                      "Add a job or job-template (expanded by a JJB project) with that name, or use "
                      "--external-jobs if Jenkins has jobs JJB does not manage.")
    _check_job_settings(c, lay, defined)


def _check_job_settings(c: Run, lay: Layout, defined: set[str]) -> None:
    import re

    every = defined | lay.all_jobs()
    ordered = sorted(every)
    for i, js in enumerate(lay.data.get("jobs") or []):
        name = js.get("name") if isinstance(js, dict) else None
        if not isinstance(name, str):
            continue
        try:
            rx = UntrustedRegex(name) if name.startswith("^") else None
            used = any(rx.search(j) for j in _with_prefix(ordered, name)) if rx is not None else name in every
        except re.error:
            continue
        except SlowRegex as exc:
            c.add("warning", "layout_regex_slow", f"job setting: {exc}", lay.file("jobs", i), lay.line("jobs", i),
                  "Rewrite it without nested repetition; Zuul would hang matching job names against it.")
            continue
        if not used:
            c.add("warning", "jobs_setting_unused", f"job setting '{name}' matches no job", lay.file("jobs", i),
                  lay.line("jobs", i), "Remove it or fix the name.")


_META = set(".^$*+?{}[]()|\\")


def _with_prefix(ordered: list[str], pattern: str) -> list[str]:
    """The names an anchored job regex can match: those starting with its literal prefix (``^gate-nova-.*``:
    ``gate-nova-``), found by bisection in the sorted names, so that each setting costs its matches rather
    than every job (upstream has hundreds of settings and some 17,000 jobs).  A pattern with an alternation
    or inline flags, or no literal prefix, gets every name."""
    import bisect

    if "|" in pattern or "(?" in pattern:
        return ordered
    prefix = ""
    for k, ch in enumerate(pattern[1:], 1):
        if ch in _META:
            if ch in "?*{" and prefix:  # the last literal is optional or repeated: not part of the prefix
                prefix = prefix[:-1]
            break
        prefix += ch
        if k == len(pattern) - 1:
            break
    if not prefix:
        return ordered
    lo = bisect.bisect_left(ordered, prefix)
    hi = bisect.bisect_left(ordered, prefix[:-1] + chr(ord(prefix[-1]) + 1))
    return ordered[lo:hi]


def jjb_dirs_of(paths: list[Path]) -> list[Path]:
    return [p for p in paths if p.exists()]
