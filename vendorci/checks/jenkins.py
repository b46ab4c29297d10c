"""Doctor checks for Jenkins: reachable, authenticated, plugins, jobs, nodes, Gearman plugin.

Each check opens its own client (one HTTP session per thread); what several
checks need (job labels, the node list) is fetched once through ``ctx.memo``.
The jobs to expect come from the Zuul layout, shared with the Gearman checks.
"""

from __future__ import annotations

from typing import Any

from vendorci.checks.runner import Check
from vendorci.errors import VendorciError
from vendorci.results import CheckResult

REQUIRED_PLUGINS = {
    "gearman-plugin": "runs Zuul's build:JOB functions on Jenkins executors",
    "ssh-slaves": "launches agents over SSH",
    "credentials": "stores the agents' SSH key",
    "ssh-credentials": "the SSH username-with-private-key credential type",
}
SCP_PLUGIN = ("scp", "copies job logs to the log server")
BUILTIN_LABELS = {"built-in", "master"}


def _client(ctx: Any) -> Any:
    from vendorci.clients.jenkins import JenkinsClient

    c = JenkinsClient.from_config(ctx.config)
    c.timeout = c.server.timeout = max(0.5, min(c.timeout, ctx.timeout - 0.3))
    return c


def _url(ctx: Any) -> str:
    return str(ctx.config["jenkins.url"])


def _fail(exc: VendorciError) -> CheckResult:
    return CheckResult.fail(exc.message, fix=exc.hint, data={"code": exc.code})


def check_reachable(ctx: Any) -> CheckResult:
    try:
        status, version = _client(ctx).probe()
    except VendorciError as exc:
        return _fail(exc)
    if not version:
        return CheckResult.fail(f"{_url(ctx)} answers HTTP {status} but is not Jenkins (no X-Jenkins header)",
                                fix="Check jenkins.url / --jenkins-url (path prefix, port, proxy).")
    if status >= 500:
        return CheckResult.fail(f"Jenkins {version} at {_url(ctx)} answers HTTP {status} (starting or broken)",
                                fix="Wait until Jenkins has started; otherwise see its log.", data={"version": version})
    return CheckResult.ok(f"Jenkins {version} at {_url(ctx)}", data={"version": version, "status": status})


def check_auth(ctx: Any) -> CheckResult:
    if not ctx.config["jenkins.user"]:
        return CheckResult.warn("no Jenkins user configured: checking as anonymous",
                                fix="Set jenkins.user (or --jenkins-user) and VENDORCI_JENKINS_TOKEN.")
    try:
        me = _client(ctx).whoami()
    except VendorciError as exc:
        return _fail(exc)
    who = me.get("id") or me.get("fullName") or "?"
    if who == "anonymous":
        return CheckResult.fail("Jenkins treats the configured credentials as anonymous",
                                fix="Check jenkins.user and the API token.")
    return CheckResult.ok(f"authenticated as {who}", data={"user": who})


def _log_publishing(ctx: Any) -> bool:
    """True when the JJB jobs publish logs with scp (directly or through a publisher macro)."""
    from vendorci.checks.gearman import expected_functions

    def compute() -> bool:
        exp = expected_functions(ctx)
        if exp is None or not exp.jjb_dir:
            return False
        from vendorci.core.jjb import load_jjb

        jjb = load_jjb(exp.jjb_dir)
        seen: set[str] = set()
        names = [n for j in jjb.jobs.values() for n in j.components.get("publisher", [])]
        while names:
            n = names.pop()
            if n == "scp":
                return True
            if n in seen:
                continue
            seen.add(n)
            macro = jjb.macros.get(("publisher", n))
            if macro is not None:
                names.extend(macro.components.get("publisher", []))
        return False

    try:
        return bool(ctx.memo("jenkins.log_publishing", compute))
    except VendorciError:
        return False


def check_plugins(ctx: Any) -> CheckResult:
    try:
        plugins = ctx.memo("jenkins.plugins", lambda: _client(ctx).plugins())
    except VendorciError as exc:
        return _fail(exc)
    wanted = dict(REQUIRED_PLUGINS)
    if _log_publishing(ctx):
        wanted[SCP_PLUGIN[0]] = SCP_PLUGIN[1]
    missing = [f"{n} ({why})" for n, why in wanted.items() if n not in plugins]
    inactive = [n for n in wanted if n in plugins and not (plugins[n]["active"] and plugins[n]["enabled"])]
    have = [f"{n} {plugins[n]['version']}" for n in wanted if n in plugins]
    data = {"installed": {n: plugins[n]["version"] for n in wanted if n in plugins}, "missing": missing,
            "inactive": inactive}
    if missing or inactive:
        details = [f"missing: {m}" for m in missing] + [f"installed but disabled: {n}" for n in inactive]
        names = " ".join(n.split()[0] for n in missing + inactive)
        return CheckResult.fail(f"{len(missing) + len(inactive)} required plugin(s) missing or disabled",
                                details=details, data=data,
                                fix=f"Manage Jenkins > Plugins: install/enable {names}, then restart Jenkins.")
    return CheckResult.ok(", ".join(have), data=data)


def _layout_jobs(ctx: Any) -> tuple[dict[str, list[str]] | None, CheckResult | None]:
    from vendorci.checks.gearman import _layout_or_skip

    exp, skip = _layout_or_skip(ctx)
    return (exp.jobs if exp else None), skip


def _jenkins_jobs(ctx: Any) -> set[str]:
    return ctx.memo("jenkins.jobs", lambda: set(_client(ctx).job_names()))


def check_jobs(ctx: Any) -> CheckResult:
    jobs, skip = _layout_jobs(ctx)
    if skip:
        return skip
    assert jobs is not None
    try:
        have = _jenkins_jobs(ctx)
    except VendorciError as exc:
        return _fail(exc)
    missing = sorted(j for j in jobs if j not in have)
    if missing:
        return CheckResult.fail(f"{len(missing)} of {len(jobs)} layout job(s) do not exist in Jenkins",
                                details=missing, data={"missing": missing},
                                fix="Create them with JJB: jenkins-jobs --conf /etc/jenkins_jobs/jenkins_jobs.ini "
                                "update /etc/jenkins_jobs/config (Zuul reports NOT_REGISTERED until they exist).")
    return CheckResult.ok(f"all {len(jobs)} job(s) of the layout exist in Jenkins", data={"jobs": sorted(jobs)})


def _job_labels(ctx: Any, jobs: dict[str, list[str]]) -> dict[str, list[str]]:
    """Label atoms per layout job: Jenkins' own job config when it has the job, else the JJB definition."""
    from vendorci.core.jjb import label_atoms

    def compute() -> dict[str, list[str]]:
        have = _jenkins_jobs(ctx)
        client = _client(ctx)
        return {j: (label_atoms(client.job_label(j)) if j in have else atoms) for j, atoms in jobs.items()}

    return ctx.memo("jenkins.job_labels", compute)


def check_nodes(ctx: Any) -> CheckResult:
    try:
        nodes = ctx.memo("jenkins.nodes", lambda: _client(ctx).nodes())
    except VendorciError as exc:
        return _fail(exc)
    offline = [f"{n['name']}: {n['reason'] or 'offline'}" for n in nodes if n["offline"]]
    jobs, _skip = _layout_jobs(ctx)
    labels: dict[str, list[str]] = {}
    if jobs:
        try:
            for job, atoms in _job_labels(ctx, jobs).items():
                for atom in atoms or ["(any)"]:
                    labels.setdefault(atom, []).append(job)
        except VendorciError as exc:
            return _fail(exc)

    def carriers(label: str) -> list[dict[str, Any]]:
        out = []
        for n in nodes:
            own = set(n["labels"]) | {n["name"]}
            if n["name"] in ("Built-In Node", "master"):
                own |= BUILTIN_LABELS
            if label == "(any)" or label in own:
                out.append(n)
        return out

    no_node, busy = [], []
    for label, users in sorted(labels.items()):
        online = [n for n in carriers(label) if not n["offline"] and n["executors"] > 0]
        if not online:
            no_node.append(f"{label}: no online node (needed by {', '.join(sorted(users))})")
        elif not any(n["executors"] > n["busy"] for n in online):
            busy.append(f"{label}: all executors busy on {', '.join(n['name'] for n in online)}")
    data = {"nodes": nodes, "labels": {k: sorted(v) for k, v in labels.items()}, "offline": offline}
    details = no_node + busy + [f"offline {o}" for o in offline]
    if no_node:
        return CheckResult.fail(f"{len(no_node)} label(s) used by layout jobs have no online node", details=details,
                                data=data, fix="Register an agent with that label: vendorci node register NAME --host "
                                "HOST --labels LABEL; for offline nodes see `vendorci node check NAME`.")
    online_count = sum(1 for n in nodes if not n["offline"])
    summary = f"{online_count} of {len(nodes)} node(s) online"
    if labels:
        summary += f"; every label the layout jobs use ({', '.join(sorted(labels))}) has an online node"
    if busy or offline:
        return CheckResult.warn(summary, details=details, data=data,
                                fix="See `vendorci node check NAME` for why a node is offline.")
    return CheckResult.ok(summary, data=data)


def check_gearman(ctx: Any) -> CheckResult:
    """Cross-check: the plugin installed in Jenkins and its stop:MASTER function seen by Gearman."""
    from vendorci.checks.gearman import PLUGIN_FIX, _plugin_connected, server_text, snapshot

    try:
        plugins = ctx.memo("jenkins.plugins", lambda: _client(ctx).plugins())
    except VendorciError as exc:
        return _fail(exc)
    installed = "gearman-plugin" in plugins and plugins["gearman-plugin"]["active"]
    try:
        snap = snapshot(ctx)
    except VendorciError as exc:  # Gearman down is gearman.reachable's finding
        msg = exc.message or str(exc)
        if not installed:
            return CheckResult.fail("gearman-plugin is not installed in Jenkins (Gearman not checked: "
                                    f"{msg})", fix="Install gearman-plugin (see jenkins.plugins).")
        return CheckResult.skip(f"gearman-plugin installed; Gearman at {server_text(ctx)} not reachable ({msg})")
    masters = _plugin_connected(snap)
    if installed and masters:
        return CheckResult.ok(f"gearman-plugin {plugins['gearman-plugin']['version']} connected to {snap.server} "
                              f"(stop:{', stop:'.join(masters)})", data={"masters": masters})
    if not installed:
        extra = f"; yet {snap.server} sees stop:{masters[0]} (another Jenkins?)" if masters else ""
        return CheckResult.fail(f"gearman-plugin is not installed in this Jenkins{extra}",
                                fix="Install gearman-plugin, then enable it (see jenkins.plugins).",
                                data={"masters": masters})
    return CheckResult.fail(f"gearman-plugin is installed but {snap.server} sees no stop:MASTER function",
                            fix=PLUGIN_FIX.format(server=snap.server), data={"masters": []})


def checks() -> list[Check]:
    return [
        Check("jenkins.reachable", "Jenkins answers", check_reachable),
        Check("jenkins.auth", "authenticated to Jenkins", check_auth, requires=("jenkins.reachable",)),
        Check("jenkins.plugins", "required Jenkins plugins installed", check_plugins, requires=("jenkins.auth",)),
        Check("jenkins.jobs", "layout jobs exist in Jenkins", check_jobs, requires=("jenkins.auth",)),
        Check("jenkins.nodes", "an online node with free executors per label", check_nodes,
              requires=("jenkins.auth",)),
        Check("jenkins.gearman", "Gearman plugin connected (cross-check with Gearman)", check_gearman,
              requires=("jenkins.auth",)),
    ]

