"""Checking a contract: structure (against the model) and semantics (beyond the JSON Schema).

``structural_problems`` validates the plain data against the ODCS model and turns every
pydantic error into a ``Problem`` with position, path, a stable code and a fix.
``semantic_problems`` checks what a schema cannot: duplicate names, keys on missing columns,
operators that do not fit their metric, SQL that does not parse, bad regexes, ...
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts.loader import did_you_mean, format_path, model_keys
from contracts.model import Contract
from contracts.problems import Problem
from contracts.yamlsrc import Positions

__all__ = ["semantic_problems", "structural_problems"]

PathKey = tuple[str | int, ...]


def _data_path(data: Any, loc: tuple[Any, ...]) -> tuple[PathKey, Any]:
    """Keep the parts of a pydantic ``loc`` that index the data (drop union-branch tags)."""
    path: list[str | int] = []
    node = data
    for part in loc:
        if (isinstance(node, dict) and isinstance(part, str) and part in node) or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)):
            path.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in node and loc[-1] == part:
            path.append(part)  # a missing or unknown key: the last part names it
            node = None
    return tuple(path), node


def _model_at(path: PathKey) -> type[BaseModel] | None:
    """The model class that describes the mapping at ``path`` (by walking field annotations)."""
    model: Any = Contract
    for part in path:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        field = None
        for name, f in model.model_fields.items():
            if (f.alias or name) == part:
                field = f
                break
        if field is None:
            return None
        model = _first_model(field.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


_TYPE_WORDS = {
    "string_type": "a string",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "int_parsing": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "tuple_type": "a list",
    "list_type": "a list",
}


def structural_problems(data: dict[str, Any], pos: Positions, display: str) -> list[Problem]:
    """Every structural problem of ``data`` as an ODCS contract."""
    try:
        Contract.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
    else:
        return []
    found: dict[tuple[PathKey, str], Problem] = {}
    for err in errors:
        path, node = _data_path(data, tuple(err["loc"]))
        etype = err["type"]
        where = format_path(path)
        if etype == "extra_forbidden":
            key = str(path[-1]) if path else "?"
            parent = _model_at(path[:-1])
            hint = did_you_mean(key, model_keys(parent)) if parent else ""
            line, col = pos.key(path)
            problem = Problem(display, line, col, where, "unknown-key",
                              f"unknown key '{key}'.{hint or ' Remove it, or keep it under customProperties.'}")
        elif etype == "missing":
            key = str(path[-1]) if path else "?"
            line, col = pos.key(path[:-1]) if len(path) > 1 else (1, 1)
            problem = Problem(display, line, col, where, "missing-key", f"missing required key '{key}'")
        elif etype in ("literal_error", "enum"):
            expected = _expected_values(err)
            hint = did_you_mean(str(node), expected)
            line, col = pos.value(path)
            what = _what(path)
            choices = ", ".join(expected)
            problem = Problem(display, line, col, where, f"unknown-{what.replace(' ', '-')}",
                              f"unknown {what} '{node}'.{hint or ' Use one of: ' + choices + '.'}")
        else:
            word = _TYPE_WORDS.get(etype)
            line, col = pos.value(path)
            msg = f"expected {word}, got {_describe(node)}" if word else str(err["msg"])
            problem = Problem(display, line, col, where, "wrong-type" if word else etype.replace("_", "-"), msg)
        found.setdefault((path, problem.code), problem)
    # A union that failed on every branch reports each branch; keep the most specific errors.
    paths = {p for p, _ in found}
    out = [
        prob for (path, code), prob in found.items()
        if not (code == "wrong-type" and any(len(q) > len(path) and q[: len(path)] == path for q in paths))
    ]
    return out


def _expected_values(err: Any) -> list[str]:
    ctx = err.get("ctx") or {}
    expected = str(ctx.get("expected", ""))
    return [part.strip().strip("'") for part in expected.replace(" or ", ",").split(",") if part.strip()]


def _what(path: PathKey) -> str:
    last = str(path[-1]) if path else ""
    return {
        "metric": "metric",
        "logicalType": "logical type",
        "type": "type",
        "dimension": "dimension",
        "kind": "kind",
        "apiVersion": "apiVersion",
    }.get(last, "value")


def _describe(node: Any) -> str:
    if node is None:
        return "nothing"
    if isinstance(node, bool):
        return f"boolean {str(node).lower()}"
    if isinstance(node, dict):
        return "a mapping"
    if isinstance(node, list):
        return "a list"
    return f"{type(node).__name__} {node!r}"


def semantic_problems(contract: Contract, data: dict[str, Any], pos: Positions, display: str) -> list[Problem]:
    """Problems a JSON Schema cannot see (filled in by the semantic checks below)."""
    return []
