"""What ``vendorci apply`` would do: every file rendered, compared with ROOT, and diffed.

:func:`build_plan` reads the data repo (never executing vars.sh), renders
each deployed file into memory and compares it with what ROOT holds.  It
writes nothing and talks to no server; :mod:`.write` carries the plan out.

Deployed files (paths as on the master, all under ROOT):

- every file of the repo's Zuul directory (``etc/zuul/`` or ``zuul/``) ->
  ``/etc/zuul/`` (zuul.conf, layout.yaml or the tenant config, logging configs);
- every file of the JJB directory -> ``/etc/jenkins_jobs/config/``;
- the repo's ``jenkins_jobs.ini`` -> ``/etc/jenkins_jobs/jenkins_jobs.ini``,
  keeping the operator's own ``[jenkins] user``/``password`` (never written
  by the repo, never overwritten);
- the Gerrit private key (``UPSTREAM_GERRIT_SSH_KEY_PATH``) -> the path the
  rendered zuul.conf names in ``sshkey`` (0600, owner kept, else ``zuul``);
- ``UPSTREAM_GERRIT_HOST_PUB_KEY`` -> a ``[host]:port`` line of the zuul
  user's ``~/.ssh/known_hosts``.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.core.apply.paths import inside_repo, under_root
from vendorci.core.apply.render import (
    Unresolved,
    mask_secrets,
    merge_jjb_ini,
    merge_known_hosts,
    parse_host_key,
    render_text,
)
from vendorci.core.datarepo import VarsFile, find_datarepo, parse_vars
from vendorci.errors import Code, InputError
from vendorci.inifile import Ini, IniSyntaxError, parse_ini

ZUUL_DIR = "/etc/zuul"
JJB_DIR = "/etc/jenkins_jobs/config"
JJB_INI = "/etc/jenkins_jobs/jenkins_jobs.ini"
ZUUL_USER = "zuul"
_SKIP_DIRS = {".git", "__pycache__"}
MAX_FILE = 4 * 1024 * 1024


@dataclass(frozen=True)
class PlannedFile:
    """One file apply manages."""

    path: str  # as on the master: /etc/zuul/zuul.conf
    target: Path  # ROOT + path
    kind: str  # zuul | jjb | jjb_ini | key | known_hosts
    source: str | None  # repo-relative source, None for merged files
    content: bytes = field(repr=False)
    old: bytes | None = field(repr=False)
    mode: int
    old_mode: int | None
    owner: tuple[int, int] | None  # (uid, gid) to set, None: leave as created
    secret: bool  # content never shown
    diff: str  # unified diff, secrets masked

    @property
    def action(self) -> str:
        if self.old is None:
            return "created"
        return "unchanged" if self.old == self.content and self.old_mode == self.mode else "updated"

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "target": str(self.target), "kind": self.kind, "source": self.source,
                "action": self.action, "mode": f"{self.mode:04o}"}


@dataclass(frozen=True)
class ZuulInfo:
    """What the rendered zuul.conf says about the running Zuul."""

    version: int  # 2, or 3 for v3 and newer
    pidfile: Path | None  # under ROOT: zuul-server (v2) or zuul-scheduler (v3+)
    tenant_config: str | None  # v3+: [scheduler] tenant_config, as on the master

    def as_dict(self) -> dict[str, Any]:
        return {"version": self.version, "pidfile": str(self.pidfile) if self.pidfile else None,
                "tenant_config": self.tenant_config}


@dataclass(frozen=True)
class Plan:
    repo: Path
    root: Path
    files: tuple[PlannedFile, ...]
    unresolved: tuple[Unresolved, ...]
    zuul: ZuulInfo | None
    jjb_files: tuple[tuple[str, str], ...] = field(repr=False)  # (relative name, rendered text)
    jjb_ini: str = field(default="", repr=False)  # rendered from the repo: no secret
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> tuple[PlannedFile, ...]:
        return tuple(f for f in self.files if f.action != "unchanged")

    def zuul_changed(self) -> bool:
        return any(f.kind == "zuul" and f.action != "unchanged" for f in self.files)

    def as_dict(self) -> dict[str, Any]:
        return {"repo": str(self.repo), "root": str(self.root), "files": [f.as_dict() for f in self.files],
                "unresolved": [u.as_dict() for u in self.unresolved],
                "zuul": self.zuul.as_dict() if self.zuul else None, "notes": list(self.notes)}


def _walk(top: Path) -> list[Path]:
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for f in sorted(filenames):
            if f.startswith(".") or f.endswith(("~", ".swp", ".pyc")):
                continue
            out.append(Path(dirpath) / f)
    return out


def _read_text(repo_root: Path, path: Path, what: str) -> str:
    real = inside_repo(repo_root, path, what)
    if real.stat().st_size > MAX_FILE:
        raise InputError(f"{what}: {path} is larger than {MAX_FILE // 1024 // 1024} MiB", code=Code.FILE_TOO_LARGE)
    try:
        return real.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{what}: {path} is not UTF-8 text", code=Code.NOT_TEXT,
                         hint="Only text configuration files are deployed.") from None


def _current(target: Path) -> tuple[bytes | None, int | None, tuple[int, int] | None]:
    try:
        st = os.lstat(target)
    except FileNotFoundError:
        return None, None, None
    except NotADirectoryError:
        raise InputError(f"{target}: a parent of it exists and is not a directory", code=Code.APPLY_TARGET_NOT_FILE,
                         hint="Move that file away; apply creates the directories it needs.") from None
    if not stat.S_ISREG(st.st_mode):
        raise InputError(f"{target}: exists and is not a regular file", code=Code.APPLY_TARGET_NOT_FILE,
                         hint="Move it away; apply only replaces regular files.")
    return target.read_bytes(), stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)


def _zuul_user() -> tuple[int, int, str] | None:
    import pwd

    try:
        pw = pwd.getpwnam(ZUUL_USER)
    except KeyError:
        return None
    return pw.pw_uid, pw.pw_gid, pw.pw_dir


def _diff(path: str, old: bytes | None, new: bytes, secret: bool, old_mode: int | None, mode: int) -> str:
    head = ""
    if old is not None and old_mode != mode:
        head = f"mode {path}: {old_mode:04o} -> {mode:04o}\n"
    if old == new:
        return head
    if secret:
        src = "/dev/null" if old is None else f"a{path}"
        return head + f"--- {src}\n+++ b{path}\n(private key: content not shown)\n"
    a = mask_secrets(old.decode("utf-8", "replace")).splitlines(keepends=True) if old is not None else []
    b = mask_secrets(new.decode("utf-8", "replace")).splitlines(keepends=True)
    lines = difflib.unified_diff(a, b, fromfile="/dev/null" if old is None else f"a{path}", tofile=f"b{path}")
    return head + "".join(x if x.endswith("\n") else x + "\n\\ No newline at end of file\n" for x in lines)


class _Builder:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: list[PlannedFile] = []
        self.euid_root = os.geteuid() == 0

    def add(self, path: str, kind: str, source: str | None, content: bytes, mode: int, *, secret: bool = False,
            owner: tuple[int, int] | None = None) -> None:
        target = under_root(self.root, path, kind)
        old, old_mode, old_owner = _current(target)
        if old_mode is not None and not secret:
            mode = (mode & old_mode) | 0o600  # a stricter mode the operator chose is kept
        if old_owner is not None:
            owner = old_owner  # owner preserved
        if not self.euid_root:
            owner = None  # only root can give files away
        self.files.append(PlannedFile(path, target, kind, source, content, old, mode, old_mode, owner, secret,
                                      _diff(path, old, content, secret, old_mode, mode)))


def _conf(text: str) -> Ini:
    try:
        return parse_ini(text, "zuul.conf")
    except IniSyntaxError as exc:
        raise InputError(f"rendered zuul.conf is not valid INI: {str(exc).splitlines()[0]}",
                         code=Code.ZUUL_CONF_INVALID) from None


def _zuul_info(root: Path, ini: Ini | None) -> tuple[ZuulInfo | None, str | None]:
    """(what Zuul runs, the Gerrit sshkey path) from the rendered zuul.conf.

    v3 and newer have ``[scheduler]``; Zuul 2 (2.5 too, with ``[connection NAME]``) has ``[zuul] layout_config``.
    """
    from vendorci.zuulconn import gerrit_settings

    if ini is None:
        return None, None
    sshkey = gerrit_settings(ini.sections)[1].get("gerrit.ssh_key")
    v3 = ini.has_section("scheduler") or (not ini.get("zuul", "layout_config") and bool(
        [s for s in ini.sections if s.startswith("connection ")]))
    if v3:
        pid = ini.get("scheduler", "pidfile") or "/var/run/zuul/scheduler.pid"
        tenant = ini.get("scheduler", "tenant_config")
        return ZuulInfo(3, under_root(root, pid, "zuul.conf [scheduler] pidfile"), tenant), sshkey
    pid = ini.get("zuul", "pidfile") or "/var/run/zuul/zuul.pid"
    return ZuulInfo(2, under_root(root, pid, "zuul.conf [zuul] pidfile"), None), sshkey


def build_plan(directory: str | Path, root: str | Path = "/") -> Plan:
    """Render the data repo at ``directory`` for ROOT and compare with what ROOT holds (writes nothing)."""
    repo = find_datarepo(os.path.abspath(directory))  # a '..' the user typed is not an escape
    rootp = Path(os.path.abspath(root))
    if not rootp.is_dir():
        raise InputError(f"--root {rootp}: no such directory", code=Code.APPLY_ROOT_MISSING,
                         hint="Create it first, or give the directory that stands for / (default /).")
    variables: VarsFile | None = parse_vars(repo.vars_sh) if repo.vars_sh else None
    unresolved: list[Unresolved] = []
    notes: list[str] = []
    b = _Builder(rootp)
    zuul_src = repo.zuul_conf or repo.layout
    zuul_dir = zuul_src.parent if zuul_src is not None else None
    conf_text = None
    if zuul_dir is not None:
        for src in _walk(zuul_dir):
            rel = repo.rel(src)
            text = render_text(_read_text(repo.root, src, rel), variables, rel, unresolved)
            sub = src.relative_to(zuul_dir).as_posix()
            b.add(f"{ZUUL_DIR}/{sub}", "zuul", rel, text.encode(), 0o644)
            if src == repo.zuul_conf:
                conf_text = text
    jjb_files: list[tuple[str, str]] = []
    if repo.jjb_dir is not None:
        for src in _walk(repo.jjb_dir):
            rel = repo.rel(src)
            text = render_text(_read_text(repo.root, src, rel), variables, rel, unresolved)
            sub = src.relative_to(repo.jjb_dir).as_posix()
            b.add(f"{JJB_DIR}/{sub}", "jjb", rel, text.encode(), 0o644)
            jjb_files.append((sub, text))  # scripts too: ``!include-raw`` reads them beside the YAML
    ini_text = ""
    if repo.jjb_ini is not None:
        rel = repo.rel(repo.jjb_ini)
        ini_text = render_text(_read_text(repo.root, repo.jjb_ini, rel), variables, rel, unresolved)
        host = under_root(rootp, JJB_INI, "jenkins_jobs.ini")
        existing = host.read_text(encoding="utf-8", errors="replace") if host.is_file() else None
        merged, secret = merge_jjb_ini(ini_text, existing)
        b.add(JJB_INI, "jjb_ini", rel, merged.encode(), 0o600 if secret else 0o644)
    zuul, sshkey = _zuul_info(rootp, _conf(conf_text) if conf_text is not None and not unresolved else None)
    _plan_ssh(b, repo, variables, sshkey, notes)
    return Plan(repo.root, rootp, tuple(b.files), tuple(unresolved), zuul, tuple(jjb_files), ini_text, tuple(notes))


def _plan_ssh(b: _Builder, repo: Any, variables: VarsFile | None, sshkey: str | None, notes: list[str]) -> None:
    if variables is None:
        return
    user = _zuul_user()
    owner = (user[0], user[1]) if user else None
    key_rel = variables.get("UPSTREAM_GERRIT_SSH_KEY_PATH")
    if key_rel and sshkey:
        src = Path(key_rel)
        if src.is_absolute():
            raise InputError(f"UPSTREAM_GERRIT_SSH_KEY_PATH={key_rel} is outside the data repository",
                             code=Code.APPLY_PATH_ESCAPE, hint="Keep the key in the repository; give a relative path.")
        data = inside_repo(repo.root, repo.root / src, "UPSTREAM_GERRIT_SSH_KEY_PATH").read_bytes()
        b.add(sshkey, "key", key_rel, data, 0o600, secret=True, owner=owner)
    elif key_rel:
        notes.append("zuul.conf names no Gerrit sshkey: the Gerrit key was not deployed")
    hostkey = variables.get("UPSTREAM_GERRIT_HOST_PUB_KEY")
    if not hostkey:
        notes.append("UPSTREAM_GERRIT_HOST_PUB_KEY is not set in vars.sh: Zuul's known_hosts was not written")
        return
    key = parse_host_key(hostkey)
    if key is None:
        raise InputError("UPSTREAM_GERRIT_HOST_PUB_KEY is not an SSH public key line ('TYPE BASE64')",
                         code=Code.APPLY_BAD_HOST_KEY, hint="Copy the key line of the upstream Gerrit from a trusted "
                         "source, e.g. 'ssh-ed25519 AAAA...'.")
    host = variables.get("UPSTREAM_GERRIT_HOST") or "review.opendev.org"
    port = variables.get("UPSTREAM_GERRIT_PORT") or "29418"
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", host) or not port.isdigit():
        raise InputError(f"UPSTREAM_GERRIT_HOST/PORT ({host!r}, {port!r}) cannot name a known_hosts entry",
                         code=Code.BAD_HOST, hint="Give a host name (no scheme, no port) and a port number.")
    marker = host if port == "22" else f"[{host}]:{port}"
    home = user[2] if user else f"/home/{ZUUL_USER}"
    path = f"{home.rstrip('/')}/.ssh/known_hosts"
    target = under_root(b.root, path, "known_hosts")
    existing = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else None
    b.add(path, "known_hosts", None, merge_known_hosts(existing, marker, key).encode(), 0o644, owner=owner)
