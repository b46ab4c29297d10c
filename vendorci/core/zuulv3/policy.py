"""The upstream's rules for third-party CIs, applied to a config project's pipelines.

OpenDev asks a third-party CI to report to review.opendev.org as a comment or
with Verified +/-1 at most, never to gate or submit; to link every comment to
the CI's wiki page (https://wiki.openstack.org/wiki/ThirdPartySystems/NAME);
to answer ``recheck``; and not to post "starting" messages.  Only pipelines
that report to the *upstream* Gerrit connection are held to them: a CI may
gate its own Gerrit (GerritHub, an internal Gerrit) as it likes.

Which connection is the upstream: from zuul.conf when the data repo has one
(a gerrit connection whose server is the upstream host), else by name
(``gerrit``, ``opendev``, ``openstack``, ``upstream``, or one naming
review.opendev.org).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from vendorci.core.zuulv3.loader import ConfigProject, Stanza
from vendorci.core.zuulv3.schema import Add, as_list
from vendorci.errors import Code
from vendorci.saferegex import SlowRegex, UntrustedRegex

UPSTREAM_HOSTS = frozenset({"review.opendev.org", "review.openstack.org"})
WIKI = "https://wiki.openstack.org/wiki/ThirdPartySystems/"
_UPSTREAM_NAME = re.compile(r"^(gerrit|upstream.*|.*opendev.*|.*openstack.*)$", re.I)
_MESSAGES = ("footer-message", "success-message", "failure-message", "start-message")
_RECHECK_HINT = (r"Add a comment-added trigger with comment: "
                 r"'(?i)^(Patch Set [0-9]+:)?( [\w\\+-]*)*(\n\n)?\s*(VENDOR:\s*)?recheck\s*$'")


def upstream_connections(used: Iterable[str], gerrit_servers: dict[str, str] | None,
                         upstream_host: str | None = None) -> set[str]:
    """The connection names (of those ``used``) that reach the upstream Gerrit.

    ``gerrit_servers``: gerrit connection name -> server, from zuul.conf (None: no zuul.conf)."""
    hosts = set(UPSTREAM_HOSTS) | ({upstream_host} if upstream_host else set())
    if gerrit_servers:
        # a server still reading ${UPSTREAM_GERRIT_HOST} (vars.sh lacks it) is the upstream by its name
        return {name for name, server in gerrit_servers.items()
                if server in hosts or server.strip() == "${UPSTREAM_GERRIT_HOST}"}
    return {name for name in used if _UPSTREAM_NAME.match(name) or name in hosts}


def _connections(st: Stanza) -> set[str]:
    out: set[str] = set()
    for key in ("trigger", "require", "reject", "start", "success", "failure", "merge-conflict", "enqueue",
                "no-jobs", "disabled", "dequeue", "config-error"):
        if isinstance(st.body.get(key), dict):
            out |= {str(k) for k in st.body[key]}
    return out


def used_connections(cp: ConfigProject) -> set[str]:
    return set().union(*(_connections(st) for st in cp.of("pipeline")))


def _vote(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def check_policy(add: Add, cp: ConfigProject, upstream: set[str], vendor: str | None = None) -> None:
    for st in cp.of("pipeline"):
        _pipeline(add, st, upstream, vendor)


def _pipeline(add: Add, st: Stanza, upstream: set[str], vendor: str | None) -> None:
    body = st.body
    name = st.name or "?"
    reports: list[tuple[str, str, Any]] = []  # (action, connection, what)
    for action in ("enqueue", "start", "success", "failure", "merge-conflict", "no-jobs", "dequeue",
                   "config-error"):
        rep = body.get(action)
        if isinstance(rep, dict):
            reports += [(action, conn, what) for conn, what in rep.items() if conn in upstream]
    if not reports:
        return
    conn = reports[0][1]
    if body.get("manager") == "dependent":
        add("error", Code.POLICY_GATE, f"pipeline '{name}' is a dependent (gate) pipeline reporting to the upstream "
            f"Gerrit ('{conn}'); a third-party CI never gates upstream changes", st, ("manager",),
            "Use 'manager: independent' and report a comment or Verified +/-1 only.")
    commented = False
    for action, c, what in reports:
        if not isinstance(what, dict):
            commented = commented or what is not None
            continue
        if what.get("comment", True) is not False:
            commented = True
        if what.get("submit") is True:
            add("error", Code.POLICY_SUBMIT, f"pipeline '{name}' submits (merges) upstream changes on {action}", st,
                (action, c, "submit"), "Remove 'submit: true': a third-party CI only reports.")
        for label, value in what.items():
            vote = _vote(value)
            if label in ("comment", "submit", "notify", "checks-api") or vote is None:
                continue
            if str(label).lower() == "verified" and abs(vote) >= 2:
                add("error", Code.POLICY_VERIFIED_2,
                    f"pipeline '{name}' votes Verified {vote:+d} upstream on {action}; "
                    "third-party CIs may vote +/-1 at most", st, (action, c, label),
                    f"Use Verified: {1 if vote > 0 else -1} (or no vote: comment-only).")
            elif str(label).lower() != "verified" and vote != 0:
                add("warning", Code.POLICY_LABEL, f"pipeline '{name}' votes {label} {vote:+d} upstream on {action}; "
                    "a third-party CI reports only Verified", st, (action, c, label), f"Remove '{label}'.")
        if action == "start":
            add("warning", Code.POLICY_START_REPORT, f"pipeline '{name}' comments upstream when jobs start", st,
                ("start",), "Upstream asks third-party CIs not to post 'starting' messages: remove 'start:'.")
    if commented and not any(isinstance(body.get(m), str) and WIKI in body[m] for m in _MESSAGES):
        add("warning", Code.POLICY_WIKI_LINK, f"pipeline '{name}' reports upstream without a link to the CI's wiki "
            "page", st, (), f"Add 'footer-message: ... {WIKI}{vendor or 'NAME'}' so that every comment links to "
            "it.")
    _recheck(add, st, upstream, vendor)


def _recheck(add: Add, st: Stanza, upstream: set[str], vendor: str | None) -> None:
    trigger = st.body.get("trigger")
    if not isinstance(trigger, dict):
        return
    entries = [(c, j, e) for c, es in trigger.items() if c in upstream
               for j, e in enumerate(as_list(es)) if isinstance(e, dict)]
    if not any("patchset-created" in as_list(e.get("event")) for _c, _j, e in entries):
        return  # not a check pipeline
    regexes = []
    for _c, _j, e in entries:
        if "comment-added" in as_list(e.get("event")):
            for rx in as_list(e.get("comment")):
                pattern = rx.get("regex") if isinstance(rx, dict) else rx
                try:
                    if isinstance(pattern, str):
                        regexes.append(UntrustedRegex(pattern))  # evaluated with a time bound
                except re.error:
                    continue  # reported by the schema checks
    words = ["recheck"] + ([f"{vendor}: recheck"] if vendor else [])
    for word in words:
        samples = [f"Patch Set 1:\n\n{word}", f"Patch Set 12: Code-Review+1\n\n{word}"]
        try:
            matched = all(any(rx.search(s) for rx in regexes) for s in samples)
        except SlowRegex as exc:
            add("warning", Code.LAYOUT_REGEX_SLOW, f"pipeline '{st.name}': {exc}", st, ("trigger",),
                "Rewrite it without nested repetition; Zuul would hang on the same comments.")
            continue
        if not matched:
            add("warning", Code.POLICY_RECHECK, f"pipeline '{st.name}' runs on new patch sets but no comment-added "
                f"trigger matches a '{word}' comment (as Gerrit posts it, after 'Patch Set N:')", st, ("trigger",),
                _RECHECK_HINT.replace("VENDOR", vendor or "VENDOR"))
