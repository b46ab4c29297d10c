"""Text rendering for ``vendorci apply``: ``${NAME}`` from vars.sh, secrets masked.

vars.sh is read as text by :func:`vendorci.core.datarepo.parse_vars`, never run.
Rules (the same as ``vendorci validate``):

- ``${NAME}`` (upper case) on a line that is not a comment takes the value of
  ``NAME`` from vars.sh; a name vars.sh does not set, or sets with a command
  substitution, is *unresolved* and stops apply before anything is written;
- a comment line (``#`` or ``;``, not ``#!``) is copied as it is: it may talk
  about ``${NAME}`` without using it;
- in Jenkins Job Builder files ``${{NAME}}`` is JJB's escape for a literal
  ``${NAME}`` (a Jenkins variable at build time) and is left exactly as written;
- a value holding a newline or a NUL cannot be substituted safely (it could add
  a line to an INI file) and is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vendorci.core.datarepo import VarsFile
from vendorci.inifile import Ini, IniSyntaxError, parse_ini

_SINGLE = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
_SECRET_KEY = re.compile(r"^(\s*[^=:#;\s]*(?:password|passwd|token|secret|api_key)[^=:]*[=:]\s*)(\S.*)$", re.I)
MASKED = "********"
JJB_INI_NAME = "jenkins_jobs.ini"


@dataclass(frozen=True)
class Unresolved:
    name: str
    file: str
    line: int

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "file": self.file, "line": self.line}


def _is_comment(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("#", ";")) and not s.startswith("#!")


def render_text(text: str, variables: VarsFile | None, rel: str, unresolved: list[Unresolved]) -> str:
    """``text`` with every ``${NAME}`` replaced; names it cannot resolve are appended to ``unresolved``."""
    out = []
    for n, line in enumerate(text.splitlines(keepends=True), 1):
        if _is_comment(line) or "${" not in line:
            out.append(line)
            continue

        def sub(m: re.Match[str], n: int = n) -> str:
            value = variables.get(m.group(1)) if variables is not None else None
            if value is None or "\n" in value or "\0" in value:
                unresolved.append(Unresolved(m.group(1), rel, n))
                return m.group(0)
            return value

        # ``${{NAME}}`` never matches: the character after ``${`` is ``{``, not a name
        out.append(_SINGLE.sub(sub, line))
    return "".join(out)


def mask_secrets(text: str) -> str:
    """``text`` with the value of every ``password=``/``token=``-like setting replaced by a mask."""
    return "".join(_SECRET_KEY.sub(lambda m: m.group(1) + MASKED, line)
                   for line in text.splitlines(keepends=True))


def merge_jjb_ini(rendered: str, existing: str | None) -> tuple[str, bool]:
    """The repo's jenkins_jobs.ini, keeping the operator's own ``[jenkins] user``/``password``.

    The repository never carries a secret (validate refuses one); the host's ini
    may, and apply never drops or overwrites it.  Returns (text, has_secret).
    """
    keep: dict[str, str] = {}
    if existing:
        try:
            ini = parse_ini(existing, JJB_INI_NAME)
        except IniSyntaxError:
            ini = Ini(JJB_INI_NAME)
        for opt in ("user", "password"):
            value = (ini.get("jenkins", opt) or "").strip()
            if value:
                keep[opt] = value
    if not keep:
        return rendered, False
    lines = rendered.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    out: list[str] = []
    section = None
    inserted = False
    for line in lines:
        head = re.match(r"^\s*\[([^\]]+)\]", line)
        if head:
            if section == "jenkins" and not inserted:
                out.extend(f"{k}={v}\n" for k, v in keep.items())
                inserted = True
            section = head.group(1).strip()
        elif section == "jenkins" and re.match(rf"^\s*({'|'.join(keep)})\s*[=:]", line):
            continue  # the operator's value wins
        out.append(line)
    if not inserted:
        if section != "jenkins":
            out.append("\n[jenkins]\n")
        out.extend(f"{k}={v}\n" for k, v in keep.items())
    return "".join(out), "password" in keep


def merge_known_hosts(existing: str | None, marker: str, key: str) -> str:
    """``existing`` known_hosts with one line ``marker key`` for the host: added, or replacing that host's line."""
    line = f"{marker} {key}\n"
    out: list[str] = []
    found = False
    for old in (existing or "").splitlines(keepends=True):
        hosts = old.split(None, 1)[0].split(",") if old.strip() and not old.startswith("#") else []
        if marker in hosts:
            if not found:
                out.append(line)
                found = True
            continue
        out.append(old if old.endswith("\n") else old + "\n")
    if not found:
        out.append(line)
    return "".join(out)


_KEY_TYPES = re.compile(r"^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+)$")


def parse_host_key(value: str) -> str | None:
    """``TYPE BASE64`` from a vars.sh host key value (``[host] TYPE BASE64 [comment]``), None if malformed."""
    parts = value.split()
    while parts and not _KEY_TYPES.match(parts[0]):
        parts = parts[1:]
    if len(parts) < 2 or not re.fullmatch(r"[A-Za-z0-9+/]+={0,3}", parts[1]):
        return None
    return f"{parts[0]} {parts[1]}"
