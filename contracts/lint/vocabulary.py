"""What ODCS allows where: keys per rule type, options per logical type, metric arguments, units."""

from __future__ import annotations

import re

from contracts.model import OPERATORS

__all__ = [
    "BASE_RULE_KEYS",
    "COLUMN_METRICS",
    "DURATION_SLAS",
    "DURATION_UNITS",
    "FLOAT_FORMATS",
    "FULLY_QUALIFIED_REFERENCE",
    "INT_FORMATS",
    "LOGICAL_TYPE_OPTIONS",
    "METRIC_ARGUMENTS",
    "NUMERIC_OPTIONS",
    "RULE_TYPE_KEYS",
    "RULE_TYPE_ONLY",
    "RULE_UNITS",
    "SEVERITIES",
    "SHORTHAND_REFERENCE",
    "STRING_LIKE_OPTIONS",
]

BASE_RULE_KEYS = frozenset({
    "id", "name", "description", "type", "dimension", "unit", "severity", "businessImpact", "method",
    "schedule", "scheduler", "tags", "authoritativeDefinitions", "customProperties",
})
RULE_TYPE_KEYS: dict[str, frozenset[str]] = {
    "library": frozenset({"metric", "rule", "arguments", *OPERATORS}),
    "sql": frozenset({"query", *OPERATORS}),
    "custom": frozenset({"engine", "implementation"}),
    "text": frozenset(),
}
RULE_TYPE_ONLY = {k: t for t, keys in RULE_TYPE_KEYS.items() for k in keys if k not in OPERATORS}

STRING_LIKE_OPTIONS = {"format": "string", "exclusiveMaximum": "string", "maximum": "string",
                        "exclusiveMinimum": "string", "minimum": "string"}
NUMERIC_OPTIONS = {"multipleOf": "positive", "maximum": "number", "exclusiveMaximum": "number",
                    "minimum": "number", "exclusiveMinimum": "number"}
# logicalType -> option -> kind of value (from the schema's if/then per logicalType)
LOGICAL_TYPE_OPTIONS: dict[str, dict[str, str]] = {
    "string": {"minLength": "count", "maxLength": "count", "pattern": "string", "format": "string"},
    "date": dict(STRING_LIKE_OPTIONS),
    "timestamp": {**STRING_LIKE_OPTIONS, "timezone": "boolean", "defaultTimezone": "string"},
    "time": {**STRING_LIKE_OPTIONS, "timezone": "boolean", "defaultTimezone": "string"},
    "integer": {**NUMERIC_OPTIONS, "format": "int-format"},
    "number": {**NUMERIC_OPTIONS, "format": "float-format"},
    "object": {"maxProperties": "count", "minProperties": "count", "required": "names"},
    "array": {"maxItems": "count", "minItems": "count", "uniqueItems": "boolean"},
    "boolean": {},
}
INT_FORMATS = ("i8", "i16", "i32", "i64", "i128", "u8", "u16", "u32", "u64", "u128")
FLOAT_FORMATS = ("f32", "f64")

SHORTHAND_REFERENCE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
FULLY_QUALIFIED_REFERENCE = re.compile(
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
