"""Output that fits its reader: the console's width policy and plain rows for pipes.

On a terminal, rich lays tables out to the terminal's width; identifiers (the first columns a caller names) are
kept whole and the descriptive columns wrap at word boundaries.  Piped or redirected, nothing is wrapped or cut at
an assumed 80 columns: the console gets an unbounded width and tables become plain aligned rows, one record per
line, written without the table engine (10,000 Gearman functions print in milliseconds).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

#: the width given to a console that is not a terminal: wide enough never to wrap a real value
PIPE_WIDTH = 1 << 16
ALIGN_MAX = 120  # columns are aligned up to this width; longer values overflow their column


def write_lines(console: Any, lines: Iterable[str]) -> None:
    """Write text straight to the console's file: no markup, no wrapping, no per-line layout."""
    out = console.file
    out.write("".join(f"{line}\n" for line in lines))
    out.flush()


def plain_rows(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Aligned columns (two spaces apart, the last one unpadded), a header line first."""
    # a huge value (a peer's name) is printed whole but does not pad every other row to its width
    widths = [min(ALIGN_MAX, max([len(c)] + [len(r[i]) for r in rows])) for i, c in enumerate(columns)]
    fmt = "  ".join(f"%-{w}s" for w in widths[:-1]) + ("  %s" if len(columns) > 1 else "%s")
    return [(fmt % tuple(r)).rstrip() for r in [list(columns), *rows]]


def fit_table(console: Any, columns: Sequence[str], rows: Sequence[Sequence[str]], *, keep_whole: int = 1,
              title: str | None = None) -> None:
    """A table for a terminal: the first ``keep_whole`` columns never wrap or shrink below their longest value;
    the others wrap at spaces (and fold only a word longer than the column)."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title) if title else None, box=box.SIMPLE, show_edge=False, highlight=False)
    for i, col in enumerate(columns):
        if i < keep_whole:
            longest = max([len(col)] + [len(r[i]) for r in rows])
            table.add_column(col, no_wrap=True, min_width=longest, overflow="ignore")
        else:
            table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))  # literal: a value is never rich markup
    console.print(table)


def render_table(console: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]], *, keep_whole: int = 1,
                 title: str | None = None) -> None:
    """Terminal: :func:`fit_table`; otherwise plain aligned rows (the title, if any, as a first line)."""
    from vendorci.safetext import cell, visible

    if console.is_terminal:  # literal, one line, control characters made visible, bounded
        cells = [["" if v is None else cell(v) for v in row] for row in rows]
    else:  # piped: whole values, control characters made visible
        cells = [["" if v is None else visible(str(v)) for v in row] for row in rows]
    if console.is_terminal:
        fit_table(console, columns, cells, keep_whole=keep_whole, title=title)
        return
    write_lines(console, ([title] if title else []) + plain_rows(columns, cells))
