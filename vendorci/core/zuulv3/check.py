"""``vendorci validate`` for Zuul v3+: a config project alone, or a data repository holding one.

:func:`locate` says whether a directory holds Zuul v3 configuration;
:func:`validate_v3` returns its findings (the existing :class:`Finding`
type; codes ``zuulv3_*``, ``policy_*``, ``zuul_*``, ``yaml_*``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.core.zuulv3.loader import Stanza, find_config_projects, load_config_project
from vendorci.results import Finding

ZUUL_CONF = ("etc/zuul/zuul.conf", "zuul/zuul.conf")
TENANT_FILES = ("etc/zuul/main.yaml", "zuul/main.yaml")
MAX_MESSAGE = 400


@dataclass
class V3Site:
    root: Path
    projects: list[Path] = field(default_factory=list)
    zuul_conf: Path | None = None  # a Zuul v3 zuul.conf
    tenant: Path | None = None

    def literal_dirs(self) -> list[Path]:
        """Directories whose files Zuul and Ansible read as they are: ``${NAME}`` there is not a vars.sh value."""
        out: list[Path] = []
        for proj in self.projects:
            if proj != self.root:
                out.append(proj)
            else:
                out += [proj / d for d in ("zuul.d", ".zuul.d", "playbooks", "roles")]
        return out

    def rel(self, p: Path) -> str:
        try:
            return str(p.relative_to(self.root))
        except ValueError:
            return str(p)


def _first(root: Path, names: tuple[str, ...]) -> Path | None:
    return next((root / n for n in names if (root / n).is_file()), None)


def locate(directory: str | Path) -> V3Site | None:
    """The Zuul v3 parts of ``directory`` (None when it has none)."""
    root = Path(directory)
    if not root.is_dir():
        return None
    site = V3Site(root, find_config_projects(root))
    conf = _first(root, ZUUL_CONF)
    if conf is not None:
        from vendorci.core.zuulv3.site import read_zuul_conf

        zc = read_zuul_conf(conf, "", [])
        if zc is not None and zc.is_v3:
            site.zuul_conf = conf
    site.tenant = _first(root, TENANT_FILES)
    if not site.projects and site.zuul_conf is None:
        return None
    return site


def _expander(root: Path) -> Any:
    """``${NAME}`` -> its vars.sh value (text unchanged when vars.sh or the name is absent)."""
    import re

    from vendorci.core.datarepo import parse_vars
    from vendorci.errors import VendorciError

    values: dict[str, str] = {}
    if (root / "vars.sh").is_file():
        try:
            vf = parse_vars(root / "vars.sh")
            values = {k: v for k in vf.vars if (v := vf.get(k)) is not None}
        except VendorciError:
            pass
    return lambda text: re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", lambda m: values.get(m.group(1), m.group(0)),
                               text)


def validate_v3(site: V3Site, vendor: str | None = None, upstream_host: str | None = None) -> list[Finding]:
    from vendorci.core.zuulv3.policy import check_policy, upstream_connections, used_connections
    from vendorci.core.zuulv3.refs import check_references
    from vendorci.core.zuulv3.schema import check_stanza
    from vendorci.core.zuulv3.site import ZuulConf, check_tenant_file, check_zuul_conf, read_zuul_conf

    findings: list[Finding] = []
    zc: ZuulConf | None = None
    expand = _expander(site.root)
    if site.zuul_conf is not None:
        zc = read_zuul_conf(site.zuul_conf, site.rel(site.zuul_conf), findings)
        if zc is not None:
            check_zuul_conf(zc, findings)
    if site.tenant is not None and (zc is not None or site.zuul_conf is None):
        check_tenant_file(site.tenant, site.rel(site.tenant), zc, findings)

    def add(severity: str, code: str, message: str, st: Stanza, keys: tuple = (), hint: str | None = None) -> None:
        # names and values come from the file: keep a finding readable whatever they are
        message = message if len(message) <= MAX_MESSAGE else message[:MAX_MESSAGE - 3] + "..."
        if hint is not None and len(hint) > MAX_MESSAGE:
            hint = hint[:MAX_MESSAGE - 3] + "..."
        findings.append(Finding(severity, code, message, st.rel, st.line(*keys), hint))

    if upstream_host:
        upstream_host = expand(upstream_host)
    for root in site.projects:
        cp = load_config_project(root, site.root)
        findings += cp.problems
        for st in cp.stanzas:
            check_stanza(add, st)
        check_references(add, cp)
        servers = zc.gerrit_servers(expand) if zc is not None else None
        upstream = upstream_connections(used_connections(cp), servers, upstream_host)
        check_policy(add, cp, upstream, vendor)
    return findings
