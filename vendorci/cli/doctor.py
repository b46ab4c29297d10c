"""`vendorci doctor`: diagnose a Jenkins/Zuul master (Gearman, Zuul, Jenkins, Gerrit, data repo)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Optional

import typer

from vendorci.cli.app import get_app
from vendorci.cli.render import render_reports
from vendorci.output import Result


def _render(console: Any, result: Result) -> None:
    d = result.data
    if "available" in d:  # --list
        width = max((len(c["id"]) for c in d["available"]), default=0)
        for c in d["available"]:
            req = f"  (requires {', '.join(c['requires'])})" if c["requires"] else ""
            console.print(f"{c['id']:<{width}}  {c['title']}{req}", markup=False, soft_wrap=True)
        return
    render_reports(console, d["checks"])
    n = d["summary"]["counts"]
    parts = [f"{n[k]} {k}" for k in ("ok", "warn", "fail", "error", "skip") if n.get(k)]
    verdict = "healthy" if d["summary"]["ok"] else "problems found"
    console.print(f"\n{verdict}: " + ", ".join(parts) + (" (--strict: warnings fail)" if d["summary"].get("strict")
                                                          else ""), markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""

    @app.command("doctor")
    def doctor(
        ctx: typer.Context,
        ids: Optional[list[str]] = typer.Argument(None, metavar="[ID_OR_PREFIX]...",
                                                  help="Checks to run: an id, a prefix (gearman) or a glob."),
        list_: bool = typer.Option(False, "--list", help="List the checks and exit."),
        strict: bool = typer.Option(False, "--strict", help="Warnings fail too."),
        timeout: float = typer.Option(5.0, "--timeout", min=0.1, help="Per-check timeout in seconds."),
        zuul_conf: Optional[Path] = typer.Option(None, "--zuul-conf", help="zuul.conf (default /etc/zuul/zuul.conf)."),
        layout: Optional[Path] = typer.Option(None, "--layout", help="Zuul layout (default from zuul.conf)."),
        gearman: Optional[str] = typer.Option(None, "--gearman", metavar="HOST:PORT",
                                              help="Gearman server (env VENDORCI_GEARMAN; default from zuul.conf)."),
        run_dir: Optional[Path] = typer.Option(None, "--run-dir", help="Where pid files live (default /var/run)."),
        data_repo: Optional[Path] = typer.Option(None, "--data-repo",
                                                 help="Data repo to validate (default: cwd if it has vendorci.yaml)."),
        zuul_web: Optional[str] = typer.Option(None, "--zuul-web", metavar="URL",
                                               help="zuul-web root URL (Zuul v3+; default from zuul.conf [web])."),
        stale_after: Optional[str] = typer.Option(
            None, "--stale-after", metavar="DURATION",
            help="gerrit.activity (default 24h): no CI comment for longer; zuul.pipelines/zuul.builds "
                 "(default 2h): items queued or no build for longer."),
        tenant: Optional[str] = typer.Option(None, "--tenant", metavar="NAME",
                                             help="Zuul v3+ tenant to check (default: every tenant)."),
        verbose: bool = typer.Option(False, "--verbose", "-v", help="Full texts (e.g. Zuul config errors)."),
        proc_root: Path = typer.Option(Path("/proc"), "--proc-root", hidden=True),
    ) -> None:
        """Diagnose why jobs do not fire: Gearman, Zuul processes and pid files, Jenkins, Gerrit, data repo.

        Exit 0 when nothing failed, 1 otherwise (--strict: warnings too)."""
        appl = get_app(ctx)

        def run() -> Result:
            from vendorci.checks.runner import available_checks

            if list_:
                checks = available_checks()
                if ids:
                    from vendorci.checks.runner import select

                    checks = select(checks, ids)
                return Result("doctor", {"available": [
                    {"id": c.id, "title": c.title, "requires": list(c.requires)} for c in checks]})
            from vendorci.checks.context import DoctorContext
            from vendorci.durations import parse_duration
            from vendorci.errors import UsageError

            try:
                stale_s = parse_duration(stale_after) if stale_after else None
            except ValueError as exc:
                raise UsageError(f"--stale-after: {exc}", code="bad_duration") from None
            from vendorci.checks.runner import run_doctor
            from vendorci.config import adopted_config_path, default_data_repo

            appl.config_path = adopted_config_path(data_repo, appl.config_path)
            cfg = appl.load_config({
                "zuul.conf": str(zuul_conf) if zuul_conf else None,
                "zuul.layout": str(layout) if layout else None,
                "gearman.server": gearman,
                "zuul.run_dir": str(run_dir) if run_dir else None,
                "zuul.web_url": zuul_web,
                "zuul.tenant": tenant,
                "data_repo": str(data_repo) if data_repo else None,
            }, lenient=True)
            dctx = DoctorContext(
                config=cfg, timeout=timeout, run_dir=Path(str(cfg["zuul.run_dir"] or "/var/run")),
                data_repo=data_repo or default_data_repo(cfg), zuul_web=cfg["zuul.web_url"], proc_root=proc_root,
                options={k: v for k, v in (("stale_after", stale_s), ("tenant", cfg["zuul.tenant"]),
                                            ("verbose", verbose)) if v},
            )
            with appl.progress("running checks"):
                rep = run_doctor(dctx, ids or [], strict=strict)
            return Result("doctor", rep.as_data(), ok=rep.summary["ok"])

        def metrics(result: Result) -> str:
            from vendorci.core.metrics import doctor_metrics

            return doctor_metrics(result.data)

        appl.run("doctor", run, _render, metrics=metrics if not list_ else None)
