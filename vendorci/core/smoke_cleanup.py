"""The smoke test's bookkeeping around the wait: reports on the patch set (policy), the change a push created
even when it was interrupted, and ``--abandon`` on every outcome.  ``waiter`` is :class:`vendorci.core.smoke.Waiter`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from vendorci.clients.gerrit import ssh_review
from vendorci.clients.ssh import SshSession
from vendorci.errors import VendorciError


def reports_on(waiter: Any, change: int, patchset: int, words: Iterable[str]) -> int:
    """How many reports the CI made on the patch set since the last retrigger (policy: one per patch set)."""
    from vendorci.core.policy import count_reports

    try:
        msgs = waiter.query(f"change:{change}")[0]["messages"]
    except (VendorciError, IndexError):
        return 1
    return max(1, count_reports(msgs, waiter.access.ci_user, patchset, list(words)))


def recover(waiter: Any, project: str, recheck: str | None, data: dict[str, Any]) -> bool:
    """Interrupted (or failed) while ``git review`` ran: did Gerrit create the change anyway?  Found by the
    commit's Change-Id; then it is reported (and abandoned with --abandon) like one the run saw created."""
    if recheck or data.get("change") is not None or not waiter.change_id:
        return False
    try:
        rows = [r for r in waiter.query(f"change:{waiter.change_id}") if r.get("project") == project]
    except (VendorciError, KeyboardInterrupt):
        return False
    if not rows:
        return False
    data.update(change=rows[0]["number"], patchset=rows[0]["patchset"], url=rows[0]["url"])
    return True


def cleanup(access: Any, abandon: bool, data: dict[str, Any], created: bool, progress: Callable[[str], None]) -> None:
    """--abandon: abandon the change this run created, whatever the outcome; never raises."""
    if not (abandon and created and data.get("change")) or data.get("abandoned"):
        return
    progress(f"abandoning {data['change']}")
    try:
        with SshSession(access.target(ci=False)) as op:
            ssh_review(op, data["change"], data["patchset"] or 1, message="vendorci smoke test finished",
                       abandon=True)
        data["abandoned"] = True
    except VendorciError as exc:
        data["notes"].append(f"abandon failed: {exc.message}")
    except KeyboardInterrupt:
        data["notes"].append("abandon interrupted")
