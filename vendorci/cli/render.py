"""Human rendering shared by commands: check reports as ✓ ! ✗ lines, and tables.

``render_reports`` takes :class:`~vendorci.results.CheckReport` objects or
their ``as_dict()`` form (what a Result's data holds), so doctor, ``node
register`` preflight and ``node check`` print findings the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from vendorci.safetext import cell, visible

#: The one symbol table: check statuses, and validate's finding severities (error, warning).
SYMBOLS = {"ok": "✓", "warn": "!", "warning": "!", "fail": "✗", "skip": "-", "error": "✗"}
STYLES = {"ok": "green", "warn": "yellow", "fail": "red", "skip": "dim", "error": "red"}


def _as_dict(report: Any) -> Mapping[str, Any]:
    return report if isinstance(report, Mapping) else report.as_dict()


def _short_ids(ids: Sequence[str]) -> str:
    """``datarepo.{repo,yaml,keys}`` for ids of one area, else the ids joined."""
    areas = {i.partition(".")[0] for i in ids}
    if len(areas) == 1 and all("." in i for i in ids):
        return f"{areas.pop()}.{{{','.join(i.partition('.')[2] for i in ids)}}}"
    return ",".join(ids)


def group_skips(reports: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive skips that say the same thing (summary, details, fix) become one entry, its id naming them all
    and its summary ending with the count: doctor off a master prints one data-repo line, not seven."""
    out: list[dict[str, Any]] = []
    run_ids: list[list[str]] = []
    for rep in reports:
        key = (rep.get("summary"), tuple(rep.get("details") or ()), rep.get("fix"))
        prev = out[-1] if out else None
        if (rep.get("status") == "skip" and prev is not None and prev.get("status") == "skip"
                and (prev.get("summary"), tuple(prev.get("details") or ()), prev.get("fix")) == key):
            run_ids[-1].append(str(rep.get("id", "")))
            continue
        out.append(dict(rep))
        run_ids.append([str(rep.get("id", ""))])
    for rep, ids in zip(out, run_ids, strict=True):
        if len(ids) > 1:
            rep["id"] = _short_ids(ids)
            rep["summary"] = f"{rep.get('summary', '')} ({len(ids)} checks)"
    return out


def render_reports(console: Any, reports: Iterable[Any], *, show_ids: bool = True, max_details: int = 20) -> None:
    """One line per finding (symbol, id, summary); for anything not ok, its
    details and its fix (a skip's fix says what to configure) indented under it.
    Identical consecutive skips are one line with a count (:func:`group_skips`)."""
    from rich.text import Text

    for rep in group_skips(map(_as_dict, reports)):
        status = str(rep.get("status", "error"))
        line = Text(SYMBOLS.get(status, "?") + " ", style=STYLES.get(status, ""))
        if show_ids:
            line.append(f"{visible(rep.get('id', ''))}: ", style="bold")
        line.append(visible(rep.get("summary", "")))
        console.print(line, soft_wrap=True)
        if status == "ok":
            continue
        for d in (rep.get("details") or [])[:max_details]:
            console.print(Text("    " + visible(d)), soft_wrap=True)
        for i, fix_line in enumerate(str(rep.get("fix") or "").splitlines()):
            console.print(Text(("    fix: " if i == 0 else "         ") + visible(fix_line), style="cyan"),
                          soft_wrap=True)


def render_table(console: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]], title: str | None = None,
                 keep_whole: int = 1) -> None:
    """Fits its reader: a table on a terminal (ids kept whole), plain aligned rows when piped (render_plain)."""
    from vendorci.cli import render_plain

    render_plain.render_table(console, columns, rows, keep_whole=keep_whole, title=title)


def cells(row: Iterable[Any], limit: int = 200) -> list[Any]:
    """Table cells as literal ``Text`` (never markup), one line each, control characters
    escaped and length bounded: what every table vendorci prints must use."""
    from rich.text import Text

    return [Text(cell(v, limit)) for v in row]


_console_class: Any = None


def make_console(stderr: bool = False) -> Any:
    """The only console the CLI prints with: it never interprets markup in a string and
    escapes any control character that reaches it, in strings and in ``Text`` alike
    (line feeds and tabs vendorci composed itself are kept)."""
    global _console_class
    if _console_class is None:
        from rich.console import Console
        from rich.segment import Segment

        class SafeConsole(Console):
            def render_str(self, text: str, **kw: Any) -> Any:
                kw["markup"] = False
                kw["emoji"] = False
                return super().render_str(visible(text, keep_newlines=True), **kw)

            def render(self, renderable: Any, options: Any = None) -> Any:
                for seg in super().render(renderable, options):
                    if seg.control is None and seg.text and not seg.text.isprintable():
                        safe = visible(seg.text, keep_newlines=True)
                        yield seg if safe == seg.text else Segment(safe, seg.style)
                    else:
                        yield seg

        _console_class = SafeConsole
    import os

    console = _console_class(stderr=stderr, highlight=False, soft_wrap=False, emoji=False, markup=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        from vendorci.cli.render_plain import PIPE_WIDTH

        console.width = PIPE_WIDTH  # piped: values are printed whole, never wrapped at 80 columns
        console.soft_wrap = True
    return console
