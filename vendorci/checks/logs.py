"""Doctor checks of the CI's public logs: every report links to them (OpenDev's rules), so they must be reachable.

``logs.url``: the log URL root answers over HTTP (config ``logs.url``, else the data repo's ``LOG_URL_ROOT``).
``logs.publish``: the publish host accepts SSH from the publisher's key (host key verified), the target directory is
writable (a probe file is written and removed) and its disk has room (warning under 10 % free).  Settings: config
``logs.publish_host`` (else ``PUBLISH_HOST``), ``logs.publish_user``, ``logs.publish_key``, ``logs.publish_path``,
``logs.publish_port``.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from vendorci.checks.runner import Check
from vendorci.results import CheckResult

MIN_FREE_PCT = 10.0


def _repo_var(ctx: Any, name: str) -> str | None:
    if ctx.data_repo is None:
        return None
    from vendorci.core.datarepo import parse_vars
    from vendorci.errors import VendorciError

    try:
        vf = ctx.memo("logs.vars", lambda: parse_vars(Path(ctx.data_repo) / "vars.sh"))
    except VendorciError:
        return None
    return vf.get(name) or None


def _setting(ctx: Any, key: str, var: str | None = None) -> tuple[str | None, str | None]:
    """(value, where it came from) from the config, else the data repo's vars.sh."""
    v = ctx.config[key]
    if v:
        return str(v), f"config {key}"
    if var:
        v = _repo_var(ctx, var)
        if v:
            return v, f"vars.sh {var}"
    return None, None


def check_url(ctx: Any) -> CheckResult:
    from vendorci.core.logcheck import fetch_status

    url, where = _setting(ctx, "logs.url", "LOG_URL_ROOT")
    if not url:
        return CheckResult.skip("no log URL root configured",
                                fix="Set logs.url in vendorci.yaml (or LOG_URL_ROOT in the data repo's vars.sh): the "
                                "public URL the CI's reports link logs under.")
    st = fetch_status(url, timeout=max(1.0, ctx.timeout - 0.5))
    data = {"url": url, "source": where, "status": st.status, "error": st.error, "final_url": st.final_url}
    if st.ok:
        return CheckResult.ok(f"{url} answers HTTP {st.status}", data=data)
    return CheckResult.fail(f"{url} ({where}): {st.text}", data=data,
                            fix="Reports must link to public logs: check the log server (web server running, "
                            "directory published) and that the URL is reachable from outside.")


_DF = re.compile(r"^\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)%", re.M)


def check_publish(ctx: Any) -> CheckResult:
    from vendorci.clients.ssh import SshSession, SshTarget
    from vendorci.errors import VendorciError
    from vendorci.paths import default_known_hosts

    cfg = ctx.config
    host, where = _setting(ctx, "logs.publish_host", "PUBLISH_HOST")
    user, key, path = cfg["logs.publish_user"], cfg["logs.publish_key"], cfg["logs.publish_path"]
    missing = [name for name, v in (("logs.publish_host (or PUBLISH_HOST)", host), ("logs.publish_user", user),
                                    ("logs.publish_key", key), ("logs.publish_path", path)) if not v]
    if missing:
        return CheckResult.skip(f"{', '.join(missing)} not configured",
                                fix="Set logs.publish_host, logs.publish_user, logs.publish_key (the publisher's "
                                "private key) and logs.publish_path (the directory logs are copied to) in "
                                "vendorci.yaml.")
    assert host is not None  # for mypy: checked above
    port = int(cfg["logs.publish_port"] or 22)
    kh = Path(cfg["known_hosts"]) if cfg["known_hosts"] else default_known_hosts()
    target = SshTarget(host, port, str(user), Path(str(key)), kh, False, max(1.0, ctx.timeout - 0.5))
    data: dict[str, Any] = {"host": host, "port": port, "user": user, "path": path, "source": where}
    q = shlex.quote(str(path))
    probe = (f"cd {q} || exit 3; f=.vendorci-probe.$$; (echo vendorci > \"$f\") 2>/dev/null || exit 4; "
             f"rm -f \"$f\" || exit 5; df -Pk . | tail -n 1")
    try:
        with SshSession(target) as s:
            rc, out, err = s.run(probe, timeout=target.timeout)
    except VendorciError as exc:
        return CheckResult.fail(f"{user}@{host}:{port}: {exc.message}", data=data, fix=exc.hint)
    what = {3: f"{path} is not a directory on {host}", 4: f"{path} on {host} is not writable by {user}",
            5: f"cannot remove the probe file in {path} on {host}"}
    if rc != 0:
        detail = err.strip().splitlines()[:3]
        return CheckResult.fail(what.get(rc, f"probe failed on {host} (exit status {rc})"), details=detail, data=data,
                                fix=f"Create {path} on {host}, owned by {user} (the log publisher's account).")
    m = _DF.search(out)
    if not m:
        return CheckResult.warn(f"{path} on {host} is writable; disk space unknown", data=data)
    total, avail = int(m.group(2)) + int(m.group(3)), int(m.group(3))
    free_pct = round(100.0 * avail / total, 1) if total else 0.0
    data.update(free_pct=free_pct, free_kib=avail)
    threshold = float(ctx.options.get("publish_min_free_pct", MIN_FREE_PCT))
    summary = f"{user}@{host}:{path} is writable, {free_pct:g}% free ({avail // 1024} MiB)"
    if free_pct < threshold:
        return CheckResult.warn(summary, data=data,
                                fix=f"Less than {threshold:g}% free: expire old logs (e.g. a cron job deleting "
                                "directories older than 30 days) before the disk fills and publishing fails.")
    return CheckResult.ok(summary, data=data)


def checks() -> list[Check]:
    return [
        Check("logs.url", "The log URL root answers over HTTP", check_url),
        Check("logs.publish", "The publish host accepts the publisher and has room", check_publish),
    ]
