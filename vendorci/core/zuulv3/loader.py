"""Find Zuul v3 config projects and read their stanzas with file and line.

Zuul reads the first of ``zuul.yaml``, ``zuul.d/``, ``.zuul.yaml``,
``.zuul.d/`` a project has (warning about the others), and from a directory
every ``*.yaml`` file below it, in name order, except under a directory
holding a ``.zuul.ignore`` file.  Each file is a list of one-key mappings
(``- job: {...}``).  YAML is read with the safe loader; Zuul's own tags
(``!encrypted/pkcs1-oaep``, ``!override``, ``!inherit``) are accepted and kept
as opaque values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import Code, VendorciError
from vendorci.results import Finding
from vendorci.yamlutil import LoadedYaml, load_yaml

CONF_ROOTS = ("zuul.yaml", "zuul.d", ".zuul.yaml", ".zuul.d")
TAGS = ("!encrypted/pkcs1-oaep", "!override", "!inherit")
#: Stanzas vendorci checks attribute by attribute.
CHECKED = ("pipeline", "job", "project", "project-template", "nodeset", "secret", "semaphore", "queue")
#: Further stanzas Zuul knows (pragmas; zuul-launcher's images, flavors, labels, sections, providers).
OTHER_KNOWN = ("pragma", "image", "flavor", "label", "section", "provider")
MAX_FILES = 500
_SKIP_DIRS = {".git", "__pycache__"}


@dataclass
class Stanza:
    """One ``- KIND: {...}`` item of a config file."""

    kind: str
    body: Any
    doc: LoadedYaml
    index: int
    rel: str  # the file, relative to the directory validate was given

    @property
    def name(self) -> str | None:
        name = self.body.get("name") if isinstance(self.body, dict) else None
        return name if isinstance(name, str) else None

    def line(self, *keys: Any) -> int | None:
        return self.doc.line(self.index, self.kind, *keys)


@dataclass
class ConfigProject:
    root: Path
    conf_root: Path | None = None  # the zuul.yaml / zuul.d Zuul reads
    files: list[Path] = field(default_factory=list)
    stanzas: list[Stanza] = field(default_factory=list)
    problems: list[Finding] = field(default_factory=list)

    def of(self, kind: str) -> list[Stanza]:
        return [s for s in self.stanzas if s.kind == kind]


def has_config(directory: Path) -> bool:
    return any((directory / r).is_dir() if r.endswith(".d") else (directory / r).is_file() for r in CONF_ROOTS)


def find_config_projects(directory: str | Path) -> list[Path]:
    """``directory`` itself when it is a config project, else its direct subdirectories that are."""
    root = Path(directory)
    if not root.is_dir():
        return []
    if has_config(root):
        return [root]
    return [d for d in sorted(root.iterdir()) if d.is_dir() and d.name not in _SKIP_DIRS and has_config(d)]


def _rel(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _yaml_files(conf_root: Path) -> list[Path]:
    if conf_root.is_file():
        return [conf_root]
    ignored: list[Path] = []
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(conf_root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
        here = Path(dirpath)
        if ".zuul.ignore" in filenames:
            ignored.append(here)
        out += [here / f for f in filenames if f.endswith(".yaml")]
    return sorted(p for p in out if not any(ig == p.parent or ig in p.parents for ig in ignored))


def load_config_project(root: Path, base: Path) -> ConfigProject:
    """Read the config project at ``root``; findings name files relative to ``base``."""
    cp = ConfigProject(root)
    present = [root / r for r in CONF_ROOTS if (root / r).exists()]
    if not present:
        return cp
    cp.conf_root = present[0]
    for other in present[1:]:
        cp.problems.append(Finding(
            "warning", Code.ZUULV3_IGNORED_CONFIG, f"Zuul reads only {cp.conf_root.name} and ignores {other.name} "
            "in the same project", _rel(other, base), None,
            f"Move the stanzas of {other.name} into {cp.conf_root.name} and remove {other.name}."))
    if cp.conf_root.is_dir():
        for dirpath, _dirs, filenames in os.walk(cp.conf_root):
            for f in sorted(filenames):
                if f.endswith(".yml"):
                    cp.problems.append(Finding(
                        "warning", Code.ZUULV3_IGNORED_FILE, f"{f}: Zuul reads only files ending in .yaml",
                        _rel(Path(dirpath) / f, base), None, f"Rename it to {f[:-4]}.yaml."))
    cp.files = _yaml_files(cp.conf_root)[:MAX_FILES]
    for path in cp.files:
        _load_file(cp, path, base)
    return cp


def _load_file(cp: ConfigProject, path: Path, base: Path) -> None:
    rel = _rel(path, base)
    try:
        doc = load_yaml(path, TAGS)
    except VendorciError as err:
        data = err.data or {}
        msg = err.message
        if msg.startswith(str(path)):
            msg = msg[len(str(path)):].lstrip(":0123456789 ")
        code = err.code if err.code.startswith("yaml") else f"yaml_{err.code}"
        cp.problems.append(Finding("error", code, msg, rel, data.get("line"), err.hint))
        return
    for keys, line in doc.duplicates:
        cp.problems.append(Finding(
            "error", Code.YAML_DUPLICATE_KEY, f"the key '{keys[-1]}' appears twice in the same mapping; Zuul "
            "refuses duplicate keys", rel, line, "Remove one of them (merge their values)."))
    data = doc.data
    if data is None:
        return
    if not isinstance(data, list):
        cp.problems.append(Finding("error", Code.ZUULV3_STRUCTURE, "a Zuul config file must be a list of "
                                   "'- KIND: {...}' items", rel, doc.line(), "Start each item with '- job:', "
                                   "'- project:', '- pipeline:' ..."))
        return
    for i, item in enumerate(data):
        if not isinstance(item, dict) or len(item) != 1:
            cp.problems.append(Finding(
                "error", Code.ZUULV3_STRUCTURE, "each item must be a mapping with exactly one key (the stanza type)",
                rel, doc.line(i), "Write '- job:' then the job's attributes indented below it."))
            continue
        kind, body = next(iter(item.items()))
        if kind not in CHECKED and kind not in OTHER_KNOWN:
            import difflib

            close = difflib.get_close_matches(str(kind), CHECKED + OTHER_KNOWN, n=1)
            cp.problems.append(Finding(
                "error", Code.ZUULV3_UNKNOWN_STANZA, f"unknown configuration item '{kind}'", rel, doc.line(i),
                f"Did you mean '{close[0]}'?" if close else "Zuul knows: " + ", ".join(CHECKED) + "."))
            continue
        if not isinstance(body, dict):
            cp.problems.append(Finding("error", Code.ZUULV3_STRUCTURE, f"'{kind}' must be a mapping of attributes",
                                       rel, doc.line(i), f"Indent the {kind}'s attributes below '- {kind}:'."))
            continue
        cp.stanzas.append(Stanza(str(kind), body, doc, i, rel))
