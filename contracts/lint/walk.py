"""Walking the plain contract data: schema objects, properties, rules; and the problem collector."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from contracts.lint.codes import CODES
from contracts.loader import format_path
from contracts.problems import Problem
from contracts.yamlsrc import Positions

__all__ = [
    "Ctx",
    "PathKey",
    "RuleAt",
    "column_names",
    "describe",
    "enumerate_dicts",
    "is_number",
    "iter_objects",
    "iter_properties",
    "iter_rules",
    "object_names",
    "table_columns",
]

PathKey = tuple[str | int, ...]


@dataclass
class Ctx:
    data: dict[str, Any]
    pos: Positions
    display: str
    out: list[Problem] = field(default_factory=list)

    def add(self, path: PathKey, code: str, message: str, *, at: str = "key") -> None:
        assert code in CODES, code
        line, col = self.pos.value(path) if at == "value" else self.pos.key(path)
        self.out.append(Problem(self.display, line, col, format_path(path), code, message))


def iter_objects(data: dict[str, Any]) -> Iterator[tuple[PathKey, dict[str, Any]]]:
    schema = data.get("schema")
    if isinstance(schema, list):
        for i, obj in enumerate(schema):
            if isinstance(obj, dict):
                yield ("schema", i), obj


def iter_properties(path: PathKey, node: dict[str, Any]) -> Iterator[tuple[PathKey, dict[str, Any], bool]]:
    """Every property under ``node`` (recursively): path, data, and whether it is an array's ``items``."""
    props = node.get("properties")
    if isinstance(props, list):
        for i, prop in enumerate(props):
            if isinstance(prop, dict):
                child = (*path, "properties", i)
                yield child, prop, False
                yield from iter_properties(child, prop)
    items = node.get("items")
    if isinstance(items, dict) and path and path[0] == "schema" and len(path) > 2:
        child = (*path, "items")
        yield child, items, True
        yield from iter_properties(child, items)


@dataclass(frozen=True)
class RuleAt:
    path: PathKey
    rule: dict[str, Any]
    obj: dict[str, Any]
    prop: dict[str, Any] | None


def iter_rules(data: dict[str, Any]) -> Iterator[RuleAt]:
    for opath, obj in iter_objects(data):
        for i, rule in enumerate_dicts(obj.get("quality")):
            yield RuleAt((*opath, "quality", i), rule, obj, None)
        for ppath, prop, _ in iter_properties(opath, obj):
            for i, rule in enumerate_dicts(prop.get("quality")):
                yield RuleAt((*ppath, "quality", i), rule, obj, prop)


def enumerate_dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def column_names(obj: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for _, prop in enumerate_dicts(obj.get("properties")):
        for key in ("name", "physicalName"):
            if isinstance(prop.get(key), str):
                names.add(prop[key])
    return names


def table_columns(data: dict[str, Any]) -> dict[str, set[str]]:
    """Each schema object's name and physicalName -> its column names (merged when names repeat)."""
    tables: dict[str, set[str]] = {}
    for _, obj in iter_objects(data):
        for name in object_names(obj):
            tables.setdefault(name, set()).update(column_names(obj))
    return tables


def object_names(obj: dict[str, Any]) -> set[str]:
    return {v for k in ("name", "physicalName") if isinstance(v := obj.get(k), str)}

def describe(node: Any) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, bool):
        return f"boolean {str(node).lower()}"
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    return f"{type(node).__name__} {node!r}"
