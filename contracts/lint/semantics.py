"""Semantics: mistakes the ODCS JSON Schema accepts but that make a contract wrong or useless."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from contracts import pactline
from contracts.lint.structure import check_nested_keys, rule_type
from contracts.lint.vocabulary import (
    COLUMN_METRICS,
    DURATION_SLAS,
    DURATION_UNITS,
    METRIC_ARGUMENTS,
    RULE_UNITS,
    SEVERITIES,
    SHORTHAND_REFERENCE,
)
from contracts.lint.walk import (
    Ctx,
    PathKey,
    RuleAt,
    column_names,
    describe,
    enumerate_dicts,
    is_number,
    iter_objects,
    iter_properties,
    iter_rules,
    object_names,
    table_columns,
)
from contracts.loader import did_you_mean, format_path
from contracts.model import METRICS, OPERATORS
from contracts.problems import Problem

# --- semantics ------------------------------------------------------------------------------------

__all__ = ["SEMANTIC"]


def _check_duplicates(ctx: Ctx) -> None:
    seen_objects: dict[str, PathKey] = {}
    for opath, obj in iter_objects(ctx.data):
        for name in sorted(object_names(obj)):
            if name in seen_objects and seen_objects[name] != opath:
                ctx.add(opath, "duplicate-dataset",
                        f"'{name}' names two schema objects ({format_path(seen_objects[name])} and this one); "
                        "rename one")
            seen_objects.setdefault(name, opath)
        nodes: list[tuple[PathKey, dict[str, Any]]] = [(opath, obj)]
        nodes += [(p, prop) for p, prop, _ in iter_properties(opath, obj)]
        for path, node in nodes:
            seen: dict[str, int] = {}
            for i, prop in enumerate_dicts(node.get("properties")):
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
        for i, prop in enumerate_dicts(obj.get("properties")):
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


def _check_ids(ctx: Ctx) -> None:
    """Ids of schema objects, properties and rules are unique in a contract (results are keyed by them)."""
    seen: dict[str, PathKey] = {}
    nodes: list[tuple[PathKey, dict[str, Any]]] = []
    for opath, obj in iter_objects(ctx.data):
        nodes.append((opath, obj))
        nodes += [(path, prop) for path, prop, _ in iter_properties(opath, obj)]
    nodes += [(at.path, at.rule) for at in iter_rules(ctx.data)]
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


def _check_relationship_columns(ctx: Ctx) -> None:
    tables = table_columns(ctx.data)

    def check(path: PathKey, ref: Any) -> None:
        if not (isinstance(ref, str) and SHORTHAND_REFERENCE.match(ref)):
            return
        table, column = ref.split(".", 1)
        columns = tables.get(table)
        if columns is not None and column not in columns:
            hint = did_you_mean(column, sorted(columns))
            ctx.add(path, "unknown-column", f"'{table}' has no column '{column}'.{hint}", at="value")

    for opath, obj in iter_objects(ctx.data):
        for i, rel in enumerate_dicts(obj.get("relationships")):
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
        for ppath, prop, _ in iter_properties(opath, obj):
            for i, rel in enumerate_dicts(prop.get("relationships")):
                value = rel.get("to")
                refs = value if isinstance(value, list) else [value]
                for j, ref in enumerate(refs):
                    where = (*ppath, "relationships", i, "to", j) if isinstance(value, list) else (
                        *ppath, "relationships", i, "to")
                    check(where, ref)


def _check_rule_semantics(ctx: Ctx) -> None:
    for at in iter_rules(ctx.data):
        rule, path = at.rule, at.path
        kind = rule_type(rule)
        severity = rule.get("severity")
        if isinstance(severity, str) and severity.lower() not in SEVERITIES and not is_pactline(rule):
            hint = did_you_mean(severity.lower(), SEVERITIES)
            ctx.add((*path, "severity"), "unknown-severity",
                    f"unknown severity '{severity}'.{hint or ' Use error, warning or info.'}", at="value")
        if kind in ("text", "sql", "custom") and "metric" in rule:
            ctx.add((*path, "metric"), "key-not-for-rule-type",
                    f"a {kind} rule is not a library rule, so its metric is never measured; "
                    f"remove the metric or write type: library", at="key")
        if kind == "untyped" and not any(k in rule for k in ("query", "engine", "implementation", *OPERATORS)):
            ctx.add(path, "library-rule-without-metric",
                    "a rule without type is a library rule and needs a metric; add a metric or type: text")
        for op in ("mustBeBetween", "mustNotBeBetween"):
            bounds: Any = rule.get(op)
            if isinstance(bounds, list) and len(bounds) == 2 and all(is_number(b) for b in bounds) \
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
                if op in rule and not is_number(rule[op]):
                    ctx.add((*path, op), "operator-not-for-metric",
                            f"{op} compares a count, so it takes a number, not {describe(rule[op])}", at="value")
            if unit == "percent":
                for op in OPERATORS:
                    values = rule.get(op)
                    nums: list[Any] = values if isinstance(values, list) else [values]
                    if any(is_number(v) and not 0 <= v <= 100 for v in nums):
                        ctx.add((*path, op), "percent-out-of-range",
                                f"{op} is a percentage here (unit: percent), so it lies in 0..100", at="value")
        if kind == "sql" and isinstance(rule.get("query"), str):
            _check_sql(ctx, (*path, "query"), rule["query"], on_property=at.prop is not None)
        if is_pactline(rule):
            for p in pactline.setting_problems(rule, on_property=at.prop is not None):
                ctx.add((*path, *p.path), p.code, p.message, at="value" if p.path else "key")
        for j, cp in enumerate_dicts(rule.get("customProperties")):
            for p in pactline.custom_property_problems(cp):
                ctx.add((*path, "customProperties", j, *p.path), p.code, p.message, at="value")


def is_pactline(rule: dict[str, Any]) -> bool:
    engine = rule.get("engine")
    return rule.get("type") == "custom" and isinstance(engine, str) and engine.strip().lower() == pactline.ENGINE


def _check_metric(ctx: Ctx, at: RuleAt, metric: str) -> None:
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
                    f"validValues is a list of values, got {describe(valid)}", at="value")
        missing = arguments.get("missingValues")
        if metric == "missingValues" and "missingValues" in arguments and not isinstance(missing, list):
            ctx.add((*path, "arguments", "missingValues"), "bad-option-value",
                    f"missingValues is a list of values, got {describe(missing)}", at="value")
        columns = arguments.get("properties")
        if metric == "duplicateValues" and isinstance(columns, list):
            names = column_names(at.obj)
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


def _check_sql(ctx: Ctx, path: PathKey, query: str, *, on_property: bool) -> None:
    import sqlglot
    from sqlglot import exp
    from sqlglot.errors import ParseError, TokenError

    from contracts.sqlrules import COLUMN_NAMES, DATASET_NAMES, placeholders

    sql = query
    for ph in placeholders(query):
        problem = None
        if ph.kind is None:
            problem = (f"unknown placeholder {ph.text}; write ${{{DATASET_NAMES[0]}}} (or "
                       + ", ".join("${" + n + "}" for n in DATASET_NAMES[1:]) + f") for the dataset and "
                       f"${{{COLUMN_NAMES[0]}}} (or " + ", ".join("${" + n + "}" for n in COLUMN_NAMES[1:])
                       + ") for a property's column")
        elif ph.kind == "column" and not on_property:
            problem = (f"{ph.text} stands for the rule's column, but this rule is not under a property; "
                       "write the column's name, or move the rule to the property's quality list")
        if problem is not None:
            line = query.count("\n", 0, ph.start) + 1
            col = ph.start - (query.rfind("\n", 0, ph.start) + 1) + 1
            at_line, at_col = _sql_position(ctx, path, query, line, col)
            ctx.out.append(Problem(ctx.display, at_line, at_col, format_path(path), "sql-placeholder", problem))
        # an identifier of the same length, so the parser's positions stay right
        sql = sql[:ph.start] + ("_" + ph.name + "_" * len(ph.text))[:len(ph.text)] + sql[ph.end:]
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


def _sql_position(ctx: Ctx, path: PathKey, query: str, line: int, col: int) -> tuple[int, int]:
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


def _check_regex(ctx: Ctx, path: PathKey, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as exc:
        ctx.add(path, "bad-regex", f"'{pattern}' is not a valid regular expression: {exc}", at="value")


_TEMPORAL_PARSERS: dict[str, tuple[Callable[[str], object], str]] = {
    "date": (dt.date.fromisoformat, "an ISO date like 2026-01-31"),
    "timestamp": (dt.datetime.fromisoformat, "an ISO timestamp like 2026-01-31T08:00:00Z"),
    "time": (dt.time.fromisoformat, "an ISO time like 08:00:00"),
}


def _check_temporal_bounds(ctx: Ctx, path: PathKey, ltype: Any, options: dict[str, Any]) -> None:
    """minimum/maximum of a date, timestamp or time must be readable as one (ISO, unless a format is given)."""
    if not isinstance(ltype, str) or ltype not in _TEMPORAL_PARSERS or "format" in options:
        return
    parse, example = _TEMPORAL_PARSERS[ltype]
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        value = options.get(key)
        if not isinstance(value, str):
            continue
        try:
            parse(value)
        except ValueError:
            ctx.add((*path, key), "bad-option-value",
                    f"{key} '{value}' is not {example}; write it so, or give the format it is in", at="value")


def _check_property_semantics(ctx: Ctx) -> None:
    for opath, obj in iter_objects(ctx.data):
        for path, prop, is_item in iter_properties(opath, obj):
            check_nested_keys(ctx, path, prop, is_item, typed_only=False)
            options = prop.get("logicalTypeOptions")
            if not isinstance(options, dict):
                continue
            opath_ = (*path, "logicalTypeOptions")
            _check_temporal_bounds(ctx, opath_, prop.get("logicalType"), options)
            required, fields = options.get("required"), prop.get("properties")
            if prop.get("logicalType") == "object" and isinstance(required, list) and isinstance(fields, list):
                names = {f["name"] for f in fields if isinstance(f, dict) and isinstance(f.get("name"), str)}
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
                comparable = (is_number(lo) and is_number(hi)) or (isinstance(lo, str) and isinstance(hi, str))
                if comparable and lo > hi:
                    ctx.add((*opath_, low), "bad-option-range", f"{low} {lo!r} is above {high} {hi!r}",
                            at="value")
        for j, cp in enumerate_dicts(obj.get("customProperties")):
            for p in pactline.custom_property_problems(cp):
                ctx.add((*opath, "customProperties", j, *p.path), p.code, p.message, at="value")
    for j, cp in enumerate_dicts(ctx.data.get("customProperties")):
        for p in pactline.custom_property_problems(cp):
            ctx.add(("customProperties", j, *p.path), p.code, p.message, at="value")


def _check_slas(ctx: Ctx) -> None:
    tables = table_columns(ctx.data)
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
    for i, sla in enumerate_dicts(ctx.data.get("slaProperties")):
        path: PathKey = ("slaProperties", i)
        name = sla.get("property")
        if isinstance(sla.get("element"), str):
            check_element((*path, "element"), sla["element"])
        if not (isinstance(name, str) and name.lower() in DURATION_SLAS):
            continue
        value, unit = sla.get("value"), sla.get("unit")
        if "value" in sla and not is_number(value):
            ctx.add((*path, "value"), "sla-value-not-number",
                    f"{name} is an amount of time: a number with a unit (e.g. value: 4, unit: h), "
                    f"not {describe(value)}", at="value")
        if isinstance(unit, str) and unit.lower() not in DURATION_UNITS:
            hint = did_you_mean(unit.lower(), sorted(DURATION_UNITS))
            ctx.add((*path, "unit"), "sla-unit-not-duration",
                    f"'{unit}' is not a unit of time.{hint or ' Use s, m, h, d, w, mo or y.'}", at="value")
        elif unit is None and is_number(value):
            ctx.add(path, "sla-unit-not-duration", f"{name} needs a unit of time, e.g. unit: h")


SEMANTIC: tuple[Callable[[Ctx], None], ...] = (
    _check_duplicates,
    _check_ids,
    _check_relationship_columns,
    _check_rule_semantics,
    _check_property_semantics,
    _check_slas,
)
