"""Reading a third-party CI's Gerrit comment: its patch set, Verified value and job lines.

A Zuul v2 report reads::

    Patch Set 3: Verified+1

    Build succeeded (check pipeline).

    - noop-check-communication http://logs.example/45/12345/3/check/noop/abc : SUCCESS in 1s
    * dsvm-tempest-full http://logs.example/... : FAILURE in 1h 2m 3s (non-voting)

Gerrit only names a label in the message when its value changed, so the vote may also come from the approvals of the
event or the patch set (:func:`pick_vote`).  Durations like ``7d``/``24h`` (for ``--since``) are parsed here too.
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
            return int(a["value"])
        except (KeyError, TypeError, ValueError):
            continue
    return None


def pick_vote(text: str, approvals: Iterable[dict] | None = None,
              username: str | None = None) -> tuple[int | None, str]:
    """(vote, source): the label named in the comment wins; else the approval; else (None, "none")."""
    v = parse_vote(text)
    if v is not None:
        return v, "comment"
    v = approval_value(approvals, username=username)
    return (v, "approval") if v is not None else (None, "none")


def summary_line(text: str) -> str:
    """The first line of the comment body after the ``Patch Set N:`` header, e.g. ``Build succeeded.``."""
    body = (text or "").split("\n\n", 1)[1] if "\n\n" in (text or "") else ""
    return next((line.strip() for line in body.splitlines() if line.strip()), "")


_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_duration(text: str) -> float:
    """``90``, ``30s``, ``15m``, ``24h``, ``7d``, ``2w``, ``1d12h`` -> seconds; ValueError otherwise."""
    s = str(text).strip().lower()
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return float(s)
    parts = re.findall(r"(\d+)\s*([smhdw])", s)
    if not parts or re.sub(r"(\d+)\s*([smhdw])", "", s).strip():
        raise ValueError(f"not a duration: {text!r} (use e.g. 30m, 24h, 7d)")
    return float(sum(int(n) * _UNITS[u] for n, u in parts))


def format_age(seconds: float | None) -> str:
    """``40s``, ``12m``, ``5h 3m``, ``2d 4h``; ``never`` for None."""
    if seconds is None:
        return "never"
    s = int(max(0, seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    big, small = (86400, 3600) if s >= 86400 else (3600, 60)
    names = {86400: "d", 3600: "h", 60: "m"}
    rest = (s % big) // small
    return f"{s // big}{names[big]}" + (f" {rest}{names[small]}" if rest else "")
