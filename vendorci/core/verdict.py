"""The smoke test's verdict on one CI report: vote or text, log links, OpenDev policy.

Exit 0 when the CI voted Verified > 0, or did not vote and its comment reports success; 1 on a negative vote, a
failure report, a comment that says neither, unreachable logs (unless not checked) or, when asked, a comment without
a vote (``expect_vote``) or any policy finding (``strict``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from vendorci.clients.gerrit_parse import parse_jobs, report_result, summary_line
from vendorci.core.logcheck import LogStatus, check_urls
from vendorci.core.policy import findings
from vendorci.errors import Code, OperationFailed, VendorciError

#: a policy finding's code -> the error it becomes with --strict
POLICY_CODES = {Code.NO_WIKI_LINK: Code.POLICY_NO_WIKI_LINK, Code.NO_LOG_LINK: Code.POLICY_NO_LOG_LINK,
                Code.MULTIPLE_COMMENTS: Code.POLICY_MULTIPLE_COMMENTS}


@dataclass(frozen=True)
class VerdictOptions:
    expect_vote: bool = False
    check_logs: bool = True
    strict: bool = False
    log_timeout: float = 10.0


@dataclass
class Verdict:
    data: dict[str, Any] = field(default_factory=dict)
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def problems(self) -> list[VendorciError]:
        return [OperationFailed(e["message"], code=e["code"], hint=e.get("hint")) for e in self.errors]


NOT_REGISTERED = "NOT_REGISTERED"


def failure_error(what: str, code: str, jobs: list[Any]) -> dict[str, Any]:
    """The error for a failed report: jobs no worker serves (Zuul's NOT_REGISTERED) first, with the doctor check
    that names them; otherwise the failed voting jobs by name."""
    unserved = [j.name for j in jobs if j.result == NOT_REGISTERED]
    failed = [j.name for j in jobs if j.voting and j.result not in ("SUCCESS", NOT_REGISTERED)]
    if unserved:
        also = f"; failed: {', '.join(failed)}" if failed else ""
        return {"code": Code.JOB_NOT_REGISTERED,
                "message": f"{what}: no worker for {', '.join(unserved)} (NOT_REGISTERED){also}",
                "hint": "Zuul found no Gearman worker offering build:JOB for these jobs. Run `vendorci doctor "
                "gearman.registered` (and `vendorci doctor gearman jenkins` for the nodes and labels behind them)."}
    named = f" (failed: {', '.join(failed)})" if failed else ""
    return {"code": code, "message": what + named, "hint": "Open the failing jobs' log links above."}


def judge(ci_user: str, message: str, vote: int | None, o: VerdictOptions, *, reports_on_patchset: int = 1,
          fetch: Callable[..., dict[str, LogStatus]] = check_urls) -> Verdict:
    jobs = parse_jobs(message)
    text_result = report_result(message, jobs)
    result = ("SUCCESS" if vote > 0 else "FAILURE") if vote else text_result
    # a NOT_REGISTERED job never ran: Zuul fills url_pattern without a build, so there are no logs to check
    statuses = fetch([j.url for j in jobs if j.url and j.result != NOT_REGISTERED],
                     timeout=o.log_timeout) if o.check_logs else {}
    policy = [f.as_dict() for f in findings(message, jobs, reports_on_patchset=reports_on_patchset)]
    jobs_out: list[dict[str, Any]] = []
    for j in jobs:
        st = statuses.get(j.url) if j.url else None
        jobs_out.append({"name": j.name, "url": j.url, "result": j.result, "duration": j.duration,
                         "voting": j.voting, "log_status": st.text if st else None})
    v = Verdict({"vote": vote, "result": result, "summary": summary_line(message), "jobs": jobs_out,
                 "policy": policy, "logs_checked": o.check_logs})
    if vote is not None and vote < 0:
        v.errors.append(failure_error(f"{ci_user} voted Verified{vote:+d}", Code.NEGATIVE_VOTE, jobs))
    elif vote is None and o.expect_vote:
        v.errors.append({"code": "no_vote", "message": f"{ci_user} commented without a Verified vote",
                         "hint": "Check the pipeline's success/failure reporters (gerrit: Verified: 1 / -1); "
                         "leave out --expect-vote for a comment-only CI."})
    elif vote is None and result == "FAILURE":
        v.errors.append(failure_error(f"{ci_user} reported a failure (comment only)", Code.BUILD_FAILED, jobs))
    elif vote is None and result is None:
        v.errors.append({"code": "no_result", "message": f"{ci_user} commented, but the comment says neither "
                         "success nor failure", "hint": "A report needs Zuul's 'Build succeeded.' / 'Build failed.' "
                         "or job lines (- JOB URL : RESULT)."})
    for row in jobs_out:
        st = statuses.get(row["url"]) if row["url"] else None
        if st is not None and not st.ok:
            v.errors.append({"code": "log_unreachable", "message": f"logs of {row['name']} unreachable: {row['url']} "
                             f"({st.text})", "hint": "Logs must be public: check the log server and the CI's "
                             "LOG_URL_ROOT / url_pattern (or pass --no-check-logs)."})
    if o.strict:
        for f in policy:
            v.errors.append({"code": POLICY_CODES[f["code"]], "message": f["message"],
                             "hint": "OpenDev's third-party CI rules; see docs/smoke-test.md (--strict)."})
    return v
