"""Reading a third-party CI's Gerrit comment: its patch set, Verified value and job lines.

A Zuul v2 report reads::

    Patch Set 3: Verified+1

    Build succeeded (check pipeline).

    - noop-check-communication http://logs.example/45/12345/3/check/noop/abc : SUCCESS in 1s
    * dsvm-tempest-full http://logs.example/... : FAILURE in 1h 2m 3s (non-voting)

Gerrit only names a label in the message when its value changed, so the vote may also come from the approvals of the
event or the patch set (:func:`pick_vote`); a ``"0"`` there is no vote (real Gerrit lists every label the account
may vote on).  A comment-only CI's verdict is in the text (:func:`report_result`).  Durations (``--since 7d``) are
parsed in :mod:`vendorci.durations`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

_JOB = re.compile(
    r"^\s*[-*]\s+(?P<name>[^\s:]+)(?:\s+(?P<url>\S+))?\s+:\s+(?P<result>[A-Z][A-Z_]+)"
    r"(?:\s+in\s+(?P<duration>(?:\d+[hms]\s*)+))?(?P<rest>.*)$"
)
_PATCHSET = re.compile(r"^Patch Set (\d+):")
_LABEL = r"(?:^Patch Set \d+:|\s)[^\n]*?\b{label}([+-]\d+)\b"


@dataclass
class Job:
    name: str
    url: str | None
    result: str
    duration: str | None = None
    voting: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse_jobs(text: str) -> list[Job]:
    """Job lines of a CI report, in order."""
    jobs = []
    for line in (text or "").splitlines():
        m = _JOB.match(line)
        if m:
            url = m.group("url")
            jobs.append(Job(m.group("name"), url if url and "://" in url else None, m.group("result"),
                            (m.group("duration") or "").strip() or None, "non-voting" not in m.group("rest")))
    return jobs


def parse_patchset(text: str) -> int | None:
    m = _PATCHSET.match(text or "")
    return int(m.group(1)) if m else None


def parse_vote(text: str, label: str = "Verified") -> int | None:
    """The value given to ``label`` in the first line of a Gerrit comment (``Patch Set 2: Verified-1``)."""
    first = (text or "").split("\n", 1)[0]
    m = re.search(_LABEL.format(label=re.escape(label)), first)
    return int(m.group(1)) if m else None


def approval_value(approvals: Iterable[dict] | None, label: str = "Verified",
                   username: str | None = None) -> int | None:
    """Value of ``label`` in a list of SSH (``{"type", "value": "1", "by"?}``) or REST (``{"value": 1}``) approvals."""
    for a in approvals or []:
        if a.get("type", label) != label:
            continue
        by = (a.get("by") or {}).get("username") if isinstance(a.get("by"), dict) else a.get("username")
        if username is not None and by is not None and by != username:
            continue
        try:
            value = int(a["value"])
        except (KeyError, TypeError, ValueError):
            continue
        if value == 0 and str(a.get("oldValue", "0")).strip() in ("0", ""):
            continue  # real Gerrit lists every label the account may vote on, "0" when it did not vote
        return value
    return None


def pick_vote(text: str, approvals: Iterable[dict] | None = None,
              username: str | None = None) -> tuple[int | None, str]:
    """(vote, source): the label named in the comment wins; else the approval; else (None, "none")."""
    v = parse_vote(text)
    if v is not None:
        return v, "comment"
    v = approval_value(approvals, username=username)
    return (v, "approval") if v is not None else (None, "none")


_SUCCEEDED = re.compile(r"^\s*Build succeeded\b", re.M | re.I)
_FAILED = re.compile(r"^\s*(Build failed|Merge Failed|Build canceled|Build cancelled|This change depends on|"
                     r"ERROR\b)", re.M | re.I)


def report_result(text: str, jobs: list[Job] | None = None) -> str | None:
    """``SUCCESS`` / ``FAILURE`` as a comment-only report says it (Zuul's "Build succeeded." / "Build failed.",
    or every voting job line SUCCESS); None when the text says neither."""
    body = (text or "").split("\n\n", 1)[1] if "\n\n" in (text or "") else (text or "")
    jobs = parse_jobs(text) if jobs is None else jobs
    voting = [j for j in jobs if j.voting] or jobs
    if _FAILED.search(body) or any(j.result != "SUCCESS" for j in voting):
        return "FAILURE"
    if _SUCCEEDED.search(body) or voting:
        return "SUCCESS"
    return None


def summary_line(text: str) -> str:
    """The first line of the comment body after the ``Patch Set N:`` header, e.g. ``Build succeeded.``."""
    body = (text or "").split("\n\n", 1)[1] if "\n\n" in (text or "") else ""
    return next((line.strip() for line in body.splitlines() if line.strip()), "")
