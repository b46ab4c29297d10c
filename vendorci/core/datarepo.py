"""The data repository: where its files are, and what its ``vars.sh`` says (creating one: :mod:`.scaffold`).

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

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

from vendorci.errors import InputError
from vendorci.results import Finding

#: Where the parts of a data repo may be, in order of preference (the articles' layout first).
#: Every message naming them is built from these.
LAYOUT_CANDIDATES = ("etc/zuul/layout.yaml", "zuul/layout.yaml", "layout.yaml", "zuul/layout.yml")
JJB_CANDIDATES = ("etc/jenkins_jobs/config", "jenkins/jobs", "jenkins_jobs/config", "jobs", "jjb")
ZUUL_CONF_CANDIDATES = ("etc/zuul/zuul.conf", "zuul/zuul.conf")
JJB_INI_CANDIDATES = ("etc/jenkins_jobs/jenkins_jobs.ini", "jenkins/jenkins_jobs.ini")
VARS_FILE = "vars.sh"
CONFIG_FILE = "vendorci.yaml"

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
    from vendorci.fsutil import read_text_bounded

    p = Path(path)
    text = read_text_bounded(p, 1024 * 1024, "vars.sh")  # a FIFO or /dev/zero is refused, never read
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
        vars_sh=_first(root, (VARS_FILE,), False),
        zuul_conf=_first(root, ZUUL_CONF_CANDIDATES, False),
        jjb_ini=_first(root, JJB_INI_CANDIDATES, False),
        config=_first(root, (CONFIG_FILE,), False),
    )
    if repo.layout is None and repo.jjb_dir is None and repo.vars_sh is None and repo.config is None:
        raise InputError(
            f"{root}: not a vendorci data repository (no {', '.join(LAYOUT_CANDIDATES)}, "
            f"{', '.join(d + '/' for d in JJB_CANDIDATES)} or {VARS_FILE})",
            code="not_a_datarepo",
            hint="Point at the data repo's top directory (or a Zuul config project: zuul.d/, zuul.yaml), or create "
                 "one with `vendorci init DIR`.",
        )
    return repo


def is_datarepo(directory: str | Path) -> bool:
    try:
        find_datarepo(directory)
    except InputError:
        return False
    return True
