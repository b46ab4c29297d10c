"""Checks across the stanzas of one config project: duplicates, references, playbook files."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path

from vendorci.core.zuulv3.loader import ConfigProject, Stanza
from vendorci.core.zuulv3.schema import BUILTIN_JOBS, Add, as_list, project_jobs
from vendorci.errors import Code

#: Stanzas whose names must be unique within a project (jobs may have variants; projects are merged).
UNIQUE = ("pipeline", "nodeset", "secret", "semaphore", "queue", "project-template")
PLAYBOOK_ATTRIBUTES = ("pre-run", "run", "post-run", "cleanup-run")


def _near(name: str, names: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, sorted(names), n=1, cutoff=0.75)
    return f"Did you mean '{close[0]}'? " if close else ""


def check_references(add: Add, cp: ConfigProject) -> None:
    _duplicates(add, cp)
    jobs = {s.name for s in cp.of("job") if s.name}
    known_jobs = jobs | BUILTIN_JOBS
    nodesets = {s.name for s in cp.of("nodeset") if s.name}
    secrets = {s.name for s in cp.of("secret") if s.name}
    templates = {s.name for s in cp.of("project-template") if s.name}
    pipelines = {s.name for s in cp.of("pipeline") if s.name}
    semaphores = {s.name for s in cp.of("semaphore") if s.name}
    for st in cp.of("job"):
        body = st.body
        parent = body.get("parent")
        if isinstance(parent, str) and parent not in known_jobs:
            add("warning", Code.ZUULV3_PARENT_UNKNOWN, f"job '{st.name}': parent '{parent}' is not defined in this "
                "repository", st, ("parent",), _near(parent, jobs) + "Fine if another project of the tenant "
                "(zuul-jobs, devstack, ...) defines it.")
        if isinstance(body.get("nodeset"), str) and body["nodeset"] not in nodesets:
            add("warning", Code.ZUULV3_NODESET_UNKNOWN, f"job '{st.name}': nodeset '{body['nodeset']}' is not defined "
                "in this repository", st, ("nodeset",), _near(body["nodeset"], nodesets) + "Fine if another "
                "project of the tenant defines it.")
        for i, sec in enumerate(as_list(body.get("secrets"))):
            name = sec.get("secret") if isinstance(sec, dict) else sec
            if isinstance(name, str) and name not in secrets:
                add("error", Code.ZUULV3_SECRET_UNKNOWN, f"job '{st.name}' uses secret '{name}', which this "
                    "repository does not define (a job can use only its own project's secrets)", st,
                    ("secrets", i), _near(name, secrets) + "Define the secret in this project (zuul-client encrypt).")
        for sem in as_list(body.get("semaphores")) + as_list(body.get("semaphore")):
            name = sem.get("name") if isinstance(sem, dict) else sem
            if isinstance(name, str) and semaphores and name not in semaphores:
                add("warning", Code.ZUULV3_SEMAPHORE_UNKNOWN, f"job '{st.name}': semaphore '{name}' is not defined "
                    "in this repository", st, ("semaphores",), _near(name, semaphores) + "Define it.")
        _playbooks(add, cp, st)
    for st in cp.of("project") + cp.of("project-template"):
        label = f"{st.kind} '{st.name}'" if st.name else st.kind
        for pipe, job, keys in project_jobs(st):
            if job not in known_jobs:
                add("warning", Code.ZUULV3_JOB_UNKNOWN, f"{label} runs '{job}' in '{pipe}', which is not defined in "
                    "this repository", st, keys, _near(job, known_jobs) + "Fine if another project of the tenant "
                    "(zuul-jobs, devstack, ...) defines it.")
        for i, tpl in enumerate(as_list(st.body.get("templates"))):
            if isinstance(tpl, str) and tpl not in templates:
                add("warning", Code.ZUULV3_TEMPLATE_UNKNOWN, f"{label} uses template '{tpl}', which is not defined in "
                    "this repository", st, ("templates", i), _near(tpl, templates) + "Fine if another project of "
                    "the tenant defines it.")
        if pipelines:
            fixed = {"name", "description", "branches", "vars", "templates", "merge-mode", "default-branch", "queue"}
            for pipe in st.body:
                if pipe not in fixed and isinstance(st.body[pipe], dict) and pipe not in pipelines:
                    add("warning", Code.ZUULV3_PIPELINE_UNKNOWN, f"{label} lists jobs for pipeline '{pipe}', which "
                        "this repository does not define: Zuul ignores them silently", st, (pipe,),
                        _near(pipe, pipelines) + "Defined here: " + ", ".join(sorted(pipelines)) + ".")


def _duplicates(add: Add, cp: ConfigProject) -> None:
    for kind in UNIQUE:
        first: dict[str, Stanza] = {}
        for st in cp.of(kind):
            if not st.name:
                continue
            if st.name in first:
                prev = first[st.name]
                add("error", Code.ZUULV3_DUPLICATE, f"{kind} '{st.name}' is defined twice (first in {prev.rel}:"
                    f"{prev.line()}); Zuul refuses the second", st, (), "Remove or rename one of them.")
            else:
                first[st.name] = st


def _playbooks(add: Add, cp: ConfigProject, st: Stanza) -> None:
    for attr in PLAYBOOK_ATTRIBUTES:
        for i, pb in enumerate(as_list(st.body.get(attr))):
            path = pb.get("name") if isinstance(pb, dict) else pb
            if not isinstance(path, str) or not path:
                continue
            if _playbook_exists(cp.root, path):
                continue
            keys = (attr, i) if isinstance(st.body.get(attr), list) else (attr,)
            add("error", Code.ZUULV3_PLAYBOOK_MISSING, f"job '{st.name}': {attr} playbook '{path}' does not exist in "
                "this repository", st, keys, "Add the playbook (paths are relative to the repository's top) or fix "
                "the path.")


def _playbook_exists(root: Path, path: str) -> bool:
    if path.startswith("/") or ".." in Path(path).parts:
        return False
    candidates = [path] if path.endswith((".yaml", ".yml")) else [path, f"{path}.yaml", f"{path}.yml"]
    return any((root / c).is_file() for c in candidates)
