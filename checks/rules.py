"""Rules: what a dataset of a contract asks of a batch, compiled once into a plan.

Each rule has a stable id, a kind (``checks.results.KINDS``), a stable reason code (``REASONS``,
documented in docs/report.md) and a severity. Three shapes:

- ``RowRule``: a vectorised predicate per batch marking the rows that break it (required, ranges,
  lengths, pattern, format, enum, validValues, missing values, type, latency); counts are exact
  and add up over batches.
- ``KeyRule``: uniqueness over the whole input (``unique``, ``primaryKey``, ``duplicateValues``),
  decided at the end from a ``checks.keys.KeyTracker`` shared by the rules on the same columns.
- ``BatchRule``: decided once for the whole batch (rowCount, freshness, SQL, schema columns).

Rule ids: a quality rule's ``id`` when it has one, else ``<column>.quality[<i>]`` (or
``quality[<i>]`` on the dataset); a property constraint is ``<column>.<constraint>``
(``amount.required``, ``country.pattern``); a compound primary key is ``primaryKey``; an SLA is
its ``id`` or ``sla.<property>``.
"""

from __future__ import annotations

import datetime as dt
import math
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from checks.casting import conform, family, target_type
from checks.sketches import scratch
from contracts.model import SLA, Contract, Property, QualityRule, SchemaObject

__all__ = [
    "FORMATS",
    "REASONS",
    "BatchRule",
    "Ctx",
    "KeyRule",
    "Plan",
    "RowRule",
    "build_plan",
    "judge",
    "severity_of",
]

# Every reason code the engine emits (drift adds checks.drift.REASONS); docs/report.md documents each.
REASONS: dict[str, str] = {
    "ok": "the rule held",
    "missing_column": "a column of the contract is absent from the data",
    "unexpected_column": "the data has a column the contract does not declare",
    "type_mismatch": "values that cannot be read as the column's contract type",
    "column_missing": "the rule's column is absent from the data, so the rule could not be evaluated",
    "null_values": "null values where none (or fewer) are allowed",
    "missing_values": "null or missing-marker values (arguments.missingValues) beyond the threshold",
    "invalid_values": "values outside arguments.validValues, in arguments.invalidValues, or not matching arguments.pattern",
    "duplicate_values": "values repeating an earlier row's value (rows - distinct)",
    "duplicate_key": "primary-key values repeating an earlier row's key, or with a null key column",
    "below_minimum": "values below logicalTypeOptions.minimum / at or below exclusiveMinimum",
    "above_maximum": "values above logicalTypeOptions.maximum / at or above exclusiveMaximum",
    "too_short": "text shorter than logicalTypeOptions.minLength",
    "too_long": "text longer than logicalTypeOptions.maxLength",
    "pattern_mismatch": "text not matching logicalTypeOptions.pattern",
    "format_mismatch": "text not in the logicalTypeOptions.format (email, uuid, uri, hostname, ipv4, date)",
    "not_in_enum": "values outside logicalTypeOptions.enum",
    "row_count": "the batch's row count breaks the rowCount operator",
    "stale": "the newest value of the SLA element is older than the freshness SLA allows",
    "latency_exceeded": "rows whose SLA element is older than the latency SLA allows",
    "sql_failed": "the SQL rule's value breaks its operator",
    "sql_error": "the SQL rule could not run (syntax, missing column, refused file or network access)",
    "unsupported": "the engine cannot evaluate this rule; it is never counted as passed",
    "not_applicable": "an SLA or text rule that does not apply to one batch (retention, frequency, text)",
}

FORMATS: dict[str, str] = {
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
    "uuid": r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    "uri": r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$",
    "url": r"^[A-Za-z][A-Za-z0-9+.\-]*://[^\s]+$",
    "hostname": r"^[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*$",
    "ipv4": r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$",
    "date": r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$",
}
# logicalTypeOptions.format values that choose a width (contracts.types), not a text format.
_WIDTH_FORMATS = {"i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128", "f32", "f64"}
# SLA properties that say nothing about one batch's content.
_NOT_BATCH_SLAS = {"retention", "frequency", "generalavailability", "endofsupport", "endoflife", "timeofavailability",
                   "timetodetect", "timetonotify", "timetorepair", "availability", "throughput", "errorrate"}
_UNITS = {
    "s": 1, "sec": 1, "secs": 1, "second": 1, "seconds": 1,
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "week": 604800, "weeks": 604800,
    "y": 31536000, "yr": 31536000, "year": 31536000, "years": 31536000,
}


@dataclass
class Ctx:
    """One batch as the rules see it: per contract column the raw array, the typed array and the type-failure mask."""

    offset: int
    rows: int
    raw: dict[str, pa.Array]
    typed: dict[str, pa.Array]
    bad: dict[str, pa.Array | None]


Mask = Callable[[Ctx], pa.Array | None]
Judge = Callable[[int, int], tuple[bool, Any]]  # (failing count, rows) -> (passed, observed)


@dataclass
class RowRule:
    rule: str
    kind: str
    reason: str
    column: str | None
    severity: str
    threshold: Any
    mask: Mask
    judge: Judge
    sample_column: str | None = None
    # Parquet row-group statistics that prove no row of the group breaks the rule: then it is skipped
    settled: Callable[[dict[str, list[Any]]], bool] | None = None
    count: int = 0
    samples: list[dict[str, Any]] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)  # numpy row numbers per batch, when tracked


@dataclass
class KeyRule:
    rule: str
    kind: str
    reason: str
    column: str | None
    severity: str
    threshold: Any
    columns: tuple[str, ...]
    judge: Judge
    nulls_fail: bool = False  # a primary key: a null key column fails the row too


@dataclass
class BatchRule:
    rule: str
    kind: str
    reason: str
    column: str | None
    severity: str
    threshold: Any
    source: Any  # what to evaluate: QualityRule (rowCount / sql), SLA, or a column name
    what: str  # row_count | sql | freshness | missing_column | unexpected | static
    judge: Judge | None = None
    observed: Any = None
    passed: bool | None = None
    message: str = ""


@dataclass
class Plan:
    dataset: SchemaObject
    targets: dict[str, pa.DataType]  # contract column -> Arrow type
    props: dict[str, Property]
    row_rules: list[RowRule]
    key_rules: list[KeyRule]
    batch_rules: list[BatchRule]
    order: list[Any]  # every rule in report order
    freshness_columns: set[str]
    unexpected_policy: str
    has_sql: bool
    has_drift: bool


def severity_of(rule: QualityRule | None, default: str = "error") -> str:
    """``error`` | ``warning`` | ``info`` from an ODCS severity (free text)."""
    text = ((rule.severity if rule is not None else None) or default).strip().lower()
    if text in ("error", "critical", "high", "blocker", "fatal"):
        return "error"
    if text in ("warning", "warn", "medium", "low", "minor"):
        return "warning"
    if text in ("info", "information", "informational"):
        return "info"
    return "error"


def judge(ops: dict[str, Any], value: float) -> bool:
    """Whether ``value`` satisfies every ODCS operator given."""
    for op, arg in ops.items():
        if op == "mustBe" and value != arg:
            return False
        if op == "mustNotBe" and value == arg:
            return False
        if op == "mustBeGreaterThan" and not value > arg:
            return False
        if op == "mustBeGreaterOrEqualTo" and not value >= arg:
            return False
        if op == "mustBeLessThan" and not value < arg:
            return False
        if op == "mustBeLessOrEqualTo" and not value <= arg:
            return False
        if op == "mustBeBetween" and not arg[0] <= value <= arg[1]:
            return False
        if op == "mustNotBeBetween" and arg[0] <= value <= arg[1]:
            return False
    return True


def _ops_threshold(ops: dict[str, Any], unit: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {k: list(v) if isinstance(v, tuple) else v for k, v in ops.items()}
    if unit:
        out["unit"] = unit
    return out


def metric_judge(ops: dict[str, Any], unit: str | None) -> Judge:
    percent = (unit or "rows").strip().lower() in ("percent", "%", "pct")

    def decide(count: int, rows: int) -> tuple[bool, Any]:
        observed: float = (100.0 * count / rows if rows else 0.0) if percent else count
        if percent:
            observed = round(observed, 6)
        return judge(ops, observed), observed

    return decide


def zero_judge(count: int, rows: int) -> tuple[bool, Any]:
    del rows
    return count == 0, count


# ------------------------------------------------------------------------------------ predicates
def _fill(mask: pa.Array | None) -> pa.Array | None:
    if mask is None:
        return None
    if isinstance(mask, pa.ChunkedArray):
        mask = mask.combine_chunks()
    return mask.fill_null(False) if mask.null_count else mask


def on_values(arr: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``fn`` over the values; on a dictionary array, decided once per dictionary entry and taken by
    index (and, for the slices of one Parquet row group, which share their dictionary, once for all
    of them: the last dictionary's decisions are kept per ``fn``)."""
    if pa.types.is_dictionary(arr.type):
        return pc.take(_decide(arr.dictionary, fn), arr.indices)
    return fn(arr)


def _decide(dictionary: pa.Array, fn: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``fn`` over a dictionary's entries, kept for the next call with the same dictionary."""
    key = _dictionary_key(dictionary)
    try:
        last = _DECIDED.get(fn)
    except TypeError:  # a callable that takes no weak reference: decided every time
        return fn(dictionary)
    if last is not None and last[1] == key:
        return last[2]
    decided = fn(dictionary)
    # the dictionary is held with its decisions, so its buffers cannot be reused for another
    _DECIDED[fn] = (dictionary, key, decided)
    return decided


_DECIDED: weakref.WeakKeyDictionary[Callable[[pa.Array], pa.Array], tuple[pa.Array, tuple[Any, ...], pa.Array]] = \
    weakref.WeakKeyDictionary()


def _dictionary_key(arr: pa.Array) -> tuple[Any, ...]:
    """What tells one dictionary from another while it is held: its type, slice and buffers' addresses."""
    return (arr.type, arr.offset, len(arr), tuple(b.address if b is not None else 0 for b in arr.buffers()))


def _null_mask(col: str) -> Mask:
    def mask(ctx: Ctx) -> pa.Array | None:
        raw = ctx.raw.get(col)
        return None if raw is None else pc.is_null(raw)

    return mask


def _missing_mask(col: str, markers: list[Any]) -> Mask:
    def mask(ctx: Ctx) -> pa.Array | None:
        raw = ctx.raw.get(col)
        if raw is None:
            return None
        nulls = pc.is_null(raw)
        if not markers:
            return nulls
        values = _value_set(markers, raw.type)
        if values is None:
            return nulls
        hit = _fill(on_values(raw, lambda a: pc.is_in(a, value_set=values.cast(a.type) if values.type != a.type else values)))
        return pc.or_(nulls, hit)

    return mask


def _value_set(values: list[Any], t: pa.DataType) -> pa.Array | None:
    """The values as an Arrow array of type ``t`` (those that fit; None when none do)."""
    if pa.types.is_dictionary(t):
        t = t.value_type
    if family(t) == "string":
        arr = pa.array([str(v) for v in values if v is not None], pa.string())
        return arr.cast(t) if t != pa.string() else arr
    try:
        arr = pa.array([v for v in values if v is not None])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        arr = pa.array([str(v) for v in values if v is not None])
    typed, bad = conform(arr, t)
    if bad is not None:
        typed = typed.filter(pc.invert(bad))
    return typed if len(typed) else None


class _TypedMask:
    """The rows of a typed column that ``fn`` flags (a null flags nothing); ``count`` counts them
    without building the mask where that costs less."""

    __slots__ = ("__weakref__", "col", "fn")

    def __init__(self, col: str, fn: Callable[[pa.Array], pa.Array]) -> None:
        self.col = col
        self.fn = fn

    def __call__(self, ctx: Ctx) -> pa.Array | None:
        typed = ctx.typed.get(self.col)
        if typed is None:
            return None
        hit = _fill(on_values(typed, self.fn))
        # a null (or a value that was not of the type, counted by <column>.logicalType) breaks no validity rule
        return pc.and_(hit, pc.is_valid(typed)) if typed.null_count else hit

    def count(self, ctx: Ctx) -> int | None:
        """How many rows the mask would flag, for a dictionary-encoded column: the rows whose entry is
        flagged, counted on the indices. ``None``: count the mask instead."""
        typed = ctx.typed.get(self.col)
        if typed is None or not pa.types.is_dictionary(typed.type):
            return None
        dictionary = typed.dictionary
        flagged = _fill(_decide(dictionary, self.fn))
        assert flagged is not None
        entries = np.flatnonzero(np.asarray(flagged.to_numpy(zero_copy_only=False), dtype=bool))
        if len(entries) == 0:
            return 0
        indices = typed.indices
        if typed.null_count:
            indices = pc.fill_null(indices, pa.scalar(len(dictionary), indices.type))  # an extra bin, not counted
        raw = indices.to_numpy(zero_copy_only=False)
        wide = scratch("rules.indices", len(raw), np.intp)
        np.copyto(wide, raw)
        return int(np.bincount(wide, minlength=len(dictionary) + 1)[entries].sum())


def _typed_mask(col: str, fn: Callable[[pa.Array], pa.Array]) -> Mask:
    return _TypedMask(col, fn)


def _compare(bound: pa.Scalar, cmp: Callable[..., pa.Array]) -> Callable[[pa.Array], pa.Array]:
    def fn(a: pa.Array) -> pa.Array:
        same = bound.type == a.type or family(a.type) != "number" or pa.types.is_decimal(a.type)
        return cmp(a, bound if same else bound.cast(a.type))

    return fn


def _length(n: int, cmp: Callable[..., pa.Array]) -> Callable[[pa.Array], pa.Array]:
    bound = pa.scalar(n, pa.int64())  # typed once: a Python int is converted (type inferred) on every call

    def fn(a: pa.Array) -> pa.Array:
        return cmp(pc.utf8_length(a), bound)

    return fn


def _inside(values: pa.Array) -> Callable[[pa.Array], pa.Array]:
    def fn(a: pa.Array) -> pa.Array:
        return pc.is_in(a, value_set=values if values.type == a.type else values.cast(a.type))

    return fn


def _outside(values: pa.Array) -> Callable[[pa.Array], pa.Array]:
    inside = _inside(values)

    def fn(a: pa.Array) -> pa.Array:
        return pc.invert(inside(a))

    return fn


def _regex_fn(pattern: str, *, negate: bool) -> Callable[[pa.Array], pa.Array]:
    def fn(a: pa.Array) -> pa.Array:
        hit = pc.match_substring_regex(a, pattern)
        return pc.invert(hit) if negate else hit

    return fn


def regex_ok(pattern: str) -> str | None:
    """The error of an RE2 pattern, or None when Arrow accepts it."""
    try:
        pc.match_substring_regex(pa.array([""], pa.string()), pattern)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        return " ".join(str(exc).split())
    return None


def _scalar(value: Any, t: pa.DataType) -> pa.Scalar | None:
    if pa.types.is_dictionary(t):
        t = t.value_type
    try:
        arr = pa.array([value])
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    if pa.types.is_integer(t) and isinstance(value, float) and not float(value).is_integer():
        return None  # a fractional bound on an integer column: compared in float64 by the caller
    typed, bad = conform(arr, t)
    if bad is not None or typed.null_count:
        return None
    return typed[0]


# ------------------------------------------------------------------------------------ building
def _rule_id(prop: Property | None, rule: QualityRule, index: int) -> str:
    if rule.id:
        return rule.id
    return f"{prop.name}.quality[{index}]" if prop is not None else f"quality[{index}]"


def build_plan(contract: Contract, obj: SchemaObject, now: dt.datetime) -> Plan:
    from contracts.pactline import is_drift_rule, unexpected_columns_policy

    targets: dict[str, pa.DataType] = {}
    props: dict[str, Property] = {}
    row_rules: list[RowRule] = []
    key_rules: list[KeyRule] = []
    batch_rules: list[BatchRule] = []
    order: list[Any] = []
    has_sql = has_drift = False

    def add(rule: Any) -> None:
        order.append(rule)
        if isinstance(rule, RowRule):
            row_rules.append(rule)
        elif isinstance(rule, KeyRule):
            key_rules.append(rule)
        else:
            batch_rules.append(rule)

    def static(rule_id: str, kind: str, reason: str, column: str | None, severity: str, message: str,
               passed: bool = False) -> BatchRule:
        return BatchRule(rule_id, kind, reason, column, severity, None, None, "static", passed=passed,
                         message=message)

    for prop in obj.columns:
        col = prop.name
        if not col:
            continue
        props[col] = prop
        try:
            targets[col] = target_type(prop)
        except ValueError:
            targets[col] = pa.string()
        add(BatchRule(f"{col}.present", "schema", "missing_column", col, "error" if prop.is_required else "warning",
                      None, col, "missing_column"))
        add(RowRule(f"{col}.logicalType", "schema", "type_mismatch", col, "error", str(targets[col]),
                    _bad_mask(col), zero_judge, col))
        if prop.is_required:
            add(RowRule(f"{col}.required", "completeness", "null_values", col, "error", 0, _null_mask(col),
                        zero_judge, col, settled=_no_nulls(col)))
        _constraints(col, prop, targets[col], add, static)
        if prop.unique:
            add(KeyRule(f"{col}.unique", "uniqueness", "duplicate_values", col, "error", 0, (col,), zero_judge))
        for i, q in enumerate(prop.quality or ()):
            if is_drift_rule(q):
                has_drift = True
                continue
            rid = _rule_id(prop, q, i)
            compiled = _quality(rid, q, obj, prop, targets, static)
            has_sql = has_sql or (isinstance(compiled, BatchRule) and compiled.what == "sql")
            add(compiled)

    pk = obj.primary_key
    if len(pk) == 1:
        add(KeyRule(f"{pk[0]}.primaryKey", "uniqueness", "duplicate_key", pk[0], "error", 0, pk, zero_judge,
                    nulls_fail=True))
    elif len(pk) > 1:
        add(KeyRule("primaryKey", "uniqueness", "duplicate_key", None, "error", {"columns": list(pk)}, pk,
                    zero_judge, nulls_fail=True))
    for i, q in enumerate(obj.quality or ()):
        rid = _rule_id(None, q, i)
        compiled = _quality(rid, q, obj, None, targets, static)
        has_sql = has_sql or (isinstance(compiled, BatchRule) and compiled.what == "sql")
        add(compiled)

    freshness_columns: set[str] = set()
    seen: dict[str, int] = {}
    for sla in contract.sla_properties or ():
        compiled_sla = _sla(sla, contract, obj, targets, now, seen, static)
        if compiled_sla is None:
            continue
        if isinstance(compiled_sla, BatchRule) and compiled_sla.what == "freshness" and compiled_sla.column:
            freshness_columns.add(compiled_sla.column)
        add(compiled_sla)
    return Plan(obj, targets, props, row_rules, key_rules, batch_rules, order, freshness_columns,
                unexpected_columns_policy(contract, obj), has_sql, has_drift)


def _no_nulls(col: str) -> Callable[[dict[str, list[Any]]], bool]:
    def settled(stats: dict[str, list[Any]]) -> bool:
        st = stats.get(col)
        return st is not None and st[0] == 0

    return settled


def _within(col: str, bound: Any, reason: str, exclusive: bool) -> Callable[[dict[str, list[Any]]], bool] | None:
    if not isinstance(bound, int | float) or isinstance(bound, bool):
        return None

    def settled(stats: dict[str, list[Any]]) -> bool:
        st = stats.get(col)
        if st is None or st[1] is None or st[2] is None:
            return False
        if reason == "below_minimum":
            return bool(st[1] > bound if exclusive else st[1] >= bound)
        return bool(st[2] < bound if exclusive else st[2] <= bound)

    return settled


def _bad_mask(col: str) -> Mask:
    def mask(ctx: Ctx) -> pa.Array | None:
        return ctx.bad.get(col)

    return mask


def _constraints(col: str, prop: Property, t: pa.DataType, add: Callable[[Any], None],
                 static: Callable[..., BatchRule]) -> None:
    opts = prop.option
    fam = family(t)
    for key, reason in (("minimum", "below_minimum"), ("exclusiveMinimum", "below_minimum"),
                        ("maximum", "above_maximum"), ("exclusiveMaximum", "above_maximum")):
        if key not in opts:
            continue
        bound = opts[key]
        scalar = _scalar(bound, t) if fam in ("integer", "number", "timestamp", "date", "time") else None
        if isinstance(bound, bool) and key.startswith("exclusive"):
            continue  # JSON-Schema draft-4 style flag; handled with minimum/maximum
        if scalar is None and fam in ("integer", "number") and isinstance(bound, int | float):
            scalar = pa.scalar(float(bound))
        if scalar is None:
            add(static(f"{col}.{key}", "validity", "unsupported", col, "warning",
                       f"{key} {bound!r} cannot be compared with a {fam} column"))
            continue
        exclusive = key.startswith("exclusive") or opts.get("exclusive" + key[0].upper() + key[1:]) is True
        cmp = {("below_minimum", False): pc.less, ("below_minimum", True): pc.less_equal,
               ("above_maximum", False): pc.greater, ("above_maximum", True): pc.greater_equal}[(reason, exclusive)]
        add(RowRule(f"{col}.{key}", "validity", reason, col, "error", _json(bound),
                    _typed_mask(col, _compare(scalar, cmp)), zero_judge, col,
                    settled=_within(col, bound, reason, exclusive)))
    if fam == "string":
        for key, reason, cmp in (("minLength", "too_short", pc.less), ("maxLength", "too_long", pc.greater)):
            if key in opts and isinstance(opts[key], int):
                add(RowRule(f"{col}.{key}", "validity", reason, col, "error", opts[key],
                            _typed_mask(col, _length(opts[key], cmp)), zero_judge, col))
        if isinstance(opts.get("pattern"), str):
            problem = regex_ok(opts["pattern"])
            if problem:
                add(static(f"{col}.pattern", "validity", "unsupported", col, "warning",
                           f"pattern {opts['pattern']!r} is not a supported regular expression: {problem}"))
            else:
                add(RowRule(f"{col}.pattern", "validity", "pattern_mismatch", col, "error", opts["pattern"],
                            _typed_mask(col, _regex_fn(opts["pattern"], negate=True)), zero_judge, col))
    fmt = opts.get("format")
    if isinstance(fmt, str) and fmt not in _WIDTH_FORMATS:
        if fam == "string" and fmt.lower() in FORMATS:
            add(RowRule(f"{col}.format", "validity", "format_mismatch", col, "error", fmt,
                        _typed_mask(col, _regex_fn(FORMATS[fmt.lower()], negate=True)), zero_judge, col))
        else:
            add(static(f"{col}.format", "validity", "unsupported", col, "warning",
                       f"format {fmt!r} is not checked on a {fam} column (known: {', '.join(FORMATS)})"))
    enum = opts.get("enum")
    if isinstance(enum, list | tuple) and enum:
        values = _value_set(list(enum), t)
        if values is not None:
            add(RowRule(f"{col}.enum", "validity", "not_in_enum", col, "error", list(enum),
                        _typed_mask(col, _outside(values)), zero_judge, col))


def _quality(rid: str, q: QualityRule, obj: SchemaObject, prop: Property | None, targets: dict[str, pa.DataType],
             static: Callable[..., BatchRule]) -> Any:
    sev = severity_of(q)
    col = prop.name if prop is not None else None
    kind = q.kind
    if kind == "text":
        return static(rid, "validity", "not_applicable", col, "info", "a text rule is for people; nothing to run",
                      passed=True)
    if kind == "custom":
        return static(rid, "validity", "unsupported", col, "warning",
                      f"custom rule for engine {q.engine!r} is not run by pactline")
    ops = q.operators()
    if kind == "sql":
        if not q.query:
            return static(rid, "sql", "unsupported", col, "warning", "a sql rule without a query")
        if not ops:
            ops = {"mustBe": 0}
        return BatchRule(rid, "sql", "sql_failed", col, sev, _ops_threshold(ops, q.unit), q, "sql",
                         judge=metric_judge(ops, None))
    metric = q.metric or (q.rule if q.rule in ("nullValues", "missingValues", "invalidValues", "duplicateValues",
                                               "rowCount") else None)
    args = q.arguments or {}
    if metric == "rowCount":
        ops = ops or {"mustBeGreaterThan": 0}
        return BatchRule(rid, "volume", "row_count", col, sev, _ops_threshold(ops, None), q, "row_count",
                         judge=metric_judge(ops, None))
    if metric is None:
        return static(rid, "validity", "unsupported", col, "warning",
                      f"library rule {q.rule or '(none)'!r} is not known; use an ODCS metric")
    ops = ops or {"mustBe": 0}
    threshold = _ops_threshold(ops, q.unit)
    decide = metric_judge(ops, q.unit)
    if metric == "duplicateValues":
        cols = tuple(args.get("properties") or ()) if prop is None else (col,)
        if prop is None and not cols:
            cols = tuple(targets)
        missing = [c for c in cols if c not in targets]
        if missing or not cols:
            return static(rid, "uniqueness", "unsupported", col, "warning",
                          f"duplicateValues names columns the dataset does not declare: {', '.join(missing)}")
        return KeyRule(rid, "uniqueness", "duplicate_values", col, sev, threshold, tuple(str(c) for c in cols), decide)
    if col is None:
        return static(rid, "validity", "unsupported", None, "warning",
                      f"{metric} on a dataset needs a column; put it on a property")
    t = targets[col]
    if metric == "nullValues":
        return RowRule(rid, "completeness", "null_values", col, sev, threshold, _null_mask(col), decide, col,
                       settled=_no_nulls(col))
    if metric == "missingValues":
        markers = list(args.get("missingValues") or [])
        return RowRule(rid, "completeness", "missing_values", col, sev, threshold, _missing_mask(col, markers),
                       decide, col)
    # invalidValues
    fns: list[Callable[[pa.Array], pa.Array]] = []
    valid = args.get("validValues")
    if isinstance(valid, list | tuple) and valid:
        vs = _value_set(list(valid), t)
        if vs is None:
            return static(rid, "validity", "unsupported", col, "warning", "validValues do not fit the column's type")
        fns.append(_outside(vs))
    invalid = args.get("invalidValues")
    if isinstance(invalid, list | tuple) and invalid:
        ivs = _value_set(list(invalid), t)
        if ivs is not None:
            fns.append(_inside(ivs))
    pattern = args.get("pattern")
    if isinstance(pattern, str):
        problem = regex_ok(pattern)
        if problem or family(t) != "string":
            return static(rid, "validity", "unsupported", col, "warning",
                          f"pattern cannot be checked: {problem or 'the column is not text'}")
        fns.append(_regex_fn(pattern, negate=True))
    if not fns:
        return static(rid, "validity", "unsupported", col, "warning",
                      "invalidValues needs arguments.validValues, arguments.invalidValues or arguments.pattern")

    def combined(a: pa.Array, fs: list[Callable[[pa.Array], pa.Array]] = fns) -> pa.Array:
        out = fs[0](a)
        for f in fs[1:]:
            out = pc.or_kleene(out, f(a))
        return out

    return RowRule(rid, "validity", "invalid_values", col, sev, threshold, _typed_mask(col, combined), decide, col)


def window_seconds(value: Any, unit: str | None) -> float | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    factor = _UNITS.get((unit or "s").strip().lower())
    return None if factor is None else float(value) * factor


def sla_column(sla: SLA, contract: Contract, obj: SchemaObject) -> str | None:
    element = sla.element or contract.sla_default_element
    if not element:
        return None
    for prefix in (obj.qualified_name + ".", obj.name + "."):
        if element.startswith(prefix):
            return element[len(prefix):]
    if "." in element:
        head, tail = element.rsplit(".", 1)
        return tail if head in (obj.qualified_name, obj.name) or obj.column(tail) is not None else None
    return element


def _sla(sla: SLA, contract: Contract, obj: SchemaObject, targets: dict[str, pa.DataType], now: dt.datetime,
         seen: dict[str, int], static: Callable[..., BatchRule]) -> Any:
    name = sla.property
    key = name.lower()
    count = seen.get(key, 0)
    seen[key] = count + 1
    rid = sla.id or (f"sla.{name}" if count == 0 else f"sla.{name}[{count}]")
    if key in _NOT_BATCH_SLAS:
        return static(rid, "freshness", "not_applicable", None, "info",
                      f"the {name} SLA is about the service over time, not about one batch", passed=True)
    if key not in ("latency", "freshness"):
        return static(rid, "freshness", "unsupported", None, "warning", f"SLA property {name!r} is not checked")
    col = sla_column(sla, contract, obj)
    seconds = window_seconds(sla.value, sla.unit)
    if col is None or seconds is None:
        return static(rid, "freshness", "unsupported", col, "warning",
                      f"the {name} SLA needs an element of this dataset and a duration (value + unit)")
    if col not in targets or family(targets[col]) not in ("timestamp", "date"):
        return static(rid, "freshness", "unsupported", col, "warning",
                      f"the {name} SLA element {col!r} is not a timestamp or date column of {obj.qualified_name}")
    threshold = {"max_age_seconds": seconds, "now": now.isoformat()}
    if key == "freshness":
        return BatchRule(rid, "freshness", "stale", col, "warning", threshold, (seconds, now), "freshness")
    cutoff = now - dt.timedelta(seconds=seconds)

    def older(a: pa.Array, cut: dt.datetime = cutoff) -> pa.Array:
        scalar = pa.scalar(cut if a.type.tz else cut.replace(tzinfo=None), pa.timestamp("us", tz=a.type.tz)) \
            if pa.types.is_timestamp(a.type) else pa.scalar(cut.date(), a.type)
        return pc.less(a, scalar.cast(a.type) if pa.types.is_timestamp(a.type) else scalar)

    return RowRule(rid, "freshness", "latency_exceeded", col, "warning", threshold, _typed_mask(col, older),
                   zero_judge, col)


def _json(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    return v

