"""OpenMetrics text for cron, Nagios-style wrappers and node_exporter's textfile collector.

``votes`` and ``doctor`` results become metric families (``# TYPE``/``# HELP`` then samples), the text ends with
``# EOF``.  Label values are escaped (backslash, double quote, newline): a job name comes from a peer's comment.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

Labels = dict[str, str]


@dataclass
class Family:
    name: str
    kind: str  # gauge | counter | stateset | info ...
    help: str
    samples: list[tuple[str, Labels, float]] = field(default_factory=list)

    def add(self, value: float, suffix: str = "", **labels: Any) -> Family:
        self.samples.append((self.name + suffix, {k: str(v) for k, v in labels.items()}, float(value)))
        return self


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def _number(v: float) -> str:
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return repr(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)


def render(families: Iterable[Family]) -> str:
    lines = []
    for f in families:
        lines.append(f"# TYPE {f.name} {f.kind}")
        lines.append(f"# HELP {f.name} {_escape(f.help)}")
        for name, labels, value in f.samples:
            lab = ",".join(f'{k}="{_escape(v)}"' for k, v in labels.items())
            lines.append(f"{name}{{{lab}}} {_number(value)}" if lab else f"{name} {_number(value)}")
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


def votes_metrics(data: dict[str, Any]) -> str:
    """Metrics of a ``votes`` result (``data`` as in its JSON)."""
    s, user = data["summary"], data["ci_user"]
    comments = Family("vendorci_ci_comments", "counter", "Comments by the CI account in the window looked at")
    comments.add(s["comments"], "_total", ci_user=user)
    results = Family("vendorci_ci_results", "gauge", "Reported results (vote, else comment text) by result")
    results.add(s["successes"], ci_user=user, result="SUCCESS").add(s["failures"], ci_user=user, result="FAILURE")
    ratio = Family("vendorci_ci_success_ratio", "gauge", "Share of successful results (0..1; NaN: none)")
    ratio.add(math.nan if s["success_rate"] is None else s["success_rate"], ci_user=user)
    age = Family("vendorci_ci_last_comment_age_seconds", "gauge", "Age of the last comment (+Inf: none)")
    age.add(math.inf if s["last_seen_age_s"] is None else s["last_seen_age_s"], ci_user=user)
    fails = Family("vendorci_ci_job_failures", "gauge", "Failed runs per job in the window")
    runs = Family("vendorci_ci_job_runs", "gauge", "Runs per job in the window")
    seen: dict[str, int] = {}
    for c in data["comments"]:
        for j in c["jobs"]:
            seen[j["name"]] = seen.get(j["name"], 0) + 1
    failing = {j["name"]: j["failures"] for j in s["failing_jobs"]}
    for name in sorted(seen):
        fails.add(failing.get(name, 0), ci_user=user, job=name)
        runs.add(seen[name], ci_user=user, job=name)
    out = [comments, results, ratio, age, fails, runs]
    if s.get("upstream_user"):
        dis = Family("vendorci_ci_upstream_disagreements", "gauge",
                     "Patch sets where the upstream CI and this CI reported different results")
        dis.add(s["disagreements"], ci_user=user, upstream_user=s["upstream_user"])
        cmp_ = Family("vendorci_ci_upstream_compared", "gauge", "Patch sets both CIs reported on")
        cmp_.add(s["compared"], ci_user=user, upstream_user=s["upstream_user"])
        out += [dis, cmp_]
    alert = Family("vendorci_ci_alert", "gauge", "Monitoring thresholds crossed (1) or not (0)")
    raised = {a["code"] for a in data.get("alerts") or []}
    for code in ("silence", "low_success_rate"):
        alert.add(1 if code in raised else 0, ci_user=user, alert=code)
    out.append(alert)
    return render(out)


STATUSES: Sequence[str] = ("ok", "warn", "fail", "error", "skip")


def doctor_metrics(data: dict[str, Any]) -> str:
    """Metrics of a ``doctor`` result: one sample per check and status (1 for its status, 0 for the others)."""
    check = Family("vendorci_doctor_check", "gauge", "Doctor check status (1: the check has this status)")
    for rep in data["checks"]:
        for st in STATUSES:
            check.add(1 if rep["status"] == st else 0, id=rep["id"], status=st)
    ok = Family("vendorci_doctor_ok", "gauge", "1 when nothing failed")
    ok.add(1 if data["summary"]["ok"] else 0)
    return render([check, ok])
