"""`validate` findings about the CI's logs: every report must link to public logs (OpenDev's rules).

- ``LOG_URL_ROOT`` not http(s), a placeholder, or loopback: an error when the CI reports to a real (non-loopback)
  Gerrit, a warning otherwise (a lab CI talking to a local Gerrit may keep its logs local);
- a Zuul 2 ``zuul.conf`` without ``[zuul] url_pattern``: a warning (reports then link nothing);
- ``PUBLISH_HOST`` empty or loopback: a warning (fine only when this very host serves the logs publicly).
"""

from __future__ import annotations

import configparser
import ipaddress
import re
from pathlib import Path
from urllib.parse import urlsplit

from vendorci.core.datarepo import VarsFile
from vendorci.errors import Code
from vendorci.results import Finding

_PLACEHOLDER = re.compile(r"@@|<[^>]*>|\bchangeme\b|\bTODO\b|(^|\.)example\.(com|org|net)$|\.invalid$|^example$",
                          re.I)


def is_loopback(host: str | None) -> bool:
    h = (host or "").strip().strip("[]").lower()
    if h in ("localhost", "localhost.localdomain", "ip6-localhost") or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback or ipaddress.ip_address(h).is_unspecified
    except ValueError:
        return False


def _placeholder(text: str) -> bool:
    return bool(_PLACEHOLDER.search(text))


def log_findings(vars_file: VarsFile | None, zuul_conf: Path | None) -> list[Finding]:
    out: list[Finding] = []
    if vars_file is not None:
        out += _log_url(vars_file)
        out += _publish_host(vars_file)
    if zuul_conf is not None:
        out += _url_pattern(zuul_conf)
    return out


def _log_url(vf: VarsFile) -> list[Finding]:
    var = vf.vars.get("LOG_URL_ROOT")
    if var is None or var.command:
        return []
    gerrit = vf.get("UPSTREAM_GERRIT_HOST")
    upstream = reports_upstream(gerrit)
    severity = "error" if upstream else "warning"
    hint = ("Set LOG_URL_ROOT to the public http(s) URL the logs are served under (e.g. https://logs.HOST/): "
            "reviewers follow these links from every report.")
    problem = log_url_problem(var.value.strip())
    if problem is None:
        return []
    if upstream:
        problem += f" (the CI reports to {gerrit})"
    return [Finding(severity, Code.VARS_LOG_URL_ROOT, problem, str(vf.path), var.line, hint)]


def reports_upstream(gerrit_host: str | None) -> bool:
    """The CI reports to a real Gerrit (not loopback, not a placeholder): its logs must be public."""
    return bool(gerrit_host) and not is_loopback(gerrit_host) and not _placeholder(gerrit_host or "")


def log_url_problem(value: str) -> str | None:
    """Why ``value`` cannot be the public LOG_URL_ROOT (placeholder, not http(s), loopback), or None."""
    parts = urlsplit(value)
    if _placeholder(value) or _placeholder(parts.hostname or ""):
        return f"LOG_URL_ROOT {value!r} is a placeholder"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"LOG_URL_ROOT {value!r} is not an http(s) URL"
    if is_loopback(parts.hostname):
        return f"LOG_URL_ROOT {value!r} is loopback: nobody else can open the logs"
    return None


def _publish_host(vf: VarsFile) -> list[Finding]:
    var = vf.vars.get("PUBLISH_HOST")
    if var is None or var.command:
        return []
    value = var.value.strip()
    if value and not is_loopback(value):
        return []
    what = "empty" if not value else f"loopback ({value})"
    return [Finding("warning", "vars_publish_host", f"PUBLISH_HOST is {what}: logs are published on this host",
                    str(vf.path), var.line, "Fine only if this host serves LOG_URL_ROOT publicly; otherwise set "
                    "PUBLISH_HOST to the log server the publishers copy to.")]


def _url_pattern(path: Path) -> list[Finding]:
    cp = configparser.RawConfigParser()
    try:
        cp.read_string(path.read_text(encoding="utf-8"), str(path))
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []  # reported by the config checks
    zuul2 = cp.has_section("gearman") or cp.has_option("zuul", "layout_config")
    if not zuul2 or (cp.has_option("zuul", "url_pattern") and cp.get("zuul", "url_pattern").strip()):
        return []
    return [Finding("warning", "zuul_conf_url_pattern", "zuul.conf has no [zuul] url_pattern: reports will not "
                    "link to the logs", str(path), None,
                    "Add url_pattern=${LOG_URL_ROOT}/{build.parameters[LOG_PATH]} under [zuul].")]
