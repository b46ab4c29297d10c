"""What one validation run accumulates: the repo, findings, the parsed files later checks reuse."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vendorci.core.datarepo import DataRepo, VarsFile
from vendorci.core.layout import Layout
from vendorci.errors import VendorciError
from vendorci.results import Finding

if TYPE_CHECKING:
    from vendorci.core.validate.jjblib import JJBJobs


class Run:
    """What one validation run accumulates."""

    def __init__(self, repo: DataRepo, jjb_dirs: list[Path] | None = None, external_jobs: bool = False) -> None:
        self.repo = repo
        self.findings: list[Finding] = []
        #: facts about how the run checked (e.g. without JJB), reported beside the findings, never failing
        self.notes: list[str] = []
        self.layout: Layout | None = None
        #: the layout's files or folders (--layout, repeatable); empty: repo.layout, the one discovered
        self.layout_paths: list[Path] = []
        #: the JJB folders: given (--jjb), else the one discovered
        self.jjb_dirs: list[Path] = list(jjb_dirs or ([repo.jjb_dir] if repo.jjb_dir else []))
        self.jjb_jobs: JJBJobs | None = None
        #: Jenkins has jobs this repository's JJB does not manage: an undefined job is a warning
        self.external_jobs = external_jobs
        #: zuul.conf's [connection NAME] sections (name -> driver), read once when the layout needs them
        self.connections: dict[str, str] | None = None
        self.vars: VarsFile | None = None
        self.vendor: str | None = None
        self.v3 = False  # the repo holds Zuul v3 configuration (checked by core.zuulv3)
        self.literal_dirs: list[Path] = []  # config projects: ${NAME} there is never a vars.sh value

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

