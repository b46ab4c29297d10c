"""`smoke-test sandbox`: push a patch (or comment ``recheck``) and wait for the CI account's vote.

The flow: connect as the CI account (verifies the host key once), open ``gerrit stream-events`` as the CI account
*before* pushing, clone/update the project as the operator, commit one file, push with the real ``git review``, then
wait for the CI's comment on that patch set.  The stream is read by a thread (an event is seen as soon as it arrives);
when it is refused (no Stream Events capability) or drops, the waiter polls ``gerrit query`` (or REST) with capped
exponential backoff and tries to reopen the stream, polling once after each reopen to catch what the gap missed.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.clients.gerrit import (
    EventStream,
    GerritRest,
    StreamClosed,
    matches_comment,
    ssh_query,
    ssh_review,
)
from vendorci.clients.gerrit_parse import pick_vote
from vendorci.clients.ssh import SshSession, SshTarget
from vendorci.core.smoke_cleanup import cleanup, recover, reports_on
from vendorci.core.verdict import VerdictOptions, judge
from vendorci.errors import (
    EXIT_INTERRUPTED,
    ConnectionFailed,
    InputError,
    OperationFailed,
    UsageError,
    VendorciError,
    WaitTimeout,
)
from vendorci.fsutil import write_atomic

Progress = Callable[[str], None]


@dataclass
class GerritAccess:
    """Where Gerrit is and who talks to it: the operator pushes, the CI account's vote is awaited."""

    host: str
    port: int
    operator: str
    operator_key: Path | None
    ci_user: str
    ci_key: Path | None
    known_hosts: Path
    accept_new: bool = False
    rest: GerritRest | None = None
    timeout: float = 10.0

    def target(self, ci: bool = True) -> SshTarget:
        user, key = (self.ci_user, self.ci_key) if ci else (self.operator, self.operator_key or default_key())
        return SshTarget(self.host, self.port, user, key, self.known_hosts, self.accept_new, self.timeout)


def default_key() -> Path | None:
    for name in ("id_ed25519", "id_ecdsa", "id_rsa"):
        p = Path.home() / ".ssh" / name
        if p.is_file():
            return p
    return None


def parse_gerrit_url(url: str) -> tuple[str | None, str, int | None]:
    """``ssh://USER@HOST:PORT`` (user and port optional) -> (user, host, port)."""
    m = re.fullmatch(r"(?:ssh://)?(?:([^@/:]+)@)?(\[[^\]]+\]|[^:/@]+)(?::(\d+))?/?", url.strip())
    if not m:
        raise UsageError(f"--gerrit {url!r}: expected ssh://USER@HOST:PORT", code="bad_gerrit_url")
    return m.group(1), m.group(2).strip("[]"), int(m.group(3)) if m.group(3) else None


def parse_change_ref(text: str) -> tuple[int, int | None]:
    """``12345``, ``12345,2`` or a change URL -> (number, patch set or None)."""
    s = str(text).strip().rstrip("/")
    m = re.fullmatch(r"(\d+)(?:,(\d+))?", s) or re.search(r"/(?:\+/)?(\d+)(?:/(\d+))?$", s)
    if not m:
        raise UsageError(f"--recheck {text!r}: expected a change number, NUMBER,PATCHSET or a change URL",
                         code="bad_change")
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None


@dataclass
class Found:
    message: str
    vote: int | None
    vote_source: str
    via: str  # stream | poll
    at: float  # time.monotonic() when noticed


@dataclass
class Waiter:
    """Waits for the CI account's comment on one patch set: stream first, polling as fallback."""

    access: GerritAccess
    progress: Progress = lambda text: None
    stream: EventStream | None = None
    refused: bool = False
    stream_opens: int = 0
    polls: int = 0
    notes: list[str] = field(default_factory=list)
    pushed_at: float = 0.0
    change_id: str | None = None  # of the commit being pushed: finds the change when the push is interrupted
    _session: SshSession | None = None

    def pushing(self, change_id: str | None) -> None:
        self.pushed_at, self.change_id = time.monotonic(), change_id

    def open_stream(self) -> bool:
        if self.refused:
            return False
        try:
            self.stream = EventStream(self.access.target()).open()
            self.stream_opens += 1
            return True
        except (ConnectionFailed, WaitTimeout) as exc:
            self.notes.append(f"stream not available: {exc.message}")
            self.stream = None
            return False

    def close(self) -> None:
        if self.stream:
            self.stream.close()
            self.stream = None
        if self._session:
            self._session.close()
            self._session = None

    def query(self, q: str) -> list[dict]:
        if self.access.rest is not None:
            return self.access.rest.query(q)
        for attempt in (1, 2):
            if self._session is None:
                self._session = SshSession(self.access.target())
                self._session.connect()
            try:
                return ssh_query(self._session, q)
            except ConnectionFailed:
                self._session.close()
                self._session = None
                if attempt == 2:
                    raise
        return []

    def ci_comments(self, change: int) -> list[dict]:
        rows = self.query(f"change:{change}")
        if not rows:
            raise InputError(f"change {change} not found (or not visible to {self.access.ci_user})",
                             code="change_not_found")
        c = rows[0]
        return [dict(m, approvals=[a for a in c["approvals"] if a["username"] == self.access.ci_user
                                   and a["patchset"] == m["patchset"]])
                for m in c["messages"] if m["username"] == self.access.ci_user]

    def _poll(self, change: int, patchset: int, baseline: set) -> Found | None:
        self.polls += 1
        for m in self.ci_comments(change):
            if m["patchset"] == patchset and (m["ts"], m["message"]) not in baseline:
                vote, source = pick_vote(m["message"], m["approvals"], self.access.ci_user)
                return Found(m["message"], vote, source, "poll", time.monotonic())
        return None

    def wait(self, change: int, patchset: int, deadline: float, baseline: set, started: float) -> Found | None:
        """The first new CI comment on change,patchset, or None at ``deadline`` (time.monotonic())."""
        backoff, next_poll = 1.0, 0.0 if self.stream is None else float("inf")
        stream_backoff, next_stream = 1.0, time.monotonic() + 1.0
        state = "stream" if self.stream else "polling"
        while True:
            now = time.monotonic()
            if now >= deadline:
                return None
            self.progress(f"patch {change},{patchset} uploaded; waiting for {self.access.ci_user}'s comment "
                          f"({int(now - started)}s, {state})")
            if self.stream is not None:
                try:
                    ev = self.stream.get(min(0.5, deadline - now))
                except StreamClosed as exc:
                    self.stream.close()
                    self.stream = None
                    self.refused = self.refused or exc.refused
                    self.notes.append(exc.message)
                    state = "polling (stream refused)" if exc.refused else "polling (stream dropped, reconnecting)"
                    next_poll, next_stream = time.monotonic(), time.monotonic() + stream_backoff
                    continue
                if ev is not None and matches_comment(ev, change, patchset, self.access.ci_user):
                    vote, source = pick_vote(ev.get("comment") or "", ev.get("approvals"), self.access.ci_user)
                    return Found(ev.get("comment") or "", vote, source, "stream", time.monotonic())
                continue
            if not self.refused and now >= next_stream:
                if self.open_stream():
                    state, next_poll = "stream", now  # poll once: events during the gap were not streamed
                else:
                    stream_backoff = min(stream_backoff * 2, 30.0)
                    next_stream = now + stream_backoff
            if now >= next_poll:
                try:
                    found = self._poll(change, patchset, baseline)
                except (ConnectionFailed, WaitTimeout) as exc:
                    self.notes.append(f"poll failed: {exc.message}")
                    found = None
                if found:
                    return found
                next_poll = float("inf") if self.stream else time.monotonic() + backoff
                backoff = min(backoff * 2, 30.0)
            if self.stream is None:
                time.sleep(max(0.0, min(0.2, next_poll - time.monotonic(), deadline - time.monotonic())))


@dataclass
class SmokeOptions:
    access: GerritAccess
    project: str = "opendev/ci-sandbox"
    branch: str = "master"
    timeout: float = 3600.0
    abandon: bool = False
    recheck: str | None = None
    recheck_comment: str = "recheck"
    workdir: Path | None = None
    vendor: str | None = None
    topic: str = "vendorci-smoke"
    verdict: VerdictOptions = field(default_factory=VerdictOptions)
    on_change: Callable[[int, int, str], None] = lambda change, patchset, url: None

    def __post_init__(self) -> None:  # a project name becomes a path under the cache: refuse early (exit 2)
        from vendorci.fsutil import contained

        contained(self.workdir or Path("cache"), self.project)


def _push_patch(o: SmokeOptions, progress: Progress, pushing: Callable[[str | None], None]) -> tuple[int, str, str]:
    """Clone or update the project, commit one file, ``git review``; returns (change, url, git-review output)."""
    from vendorci.clients.git import Git, classify, git_review_program, parse_review_output, ssh_command
    from vendorci.fsutil import contained, make_dirs
    from vendorci.paths import user_cache_dir

    a = o.access
    workdir = o.workdir or user_cache_dir() / "sandbox"
    clone = contained(workdir, f"{a.host}_{a.port}/{o.project}")  # --project cannot leave the cache
    url = f"ssh://{a.operator}@{a.host}:{a.port}/{o.project}"
    git = Git(ssh_command(a.known_hosts, a.operator_key, a.accept_new), cwd=clone)
    if (clone / ".git").is_dir():
        progress(f"updating {clone}")
        git.run("remote", "set-url", "origin", url, what="git remote set-url")
        git.run("fetch", "--prune", "origin", what="git fetch")
    else:
        progress(f"cloning {url}")
        make_dirs(clone.parent)
        Git(git.ssh, cwd=clone.parent).run("clone", "--no-tags", "--branch", o.branch, url, str(clone),
                                           what="git clone", timeout=300)
    git.run("config", "gitreview.username", a.operator)
    if not git.run("config", "user.email", check=False).stdout.strip():
        git.run("config", "user.email", f"{a.operator}@vendorci.invalid")
        git.run("config", "user.name", f"{a.operator} (vendorci)")
    if not (clone / ".gitreview").is_file():
        raise OperationFailed(f"{o.project} has no .gitreview on {o.branch}", code="no_gitreview",
                              hint="git-review needs the project's .gitreview to know where Gerrit is.")
    git.run("checkout", "-q", "-B", "vendorci-smoke", f"origin/{o.branch}", what="git checkout")
    review = git_review_program()
    git.run("-s", what="git review -s", program=review)  # remote + commit-msg hook before committing
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    vendor = o.vendor or a.ci_user
    write_atomic(clone / "vendorci-smoke.txt", f"vendorci smoke test for {vendor} at {stamp}\n")
    git.run("add", "vendorci-smoke.txt")
    git.run("commit", "-q", "-m", f"vendorci smoke test for {vendor} at {stamp}\n\nA patch pushed by `vendorci "
            f"smoke-test sandbox` to check that the {vendor} CI ({a.ci_user}) comments and votes. Do not merge.",
            what="git commit")
    progress(f"pushing to refs/for/{o.branch} with git review")
    m = re.search(r"^Change-Id: (I[0-9a-f]{40})\s*$", git.run("log", "-1", "--format=%B").stdout, re.M)
    pushing(m.group(1) if m else None)
    out = git.run("-y", "-t", o.topic, o.branch, what="git review", program=review, timeout=300, check=False)
    text = out.stdout + out.stderr
    err = classify(text, "git review") if out.returncode != 0 else None
    registered = getattr(err, "data", {}).get("registered") if getattr(err, "code", "") == "invalid_committer" else None
    if registered:  # Gerrit listed the account's addresses: commit with the first one, once
        progress(f"Gerrit refused the committer e-mail; committing again as {registered[0]}")
        ident = {"GIT_COMMITTER_EMAIL": registered[0], "GIT_AUTHOR_EMAIL": registered[0]}
        fixed = Git(git.ssh, cwd=clone, extra_env=ident)
        fixed.run("commit", "-q", "--amend", "--no-edit", "--reset-author", what="git commit --amend")
        out = fixed.run("-y", "-t", o.topic, o.branch, what="git review", program=review, timeout=300, check=False)
        text = out.stdout + out.stderr
        err = classify(text, "git review") if out.returncode != 0 else None
    if err is not None:
        raise err
    parsed = parse_review_output(text)
    if parsed is None:
        raise OperationFailed("git review succeeded but printed no change URL", code="no_change_url",
                              data={"output": text[-2000:]})
    return parsed[0], parsed[1], text


@dataclass(frozen=True)
class SmokeOutcome:
    """What the smoke test saw: ``data`` for the JSON envelope, and ``problems`` when it is not a success (a
    :class:`WaitTimeout` when the CI did not comment in time, ``interrupted`` on Ctrl-C/SIGTERM)."""

    data: dict[str, Any]
    problems: tuple[VendorciError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem(self) -> VendorciError | None:
        return self.problems[0] if self.problems else None

    def as_dict(self) -> dict[str, Any]:
        return dict(self.data)


def run_smoke(o: SmokeOptions, progress: Progress = lambda text: None) -> SmokeOutcome:
    a = o.access
    if not a.ci_user:
        raise UsageError("no CI account to wait for", code="no_ci_user",
                         hint="Pass --ci-user or set gerrit.user (UPSTREAM_GERRIT_USER) in the config.")
    if a.ci_key is None:
        raise UsageError("no SSH key for the CI account", code="no_ci_key",
                         hint="Pass --ci-key or set gerrit.ssh_key (the data repo's gerrit_key).")
    if not o.recheck_comment.strip() or "\n" in o.recheck_comment:
        raise UsageError("--recheck-comment must be one non-empty line", code="bad_recheck_comment")
    waiter = Waiter(a, progress)
    data: dict[str, Any] = {"change": None, "patchset": None, "url": None, "ci_user": a.ci_user, "vote": None,
                            "result": None, "comment": None, "jobs": [], "policy": [], "elapsed_s": None, "via": None,
                            "recheck": bool(o.recheck), "abandoned": False, "notes": waiter.notes}
    created = False
    try:
        progress(f"connecting to {a.host}:{a.port} as {a.ci_user}")
        waiter.open_stream()  # also verifies the host key, before git touches the host
        if not waiter.stream_opens:
            with SshSession(a.target()):  # connection/auth errors surface here, clearly
                pass
        started = time.monotonic()
        if o.recheck:
            change, patchset = parse_change_ref(o.recheck)
            rows = waiter.query(f"change:{change}")
            if not rows:
                raise InputError(f"change {change} not found", code="change_not_found")
            patchset = patchset or rows[0]["patchset"]
            data.update(change=change, patchset=patchset, url=rows[0]["url"])
            o.on_change(change, patchset, rows[0]["url"])
            baseline = {(m["ts"], m["message"]) for m in waiter.ci_comments(change)}
            progress(f"commenting {o.recheck_comment!r} on {change},{patchset} as {a.operator}")
            started = time.monotonic()
            with SshSession(a.target(ci=False)) as op:
                ssh_review(op, change, patchset, message=o.recheck_comment)
        else:
            change, url, _ = _push_patch(o, progress, waiter.pushing)
            created = True
            data.update(change=change, patchset=1, url=url)
            rows = waiter.query(f"change:{change}")
            patchset = rows[0]["patchset"] if rows else 1
            data["patchset"] = patchset
            o.on_change(change, patchset, url)
            baseline = set()
            started = waiter.pushed_at or started
        found = waiter.wait(change, patchset, started + o.timeout, baseline, started)
        data.update(elapsed_s=round(time.monotonic() - started, 3), via=found.via if found else None)
        if found is None:
            cleanup(o.access, o.abandon, data, created, progress)
            return SmokeOutcome(data, (WaitTimeout(
                f"no comment from {a.ci_user} on {change},{patchset} within {o.timeout:g}s", code="timeout",
                hint="Is the CI's Zuul connected to Gerrit and is the project in its layout? "
                "Run `vendorci doctor gerrit zuul`."),))
        reports = reports_on(waiter, change, patchset, ["recheck", o.recheck_comment])
        if o.verdict.check_logs:
            progress("checking the log links")
        v = judge(a.ci_user, found.message, found.vote, o.verdict, reports_on_patchset=reports)
        data.update(v.data, vote_source=found.vote_source, comment=found.message)
        cleanup(o.access, o.abandon, data, created, progress)
        return SmokeOutcome(data, tuple(v.problems))
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM turned into it by the CLI
        created = created or recover(waiter, o.project, o.recheck, data)
        cleanup(o.access, o.abandon, data, created, progress)
        return SmokeOutcome(data, (VendorciError(
            "interrupted" + (f" while waiting on change {data['change']}" if data["change"] else ""),
            code="interrupted", exit_code=EXIT_INTERRUPTED),))
    except VendorciError as err:
        created = created or recover(waiter, o.project, o.recheck, data)
        cleanup(o.access, o.abandon, data, created, progress)
        if data["change"] is not None:
            err.data = {**data, **err.data}
        raise
    finally:
        waiter.close()


def access_from_config(cfg: Any, *, gerrit: str | None = None, ssh_key: Path | None = None,
                       ci_user: str | None = None, ci_key: Path | None = None, accept_new: bool = False,
                       need_operator: bool = True) -> GerritAccess:
    """Both identities from flags, then the configuration (data repo), then ``git config gitreview.username``."""
    from vendorci.clients.git import config_get
    from vendorci.paths import default_known_hosts

    user, host, port = parse_gerrit_url(gerrit) if gerrit else (None, None, None)
    if not user and need_operator:
        user = config_get("gitreview.username")
        if not user:
            raise UsageError("no operator Gerrit account to push as", code="no_operator",
                             hint="Pass --gerrit ssh://USER@HOST:PORT or run `git config --global gitreview.username "
                             "USER`.")
    rest = None
    if cfg["gerrit.http_url"]:
        if not cfg["gerrit.http_user"] or not cfg.secret("gerrit.http_password"):
            raise UsageError("--gerrit-http needs credentials", code="gerrit_http_no_credentials",
                             hint="Set VENDORCI_GERRIT_HTTP_USER and VENDORCI_GERRIT_HTTP_PASSWORD in the environment.")
        rest = GerritRest(cfg["gerrit.http_url"], cfg["gerrit.http_user"], cfg.secret("gerrit.http_password"))
    key = ci_key or (Path(cfg["gerrit.ssh_key"]) if cfg["gerrit.ssh_key"] else None)
    return GerritAccess(host=host or cfg["gerrit.host"], port=port or int(cfg["gerrit.port"]), operator=user or "",
                        operator_key=ssh_key, ci_user=ci_user or cfg["gerrit.user"] or "", ci_key=key,
                        known_hosts=Path(cfg["known_hosts"]) if cfg["known_hosts"] else default_known_hosts(),
                        accept_new=accept_new, rest=rest)
