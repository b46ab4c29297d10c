"""The data repository: where its files are, and what its ``vars.sh`` says.

Two layouts are recognised:

- the reference articles' (os-ext-testing-data, and what ``vendorci init``
  writes): ``etc/zuul/layout.yaml``, ``etc/zuul/zuul.conf``,
  ``etc/jenkins_jobs/config/``, ``etc/jenkins_jobs/jenkins_jobs.ini``;
- the successor project-config-example: ``zuul/layout.yaml``, ``jenkins/jobs/``.

``vars.sh`` is never executed or sourced: ``[export] NAME=value`` lines are
read as text.  A value holding a command substitution (``$(...)`` or
backticks) is reported, never run; ``$OTHER``/``${OTHER}`` naming an earlier
variable is expanded textually.

Convention for files that take values from vars.sh (``zuul.conf``, JJB
macros): they write ``${NAME}`` (braces).  A bare ``$NAME`` is a run-time
variable (``$ZUUL_PROJECT``, ``$LOG_PATH``) and is not a vars.sh reference.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import InputError

LAYOUT_CANDIDATES = ("etc/zuul/layout.yaml", "zuul/layout.yaml")
JJB_CANDIDATES = ("etc/jenkins_jobs/config", "jenkins/jobs")
ZUUL_CONF_CANDIDATES = ("etc/zuul/zuul.conf", "zuul/zuul.conf")
JJB_INI_CANDIDATES = ("etc/jenkins_jobs/jenkins_jobs.ini", "jenkins/jenkins_jobs.ini")

#: Variables read by something other than the repo's own files: vendorci and the
#: installer that deploys the repository (os-ext-testing's install_master.sh read
#: the same names).  Value: what reads it.
KNOWN_VARS: dict[str, str] = {
    "VENDOR": "vendorci (the CI's name, as in 'VENDOR: recheck')",
    "UPSTREAM_GERRIT_USER": "zuul.conf [gerrit] user: the CI's Gerrit service account",
    "UPSTREAM_GERRIT_HOST": "zuul.conf [gerrit] server",
    "UPSTREAM_GERRIT_PORT": "zuul.conf [gerrit] port",
    "UPSTREAM_GERRIT_SSH_KEY_PATH": "the installer: private key Zuul uses for Gerrit (relative to the repo)",
    "UPSTREAM_GERRIT_HOST_PUB_KEY": "the installer: Gerrit's SSH host key, written to Zuul's known_hosts",
    "JENKINS_SSH_KEY_PATH": "the installer: private key the Jenkins master uses to reach its agents",
    "JENKINS_URL": "jenkins_jobs.ini [jenkins] url",
    "PUBLISH_HOST": "the installer: host of the 'LogServer' scp site the log publishers copy to",
    "LOG_URL_ROOT": "zuul.conf url_pattern and the link-logs macro: public URL of the published logs",
    "GIT_EMAIL": "the installer: git identity of Zuul's merger",
    "GIT_NAME": "the installer: git identity of Zuul's merger",
}
#: Variables a data repo cannot work without.
REQUIRED_VARS = ("UPSTREAM_GERRIT_USER", "UPSTREAM_GERRIT_SSH_KEY_PATH", "JENKINS_SSH_KEY_PATH")
#: vars.sh variables naming key files inside the repository.
KEY_VARS = ("UPSTREAM_GERRIT_SSH_KEY_PATH", "JENKINS_SSH_KEY_PATH")

_ASSIGN = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")
_REF = re.compile(r"\$\{\{?([A-Z_][A-Z0-9_]*)\}?\}")
_EXPAND = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass
class Finding:
    """One problem found in a data repo.  ``file``/``line`` locate it when known."""

    severity: str  # "error" | "warning"
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    hint: str | None = None

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __str__(self) -> str:
        loc = self.where
        return f"{loc}: {self.message}" if loc else self.message


@dataclass
class ShellVar:
    name: str
    value: str
    line: int
    raw: str
    command: bool = False  # holds $(...) or backticks: not evaluated


@dataclass
class VarsFile:
    path: Path
    vars: dict[str, ShellVar] = field(default_factory=dict)
    problems: list[Finding] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        v = self.vars.get(name)
        return None if v is None or v.command else v.value


def parse_vars(path: str | Path) -> VarsFile:
    """Read ``NAME=value`` assignments from a shell file without running it."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{p}: no such file", code="file_missing") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read: {exc}", code="file_unreadable") from None
    out = VarsFile(p)
    for n, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = _ASSIGN.match(line)
        if not m:
            out.problems.append(Finding(
                "warning", "vars_unparsed",
                f"line is not a NAME=value assignment; vendorci ignores it: {stripped[:60]}",
                str(p), n, "Keep vars.sh to plain 'export NAME=value' lines; it is read, never executed."))
            continue
        name, raw = m.group(1), m.group(2).strip()
        if "$(" in raw or "`" in raw:
            out.vars[name] = ShellVar(name, raw, n, raw, command=True)
            out.problems.append(Finding(
                "error", "vars_command", f"{name} uses a command substitution, which vendorci never runs",
                str(p), n, "Write the literal value instead of $(...) or backticks."))
            continue
        try:
            parts = shlex.split(raw, comments=True) if raw else [""]
        except ValueError as exc:
            out.problems.append(Finding("error", "vars_syntax", f"{name}: {exc}", str(p), n,
                                        "Fix the quoting of this value."))
            continue
        value = parts[0] if parts else ""
        if not raw.startswith("'"):
            value = _EXPAND.sub(lambda mm: out.get(mm.group(1) or mm.group(2)) or mm.group(0), value)
        if name in out.vars:
            out.problems.append(Finding("warning", "vars_duplicate", f"{name} is set again (first on line "
                                        f"{out.vars[name].line}); the last value wins", str(p), n,
                                        "Keep a single assignment."))
        out.vars[name] = ShellVar(name, value, n, raw)
    return out


def var_references(text: str) -> set[str]:
    """vars.sh names a file refers to (``${NAME}``, or ``${{NAME}}`` in a JJB job-template)."""
    return set(_REF.findall(text))


@dataclass
class DataRepo:
    """Where the parts of a data repository are (None: absent)."""

    root: Path
    layout: Path | None = None
    jjb_dir: Path | None = None
    vars_sh: Path | None = None
    zuul_conf: Path | None = None
    jjb_ini: Path | None = None
    config: Path | None = None  # vendorci.yaml

    def rel(self, path: str | Path) -> str:
        try:
            return str(Path(path).relative_to(self.root))
        except ValueError:
            return str(path)


def _first(root: Path, candidates: tuple[str, ...], want_dir: bool) -> Path | None:
    for c in candidates:
        p = root / c
        if (p.is_dir() if want_dir else p.is_file()):
            return p
    return None


def find_datarepo(directory: str | Path) -> DataRepo:
    """Locate the parts of the data repo at ``directory``; InputError if it is not one."""
    root = Path(directory)
    if not root.exists():
        raise InputError(f"{root}: no such directory", code="dir_missing",
                         hint="Give the data repo's top directory (create one with `vendorci init DIR`).")
    if not root.is_dir():
        raise InputError(f"{root}: not a directory", code="not_a_directory",
                         hint="Give the data repo's top directory.")
    repo = DataRepo(
        root=root,
        layout=_first(root, LAYOUT_CANDIDATES, False),
        jjb_dir=_first(root, JJB_CANDIDATES, True),
        vars_sh=_first(root, ("vars.sh",), False),
        zuul_conf=_first(root, ZUUL_CONF_CANDIDATES, False),
        jjb_ini=_first(root, JJB_INI_CANDIDATES, False),
        config=_first(root, ("vendorci.yaml",), False),
    )
    if repo.layout is None and repo.jjb_dir is None and repo.vars_sh is None:
        raise InputError(
            f"{root}: not a vendorci data repository (no etc/zuul/layout.yaml, zuul/layout.yaml, "
            "etc/jenkins_jobs/config/, jenkins/jobs/ or vars.sh)",
            code="not_a_datarepo",
            hint="Point at the data repo's top directory, or create one with `vendorci init DIR`.",
        )
    return repo


def is_datarepo(directory: str | Path) -> bool:
    try:
        find_datarepo(directory)
    except InputError:
        return False
    return True


# -- creating one: `vendorci init` -------------------------------------------
VENDOR_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
#: Key pairs every data repo holds: file name -> what it is for.
REPO_KEYS = {"gerrit_key": "Gerrit service account", "jenkins_key": "Jenkins master to agents"}
INIT_COMMIT_MESSAGE = "Initial vendorci data repository"
GIT_TIMEOUT = 30.0


@dataclass
class InitOptions:
    vendor: str
    gerrit_user: str
    gerrit_host: str = "review.opendev.org"
    gerrit_port: int = 29418
    jenkins_url: str = "http://127.0.0.1:8080/"
    key_type: str = "rsa"
    force: bool = False

    def params(self) -> dict[str, str]:
        return {"VENDOR": self.vendor, "GERRIT_USER": self.gerrit_user, "GERRIT_HOST": self.gerrit_host,
                "GERRIT_PORT": str(self.gerrit_port), "JENKINS_URL": self.jenkins_url}


def check_init_options(opts: InitOptions) -> None:
    """UsageError (exit 2) for a value init cannot use."""
    from vendorci.config import _url, shown
    from vendorci.core.keys import validate_key_request
    from vendorci.errors import UsageError

    if not VENDOR_RE.match(opts.vendor or ""):
        raise UsageError(f"invalid vendor name {opts.vendor!r}", code="bad_vendor",
                         hint="Use lowercase letters, digits, '-' and '_' (e.g. acme-ci), starting with a letter "
                              "or digit.")
    if not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", opts.gerrit_user or ""):
        raise UsageError(f"invalid Gerrit user {opts.gerrit_user!r}", code="bad_gerrit_user",
                         hint="Give the CI's Gerrit service account name (letters, digits, '.', '_', '-').")
    if not re.match(r"^[A-Za-z0-9.-]+$", opts.gerrit_host or "") or opts.gerrit_host.startswith("-"):
        raise UsageError(f"invalid Gerrit host {opts.gerrit_host!r}", code="bad_gerrit_host",
                         hint="Give a host name such as review.opendev.org (no scheme, no port).")
    if not 0 < int(opts.gerrit_port) < 65536:
        raise UsageError(f"invalid Gerrit port {opts.gerrit_port}", code="bad_port", hint="Use 1-65535 (29418).")
    try:
        _url(opts.jenkins_url)
    except ValueError as exc:
        raise UsageError(f"invalid Jenkins URL {shown(opts.jenkins_url)!r}: {exc}", code="bad_jenkins_url",
                         hint="Give e.g. http://127.0.0.1:8080/") from None
    validate_key_request(opts.key_type, None)


def template_root() -> Path:
    return Path(__file__).resolve().parent.parent / "templates" / "datarepo"


def render_templates(params: dict[str, str]) -> dict[str, str]:
    """Relative path -> rendered text of every file ``init`` writes (keys excluded)."""
    root = template_root()
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or "__pycache__" in p.parts:
            continue
        text = p.read_text(encoding="utf-8")
        out[str(p.relative_to(root))] = _PLACEHOLDER.sub(lambda m: params[m.group(1)], text)
    return out


def _git(args: list[str], cwd: Path, ident: list[str] | None = None) -> str:
    import subprocess

    from vendorci.errors import OperationFailed, ToolMissing

    try:
        proc = subprocess.run(["git", *(ident or []), *args], cwd=cwd, capture_output=True, text=True,
                              timeout=GIT_TIMEOUT, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ToolMissing("git is not installed", hint="Install git (apt-get install git).") from None
    except subprocess.TimeoutExpired:
        raise OperationFailed(f"git {args[0]} did not finish in {GIT_TIMEOUT:g}s", code="git_timeout") from None
    if proc.returncode != 0:
        msg = (proc.stderr or proc.stdout).strip().splitlines()
        raise OperationFailed(f"git {args[0]} failed: {msg[-1] if msg else proc.returncode}", code="git_failed")
    return proc.stdout


def _git_ident(cwd: Path) -> list[str]:
    """``-c user.name/-c user.email`` when git has no identity of its own, else nothing."""
    try:
        _git(["var", "GIT_AUTHOR_IDENT"], cwd)
        _git(["var", "GIT_COMMITTER_IDENT"], cwd)
        return []
    except Exception:  # noqa: BLE001 - any failure: use the fallback identity
        return ["-c", "user.name=vendorci", "-c", "user.email=vendorci@localhost"]


def _commit(root: Path, paths: list[str], new_repo: bool) -> str | None:
    if new_repo:
        _git(["init", "-q", "--initial-branch=main"], root)
    if not paths:
        return None
    _git(["add", "--", *paths], root)
    if not _git(["diff", "--cached", "--name-only"], root).strip():
        return None
    _git(["commit", "-q", "--no-verify", "-m", INIT_COMMIT_MESSAGE], root, _git_ident(root))
    return _git(["rev-parse", "HEAD"], root).strip()


def _write_tree(root: Path, files: dict[str, str], keep_existing: bool) -> tuple[list[str], list[str]]:
    from vendorci.fsutil import write_atomic

    written, kept = [], []
    for rel, text in files.items():
        target = root / rel
        if keep_existing and (target.exists() or target.is_symlink()):
            kept.append(rel)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(target, text, 0o755 if rel.endswith(".sh") else 0o644)
        written.append(rel)
    return written, kept


def _make_keys(root: Path, opts: InitOptions, written: list[str], kept: list[str]) -> list[dict[str, Any]]:
    from vendorci.core.keys import generate_key, inspect_key

    keys = []
    for name, purpose in REPO_KEYS.items():
        priv, pub = root / name, root / f"{name}.pub"
        if priv.exists() or pub.exists() or priv.is_symlink():
            kept += [n for n in (name, f"{name}.pub") if (root / n).exists()]
            info = inspect_key(priv) if priv.is_file() else None
        else:
            info = generate_key(priv, opts.key_type, None, f"{opts.vendor} {purpose}")
            written += [name, f"{name}.pub"]
        keys.append({"name": name, "purpose": purpose, "generated": name in written,
                     **({"type": info.type, "bits": info.bits, "fingerprint": info.fingerprint,
                         "public_key": info.public_key} if info else {})})
    return keys


def init_repo(directory: str | Path, opts: InitOptions) -> dict[str, Any]:
    """Create the data repo at ``directory`` and commit it; returns what was done.

    A new directory is built beside the target and renamed into place, so a
    failure leaves nothing behind.  With ``force`` on an existing non-empty
    directory, only missing files are written (each atomically); existing
    files and keys are never touched.
    """
    import shutil
    import tempfile

    from vendorci.errors import UsageError

    check_init_options(opts)
    target = Path(directory).expanduser()
    parent = target.absolute().parent
    if target.is_symlink():  # renaming the new tree onto it would fail, or write where the link points
        raise InputError(f"{target}: is a symbolic link; init creates a real directory", code="path_is_symlink",
                         hint="Give the real path (or a new directory name) instead of the link.")
    if target.exists() and not target.is_dir():
        raise InputError(f"{target}: exists and is not a directory", code="not_a_directory",
                         hint="Give a DIR that does not exist yet (init creates it) or an empty directory.")
    if not parent.is_dir():
        raise InputError(f"{parent}: parent directory does not exist", code="dir_missing",
                         hint=f"Create it first (mkdir -p {parent}) or choose another DIR.")
    if not os.access(parent, os.W_OK | os.X_OK) or (target.is_dir() and not os.access(target, os.W_OK | os.X_OK)):
        where = target if target.is_dir() and not os.access(target, os.W_OK) else parent
        raise InputError(f"{where}: directory is not writable", code="dir_unwritable",
                         hint="Choose a directory you can write to.")
    nonempty = target.is_dir() and any(target.iterdir())
    if nonempty and not opts.force:
        what = "already a data repository" if is_datarepo(target) else "not empty"
        raise UsageError(f"{target}: {what}; nothing changed", code="dir_not_empty",
                         hint="Use --force to add only the missing files (existing files and keys are kept).")
    if shutil.which("git") is None:
        from vendorci.errors import ToolMissing

        raise ToolMissing("git is not installed; init commits the new repository",
                          hint="Install git (apt-get install git).")
    files = render_templates(opts.params())
    if nonempty:
        written, kept = _write_tree(target, files, keep_existing=True)
        keys = _make_keys(target, opts, written, kept)
        if any(k["generated"] for k in keys) and target.stat().st_mode & 0o077:
            os.chmod(target, 0o700)  # it now holds private keys
        commit = _commit(target, written, new_repo=not (target / ".git").exists())
        root = target
    else:
        try:
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.init-", dir=parent))
        except OSError as exc:  # read-only or special file systems pass os.access() for root
            raise InputError(f"{parent}: cannot create the repository here: {exc.strerror}", code="dir_unwritable",
                             hint="Choose a directory on a writable file system that you own.") from None
        try:
            written, kept = _write_tree(tmp, files, keep_existing=False)
            keys = _make_keys(tmp, opts, written, kept)
            commit = _commit(tmp, written, new_repo=True)
            os.chmod(tmp, 0o700)  # it holds private keys
            if target.is_dir():
                target.rmdir()  # empty: replaced by the finished tree
            os.rename(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        root = target
    return {"path": str(root.absolute()), "vendor": opts.vendor, "written": sorted(written), "kept": sorted(kept),
            "keys": keys, "commit": commit, "forced": nonempty}
