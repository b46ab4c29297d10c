"""Safe YAML loading that remembers where each value came from.

Only ``yaml.SafeLoader`` is ever used: tags such as ``!!python/object`` are
rejected, never executed.  Errors carry the file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vendorci.errors import InputError

MAX_YAML_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class Tagged:
    """A value under an application tag the caller allowed (``!encrypted/pkcs1-oaep``): kept, never interpreted."""

    tag: str
    value: Any


def _loader(tags: tuple[str, ...]) -> Any:
    """yaml.SafeLoader, or a subclass of it that also reads ``tags`` as :class:`Tagged` values."""
    import yaml

    if not tags:
        return yaml.SafeLoader

    class TagLoader(yaml.SafeLoader):
        pass

    def construct(loader: Any, node: Any) -> Tagged:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)
        return Tagged(node.tag, value)

    for tag in tags:
        TagLoader.add_constructor(tag, construct)
    return TagLoader


@dataclass
class LoadedYaml:
    path: Path
    data: Any
    lines: dict[tuple, int] = field(default_factory=dict)
    #: (key path, line) of each mapping key given a second time in the same mapping (the last one wins)
    duplicates: list[tuple[tuple, int]] = field(default_factory=list)

    def line(self, *keys: Any) -> int | None:
        """1-based line of the value at ``keys`` (or of its nearest parent)."""
        k = tuple(keys)
        while k:
            if k in self.lines:
                return self.lines[k]
            k = k[:-1]
        return self.lines.get(())


def _index(node: Any, path: tuple, out: dict[tuple, int], dups: list[tuple[tuple, int]],
           visited: set[int] | None = None) -> None:
    import yaml

    out[path] = node.start_mark.line + 1
    visited = set() if visited is None else visited
    if id(node) in visited:  # an alias of a node already indexed: never walk it again (no "billion laughs")
        return
    visited.add(id(node))
    if isinstance(node, yaml.MappingNode):
        keys: set[str] = set()
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else str(knode.start_mark)
            if key in keys and key != "<<":
                dups.append((path + (key,), knode.start_mark.line + 1))
            keys.add(key)
            out[path + (key,)] = knode.start_mark.line + 1
            _index(vnode, path + (key,), out, dups, visited)
            # the key's own line is more useful than the value's for mappings
            out[path + (key,)] = knode.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, path + (i,), out, dups, visited)


def parse_yaml(text: str, path: Path | str = "<string>", tags: tuple[str, ...] = ()) -> LoadedYaml:
    """Parse ``text`` safely; ``tags``: application tags to accept as :class:`Tagged` values."""
    import yaml

    p = Path(path)
    loader = _loader(tags)
    try:
        node = yaml.compose(text, Loader=loader)
        data = yaml.load(text, Loader=loader)  # noqa: S506 - SafeLoader or a subclass adding only Tagged values
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = exc.problem or exc.context or "invalid YAML"
        raise InputError(
            f"{p}{line}: invalid YAML: {problem}",
            code="yaml_syntax",
            hint="Fix the YAML syntax at that line (indentation, quoting, a stray tab).",
            data={"file": str(p), "line": mark.line + 1 if mark else None},
        ) from None
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: invalid YAML: {exc}", code="yaml_syntax") from None
    except RecursionError:  # hostile or broken input: thousands of nested [ or { must not crash vendorci
        raise _too_deep(p) from None
    lines: dict[tuple, int] = {}
    dups: list[tuple[tuple, int]] = []
    if node is not None:
        try:
            _index(node, (), lines, dups)
        except RecursionError:
            raise _too_deep(p) from None
    return LoadedYaml(p, data, lines, dups)


def _too_deep(p: Path) -> InputError:
    return InputError(f"{p}: YAML nested too deeply to read", code="yaml_too_deep",
                      hint="No vendorci file needs more than a few levels of nesting; look for runaway [ or {.")


def load_yaml(path: Path | str, tags: tuple[str, ...] = ()) -> LoadedYaml:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_YAML_BYTES:
            raise InputError(
                f"{p}: file is {size} bytes, larger than the {MAX_YAML_BYTES} bytes vendorci reads",
                code="file_too_large",
            )
        text = p.read_text(encoding="utf-8")
    except InputError:
        raise
    except FileNotFoundError:
        raise InputError(f"{p}: no such file", code="file_missing") from None
    except IsADirectoryError:
        raise InputError(f"{p}: is a directory, expected a file", code="not_a_file") from None
    except UnicodeDecodeError:
        raise InputError(f"{p}: not UTF-8 text", code="not_text") from None
    except OSError as exc:
        raise InputError(f"{p}: cannot read: {exc.strerror}", code="file_unreadable") from None
    return parse_yaml(text, p, tags)
