"""`vendorci node register|list|check|remove`: Jenkins SSH agents in one command each."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.output import Result

app = typer.Typer(help="Register, list, check and remove Jenkins SSH agents (preflight, credential, node, online).",
                  no_args_is_help=True)

_URL = typer.Option(None, "--jenkins-url", help="Jenkins URL (env VENDORCI_JENKINS_URL, config, jenkins_jobs.ini).")
_USER = typer.Option(None, "--jenkins-user",
                     help="Jenkins user (env VENDORCI_JENKINS_USER); its API token only from VENDORCI_JENKINS_TOKEN "
                     "or a 0600 jenkins.token_file, never a flag.")
_KH = typer.Option(None, "--known-hosts", help="known_hosts for agent host keys (default: config, ~/.ssh/known_hosts).")
_SSH_USER = typer.Option("jenkins", "--ssh-user", help="User Jenkins logs in as on the agent.")
_KEY = typer.Option(None, "--key", help="Private key Jenkins uses (default: the data repo's jenkins_key).")
_ACCEPT = typer.Option(False, "--accept-new-host-key",
                       help="Trust and record an unknown agent host key (a changed key is always refused).")
_MIN_DISK = typer.Option(40.0, "--min-disk-gb", help="Free space required on the remote FS root.")


def _config(appl: Any, url: Optional[str], user: Optional[str], known_hosts: Optional[Path]) -> tuple:
    from vendorci.paths import default_known_hosts

    cfg = appl.load_config({"jenkins.url": url, "jenkins.user": user,
                            "known_hosts": str(known_hosts) if known_hosts else None})
    kh = Path(cfg["known_hosts"]).expanduser() if cfg["known_hosts"] else default_known_hosts()
    return cfg, kh


def _client_factory(cfg: Any) -> Any:
    from vendorci.core.nodes import client_factory

    return client_factory(cfg)


def _render_registration(console: Any, reg: dict) -> None:
    from vendorci.cli.render import render_reports

    if reg.get("preflight"):
        console.print(f"preflight of {reg['settings']['host']}:{reg['settings']['port']}", markup=False)
        render_reports(console, reg["preflight"]["checks"])
    if reg["differences"]:
        console.print(f"node {reg['name']} exists with different settings:", markup=False)
        for d in reg["differences"]:
            console.print(f"    {d['field']}: Jenkins has {d['jenkins']!r}, wanted {d['wanted']!r}", markup=False)
    for w in reg.get("warnings") or []:
        console.print(f"! {w['message']}", markup=False, soft_wrap=True)
        console.print(f"    fix: {w['hint']}", markup=False, soft_wrap=True)
    if reg["credential"]:
        console.print(f"✓ credential {reg['settings']['credential_id']}: {reg['credential']}", markup=False)
    if reg["node"]:
        console.print(f"✓ node {reg['name']}: {reg['node']}", markup=False)
    if reg["state"] == "online":
        console.print(f"✓ {reg['name']} online ({reg['elapsed_s']:.1f}s)", markup=False)
    elif reg["state"] == "registered":
        console.print(f"- {reg['name']} registered; not waiting for it to come online (--no-wait)", markup=False)
    elif reg["state"] in ("failed", "timeout"):
        console.print(f"✗ {reg['name']}: {reg['diagnosis']}", markup=False)
        if reg["log"]:
            console.print("    agent log:", markup=False)
            for line in reg["log"]:
                console.print(f"      {line}", markup=False, soft_wrap=True)


def _render_batch(console: Any, result: Result) -> None:
    from vendorci.cli.render import render_table

    rows = [(r["name"], r["settings"]["host"], r["state"], r["node"], r["credential"], f"{r['elapsed_s']:.1f}s",
             r["diagnosis"] or _first_bad(r)) for r in result.data["nodes"]]
    render_table(console, ["node", "host", "state", "jenkins", "credential", "time", "why"], rows)
    seen: set[str] = set()
    for w in (w for r in result.data["nodes"] for w in r.get("warnings") or []):
        if w["message"] not in seen:
            seen.add(w["message"])
            console.print(f"! {w['message']}\n    fix: {w['hint']}", markup=False, soft_wrap=True)
    s = result.data["summary"]
    console.print(f"{s['ok']} of {s['total']} nodes ok, {s['failed']} failed ({s['elapsed_s']:.1f}s)", markup=False)


def _first_bad(r: dict) -> str:
    for c in ((r.get("preflight") or {}).get("checks") or []):
        if c["status"] in ("fail", "error"):
            return f"{c['id']}: {c['summary']}"
    return ""


@app.command("register")
def register(
    ctx: typer.Context,
    name: Optional[str] = typer.Argument(None, help="Node name (omit with --from)."),
    host: Optional[str] = typer.Option(None, "--host", help="Agent host name or address."),
    port: int = typer.Option(22, "--port", min=1, max=65535),
    executors: int = typer.Option(2, "--executors", min=1),
    remote_fs: str = typer.Option("/home/jenkins/workspaces", "--remote-fs", help="Remote FS root on the agent."),
    labels: Optional[list[str]] = typer.Option(None, "--labels", help="Labels, space separated, repeatable "
                                               "(default devstack_slave)."),
    credential_id: str = typer.Option("jenkins", "--credential-id", help="Jenkins credential id of the SSH key."),
    ssh_user: str = _SSH_USER,
    key: Optional[Path] = _KEY,
    host_key_policy: str = typer.Option("known-hosts", "--host-key-policy",
                                        help="How Jenkins verifies the agent's host key: known-hosts (the master's "
                                        "known_hosts), accept-new (trust on first use) or manual (pin the key "
                                        "vendorci verified)."),
    known_hosts: Optional[Path] = _KH,
    accept_new_host_key: bool = _ACCEPT,
    no_preflight: bool = typer.Option(False, "--no-preflight", help="Skip the SSH checks of the host."),
    min_disk_gb: float = _MIN_DISK,
    update: bool = typer.Option(False, "--update", help="Apply changed settings to an existing node."),
    update_credential: bool = typer.Option(False, "--update-credential", help="Replace an existing credential's key."),
    wait: bool = typer.Option(True, "--wait/--no-wait", help="Wait until the agent is online."),
    timeout: float = typer.Option(300.0, "--timeout", min=1, help="Seconds to wait for the agent."),
    from_file: Optional[Path] = typer.Option(None, "--from", help="YAML list of nodes to register in parallel."),
    parallel: int = typer.Option(8, "--parallel", min=1, max=64, help="Concurrent registrations with --from."),
    jenkins_url: Optional[str] = _URL,
    jenkins_user: Optional[str] = _USER,
) -> None:
    """Register an SSH agent: preflight the host, create the credential and node, wait until online.

    Exit 0 online (or registered with --no-wait, or already registered), 1 failed, 124 timed out."""
    appl = get_app(ctx)

    def run() -> Result:
        cfg, kh = _config(appl, jenkins_url, jenkins_user, known_hosts)
        from vendorci.cli import exits
        from vendorci.clients.jenkins_xml import NodeSettings
        from vendorci.core import nodes
        from vendorci.errors import UsageError

        nodes.check_host_key_policy(host_key_policy, "--host-key-policy")
        if (from_file is None) == (name is None):
            raise UsageError("give either NAME --host HOST, or --from FILE.yaml", code="usage_error")
        if from_file is None and not host:
            raise UsageError("--host is required", code="usage_error")
        if name is not None:
            nodes.check_node_name(name)
            nodes.check_host(host or "")
        label_list = tuple(w for v in (labels or ["devstack_slave"]) for w in v.split())
        opts = nodes.RegisterOptions(
            ssh_user=ssh_user, key_path=(key.expanduser() if key else nodes.default_key(cfg)), known_hosts=kh,
            accept_new_host_key=accept_new_host_key, preflight=not no_preflight, min_disk_gb=min_disk_gb,
            update=update, update_credential=update_credential, wait=wait, timeout=timeout,
            ssh_timeout=float(cfg.get("jenkins.timeout", 10.0)))
        base = NodeSettings(name=name or "", host=host or "", port=port, executors=executors, remote_fs=remote_fs,
                            labels=label_list, credential_id=credential_id, host_key_policy=host_key_policy)
        factory = _client_factory(cfg)
        if from_file is not None:
            items = nodes.load_node_list(from_file, base)
            with appl.progress(f"registering {len(items)} nodes") as update_progress:
                batch = nodes.register_batch(factory, items, opts, parallel, update_progress)
            return Result("node register", batch.as_dict(), ok=batch.ok,
                          errors=[e.as_dict() for e in batch.problems()], exit_code=exits.for_batch(batch))
        with appl.progress(f"registering {name} ({host}:{port})") as update_progress:
            reg = nodes.register_node(factory(), base, opts, update_progress)
        return Result("node register", reg.as_dict(), ok=reg.ok, errors=[e.as_dict() for e in reg.problems()],
                      exit_code=exits.for_registration(reg))

    def render(console: Any, result: Result) -> None:
        if "nodes" in result.data:
            _render_batch(console, result)
        else:
            _render_registration(console, result.data)

    appl.run("node register", run, render)


@app.command("list")
def list_nodes(ctx: typer.Context, jenkins_url: Optional[str] = _URL, jenkins_user: Optional[str] = _USER) -> None:
    """Every node: online/offline and why, executors busy/total, labels."""
    appl = get_app(ctx)

    def run() -> Result:
        from vendorci.core.nodes import list_nodes

        cfg, _ = _config(appl, jenkins_url, jenkins_user, None)
        return Result("node list", list_nodes(_client_factory(cfg)()).as_dict())

    def render(console: Any, result: Result) -> None:
        from vendorci.cli.render import render_table

        rows = [(n["name"], "offline" if n["offline"] else "online", n["reason"], f"{n['busy']}/{n['executors']}",
                 " ".join(n["labels"])) for n in result.data["nodes"]]
        render_table(console, ["node", "state", "reason", "busy/total", "labels"], rows)

    appl.run("node list", run, render)


@app.command("check")
def check(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Node name."),
    ssh_user: str = _SSH_USER,
    key: Optional[Path] = _KEY,
    known_hosts: Optional[Path] = _KH,
    accept_new_host_key: bool = _ACCEPT,
    no_preflight: bool = typer.Option(False, "--no-preflight", help="Only Jenkins' view."),
    min_disk_gb: float = _MIN_DISK,
    jenkins_url: Optional[str] = _URL,
    jenkins_user: Optional[str] = _USER,
) -> None:
    """Jenkins' view of a node (state, settings, credential, log diagnosis) plus a preflight of its host."""
    appl = get_app(ctx)

    def run() -> Result:
        from vendorci.core import nodes

        nodes.check_node_name(name)
        cfg, kh = _config(appl, jenkins_url, jenkins_user, known_hosts)
        key_path = key.expanduser() if key else (nodes.default_key(cfg) if not no_preflight else None)
        opts = nodes.RegisterOptions(ssh_user=ssh_user, key_path=key_path, known_hosts=kh,
                                     accept_new_host_key=accept_new_host_key, preflight=not no_preflight,
                                     min_disk_gb=min_disk_gb, ssh_timeout=float(cfg.get("jenkins.timeout", 10.0)))
        found = nodes.check_node(_client_factory(cfg)(), name, opts)
        return Result("node check", found.as_dict(), ok=found.ok, errors=[e.as_dict() for e in found.problems()])

    def render(console: Any, result: Result) -> None:
        from vendorci.cli.render import render_reports

        d = result.data
        j, s = d["jenkins"], d["jenkins"]["settings"]
        console.print(f"{'✗' if j['offline'] else '✓'} {d['name']}: {'offline' if j['offline'] else 'online'}"
                      + (f" ({j['reason']})" if j["reason"] else ""), markup=False)
        console.print(f"    {s['host']}:{s['port']}, {s['executors']} executors, {s['remote_fs']}, labels "
                      f"{' '.join(s['labels'])}, credential {s['credential_id']}"
                      f"{'' if j['credential_exists'] else ' (MISSING)'}, host key policy {s['host_key_policy']}",
                      markup=False)
        for line in j["log"] if j["offline"] else []:
            console.print(f"      {line}", markup=False, soft_wrap=True)
        if d["preflight"]:
            render_reports(console, d["preflight"]["checks"])

    appl.run("node check", run, render)


@app.command("remove")
def remove(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Node name."),
    yes: bool = typer.Option(False, "--yes", "-y", help="Do not ask for confirmation."),
    with_credential: bool = typer.Option(False, "--with-credential", help="Also delete the node's SSH credential."),
    jenkins_url: Optional[str] = _URL,
    jenkins_user: Optional[str] = _USER,
) -> None:
    """Delete a node from Jenkins (its credential is kept unless --with-credential)."""
    appl = get_app(ctx)

    def run() -> Result:
        import sys

        from vendorci.core import nodes

        nodes.check_node_name(name)
        cfg, _ = _config(appl, jenkins_url, jenkins_user, None)
        from vendorci.errors import UsageError

        if not yes:
            if appl.json or not sys.stdin.isatty():
                raise UsageError(f"refusing to remove {name} without confirmation", code="confirmation_required",
                                 hint="Pass --yes.")
            if not typer.confirm(f"Remove node {name} from Jenkins?", err=True):
                raise UsageError("not confirmed", code="not_confirmed")
        return Result("node remove", nodes.remove_node(_client_factory(cfg)(), name, with_credential).as_dict())

    def render(console: Any, result: Result) -> None:
        d = result.data
        extra = f"; credential {d['credential']} deleted" if d["credential_removed"] else ""
        console.print(f"✓ node {d['name']} removed{extra}", markup=False)

    appl.run("node remove", run, render)
