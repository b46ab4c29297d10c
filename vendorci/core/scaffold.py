"""Creating a data repository (``vendorci init``): options, templates, keys, the first commit.

The templates live in ``vendorci/templates/datarepo`` (``datarepo-v3`` for ``--zuul v3``); ``@@NAME@@``
placeholders are filled from
:class:`InitOptions`.  Finding and reading an existing repo is :mod:`vendorci.core.datarepo`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vendorci.clients.git import fallback_identity, run_git
from vendorci.core.datarepo import is_datarepo
from vendorci.errors import Code, InputError

VENDOR_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
_PLACEHOLDER = re.compile(r"@@([A-Z_]+)@@")
#: Key pairs every data repo holds: file name -> what it is for.
REPO_KEYS = {"gerrit_key": "Gerrit service account", "jenkins_key": "Jenkins master to agents"}
#: --zuul value -> (template directory, key pairs)
ZUUL_FLAVOURS = {"v2": ("datarepo", REPO_KEYS), "v3": ("datarepo-v3", {"gerrit_key": "Gerrit service account"})}
INIT_COMMIT_MESSAGE = "Initial vendorci data repository"
#: LOG_URL_ROOT when init is given none: this host, until the operator has a public log server
LOCAL_LOG_URL = "http://127.0.0.1/logs"
#: --zuul value -> the file init writes the log URL into
LOG_URL_FILE = {"v2": "vars.sh", "v3": "zuul-config/zuul.d/jobs.yaml"}


@dataclass
class InitOptions:
    vendor: str
    gerrit_user: str
    gerrit_host: str = "review.opendev.org"
    gerrit_port: int = 29418
    jenkins_url: str = "http://127.0.0.1:8080/"
    key_type: str = "rsa"
    force: bool = False
    zuul: str = "v2"  # "v3": today's Zuul (zuul.d config project) instead of Zuul 2 + Jenkins
    vote: bool = False  # v3: report Verified +/-1 instead of comments only
    key_format: str | None = None  # None: what the keys' consumers read (keyformats.default_format)
    log_url: str | None = None  # LOG_URL_ROOT (None: LOCAL_LOG_URL); validate wants a public URL upstream
    publish_host: str | None = None  # None: the log URL's host, or 127.0.0.1 without a log URL

    @property
    def log_url_root(self) -> str:
        return (self.log_url or LOCAL_LOG_URL).rstrip("/")

    @property
    def publish_target(self) -> str:
        """PUBLISH_HOST: given, else the host serving the given log URL (logs are copied where they are served)."""
        from urllib.parse import urlsplit

        if self.publish_host:
            return self.publish_host
        try:
            host = urlsplit(self.log_url).hostname if self.log_url else None
        except ValueError:  # check_init_options reports the URL
            host = None
        return host or "127.0.0.1"

    def params(self) -> dict[str, str]:
        from vendorci.core.keyformats import init_key_note

        return {"VENDOR": self.vendor, "GERRIT_USER": self.gerrit_user, "GERRIT_HOST": self.gerrit_host,
                "GERRIT_PORT": str(self.gerrit_port), "JENKINS_URL": self.jenkins_url,
                "SUCCESS_REPORT": "{Verified: 1}" if self.vote else "{}",
                "FAILURE_REPORT": "{Verified: -1}" if self.vote else "{}",
                "KEY_FORMAT_NOTE": init_key_note(self.key_type, self.key_format),
                "LOG_URL_ROOT": self.log_url_root, "PUBLISH_HOST": self.publish_target}


@dataclass(frozen=True)
class InitResult:
    """What ``init`` did: where, which files it wrote or kept, the key pairs, the commit (None: nothing new)."""

    path: str
    vendor: str
    written: tuple[str, ...]
    kept: tuple[str, ...]
    keys: tuple[dict[str, Any], ...]
    commit: str | None
    forced: bool
    #: LOG_URL_ROOT as written, and why the CI cannot report upstream with it (None: it can)
    log_url_root: str = LOCAL_LOG_URL
    not_ready: str | None = None
    zuul: str = "v2"
    #: False when --force kept the file holding the log URL: its readiness was not judged
    log_url_written: bool = True

    def as_dict(self) -> dict[str, Any]:
        return {"path": self.path, "vendor": self.vendor, "written": list(self.written), "kept": list(self.kept),
                "keys": list(self.keys), "commit": self.commit, "forced": self.forced,
                "log_url_root": self.log_url_root,
                "ready_to_report": (self.not_ready is None) if self.log_url_written else None,
                "not_ready": self.not_ready, "zuul": self.zuul}


def check_init_options(opts: InitOptions) -> None:
    """UsageError (exit 2) for a value init cannot use."""
    from vendorci.config import FILE_SAFE_URL, _url, shown
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
        if not FILE_SAFE_URL.match(opts.jenkins_url):  # it is written unquoted into vars.sh and two config files
            raise ValueError("only letters, digits and . _ ~ : / @ % + = , - [ ] may appear in it")
    except ValueError as exc:
        raise UsageError(f"invalid Jenkins URL {shown(opts.jenkins_url)!r}: {exc}", code="bad_jenkins_url",
                         hint="Give e.g. http://127.0.0.1:8080/") from None
    try:  # written into vars.sh: a URL without shell-special characters
        if not re.fullmatch(r"[A-Za-z0-9._~:/?#\[\]@!%+,;=-]+", opts.log_url_root):
            raise ValueError("unexpected characters")
        _url(opts.log_url_root)
    except ValueError as exc:
        raise UsageError(f"invalid log URL {shown(opts.log_url_root)!r}: {exc}", code="bad_log_url",
                         hint="Give the public URL the logs are served under, e.g. https://logs.acme.org/") from None
    if not re.match(r"^[A-Za-z0-9.:-]+$", opts.publish_target) or opts.publish_target.startswith("-"):
        raise UsageError(f"invalid publish host {opts.publish_target!r}", code="bad_publish_host",
                         hint="Give a host name such as logs.acme.org.")
    validate_key_request(opts.key_type, None)
    if opts.zuul not in ZUUL_FLAVOURS:
        raise UsageError(f"invalid --zuul {shown(opts.zuul)!r}", code=Code.BAD_ZUUL_VERSION,
                         hint="Use v2 (Zuul 2 + Jenkins + Gearman) or v3 (Zuul v3+ with a zuul.d config project).")
    if opts.vote and opts.zuul != "v3":
        raise UsageError("--vote applies to --zuul v3", code=Code.BAD_OPTION,
                         hint="The v2 scaffold always votes Verified +/-1; drop --vote or add --zuul v3.")
    from vendorci.core.keyformats import check_format, default_format

    check_format(opts.key_format or default_format(opts.key_type), opts.key_type)


def template_root(zuul: str = "v2") -> Path:
    return Path(__file__).resolve().parent.parent / "templates" / ZUUL_FLAVOURS[zuul][0]


def render_templates(params: dict[str, str], zuul: str = "v2") -> dict[str, str]:
    """Relative path -> rendered text of every file ``init`` writes (keys excluded)."""
    root = template_root(zuul)
    out: dict[str, str] = {}
    for p in sorted(root.rglob("*")):
        if not p.is_file() or "__pycache__" in p.parts:
            continue
        text = p.read_text(encoding="utf-8")
        out[str(p.relative_to(root))] = _PLACEHOLDER.sub(lambda m: params[m.group(1)], text)
    return out


def _commit(root: Path, paths: list[str], new_repo: bool) -> str | None:
    if new_repo:
        run_git(["init", "-q", "--initial-branch=main"], root)
    if not paths:
        return None
    run_git(["add", "--", *paths], root)
    if not run_git(["diff", "--cached", "--name-only"], root).strip():
        return None
    run_git(["commit", "-q", "--no-verify", "-m", INIT_COMMIT_MESSAGE], root, fallback_identity(root))
    return run_git(["rev-parse", "HEAD"], root).strip()


def _write_tree(root: Path, files: dict[str, str], keep_existing: bool) -> tuple[list[str], list[str]]:
    from vendorci.fsutil import make_dirs, symlinked_part, write_atomic

    for rel in files:
        link = symlinked_part(root, rel)
        if link is not None:  # --force on a prepared tree: a linked subdirectory could point anywhere
            raise InputError(f"{link}: is a symbolic link; init does not write through it", code="path_is_symlink",
                             hint="Replace the link with a real directory (or remove it) and run init again.")
    written, kept = [], []
    for rel, text in files.items():
        target = root / rel
        if keep_existing and (target.exists() or target.is_symlink()):
            kept.append(rel)
            continue
        make_dirs(target.parent)
        write_atomic(target, text, 0o755 if rel.endswith(".sh") else 0o644)
        written.append(rel)
    return written, kept


def _make_keys(root: Path, opts: InitOptions, written: list[str], kept: list[str]) -> list[dict[str, Any]]:
    from vendorci.core.keyformats import default_format
    from vendorci.core.keys import generate_key, inspect_key

    keys = []
    for name, purpose in ZUUL_FLAVOURS[opts.zuul][1].items():
        priv, pub = root / name, root / f"{name}.pub"
        if priv.exists() or pub.exists() or priv.is_symlink():
            kept += [n for n in (name, f"{name}.pub") if (root / n).exists()]
            info = inspect_key(priv) if priv.is_file() else None
        else:
            info = generate_key(priv, opts.key_type, None, f"{opts.vendor} {purpose}",
                                key_format=opts.key_format or default_format(opts.key_type))
            written += [name, f"{name}.pub"]
        keys.append({"name": name, "purpose": purpose, "generated": name in written,
                     **({"type": info.type, "bits": info.bits, "format": info.format, "fingerprint": info.fingerprint,
                         "public_key": info.public_key} if info else {})})
    return keys


def init_repo(directory: str | Path, opts: InitOptions) -> InitResult:
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
    if target.name in ("", ".", "..") or target.absolute() == Path.cwd().absolute():
        if not (target.is_dir() and opts.force):  # renaming a new tree onto the working directory cannot work
            raise UsageError(f"{directory}: init builds a new directory and cannot replace the current one",
                             code="init_in_cwd", hint="Run it from the parent directory (vendorci init NAME), or "
                             "add --force to fill this directory in place.")
        target = Path(os.path.abspath(target))
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
    files = render_templates(opts.params(), opts.zuul)
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
    judged = LOG_URL_FILE[opts.zuul] in written
    return InitResult(str(root.absolute()), opts.vendor, tuple(sorted(written)), tuple(sorted(kept)), tuple(keys),
                      commit, nonempty, opts.log_url_root, _not_ready(opts) if judged else None, opts.zuul, judged)


def _not_ready(opts: InitOptions) -> str | None:
    """Why reports of a CI with this scaffold would link to logs nobody can open (None: they would not)."""
    from vendorci.core.validate.logs import log_url_problem, reports_upstream

    if not reports_upstream(opts.gerrit_host):
        return None
    return log_url_problem(opts.log_url_root)
