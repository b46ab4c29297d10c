"""``vendorci validate``: check a data repository without touching any server.

:func:`validate_repo` returns :class:`Finding` objects, one per problem, each
with a file, a line when known, and a fix hint.  Areas (the code prefix):
``yaml`` syntax, ``layout`` (Zuul v2 schema, regexes, recheck syntax),
``jobs`` (every job a project runs is defined by JJB; macros exist), ``vars``
(vars.sh against the files that use it), ``keys`` (key files and modes),
``config`` (vendorci.yaml, zuul.conf), ``repo`` (the checkout itself).
"""

from __future__ import annotations

from pathlib import Path

from vendorci.core.datarepo import find_datarepo, is_datarepo
from vendorci.core.validate.config import check_config, check_repo
from vendorci.core.validate.context import Run
from vendorci.core.validate.jobs import check_jobs, read_jjb
from vendorci.core.validate.keys import check_keys
from vendorci.core.validate.layout import check_layout
from vendorci.core.validate.logs import log_findings
from vendorci.core.validate.vars import check_var_usage, check_vars
from vendorci.results import Finding

__all__ = ["Finding", "validate_repo", "area_of", "AREAS"]

AREAS = ("yaml", "layout", "jobs", "vars", "keys", "config", "repo")
_AREA_PREFIX = {"yaml": "yaml", "layout": "layout", "jjb": "jobs", "jobs": "jobs", "vars": "vars",
                "keys": "keys", "config": "config", "zuul": "config", "repo": "repo",
                "zuulv3": "layout", "policy": "layout"}



def area_of(code: str) -> str:
    return _AREA_PREFIX.get(code.split("_", 1)[0], "repo")



def validate_repo(directory: str | Path) -> list[Finding]:
    """Every finding for the data repo (or Zuul v3 config project) at ``directory`` (InputError if neither)."""
    from vendorci.core.zuulv3.check import locate, validate_v3

    v3 = locate(directory)
    if v3 is not None and not is_datarepo(directory):
        return validate_v3(v3)
    repo = find_datarepo(directory)
    c = Run(repo)
    c.v3 = v3 is not None
    c.literal_dirs = v3.literal_dirs() if v3 is not None else []
    check_config(c)
    check_vars(c)
    read_jjb(c)
    check_layout(c)
    check_jobs(c)
    check_var_usage(c)
    check_keys(c)
    check_repo(c)
    if v3 is not None:
        c.findings += validate_v3(v3, c.vendor, c.vars.get("UPSTREAM_GERRIT_HOST") if c.vars else None)
    for f in log_findings(c.vars, c.repo.zuul_conf):
        c.add_finding(f)
    return c.findings
