"""A Zuul v3+ ``zuul.conf`` and tenant file (``main.yaml``) kept in a data repository.

Checked: the sections every Zuul v3+ needs (ZooKeeper with TLS, which Zuul
insists on; the SQL database; the scheduler's tenant file), ``[web]`` (the
address doctor and operators use), the connections (a gerrit connection needs
server and user), and that every connection the tenant file names is defined.
``${NAME}`` values come from vars.sh, as for Zuul v2.
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import Code
from vendorci.results import Finding

V3_SECTIONS = ("zookeeper", "scheduler")
_PASSWORD_IN_URI = re.compile(r"://[^/@:\s]+:([^@/\s]+)@")


@dataclass
class ZuulConf:
    path: Path
    rel: str
    parser: configparser.RawConfigParser
    lines: dict[str, int] = field(default_factory=dict)  # section -> line

    @property
    def is_v3(self) -> bool:
        return any(self.parser.has_section(s) for s in V3_SECTIONS)

    def connections(self) -> dict[str, dict[str, str]]:
        out = {}
        for section in self.parser.sections():
            if section.startswith("connection "):
                out[section.split(" ", 1)[1].strip()] = dict(self.parser.items(section))
        return out

    def gerrit_servers(self, expand: Any = str) -> dict[str, str]:
        return {name: expand(c.get("server", "")) for name, c in self.connections().items()
                if c.get("driver") == "gerrit"}


def read_zuul_conf(path: Path, rel: str, problems: list[Finding]) -> ZuulConf | None:
    cp = configparser.RawConfigParser()
    try:
        text = path.read_text(encoding="utf-8")
        cp.read_string(text, str(path))
    except (configparser.Error, UnicodeDecodeError, OSError) as exc:
        problems.append(Finding("error", Code.ZUUL_CONF_INVALID, f"invalid INI: {str(exc).splitlines()[0]}", rel,
                                getattr(exc, "lineno", None), "Fix the INI syntax: [section] headers and key=value "
                                "lines."))
        return None
    lines: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^\s*\[([^\]]+)\]", line)
        if m:
            lines.setdefault(m.group(1).strip(), n)
    return ZuulConf(path, rel, cp, lines)


def check_zuul_conf(zc: ZuulConf, problems: list[Finding]) -> None:
    cp = zc.parser

    def add(sev: str, code: str, msg: str, section: str | None, hint: str) -> None:
        problems.append(Finding(sev, code, msg, zc.rel, zc.lines.get(section or ""), hint))

    if not cp.has_section("zookeeper") or not cp.get("zookeeper", "hosts", fallback=""):
        add("error", Code.ZUUL_CONF_ZOOKEEPER, "zuul.conf has no [zookeeper] hosts", "zookeeper",
            "Add [zookeeper] hosts=127.0.0.1:2281 with tls_ca, tls_cert and tls_key.")
    else:
        missing = [k for k in ("tls_ca", "tls_cert", "tls_key") if not cp.get("zookeeper", k, fallback="")]
        if missing:
            add("error", Code.ZUUL_CONF_ZOOKEEPER_TLS, "[zookeeper] lacks " + ", ".join(missing) + ": Zuul connects to "
                "ZooKeeper only over TLS", "zookeeper", "Give the CA, client certificate and key of the ZooKeeper "
                "TLS listener (secureClientPort).")
    if not (cp.get("scheduler", "tenant_config", fallback="") or cp.get("scheduler", "tenant_config_script",
                                                                        fallback="")):
        add("error", Code.ZUUL_CONF_SCHEDULER, "zuul.conf has no [scheduler] tenant_config", "scheduler",
            "Add [scheduler] tenant_config=/etc/zuul/main.yaml.")
    if not cp.get("database", "dburi", fallback=""):
        add("error", Code.ZUUL_CONF_DATABASE, "zuul.conf has no [database] dburi (Zuul v3+ needs a SQL database)",
            "database", "Add [database] dburi=postgresql://zuul@/zuul?host=/var/run/postgresql")
    elif _PASSWORD_IN_URI.search(cp.get("database", "dburi")):
        add("error", Code.CONFIG_SECRET_IN_REPO, "[database] dburi holds a password", "database",
            "Use peer authentication over the local socket, or set the password on the master only (not in this "
            "repository), and change it.")
    if not cp.has_section("web"):
        add("warning", Code.ZUUL_CONF_WEB, "zuul.conf has no [web] section", None,
            "Add [web] listen_address=127.0.0.1, port=9000 and root=https://YOUR-HOST/ (doctor finds zuul-web "
            "there).")
    conns = zc.connections()
    if not conns:
        add("error", Code.ZUUL_CONF_CONNECTION, "zuul.conf defines no [connection NAME]", None,
            "Add [connection gerrit] driver=gerrit server=review.opendev.org user=... sshkey=...")
    for name, conf in conns.items():
        section = f"connection {name}"
        if not conf.get("driver"):
            add("error", Code.ZUUL_CONF_CONNECTION, f"[{section}] has no driver", section, "Add driver=gerrit (or git, "
                "github, sql, ...).")
        elif conf["driver"] == "gerrit":
            missing = [k for k in ("server", "user") if not conf.get(k)]
            if missing:
                add("error", Code.ZUUL_CONF_CONNECTION, f"[{section}] lacks " + ", ".join(missing), section,
                    "A gerrit connection needs server, user and sshkey (or password for HTTP).")


def check_tenant_file(path: Path, rel: str, zc: ZuulConf | None, problems: list[Finding]) -> None:
    from vendorci.errors import VendorciError
    from vendorci.yamlutil import load_yaml

    try:
        doc = load_yaml(path)
    except VendorciError as err:
        problems.append(Finding("error", Code.YAML_SYNTAX if err.code.startswith("yaml") else f"yaml_{err.code}",
                                err.message.split(": ", 1)[-1], rel, (err.data or {}).get("line"), err.hint))
        return
    if not isinstance(doc.data, list) or not doc.data:
        problems.append(Finding("error", Code.ZUUL_TENANT, "the tenant file must be a list of '- tenant: {...}' items",
                                rel, doc.line(), "See docs/init.md for a tenant file."))
        return
    conns = zc.connections() if zc is not None else None
    for i, item in enumerate(doc.data):
        tenant = item.get("tenant") if isinstance(item, dict) else None
        if not isinstance(tenant, dict) or not tenant.get("name"):
            if not (isinstance(item, dict) and set(item) & {"admin-rule", "authorization-rule", "api-root",
                                                            "global-semaphore", "authorization-role"}):
                problems.append(Finding("error", Code.ZUUL_TENANT, "item is not a '- tenant:' with a name", rel,
                                        doc.line(i), "Write '- tenant: {name: NAME, source: {...}}'."))
            continue
        source = tenant.get("source")
        if not isinstance(source, dict) or not source:
            problems.append(Finding("error", Code.ZUUL_TENANT, f"tenant '{tenant['name']}' has no source", rel,
                                    doc.line(i, "tenant"), "Add 'source: {CONNECTION: {config-projects: [...]}}'."))
            continue
        for conn in source:
            if conns is not None and conn not in conns:
                problems.append(Finding(
                    "error", Code.ZUUL_TENANT_CONNECTION, f"tenant '{tenant['name']}' uses connection '{conn}', which "
                    "zuul.conf does not define", rel, doc.line(i, "tenant", "source", conn),
                    "Defined: " + (", ".join(sorted(conns)) or "none") + f". Add [connection {conn}] to zuul.conf "
                    "or fix the name."))
