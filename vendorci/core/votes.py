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

from vendorci.clients.gerrit_parse import parse_jobs, pick_vote, report_result, summary_line
from vendorci.durations import format_age
from vendorci.errors import Code

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
    # commentby:, not reviewer:: on a real Gerrit an account that only commented (never voted) is no reviewer
    return " ".join([f"commentby:{ci_user}"] + ([f"project:{project}"] if project else []) + [f"-age:{age}",
                                                                                              f"limit:{limit}"])


def _result(message: str, approvals: list[dict], user: str) -> tuple[int | None, str, str | None, list]:
    vote, source = pick_vote(message, approvals, user)
    jobs = parse_jobs(message)
    result = ("SUCCESS" if vote > 0 else "FAILURE") if vote else report_result(message, jobs)
    return vote, source, result, jobs


def _upstream_results(c: dict, upstream: str | None) -> dict[int, str]:
    """The upstream CI's last result per patch set of a change."""
    out: dict[int, str] = {}
    if not upstream:
        return out
    for m in sorted(c["messages"], key=lambda x: x["ts"]):
        if m["username"] != upstream or m["patchset"] is None:
            continue
        appr = [a for a in c["approvals"] if a["username"] == upstream and a["patchset"] == m["patchset"]]
        result = _result(m["message"], appr, upstream)[2]
        if result:
            out[m["patchset"]] = result
    return out


def collect(changes: list[dict], ci_user: str, *, since_s: float, limit: int, stale_after_s: float,
            now: float | None = None, upstream: str | None = None) -> VoteReport:
    """Comments by ``ci_user`` (newest first, at most ``limit``) and a summary, from normalized changes."""
    now = time.time() if now is None else now
    comments = []
    for c in changes:
        ups = _upstream_results(c, upstream if upstream != ci_user else None)
        for m in c["messages"]:
            if m["username"] != ci_user or now - m["ts"] > since_s:
                continue
            appr = [a for a in c["approvals"] if a["username"] == ci_user and a["patchset"] == m["patchset"]]
            vote, source, result, jobs = _result(m["message"], appr, ci_user)
            up = ups.get(m["patchset"]) if m["patchset"] is not None else None
            comments.append({
                "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(m["ts"])), "age_s": round(now - m["ts"]),
                "change": c["number"], "patchset": m["patchset"], "url": c["url"], "project": c["project"],
                "subject": c["subject"], "vote": vote, "vote_source": source, "result": result,
                "summary": summary_line(m["message"]),
                "jobs": [{"name": j.name, "url": j.url, "result": j.result, "duration": j.duration} for j in jobs],
                "upstream": up, "agrees": None if up is None or result is None else up == result,
                "_ts": m["ts"],
            })
    comments.sort(key=lambda x: x["_ts"], reverse=True)
    comments = comments[:limit]
    last_ts = comments[0]["_ts"] if comments else None
    for x in comments:
        del x["_ts"]
    voted = [x for x in comments if x["vote"] is not None]
    judged = [x for x in comments if x["result"] is not None]
    runs: Counter = Counter()
    fails: Counter = Counter()
    for x in comments:
        for j in x["jobs"]:
            runs[j["name"]] += 1
            if j["result"] != "SUCCESS":
                fails[j["name"]] += 1
    last_age = None if last_ts is None else now - last_ts
    successes = sum(1 for x in judged if x["result"] == "SUCCESS")
    compared = [x for x in comments if x["agrees"] is not None]
    disagreements = sum(1 for x in compared if not x["agrees"])
    summary = {
        "last_seen": comments[0]["time"] if comments else None,
        "last_seen_age_s": None if last_age is None else round(last_age),
        "comments": len(comments),
        "votes": len(voted),
        "positive": sum(1 for x in voted if x["vote"] > 0),
        "negative": sum(1 for x in voted if x["vote"] < 0),
        "results": len(judged),
        "successes": successes,
        "failures": len(judged) - successes,
        # from results (vote, else the comment's text): comment-only CIs count too
        "success_rate": round(successes / len(judged), 3) if judged else None,
        "failing_jobs": [{"name": n, "failures": f, "runs": runs[n]} for n, f in fails.most_common()],
        "stale": last_age is None or last_age > stale_after_s,
        "stale_after_s": stale_after_s,
        "upstream_user": upstream,
        "compared": len(compared),
        "disagreements": disagreements,
        "disagreement_rate": round(disagreements / len(compared), 3) if compared else None,
    }
    return VoteReport(ci_user, tuple(comments), summary)


@dataclass(frozen=True)
class Alert:
    """A monitoring threshold crossed: ``silence`` or ``low_success_rate``."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def alerts(report: VoteReport, *, max_silence_s: float | None = None, min_success_rate: float | None = None,
           min_comments: int = 5) -> list[Alert]:
    """Monitoring thresholds crossed: ``silence`` (last comment older than ``max_silence_s`` or none at all) and
    ``low_success_rate`` (below ``min_success_rate`` percent, judged over at least ``min_comments`` results)."""
    s, out = report.summary, []
    if max_silence_s is not None:
        age = s["last_seen_age_s"]
        if age is None or age > max_silence_s:
            out.append(Alert(Code.SILENCE, f"{report.ci_user} "
                             + ("has not commented" if age is None else f"last commented {format_age(age)} ago")
                             + f" (more than {format_age(max_silence_s)})"))
    if min_success_rate is not None and s["success_rate"] is not None and s["results"] >= min_comments:
        if s["success_rate"] * 100 < min_success_rate:
            out.append(Alert(Code.LOW_SUCCESS_RATE, f"success rate {s['success_rate'] * 100:.0f}% over "
                             f"{s['results']} results is below {min_success_rate:g}%"))
    return out


def stale_warning(report: VoteReport, since_s: float) -> str | None:
    s = report.summary
    if not s["stale"]:
        return None
    if s["last_seen"] is None:
        return f"{report.ci_user} has not commented in the last {format_age(since_s)}"
    return (f"{report.ci_user} last commented {format_age(s['last_seen_age_s'])} ago (more than "
            f"{format_age(s['stale_after_s'])})")


def fetch_votes(query: QueryFn, ci_user: str, *, project: str | None = None, limit: int = 20,
                since_s: float = 7 * 86400, stale_after_s: float = 86400, now: float | None = None,
                upstream: str | None = None) -> VoteReport:
    q = build_query(ci_user, project, since_s, limit)
    report = collect(query(q, limit), ci_user, since_s=since_s, limit=limit, stale_after_s=stale_after_s, now=now,
                     upstream=upstream)
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
