"""`votes`: the CI account's recent comments, their votes and jobs, and how healthy that looks.

What operators wrote lastcomment.py and ci-status.py for: when did my CI last comment, on which change, with what
result, what is its success rate and which jobs fail most.  One query (SSH ``gerrit query --comments
--all-approvals`` or REST ``/a/changes/?o=MESSAGES...``) for changes the account reviewed recently, then its comments.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from vendorci.clients.gerrit_parse import parse_jobs, pick_vote, summary_line
from vendorci.durations import format_age

QueryFn = Callable[[str, int], list[dict]]


@dataclass(frozen=True)
class VoteReport:
    """The CI account's recent comments (newest first) and their summary; ``query`` as sent to Gerrit."""

    ci_user: str
    comments: tuple[dict[str, Any], ...]
    summary: dict[str, Any]
    query: str | None = None
    project: str | None = None
    since_s: float | None = None

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ci_user": self.ci_user, "comments": list(self.comments), "summary": self.summary}
        if self.query is not None:
            out.update(query=self.query, project=self.project, since_s=self.since_s)
        return out


def build_query(ci_user: str, project: str | None, since_s: float, limit: int) -> str:
    unit, size = next((u, n) for u, n in (("d", 86400), ("h", 3600), ("m", 60), ("s", 1)) if since_s % n == 0)
    age = f"{int(since_s // size)}{unit}"
    return " ".join([f"reviewer:{ci_user}"] + ([f"project:{project}"] if project else []) + [f"-age:{age}",
                                                                                              f"limit:{limit}"])


def collect(changes: list[dict], ci_user: str, *, since_s: float, limit: int, stale_after_s: float,
            now: float | None = None) -> VoteReport:
    """Comments by ``ci_user`` (newest first, at most ``limit``) and a summary, from normalized changes."""
    now = time.time() if now is None else now
    comments = []
    for c in changes:
        for m in c["messages"]:
            if m["username"] != ci_user or now - m["ts"] > since_s:
                continue
            appr = [a for a in c["approvals"] if a["username"] == ci_user and a["patchset"] == m["patchset"]]
            vote, source = pick_vote(m["message"], appr, ci_user)
            jobs = parse_jobs(m["message"])
            comments.append({
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(m["ts"])), "age_s": round(now - m["ts"]),
                "change": c["number"], "patchset": m["patchset"], "url": c["url"], "project": c["project"],
                "subject": c["subject"], "vote": vote, "vote_source": source, "summary": summary_line(m["message"]),
                "jobs": [{"name": j.name, "url": j.url, "result": j.result, "duration": j.duration} for j in jobs],
                "_ts": m["ts"],
            })
    comments.sort(key=lambda x: x["_ts"], reverse=True)
    comments = comments[:limit]
    last_ts = comments[0]["_ts"] if comments else None
    for x in comments:
        del x["_ts"]
    voted = [x for x in comments if x["vote"] is not None]
    runs: Counter = Counter()
    fails: Counter = Counter()
    for x in comments:
        for j in x["jobs"]:
            runs[j["name"]] += 1
            if j["result"] != "SUCCESS":
                fails[j["name"]] += 1
    last_age = None if last_ts is None else now - last_ts
    summary = {
        "last_seen": comments[0]["time"] if comments else None,
        "last_seen_age_s": None if last_age is None else round(last_age),
        "comments": len(comments),
        "votes": len(voted),
        "positive": sum(1 for x in voted if x["vote"] > 0),
        "negative": sum(1 for x in voted if x["vote"] < 0),
        "success_rate": round(sum(1 for x in voted if x["vote"] > 0) / len(voted), 3) if voted else None,
        "failing_jobs": [{"name": n, "failures": f, "runs": runs[n]} for n, f in fails.most_common()],
        "stale": last_age is None or last_age > stale_after_s,
        "stale_after_s": stale_after_s,
    }
    return VoteReport(ci_user, tuple(comments), summary)


def stale_warning(report: VoteReport, since_s: float) -> str | None:
    s = report.summary
    if not s["stale"]:
        return None
    if s["last_seen"] is None:
        return f"{report.ci_user} has not commented in the last {format_age(since_s)}"
    return (f"{report.ci_user} last commented {format_age(s['last_seen_age_s'])} ago (more than "
            f"{format_age(s['stale_after_s'])})")


def fetch_votes(query: QueryFn, ci_user: str, *, project: str | None = None, limit: int = 20,
                since_s: float = 7 * 86400, stale_after_s: float = 86400, now: float | None = None) -> VoteReport:
    q = build_query(ci_user, project, since_s, limit)
    report = collect(query(q, limit), ci_user, since_s=since_s, limit=limit, stale_after_s=stale_after_s, now=now)
    return replace(report, query=q, project=project, since_s=since_s)


def gerrit_query_fn(access: Any) -> tuple[QueryFn, Callable[[], None]]:
    """A query function over REST (when configured) or SSH as the CI account, and its closer."""
    from vendorci.clients.gerrit import ssh_query
    from vendorci.clients.ssh import SshSession

    if access.rest is not None:
        return (lambda q, n: access.rest.query(q, n)), (lambda: None)
    session = SshSession(access.target())

    def query(q: str, n: int) -> list[dict]:
        if session.client is None:
            session.connect()
        return ssh_query(session, q, ("--comments", "--all-approvals", "--current-patch-set"))

    return query, session.close
