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


DEFAULT_ZUUL_CONF = "/etc/zuul/zuul.conf"


def config_arg(proc: Proc) -> str | None:
    """The ``-c PATH`` (``-cPATH``) a Zuul daemon was started with; the last wins, as with argparse."""
    found = None
    args = list(proc.argv[1:])
    for i, a in enumerate(args):
        if a == "-c" and i + 1 < len(args):
            found = args[i + 1]
        elif a.startswith("-c") and len(a) > 2 and not a.startswith("--"):
            found = a[2:]
    return found


def config_of(proc: Proc, proc_root: str | Path = "/proc", default: str = DEFAULT_ZUUL_CONF) -> str:
    """The configuration file a process runs with, as an absolute, normalised path."""
    path = config_arg(proc) or default
    if not os.path.isabs(path):
        try:
            cwd = os.readlink(Path(proc_root) / str(proc.pid) / "cwd")
        except OSError:
            cwd = "/"
        path = os.path.join(cwd, path)
    return os.path.realpath(path) if os.path.exists(path) else os.path.normpath(path)


def split_by_config(found: dict[str, list[Proc]], conf: str | Path, proc_root: str | Path = "/proc"
                    ) -> tuple[dict[str, list[Proc]], dict[str, list[tuple[Proc, str]]]]:
    """(processes running with ``conf``, the others with the configuration each runs with)."""
    target = os.path.realpath(conf) if os.path.exists(conf) else os.path.normpath(str(conf))
    mine: dict[str, list[Proc]] = {n: [] for n in found}
    others: dict[str, list[tuple[Proc, str]]] = {n: [] for n in found}
    for name, ps in found.items():
        for p in ps:
            c = config_of(p, proc_root)
            if c == target:
                mine[name].append(p)
            else:
                others[name].append((p, c))
    return mine, others
