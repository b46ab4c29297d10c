"""`vendorci validate [DIR]`: check a data repository without touching any server."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from vendorci.cli.app import get_app
from vendorci.cli.render import SYMBOLS
from vendorci.output import Result


def _render(console: Any, result: Result) -> None:
    d = result.data
    for f in d["findings"]:
        loc = f"{f['file']}:{f['line']}" if f.get("line") else (f.get("file") or "")
        console.print(f"{SYMBOLS[f['severity']]} {loc + ': ' if loc else ''}{f['message']} [{f['code']}]",
                      markup=False, soft_wrap=True)
        if f.get("hint"):
            console.print(f"    fix: {f['hint']}", markup=False, soft_wrap=True)
    for note in d.get("notes", []):
        console.print(f"note: {note}", markup=False, soft_wrap=True)
    c = d["counts"]
    mark = "✓" if not c["error"] else "✗"
    console.print(f"{mark} {d['path']}: {c['error']} error(s), {c['warning']} warning(s)", markup=False, soft_wrap=True)


def validate(
    ctx: typer.Context,
    directory: Path = typer.Argument(Path("."), metavar="[DIR]", help="The data repository (default: here)."),
    strict: bool = typer.Option(False, "--strict", help="Warnings fail too (exit 1)."),
    layout: list[Path] = typer.Option([], "--layout", help="The Zuul v2 layout: a file, or a folder of files "
                                      "(repeatable: a layout split over several files, merged in the order given; "
                                      "default: discovered)."),
    jjb: list[Path] = typer.Option([], "--jjb", help="A Jenkins Job Builder folder or file (repeatable; "
                                   "default: discovered)."),
    external_jobs: bool = typer.Option(False, "--external-jobs", help="Jenkins also has jobs this JJB does not "
                                       "define: a job the layout runs but JJB lacks is a warning."),
) -> None:
    """Check a data repo: YAML syntax, the Zuul v2 layout, that every job is defined by JJB, regexes,
    vars.sh against the files that use it, key files and modes; or a Zuul v3 config project (zuul.d/), its
    zuul.conf and tenant file, and the upstream's third-party policy. Exit 1 on any error."""
    from vendorci.core.validate import validate_report

    def run() -> Result:
        from vendorci.errors import Code, OperationFailed

        report = validate_report(directory, list(layout), list(jjb), external_jobs)
        findings = report.findings
        counts = {"error": sum(f.severity == "error" for f in findings),
                  "warning": sum(f.severity == "warning" for f in findings)}
        ok = counts["error"] == 0 and (not strict or counts["warning"] == 0)
        data = {"path": str(directory), "counts": counts, "findings": [f.as_dict() for f in findings],
                "notes": list(report.notes)}
        problems = [] if ok else [OperationFailed(f"{counts['error']} error(s), {counts['warning']} warning(s) in "
                                                  f"{directory}", code=Code.VALIDATION_FAILED,
                                                  hint="Fix the findings above.")]
        return Result("validate", data, ok=ok, errors=[e.as_dict() for e in problems])

    get_app(ctx).run("validate", run, _render)


def register(app: typer.Typer) -> None:
    """Add the command to the root app."""
    app.command("validate")(validate)
