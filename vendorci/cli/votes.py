"""`vendorci votes`: the CI account's recent comments, votes, job results, success rate and staleness."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.cli.options import ACCEPT_NEW_OPT, CI_KEY_OPT, CI_USER_OPT, GERRIT_HTTP_OPT, KNOWN_HOSTS_OPT
from vendorci.output import Result
from vendorci.safetext import visible


def _render(console: Any, result: Result) -> None:
    from vendorci.cli.render import render_table
    from vendorci.durations import format_age

    d = result.data
    s = d["summary"]
    upstream = s.get("upstream_user")
    rows = []
    for c in d["comments"]:
        vote = "-" if c["vote"] is None else f"{c['vote']:+d}"
        jobs = ", ".join(f"{j['name']} {j['result']}" for j in c["jobs"] if j["result"] != "SUCCESS") or (
            f"{len(c['jobs'])} jobs ok" if c["jobs"] else c["summary"])
        up = "" if c.get("upstream") is None else c["upstream"] + ("" if c.get("agrees") else " (disagree)")
        rows.append([format_age(c["age_s"]), c["change"], c["patchset"], c["url"], c["subject"] or "", vote,
                     c.get("result") or "-", jobs] + ([up] if upstream else []))
    columns = ["age", "change", "PS", "url", "subject", "Verified", "result", "jobs"] + (
        [upstream] if upstream else [])
    if rows and console.is_terminal:
        render_table(console, columns, [r[:3] + [r[3], str(r[4])[:40]] + r[5:] for r in rows],
                     title=f"comments by {d['ci_user']}")
    elif rows:  # piped: full values, one comment per line, tab-separated (never truncated)
        for r in [columns, *rows]:  # rich would expand the tabs
            print("\t".join(visible(" ".join(str(v).split())) for v in r), file=console.file, flush=True)
    rate = "n/a" if s["success_rate"] is None else f"{s['success_rate'] * 100:.0f}%"
    last = "never" if s["last_seen"] is None else f"{s['last_seen']} ({format_age(s['last_seen_age_s'])} ago)"
    console.print(f"last seen: {last}", markup=False)
    console.print(f"comments: {s['comments']}, votes: {s['votes']} (+{s['positive']} / -{s['negative']}), "
                  f"results: {s['successes']} success / {s['failures']} failure, success rate: {rate}", markup=False)
    if upstream:
        dr = "n/a" if s["disagreement_rate"] is None else f"{s['disagreement_rate'] * 100:.0f}%"
        console.print(f"upstream {upstream}: {s['compared']} patch sets compared, {s['disagreements']} "
                      f"disagreements ({dr})", markup=False)
    if s["failing_jobs"]:
        console.print("failing most: " + ", ".join(f"{j['name']} {j['failures']}/{j['runs']}"
                                                   for j in s["failing_jobs"][:5]), markup=False)
    if d.get("warning"):
        console.print(f"! {d['warning']}", markup=False)
    for a in d.get("alerts") or []:
        console.print(f"✗ alert {a['code']}: {a['message']}", markup=False)


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""

    @app.command("votes")
    def votes(
        ctx: typer.Context,
        ci_user: Optional[str] = CI_USER_OPT,
        project: Optional[str] = typer.Option(None, "--project", help="Only this project (default: any)."),
        limit: int = typer.Option(20, "--limit", min=1, max=500, help="At most this many comments."),
        since: str = typer.Option("7d", "--since", help="Look back this far (30m, 24h, 7d, 2w)."),
        stale_after: str = typer.Option("24h", "--stale-after", help="Warn when the last comment is older."),
        max_silence: Optional[str] = typer.Option(None, "--max-silence", metavar="DURATION",
                                                  help="Alert (exit 1) when the last comment is older (e.g. 6h)."),
        min_success_rate: Optional[float] = typer.Option(None, "--min-success-rate", metavar="PCT", min=0, max=100,
                                                         help="Alert (exit 1) when the success rate is below PCT."),
        min_comments: int = typer.Option(5, "--min-comments", min=1, metavar="N",
                                         help="--min-success-rate judges only over at least N results."),
        upstream_user: str = typer.Option("zuul", "--upstream-user", metavar="NAME",
                                          help="Upstream CI to compare results with, per patch set ('' : none)."),
        ci_key: Optional[Path] = CI_KEY_OPT,
        gerrit: Optional[str] = typer.Option(None, "--gerrit", help="ssh://HOST:PORT (default: gerrit.host/port)."),
        gerrit_http: Optional[str] = GERRIT_HTTP_OPT,
        known_hosts: Optional[Path] = KNOWN_HOSTS_OPT,
        accept_new_host_key: bool = ACCEPT_NEW_OPT,
    ) -> None:
        """Recent comments by the CI account: age, change, patch set, Verified, jobs; then a summary."""
        from vendorci.core.smoke import access_from_config
        from vendorci.core.votes import alerts, fetch_votes, gerrit_query_fn, stale_warning
        from vendorci.durations import parse_duration
        from vendorci.errors import OperationFailed, UsageError

        appl = get_app(ctx)

        def run() -> Result:
            try:
                since_s, stale_s = parse_duration(since), parse_duration(stale_after)
                silence_s = parse_duration(max_silence) if max_silence else None
            except ValueError as exc:
                raise UsageError(str(exc), code="bad_duration") from None
            cfg = appl.load_config({"gerrit.http_url": gerrit_http,
                                    "known_hosts": str(known_hosts) if known_hosts else None})
            access = access_from_config(cfg, gerrit=gerrit, ci_user=ci_user, ci_key=ci_key,
                                        accept_new=accept_new_host_key, need_operator=False)
            if not access.ci_user:
                raise UsageError("no CI account given", code="no_ci_user",
                                 hint="Pass --ci-user or set gerrit.user in the config.")
            if access.rest is None and access.ci_key is None:
                raise UsageError("no SSH key for the CI account", code="no_ci_key",
                                 hint="Pass --ci-key, set gerrit.ssh_key, or use --gerrit-http with credentials.")
            query, close = gerrit_query_fn(access)
            try:
                with appl.progress(f"querying comments by {access.ci_user}"):
                    report = fetch_votes(query, access.ci_user, project=project, limit=limit, since_s=since_s,
                                         stale_after_s=stale_s, upstream=upstream_user or None)
            finally:
                close()
            data = {**report.as_dict(), "warning": stale_warning(report, since_s)}
            if data["warning"] and appl.json:
                appl.note(f"warning: {data['warning']}")
            raised = alerts(report, max_silence_s=silence_s, min_success_rate=min_success_rate,
                            min_comments=min_comments)
            data["alerts"] = [a.as_dict() for a in raised]
            errors = [OperationFailed(a.message, code=a.code).as_dict() for a in raised]
            return Result("votes", data, ok=not errors, errors=errors)

        from vendorci.core.metrics import votes_metrics

        appl.run("votes", run, _render, metrics=lambda result: votes_metrics(result.data))
