"""``vendorci validate``: check a data repository without touching any server.

:func:`validate_repo` returns :class:`Finding` objects, one per problem, each
with a file, a line when known, and a fix hint.  Areas (the code prefix):
``yaml`` syntax, ``layout`` (Zuul v2 schema, regexes, recheck syntax),
``jobs`` (every job a project runs is defined by JJB; macros exist), ``vars``
(vars.sh against the files that use it), ``keys`` (key files and modes),
``config`` (vendorci.yaml, zuul.conf), ``repo`` (the checkout itself).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vendorci.core.datarepo import DataRepo, find_datarepo, is_datarepo
from vendorci.core.validate.config import check_config, check_repo
from vendorci.core.validate.context import Run
from vendorci.core.validate.jobs import check_jobs, read_jjb
from vendorci.core.validate.keys import check_keys
from vendorci.core.validate.layout import check_layout
from vendorci.core.validate.logs import log_findings
from vendorci.core.validate.vars import check_var_usage, check_vars
from vendorci.errors import InputError
from vendorci.results import Finding

__all__ = ["Finding", "ValidationReport", "validate_repo", "validate_report", "area_of", "AREAS"]

AREAS = ("yaml", "layout", "jobs", "vars", "keys", "config", "repo")
_AREA_PREFIX = {"yaml": "yaml", "layout": "layout", "jjb": "jobs", "jobs": "jobs", "vars": "vars",
                "keys": "keys", "config": "config", "zuul": "config", "repo": "repo",
                "zuulv3": "layout", "policy": "layout"}



def area_of(code: str) -> str:
    return _AREA_PREFIX.get(code.split("_", 1)[0], "repo")



@dataclass(frozen=True)
class ValidationReport:
    """The findings, and notes on how the run checked (e.g. JJB not importable: its built-in reader was used)."""

    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"findings": [f.as_dict() for f in self.findings], "notes": list(self.notes)}


def validate_repo(directory: str | Path, layout: str | Path | list[str | Path] | None = None,
                  jjb: list[str | Path] | None = None, external_jobs: bool = False) -> list[Finding]:
    """Every finding for the data repo (or Zuul v3 config project) at ``directory`` (InputError if neither).

    ``layout`` (a file or folder, or a list of them: a layout split over several files, merged in that
    order) and ``jjb`` (folders or files), relative to ``directory`` unless absolute, replace what
    discovery finds; ``external_jobs`` says Jenkins also has jobs this JJB does not define."""
    return list(validate_report(directory, layout, jjb, external_jobs).findings)


def validate_report(directory: str | Path, layout: str | Path | list[str | Path] | None = None,
                    jjb: list[str | Path] | None = None, external_jobs: bool = False) -> ValidationReport:
    """:func:`validate_repo`'s findings with the run's notes."""
    from vendorci.core.layoutsplit import find_split_layout
    from vendorci.core.zuulv3.check import locate, validate_v3

    layouts = [layout] if isinstance(layout, (str, Path)) else list(layout or [])
    v3 = locate(directory)
    split_dir = find_split_layout(Path(directory)) if not layouts and Path(directory).is_dir() else None
    if v3 is not None and not is_datarepo(directory) and split_dir is None and not layouts and not jjb:
        return ValidationReport(tuple(validate_v3(v3)))
    root = Path(directory)
    try:
        repo = find_datarepo(directory)
    except InputError as err:
        if err.code != "not_a_datarepo" or (not layouts and not jjb and split_dir is None):
            raise
        repo = DataRepo(root=root)  # nothing at the usual places, but the options say where
    settings = _repo_settings(repo)
    recorded = settings.get("validate.layout") or []
    layouts = layouts or ([recorded] if isinstance(recorded, str) else list(recorded))
    jjb = jjb or settings.get("validate.jjb") or []
    external_jobs = external_jobs or bool(settings.get("validate.external_jobs"))
    layout_paths = [_given(root, p, "--layout", want_dir=None) for p in layouts]
    if not layout_paths and repo.layout is None and split_dir is not None:
        layout_paths = [split_dir]  # no single layout file: the folder of a split one
    if layout_paths:
        repo.layout = layout_paths[0]
    jjb_dirs = [_given(root, j, "--jjb", want_dir=None) for j in jjb or []]
    if jjb_dirs:
        repo.jjb_dir = jjb_dirs[0]
    c = Run(repo, jjb_dirs, external_jobs)
    c.layout_paths = layout_paths
    c.v3 = v3 is not None
    c.literal_dirs = v3.literal_dirs() if v3 is not None else []
    check_config(c)
    check_vars(c)
    read_jjb(c)
    check_layout(c)
    check_jobs(c)
    check_var_usage(c)
    check_keys(c)
    check_repo(c)
    if v3 is not None:
        c.findings += validate_v3(v3, c.vendor, c.vars.get("UPSTREAM_GERRIT_HOST") if c.vars else None)
    for f in log_findings(c.vars, c.repo.zuul_conf):
        c.add_finding(f)
    return ValidationReport(tuple(c.findings), tuple(c.notes))


def _repo_settings(repo: DataRepo) -> dict:
    """The repo's vendorci.yaml (its errors are check_config's findings, not raised here)."""
    if repo.config is None:
        return {}
    from vendorci.config import read_config_file
    from vendorci.errors import VendorciError

    try:
        return read_config_file(repo.config)[0]
    except VendorciError:
        return {}


def _given(root: Path, value: str | Path, option: str, want_dir: bool | None) -> Path:
    from vendorci.errors import Code

    p = Path(value)
    if not p.is_absolute() and not p.exists():
        p = root / p
    ok = p.exists() if want_dir is None else (p.is_dir() if want_dir else p.is_file())
    if not ok:
        raise InputError(f"{option} {value}: no such {'file' if want_dir is False else 'file or directory'}",
                         code=Code.NOT_A_FILE, hint=f"Give {option} a path inside the data repository.")
    return p
