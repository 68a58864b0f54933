"""Checking a contract: structure (what the ODCS JSON Schema says) and semantics (what it cannot).

Both work on the plain data from the YAML (so they run, and report, even when the other finds
problems) and return ``Problem`` objects with file:line:col, the YAML path, a stable ``code`` and
a fix. Every code is listed in ``CODES`` and documented in docs/contracts.md.

- ``structural_problems``: the model (pydantic) plus what the JSON Schema expresses with
  if/then, oneOf and patterns: keys per rule type, one operator per rule, logicalTypeOptions
  per logical type, relationships per level, server fields per server type.
- ``semantic_problems``: duplicate names, keys and references to missing columns, operators that
  do not fit their metric, SQL that does not parse, invalid regexes, SLA units, pactline settings.

To add a check: a small function ``_check_x(ctx, data)`` appended to ``_STRUCTURAL`` or
``_SEMANTIC``, a code in ``CODES``, a line in docs/contracts.md and a broken golden contract.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from contracts import pactline
from contracts.loader import did_you_mean, format_path, model_keys
from contracts.model import METRICS, OPERATORS, Contract
from contracts.problems import Problem
from contracts.servers import SERVER_FIELDS, SERVER_TYPES
from contracts.yamlsrc import Positions

__all__ = ["CODES", "semantic_problems", "structural_problems"]

PathKey = tuple[str | int, ...]

# Every problem code the loader and the lint can report, with what it means.
CODES: dict[str, str] = {
    # reading
    "unreadable": "the file cannot be read (missing, a directory, no permission)",
    "encoding": "the file is not UTF-8",
    "too-large": "the document is larger than the size limit",
    "yaml-syntax": "the YAML does not parse",
    "yaml-duplicate-key": "a mapping has the same key twice",
    "yaml-tag": "an explicit YAML tag (`!!python/...`, `!foo`, `!!str`); contracts are plain data",
    "yaml-alias-bomb": "too many YAML aliases, or aliases that expand to too many values",
    "not-a-mapping": "the document is not a mapping",
    # structure (the ODCS JSON Schema)
    "unknown-key": "a key ODCS does not define at that place (with a suggestion when one is close)",
    "missing-key": "a required key is absent",
    "wrong-type": "a value of the wrong type (a number where a string is expected, ...)",
    "bad-id": "an `id` that is not a stable id (letters, digits, `_` and `-` only)",
    "unknown-api-version": "`apiVersion` is not one of the ODCS versions",
    "unknown-kind": "`kind` is not `DataContract`",
    "unknown-metric": "a library `metric` that ODCS does not define",
    "unknown-logical-type": "a `logicalType` that ODCS does not define",
    "unknown-rule-type": "a quality rule `type` other than text, library, sql, custom",
    "unknown-dimension": "a quality `dimension` that ODCS does not define",
    "unknown-relationship-type": "a relationship `type` other than foreignKey",
    "unknown-value": "a value outside the allowed set",
    "unknown-server-type": "a server `type` that ODCS does not define",
    "key-not-for-rule-type": "a key that the rule's type does not take (e.g. `query` on a library rule)",
    "key-not-for-logical-type": "`items` on a non-array or `properties` on a non-object property",
    "library-rule-without-metric": "a library rule (or a rule without type) that has no `metric`",
    "sql-rule-without-query": "a `type: sql` rule without `query`",
    "custom-rule-without-engine": "a `type: custom` rule without `engine`",
    "custom-rule-without-implementation": "a `type: custom` rule without `implementation`",
    "missing-operator": "a library or sql rule without an operator (mustBe, mustBeLessThan, ...)",
    "several-operators": "a library or sql rule with more than one operator",
    "bad-between-bounds": "mustBeBetween/mustNotBeBetween that is not two distinct ascending numbers",
    "option-not-for-type": "a logicalTypeOptions key that the logical type does not take",
    "bad-option-value": "a logicalTypeOptions value of the wrong type or out of range",
    "bad-reference": "a relationship reference that is neither `table.column` nor a fully qualified path",
    "relationship-shape": "a schema-level relationship without both `from` and `to` of the same shape",
    "relationship-from-on-property": "`from` on a property-level relationship (the property is the from)",
    # semantics (beyond the JSON Schema)
    "duplicate-property": "two properties of one object share a name",
    "duplicate-dataset": "two schema objects share a name or physicalName",
    "duplicate-id": "two schema objects, properties or quality rules share an `id`",
    "duplicate-key-position": "two primary-key columns share a primaryKeyPosition",
    "key-position-without-key": "primaryKeyPosition on a column that is not primaryKey",
    "unknown-column": "a relationship, rule argument, SLA element or object's `required` names a column "
                      "that does not exist",
    "relationship-arity": "a relationship whose `from` and `to` lists differ in length",
    "operator-not-for-metric": "an operator value that does not fit the metric (a count compared with text)",
    "unit-not-for-metric": "a `unit` other than rows/percent, or percent on rowCount",
    "percent-out-of-range": "a percentage threshold outside 0..100",
    "metric-not-for-level": "a column metric on a schema object, or rowCount on a column",
    "metric-needs-arguments": "invalidValues without arguments.validValues or arguments.pattern",
    "unknown-argument": "an `arguments` key the metric does not take",
    "sql-syntax": "a `type: sql` query that does not parse (position inside the file)",
    "sql-not-a-query": "a `type: sql` query that is not a single SELECT",
    "bad-regex": "a `pattern` that is not a valid regular expression",
    "bad-option-range": "a minimum above its maximum (minimum/maximum, minLength/maxLength, ...)",
    "unknown-severity": "a rule severity other than error, warning or info",
    "sla-unit-not-duration": "a latency/freshness/retention/frequency SLA whose unit is not a duration",
    "sla-value-not-number": "a latency/freshness/retention/frequency SLA whose value is not a number",
    # pactline settings (contracts/pactline.py)
    "pactline-bad-severity": "a pactline rule's severity is not error or warning",
    "pactline-implementation-not-mapping": "a pactline rule's implementation is not a mapping",
    "pactline-unknown-check": "a pactline rule's implementation.check is missing or not `drift`",
    "pactline-drift-on-dataset": "a drift rule on a schema object instead of a property",
    "pactline-unknown-setting": "a drift setting or `pactline.*` custom property pactline does not know",
    "pactline-unknown-method": "a drift method other than psi, js_distance, wasserstein_norm, ks, chi2",
    "pactline-bad-threshold": "a drift threshold that is not a number >= 0",
    "pactline-bad-baseline": "a drift baseline that is not `<n>d|h|w`, `run:<id>` or `file:<path>`",
    "pactline-bad-min-rows": "a drift minRows that is not a whole number >= 1",
    "pactline-bad-policy": "a pactline.unexpectedColumns value other than allow, warn, block",
}

_BASE_RULE_KEYS = frozenset({
    "id", "name", "description", "type", "dimension", "unit", "severity", "businessImpact", "method",
    "schedule", "scheduler", "tags", "authoritativeDefinitions", "customProperties",
})
_RULE_TYPE_KEYS: dict[str, frozenset[str]] = {
    "library": frozenset({"metric", "rule", "arguments", *OPERATORS}),
    "sql": frozenset({"query", *OPERATORS}),
    "custom": frozenset({"engine", "implementation"}),
    "text": frozenset(),
}
_RULE_TYPE_ONLY = {k: t for t, keys in _RULE_TYPE_KEYS.items() for k in keys if k not in OPERATORS}

_STRING_LIKE_OPTIONS = {"format": "string", "exclusiveMaximum": "string", "maximum": "string",
                        "exclusiveMinimum": "string", "minimum": "string"}
_NUMERIC_OPTIONS = {"multipleOf": "positive", "maximum": "number", "exclusiveMaximum": "number",
                    "minimum": "number", "exclusiveMinimum": "number"}
# logicalType -> option -> kind of value (from the schema's if/then per logicalType)
LOGICAL_TYPE_OPTIONS: dict[str, dict[str, str]] = {
    "string": {"minLength": "count", "maxLength": "count", "pattern": "string", "format": "string"},
    "date": dict(_STRING_LIKE_OPTIONS),
    "timestamp": {**_STRING_LIKE_OPTIONS, "timezone": "boolean", "defaultTimezone": "string"},
    "time": {**_STRING_LIKE_OPTIONS, "timezone": "boolean", "defaultTimezone": "string"},
    "integer": {**_NUMERIC_OPTIONS, "format": "int-format"},
    "number": {**_NUMERIC_OPTIONS, "format": "float-format"},
    "object": {"maxProperties": "count", "minProperties": "count", "required": "names"},
    "array": {"maxItems": "count", "minItems": "count", "uniqueItems": "boolean"},
    "boolean": {},
}
INT_FORMATS = ("i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128")
FLOAT_FORMATS = ("f32", "f64")

_SHORTHAND = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
_FULLY_QUALIFIED = re.compile(
    r"^(?:(?:https?:\/\/)?[A-Za-z0-9._\-\/]+\.yaml#)?\/?[A-Za-z_][A-Za-z0-9_]*\/[A-Za-z0-9_-]+"
    r"(?:\/[A-Za-z_][A-Za-z0-9_]*\/[A-Za-z0-9_-]+)*$"
)

METRIC_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "nullValues": (),
    "missingValues": ("missingValues",),
    "invalidValues": ("validValues", "pattern"),
    "duplicateValues": ("properties",),
    "rowCount": (),
}
COLUMN_METRICS = ("nullValues", "missingValues", "invalidValues")
RULE_UNITS = ("rows", "percent")
SEVERITIES = ("error", "warning", "info")
DURATION_SLAS = ("latency", "freshness", "retention", "frequency")
DURATION_UNITS = frozenset({
    "ms", "millisecond", "milliseconds", "s", "sec", "secs", "second", "seconds", "m", "min", "mins",
    "minute", "minutes", "h", "hr", "hrs", "hour", "hours", "d", "day", "days", "w", "wk", "week", "weeks",
    "mo", "month", "months", "y", "yr", "yrs", "year", "years",
})


# --- plumbing -------------------------------------------------------------------------------------


@dataclass
class _Ctx:
    data: dict[str, Any]
    pos: Positions
    display: str
    out: list[Problem] = field(default_factory=list)

    def add(self, path: PathKey, code: str, message: str, *, at: str = "key") -> None:
        assert code in CODES, code
        line, col = self.pos.value(path) if at == "value" else self.pos.key(path)
        self.out.append(Problem(self.display, line, col, format_path(path), code, message))


def _objects(data: dict[str, Any]) -> Iterator[tuple[PathKey, dict[str, Any]]]:
    schema = data.get("schema")
    if isinstance(schema, list):
        for i, obj in enumerate(schema):
            if isinstance(obj, dict):
                yield ("schema", i), obj


def _properties(path: PathKey, node: dict[str, Any]) -> Iterator[tuple[PathKey, dict[str, Any], bool]]:
    """Every property under ``node`` (recursively): path, data, and whether it is an array's ``items``."""
    props = node.get("properties")
    if isinstance(props, list):
        for i, prop in enumerate(props):
            if isinstance(prop, dict):
                child = (*path, "properties", i)
                yield child, prop, False
                yield from _properties(child, prop)
    items = node.get("items")
    if isinstance(items, dict) and path and path[0] == "schema" and len(path) > 2:
        child = (*path, "items")
        yield child, items, True
        yield from _properties(child, items)


@dataclass(frozen=True)
class _RuleAt:
    path: PathKey
    rule: dict[str, Any]
    obj: dict[str, Any]
    prop: dict[str, Any] | None


def _rules(data: dict[str, Any]) -> Iterator[_RuleAt]:
    for opath, obj in _objects(data):
        for i, rule in _enumerate_dicts(obj.get("quality")):
            yield _RuleAt((*opath, "quality", i), rule, obj, None)
        for ppath, prop, _ in _properties(opath, obj):
            for i, rule in _enumerate_dicts(prop.get("quality")):
                yield _RuleAt((*ppath, "quality", i), rule, obj, prop)


def _enumerate_dicts(value: Any) -> Iterator[tuple[int, dict[str, Any]]]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _column_names(obj: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for _, prop in _enumerate_dicts(obj.get("properties")):
        for key in ("name", "physicalName"):
            if isinstance(prop.get(key), str):
                names.add(prop[key])
    return names


def _tables(data: dict[str, Any]) -> dict[str, set[str]]:
    """Each schema object's name and physicalName -> its column names (merged when names repeat)."""
    tables: dict[str, set[str]] = {}
    for _, obj in _objects(data):
        for name in _object_names(obj):
            tables.setdefault(name, set()).update(_column_names(obj))
    return tables


def _object_names(obj: dict[str, Any]) -> set[str]:
    return {v for k in ("name", "physicalName") if isinstance(v := obj.get(k), str)}


# --- structure: the model -------------------------------------------------------------------------


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
        model = _first_model(found.annotation)
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


def _model_problems(ctx: _Ctx) -> None:
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
    msg = f"expected {' or '.join(expected)}, got {_describe(node)}"
    if expected == ["a string"] and node is not None and not isinstance(node, dict | list):
        msg += "; quote it"
    return msg


def _expected_values(err: Any) -> list[str]:
    ctx = err.get("ctx") or {}
    expected = str(ctx.get("expected", ""))
    return [part.strip().strip("'") for part in expected.replace(" or ", ",").split(",") if part.strip()]


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


# --- structure: what the JSON Schema says with if/then and oneOf ----------------------------------


def _rule_type(rule: dict[str, Any]) -> str | None:
    """The branch of the schema that applies: the given type, library when a metric is given."""
    t = rule.get("type")
    if isinstance(t, str):
        return t if t in _RULE_TYPE_KEYS else None
    if t is None and "metric" in rule:
        return "library"
    return None if t is not None else "untyped"


def _check_rule_shape(ctx: _Ctx) -> None:
    for at in _rules(ctx.data):
        rule, path = at.rule, at.path
        kind = _rule_type(rule)
        if kind is None:
            continue  # an unknown type, reported by the model
        allowed = _RULE_TYPE_KEYS.get(kind, frozenset())
        for key in rule:
            if key in _BASE_RULE_KEYS or key in allowed:
                continue
            if key in _RULE_TYPE_ONLY or key in OPERATORS:
                owner = _RULE_TYPE_ONLY.get(key, "library or sql")
                ctx.add((*path, key), "key-not-for-rule-type",
                        f"'{key}' belongs to {owner} rules, not to a {kind} rule; "
                        f"{'add type: ' + owner if kind == 'untyped' and key in _RULE_TYPE_ONLY else 'remove it'}")
        if kind == "library" and "metric" not in rule:
            ctx.add(path, "library-rule-without-metric",
                    "a library rule needs a metric: " + ", ".join(METRICS))
        if kind == "sql" and "query" not in rule:
            ctx.add(path, "sql-rule-without-query", "a sql rule needs a query, e.g. query: SELECT COUNT(*) FROM ...")
        if kind == "custom":
            if "engine" not in rule:
                ctx.add(path, "custom-rule-without-engine", "a custom rule needs an engine, e.g. engine: pactline")
            if "implementation" not in rule:
                ctx.add(path, "custom-rule-without-implementation", "a custom rule needs an implementation")
        if kind in ("library", "sql"):
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
            numeric = isinstance(bounds, list) and all(_is_number(b) for b in bounds)
            if numeric and (len(bounds) != 2 or bounds[0] == bounds[1]):  # the schema: 2 unique numbers
                ctx.add((*path, op), "bad-between-bounds",
                        f"{op} takes two different numbers [low, high], not {bounds}", at="value")


def _check_property_shape(ctx: _Ctx) -> None:
    for opath, obj in _objects(ctx.data):
        for path, prop, is_item in _properties(opath, obj):
            if not is_item and "name" not in prop:
                ctx.add(path, "missing-key", "missing required key 'name'; every property needs one (name: ...)")
            ltype = prop.get("logicalType")
            # Without a logicalType the schema's if/then branches all apply (so items and properties
            # are allowed, and no option fits every branch); the semantic pass asks for the type.
            _check_nested_keys(ctx, path, prop, is_item, typed_only=True)
            options = prop.get("logicalTypeOptions")
            if isinstance(options, dict) and isinstance(ltype, str) and ltype in LOGICAL_TYPE_OPTIONS:
                _check_options(ctx, (*path, "logicalTypeOptions"), ltype, options)
            elif isinstance(options, dict) and "logicalType" not in prop:
                for key in options:
                    ctx.add((*path, "logicalTypeOptions", key), "option-not-for-type",
                            f"logicalTypeOptions need a logicalType; add the logicalType that '{key}' belongs to")


def _check_nested_keys(ctx: _Ctx, path: PathKey, prop: dict[str, Any], is_item: bool, *, typed_only: bool) -> None:
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


def _check_nulls(ctx: _Ctx) -> None:
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
            child = _first_model(field_info.annotation)
            if model.__name__ == "Contract" and key == "team" and isinstance(value, list):
                from contracts.model import TeamMember

                child = TeamMember
            if child is not None:
                walk(child, value, (*path, key))

    walk(Contract, ctx.data, ())


def _check_options(ctx: _Ctx, path: PathKey, ltype: str, options: dict[str, Any]) -> None:
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
            ctx.add((*path, key), "bad-option-value", f"{key} must be {want}, got {_describe(value)}", at="value")


def _option_ok(kind: str, value: Any) -> tuple[bool, str]:
    if kind == "count":
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0, "a whole number >= 0"
    if kind == "number":
        return _is_number(value), "a number"
    if kind == "positive":
        return _is_number(value) and value > 0, "a number > 0"
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


def _check_relationship_shape(ctx: _Ctx) -> None:
    for opath, obj in _objects(ctx.data):
        for i, rel in _enumerate_dicts(obj.get("relationships")):
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
        for ppath, prop, _ in _properties(opath, obj):
            for i, rel in _enumerate_dicts(prop.get("relationships")):
                path = (*ppath, "relationships", i)
                if "from" in rel:
                    ctx.add((*path, "from"), "relationship-from-on-property",
                            "a property-level relationship starts at its property; remove 'from' or move "
                            "the relationship to the schema object")
                _check_references(ctx, path, rel)


def _check_references(ctx: _Ctx, path: PathKey, rel: dict[str, Any]) -> None:
    for end in ("from", "to"):
        value = rel.get(end)
        refs = value if isinstance(value, list) else [value] if value is not None else []
        if isinstance(value, list) and not value:
            ctx.add((*path, end), "bad-reference", f"'{end}' is an empty list; name at least one column",
                    at="value")
        for j, ref in enumerate(refs):
            if isinstance(ref, str) and not (_SHORTHAND.match(ref) or _FULLY_QUALIFIED.match(ref)):
                where = (*path, end, j) if isinstance(value, list) else (*path, end)
                ctx.add(where, "bad-reference",
                        f"'{ref}' is not a reference; write table.column or schema/<id>/properties/<id>",
                        at="value")


def _check_servers(ctx: _Ctx) -> None:
    for i, server in _enumerate_dicts(ctx.data.get("servers")):
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
                ctx.add((*path, key), "wrong-type", f"expected a whole number, got {_describe(value)}", at="value")
            elif fields[key] == "string" and not isinstance(value, str):
                ctx.add((*path, key), "wrong-type", f"expected a string, got {_describe(value)}", at="value")
        for key in required:
            if key not in server:
                ctx.add(path, "missing-key", f"missing required key '{key}' for a {stype} server; add {key}: ...")
        location = server.get("location")
        if stype == "sftp" and isinstance(location, str) and not location.startswith("sftp://"):
            ctx.add((*path, "location"), "wrong-type", "an sftp server's location starts with sftp://", at="value")


def _server_model() -> type[BaseModel]:
    from contracts.model import Server

    return Server


# --- semantics ------------------------------------------------------------------------------------


def _check_duplicates(ctx: _Ctx) -> None:
    seen_objects: dict[str, PathKey] = {}
    for opath, obj in _objects(ctx.data):
        for name in sorted(_object_names(obj)):
            if name in seen_objects and seen_objects[name] != opath:
                ctx.add(opath, "duplicate-dataset",
                        f"'{name}' names two schema objects ({format_path(seen_objects[name])} and this one); "
                        "rename one")
            seen_objects.setdefault(name, opath)
        nodes: list[tuple[PathKey, dict[str, Any]]] = [(opath, obj)]
        nodes += [(p, prop) for p, prop, _ in _properties(opath, obj)]
        for path, node in nodes:
            seen: dict[str, int] = {}
            for i, prop in _enumerate_dicts(node.get("properties")):
                pname = prop.get("name")
                if not isinstance(pname, str):
                    continue
                if pname in seen:
                    first = format_path((*path, "properties", seen[pname]))
                    ctx.add((*path, "properties", i, "name"), "duplicate-property",
                            f"property '{pname}' is already defined at {first}; rename or remove one", at="value")
                else:
                    seen[pname] = i
        positions: dict[int, str] = {}
        for i, prop in _enumerate_dicts(obj.get("properties")):
            position = prop.get("primaryKeyPosition")
            if not (isinstance(position, int) and not isinstance(position, bool)) or position < 0:
                continue
            ppath = (*opath, "properties", i, "primaryKeyPosition")
            if prop.get("primaryKey") is not True:
                ctx.add(ppath, "key-position-without-key",
                        "primaryKeyPosition is set but primaryKey is not true; add primaryKey: true or remove it")
            elif position in positions:
                ctx.add(ppath, "duplicate-key-position",
                        f"primaryKeyPosition {position} is already taken by '{positions[position]}'", at="value")
            else:
                positions[position] = str(prop.get("name"))


def _check_ids(ctx: _Ctx) -> None:
    """Ids of schema objects, properties and rules are unique in a contract (results are keyed by them)."""
    seen: dict[str, PathKey] = {}
    nodes: list[tuple[PathKey, dict[str, Any]]] = []
    for opath, obj in _objects(ctx.data):
        nodes.append((opath, obj))
        nodes += [(path, prop) for path, prop, _ in _properties(opath, obj)]
    nodes += [(at.path, at.rule) for at in _rules(ctx.data)]
    for path, node in sorted(nodes, key=lambda n: ctx.pos.key(n[0])):
        ident = node.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            ctx.add((*path, "id"), "duplicate-id",
                    f"id '{ident}' is already used at {format_path(seen[ident])}; ids are unique in a contract",
                    at="value")
        else:
            seen[ident] = path


def _check_relationship_columns(ctx: _Ctx) -> None:
    tables = _tables(ctx.data)

    def check(path: PathKey, ref: Any) -> None:
        if not (isinstance(ref, str) and _SHORTHAND.match(ref)):
            return
        table, column = ref.split(".", 1)
        columns = tables.get(table)
        if columns is not None and column not in columns:
            hint = did_you_mean(column, sorted(columns))
            ctx.add(path, "unknown-column", f"'{table}' has no column '{column}'.{hint}", at="value")

    for opath, obj in _objects(ctx.data):
        for i, rel in _enumerate_dicts(obj.get("relationships")):
            rpath = (*opath, "relationships", i)
            for end in ("from", "to"):
                value = rel.get(end)
                if isinstance(value, list):
                    for j, ref in enumerate(value):
                        check((*rpath, end, j), ref)
                else:
                    check((*rpath, end), value)
            src, dst = rel.get("from"), rel.get("to")
            if isinstance(src, list) and isinstance(dst, list) and len(src) != len(dst) and src and dst:
                ctx.add(rpath, "relationship-arity",
                        f"'from' names {len(src)} columns and 'to' names {len(dst)}; they pair up one to one")
        for ppath, prop, _ in _properties(opath, obj):
            for i, rel in _enumerate_dicts(prop.get("relationships")):
                value = rel.get("to")
                refs = value if isinstance(value, list) else [value]
                for j, ref in enumerate(refs):
                    where = (*ppath, "relationships", i, "to", j) if isinstance(value, list) else (
                        *ppath, "relationships", i, "to")
                    check(where, ref)


def _check_rule_semantics(ctx: _Ctx) -> None:
    for at in _rules(ctx.data):
        rule, path = at.rule, at.path
        kind = _rule_type(rule)
        severity = rule.get("severity")
        if isinstance(severity, str) and severity.lower() not in SEVERITIES and not _is_pactline(rule):
            hint = did_you_mean(severity.lower(), SEVERITIES)
            ctx.add((*path, "severity"), "unknown-severity",
                    f"unknown severity '{severity}'.{hint or ' Use error, warning or info.'}", at="value")
        if kind == "untyped" and not any(k in rule for k in ("query", "engine", "implementation", *OPERATORS)):
            ctx.add(path, "library-rule-without-metric",
                    "a rule without type is a library rule and needs a metric; add a metric or type: text")
        for op in ("mustBeBetween", "mustNotBeBetween"):
            bounds: Any = rule.get(op)
            if isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b) for b in bounds) \
                    and bounds[0] > bounds[1]:
                ctx.add((*path, op), "bad-between-bounds",
                        f"{op} takes [low, high] in ascending order; write [{bounds[1]}, {bounds[0]}]", at="value")
        unit = rule.get("unit")
        if isinstance(unit, str) and kind in ("library", "sql") and unit not in RULE_UNITS:
            hint = did_you_mean(unit, RULE_UNITS)
            ctx.add((*path, "unit"), "unit-not-for-metric",
                    f"unknown unit '{unit}'.{hint or ' Use rows or percent.'}", at="value")
        metric = rule.get("metric")
        if kind == "library" and isinstance(metric, str) and metric in METRICS:
            _check_metric(ctx, at, metric)
        if kind == "library" or kind == "sql":
            for op in ("mustBe", "mustNotBe"):
                if op in rule and not _is_number(rule[op]):
                    ctx.add((*path, op), "operator-not-for-metric",
                            f"{op} compares a count, so it takes a number, not {_describe(rule[op])}", at="value")
            if unit == "percent":
                for op in OPERATORS:
                    values = rule.get(op)
                    nums: list[Any] = values if isinstance(values, list) else [values]
                    if any(_is_number(v) and not 0 <= v <= 100 for v in nums):
                        ctx.add((*path, op), "percent-out-of-range",
                                f"{op} is a percentage here (unit: percent), so it lies in 0..100", at="value")
        if kind == "sql" and isinstance(rule.get("query"), str):
            _check_sql(ctx, (*path, "query"), rule["query"])
        if _is_pactline(rule):
            for p in pactline.setting_problems(rule, on_property=at.prop is not None):
                ctx.add((*path, *p.path), p.code, p.message, at="value" if p.path else "key")
        for j, cp in _enumerate_dicts(rule.get("customProperties")):
            for p in pactline.custom_property_problems(cp):
                ctx.add((*path, "customProperties", j, *p.path), p.code, p.message, at="value")


def _is_pactline(rule: dict[str, Any]) -> bool:
    engine = rule.get("engine")
    return rule.get("type") == "custom" and isinstance(engine, str) and engine.strip().lower() == pactline.ENGINE


def _check_metric(ctx: _Ctx, at: _RuleAt, metric: str) -> None:
    path, rule = at.path, at.rule
    if at.prop is None and metric in COLUMN_METRICS:
        ctx.add((*path, "metric"), "metric-not-for-level",
                f"{metric} counts values of one column; move the rule to that property's quality list", at="value")
    if at.prop is not None and metric == "rowCount":
        ctx.add((*path, "metric"), "metric-not-for-level",
                "rowCount counts the rows of a dataset; move the rule to the schema object's quality list",
                at="value")
    if metric == "rowCount" and rule.get("unit") == "percent":
        ctx.add((*path, "unit"), "unit-not-for-metric", "rowCount is a number of rows; remove unit: percent",
                at="value")
    arguments = rule.get("arguments")
    known = METRIC_ARGUMENTS[metric]
    if isinstance(arguments, dict):
        for key in arguments:
            if key not in known:
                hint = did_you_mean(key, known)
                takes = " It takes: " + ", ".join(known) + "." if known else " It takes no arguments."
                ctx.add((*path, "arguments", key), "unknown-argument",
                        f"{metric} has no argument '{key}'.{hint or takes}")
        pattern = arguments.get("pattern")
        if metric == "invalidValues" and isinstance(pattern, str):
            _check_regex(ctx, (*path, "arguments", "pattern"), pattern)
        valid = arguments.get("validValues")
        if metric == "invalidValues" and "validValues" in arguments and not isinstance(valid, list):
            ctx.add((*path, "arguments", "validValues"), "bad-option-value",
                    f"validValues is a list of values, got {_describe(valid)}", at="value")
        missing = arguments.get("missingValues")
        if metric == "missingValues" and "missingValues" in arguments and not isinstance(missing, list):
            ctx.add((*path, "arguments", "missingValues"), "bad-option-value",
                    f"missingValues is a list of values, got {_describe(missing)}", at="value")
        columns = arguments.get("properties")
        if metric == "duplicateValues" and isinstance(columns, list):
            names = _column_names(at.obj)
            for j, col in enumerate(columns):
                if isinstance(col, str) and col not in names:
                    hint = did_you_mean(col, sorted(names))
                    ctx.add((*path, "arguments", "properties", j), "unknown-column",
                            f"'{at.obj.get('name')}' has no column '{col}'.{hint}", at="value")
    if metric == "invalidValues" and not (
        isinstance(arguments, dict) and ("validValues" in arguments or "pattern" in arguments)
    ):
        ctx.add(path, "metric-needs-arguments",
                "invalidValues needs arguments.validValues (a list) or arguments.pattern (a regex)")


_PLACEHOLDERS = (("${object}", "_object__"), ("${property}", "_property__"),
                 ("{object}", "_object_"), ("{property}", "_property_"))


def _check_sql(ctx: _Ctx, path: PathKey, query: str) -> None:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    sql = query
    for placeholder, name in _PLACEHOLDERS:  # same length, so positions stay right
        sql = sql.replace(placeholder, name)
    try:
        statements = [s for s in sqlglot.parse(sql, dialect="duckdb") if s is not None]
    except ParseError as exc:
        err = exc.errors[0] if exc.errors else {}
        line, col = _sql_position(ctx, path, query, int(err.get("line") or 1), int(err.get("col") or 1))
        desc = str(err.get("description") or exc).split("\n")[0]
        ctx.out.append(Problem(ctx.display, line, col, format_path(path), "sql-syntax",
                               f"the SQL does not parse: {desc}; fix the query (duckdb dialect)"))
        return
    except TokenError as exc:
        ctx.add(path, "sql-syntax", f"the SQL does not parse: {exc}; fix the query (duckdb dialect)", at="value")
        return
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        ctx.add(path, "sql-not-a-query",
                "a sql rule's query is one SELECT that returns a number; "
                f"this is {len(statements)} statement(s)" + (
                    f" starting with {statements[0].key.upper()}" if statements else ""), at="value")


def _sql_position(ctx: _Ctx, path: PathKey, query: str, line: int, col: int) -> tuple[int, int]:
    """Where (line, col) inside ``query`` stands in the file."""
    vline, vcol = ctx.pos.value(path)
    lines = ctx.pos.lines
    if not lines or vline > len(lines):
        return vline, vcol
    head = lines[vline - 1][vcol - 1:]
    if head[:1] in ("|", ">"):  # a block scalar: content starts on the next line, indented
        first = vline + 1
        while first <= len(lines) and not lines[first - 1].strip():
            first += 1
        text = lines[first - 1] if first <= len(lines) else ""
        indent = len(text) - len(text.lstrip(" "))
        return first + line - 1, indent + col
    quote = 1 if head[:1] in ("'", '"') else 0
    if line == 1:
        return vline, vcol + quote + col - 1
    return vline + line - 1, col


def _check_regex(ctx: _Ctx, path: PathKey, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        ctx.add(path, "bad-regex", f"'{pattern}' is not a valid regular expression: {exc}", at="value")


def _check_property_semantics(ctx: _Ctx) -> None:
    for opath, obj in _objects(ctx.data):
        for path, prop, is_item in _properties(opath, obj):
            _check_nested_keys(ctx, path, prop, is_item, typed_only=False)
            options = prop.get("logicalTypeOptions")
            if not isinstance(options, dict):
                continue
            opath_ = (*path, "logicalTypeOptions")
            required, fields = options.get("required"), prop.get("properties")
            if prop.get("logicalType") == "object" and isinstance(required, list) and isinstance(fields, list):
                names = {f.get("name") for f in fields if isinstance(f, dict)}
                for j, field_name in enumerate(required):
                    if isinstance(field_name, str) and field_name not in names:
                        hint = did_you_mean(field_name, sorted(n for n in names if isinstance(n, str)))
                        ctx.add((*opath_, "required", j), "unknown-column",
                                f"'{prop.get('name')}' has no field '{field_name}'.{hint}", at="value")
            pattern = options.get("pattern")
            if isinstance(pattern, str):
                _check_regex(ctx, (*opath_, "pattern"), pattern)
            for low, high in (("minimum", "maximum"), ("minLength", "maxLength"), ("minItems", "maxItems"),
                              ("minProperties", "maxProperties"), ("exclusiveMinimum", "exclusiveMaximum")):
                lo: Any = options.get(low)
                hi: Any = options.get(high)
                comparable = (_is_number(lo) and _is_number(hi)) or (isinstance(lo, str) and isinstance(hi, str))
                if comparable and lo > hi:
                    ctx.add((*opath_, low), "bad-option-range", f"{low} {lo!r} is above {high} {hi!r}",
                            at="value")
        for j, cp in _enumerate_dicts(obj.get("customProperties")):
            for p in pactline.custom_property_problems(cp):
                ctx.add((*opath, "customProperties", j, *p.path), p.code, p.message, at="value")
    for j, cp in _enumerate_dicts(ctx.data.get("customProperties")):
        for p in pactline.custom_property_problems(cp):
            ctx.add(("customProperties", j, *p.path), p.code, p.message, at="value")


def _check_slas(ctx: _Ctx) -> None:
    tables = _tables(ctx.data)
    all_columns = set().union(*tables.values()) if tables else set()

    def check_element(path: PathKey, element: str) -> None:
        for part in element.split(","):
            part = part.strip()
            if "." in part:
                table, column = part.rsplit(".", 1)
                columns = tables.get(table)
                if columns is not None and column not in columns:
                    hint = did_you_mean(column, sorted(columns))
                    ctx.add(path, "unknown-column", f"'{table}' has no column '{column}'.{hint}", at="value")
            elif part in tables:
                continue
            elif tables and part not in all_columns:
                hint = did_you_mean(part, sorted(all_columns | set(tables)))
                ctx.add(path, "unknown-column", f"no schema object or column is named '{part}'.{hint}", at="value")

    if isinstance(ctx.data.get("slaDefaultElement"), str):
        check_element(("slaDefaultElement",), ctx.data["slaDefaultElement"])
    for i, sla in _enumerate_dicts(ctx.data.get("slaProperties")):
        path: PathKey = ("slaProperties", i)
        name = sla.get("property")
        if isinstance(sla.get("element"), str):
            check_element((*path, "element"), sla["element"])
        if not (isinstance(name, str) and name.lower() in DURATION_SLAS):
            continue
        value, unit = sla.get("value"), sla.get("unit")
        if "value" in sla and not _is_number(value):
            ctx.add((*path, "value"), "sla-value-not-number",
                    f"{name} is an amount of time: a number with a unit (e.g. value: 4, unit: h), "
                    f"not {_describe(value)}", at="value")
        if isinstance(unit, str) and unit.lower() not in DURATION_UNITS:
            hint = did_you_mean(unit.lower(), sorted(DURATION_UNITS))
            ctx.add((*path, "unit"), "sla-unit-not-duration",
                    f"'{unit}' is not a unit of time.{hint or ' Use s, m, h, d, w, mo or y.'}", at="value")
        elif unit is None and _is_number(value):
            ctx.add(path, "sla-unit-not-duration", f"{name} needs a unit of time, e.g. unit: h")


_STRUCTURAL: tuple[Callable[[_Ctx], None], ...] = (
    _check_nulls,
    _model_problems,
    _check_rule_shape,
    _check_property_shape,
    _check_relationship_shape,
    _check_servers,
)
_SEMANTIC: tuple[Callable[[_Ctx], None], ...] = (
    _check_duplicates,
    _check_ids,
    _check_relationship_columns,
    _check_rule_semantics,
    _check_property_semantics,
    _check_slas,
)


def _run(passes: tuple[Callable[[_Ctx], None], ...], data: dict[str, Any], pos: Positions,
         display: str) -> list[Problem]:
    ctx = _Ctx(data, pos, display)
    for check in passes:
        check(ctx)
    seen: set[tuple[str, str]] = set()
    out: list[Problem] = []
    for p in ctx.out:
        if (p.path, p.code) not in seen:
            seen.add((p.path, p.code))
            out.append(p)
    return out


def structural_problems(data: dict[str, Any], pos: Positions, display: str) -> list[Problem]:
    """Every problem of ``data`` that the ODCS JSON Schema also finds."""
    return _run(_STRUCTURAL, data, pos, display)


def semantic_problems(contract: Contract | None, data: dict[str, Any], pos: Positions, display: str) -> list[Problem]:
    """Every problem the JSON Schema cannot see; runs on the plain data, so ``contract`` may be None."""
    return _run(_SEMANTIC, data, pos, display)

