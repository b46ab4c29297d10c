"""OpenDev's rules for third-party CI comments, as findings a smoke test reports.

The rules (docs/FIELD.md, "Today's rules"): every comment links to the CI's wiki page, every job result links to
public logs, and one report per patch set unless retriggered (``recheck`` or the CI's own word).  A finding is a
warning unless the caller is strict; its ``code`` is stable.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from vendorci.clients.gerrit_parse import Job
from vendorci.errors import Code

_WIKI = re.compile(r"https?://\S*wiki\S*", re.I)
_SUCCESS_OR_FAILURE = re.compile(r"^\s*Build (succeeded|failed)", re.I | re.M)


@dataclass(frozen=True)
class PolicyFinding:
    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def wiki_links(text: str) -> list[str]:
    return [m.group(0).rstrip(").,>") for m in _WIKI.finditer(text or "")]


def is_retrigger(message: str, words: Iterable[str]) -> bool:
    """A comment whose body (after ``Patch Set N:``) has a line that is exactly one of ``words`` (any case)."""
    body = message.split("\n\n", 1)[1] if "\n\n" in message else message
    wanted = {w.strip().lower() for w in words if w.strip()}
    return any(line.strip().lower() in wanted for line in body.splitlines())


def is_report(message: str) -> bool:
    """A CI comment that reports a result (a Zuul summary or a job line), not a chat remark."""
    from vendorci.clients.gerrit_parse import parse_jobs

    return bool(_SUCCESS_OR_FAILURE.search(message or "") or parse_jobs(message))


def count_reports(messages: Sequence[dict], ci_user: str, patchset: int, retrigger_words: Iterable[str]) -> int:
    """Reports by ``ci_user`` on ``patchset`` since the last retrigger comment (by anyone else) on it.

    ``messages``: the normalized ``{"username", "message", "patchset", "ts"}`` list, in any order."""
    words = list(retrigger_words)
    n = 0
    for m in sorted(messages, key=lambda x: x.get("ts") or 0):
        if m.get("patchset") != patchset:
            continue
        if m.get("username") != ci_user and is_retrigger(m.get("message") or "", words):
            n = 0
        elif m.get("username") == ci_user and is_report(m.get("message") or ""):
            n += 1
    return n


def findings(message: str, jobs: Sequence[Job], *, reports_on_patchset: int = 1) -> list[PolicyFinding]:
    """What the comment breaks of the OpenDev rules."""
    out = []
    if not wiki_links(message):
        out.append(PolicyFinding(Code.NO_WIKI_LINK, "the comment has no link to the CI's wiki page (e.g. "
                                 "https://wiki.openstack.org/wiki/ThirdPartySystems/NAME)"))
    for j in jobs:
        if not j.url:
            out.append(PolicyFinding(Code.NO_LOG_LINK, f"job {j.name} has no log URL"))
    if reports_on_patchset > 1:
        out.append(PolicyFinding(Code.MULTIPLE_COMMENTS, f"{reports_on_patchset} reports on the same patch set "
                                 "without a recheck in between (one per patch set, unless retriggered)"))
    return out
