"""Safe YAML reading that remembers where every key and item stood.

Positions are 1-based (line, column). Tags, merge keys and anchors beyond a small limit are
refused, so a hostile document cannot make the loader do unbounded work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

__all__ = ["MAX_ALIASES", "MAX_BYTES", "Positions", "YamlProblem", "parse_yaml"]

MAX_BYTES = 5 * 1024 * 1024
MAX_ALIASES = 100

PathKey = tuple[str | int, ...]


@dataclass
class Positions:
    """Maps a YAML path (keys and indexes) to the (line, column) of its key or item."""

    keys: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    values: dict[PathKey, tuple[int, int]] = field(default_factory=dict)

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


def _plain(node: Any, path: PathKey, pos: Positions) -> Any:
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
            out[k] = _plain(value, child, pos)
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
            items.append(_plain(value, child, pos))
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


def parse_yaml(text: str) -> tuple[Any, Positions]:
    """Parse YAML (or JSON) text into plain Python values plus the positions of every key.

    Raises ``YamlProblem`` with the position of a syntax error, a tag, or too many aliases.
    """
    if len(text.encode("utf-8", errors="replace")) > MAX_BYTES:
        raise YamlProblem(1, 1, f"the document is larger than {MAX_BYTES // (1024 * 1024)} MiB")
    aliases = text.count("*")
    if aliases > MAX_ALIASES and "&" in text:
        # Only documents that define anchors can use aliases; a cheap pre-check, then exact below.
        pass
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        events = list(yaml.parse(text))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(line, col, f"YAML syntax error: {exc.problem or exc.context}") from None
    n_alias = 0
    for ev in events:
        name = type(ev).__name__
        if name == "AliasEvent":
            n_alias += 1
            if n_alias > MAX_ALIASES:
                m = ev.start_mark
                raise YamlProblem(m.line + 1, m.column + 1, f"more than {MAX_ALIASES} YAML aliases")
        tag = getattr(ev, "tag", None)
        if tag and not str(tag).startswith("tag:yaml.org,2002:"):
            m = ev.start_mark
            raise YamlProblem(m.line + 1, m.column + 1, f"YAML tag {tag} is not allowed in a contract")
    try:
        doc = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(line, col, f"YAML error: {exc.problem or exc.context}") from None
    except Exception as exc:
        raise YamlProblem(1, 1, f"YAML error: {exc}") from None
    pos = Positions()
    return _plain(doc, (), pos), pos
