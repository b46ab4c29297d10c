"""What zuul-web's answers say about a Zuul v3+ master: pure functions over the
data :mod:`vendorci.clients.zuulweb` returns, so that the doctor checks only
format. Times are seconds since the epoch (UTC); nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# kinds that must run: an executor also merges, so a merger alone is optional
REQUIRED_KINDS = ("scheduler", "web", "executor")
ALIVE_STATES = ("running", "paused")
# results that say the infrastructure failed, not the change under test
INFRA_RESULTS = ("NODE_FAILURE", "RETRY_LIMIT", "POST_FAILURE", "TIMED_OUT", "LOST", "DISK_FULL",
                 "EXCEPTION", "ERROR", "MERGER_FAILURE", "MERGE_FAILURE")
INFRA_WARN = 0.10
INFRA_FAIL = 0.30
INFRA_MIN_BUILDS = 5
QUEUE_BACKLOG = 20


def first_line(text: str, limit: int = 160) -> str:
    line = " ".join(str(text).split("\n")[0].split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- config errors ---------------------------------------------------------------------------
def config_error_line(e: dict[str, Any]) -> str:
    return (f"{e['tenant']}: {e['project']}@{e['branch']} {e['path']}: {first_line(e['short_error'])}"
            + ("" if e["severity"] == "error" else f" ({e['severity']})"))


def split_by_severity(errors: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    errs = [e for e in errors if e["severity"] not in ("warning", "warn", "info")]
    return errs, [e for e in errors if e not in errs]


# --- components ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ComponentVerdict:
    missing: tuple[str, ...]
    not_running: tuple[dict[str, Any], ...]
    versions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def skew(self) -> bool:
        return len(self.versions) > 1


def judge_components(comps: dict[str, list[dict[str, Any]]]) -> ComponentVerdict:
    rows = [r for items in comps.values() for r in items]
    missing = tuple(k for k in REQUIRED_KINDS
                    if not any(r["state"] in ALIVE_STATES for r in comps.get(k, [])))
    not_running = tuple(r for r in rows if r["state"] != "running")
    versions: dict[str, list[str]] = {}
    for r in rows:
        if r["version"]:
            versions.setdefault(r["version"], []).append(f"{r['kind']}@{r['hostname']}")
    return ComponentVerdict(missing, not_running, versions)


def start_advice(kind: str) -> str:
    """How to start a Zuul v3+ process and where its log is: systemd units or containers."""
    unit = f"zuul-{kind}"
    return (f"start {unit}: `sudo systemctl start {unit}` then `journalctl -u {unit} -e` "
            f"(containers: `docker compose up -d {kind}` or `podman start {unit}`, then `docker logs {unit}`); "
            f"it registers in ZooKeeper when it is up (log: /var/log/zuul/{kind}.log where configured)")


# --- pipelines -------------------------------------------------------------------------------
def _items(status: dict[str, Any]):
    for pipe in status.get("pipelines") or []:
        if not isinstance(pipe, dict):
            continue
        for queue in pipe.get("change_queues") or []:
            if not isinstance(queue, dict):
                continue
            for head in queue.get("heads") or []:
                for item in head if isinstance(head, list) else []:
                    if isinstance(item, dict):
                        yield str(pipe.get("name") or "?"), item


def item_label(item: dict[str, Any]) -> str:
    """The change (``123,4``), or project and ref, an item is about."""
    refs = item.get("refs") if isinstance(item.get("refs"), list) else [item]
    ref = refs[0] if refs and isinstance(refs[0], dict) else {}
    project = str(ref.get("project") or item.get("project") or "?")
    ident = ref.get("id") or item.get("id")
    change = ident if isinstance(ident, str) and "," in ident else None
    where = change or str(ref.get("ref") or "?")
    url = ref.get("url") or item.get("url") or ""
    return f"{project} {where}" + (f" {url}" if isinstance(url, str) and url.startswith("http") else "")


def stale_items(status: dict[str, Any], now: float, stale_after: float) -> list[dict[str, Any]]:
    out = []
    for pipeline, item in _items(status):
        t = item.get("enqueue_time")
        if not isinstance(t, (int, float)):
            continue
        age = now - float(t) / 1000.0
        if age <= stale_after:
            continue
        waiting = sorted({f"{j.get('name')}: waiting for {j.get('waiting_status')}"
                          for j in item.get("jobs") or [] if isinstance(j, dict)
                          and j.get("waiting_status") and j.get("result") is None})
        out.append({"pipeline": pipeline, "item": item_label(item), "age_s": round(age), "waiting": waiting})
    return sorted(out, key=lambda x: -x["age_s"])


def queue_lengths(status: dict[str, Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for key in ("trigger_event_queue", "management_event_queue", "result_event_queue"):
        q = status.get(key)
        if isinstance(q, dict) and isinstance(q.get("length"), int):
            out[key] = q["length"]
    for pipe in status.get("pipelines") or []:
        if isinstance(pipe, dict):
            for key in ("trigger_events", "management_events", "result_events"):
                if isinstance(pipe.get(key), int):
                    out[f"{pipe.get('name')}.{key}"] = pipe[key]
    return out


def growing_queues(first: dict[str, int], second: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (first[k], v) for k, v in second.items()
            if k in first and v >= QUEUE_BACKLOG and v >= first[k] and (v > first[k] or v >= 5 * QUEUE_BACKLOG)}


# --- builds ----------------------------------------------------------------------------------
def parse_time(value: Any) -> float | None:
    """zuul-web's build times (``2026-11-25T18:01:34``, UTC, no zone) as epoch seconds."""
    if not isinstance(value, str) or not value:
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


@dataclass(frozen=True)
class BuildVerdict:
    total: int
    infra: tuple[dict[str, Any], ...]
    last_build_age: float | None

    @property
    def share(self) -> float:
        return len(self.infra) / self.total if self.total else 0.0


def judge_builds(builds: list[dict[str, Any]], now: float) -> BuildVerdict:
    finished = [b for b in builds if b.get("result")]
    infra = tuple({"uuid": b.get("uuid"), "job": b.get("job_name"), "result": b.get("result"),
                   "pipeline": b.get("pipeline"), "log_url": b.get("log_url"),
                   "error_detail": b.get("error_detail")}
                  for b in finished if str(b.get("result")).upper() in INFRA_RESULTS)
    times = [t for b in builds for t in (parse_time(b.get("end_time")) or parse_time(b.get("start_time")),)
             if t is not None]
    age = now - max(times) if times else None
    return BuildVerdict(len(finished), infra, age)


# --- nodes -----------------------------------------------------------------------------------
def labels_without_ready_nodes(labels: list[Any], nodes: list[dict[str, Any]]) -> list[str]:
    names = sorted({str(lb.get("name") if isinstance(lb, dict) else lb) for lb in labels})
    ready: set[str] = set()
    for n in nodes:
        types = n.get("type") or n.get("label") or []
        types = [types] if isinstance(types, str) else types
        if str(n.get("state")) in ("ready", "in-use", "used"):
            ready.update(str(t) for t in types if isinstance(t, str))
    return [n for n in names if n not in ready]
