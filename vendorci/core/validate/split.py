"""Checks of a layout split over several files: names defined twice (in one file or across files), and what
Zuul 2 would make of the files concatenated into one YAML document (see :mod:`vendorci.core.layoutsplit`)."""

from __future__ import annotations

from vendorci.core.layout import Layout
from vendorci.core.validate.context import Run

_WHAT = {"pipelines": "pipeline", "jobs": "job setting", "project-templates": "project-template",
         "projects": "project"}


def check_duplicates(c: Run, lay: Layout, section: str) -> None:
    """Zuul 2.5's layout validator refuses a name given twice in pipelines, jobs, project-templates, projects."""
    first: dict[str, int] = {}
    kept = lay.split.kept_by_concat(section) if lay.split is not None else 0
    for i, item in enumerate(lay.data.get(section) or []):
        name = item.get("name") if isinstance(item, dict) else None
        if not isinstance(name, str):
            continue
        if name not in first:
            first[name] = i
            continue
        j = first[name]
        f0, l0 = lay.at(section, j)
        f1, l1 = lay.at(section, i)
        msg = (f"{_WHAT[section]} '{name}' is defined twice (first at {c.repo.rel(f0)}:{l0}): Zuul 2 refuses "
               f"duplicate names ('Duplicate name: {name}')")
        if f0 != f1 and j < kept:
            msg += (f"; concatenated into one YAML document, only the last file's '{section}:' is kept, so Zuul 2 "
                    f"would load this one and silently drop every {_WHAT[section]} of {c.repo.rel(f0)}")
        c.add("error", "layout_duplicate", msg, f1, l1, "Keep one definition (merge the two entries).")


def check_split(c: Run, lay: Layout) -> None:
    """A section that several files give as a top-level key: validate merges the lists; ``cat`` would not."""
    assert lay.split is not None
    for section, given in lay.split.sections.items():
        if len(given) < 2:
            continue
        last_file, last_line = given[-1][0], given[-1][1]
        dropped = sum(n for _, _, n, _ in given[:-1])
        where = ", ".join(f"{c.repo.rel(f)}:{line}" for f, line, _, _ in given)
        c.add("warning", "layout_split_concat",
              f"'{section}:' is a top-level key of {len(given)} layout files ({where}): validate merges their "
              f"lists in that order, but concatenated into one YAML document (as Zuul 2 reads one file) the key is "
              f"given {len(given)} times and Zuul 2 keeps only the last ({c.repo.rel(last_file)}): it would "
              f"silently drop {dropped} {section} entr{'y' if dropped == 1 else 'ies'} of the other files",
              last_file, last_line,
              f"Have the deploy step merge the lists, or give '{section}:' in one file only and continue it in the "
              "files after it with bare '  - name: ...' items (a file that is a list continues the previous "
              "file's last section).")
