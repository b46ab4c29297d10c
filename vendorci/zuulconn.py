"""Settings vendorci takes from a zuul.conf's sections (a ground module: no I/O).

- Gerrit: Zuul 2's ``[gerrit]``, or Zuul 2.5/v3+ ``[connection NAME]`` with
  ``driver=gerrit`` (``server``, ``port``, ``user``, ``sshkey``, ``baseurl``,
  ``password``). With several Gerrit connections the one named by
  ``zuul.gerrit_connection`` is used, else the first in the file.
- zuul-web: ``[web] root``, else ``http://listen_address:port`` (a wildcard
  address means this host: 127.0.0.1; the port defaults to 9000 as in Zuul).
"""

from __future__ import annotations

from collections.abc import Mapping

Sections = Mapping[str, Mapping[str, str]]
GERRIT_KEYS = (("server", "gerrit.host"), ("port", "gerrit.port"), ("user", "gerrit.user"),
               ("sshkey", "gerrit.ssh_key"), ("baseurl", "gerrit.http_url"))


def gerrit_connections(sections: Sections) -> list[str]:
    """Names of the ``[connection NAME]`` sections with ``driver=gerrit``, in file order."""
    out = []
    for name, opts in sections.items():
        if name.startswith("connection ") and str(opts.get("driver", "")).strip().lower() == "gerrit":
            out.append(name[len("connection "):].strip())
    return out


def gerrit_section(sections: Sections, wanted: str | None = None) -> str | None:
    """The section the Gerrit settings come from: ``gerrit`` or ``connection NAME``."""
    conns = gerrit_connections(sections)
    if wanted and wanted in conns:
        return f"connection {wanted}"
    if "gerrit" in sections and not wanted:
        return "gerrit"
    if conns:
        return f"connection {conns[0]}"
    return "gerrit" if "gerrit" in sections else None


def gerrit_settings(sections: Sections, wanted: str | None = None) -> tuple[str | None, dict[str, str], dict[str, str]]:
    """(section, values, secrets) for the Gerrit keys; secrets hold the HTTP password."""
    section = gerrit_section(sections, wanted)
    if section is None:
        return None, {}, {}
    opts = sections[section]
    values = {dst: opts[src] for src, dst in GERRIT_KEYS if opts.get(src)}
    if section == "gerrit":
        values.pop("gerrit.http_url", None)  # Zuul 2's [gerrit] baseurl is the same, but was never read
    secrets = {"gerrit.http_password": opts["password"]} if section != "gerrit" and opts.get("password") else {}
    if secrets and values.get("gerrit.user"):
        values["gerrit.http_user"] = values["gerrit.user"]
    return section, values, secrets


def web_url(sections: Sections) -> str | None:
    """zuul-web's root URL from ``[web]``, or None when there is no such section."""
    web = sections.get("web")
    if web is None:
        return None
    root = str(web.get("root") or "").strip()
    if root:
        return root
    host = str(web.get("listen_address") or "127.0.0.1").strip()
    if host in ("", "0.0.0.0", "::", "[::]", "*"):
        host = "127.0.0.1"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = str(web.get("port") or "9000").strip()
    return f"http://{host}:{port}/"
