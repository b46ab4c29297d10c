"""Doctor checks for Zuul v3 and newer through zuul-web's REST API.

zuul-web is found by itself: ``--zuul-web URL``, the ``zuul.web_url`` key, or
zuul.conf's ``[web]`` (``root``, else ``listen_address``/``port``; see
:func:`vendorci.zuulconn.web_url`). Tenant checks cover ``--tenant NAME``
(``zuul.tenant``) or every tenant ``/api/tenants`` lists.
"""

from __future__ import annotations

import time
from typing import Any

from vendorci.checks.runner import Check
from vendorci.clients.zuulweb import ZuulWeb, ZuulWebError
from vendorci.core import zuulhealth as zh
from vendorci.durations import format_age
from vendorci.errors import Code
from vendorci.results import CheckResult

DEFAULT_STALE = 2 * 3600.0
MAX_LISTED = 10
REQ = ("zuul.web",)


class _Skip(Exception):
    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.summary)
        self.result = result


def web_base(ctx: Any) -> str | None:
    base = ctx.zuul_web or ctx.config["zuul.web_url"]
    return str(base).rstrip("/") if base else None


def client(ctx: Any) -> ZuulWeb:
    base = web_base(ctx)
    if not base:
        raise _Skip(CheckResult.skip(
            "no zuul-web URL: zuul.conf has no [web] and none was given",
            fix="Give --zuul-web URL (or zuul.web_url in vendorci.yaml), or point --zuul-conf at the zuul.conf "
                "whose [web] section names it."))
    return ZuulWeb(base, timeout=max(0.5, ctx.timeout - 0.5))


def stale_after(ctx: Any) -> float:
    return float(ctx.options.get("stale_after") or DEFAULT_STALE)


def tenants(ctx: Any) -> list[str]:
    """The tenants to look at: --tenant, else all of /api/tenants."""
    def load() -> list[str]:
        wanted = ctx.options.get("tenant") or ctx.config["zuul.tenant"]
        listed = client(ctx).tenants()
        if wanted:
            if wanted not in listed:
                raise _Skip(CheckResult.fail(
                    f"tenant {wanted!r} is not served by {web_base(ctx)}",
                    details=[f"tenants: {', '.join(listed) or '(none)'}"], data={"tenants": listed},
                    fix="Check --tenant (zuul.tenant) against the tenant config (main.yaml) the scheduler loaded."))
            return [wanted]
        if not listed:
            raise _Skip(CheckResult.fail(
                f"{web_base(ctx)} serves no tenant", data={"tenants": []},
                fix="The scheduler has loaded no tenant: check [scheduler] tenant_config and the scheduler log."))
        return listed

    return ctx.memo("zuulweb.tenants", load)


def _guard(fn):
    """Turn the client's errors into a failed result and _Skip into its result."""
    def wrapped(ctx: Any) -> CheckResult:
        try:
            return fn(ctx)
        except _Skip as s:
            return s.result
        except ZuulWebError as exc:
            return CheckResult.fail(exc.message, data={"code": exc.code, "url": exc.url,
                                                       "http_status": exc.http_status},
                                    fix=_web_fix(exc))
    wrapped.__name__ = fn.__name__
    wrapped.__doc__ = fn.__doc__
    return wrapped


def _web_fix(exc: ZuulWebError) -> str:
    if exc.code == Code.ZUUL_WEB_UNREACHABLE:
        return ("Start zuul-web (`sudo systemctl start zuul-web`; containers: `docker compose up -d web`) and read "
                "`journalctl -u zuul-web -e`, or fix --zuul-web / [web] in zuul.conf.")
    if exc.http_status == 404:
        return "Check the URL is zuul-web's root (the API is under /api/) and the tenant name."
    return "Check the URL is zuul-web's root; a proxy in front of it may answer instead."


# -- zuul.web ----------------------------------------------------------------------------------
@_guard
def check_web(ctx: Any) -> CheckResult:
    base = web_base(ctx)
    web = client(ctx)
    configured = ctx.config["zuul.web_url"]
    source = ctx.config.source("zuul.web_url") if configured and str(configured).rstrip("/") == base else "flag"
    try:
        info = web.info()
    except ZuulWebError as exc:
        if exc.http_status != 404:
            raise
        # Zuul v2: no REST API, but status.json
        try:
            status = web.get("/status.json")
        except ZuulWebError:
            raise exc from None
        if isinstance(status, dict) and "pipelines" in status:
            ctx.memo("zuulweb.generation", lambda: 2)
            return CheckResult.ok(f"Zuul v2 status page answers (zuul_version {status.get('zuul_version')})",
                                  data={"url": base, "generation": 2, "zuul_version": status.get("zuul_version")})
        raise exc from None
    listed = web.tenants()
    data: dict[str, Any] = {"url": base, "source": source, "info": info, "tenants": listed, "generation": 3}
    details = [f"url {base} (from {source})", f"tenants: {', '.join(listed) or '(none)'}"]
    if not listed:
        return CheckResult.fail(f"zuul-web at {base} answers but serves no tenant", details=details, data=data,
                                fix="The scheduler has loaded no tenant: check [scheduler] tenant_config "
                                    "and `journalctl -u zuul-scheduler -e`.")
    return CheckResult.ok(f"zuul-web at {base} answers: {len(listed)} tenant(s)", details=details, data=data)


def _v2(ctx: Any) -> None:
    try:
        gen = ctx.memo("zuulweb.generation", lambda: 3)
    except Exception:
        gen = 3
    if gen == 2:
        raise _Skip(CheckResult.skip("Zuul v2 has no zuul-web REST API (status.json only)"))


# -- zuul.config-errors ------------------------------------------------------------------------
@_guard
def check_config_errors(ctx: Any) -> CheckResult:
    _v2(ctx)
    web = client(ctx)
    everything: list[dict[str, Any]] = []
    for t in tenants(ctx):
        everything += web.config_errors(t)
    errors, warnings = zh.split_by_severity(everything)
    verbose = bool(ctx.options.get("verbose"))
    if verbose:  # one entry per error: its line, then Zuul's full text indented
        details = [zh.config_error_line(e) + "\n" + "\n".join("      " + ln for ln in e["error"].splitlines())
                   for e in errors + warnings]
    else:
        details = [zh.config_error_line(e) for e in errors + warnings][:MAX_LISTED]
    if not verbose and len(everything) > MAX_LISTED:
        details.append(f"... and {len(everything) - MAX_LISTED} more (--verbose or --output json for all)")
    names = tenants(ctx)
    data = {"tenants": names, "errors": errors, "warnings": warnings}
    fix = ("Zuul ignores every stanza named above until it is fixed: correct them in the config project "
           "(merge the fix, or `zuul-scheduler full-reconfigure` after changing the tenant config); "
           "`vendorci validate` on the config project shows them with file and line.")
    if errors:
        return CheckResult.fail(f"{len(errors)} configuration error(s)"
                                + (f" and {len(warnings)} warning(s)" if warnings else "")
                                + f" in {', '.join(sorted({e['tenant'] for e in errors}))}",
                                details=details, data=data, fix=fix)
    if warnings:
        return CheckResult.warn(f"{len(warnings)} configuration warning(s)", details=details, data=data, fix=fix)
    return CheckResult.ok(f"no configuration errors in {len(names)} tenant(s)", data=data)


# -- zuul.components ---------------------------------------------------------------------------
@_guard
def check_components(ctx: Any) -> CheckResult:
    _v2(ctx)
    comps = client(ctx).components()
    v = zh.judge_components(comps)
    rows = [r for items in comps.values() for r in items]
    details = [f"{r['kind']} {r['hostname']}: {r['state']} ({r['version']})" for r in rows]
    data = {"components": rows, "missing": list(v.missing), "versions": v.versions}
    if v.missing:
        no_merger = "executor" in v.missing and not comps.get("merger")
        fix = [zh.start_advice(k) for k in v.missing]
        if no_merger:
            fix.append("With neither an executor nor a merger nothing merges changes or loads configuration.")
        return CheckResult.fail("no " + ", no ".join(v.missing) + " running" + (
            f"; {', '.join(k for k in comps if comps[k])} registered" if rows else ""),
            details=details, data=data, fix="\n".join(fix))
    warns = [f"{r['kind']} on {r['hostname']} is {r['state']}" for r in v.not_running]
    if v.skew:
        warns.append("version skew: " + "; ".join(f"{ver}: {', '.join(who)}"
                                                  for ver, who in sorted(v.versions.items())))
    if warns:
        fix = []
        if any(r["state"] == "paused" for r in v.not_running):
            fix.append("A paused executor takes no jobs: `zuul-executor resume` on that host.")
        if any(r["state"] != "paused" for r in v.not_running):
            fix.append("A stopped component still registered is shutting down or hung: restart its unit.")
        if v.skew:
            fix.append("Upgrade every component to the same release (scheduler and web first, per Zuul's notes).")
        return CheckResult.warn("; ".join(warns), details=details, data=data, fix="\n".join(fix))
    return CheckResult.ok(f"{len(rows)} component(s) running: "
                          + ", ".join(f"{len(comps[k])} {k}" for k in comps if comps[k]), details=details, data=data)


# -- zuul.pipelines ----------------------------------------------------------------------------
@_guard
def check_pipelines(ctx: Any) -> CheckResult:
    _v2(ctx)
    web = client(ctx)
    limit = stale_after(ctx)
    now = time.time()
    stale: list[dict[str, Any]] = []
    first: dict[str, int] = {}
    statuses = {}
    for t in tenants(ctx):
        statuses[t] = web.status(t)
        stale += [dict(s, tenant=t) for s in zh.stale_items(statuses[t], now, limit)]
        first.update({f"{t}:{k}": n for k, n in zh.queue_lengths(statuses[t]).items()})
    growing: dict[str, tuple[int, int]] = {}
    if any(n >= zh.QUEUE_BACKLOG for n in first.values()):
        time.sleep(min(1.0, ctx.timeout / 4))
        second: dict[str, int] = {}
        for t in statuses:
            second.update({f"{t}:{k}": n for k, n in zh.queue_lengths(web.status(t)).items()})
        growing = zh.growing_queues(first, second)
    details = [f"{s['tenant']}/{s['pipeline']}: {s['item']} queued {format_age(s['age_s'])}"
               + (f" ({'; '.join(s['waiting'])})" if s["waiting"] else "") for s in stale[:MAX_LISTED]]
    details += [f"{k}: {a} -> {b} events" for k, (a, b) in growing.items()]
    data = {"stale_after_s": limit, "stale_items": stale, "queues": first,
            "growing": {k: list(v) for k, v in growing.items()}}
    if not stale and not growing:
        n = sum(1 for st in statuses.values() for _ in zh._items(st))
        return CheckResult.ok(f"{n} item(s) in pipelines, none queued longer than {format_age(limit)}", data=data)
    parts = []
    if stale:
        parts.append(f"{len(stale)} item(s) queued longer than {format_age(limit)}")
    if growing:
        parts.append(f"{len(growing)} event queue(s) growing")
    fix = []
    if any("executor" in w for s in stale for w in s["waiting"]):
        fix.append("Jobs wait for an executor: " + zh.start_advice("executor"))
    if any("node" in w for s in stale for w in s["waiting"]):
        fix.append("Jobs wait for nodes: check the node provider (nodepool/zuul-launcher) and `zuul.nodes`.")
    if growing:
        fix.append("A growing event queue means the scheduler falls behind: read `journalctl -u zuul-scheduler -e` "
                   "(ZooKeeper latency, a slow Gerrit connection).")
    if not fix:
        fix.append("Open the pipeline in zuul-web's status page; dequeue stuck items with "
                   "`zuul-client dequeue` once the cause is fixed.")
    return CheckResult.warn("; ".join(parts), details=details, data=data, fix="\n".join(fix))


# -- zuul.builds -------------------------------------------------------------------------------
@_guard
def check_builds(ctx: Any) -> CheckResult:
    _v2(ctx)
    web = client(ctx)
    limit = stale_after(ctx)
    now = time.time()
    per: dict[str, Any] = {}
    fails: list[str] = []
    warns: list[str] = []
    details: list[str] = []
    for t in tenants(ctx):
        v = zh.judge_builds(web.builds(t, limit=100), now)
        per[t] = {"builds": v.total, "infra": list(v.infra), "share": round(v.share, 3),
                  "last_build_age_s": None if v.last_build_age is None else round(v.last_build_age)}
        if v.total >= zh.INFRA_MIN_BUILDS and v.share >= zh.INFRA_WARN:
            line = (f"{t}: {len(v.infra)} of the last {v.total} builds failed in the infrastructure "
                    f"({v.share:.0%}: " + ", ".join(sorted({str(b['result']) for b in v.infra})) + ")")
            (fails if v.share >= zh.INFRA_FAIL else warns).append(line)
            details += [f"  {b['job']} {b['result']} {b['log_url'] or b['uuid']}" for b in v.infra[:5]]
        if v.last_build_age is None:
            warns.append(f"{t}: no build recorded")
        elif v.last_build_age > limit:
            warns.append(f"{t}: no build for {format_age(v.last_build_age)} (the CI is silent)")
        else:
            details.append(f"{t}: {v.total} recent build(s), last {format_age(v.last_build_age)} ago")
    data = {"stale_after_s": limit, "tenants": per}
    fix = ("Infrastructure results (NODE_FAILURE, RETRY_LIMIT, POST_FAILURE, TIMED_OUT, LOST) point at nodes, "
           "executors or log upload, not the changes: open the builds' logs above and the executor log "
           "(`journalctl -u zuul-executor -e`). No build at all: is the trigger (Gerrit events, timer) reaching "
           "the scheduler? See zuul.pipelines and gerrit.activity.")
    if fails:
        return CheckResult.fail("; ".join(fails + warns), details=details, data=data, fix=fix)
    if warns:
        return CheckResult.warn("; ".join(warns), details=details, data=data, fix=fix)
    return CheckResult.ok(f"recent builds look healthy in {len(per)} tenant(s)", details=details, data=data)


# -- zuul.nodes --------------------------------------------------------------------------------
@_guard
def check_nodes(ctx: Any) -> CheckResult:
    _v2(ctx)
    web = client(ctx)
    per: dict[str, Any] = {}
    waiting: list[str] = []
    problems: list[str] = []
    for t in tenants(ctx):
        labels, nodes = web.labels(t), web.nodes(t)
        if not labels and not nodes:
            continue
        bare = zh.labels_without_ready_nodes(labels, nodes)
        per[t] = {"labels": len(labels), "nodes": len(nodes), "labels_without_ready_node": bare}
        status = web.status(t)
        waiting += [f"{t}: {s['item']}" for s in zh.stale_items(status, time.time(), 0)
                    if any("node" in w for w in s["waiting"])]
        if bare and waiting:
            problems.append(f"{t}: no ready node for label(s) {', '.join(bare)}")
    if not per:
        return CheckResult.skip("no node provider reports to zuul-web (no labels, no nodes): "
                                "jobs here run without nodes or a provider is not configured", data={"tenants": {}})
    data = {"tenants": per, "waiting_for_nodes": waiting}
    if problems:
        return CheckResult.warn("; ".join(problems), details=waiting[:MAX_LISTED], data=data,
                                fix="Jobs wait for nodes of these labels: check the provider's quota and "
                                    "images, and the launcher/nodepool log.")
    return CheckResult.ok(", ".join(f"{t}: {v['nodes']} node(s), {v['labels']} label(s)" for t, v in per.items()),
                          data=data)


def checks() -> list[Check]:
    return [
        Check("zuul.web", "zuul-web API answers", check_web),
        Check("zuul.config-errors", "Zuul configuration errors (per tenant)", check_config_errors, requires=REQ),
        Check("zuul.components", "Zuul components registered and running", check_components, requires=REQ),
        Check("zuul.pipelines", "no stale items or growing queues in pipelines", check_pipelines, requires=REQ),
        Check("zuul.builds", "recent builds: infrastructure failures, silence", check_builds, requires=REQ),
        Check("zuul.nodes", "node labels used by waiting jobs have ready nodes", check_nodes, requires=REQ),
    ]
