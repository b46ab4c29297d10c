"""Register Jenkins SSH agents end to end: preflight, credential, node, wait until online.

What the reference articles do in ~22 web-UI clicks, made idempotent: a re-run
with the same settings reports "already registered"; different settings are
shown as a difference and only applied with ``update``.  Waiting follows the
agent log (progressive text) and, on failure, explains it from the launcher's
own lines.  ``register_many`` runs registrations in parallel with bounded
concurrency, so 50 nodes cost about as long as the slowest one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from vendorci.clients.jenkins import JenkinsClient
from vendorci.clients.jenkins_xml import HOST_KEY_STRATEGIES, NodeSettings
from vendorci.core.node_results import Batch, NodeCheck, NodeList, NodeRemoval, Registration, RegState
from vendorci.core.preflight import PreflightTarget, run_preflight
from vendorci.errors import Code, InputError, UsageError, VendorciError

Progress = Callable[[str], None]
ClientFactory = Callable[[], JenkinsClient]

# (pattern in the agent log, diagnosis, what to do)
JENKINS_ERROR_LINE = "vendorci: last Jenkins error: "
DIAGNOSES: list[tuple[str, str, str]] = [
    (re.escape(JENKINS_ERROR_LINE), "Jenkins itself kept failing while vendorci waited",
     "Jenkins answered errors (see the last one above) instead of the agent's state: check Jenkins' own log, "
     "memory and disk, then rerun the same command (the node is registered; the rerun just waits again)."),
    (r"Unable to find credentials", "credential missing",
     "Create the credential (rerun without --no-credential) or fix --credential-id."),
    (r"\[SSH\] Authentication failed|Authentication failed\.", "authentication failed",
     "Add the public half of the credential's key to ~USER/.ssh/authorized_keys on the agent, and check the "
     "credential's user name."),
    (r"No entry currently exists in the Known Hosts|does not match the key|Host key verification failed|"
     r"Key exchange was not finished",
     "host key rejected",
     "With --host-key-policy known-hosts the Jenkins master's own ~/.ssh/known_hosts (of the jenkins user) must "
     "hold the agent's key: `ssh-keyscan -p PORT HOST >> ~jenkins/.ssh/known_hosts` after checking the fingerprint, "
     "or rerun with --host-key-policy manual to pin the key vendorci verified."),
    (r"Connection refused", "connection refused",
     "sshd is not listening on that host/port as seen from the Jenkins master; check the port and firewall."),
    (r"No route to host|timed out|UnknownHostException|Name or service not known", "host unreachable",
     "The Jenkins master cannot reach the agent; check DNS, routing and firewalls from the master."),
    (r"Java not found|java: command not found|java -version returned", "Java missing",
     "Install Java on the agent (apt-get install -y default-jre-headless) or set the node's javaPath."),
]
FAILED_LAUNCH = re.compile(r"SSH Launch of .* failed|Launch failed|ERROR: Connection terminated")
ONLINE_LINE = re.compile(r"(Agent|Slave) successfully connected and online")
RELEVANT = re.compile(r"\[SSH\]|ERROR|WARNING|Exception|failed|refused|online", re.I)


@dataclass
class RegisterOptions:
    ssh_user: str = "jenkins"
    key_path: Path | None = None
    known_hosts: Path = Path("~/.ssh/known_hosts")
    accept_new_host_key: bool = False
    preflight: bool = True
    min_disk_gb: float = 40.0
    update: bool = False
    update_credential: bool = False
    wait: bool = True
    timeout: float = 300.0
    poll: float = 0.5  # the longest pause between two looks at the agent (the first ones are shorter)
    ssh_timeout: float = 10.0


def client_factory(cfg: Any) -> ClientFactory:
    """New Jenkins clients for the configuration (one per thread); fails at once on a missing URL or token."""
    JenkinsClient.from_config(cfg)
    return lambda: JenkinsClient.from_config(cfg)


def default_key(cfg: Any) -> Path:
    repo = cfg["data_repo"]
    if not repo:
        raise UsageError("no SSH key for the agent: pass --key or configure data_repo (its jenkins_key is used)",
                         code="node_key_missing")
    return Path(repo) / "jenkins_key"


def known_host_key(known_hosts: Path, host: str, port: int) -> str:
    """The 'TYPE BASE64' recorded for host:port, or '' (revoked keys never count)."""
    from vendorci.clients.known_hosts import recorded_key

    return recorded_key(known_hosts, host, port)


def diagnose(lines: list[str]) -> tuple[str, str]:
    for line in reversed(lines):  # the launcher's last words are the cause; earlier lines may be old successes
        for pattern, what, hint in DIAGNOSES:
            if re.search(pattern, line):
                return what, hint
    return "launch failed", "Read the agent log in Jenkins (Nodes > NAME > Log) for the cause."


def relevant_lines(lines: list[str], limit: int = 12) -> list[str]:
    picked = [ln for ln in lines if RELEVANT.search(ln)]
    return (picked or lines)[-limit:]


def ensure_credential(client: JenkinsClient, cred_id: str, user: str, key_path: Path, update: bool) -> str:
    """Create the SSH credential (DirectEntry key) unless it exists; returns created | exists | updated."""
    from vendorci.clients.ssh import load_private_key

    load_private_key(key_path)  # a usable, unencrypted, 0600 key, or a clear InputError
    private = key_path.read_text()
    description = f"vendorci: {user} with {key_path.name}"
    if client.credential(cred_id) is None and client.create_credential(cred_id, user, private, description):
        return "created"
    if update:
        client.update_credential(cred_id, user, private, description)
        return "updated"
    return "exists"


NODE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,62}")


def check_host_key_policy(policy: str, flag: str | None = None) -> str:
    """The policy if Jenkins knows it; from a command-line ``flag``, 'none' (no verification) is refused too."""
    if flag is not None and (policy not in HOST_KEY_STRATEGIES or policy == "none"):
        raise UsageError(f"{flag} {policy!r}: use known-hosts, accept-new or manual", code="bad_host_key_policy")
    if policy not in HOST_KEY_STRATEGIES:
        raise UsageError(f"unknown host key policy {policy!r}", code="bad_host_key_policy",
                         hint="Use known-hosts, accept-new or manual.")
    return policy


def check_node_name(name: str, where: str = "") -> str:
    """A node name Jenkins accepts and the Gearman plugin can use in its worker ids (NODE_exec-N)."""
    if not NODE_NAME.fullmatch(name or ""):
        raise UsageError(f"{where}{'' if not where else ': '}invalid node name {name!r}", code="bad_node_name",
                         hint="Use letters, digits, '.', '_' and '-' (at most 63, starting with a letter or digit), "
                         "e.g. devstack_slave1.")
    return name


HOST_NAME = re.compile(r"[A-Za-z0-9_.-]{1,253}|\[?[0-9A-Fa-f:.]{2,45}\]?")


def check_host(host: str) -> str:
    """A DNS name or an IP address, nothing a shell or an SSH option could misread."""
    if not HOST_NAME.fullmatch(host or "") or host.startswith("-"):
        raise UsageError(f"invalid agent host {host!r}", code="bad_host",
                         hint="Give a host name or an IP address, e.g. 10.0.0.5 or devstack1.example.org.")
    return host.strip("[]")


TRANSIENT_JENKINS_ERRORS = {Code.JENKINS_SERVER_ERROR, Code.JENKINS_UNREACHABLE, Code.JENKINS_TIMEOUT}


def wait_online(client: JenkinsClient, name: str, timeout: float, poll: float = 0.5, start: int = 0,
                progress: Progress | None = None) -> tuple[RegState, list[str]]:
    """Follow the agent log until the node is online ('online'), the launch failed ('failed') or time runs out."""
    deadline = time.monotonic() + timeout
    t0 = time.monotonic()
    lines: list[str] = []
    partial = ""
    pause = min(0.1, poll)  # most agents come up within seconds: look often first, then back off to `poll`
    while True:
        try:
            chunk = client.node_log(name, start)
            online = not client.node_info(name).get("offline", True)
        except VendorciError as exc:
            # Jenkins restarting or briefly failing (5xx, refused, slow) is not the agent's failure:
            # keep waiting until the deadline and say why.
            if exc.code not in TRANSIENT_JENKINS_ERRORS:
                raise
            if progress:
                progress(f"{name}: Jenkins is not answering ({exc.message}); retrying ({time.monotonic() - t0:.0f}s)")
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return RegState.TIMEOUT, lines + [JENKINS_ERROR_LINE + exc.message]
            time.sleep(min(poll * 2, remaining))
            continue
        start = chunk.next_start
        if chunk.text:
            parts = (partial + chunk.text).split("\n")
            partial = parts.pop()
            lines.extend(p.rstrip("\r") for p in parts if p.strip())
        if progress and lines:
            progress(f"{name}: waiting for the agent ({time.monotonic() - t0:.0f}s): {lines[-1][:100]}")
        if online:
            return RegState.ONLINE, lines + ([partial] if partial.strip() else [])
        if any(FAILED_LAUNCH.search(ln) for ln in lines):
            return RegState.FAILED, lines
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return RegState.TIMEOUT, lines
        time.sleep(min(pause, remaining))
        pause = min(poll, pause * 1.5)


def register_node(client: JenkinsClient, settings: NodeSettings, opts: RegisterOptions,
                  progress: Progress | None = None, credential_done: str = "") -> Registration:
    """The whole flow for one node.  Raises VendorciError for Jenkins/usage failures; what it finds is returned."""
    t0 = time.monotonic()
    say = progress or (lambda _m: None)
    reg = Registration(settings.name, settings)
    check_host_key_policy(settings.host_key_policy)
    key_path = opts.key_path
    if key_path is None:
        raise UsageError("no SSH key for the agent: pass --key", code="node_key_missing")
    if opts.preflight:
        say(f"{settings.name}: preflight over SSH to {opts.ssh_user}@{settings.host}:{settings.port}")
        reg.preflight = run_preflight(PreflightTarget(
            settings.host, settings.port, opts.ssh_user, key_path, opts.known_hosts, opts.accept_new_host_key,
            settings.remote_fs, opts.min_disk_gb, any("devstack" in lab for lab in settings.labels), opts.ssh_timeout))
        if not reg.preflight.ok:
            reg.state, reg.elapsed = RegState.PREFLIGHT_FAILED, time.monotonic() - t0
            return reg
    if settings.host_key_policy == "manual" and not settings.host_key:
        pinned = reg.preflight.host_key if reg.preflight else known_host_key(opts.known_hosts, settings.host,
                                                                              settings.port)
        if not pinned:
            raise UsageError(f"--host-key-policy manual needs the agent's host key, and {opts.known_hosts} has none "
                             f"for {settings.host}:{settings.port}", code="host_key_unknown",
                             hint="Run with preflight and --accept-new-host-key once, after checking the fingerprint.")
        settings = replace(settings, host_key=pinned)
        reg.settings = settings
    from vendorci.core.keyformats import credential_warnings

    reg.warnings = credential_warnings(key_path)
    for w in reg.warnings:  # before the key is uploaded: the failure would show up late, in Jenkins' log
        say(f"warning: {w['message']}")
    say(f"{settings.name}: SSH credential {settings.credential_id}")
    reg.credential = credential_done or ensure_credential(client, settings.credential_id, opts.ssh_user, key_path,
                                                          opts.update_credential)
    log_start = 0
    if client.node_exists(settings.name):
        have = client.node_settings(settings.name)
        reg.differences = settings.differences(have)
        if reg.differences and not opts.update:
            reg.state, reg.elapsed = RegState.SETTINGS_DIFFER, time.monotonic() - t0
            reg.hint = "Rerun with --update to apply these settings to the existing node."
            return reg
        log_start = client.node_log(settings.name, 0).next_start
        if reg.differences:
            say(f"{settings.name}: updating the node")
            client.update_node(settings)
            reg.node = "updated"
        else:
            reg.node = "already registered"
            if client.node_info(settings.name).get("offline", True) and opts.wait:
                client.relaunch(settings.name)
    else:
        say(f"{settings.name}: creating the node")
        client.create_node(settings)
        reg.node = "created"
    if not opts.wait:
        reg.state, reg.elapsed = RegState.REGISTERED, time.monotonic() - t0
        return reg
    state, lines = wait_online(client, settings.name, opts.timeout, opts.poll, log_start, say)
    reg.elapsed = time.monotonic() - t0
    reg.state = state
    if state is not RegState.ONLINE:
        reg.diagnosis, reg.hint = diagnose(lines)
        if lines and lines[-1].startswith(JENKINS_ERROR_LINE):
            reg.diagnosis += ": " + lines[-1][len(JENKINS_ERROR_LINE):]
        if state is RegState.TIMEOUT:
            reg.diagnosis = f"not online after {opts.timeout:g}s" + (f" ({reg.diagnosis})" if lines else "")
        reg.log = relevant_lines(lines)
    elif lines:
        reg.log = lines[-1:]
    return reg


# -- batches ------------------------------------------------------------------
FILE_HOST_KEY_POLICIES = ("known-hosts", "accept-new", "manual")  # what --host-key-policy accepts: never "none"


def check_node_fields(s: NodeSettings, labels: Any) -> None:
    """ValueError for a field a node file may not set: a file may not do what a flag may not."""
    if not 0 < s.port < 65536:
        raise ValueError(f"port {s.port} out of range (1-65535)")
    if not 1 <= s.executors <= 1000:
        raise ValueError(f"executors {s.executors}: give 1 to 1000")
    if not isinstance(labels, (str, list, tuple)) or (not isinstance(labels, str) and any(
            isinstance(lab, (dict, list)) or lab is None for lab in labels)):
        raise ValueError(f"labels must be a list of names or one space-separated string, not {type(labels).__name__}")
    if s.host_key_policy not in FILE_HOST_KEY_POLICIES:
        raise ValueError(f"host_key_policy {s.host_key_policy!r}: use known-hosts, accept-new or manual "
                         "(an agent's host key is always verified)")
NODE_FIELDS = {"name", "host", "port", "executors", "remote_fs", "labels", "credential_id", "host_key_policy",
               "description", "ssh_user", "key"}


def load_node_list(path: Path, defaults: NodeSettings) -> list[tuple[NodeSettings, dict[str, Any]]]:
    """Nodes from YAML: a list of mappings, or ``{defaults: {...}, nodes: [...]}``.

    Returns (settings, per-node overrides of ssh_user/key).  Errors name the file and line.
    """
    from vendorci.yamlutil import load_yaml

    loaded = load_yaml(path)
    data = loaded.data
    file_defaults: dict[str, Any] = {}
    if isinstance(data, dict):
        file_defaults = data.get("defaults") or {}
        if not isinstance(file_defaults, dict):
            raise InputError(f"{path}:{loaded.line('defaults')}: defaults must be a mapping", code="node_list_invalid")
        data = data.get("nodes")
    if not isinstance(data, list) or not data:
        raise InputError(f"{path}: expected a list of nodes (or a mapping with `nodes:`)", code="node_list_invalid")
    out, seen = [], set()
    for i, item in enumerate(data):
        where = f"{path}:{loaded.line('nodes', i) or loaded.line(i) or '?'}"
        if not isinstance(item, dict):
            raise InputError(f"{where}: each node must be a mapping with name and host", code="node_list_invalid")
        if bad := [k for k in {**file_defaults, **item} if not isinstance(k, str)]:
            raise InputError(f"{where}: field names must be text, not {bad[0]!r}", code="node_list_invalid")
        merged = {k.replace("-", "_"): v for k, v in {**file_defaults, **item}.items()}
        unknown = set(merged) - NODE_FIELDS
        if unknown:
            raise InputError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}", code="node_list_invalid",
                             hint="Known: " + ", ".join(sorted(NODE_FIELDS)))
        if not merged.get("name") or not merged.get("host"):
            raise InputError(f"{where}: a node needs name and host", code="node_list_invalid")
        check_node_name(str(merged["name"]), where)
        check_host(str(merged["host"]))
        if merged["name"] in seen:
            raise InputError(f"{where}: node {merged['name']!r} is listed twice", code="node_list_invalid")
        seen.add(merged["name"])
        labels = merged.get("labels", defaults.labels)
        try:
            s = replace(defaults, name=str(merged["name"]), host=str(merged["host"]),
                        port=int(merged.get("port", defaults.port)),
                        executors=int(merged.get("executors", defaults.executors)),
                        remote_fs=str(merged.get("remote_fs", defaults.remote_fs)),
                        labels=tuple(labels.split() if isinstance(labels, str) else map(str, labels)),
                        credential_id=str(merged.get("credential_id", defaults.credential_id)),
                        host_key_policy=str(merged.get("host_key_policy", defaults.host_key_policy)),
                        description=str(merged.get("description", defaults.description)))
            check_node_fields(s, labels)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{where}: {exc}", code="node_list_invalid") from None
        extra = {k: merged[k] for k in ("ssh_user", "key") if merged.get(k)}
        out.append((s, extra))
    return out


def register_many(factory: ClientFactory, items: list[tuple[NodeSettings, dict[str, Any]]], opts: RegisterOptions,
                  parallel: int = 8, progress: Progress | None = None) -> list[Registration]:
    """Register nodes concurrently (at most ``parallel`` at once); one Registration per node, in input order."""
    say = progress or (lambda _m: None)
    done: list[bool] = []

    def node_opts(extra: dict[str, Any]) -> RegisterOptions:
        o = opts
        if extra.get("ssh_user"):
            o = replace(o, ssh_user=str(extra["ssh_user"]))
        if extra.get("key"):
            o = replace(o, key_path=Path(str(extra["key"])).expanduser())
        return o

    # credentials first, once each (parallel creates of one id would race into 409s)
    creds: dict[tuple[str, str, str], str] = {}
    cred_errors: dict[str, VendorciError] = {}
    client = factory()
    for s, extra in items:
        o = node_opts(extra)
        k = (s.credential_id, o.ssh_user, str(o.key_path))
        if k not in creds and s.credential_id not in cred_errors:
            from vendorci.core.keyformats import credential_warnings

            for w in credential_warnings(o.key_path):
                say(f"warning: {w['message']}")
            try:
                creds[k] = ensure_credential(client, s.credential_id, o.ssh_user, o.key_path or Path(""),
                                             o.update_credential)
            except VendorciError as exc:  # every node using this credential fails with it
                cred_errors[s.credential_id] = exc

    def one(item: tuple[NodeSettings, dict[str, Any]]) -> Registration:
        s, extra = item
        o = node_opts(extra)
        t0 = time.monotonic()
        try:
            if s.credential_id in cred_errors:
                raise cred_errors[s.credential_id]
            reg = register_node(factory(), s, o, None, creds.get((s.credential_id, o.ssh_user, str(o.key_path)), ""))
        except VendorciError as exc:
            reg = Registration(s.name, s, state=RegState.ERROR, diagnosis=exc.message, hint=exc.hint or "",
                               error={**exc.as_dict(), "exit_code": exc.exit_code}, elapsed=time.monotonic() - t0)
        done.append(reg.ok)
        online = done.count(True)
        say(f"registering {len(items)} nodes: {online} done, {len(done) - online} failed, "
            f"{len(items) - len(done)} in progress")
        return reg

    say(f"registering {len(items)} nodes ({min(parallel, len(items))} at a time)")
    with ThreadPoolExecutor(max_workers=max(1, min(parallel, len(items))), thread_name_prefix="register") as pool:
        return list(pool.map(one, items))


def register_batch(factory: ClientFactory, items: list[tuple[NodeSettings, dict[str, Any]]], opts: RegisterOptions,
                   parallel: int = 8, progress: Progress | None = None) -> Batch:
    """:func:`register_many` with its summary (``node register --from``)."""
    t0 = time.monotonic()
    regs = register_many(factory, items, opts, parallel, progress)
    return Batch(tuple(regs), time.monotonic() - t0)


# -- list / check / remove ---------------------------------------------------
def list_nodes(client: JenkinsClient) -> NodeList:
    return NodeList(tuple(client.nodes()))


def check_node(client: JenkinsClient, name: str, opts: RegisterOptions) -> NodeCheck:
    """Jenkins' view of the node plus a preflight of its host with the given user and key."""
    info = client.node_info(name)
    settings = client.node_settings(name)
    cred = client.credential(settings.credential_id) if settings.credential_id else None
    lines: list[str] = []
    log = client.node_log(name, 0)
    lines = [ln for ln in log.text.splitlines() if ln.strip()]
    view = {
        "offline": bool(info.get("offline")), "reason": info.get("offlineCauseReason") or "",
        "settings": settings.as_dict(), "credential_exists": cred is not None, "log": relevant_lines(lines, 8),
    }
    if view["offline"] and lines:
        view["diagnosis"], view["hint"] = diagnose(lines)
    pf = None
    if opts.preflight and settings.host and opts.key_path:
        pf = run_preflight(PreflightTarget(
            settings.host, settings.port, opts.ssh_user, opts.key_path, opts.known_hosts, opts.accept_new_host_key,
            settings.remote_fs, opts.min_disk_gb, any("devstack" in lab for lab in settings.labels), opts.ssh_timeout))
    return NodeCheck(name, view, pf)


def remove_node(client: JenkinsClient, name: str, with_credential: bool) -> NodeRemoval:
    if not client.node_exists(name):
        raise InputError(f"Jenkins has no node named {name!r}", code="node_not_found",
                         hint="List the nodes with `vendorci node list`.")
    cred_id = client.node_settings(name).credential_id if with_credential else ""
    client.delete_node(name)
    removed_cred = False
    if cred_id and client.credential(cred_id) is not None:
        client.delete_credential(cred_id)
        removed_cred = True
    return NodeRemoval(name, cred_id or None, removed_cred)
