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
#: nodes a document may stand for once its aliases are expanded (a "billion laughs" needs billions)
MAX_YAML_NODES = 1_000_000


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


#: Above this nesting (brackets, or indentation in columns), YAML is parsed by the pure-Python loader.
_MAX_FAST_DEPTH = 64
_MAX_FAST_INDENT = 256


def _shallow(text: str) -> bool:
    """True when no bracket nesting or indentation could be deep (an over-estimate: quotes are not skipped)."""
    depth = deepest = 0
    for ch in text:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}" and depth:
            depth -= 1
    if deepest > _MAX_FAST_DEPTH:
        return False
    return all(len(line) - len(line.lstrip(" ")) <= _MAX_FAST_INDENT for line in text.splitlines())


_CONFLICT = ("<<<<<<< ", ">>>>>>> ")
#: what a file with a merge-conflict marker is told (the YAML error that follows is only its symptom)
CONFLICT_MESSAGE = "invalid YAML: a git merge-conflict marker is left in the file"
CONFLICT_HINT = "Resolve the merge conflict (keep one side, remove the <<<<<<< ======= >>>>>>> lines)."


def conflict_marker(text: str) -> int | None:
    """1-based line of the first git merge-conflict marker (``<<<<<<< ``, ``=======``, ``>>>>>>> ``), or None."""
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(_CONFLICT) or line.rstrip() in ("<<<<<<<", "=======", ">>>>>>>"):
            return n
    return None


def parse_yaml(text: str, path: Path | str = "<string>", tags: tuple[str, ...] = ()) -> LoadedYaml:
    """Parse ``text`` safely; ``tags``: application tags to accept as :class:`Tagged` values."""
    import yaml

    p = Path(path)
    loader = _loader(tags)
    try:
        # one parse: the node tree gives the lines, the same tree gives the data.  libyaml's loader (5x faster)
        # only for shallow text without application tags: on hostile nesting its C recursion crashes where
        # the pure-Python SafeLoader raises RecursionError.
        fast = getattr(yaml, "CSafeLoader", None)
        if not tags and fast is not None and _shallow(text):
            loader = fast
        parser = loader(text)
        try:
            node = parser.get_single_node()
            if node is not None:
                _check_expansion(node, p)  # an alias bomb is refused before it is expanded
            data = parser.construct_document(node) if node is not None else None
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        marker = conflict_marker(text)
        if marker is not None:  # the YAML error is a symptom: name the cause, at its line
            raise InputError(f"{p}:{marker}: {CONFLICT_MESSAGE}", code="yaml_syntax", hint=CONFLICT_HINT,
                             data={"file": str(p), "line": marker}) from None
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


def _check_expansion(root: Any, p: Path) -> None:
    """Refuse a document whose aliases would expand to more than MAX_YAML_NODES nodes.

    Composing shares an anchored node between its aliases, so the document itself is small; anything
    that walks it (indexing lines, validating, dumping JSON) would visit every expanded copy.  The
    expanded size is counted once per distinct node (memoized), so this takes time linear in the text.
    """
    import yaml

    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Any) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:  # a recursive alias (an anchor used inside itself)
            raise InputError(f"{p}: YAML refers to itself through an alias", code="yaml_recursive",
                             hint="Remove the alias that points at the node containing it.")
        active.add(key)
        n = 1
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                n += size(k) + size(v)
                if n > MAX_YAML_NODES:
                    break
        elif isinstance(node, yaml.SequenceNode):
            for v in node.value:
                n += size(v)
                if n > MAX_YAML_NODES:
                    break
        active.discard(key)
        if n > MAX_YAML_NODES:
            raise InputError(f"{p}: YAML aliases expand to more than {MAX_YAML_NODES} values; refused",
                             code="yaml_too_large", hint="An anchor (&) reused through aliases (*) many times "
                             "over (a 'billion laughs'): no vendorci file needs that; remove the aliases.")
        sizes[key] = n
        return n

    size(root)


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
