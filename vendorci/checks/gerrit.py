"""Doctor checks for the link to the upstream Gerrit, as the CI's service account sees it.

``gerrit.known-hosts``: Gerrit's host key is in the known_hosts file Zuul uses (config ``known_hosts``);
``gerrit.ssh``: the CI account authenticates with its key (``gerrit version``); ``gerrit.stream-events``: the account
may open the event stream (Zuul v2 listens on it); ``gerrit.activity``: when the CI last commented.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from vendorci.checks.runner import Check
from vendorci.errors import HostKeyUnknown, VendorciError
from vendorci.results import CheckResult

STREAM_FIX = ("Grant the 'Stream Events' global capability to {user}: ask the Gerrit admins (upstream: the infra "
              "team) to add the account to the group that has it (third-party CI accounts normally are).")


def _where(ctx: Any) -> tuple[str, int, Path]:
    from vendorci.paths import default_known_hosts

    cfg = ctx.config
    kh = Path(cfg["known_hosts"]) if cfg["known_hosts"] else default_known_hosts()
    return cfg["gerrit.host"], int(cfg["gerrit.port"]), kh


def _access(ctx: Any) -> Any:
    from vendorci.core.smoke import GerritAccess

    host, port, kh = _where(ctx)
    cfg = ctx.config
    return GerritAccess(host, port, "", None, cfg["gerrit.user"], Path(cfg["gerrit.ssh_key"]), kh,
                        timeout=max(1.0, ctx.timeout - 0.5))


def _missing(ctx: Any) -> CheckResult | None:
    cfg = ctx.config
    missing = [k for k in ("gerrit.user", "gerrit.ssh_key") if not cfg[k]]
    if missing:
        return CheckResult.skip(f"{' and '.join(missing)} not configured",
                                fix="Set gerrit.user (the CI service account) and gerrit.ssh_key (its private key) "
                                "in vendorci.yaml, or VENDORCI_GERRIT_USER / VENDORCI_GERRIT_SSH_KEY.")
    return None


def check_known_hosts(ctx: Any) -> CheckResult:
    from vendorci.clients.gerrit import fetch_host_key
    from vendorci.clients.ssh import _fp, check_host_key, host_key_name

    host, port, kh = _where(ctx)
    try:
        key = fetch_host_key(host, port, timeout=max(1.0, ctx.timeout - 0.5))
    except VendorciError as exc:
        return CheckResult.fail(exc.message, fix=exc.hint)
    data = {"host": host_key_name(host, port), "known_hosts": str(kh), "fingerprint": _fp(key)}
    try:
        check_host_key(kh, host, port, key, accept_new=False)
    except HostKeyUnknown:
        return CheckResult.fail(f"{host_key_name(host, port)} is not in {kh}", data=data,
                                details=[f"server key: {key.get_name()} {_fp(key)}"],
                                fix=f"Verify the fingerprint out of band, then: ssh-keyscan -p {port} {host} >> {kh} "
                                "(Zuul refuses to connect otherwise).")
    except VendorciError as exc:  # a changed key (HostKeyMismatch) or an unreadable known_hosts
        return CheckResult.fail(exc.message, data=data, fix=exc.hint)
    return CheckResult.ok(f"{host_key_name(host, port)} {key.get_name()} key is in {kh}", data=data)


def check_ssh(ctx: Any) -> CheckResult:
    from vendorci.clients.gerrit import gerrit_version
    from vendorci.clients.ssh import SshSession

    skip = _missing(ctx)
    if skip:
        return skip
    a = _access(ctx)
    try:
        with SshSession(a.target()) as s:
            version = gerrit_version(s, timeout=a.timeout)
    except VendorciError as exc:
        return CheckResult.fail(exc.message, fix=exc.hint or f"Upload {a.ci_key}.pub to {a.ci_user}'s SSH keys.")
    return CheckResult.ok(f"{a.ci_user}@{a.host}:{a.port} authenticates; Gerrit {version}",
                          data={"version": version, "user": a.ci_user})


def check_stream(ctx: Any) -> CheckResult:
    from vendorci.clients.gerrit import EventStream, StreamClosed

    skip = _missing(ctx)
    if skip:
        return skip
    a = _access(ctx)
    try:
        with EventStream(a.target()) as stream:
            ev = stream.get(min(1.0, ctx.timeout / 2))
    except StreamClosed as exc:
        if exc.refused:
            return CheckResult.fail(f"{a.ci_user} may not stream events: {exc.message}",
                                    fix=STREAM_FIX.format(user=a.ci_user))
        return CheckResult.warn(exc.message, fix="The stream closed at once; check Gerrit's sshd log.")
    except VendorciError as exc:
        return CheckResult.fail(exc.message, fix=exc.hint)
    return CheckResult.ok(f"{a.ci_user} can open the event stream" + (f" (got a {ev.get('type')} event)" if ev else ""))


def check_activity(ctx: Any) -> CheckResult:
    from vendorci.core.votes import fetch_votes, gerrit_query_fn
    from vendorci.durations import format_age

    skip = _missing(ctx)
    if skip:
        return skip
    a = _access(ctx)
    stale_after = float(ctx.options.get("stale_after", 86400))
    since = max(7 * 86400.0, stale_after)
    query, close = gerrit_query_fn(a)
    try:
        report = fetch_votes(query, a.ci_user, limit=50, since_s=since, stale_after_s=stale_after)
    except VendorciError as exc:
        return CheckResult.fail(exc.message, fix=exc.hint)
    finally:
        close()
    s = report.summary
    if s["last_seen"] is None:
        return CheckResult.warn(f"{a.ci_user} has not commented in the last {format_age(since)}", data=s,
                                fix="Check that Zuul is running and connected (vendorci doctor zuul), then push a "
                                "test patch: vendorci smoke-test sandbox.")
    last = report.comments[0]
    vote = (f"no vote, {last['result'] or 'no result'}" if last["vote"] is None  # a comment-only CI
            else f"Verified{last['vote']:+d}")
    rate = "" if s["success_rate"] is None else f", success rate {s['success_rate'] * 100:.0f}%"
    summary = f"last comment {format_age(s['last_seen_age_s'])} ago on {last['url']} ({vote}){rate}"
    details = [f"{j['name']} failed {j['failures']}/{j['runs']}" for j in s["failing_jobs"][:3]]
    if s["stale"]:
        return CheckResult.warn(summary, details=details, data=s,
                                fix=f"Nothing for more than {format_age(stale_after)}: is Zuul still listening?")
    return CheckResult.ok(summary, details=details, data=s)


def checks() -> list[Check]:
    return [
        Check("gerrit.known-hosts", "Gerrit host key in Zuul's known_hosts", check_known_hosts),
        Check("gerrit.ssh", "CI account authenticates over SSH", check_ssh, requires=("gerrit.known-hosts",)),
        Check("gerrit.stream-events", "CI account may stream events", check_stream, requires=("gerrit.ssh",)),
        Check("gerrit.activity", "CI account comments recently", check_activity, requires=("gerrit.ssh",)),
    ]
