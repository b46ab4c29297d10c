"""The attributes each Zuul stanza accepts (as of Zuul 14), and the checks of one stanza at a time.

Zuul refuses a stanza with an attribute it does not know ("extra keys not
allowed"), so an unknown attribute is an error here too, with the closest
known name.  Driver-specific parts (triggers and reporters of a connection)
depend on the tenant's zuul.conf: only what is certain is checked.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable
from typing import Any

from vendorci.core.zuulv3.loader import Stanza
from vendorci.errors import Code
from vendorci.yamlutil import Tagged

JOB_ATTRIBUTES = frozenset({
    "parent", "final", "abstract", "protected", "intermediate", "requires", "provides", "failure-message",
    "success-message", "failure-url", "success-url", "hold-following-changes", "voting", "semaphore",
    "semaphores", "tags", "branches", "files", "secrets", "irrelevant-files", "nodeset", "pre-timeout", "timeout",
    "post-timeout", "attempts", "pre-run", "post-run", "run", "cleanup-run", "ansible-split-streams",
    "ansible-version", "roles", "required-projects", "include-projects", "exclude-projects", "vars", "extra-vars",
    "host-vars", "group-vars", "include-vars", "dependencies", "allowed-projects", "override-branch",
    "override-checkout", "description", "variant-description", "post-review", "match-on-config-updates",
    "workspace-scheme", "workspace-checkout", "deduplicate", "failure-output", "image-build-name", "type",
    "preserve-home-paths", "secret-exposure", "attribute-control",
})
PIPELINE_ATTRIBUTES = frozenset({
    "name", "manager", "allow-other-connections", "allow-parameters", "precedence", "supercedes", "description",
    "success-message", "failure-message", "start-message", "merge-conflict-message", "enqueue-message",
    "no-jobs-message", "footer-message", "dequeue-message", "dequeue-on-new-patchset", "ignore-dependencies",
    "post-review", "disable-after-consecutive-failures", "window", "window-floor", "window-ceiling",
    "window-increase-type", "window-increase-factor", "window-decrease-type", "window-decrease-factor",
    "require", "reject", "trigger",
})
REPORTER_ACTIONS = ("enqueue", "start", "success", "failure", "merge-conflict", "no-jobs", "disabled", "dequeue",
                    "config-error")
MANAGERS = ("independent", "dependent", "serial", "supercedent")
PROJECT_ATTRIBUTES = frozenset({"name", "description", "branches", "vars", "templates", "merge-mode",
                                "default-branch", "queue"})
TEMPLATE_ATTRIBUTES = frozenset({"name", "description", "queue", "vars"})
PROJECT_PIPELINE_ATTRIBUTES = frozenset({"debug", "fail-fast", "jobs", "parameters"})
MERGE_MODES = ("merge", "merge-resolve", "cherry-pick", "squash-merge", "rebase", "rebase-first-parent")
NODESET_ATTRIBUTES = frozenset({"name", "nodes", "groups", "alternatives"})
SECRET_ATTRIBUTES = frozenset({"name", "data", "oidc"})
SEMAPHORE_ATTRIBUTES = frozenset({"name", "max"})
QUEUE_ATTRIBUTES = frozenset({"name", "per-branch", "allow-circular-dependencies", "dependencies-by-topic", "type"})
GERRIT_EVENTS = frozenset({"patchset-created", "draft-published", "change-abandoned", "change-restored",
                           "change-merged", "comment-added", "ref-updated", "pending-check", "vote-deleted",
                           "hashtags-changed", "wip-state-changed"})
GERRIT_TRIGGER_ATTRIBUTES = frozenset({
    "event", "uuid", "scheme", "comment_filter", "comment", "email_filter", "email", "username_filter", "username",
    "branch", "ref", "ignore-deletes", "approval", "approval-change", "require-approval", "reject-approval",
    "added", "removed", "require", "reject", "debug",
})
GERRIT_REGEX_ATTRIBUTES = ("comment", "email", "username", "branch", "ref", "added", "removed")
TIMER_TRIGGER_ATTRIBUTES = frozenset({"time", "dereference", "debug"})
#: Jobs Zuul defines itself.
BUILTIN_JOBS = frozenset({"noop"})

Add = Callable[..., None]  # add(severity, code, message, stanza, keys, hint)


def unknown(add: Add, st: Stanza, keys: Iterable[str], known: Iterable[str], where: tuple = (),
            what: str | None = None) -> None:
    known = sorted(known)
    for key in keys:
        if key in known:
            continue
        close = difflib.get_close_matches(str(key), known, n=1)
        add("error", Code.ZUULV3_UNKNOWN_ATTRIBUTE, f"{what or _label(st)}: unknown attribute '{key}'", st,
            where + (key,), f"Did you mean '{close[0]}'?" if close else "Zuul refuses unknown attributes; remove "
            "it or check the spelling against the Zuul manual.")


def show(value: Any) -> str:
    """A value from the file, fit for a message: scalars quoted and cut short, anything else by its type."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        text = repr(value)
        return text if len(text) <= 60 else text[:57] + "..."
    return f"a {type(value).__name__}"


def _label(st: Stanza) -> str:
    return f"{st.kind} '{st.name}'" if st.name else st.kind


def as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def check_stanza(add: Add, st: Stanza) -> None:
    """The checks of one stanza on its own (references between stanzas are in :mod:`.check`)."""
    body = st.body
    if st.kind != "project" and not st.name:
        add("error", Code.ZUULV3_MISSING_ATTRIBUTE, f"{st.kind} without a 'name'", st, (), "Add 'name:'.")
    checker = _CHECKERS.get(st.kind)
    if checker is not None:
        checker(add, st, body)


_JOB_BOOLS = ("final", "abstract", "protected", "intermediate", "hold-following-changes", "voting", "post-review",
              "match-on-config-updates", "ansible-split-streams")
_JOB_STRINGS = ("description", "variant-description", "override-branch", "override-checkout", "failure-message",
                "success-message")
_JOB_MAPPINGS = ("vars", "extra-vars", "host-vars", "group-vars")


def _type_error(add: Add, st: Stanza, key: str, want: str, example: str) -> None:
    add("error", Code.ZUULV3_TYPE, f"{_label(st)}: '{key}' must be {want}", st, (key,),
        f"Write e.g. '{key}: {example}'.")


def _job(add: Add, st: Stanza, body: dict) -> None:
    unknown(add, st, body, JOB_ATTRIBUTES | {"name"})
    for key in ("timeout", "pre-timeout", "post-timeout", "attempts"):
        if key in body and (not isinstance(body[key], int) or isinstance(body[key], bool)):
            _type_error(add, st, key, "a whole number of " + ("attempts" if key == "attempts" else "seconds"),
                        "3" if key == "attempts" else "3600")
    for key in _JOB_BOOLS:
        if key in body and not isinstance(body[key], bool):
            _type_error(add, st, key, "true or false", "true")
    for key in _JOB_STRINGS:
        if key in body and not isinstance(body[key], str):
            _type_error(add, st, key, "a string", "main" if "override" in key else "text")
    for key in _JOB_MAPPINGS:
        if key in body and not isinstance(body[key], (dict, Tagged)):
            _type_error(add, st, key, "a mapping", "{name: value}")
    if "parent" in body and body["parent"] is not None and not isinstance(body["parent"], str):
        _type_error(add, st, "parent", "a job name (or null for a base job)", "base")
    if "nodeset" in body and not isinstance(body["nodeset"], (str, dict)):
        _type_error(add, st, "nodeset", "a nodeset name or a mapping with 'nodes'", "ubuntu-noble")
    if isinstance(body.get("nodeset"), dict):
        _nodeset(add, st, body["nodeset"], ("nodeset",))


def _nodeset(add: Add, st: Stanza, body: dict, where: tuple = ()) -> None:
    unknown(add, st, body, NODESET_ATTRIBUTES if not where else NODESET_ATTRIBUTES - {"name"}, where)
    if "nodes" not in body and "alternatives" not in body:
        add("error", Code.ZUULV3_MISSING_ATTRIBUTE, f"{_label(st)}: a nodeset needs 'nodes' (or 'alternatives')",
            st, where, "Add 'nodes: [{name: primary, label: LABEL}]'.")
    for i, node in enumerate(as_list(body.get("nodes"))):
        if not isinstance(node, dict) or "name" not in node or "label" not in node:
            add("error", Code.ZUULV3_MISSING_ATTRIBUTE, f"{_label(st)}: each node needs a 'name' and a 'label'", st,
                where + ("nodes", i), "Write '- {name: primary, label: ubuntu-noble}'.")
        else:
            unknown(add, st, node, ("name", "label"), where + ("nodes", i))


def _secret(add: Add, st: Stanza, body: dict) -> None:
    unknown(add, st, body, SECRET_ATTRIBUTES)
    if ("data" in body) == ("oidc" in body):
        add("error", Code.ZUULV3_MISSING_ATTRIBUTE, f"{_label(st)}: give exactly one of 'data' and 'oidc'", st, (),
            "Put the secret's values under 'data:' (encrypt them with zuul-client encrypt).")


def _simple(known: frozenset) -> Callable[[Add, Stanza, dict], None]:
    def check(add: Add, st: Stanza, body: dict) -> None:
        unknown(add, st, body, known)
    return check


def _project(add: Add, st: Stanza, body: dict) -> None:
    if st.kind == "project" and body.get("merge-mode") is not None and body["merge-mode"] not in MERGE_MODES:
        add("error", Code.ZUULV3_VALUE, f"{_label(st)}: merge-mode {show(body['merge-mode'])} is not one of "
            + ", ".join(MERGE_MODES), st, ("merge-mode",), "Use one of those (or remove it).")
    fixed = PROJECT_ATTRIBUTES if st.kind == "project" else TEMPLATE_ATTRIBUTES
    for pipe, conf in body.items():
        if pipe in fixed:
            continue
        if not isinstance(conf, dict):
            add("error", Code.ZUULV3_STRUCTURE, f"{_label(st)}: '{pipe}' must map 'jobs:' to a list of jobs", st,
                (pipe,), f"Write '{pipe}:' then 'jobs:' and the job names, indented.")
            continue
        unknown(add, st, conf, PROJECT_PIPELINE_ATTRIBUTES, (pipe,), f"{_label(st)}, pipeline '{pipe}'")
        jobs = conf.get("jobs")
        if jobs is not None and not isinstance(jobs, list):
            add("error", Code.ZUULV3_STRUCTURE, f"{_label(st)}: '{pipe}: jobs' must be a list", st, (pipe, "jobs"),
                "Write each job as '- NAME' on its own line.")
            continue
        for j, item in enumerate(jobs or []):
            if isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item.values())), (dict, type(None))):
                name, attrs = next(iter(item.items()))
                unknown(add, st, attrs or {}, JOB_ATTRIBUTES, (pipe, "jobs", j, name), f"{_label(st)}, job '{name}'")
            elif not isinstance(item, str):
                add("error", Code.ZUULV3_STRUCTURE, f"{_label(st)}: a job in '{pipe}' must be a name or "
                    "'NAME: {attributes}'", st, (pipe, "jobs", j), "Write '- NAME' or '- NAME: {voting: false}'.")


def project_jobs(st: Stanza) -> list[tuple[str, str, tuple]]:
    """(pipeline, job name, keys) of every job a project or project-template lists."""
    fixed = PROJECT_ATTRIBUTES if st.kind == "project" else TEMPLATE_ATTRIBUTES
    out = []
    for pipe, conf in st.body.items():
        if pipe in fixed or not isinstance(conf, dict) or not isinstance(conf.get("jobs"), list):
            continue
        for j, item in enumerate(conf["jobs"]):
            if isinstance(item, str):
                out.append((pipe, item, (pipe, "jobs", j)))
            elif isinstance(item, dict) and len(item) == 1:
                out.append((pipe, str(next(iter(item))), (pipe, "jobs", j)))
    return out


def _pipeline(add: Add, st: Stanza, body: dict) -> None:
    unknown(add, st, body, PIPELINE_ATTRIBUTES | set(REPORTER_ACTIONS))
    manager = body.get("manager")
    if manager not in MANAGERS:
        add("error", Code.ZUULV3_VALUE, f"{_label(st)}: manager {show(manager)} is not one of "
            + ", ".join(MANAGERS), st,
            ("manager",), "Third-party CI pipelines use 'manager: independent'.")
    if body.get("precedence") is not None and body["precedence"] not in ("normal", "low", "high"):
        add("error", Code.ZUULV3_VALUE,
            f"{_label(st)}: precedence {show(body['precedence'])} is not normal, low or high",
            st, ("precedence",), "Use normal, low or high.")
    trigger = body.get("trigger")
    if not isinstance(trigger, dict) or not trigger:
        add("error", Code.ZUULV3_MISSING_ATTRIBUTE, f"{_label(st)} has no trigger", st, (),
            "Add 'trigger: {gerrit: [{event: patchset-created}]}' (with your connection's name).")
    else:
        for conn, entries in trigger.items():
            # a connection is a Gerrit one when any of its entries names a Gerrit event
            gerrit = any(set(as_list(e.get("event"))) & GERRIT_EVENTS for e in as_list(entries) if isinstance(e, dict))
            for j, entry in enumerate(as_list(entries)):
                _trigger(add, st, conn, j, entry, gerrit)
    for action in REPORTER_ACTIONS:
        rep = body.get(action)
        if rep is not None and not isinstance(rep, dict):
            add("error", Code.ZUULV3_STRUCTURE, f"{_label(st)}: '{action}' must map connection names to what they "
                "report", st, (action,), f"Write e.g. '{action}: {{gerrit: {{Verified: 1}}}}'.")


def _trigger(add: Add, st: Stanza, conn: str, j: int, entry: Any, gerrit: bool) -> None:
    where = ("trigger", conn, j)
    if not isinstance(entry, dict):
        add("error", Code.ZUULV3_STRUCTURE, f"{_label(st)}: trigger entry of '{conn}' is not a mapping", st, where,
            "Write '- event: patchset-created'.")
        return
    if "time" in entry and "event" not in entry:  # a timer trigger
        unknown(add, st, entry, TIMER_TRIGGER_ATTRIBUTES, where, f"{_label(st)}, timer trigger")
        fields = entry["time"].split() if isinstance(entry["time"], str) else []
        if not 5 <= len(fields) <= 7:
            add("error", Code.ZUULV3_VALUE, f"{_label(st)}: timer time {show(entry['time'])} has {len(fields)} fields; "
                "Zuul wants 5 (cron), 6 (with seconds) or 7 (with jitter)", st, where + ("time",),
                "Write e.g. time: '0 4 * * *'.")
        return
    if not gerrit:
        return  # another driver (GitHub, GitLab, Zuul...): its schema depends on zuul.conf
    events = [e for e in as_list(entry.get("event")) if isinstance(e, str)]
    bad = [e for e in events if e not in GERRIT_EVENTS]
    for e in bad:
        close = difflib.get_close_matches(e, sorted(GERRIT_EVENTS), n=1)
        add("error", Code.ZUULV3_VALUE, f"{_label(st)}: unknown Gerrit event '{e}'", st, where + ("event",),
            f"Did you mean '{close[0]}'?" if close else "Known: " + ", ".join(sorted(GERRIT_EVENTS)) + ".")
    unknown(add, st, entry, GERRIT_TRIGGER_ATTRIBUTES, where, f"{_label(st)}, trigger '{conn}'")
    for key in GERRIT_REGEX_ATTRIBUTES:
        for rx in as_list(entry.get(key)):
            pattern = rx.get("regex") if isinstance(rx, dict) else rx
            if isinstance(pattern, str):
                check_regex(add, st, pattern, where + (key,), f"{_label(st)}: trigger {key}")


_RE2_UNSUPPORTED = re.compile(r"\(\?[=!]|\(\?<[=!]|\\[1-9]")


def check_regex(add: Add, st: Stanza, pattern: str, where: tuple, what: str) -> re.Pattern | None:
    try:
        compiled = re.compile(pattern)
    except re.error as exc:
        add("error", Code.ZUULV3_REGEX, f"{what}: the regex does not compile: {exc}", st, where,
            "Fix the regular expression (quote it in YAML when it contains ': ' or starts with a special character).")
        return None
    if _RE2_UNSUPPORTED.search(pattern):
        add("warning", Code.ZUULV3_REGEX_RE2, f"{what}: look-arounds and back-references are not RE2 syntax, which "
            "Zuul requires", st, where, "Rewrite the regex without (?=, (?!, (?<= or \\1.")
    return compiled


_CHECKERS: dict[str, Callable[[Add, Stanza, dict], None]] = {
    "job": _job,
    "pipeline": _pipeline,
    "project": _project,
    "project-template": _project,
    "nodeset": _nodeset,
    "secret": _secret,
    "semaphore": _simple(SEMAPHORE_ATTRIBUTES),
    "queue": _simple(QUEUE_ATTRIBUTES),
}
