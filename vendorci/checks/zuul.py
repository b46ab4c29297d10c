"""Doctor checks for Zuul: configuration, processes, pid files, log, web API.

Generation detection: Zuul v2 runs ``zuul-server`` and ``zuul-merger`` and has
no ``[scheduler]``/``[executor]``/``[web]``/``[zookeeper]`` sections in
zuul.conf; v3 adds those and still uses Gearman; v4 and newer use ZooKeeper
only.  Running ``zuul-scheduler``/``zuul-executor``/``zuul-web`` processes mean
v3 or newer whatever the file says.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vendorci.checks.runner import Check
from vendorci.core import procs as proclib
from vendorci.core.zuulconf import ZuulConf, load_zuul_conf, log_files, recent_errors
from vendorci.errors import ConfigError
from vendorci.results import CheckResult

V2_NAMES = ("zuul-server", "zuul-merger")
V3_NAMES = ("zuul-scheduler", "zuul-executor", "zuul-merger", "zuul-web", "zuul-fingergw", "zuul-launcher")
ALL_NAMES = tuple(dict.fromkeys(V2_NAMES + V3_NAMES))


# -- shared with the gearman checks -------------------------------------------
def zuul_conf_path(ctx: Any) -> Path:
    return Path(str(ctx.config["zuul.conf"] or "/etc/zuul/zuul.conf"))


def zuul_conf(ctx: Any) -> ZuulConf | None:
    return ctx.memo("zuul.conf", lambda: load_zuul_conf(zuul_conf_path(ctx)))


def zuul_conf_or_none(ctx: Any) -> ZuulConf | None:
    """zuul.conf, or None when it is missing or not INI (zuul.conf's own check reports which)."""
    try:
        return zuul_conf(ctx)
    except ConfigError:
        return None


def _procs_split(ctx: Any) -> tuple[dict[str, list[proclib.Proc]], dict[str, list[tuple[proclib.Proc, str]]]]:
    def split():
        found = proclib.find(proclib.list_procs(ctx.proc_root), ALL_NAMES)
        return proclib.split_by_config(found, zuul_conf_path(ctx), ctx.proc_root)

    return ctx.memo("zuul.procs", split)


def zuul_procs(ctx: Any) -> dict[str, list[proclib.Proc]]:
    """Zuul processes started with the zuul.conf being diagnosed (``-c``, or the default path)."""
    return _procs_split(ctx)[0]


def other_zuul_procs(ctx: Any) -> dict[str, list[tuple[proclib.Proc, str]]]:
    """Zuul processes of other configurations on this host, with the configuration each runs."""
    return _procs_split(ctx)[1]


def generation(ctx: Any) -> tuple[int | None, str]:
    """(2, 3, 4 meaning 4 or newer, or None when nothing says), and the evidence."""
    def detect() -> tuple[int | None, str]:
        conf = zuul_conf_or_none(ctx)
        found = zuul_procs(ctx)
        v3 = [n for n in ("zuul-scheduler", "zuul-executor", "zuul-web") if found[n]]
        if v3:
            gen = 3 if conf is not None and "gearman" in conf.sections else 4
            if conf is None:
                gen = 3
            return gen, f"running {', '.join(v3)}"
        if conf is not None:
            return conf.generation, f"sections of {conf.path}"
        if found["zuul-server"]:
            return 2, "running zuul-server"
        return None, "no zuul.conf and no Zuul process"

    return ctx.memo("zuul.generation", detect)


def gen_label(gen: int | None) -> str:
    return {2: "Zuul v2", 3: "Zuul v3", 4: "Zuul v4 or newer"}.get(gen or 0, "Zuul (unknown version)")


def v3_start_advice(name: str) -> str:
    """Starting a Zuul v3+ daemon the way such masters are installed: systemd units or containers."""
    kind = name.removeprefix("zuul-")
    return (f"`sudo systemctl start {name}` and read `journalctl -u {name} -e` (containers: "
            f"`docker compose up -d {kind}` / `podman start {name}`, then `docker logs {name}`).")


def _no_conf_hint(ctx: Any) -> str:
    return (f"Point vendorci at it: --zuul-conf PATH, VENDORCI_ZUUL_CONF, or `zuul: {{conf: PATH}}` in vendorci.yaml "
            f"(looked at {zuul_conf_path(ctx)}).")


# -- zuul.conf ---------------------------------------------------------------
def check_conf(ctx: Any) -> CheckResult:
    from vendorci.errors import VendorciError

    try:
        conf = zuul_conf(ctx)
    except VendorciError as exc:
        return CheckResult.fail(exc.message, fix="Fix the INI syntax of zuul.conf; Zuul will not start with it.")
    if conf is None:
        return CheckResult.skip(f"no zuul.conf at {zuul_conf_path(ctx)}", fix=_no_conf_hint(ctx))
    gen, _ = generation(ctx)
    data: dict[str, Any] = {"path": str(conf.path), "generation": gen, "sections": sorted(conf.sections)}
    details = []
    if conf.get("gearman", "server"):
        details.append(f"gearman server {conf.get('gearman', 'server')}:{conf.get('gearman', 'port', '4730')}")
    if gen == 2:
        details.append("embedded Gearman server: " + ("started by zuul-server" if conf.gearman_server_start else "no"))
    if conf.layout:
        details.append(f"layout {conf.layout}")
    if conf.log_config:
        details.append(f"log config {conf.log_config}")
    from vendorci import zuulconn

    web = zuulconn.web_url(conf.sections)
    gerrit = zuulconn.gerrit_section(conf.sections, ctx.config["zuul.gerrit_connection"])
    if web:
        details.append(f"zuul-web {web} (from [web])")
    if gerrit:
        details.append(f"Gerrit settings from [{gerrit}]")
    data.update(gearman_server_start=conf.gearman_server_start, layout=conf.layout, log_config=conf.log_config,
                pidfiles=conf.pidfiles, web_url=web, gerrit_section=gerrit,
                gerrit_connections=zuulconn.gerrit_connections(conf.sections))
    if gen == 2 and not conf.get("gearman", "server"):
        return CheckResult.fail(f"{conf.path} has no [gearman] server", details=details, data=data,
                                fix="Add `[gearman]\\nserver=127.0.0.1` (and `[gearman_server]\\nstart=true` to let "
                                "zuul-server run it); Zuul cannot launch jobs without it.")
    return CheckResult.ok(f"{conf.path} ({gen_label(gen)})", details=details, data=data)


# -- processes ---------------------------------------------------------------
def check_processes(ctx: Any) -> CheckResult:
    conf = zuul_conf_or_none(ctx)
    found = zuul_procs(ctx)
    gen, evidence = generation(ctx)
    data: dict[str, Any] = {"generation": gen, "evidence": evidence,
                            "found": {n: [p.as_dict() for p in ps] for n, ps in found.items() if ps}}
    details = [f"{n}: pid {p.pid}: {p.cmdline}" for n, ps in found.items() for p in ps]
    others = other_zuul_procs(ctx)
    if any(others.values()):
        data["other_configs"] = {n: [dict(p.as_dict(), config=c) for p, c in ps] for n, ps in others.items() if ps}
        details += [f"not counted, runs {c}: {n} pid {p.pid}" for n, ps in others.items() for p, c in ps]
    if gen is None:
        return CheckResult.skip("no Zuul process running and no zuul.conf: not a Zuul host?", fix=_no_conf_hint(ctx),
                                data=data)
    if gen == 2:
        servers = 2 if conf is not None and conf.gearman_server_start else 1
        expected = {"zuul-server": servers, "zuul-merger": 1}
    else:
        expected = {"zuul-scheduler": 1, "zuul-executor": 1, "zuul-web": 1}
    data["expected"] = expected
    problems = []
    for name, want in expected.items():
        have = len(found[name])
        exact = gen == 2
        if (exact and have != want) or (not exact and have < want):
            problems.append((name, have, want))
    if not problems:
        return CheckResult.ok(
            f"{gen_label(gen)}: " + ", ".join(f"{len(found[n])} {n}" for n in expected), details=details, data=data)
    least = "" if gen == 2 else "at least "
    lines = [f"{have} {name} running, expected {least}{want}" for name, have, want in problems]
    fix = []
    for name, have, want in problems:
        service = "zuul" if name == "zuul-server" else name
        if have < want:
            if name == "zuul-server" and have == 1 and want == 2:
                fix.append("zuul-server's Gearman child ([gearman_server] start=true) is gone: restart zuul "
                           "(sudo service zuul restart).")
            elif gen == 2:
                fix.append(f"{name} is not running: remove stale pid files (see zuul.pidfiles), then "
                           f"`sudo service {service} start`; read its log if it dies again.")
            else:
                fix.append(f"{name} is not running: " + v3_start_advice(name))
        else:
            extra = ", ".join(str(p.pid) for p in found[name])
            fix.append(f"too many {name} processes with {zuul_conf_path(ctx)} ({extra}): stop the service, "
                       "kill the strays, start it once.")
    return CheckResult.fail("; ".join(lines), details=details, data=data, fix="\n".join(fix))


# -- pid files ---------------------------------------------------------------
def pidfile_candidates(ctx: Any, conf: ZuulConf | None) -> list[Path]:
    run = Path(ctx.run_dir)
    out: list[Path] = []
    for d in ("zuul", "zuul-merger"):
        try:
            out.extend(sorted((run / d).glob("*.pid")))
        except OSError:
            pass
    if conf is not None:
        out.extend(Path(p) for p in conf.pidfiles)
    return list(dict.fromkeys(out))


def check_pidfiles(ctx: Any) -> CheckResult:
    conf = zuul_conf_or_none(ctx)
    files = [p for p in pidfile_candidates(ctx, conf) if p.is_file()]
    entries: list[dict[str, Any]] = []
    stale: list[tuple[Path, int]] = []
    reused: list[tuple[Path, int, str]] = []
    garbled: list[Path] = []
    for f in files:
        pid = proclib.read_pidfile(f)
        if pid is None:
            garbled.append(f)
            entries.append({"path": str(f), "pid": None, "state": "unreadable"})
            continue
        if not proclib.pid_alive(pid, ctx.proc_root):
            stale.append((f, pid))
            entries.append({"path": str(f), "pid": pid, "state": "dead"})
            continue
        cmd = proclib.describe(pid, ctx.proc_root)
        if cmd and "zuul" not in cmd:
            reused.append((f, pid, cmd))
            entries.append({"path": str(f), "pid": pid, "state": "other", "cmdline": cmd})
        else:
            entries.append({"path": str(f), "pid": pid, "state": "alive", "cmdline": cmd})
    data = {"run_dir": str(ctx.run_dir), "pidfiles": entries}
    details = [f"{e['path']}: pid {e['pid']} {e['state']}" for e in entries]
    if stale:
        rm = " ".join(str(f) for f, _ in stale)
        return CheckResult.fail(
            "stale pid file" + ("s" if len(stale) > 1 else "") + ": "
            + ", ".join(f"{f} names dead pid {pid}" for f, pid in stale),
            details=details, data=data,
            fix=f"A pid file naming a dead process keeps the service from starting: sudo rm -f {rm}; then "
            + ("sudo service zuul start; sudo service zuul-merger start" if generation(ctx)[0] in (2, None)
               else "start the daemons again (sudo systemctl start zuul-scheduler zuul-executor zuul-web)"),
        )
    if reused or garbled:
        what = [f"{f} names pid {pid}, which is now `{cmd[:60]}`" for f, pid, cmd in reused]
        what += [f"{f} holds no pid" for f in garbled]
        rm = " ".join(str(x[0]) if isinstance(x, tuple) else str(x) for x in reused + garbled)
        return CheckResult.warn("; ".join(what), details=details, data=data,
                                fix=f"The pid was reused or the file is empty: sudo rm -f {rm}; "
                                "then restart the service.")
    if not files:
        return CheckResult.ok(f"no Zuul pid files under {ctx.run_dir}", data=data)
    return CheckResult.ok(f"{len(files)} pid file(s), each naming a live process", details=details, data=data)


# -- log ---------------------------------------------------------------------
def check_log(ctx: Any) -> CheckResult:
    conf = zuul_conf_or_none(ctx)
    if conf is None:
        return CheckResult.skip("no zuul.conf, so no log config", fix=_no_conf_hint(ctx))
    if not conf.log_config:
        return CheckResult.skip(f"{conf.path} names no log_config",
                                fix=f"Set [{'zuul' if conf.generation == 2 else 'scheduler'}] "
                                "log_config=/etc/zuul/logging.conf to get a log file to read.")
    logs = [p for p in log_files(conf.log_config) if p.is_file()]
    if not logs:
        return CheckResult.skip(f"no readable log file named by {conf.log_config}",
                                fix="Run as a user that can read /var/log/zuul, or check the handler's args.")
    errors: list[str] = []
    unreadable = []
    for log in logs:
        try:
            errors += [f"{log.name}: {ln}" for ln in recent_errors(log)]
        except OSError as exc:
            unreadable.append(f"{log}: {exc.strerror}")
    data = {"log_files": [str(p) for p in logs], "errors": errors}
    if errors:
        return CheckResult.warn(f"{len(errors)} recent ERROR line(s) in the Zuul log", details=errors[-5:] + unreadable,
                                data=data, fix="Read the lines above: they usually name the failing connection "
                                "(Gerrit, Gearman) or the bad layout entry.")
    if unreadable and len(unreadable) == len(logs):
        return CheckResult.skip("cannot read the Zuul log", details=unreadable, data=data,
                                fix="Run as a user that can read /var/log/zuul.")
    return CheckResult.ok(f"no recent ERROR lines in {', '.join(p.name for p in logs)}", data=data)


def checks() -> list[Check]:
    return [
        Check("zuul.conf", "zuul.conf readable", check_conf),
        Check("zuul.processes", "Zuul processes", check_processes),
        Check("zuul.pidfiles", "Zuul pid files name live processes", check_pidfiles),
        Check("zuul.log", "recent errors in the Zuul log", check_log),
    ]
