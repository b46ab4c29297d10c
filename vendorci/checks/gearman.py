"""Doctor checks for Gearman, the link between Zuul and Jenkins.

One admin connection per run (memoized snapshot: version, status, workers)
feeds every check.  The functions that must be registered come from the Zuul
layout (every job some project runs in some pipeline, templates expanded):
``build:JOB``, and for a job whose JJB definition has a ``node`` label also
``build:JOB:LABEL`` for at least one label atom of that expression.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.checks.runner import Check
from vendorci.checks.zuul import gen_label, generation, zuul_conf_or_none
from vendorci.clients.gearman import FunctionStatus, GearmanAdmin, GearmanError, WorkerInfo
from vendorci.errors import Code, VendorciError
from vendorci.results import CheckResult

QUEUE_WARN = 10  # queued jobs per function worth a warning

PLUGIN_FIX = ("Enable the Jenkins Gearman plugin: Manage Jenkins > Configure System > Gearman Plugin Config, check "
              "'Enable Gearman', set the server to {server}, 'Test Connection'. If that section is missing although "
              "gearman-plugin is installed, restart Jenkins.")


@dataclass
class Snapshot:
    server: str
    version: str | None
    status: list[FunctionStatus]
    workers: list[WorkerInfo]
    by_name: dict[str, FunctionStatus] = field(default_factory=dict)
    serving: dict[str, list[str]] = field(default_factory=dict)  # function -> worker ids

    def __post_init__(self) -> None:
        self.by_name = {f.name: f for f in self.status}
        for w in self.workers:
            wid = w.client_id if w.client_id != "-" else f"fd{w.fd}@{w.address}"
            for fn in w.functions:
                self.serving.setdefault(fn, []).append(wid)

    def known(self, fn: str) -> bool:
        return fn in self.by_name or fn in self.serving

    def available(self, fn: str) -> int:
        f = self.by_name.get(fn)
        return f.workers if f is not None else len(self.serving.get(fn, ()))

    def with_workers(self, pattern: str) -> list[str]:
        return sorted(n for n in set(self.by_name) | set(self.serving)
                      if fnmatch.fnmatchcase(n, pattern) and self.available(n) > 0)


def server_address(ctx: Any) -> tuple[str, int]:
    return ctx.config.gearman_address


def server_text(ctx: Any) -> str:
    host, port = server_address(ctx)
    return f"{host}:{port}"


def snapshot(ctx: Any) -> Snapshot:
    def take() -> Snapshot:
        host, port = server_address(ctx)
        with GearmanAdmin(host, port, timeout=max(0.2, ctx.timeout - 0.2)) as adm:
            version, status = adm.probe()
            workers = adm.workers()
        return Snapshot(f"{host}:{port}", version, status, workers)

    return ctx.memo("gearman.snapshot", take)


# -- what the layout needs -----------------------------------------------------
@dataclass
class Expected:
    layout: str
    jobs: dict[str, list[str]]  # job -> label atoms ([] when unknown or none)
    jjb_dir: str | None = None
    jjb_jobs: set[str] | None = None  # None: no JJB information


def layout_path(ctx: Any) -> Path | None:
    cands: list[Path] = []
    if ctx.config["zuul.layout"]:
        cands.append(Path(str(ctx.config["zuul.layout"])))
    if ctx.data_repo:
        cands += [Path(ctx.data_repo) / "etc" / "zuul" / "layout.yaml", Path(ctx.data_repo) / "zuul" / "layout.yaml"]
    return next((p for p in cands if p.is_file()), None)


def jjb_dir(ctx: Any, layout: Path) -> Path | None:
    cands: list[Path] = []
    if ctx.options.get("jjb_dir"):
        cands.append(Path(ctx.options["jjb_dir"]))
    if ctx.data_repo:
        cands += [Path(ctx.data_repo) / "etc" / "jenkins_jobs" / "config", Path(ctx.data_repo) / "jenkins" / "jobs"]
    cands += [layout.parent.parent / "jenkins_jobs" / "config", layout.parent.parent / "jenkins" / "jobs"]
    return next((p for p in cands if p.is_dir()), None)


def expected_functions(ctx: Any) -> Expected | None:
    """Jobs the layout runs and their node labels; None when no layout is found."""
    def compute() -> Expected | None:
        from vendorci.core.layout import load_layout

        path = layout_path(ctx)
        if path is None:
            return None
        layout = load_layout(path)
        jobs: dict[str, list[str]] = {j: [] for j in sorted(layout.all_jobs())}
        exp = Expected(str(path), jobs)
        jdir = jjb_dir(ctx, path)
        if jdir is not None:
            from vendorci.core.jjb import label_atoms, load_jjb

            jjb = load_jjb(jdir)
            exp.jjb_dir, exp.jjb_jobs = str(jdir), set(jjb.jobs)
            for job in jobs:
                jd = jjb.jobs.get(job)
                if jd is not None and jd.node:
                    jobs[job] = label_atoms(jd.node)
        return exp

    return ctx.memo("gearman.expected", compute)


def _needs_build_functions(ctx: Any) -> CheckResult | None:
    gen, evidence = generation(ctx)
    if gen is not None and gen >= 3:
        return CheckResult.skip(f"{gen_label(gen)} ({evidence}) runs jobs on executors, not Jenkins build:JOB workers")
    return None


def _layout_or_skip(ctx: Any) -> tuple[Expected | None, CheckResult | None]:
    from vendorci.errors import VendorciError

    try:
        exp = expected_functions(ctx)
    except VendorciError as exc:
        return None, CheckResult.fail(f"the Zuul layout cannot be read: {exc.message}",
                                      fix="Fix the layout (run `vendorci validate`); Zuul will not load it either.")
    if exp is None:
        return None, CheckResult.skip(
            "no Zuul layout found, so the jobs to expect are unknown",
            fix="Give --layout PATH (or zuul.layout; zuul.conf's [zuul] layout_config), or run in the data repo.")
    return exp, None


# -- checks --------------------------------------------------------------------
def check_reachable(ctx: Any) -> CheckResult:
    gen, evidence = generation(ctx)
    if gen == 4 and ctx.config.source("gearman.server") == "default":
        return CheckResult.skip(f"{gen_label(gen)} ({evidence}) uses ZooKeeper, not Gearman",
                                fix="Give --gearman HOST:PORT to check a Gearman server anyway.")
    where = server_text(ctx)
    try:
        snap = snapshot(ctx)
    except GearmanError as exc:
        conf = zuul_conf_or_none(ctx)
        fix = exc.hint or ""
        if exc.code == Code.GEARMAN_UNREACHABLE and conf is not None and conf.gearman_server_start:
            fix = (f"{conf.path} has [gearman_server] start=true: zuul-server runs the Gearman server, so zuul-server "
                   "is down or its Gearman child died (see zuul.processes); restart it: sudo service zuul restart")
        return CheckResult.fail(exc.message, fix=fix, data={"server": where, "code": exc.code,
                                                             "source": ctx.config.source("gearman.server")})
    kind = f"gearmand {snap.version}" if snap.version else "a Gearman server that does not answer 'version' " \
        "(gear's server, as zuul-server embeds)"
    conns = len(snap.workers)
    return CheckResult.ok(
        f"{where} answers: {kind}",
        details=[f"{len(snap.status)} functions, {conns} connections"],
        data={"server": where, "version": snap.version, "functions": len(snap.status), "connections": conns},
    )


def _plugin_connected(snap: Snapshot) -> list[str]:
    return [n.split(":", 1)[1] for n in snap.with_workers("stop:*")]


def check_registered(ctx: Any) -> CheckResult:
    skip = _needs_build_functions(ctx)
    if skip:
        return skip
    exp, res = _layout_or_skip(ctx)
    if res:
        return res
    assert exp is not None
    snap = snapshot(ctx)
    plugin = _plugin_connected(snap)
    missing: list[dict[str, Any]] = []
    causes: list[str] = []
    for job, labels in exp.jobs.items():
        fn = f"build:{job}"
        if not snap.known(fn):
            if not plugin:
                cause = "Gearman plugin not connected"
                causes.append(PLUGIN_FIX.format(server=snap.server))
            elif exp.jjb_jobs is not None and job not in exp.jjb_jobs:
                cause = f"not defined in the JJB config ({exp.jjb_dir})"
                causes.append(f"Define {job} in {exp.jjb_dir} and create it: jenkins-jobs update {exp.jjb_dir}")
            else:
                cause = "Jenkins has no such job, or has not registered it"
                causes.append(f"Create the job with JJB (jenkins-jobs update ...) so that Jenkins has {job}; the "
                              "Gearman plugin registers new jobs when it reconnects (toggle 'Enable Gearman' or "
                              "restart Jenkins).")
            missing.append({"job": job, "function": fn, "cause": cause})
        elif labels and not any(snap.known(f"{fn}:{lab}") for lab in labels):
            want = " or ".join(f"{fn}:{lab}" for lab in labels)
            missing.append({"job": job, "function": want, "cause": f"no online node with label {' or '.join(labels)}"})
            causes.append(f"No online Jenkins node carries the label {' or '.join(labels)} (node offline, or the "
                          "label is not set on it): bring the node online / add the label"
                          + (" (the master needs the label 'master' and executors)" if "master" in labels else "")
                          + "; Jenkins then registers the label function.")
    total = len(exp.jobs) + sum(1 for labels in exp.jobs.values() if labels)
    data = {"layout": exp.layout, "jjb_dir": exp.jjb_dir, "jobs": {j: {"labels": v} for j, v in exp.jobs.items()},
            "missing": missing}
    if missing:
        names = ", ".join(m["job"] for m in missing)
        return CheckResult.fail(
            f"{len(missing)} job(s) not registered in Gearman: {names} (Zuul reports NOT_REGISTERED)",
            details=[f"{m['function']}: {m['cause']}" for m in missing], data=data,
            fix="\n".join(dict.fromkeys(causes)))
    return CheckResult.ok(f"all {len(exp.jobs)} job(s) of {exp.layout} registered ({total} functions)", data=data)


def check_workers(ctx: Any) -> CheckResult:
    snap = snapshot(ctx)
    skip = _needs_build_functions(ctx)
    exp = None
    if skip is None:
        try:
            exp = expected_functions(ctx)
        except VendorciError:  # an unreadable layout is gearman.functions' (and validate's) finding
            exp = None
    groups: list[list[str]] = []  # each group: functions of which at least one needs a worker
    if exp is not None:
        for job, labels in exp.jobs.items():
            groups.append([f"build:{job}"])
            if labels:
                groups.append([f"build:{job}:{lab}" for lab in labels])
    else:
        groups = [[n] for n in sorted(snap.by_name) if n.startswith(("build:", "merger:", "stop:", "executor:"))]
    serving: dict[str, list[str]] = {}
    empty: list[str] = []
    for grp in groups:
        known = [f for f in grp if snap.known(f)]
        if not known:
            continue  # never registered: gearman.registered reports it
        with_workers = [f for f in known if snap.available(f) > 0]
        for f in with_workers:
            serving[f] = sorted(snap.serving.get(f, []))
        if not with_workers:
            empty.append(" or ".join(known))
    data = {"serving": serving, "without_workers": empty, "from_layout": exp is not None}
    details = [f"{f}: {', '.join(ids) or str(snap.available(f)) + ' worker(s)'}" for f, ids in serving.items()]
    if empty:
        status = CheckResult.fail if exp is not None else CheckResult.warn
        return status(
            f"{len(empty)} function(s) without an available worker: {', '.join(empty)}",
            details=details, data=data,
            fix="They were registered once, but no worker offers them now: the Jenkins node(s) that ran them are "
            "offline or the Gearman plugin disconnected. Check the nodes in Jenkins and the plugin connection "
            "(gearman.jenkins)." + ("" if exp is not None else " Functions of deleted jobs also stay listed until "
                                     "gearmand restarts."))
    if not serving:
        return CheckResult.ok("no expected function is registered yet (see gearman.registered)", data=data)
    return CheckResult.ok(f"{len(serving)} function(s) each served by at least one worker", details=details, data=data)


def check_queues(ctx: Any) -> CheckResult:
    snap = snapshot(ctx)
    limit = int(ctx.options.get("queue_warn", QUEUE_WARN))
    stuck = [f for f in snap.status if f.queued > 0 and f.workers == 0]
    long = [f for f in snap.status if f.queued >= limit and f.workers > 0]
    queued = sum(f.queued for f in snap.status)
    running = sum(f.running for f in snap.status)
    data = {"queued": queued, "running": running, "stuck": [f.as_dict() for f in stuck],
            "long": [f.as_dict() for f in long], "warn_at": limit}
    if stuck:
        return CheckResult.fail(
            "stuck queue: " + ", ".join(f"{f.queued} job(s) waiting on {f.name}" for f in stuck) + " with no worker",
            data=data,
            fix="No worker offers these functions, so the jobs never start (Zuul reports NOT_REGISTERED for new "
            "ones): bring the Jenkins node/job back (see gearman.registered, gearman.workers), or drop the queue: "
            "gearadmin --drop-function NAME (gearmand) / restart zuul-server (embedded server).")
    if long:
        return CheckResult.warn(
            "long queue: " + ", ".join(f"{f.queued} waiting on {f.name} ({f.workers} worker(s))" for f in long),
            data=data, fix="More jobs arrive than the workers finish: add executors or nodes with that label.")
    return CheckResult.ok(f"{queued} queued, {running} running", data=data)


def check_merger(ctx: Any) -> CheckResult:
    snap = snapshot(ctx)
    ids = sorted(snap.serving.get("merger:merge", [])) or (["?"] if snap.available("merger:merge") else [])
    if ids:
        return CheckResult.ok(f"zuul-merger connected ({', '.join(ids)})", data={"workers": ids})
    return CheckResult.fail(
        "no zuul-merger connected: merger:merge is not registered",
        data={"workers": []},
        fix=f"Start zuul-merger (sudo service zuul-merger start) and check that its zuul.conf [gearman] server "
        f"points at {snap.server}; without a merger Zuul cannot prepare any change.")


def check_zuul_server(ctx: Any) -> CheckResult:
    snap = snapshot(ctx)
    if snap.available("zuul:enqueue"):
        return CheckResult.ok("zuul-server connected (zuul:enqueue registered)",
                              data={"workers": sorted(snap.serving.get("zuul:enqueue", []))})
    return CheckResult.fail(
        "zuul-server is not connected: zuul:enqueue is not registered",
        fix=f"Start zuul-server (sudo service zuul start) and check [gearman] server in zuul.conf points at "
        f"{snap.server}; see zuul.processes and zuul.log.")


def check_jenkins(ctx: Any) -> CheckResult:
    skip = _needs_build_functions(ctx)
    if skip:
        return skip
    snap = snapshot(ctx)
    masters = _plugin_connected(snap)
    if masters:
        execs = sorted({w for f in snap.with_workers("build:*") for w in snap.serving.get(f, [])})
        return CheckResult.ok(f"Jenkins Gearman plugin connected (master {', '.join(masters)})",
                              details=[f"{len(execs)} executor worker(s): {', '.join(execs)}"] if execs else [],
                              data={"masters": masters, "executors": execs})
    return CheckResult.fail("Jenkins Gearman plugin not connected: no stop:MASTER / set_description:MASTER registered",
                            data={"masters": []}, fix=PLUGIN_FIX.format(server=snap.server))


def checks() -> list[Check]:
    req = ("gearman.reachable",)
    return [
        Check("gearman.reachable", "Gearman server answers", check_reachable),
        Check("gearman.registered", "layout jobs registered in Gearman", check_registered, requires=req),
        Check("gearman.workers", "registered functions have workers", check_workers, requires=req),
        Check("gearman.queues", "no stuck or long queues", check_queues, requires=req),
        Check("gearman.jenkins", "Jenkins Gearman plugin connected", check_jenkins, requires=req),
        Check("gearman.merger", "zuul-merger connected to Gearman", check_merger, requires=req),
        Check("gearman.zuul_server", "zuul-server connected to Gearman", check_zuul_server, requires=req),
    ]
