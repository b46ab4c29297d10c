"""Processes from /proc: (pid, argv), matched by program name.

Zuul's daemons are Python scripts, so a process's name is the basename of
``argv[0]`` or, when argv[0] is a Python interpreter, of the script argument
(``python /usr/local/bin/zuul-server -c ...``).  ``exec -a NAME`` sets argv[0]
and is matched as well.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

_PYTHON = re.compile(r"^python[0-9.]*[a-z]?$")
_OPTS_WITH_ARG = {"-W", "-X", "-Q"}


@dataclass(frozen=True)
class Proc:
    pid: int
    argv: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Program names this process answers to: argv[0] and, for Python, the script."""
        if not self.argv:
            return ()
        first = os.path.basename(self.argv[0])
        names = [first]
        if _PYTHON.match(first):
            args = iter(self.argv[1:])
            for a in args:
                if a in _OPTS_WITH_ARG:
                    next(args, None)
                    continue
                if a in ("-m", "-c"):
                    break
                if not a.startswith("-"):
                    names.append(os.path.basename(a))
                    break
        return tuple(names)

    @property
    def cmdline(self) -> str:
        return " ".join(self.argv)

    def as_dict(self) -> dict:
        return {"pid": self.pid, "cmdline": self.cmdline}


def list_procs(proc_root: str | Path = "/proc") -> list[Proc]:
    """Every readable process (kernel threads and vanished ones are left out)."""
    out = []
    root = Path(proc_root)
    try:
        entries = os.listdir(root)
    except OSError:
        return []
    for e in entries:
        if not e.isdigit():
            continue
        try:
            raw = (root / e / "cmdline").read_bytes()
        except OSError:
            continue
        if raw and not _is_zombie(root, int(e)):
            out.append(Proc(int(e), tuple(a.decode("utf-8", "replace") for a in raw.rstrip(b"\0").split(b"\0"))))
    return sorted(out, key=lambda p: p.pid)


def find(procs: list[Proc], names: tuple[str, ...] | list[str]) -> dict[str, list[Proc]]:
    """Processes by program name, for each of ``names``."""
    out: dict[str, list[Proc]] = {n: [] for n in names}
    for p in procs:
        for n in names:
            if n in p.names:
                out[n].append(p)
    return out


def _is_zombie(root: Path, pid: int) -> bool:
    try:
        stat = (root / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


def pid_alive(pid: int, proc_root: str | Path = "/proc") -> bool:
    root = Path(proc_root)
    return (root / str(pid)).is_dir() and not _is_zombie(root, pid)


def read_pidfile(path: str | Path) -> int | None:
    """The pid a pid file names, or None when it is empty or not a number."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    first = text.split()[0] if text else ""
    return int(first) if first.isdigit() else None


def describe(pid: int, proc_root: str | Path = "/proc") -> str:
    """The command line of a live process ('' when unknown)."""
    try:
        raw = (Path(proc_root) / str(pid) / "cmdline").read_bytes()
    except OSError:
        return ""
    return raw.rstrip(b"\0").replace(b"\0", b" ").decode("utf-8", "replace")
