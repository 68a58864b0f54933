"""Safe YAML reading that remembers where every key and item stood.

Positions are 1-based (line, column). Explicit tags (``!!python/...``, ``!foo``, even ``!!str``),
duplicate keys, more than ``MAX_ALIASES`` aliases, documents over ``MAX_BYTES`` and documents
whose aliases expand to more than ``MAX_NODES`` values are refused before anything is built, so
a hostile document cannot make the loader run code or do unbounded work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

__all__ = ["MAX_ALIASES", "MAX_BYTES", "MAX_NODES", "Positions", "YamlProblem", "parse_yaml"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 100
# Values after aliases are expanded: a "billion laughs" document stays small on disk but not here.
MAX_NODES = 500_000

PathKey = tuple[str | int, ...]


@dataclass
class Positions:
    """Maps a YAML path (keys and indexes) to the (line, column) of its key or item."""

    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)  # the source text, to place positions inside values

    def key(self, path: PathKey) -> tuple[int, int]:
        """Where the key of ``path`` stands; the nearest known ancestor when it does not exist."""
        p = tuple(path)
        while p:
            if p in self.keys:
                return self.keys[p]
            p = p[:-1]
        return (1, 1)

    def value(self, path: PathKey) -> tuple[int, int]:
        p = tuple(path)
        if p in self.values:
            return self.values[p]
        return self.key(p)


@dataclass(frozen=True)
class YamlProblem(Exception):
    line: int
    column: int
    message: str
    code: str = "yaml-syntax"


class _Budget:
    def __init__(self, limit: int) -> None:
        self.left = limit

    def spend(self) -> None:
        self.left -= 1
        if self.left < 0:
            raise YamlProblem(1, 1, f"the document expands to more than {MAX_NODES} values (through YAML "
                                    "aliases?); write the values out instead of repeating anchors", "yaml-alias-bomb")


def _plain(node: Any, path: PathKey, pos: Positions, budget: _Budget) -> Any:
    budget.spend()
    if isinstance(node, CommentedMap):
        out: dict[str, Any] = {}
        for key, value in node.items():
            k = str(key)
            child = (*path, k)
            try:
                kl, kc = node.lc.key(key)
                pos.keys[child] = (kl + 1, kc + 1)
                vl, vc = node.lc.value(key)
                pos.values[child] = (vl + 1, vc + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            out[k] = _plain(value, child, pos, budget)
        return out
    if isinstance(node, CommentedSeq):
        items: list[Any] = []
        for i, value in enumerate(node):
            child = (*path, i)
            try:
                il, ic = node.lc.item(i)
                pos.keys[child] = (il + 1, ic + 1)
                pos.values[child] = (il + 1, ic + 1)
            except (KeyError, TypeError, AttributeError):
                pass
            items.append(_plain(value, child, pos, budget))
        return items
    if isinstance(node, dt.datetime):
        return node.isoformat()
    if isinstance(node, dt.date):
        return node.isoformat()
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool):
        return bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


def _explain(exc: MarkedYAMLError) -> str:
    """The problem, plus where the construct it belongs to started when that is elsewhere."""
    text = str(exc.problem or exc.context)
    ctx, start, end = exc.context, exc.context_mark, exc.problem_mark
    if exc.problem and ctx and start is not None and (end is None or start.line != end.line):
        text += f" ({ctx} that starts at line {start.line + 1}, column {start.column + 1})"
    return text


def _mark(exc: BaseException) -> tuple[int, int]:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


def parse_yaml(text: str) -> tuple[Any, Positions]:
    """Parse YAML (or JSON) text into plain Python values plus the positions of every key.

    Raises ``YamlProblem`` with the position of a syntax error, a duplicate key, a tag, too many
    aliases, or a document too large (in bytes, or in values once aliases are expanded).
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise YamlProblem(1, 1, f"the document is larger than {MAX_BYTES // (1024 * 1024)} MiB; "
                                "split the contract", "too-large")
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        constructor, _parser = yaml.get_constructor_parser(text)
        node = constructor.composer.get_single_node()
    except MarkedYAMLError as exc:
        line, col = _mark(exc)
        raise YamlProblem(line, col, f"YAML syntax error: {_explain(exc)}") from None
    if node is None:
        doc: Any = None
    else:
        _screen(node, constructor.resolver)
        try:
            doc = constructor.construct_document(node)
        except DuplicateKeyError as exc:
            line, col = _mark(exc)
            raise YamlProblem(line, col, f"YAML error: {exc.problem}; keep only one of them",
                              "yaml-duplicate-key") from None
        except MarkedYAMLError as exc:
            line, col = _mark(exc)
            raise YamlProblem(line, col, f"YAML error: {exc.problem or exc.context}") from None
        except Exception as exc:
            raise YamlProblem(1, 1, f"YAML error: {exc}") from None
    pos = Positions(lines=text.splitlines())
    return _plain(doc, (), pos, _Budget(MAX_NODES)), pos


_MAP, _SEQ = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"


def _screen(root: Node, resolver: Any) -> None:
    """Refuse explicit tags and alias bombs on the composed node graph, before anything is built.

    The composer shares one node for an anchor and all its aliases, so the expanded size of the
    document is counted exactly (once per node, memoised) without expanding it.
    """
    sizes: dict[int, int] = {}
    aliases = 0

    def size(node: Node, at: Node) -> int:
        nonlocal aliases
        key = id(node)
        if key in sizes:  # a second reference to a node: an alias (reported at its key, or its list)
            aliases += 1
            if aliases > MAX_ALIASES:
                line, col = _mark_of(at)
                raise YamlProblem(line, col, f"more than {MAX_ALIASES} YAML aliases; write the values out instead",
                                  "yaml-alias-bomb")
            return sizes[key]
        _check_tag(node, resolver)
        sizes[key] = 1  # a node that (through an alias) contains itself counts once
        total = 1
        if isinstance(node, MappingNode):
            for k, v in node.value:
                total += size(k, k) + size(v, k)
        elif isinstance(node, SequenceNode):
            for v in node.value:
                total += size(v, node)
        if total > MAX_NODES:
            line, col = _mark_of(at)
            raise YamlProblem(line, col, f"the document expands to more than {MAX_NODES} values through YAML "
                                         "aliases; write the values out instead of repeating anchors", "yaml-alias-bomb")
        sizes[key] = total
        return total

    size(root, root)


def _check_tag(node: Node, resolver: Any) -> None:
    tag = str(node.tag)
    if isinstance(node, ScalarNode):
        implicit = (node.style is None, node.style is not None)
        explicit = tag != str(resolver.resolve(ScalarNode, node.value, implicit))
    else:
        explicit = tag != (_MAP if isinstance(node, MappingNode) else _SEQ)
    if explicit:
        line, col = _mark_of(node)
        shown = tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlProblem(line, col, f"YAML tag {shown} is not allowed in a contract; remove it", "yaml-tag")


def _mark_of(event: Any) -> tuple[int, int]:
    m = event.start_mark
    return (m.line + 1, m.column + 1)
