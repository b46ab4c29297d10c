"""A Zuul v2 ``layout.yaml``, read into a small model.

Only what vendorci needs is modelled: the pipeline names, and for each project
the jobs it runs in each pipeline, with ``project-templates`` expanded the way
Zuul v2 does it (``{name}`` is the project's short name, other keys of the
template reference are format parameters too).  The ``jobs:`` section holds job
*settings* (names may be regexes, ``parameter-function``, ``voting``...), not
jobs to run; it is kept raw in :attr:`Layout.job_settings`.

Structural problems that make the file unusable (bad YAML, a top level that is
not a mapping, ``pipelines``/``projects`` that are not lists) raise
:class:`~vendorci.errors.InputError` with file and line; finer schema checks
are findings of :mod:`vendorci.core.validate`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vendorci.errors import InputError
from vendorci.yamlutil import LoadedYaml, load_yaml

if TYPE_CHECKING:
    from vendorci.core.layoutsplit import Split

_FIELD = re.compile(r"\{([A-Za-z0-9_.-]+)\}")


@dataclass
class Layout:
    """A parsed layout.

    - ``pipelines``: pipeline names, in file order.
    - ``project_jobs``: project -> pipeline -> job names (templates expanded,
      job trees flattened, file order, no duplicates).
    - ``job_settings``: the raw entries of the ``jobs:`` section.
    - ``loaded``: the YAML with line numbers (``loaded.line("projects", 0, "check")``).
    """

    path: Path
    pipelines: list[str] = field(default_factory=list)
    project_jobs: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    job_settings: list[dict[str, Any]] = field(default_factory=list)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    loaded: LoadedYaml | None = None
    #: a layout split over several files: where each item came from (None: one file, :attr:`path`)
    split: Split | None = None

    @property
    def files(self) -> list[Path]:
        """The layout's files, in merge order."""
        return self.split.files if self.split is not None else [self.path]

    def file(self, *keys: Any) -> Path:
        """The file the item at ``keys`` (``"pipelines", 0, ...``) came from."""
        if self.split is not None:
            origin = self.split.origin
            found = origin.get(tuple(keys[:2])) or origin.get(tuple(keys[:1]))
            if found is not None:
                return found
        return self.path

    def at(self, *keys: Any) -> tuple[Path, int | None]:
        """(file, line) of the item at ``keys``."""
        return self.file(*keys), self.line(*keys)

    @property
    def data(self) -> dict[str, Any]:
        return self.loaded.data if self.loaded is not None else {}

    def all_jobs(self) -> set[str]:
        """Every job some project runs in some pipeline."""
        return {j for pipes in self.project_jobs.values() for jobs in pipes.values() for j in jobs}

    def line(self, *keys: Any) -> int | None:
        return self.loaded.line(*keys) if self.loaded is not None else None

    def job_lines(self) -> dict[tuple[str, str, str], tuple[Path, int | None]]:
        """(project, pipeline, job) -> where the layout names it: one pass over the projects."""
        out: dict[tuple[str, str, str], tuple[Path, int | None]] = {}
        for i, proj in enumerate(self.data.get("projects") or []):
            if not isinstance(proj, dict) or not isinstance(proj.get("name"), str):
                continue
            name = proj["name"]
            for pipe in self.pipelines:
                entries = proj.get(pipe)
                for j, entry in enumerate(entries if isinstance(entries, list) else []):
                    for job in flatten_jobs(entry):
                        out.setdefault((name, pipe, job), self.at("projects", i, pipe, j))
            refs = proj.get("template")
            for k, _ref in enumerate(refs if isinstance(refs, list) else []):
                at = self.at("projects", i, "template", k)
                for pipe, jobs in self.project_jobs.get(name, {}).items():
                    for job in jobs:
                        out.setdefault((name, pipe, job), at)
        return out


def short_name(project: str) -> str:
    return project.rsplit("/", 1)[-1]


def deep_format(value: Any, params: dict[str, Any]) -> Any:
    """Substitute ``{key}`` in every string of ``value``; unknown keys are left as they are."""
    if isinstance(value, str):
        return _FIELD.sub(lambda m: str(params[m.group(1)]) if m.group(1) in params else m.group(0), value)
    if isinstance(value, list):
        return [deep_format(v, params) for v in value]
    if isinstance(value, dict):
        return {deep_format(k, params): deep_format(v, params) for k, v in value.items()}
    return value


def flatten_jobs(entries: Any) -> list[str]:
    """Job names of a pipeline entry: a list of names or of ``{job: [children]}`` trees."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            if node not in out:
                out.append(node)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for k, v in node.items():
                walk(k)
                walk(v)

    walk(entries)
    return out


def _list_of_mappings(loaded: LoadedYaml, key: str, required: bool) -> list[dict[str, Any]]:
    data = loaded.data
    value = data.get(key)
    where = f"{loaded.path}:{loaded.line(key) or 1}"
    if value is None:
        if required:
            raise InputError(f"{loaded.path}:1: layout has no '{key}' section", code="layout_invalid",
                             hint=f"A Zuul v2 layout needs a top-level '{key}:' list.",
                             data={"file": str(loaded.path), "line": 1})
        return []
    if not isinstance(value, list):
        raise InputError(f"{where}: '{key}' must be a list", code="layout_invalid",
                         hint=f"Write '{key}:' followed by '  - name: ...' entries.",
                         data={"file": str(loaded.path), "line": loaded.line(key) or 1})
    return [v if isinstance(v, dict) else {} for v in value]


def parse_layout(loaded: LoadedYaml, split: Split | None = None) -> Layout:
    data = loaded.data
    if not isinstance(data, dict):
        raise InputError(f"{loaded.path}:{loaded.line() or 1}: a Zuul layout must be a mapping "
                         "(pipelines, projects, ...)", code="layout_invalid",
                         data={"file": str(loaded.path), "line": loaded.line() or 1})
    lay = Layout(path=loaded.path, loaded=loaded, split=split)
    lay.pipelines = [str(p["name"]) for p in _list_of_mappings(loaded, "pipelines", True) if p.get("name")]
    lay.job_settings = _list_of_mappings(loaded, "jobs", False)
    lay.templates = {str(t["name"]): t for t in _list_of_mappings(loaded, "project-templates", False)
                     if t.get("name")}
    for proj in _list_of_mappings(loaded, "projects", True):
        name = proj.get("name")
        if not isinstance(name, str):
            continue
        pipes = lay.project_jobs.setdefault(name, {})
        refs = proj.get("template") or []
        for ref in refs if isinstance(refs, list) else []:
            if not isinstance(ref, dict) or ref.get("name") not in lay.templates:
                continue
            params = {k: v for k, v in ref.items() if k != "name"}
            params["name"] = short_name(name)
            expanded = deep_format(lay.templates[ref["name"]], params)
            for pipe in lay.pipelines:
                for job in flatten_jobs(expanded.get(pipe)):
                    if job not in pipes.setdefault(pipe, []):
                        pipes[pipe].append(job)
        for pipe in lay.pipelines:
            for job in flatten_jobs(proj.get(pipe)):
                if job not in pipes.setdefault(pipe, []):
                    pipes[pipe].append(job)
        for pipe in [p for p, jobs in pipes.items() if not jobs]:
            del pipes[pipe]
    return lay


def load_layout(path: str | Path) -> Layout:
    """Read and parse a layout.yaml; InputError with file:line when unusable."""
    return parse_layout(load_yaml(path))
