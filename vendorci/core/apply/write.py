"""Carry out a plan's file changes: backups first, then atomic writes with modes and owners.

Each replaced file is copied (bytes, mode) to
``ROOT/var/backups/vendorci/TIMESTAMP/files/<path>`` before it is replaced;
``manifest.json`` beside it lists what was created and updated, and
:attr:`WriteReport.rollback` is the shell command that puts the old files back.
"""

from __future__ import annotations

import json
import os
import shlex
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vendorci.core.apply.paths import check_parent, under_root
from vendorci.core.apply.plan import Plan, PlannedFile
from vendorci.errors import Code, OperationFailed, VendorciError

BACKUP_DIR = "/var/backups/vendorci"


@dataclass(frozen=True)
class FileResult:
    path: str
    action: str  # created | updated | unchanged
    backup: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "action": self.action, "backup": self.backup}


@dataclass(frozen=True)
class WriteReport:
    files: tuple[FileResult, ...]
    backup_dir: str | None
    rollback: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"files": [f.as_dict() for f in self.files], "backup_dir": self.backup_dir, "rollback": self.rollback}


def _backup_dir(root: Path) -> Path:
    base = under_root(root, BACKUP_DIR, "backup directory")
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    for n in range(1000):
        d = base / (stamp if n == 0 else f"{stamp}-{n}")
        try:
            d.mkdir(mode=0o700)
            return d
        except FileExistsError:
            continue
    raise OperationFailed(f"{base}: cannot create a backup directory", code=Code.APPLY_BACKUP_FAILED)


def _mkdirs(target: Path, mode: int, owner: tuple[int, int] | None) -> None:
    missing = []
    p = target.parent
    while not p.exists():
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        d.mkdir(mode=mode)
        if owner is not None and d == target.parent:  # the key's or known_hosts' own directory
            os.chown(d, *owner)


def _write(f: PlannedFile) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(dir=str(f.target.parent), prefix=f".{f.target.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, f.mode)
        if f.owner is not None:
            os.fchown(fd, *f.owner)
        with os.fdopen(fd, "wb") as fh:
            fh.write(f.content)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, f.target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def rollback_command(root: Path, backup: Path, created: list[Path]) -> str:
    parts = [f"cp -a {shlex.quote(str(backup / 'files'))}/. {shlex.quote(str(root).rstrip('/') + '/')}"]
    if created:
        parts.append("rm -f -- " + " ".join(shlex.quote(str(p)) for p in created))
    return " && ".join(parts)


def write_plan(plan: Plan) -> WriteReport:
    """Write every changed file; OperationFailed (with what was done) if one cannot be written."""
    results: list[FileResult] = []
    changed = plan.changed
    backup = _backup_dir(plan.root) if changed else None
    created: list[Path] = []
    manifest: dict[str, list[str]] = {"created": [], "updated": []}
    try:
        for f in plan.files:
            if f.action == "unchanged":
                results.append(FileResult(f.path, "unchanged", None))
                continue
            assert backup is not None
            check_parent(plan.root, f.target)
            saved = None
            if f.old is not None:
                copy = backup / "files" / f.path.lstrip("/")
                copy.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd = os.open(copy, os.O_WRONLY | os.O_CREAT | os.O_EXCL, f.old_mode or 0o600)
                with os.fdopen(fd, "wb") as fh:
                    fh.write(f.old)
                saved = str(copy)
            _mkdirs(f.target, 0o700 if f.secret or f.kind == "known_hosts" else 0o755, f.owner)
            _write(f)
            manifest["updated" if f.old is not None else "created"].append(f.path)
            if f.old is None:
                created.append(f.target)
            results.append(FileResult(f.path, f.action, saved))
    except (OSError, VendorciError) as exc:
        done = [r.as_dict() for r in results if r.action != "unchanged"]
        msg = exc.message if isinstance(exc, VendorciError) else f"{exc.strerror or exc}"
        where = f"; backups of replaced files are in {backup}" if backup else ""
        raise OperationFailed(
            f"writing {f.target} failed: {msg}; {len(done)} file(s) were already written{where}",
            code=Code.APPLY_WRITE_FAILED,
            hint=(f"Roll back with: {rollback_command(plan.root, backup, created)}" if backup else
                  "Check free space and permissions under ROOT."),
            data={"files": done, "backup_dir": str(backup) if backup else None}) from None
    finally:
        if backup is not None:
            (backup / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return WriteReport(tuple(results), str(backup) if backup else None,
                       rollback_command(plan.root, backup, created) if backup else None)
