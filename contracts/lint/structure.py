"""Structure: what the official ODCS v3.1 JSON Schema checks, as problems with positions and fixes.

The model (pydantic) gives shapes and types; the passes here add what the schema says with
if/then, oneOf and patterns. A test fuzzes this module's verdict against the schema itself.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts.lint.vocabulary import (
    BASE_RULE_KEYS,
    FLOAT_FORMATS,
    FULLY_QUALIFIED_REFERENCE,
    INT_FORMATS,
    LOGICAL_TYPE_OPTIONS,
    RULE_TYPE_KEYS,
    RULE_TYPE_ONLY,
    SHORTHAND_REFERENCE,
)
from contracts.lint.walk import (
    Ctx,
    PathKey,
    describe,
    enumerate_dicts,
    is_number,
    iter_objects,
    iter_properties,
    iter_rules,
)
from contracts.loader import did_you_mean, model_keys
from contracts.model import METRICS, OPERATORS, Contract

# --- structure: the model -------------------------------------------------------------------------

__all__ = ["STRUCTURAL", "check_nested_keys", "rule_type", "schema_branches"]


def _data_path(data: Any, loc: tuple[Any, ...], *, names_key: bool) -> tuple[PathKey, Any]:
    """Keep the parts of a pydantic ``loc`` that index the data (drop union-branch tags)."""
    path: list[str | int] = []
    node: Any = data
    for part in loc:
        if isinstance(node, dict) and isinstance(part, str) and part in node:  # noqa: SIM114 (kept apart for mypy)
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(part)
            node = node[part]
        elif names_key and isinstance(node, dict) and isinstance(part, str) and part not in node and loc[-1] == part:
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
        found = None
        for name, f in model.model_fields.items():
            if (f.alias or name) == part:
                found = f
                break
        if found is None:
            return None
        model = first_model(found.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = first_model(arg)
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

_KEY_HINTS = {
    "apiVersion": "apiVersion: v3.1.0",
    "kind": "kind: DataContract",
    "id": "id: <a unique id, e.g. a UUID>",
    "version": "version: 1.0.0",
    "status": "status: active",
    "name": "name: ...",
}

_LITERAL_CODES = {
    "metric": ("unknown-metric", "metric"),
    "logicalType": ("unknown-logical-type", "logical type"),
    "dimension": ("unknown-dimension", "dimension"),
    "kind": ("unknown-kind", "kind"),
    "apiVersion": ("unknown-api-version", "apiVersion"),
}


def _literal_code(path: PathKey) -> tuple[str, str]:
    last = str(path[-1]) if path else ""
    if last == "type":
        if "relationships" in path:
            return "unknown-relationship-type", "relationship type"
        return "unknown-rule-type", "rule type"
    return _LITERAL_CODES.get(last, ("unknown-value", "value"))


def _model_problems(ctx: Ctx) -> None:
    try:
        Contract.model_validate(ctx.data)
    except ValidationError as exc:
        errors = exc.errors()
    else:
        return
    found: dict[tuple[PathKey, str], tuple[PathKey, str, str, str]] = {}
    words: dict[PathKey, list[str]] = {}  # what each union branch expected, per path
    nodes: dict[PathKey, Any] = {}
    for err in errors:
        etype = err["type"]
        path, node = _data_path(ctx.data, tuple(err["loc"]), names_key=etype in ("missing", "extra_forbidden"))
        at = "value"
        if etype == "extra_forbidden":
            key = str(path[-1]) if path else "?"
            parent = _model_at(path[:-1])
            hint = did_you_mean(key, model_keys(parent)) if parent else ""
            code, at = "unknown-key", "key"
            msg = f"unknown key '{key}'.{hint or ' Remove it, or keep it under customProperties.'}"
        elif etype == "missing":
            key = str(path[-1]) if path else "?"
            code, at = "missing-key", "key"
            msg = f"missing required key '{key}'; add it ({_KEY_HINTS.get(key, key + ': ...')})"
        elif etype in ("literal_error", "enum"):
            expected = _expected_values(err)
            hint = did_you_mean(str(node), expected)
            code, what = _literal_code(path)
            msg = f"unknown {what} '{node}'.{hint or ' Use one of: ' + ', '.join(expected) + '.'}"
        elif etype == "string_pattern_mismatch":
            code = "bad-id"
            msg = f"'{node}' is not a stable id; use letters, digits, '_' and '-' only"
        else:
            word = _TYPE_WORDS.get(etype)
            code = "wrong-type"
            msg = str(err["msg"])
            if word:
                words.setdefault(path, [])
                if word not in words[path]:
                    words[path].append(word)
                nodes[path] = node
        found.setdefault((path, code), (path, code, msg, at))
    for path, expected in words.items():
        found[(path, "wrong-type")] = (path, "wrong-type", _wrong_type_message(expected, nodes[path]), "value")
    # A union that failed on every branch reports each branch; keep the most specific errors.
    paths = {p for p, _ in found}
    for (path, code), (_, _, msg, at) in found.items():
        if code == "wrong-type" and any(len(q) > len(path) and q[: len(path)] == path for q in paths):
            continue
        if code == "missing-key" and len(path) > 1:
            ctx.add(path[:-1], code, msg)
        else:
            ctx.add(path, code, msg, at=at)


def _wrong_type_message(expected: list[str], node: Any) -> str:
    if "a number" in expected and "a whole number" in expected:
        expected = [w for w in expected if w != "a whole number"]
    if "a mapping" in expected and "a list" in expected and isinstance(node, dict | list):
        expected = ["a list" if isinstance(node, dict) else "a mapping"]  # the branch that was meant
    msg = f"expected {' or '.join(expected)}, got {describe(node)}"
    if expected == ["a string"] and node is not None and not isinstance(node, dict | list):
        msg += "; quote it"
    return msg


def _expected_values(err: Any) -> list[str]:
    ctx = err.get("ctx") or {}
    expected = str(ctx.get("expected", ""))
    return [part.strip().strip("'") for part in expected.replace(" or ", ",").split(",") if part.strip()]



# --- structure: what the JSON Schema says with if/then and oneOf ----------------------------------


def rule_type(rule: dict[str, Any]) -> str | None:
    """The branch of the schema that applies: the given type, library when a metric is given."""
    t = rule.get("type")
    if isinstance(t, str):
        return t if t in RULE_TYPE_KEYS else None
    if t is None and "metric" in rule:
        return "library"
    return None if t is not None else "untyped"


def schema_branches(rule: dict[str, Any]) -> set[str]:
    """The rule-type branches of the JSON Schema that apply to a rule.

    library applies when ``type: library`` or when a (string) ``metric`` is given, whatever the
    type; sql and custom apply by their type. Each branch allows its keys and requires its own.
    """
    t = rule.get("type")
    branches = {t} if t in ("sql", "custom", "library") else set()
    if isinstance(rule.get("metric"), str):
        branches.add("library")
    return branches


def _check_rule_shape(ctx: Ctx) -> None:
    for at in iter_rules(ctx.data):
        rule, path = at.rule, at.path
        kind = rule_type(rule)
        if kind is None:
            continue  # an unknown type, reported by the model
        branches = schema_branches(rule)
        allowed = frozenset().union(*(RULE_TYPE_KEYS[b] for b in branches)) if branches else frozenset()
        for key in rule:
            if key in BASE_RULE_KEYS or key in allowed or key == "metric":
                continue  # a metric always selects the library branch (a non-string one is a type error)
            if key in RULE_TYPE_ONLY or key in OPERATORS:
                owner = RULE_TYPE_ONLY.get(key, "library or sql")
                ctx.add((*path, key), "key-not-for-rule-type",
                        f"'{key}' belongs to {owner} rules, not to a {kind} rule; "
                        f"{'add type: ' + owner if kind == 'untyped' and key in RULE_TYPE_ONLY else 'remove it'}")
        if "library" in branches and "metric" not in rule:
            ctx.add(path, "library-rule-without-metric",
                    "a library rule needs a metric: " + ", ".join(METRICS))
        if "sql" in branches and "query" not in rule:
            ctx.add(path, "sql-rule-without-query", "a sql rule needs a query, e.g. query: SELECT COUNT(*) FROM ...")
        if "custom" in branches:
            if "engine" not in rule:
                ctx.add(path, "custom-rule-without-engine", "a custom rule needs an engine, e.g. engine: pactline")
            if "implementation" not in rule:
                ctx.add(path, "custom-rule-without-implementation", "a custom rule needs an implementation")
        if branches & {"library", "sql"}:
            ops = [op for op in OPERATORS if op in rule]
            if not ops:
                ctx.add(path, "missing-operator",
                        "the rule has no operator; add one of: " + ", ".join(OPERATORS))
            elif len(ops) > 1:
                ctx.add((*path, ops[1]), "several-operators",
                        f"a rule takes exactly one operator, this one has {', '.join(ops)}; split it into "
                        "one rule per operator")
        for op in ("mustBeBetween", "mustNotBeBetween"):
            bounds: Any = rule.get(op)
            numeric = isinstance(bounds, list) and all(is_number(b) for b in bounds)
            if numeric and (len(bounds) != 2 or bounds[0] == bounds[1]):  # the schema: 2 unique numbers
                ctx.add((*path, op), "bad-between-bounds",
                        f"{op} takes two different numbers [low, high], not {bounds}", at="value")


def _check_property_shape(ctx: Ctx) -> None:
    for opath, obj in iter_objects(ctx.data):
        for path, prop, is_item in iter_properties(opath, obj):
            if not is_item and "name" not in prop:
                ctx.add(path, "missing-key", "missing required key 'name'; every property needs one (name: ...)")
            ltype = prop.get("logicalType")
            # Without a logicalType the schema's if/then branches all apply (so items and properties
            # are allowed, and no option fits every branch); the semantic pass asks for the type.
            check_nested_keys(ctx, path, prop, is_item, typed_only=True)
            options = prop.get("logicalTypeOptions")
            if isinstance(options, dict) and isinstance(ltype, str) and ltype in LOGICAL_TYPE_OPTIONS:
                _check_options(ctx, (*path, "logicalTypeOptions"), ltype, options)
            elif isinstance(options, dict) and "logicalType" not in prop:
                for key in options:
                    ctx.add((*path, "logicalTypeOptions", key), "option-not-for-type",
                            f"logicalTypeOptions need a logicalType; add the logicalType that '{key}' belongs to")


def check_nested_keys(ctx: Ctx, path: PathKey, prop: dict[str, Any], is_item: bool, *, typed_only: bool) -> None:
    """``items`` only on arrays, ``properties`` only on objects (and on array items)."""
    if typed_only == ("logicalType" not in prop):
        return
    ltype = prop.get("logicalType")
    if "items" in prop and ltype != "array":
        ctx.add((*path, "items"), "key-not-for-logical-type",
                "'items' describes the elements of an array; set logicalType: array or remove it")
    if "properties" in prop and ltype != "object" and not is_item:
        ctx.add((*path, "properties"), "key-not-for-logical-type",
                "'properties' describes the fields of an object; set logicalType: object or remove it")


_NULLABLE = frozenset({("CustomProperty", "value"), ("SLA", "value"), ("SLA", "valueExt"),
                       ("QualityRule", "mustBe"), ("QualityRule", "mustNotBe")})


def _check_nulls(ctx: Ctx) -> None:
    """An explicit ``key: null`` (or ``key:`` with nothing) where ODCS wants a value."""

    def walk(model: type[BaseModel], node: Any, path: PathKey) -> None:
        if isinstance(node, list):
            for i, item in enumerate(node):
                walk(model, item, (*path, i))
            return
        if not isinstance(node, dict):
            return
        fields = {(f.alias or name): f for name, f in model.model_fields.items()}
        for key, value in node.items():
            field_info = fields.get(key)
            if field_info is None:
                continue
            if value is None:
                if (model.__name__, key) not in _NULLABLE:
                    ctx.add((*path, key), "wrong-type",
                            f"'{key}' has no value; give one or remove the key", at="value")
                continue
            child = first_model(field_info.annotation)
            if model.__name__ == "Contract" and key == "team" and isinstance(value, list):
                from contracts.model import TeamMember

                child = TeamMember
            if child is not None:
                walk(child, value, (*path, key))

    walk(Contract, ctx.data, ())


def _check_options(ctx: Ctx, path: PathKey, ltype: str, options: dict[str, Any]) -> None:
    allowed = LOGICAL_TYPE_OPTIONS[ltype]
    for key, value in options.items():
        if key not in allowed:
            hint = did_you_mean(key, tuple(allowed))
            fix = hint or (" It takes: " + ", ".join(allowed) + "." if allowed else " It takes none.")
            ctx.add((*path, key), "option-not-for-type", f"logicalType {ltype} has no option '{key}'.{fix}")
            continue
        kind = allowed[key]
        ok, want = _option_ok(kind, value)
        if not ok:
            ctx.add((*path, key), "bad-option-value", f"{key} must be {want}, got {describe(value)}", at="value")


def _option_ok(kind: str, value: Any) -> tuple[bool, str]:
    if kind == "count":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0, "a whole number >= 0"
    if kind == "number":
        return is_number(value), "a number"
    if kind == "positive":
        return is_number(value) and value > 0, "a number > 0"
    if kind == "string":
        return isinstance(value, str), "a string (quote dates and times)"
    if kind == "boolean":
        return isinstance(value, bool), "true or false"
    if kind == "int-format":
        return value in INT_FORMATS, "one of " + ", ".join(INT_FORMATS)
    if kind == "float-format":
        return value in FLOAT_FORMATS, "one of " + ", ".join(FLOAT_FORMATS)
    if kind == "names":
        good = (isinstance(value, list) and len(value) >= 1 and all(isinstance(v, str) for v in value)
                and len(set(value)) == len(value))
        return good, "a non-empty list of distinct names"
    return True, ""  # pragma: no cover - every kind is listed above


def _check_relationship_shape(ctx: Ctx) -> None:
    for opath, obj in iter_objects(ctx.data):
        for i, rel in enumerate_dicts(obj.get("relationships")):
            path = (*opath, "relationships", i)
            has_from, has_to = "from" in rel, "to" in rel
            if not has_from:
                ctx.add(path, "relationship-shape", "a schema-level relationship needs 'from' (and 'to')")
            if has_from and has_to:
                src, dst = rel["from"], rel["to"]
                if isinstance(src, list) != isinstance(dst, list):
                    ctx.add(path, "relationship-shape",
                            "'from' and 'to' must both be one reference or both be lists of references")
            _check_references(ctx, path, rel)
        for ppath, prop, _ in iter_properties(opath, obj):
            for i, rel in enumerate_dicts(prop.get("relationships")):
                path = (*ppath, "relationships", i)
                if "from" in rel:
                    ctx.add((*path, "from"), "relationship-from-on-property",
                            "a property-level relationship starts at its property; remove 'from' or move "
                            "the relationship to the schema object")
                _check_references(ctx, path, rel)


def _check_references(ctx: Ctx, path: PathKey, rel: dict[str, Any]) -> None:
    for end in ("from", "to"):
        value = rel.get(end)
        refs = value if isinstance(value, list) else [value] if value is not None else []
        if isinstance(value, list) and not value:
            ctx.add((*path, end), "bad-reference", f"'{end}' is an empty list; name at least one column",
                    at="value")
        for j, ref in enumerate(refs):
            if isinstance(ref, str) and not (SHORTHAND_REFERENCE.match(ref) or FULLY_QUALIFIED_REFERENCE.match(ref)):
                where = (*path, end, j) if isinstance(value, list) else (*path, end)
                ctx.add(where, "bad-reference",
                        f"'{ref}' is not a reference; write table.column or schema/<id>/properties/<id>",
                        at="value")


def _check_servers(ctx: Ctx) -> None:
    servers = ctx.data.get("servers")
    if not servers:
        return
    # The table of server types: imported only for a contract that lists servers.
    from contracts.servers import SERVER_FIELDS, SERVER_TYPES

    for i, server in enumerate_dicts(servers):
        path: PathKey = ("servers", i)
        stype = server.get("type")
        if not isinstance(stype, str):
            continue
        if stype not in SERVER_FIELDS:
            hint = did_you_mean(stype, SERVER_TYPES)
            ctx.add((*path, "type"), "unknown-server-type",
                    f"unknown server type '{stype}'.{hint or ' Use one of: ' + ', '.join(SERVER_TYPES) + '.'}",
                    at="value")
            continue
        fields, required = SERVER_FIELDS[stype]
        common = model_keys(_server_model())
        for key, value in server.items():
            if key in common:
                continue
            if key not in fields:
                hint = did_you_mean(key, (*fields, *common))
                ctx.add((*path, key), "unknown-key",
                        f"unknown key '{key}' for a {stype} server.{hint or ' It takes: ' + ', '.join(fields) + '.'}")
            elif fields[key] == "integer" and not (isinstance(value, int) and not isinstance(value, bool)):
                ctx.add((*path, key), "wrong-type", f"expected a whole number, got {describe(value)}", at="value")
            elif fields[key] == "string" and not isinstance(value, str):
                ctx.add((*path, key), "wrong-type", f"expected a string, got {describe(value)}", at="value")
        for key in required:
            if key not in server:
                ctx.add(path, "missing-key", f"missing required key '{key}' for a {stype} server; add {key}: ...")
        location = server.get("location")
        if stype == "sftp" and isinstance(location, str) and not location.startswith("sftp://"):
            ctx.add((*path, "location"), "wrong-type", "an sftp server's location starts with sftp://", at="value")


def _server_model() -> type[BaseModel]:
    from contracts.model import Server

    return Server


STRUCTURAL: tuple[Callable[[Ctx], None], ...] = (
    _check_nulls,
    _model_problems,
    _check_rule_shape,
    _check_property_shape,
    _check_relationship_shape,
    _check_servers,
)
