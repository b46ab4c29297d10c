"""A Zuul v2 layout split over several files, merged into one, every item remembering its file and line.

Zuul 2.5 reads one ``layout_config`` file; repositories that split it
(``zuul/layout.d/*.yaml``, several ``--layout`` files) rely on a deploy step
that joins the parts.  The merge defined here: the files in the order given
(a folder: its ``*.yaml``/``*.yml`` files, recursively, sorted by their path
inside it); each file is a mapping whose top-level lists (``includes``,
``pipelines``, ``project-templates``, ``jobs``, ``projects``) are appended, in
that order, to the merged lists; a file that is itself a list continues the
last section of the file before it (what ``cat`` makes of a file of bare
``  - name: ...`` items).  Any other top-level key keeps its first value.

What Zuul 2 would make of the same files concatenated into one YAML document
is reported by :mod:`vendorci.core.validate.layout` from :attr:`Split.sections`:
a section given by two files is one key twice in one mapping, and PyYAML (what
Zuul 2 loads with) silently keeps the last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import InputError
from vendorci.yamlutil import LoadedYaml, load_yaml

SECTIONS = ("includes", "pipelines", "project-templates", "jobs", "projects")
#: Folders (relative to the data repo) that hold a split layout, tried when no single layout file exists.
SPLIT_CANDIDATES = ("etc/zuul/layout.d", "zuul/layout.d", "etc/zuul/layout", "zuul/layout", "layout.d")


@dataclass
class Split:
    """Where each merged item came from."""

    files: list[Path]
    #: (section, merged index) -> file; (key,) -> the first file that has the top-level key
    origin: dict[tuple, Path] = field(default_factory=dict)
    #: section -> [(file, line of the section key, number of items, merged index of its first item)] for every
    #: file that gives the section as a top-level key
    sections: dict[str, list[tuple[Path, int, int, int]]] = field(default_factory=dict)

    def kept_by_concat(self, section: str) -> int:
        """Concatenated into one YAML document, the section is the last file's key (PyYAML keeps the last of a
        key given twice): the merged index from which items survive (continuation files after it included)."""
        given = self.sections.get(section) or []
        return given[-1][3] if given else 0


def split_files(paths: Iterable[Path]) -> list[Path]:
    """The layout files of ``paths`` (files as given; folders: their YAML files sorted by path), no repeats."""
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        found = sorted((f for f in p.rglob("*") if f.suffix in (".yaml", ".yml") and f.is_file()),
                       key=lambda f: f.relative_to(p).as_posix()) if p.is_dir() else [p]
        for f in found:
            if f.resolve() not in seen:
                seen.add(f.resolve())
                out.append(f)
    return out


def find_split_layout(root: Path) -> Path | None:
    """The first split-layout folder of the data repo that holds a YAML file, or None."""
    for cand in SPLIT_CANDIDATES:
        p = root / cand
        if p.is_dir() and split_files([p]):
            return p
    return None


def load_split(paths: list[Path]) -> tuple[LoadedYaml, Split]:
    """Load and merge the layout files (InputError with file:line when one is unusable)."""
    files = split_files(paths)
    if not files:
        raise InputError(f"{', '.join(map(str, paths))}: no layout file (*.yaml) there", code="layout_invalid",
                         hint="Give --layout a layout file or a folder of them.", data={"file": str(paths[0])})
    return merge([load_yaml(f) for f in files])


def merge(parts: list[LoadedYaml]) -> tuple[LoadedYaml, Split]:
    """One LoadedYaml for ``parts`` (lines as in each part's own file) and where each item came from."""
    split = Split([p.path for p in parts])
    data: dict[str, Any] = {}
    lines: dict[tuple, int] = {(): 1}
    merged = LoadedYaml(parts[0].path, data, lines)
    last: str | None = None
    for part in parts:
        index = _head_index(part)
        if isinstance(part.data, list) and last is not None:
            _append(index, (), last, part.data, data, lines, split, part.path)
            continue
        if part.data is None:
            continue
        if not isinstance(part.data, dict):
            raise InputError(f"{part.path}:{part.line() or 1}: a layout file must be a mapping (pipelines, projects, "
                             "...), or a list continuing the previous file's last section", code="layout_invalid",
                             hint="Start the file with a section such as 'projects:'.",
                             data={"file": str(part.path), "line": part.line() or 1})
        for key, value in part.data.items():
            if not isinstance(key, str) or key not in SECTIONS:
                if key not in data:
                    data[key] = value
                    split.origin[(key,)] = part.path
                    _copy_lines(index, (key,), (key,), lines)
                continue
            split.origin.setdefault((key,), part.path)
            lines.setdefault((key,), part.line(key) or 1)
            if value is not None and not isinstance(value, list):
                raise InputError(f"{part.path}:{part.line(key) or 1}: '{key}' must be a list", code="layout_invalid",
                                 hint=f"Write '{key}:' followed by '  - name: ...' entries.",
                                 data={"file": str(part.path), "line": part.line(key) or 1})
            split.sections.setdefault(key, []).append((part.path, part.line(key) or 1, len(value or []),
                                                       len(data.get(key) or [])))
            _append(index, (key,), key, value or [], data, lines, split, part.path)
            last = key
    merged.duplicates = [d for p in parts for d in p.duplicates]
    return merged, split


Index = dict[tuple, list[tuple[tuple, int]]]


def _head_index(part: LoadedYaml) -> Index:
    """The part's line entries grouped by their first key and by their first two keys (built once per file)."""
    index: Index = {}
    for k, v in part.lines.items():
        if k:
            index.setdefault(("#1",) + k[:1], []).append((k, v))
        if len(k) >= 2:
            index.setdefault(k[:2], []).append((k, v))
    return index


def _append(index: Index, src: tuple, key: str, items: list, data: dict[str, Any], lines: dict[tuple, int],
            split: Split, path: Path) -> None:
    target = data.setdefault(key, [])
    base = len(target)
    target.extend(items)
    for i in range(len(items)):
        split.origin[(key, base + i)] = path
        _copy_lines(index, src + (i,), (key, base + i), lines)


def _copy_lines(index: Index, src: tuple, dst: tuple, lines: dict[tuple, int]) -> None:
    """Every line entry under ``src``, re-keyed under ``dst``: each item costs its own size."""
    n = len(src)
    found = index.get(("#1",) + src, []) if n == 1 else [
        (k, v) for k, v in index.get(src[:2], []) if k[:n] == src]
    for k, v in found:
        lines[dst + k[n:]] = v
