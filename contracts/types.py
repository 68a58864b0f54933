"""ODCS logical types (with physicalType hints and logicalTypeOptions) as Arrow types, as plain strings.

contracts does not import pyarrow; the checks engine turns these strings into pyarrow types
(``parse_type`` gives the parsed form). The strings, by family::

    int8 int16 int32 int64 uint8 uint16 uint32 uint64     float32 float64     bool
    string binary     date32     time64[us]     timestamp[<unit>] | timestamp[<unit>, tz=<zone>]
    decimal128(<precision>,<scale>) decimal256(<precision>,<scale>)
    list<T>     struct<name: T, name: T>

How a property maps (first match wins):

1. ``logicalType`` chooses the family; without one, ``physicalType`` alone decides (else string).
2. ``logicalTypeOptions.format`` picks the width: i8..i64/u8..u64 (integer; i128/u128 ->
   decimal128(38,0)), f32/f64 (number). ``timezone: true`` on timestamp/time gives
   ``tz=<defaultTimezone or UTC>``.
3. ``physicalType`` refines within the family, read the SQL way (case-insensitive):
   tinyint/int1 -> int8, smallint/int2 -> int16, int/integer/int4 -> int32,
   bigint/long/int8 -> int64 (``int8`` is 8 *bytes* in PostgreSQL and DuckDB), int16/int32/int64
   read as bits, utinyint/usmallint/uinteger/ubigint and uint8..uint64 -> unsigned,
   hugeint/int128 -> decimal128(38,0), float/float4/real -> float32, double/float8/double precision
   -> float64, decimal(p,s)/numeric(p,s) -> decimal128(p,s) (decimal256 above 38 digits),
   timestamptz/timestamp with time zone -> timestamp[us, tz=UTC], timestamp_ns/_ms/_s -> that unit.
4. Defaults: integer int64, number float64, timestamp timestamp[us], time time64[us], date date32,
   object struct of its properties, array list of its items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.model import Property

__all__ = ["ArrowType", "arrow_type_for", "fits", "logical_type_for", "parse_type"]

_INT_FORMATS = {
    "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64", "i128": "decimal128(38,0)",
    "u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64", "u128": "decimal128(38,0)",
}
_FLOAT_FORMATS = {"f32": "float32", "f64": "float64"}

_PHYSICAL_INT = {
    "tinyint": "int8", "int1": "int8", "byteint": "int8",
    "smallint": "int16", "int2": "int16", "short": "int16", "int16": "int16",
    "int": "int32", "integer": "int32", "int4": "int32", "int32": "int32", "mediumint": "int32",
    "bigint": "int64", "long": "int64", "int8": "int64", "int64": "int64",
    "utinyint": "uint8", "uint8": "uint8", "usmallint": "uint16", "uint16": "uint16",
    "uinteger": "uint32", "uint32": "uint32", "ubigint": "uint64", "uint64": "uint64",
    "hugeint": "decimal128(38,0)", "int128": "decimal128(38,0)",
}
_PHYSICAL_FLOAT = {
    "float": "float32", "float4": "float32", "real": "float32", "float32": "float32",
    "double": "float64", "float8": "float64", "double precision": "float64", "float64": "float64",
}
_PHYSICAL_FAMILY = {
    **{k: "integer" for k in _PHYSICAL_INT},
    **{k: "number" for k in _PHYSICAL_FLOAT},
    "decimal": "number", "numeric": "number", "number": "number",
    "varchar": "string", "char": "string", "text": "string", "string": "string", "nvarchar": "string",
    "character varying": "string", "uuid": "string", "json": "string", "jsonb": "string", "bpchar": "string",
    "bool": "boolean", "boolean": "boolean",
    "date": "date", "time": "time",
    "timestamp": "timestamp", "datetime": "timestamp", "timestamptz": "timestamp",
    "timestamp with time zone": "timestamp", "timestamp without time zone": "timestamp",
    "timestamp_ns": "timestamp", "timestamp_ms": "timestamp", "timestamp_s": "timestamp",
    "timestamp_us": "timestamp",
    "blob": "binary", "bytea": "binary", "binary": "binary", "varbinary": "binary", "bytes": "binary",
}
_DECIMAL = re.compile(r"^(?:decimal|numeric|number)\s*\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)$")
_PARAMS = re.compile(r"\s*\(.*\)\s*$")


def _physical(prop: Property) -> str:
    return " ".join((prop.physical_type or "").strip().lower().split())


def _family(prop: Property) -> str:
    if prop.logical_type:
        return prop.logical_type
    base = _PARAMS.sub("", _physical(prop))
    return _PHYSICAL_FAMILY.get(base, "string")


def arrow_type_for(prop: Property) -> str:
    """The Arrow type of a property's values, as a plain string (see the module docstring)."""
    family = _family(prop)
    options = prop.option
    physical = _physical(prop)
    base = _PARAMS.sub("", physical)
    fmt = options.get("format")
    if family == "integer":
        if isinstance(fmt, str) and fmt in _INT_FORMATS:
            return _INT_FORMATS[fmt]
        return _PHYSICAL_INT.get(base, _decimal(physical) or "int64")
    if family == "number":
        if isinstance(fmt, str) and fmt in _FLOAT_FORMATS:
            return _FLOAT_FORMATS[fmt]
        return _decimal(physical) or _PHYSICAL_FLOAT.get(base, "float64")
    if family == "boolean":
        return "bool"
    if family == "date":
        return "date32"
    if family == "time":
        return "time64[us]"
    if family == "timestamp":
        unit = {"timestamp_ns": "ns", "timestamp_ms": "ms", "timestamp_s": "s"}.get(base, "us")
        zone = options.get("defaultTimezone") if isinstance(options.get("defaultTimezone"), str) else "UTC"
        if options.get("timezone") is True or base in ("timestamptz", "timestamp with time zone"):
            return f"timestamp[{unit}, tz={zone}]"
        return f"timestamp[{unit}]"
    if family == "binary":
        return "binary"
    if family == "object":
        fields = [f"{p.name}: {arrow_type_for(p)}" for p in prop.properties or () if p.name]
        return "struct<" + ", ".join(fields) + ">"
    if family == "array":
        return f"list<{arrow_type_for(prop.items) if prop.items is not None else 'string'}>"
    return "string"


def _decimal(physical: str) -> str | None:
    m = _DECIMAL.match(physical)
    if m is None:
        return "decimal128(18,3)" if physical in ("decimal", "numeric") else None
    precision, scale = int(m.group(1)), int(m.group(2) or 0)
    width = 128 if precision <= 38 else 256
    return f"decimal{width}({precision},{scale})"


@dataclass(frozen=True)
class ArrowType:
    """A parsed type string: ``name`` plus parameters and children.

    ``decimal128(10,2)`` -> name ``decimal128``, params ``("10", "2")``;
    ``timestamp[us, tz=UTC]`` -> name ``timestamp``, params ``("us", "tz=UTC")``;
    ``list<int64>`` -> children ``(("item", int64),)``; ``struct<a: int64>`` -> ``(("a", int64),)``.
    """

    name: str
    params: tuple[str, ...] = ()
    children: tuple[tuple[str, ArrowType], ...] = ()


def parse_type(text: str) -> ArrowType:
    """Parse a type string made by ``arrow_type_for`` (``ValueError`` for anything else)."""
    parsed, rest = _parse(text.strip())
    if rest.strip():
        raise ValueError(f"unexpected {rest!r} after the type in {text!r}")
    return parsed


def _parse(text: str) -> tuple[ArrowType, str]:
    m = re.match(r"[a-z0-9_]+", text)
    if m is None:
        raise ValueError(f"not an Arrow type: {text!r}")
    name, rest = m.group(0), text[m.end():]
    if rest.startswith(("(", "[")):
        close = ")" if rest[0] == "(" else "]"
        end = rest.index(close)
        params = tuple(p.strip() for p in rest[1:end].split(",") if p.strip())
        return ArrowType(name, params), rest[end + 1:]
    if rest.startswith("<"):
        rest = rest[1:]
        children: list[tuple[str, ArrowType]] = []
        while not rest.startswith(">"):
            label = "item"
            if name == "struct":
                colon = rest.index(":")
                label, rest = rest[:colon].strip(), rest[colon + 1:].lstrip()
            child, rest = _parse(rest)
            children.append((label, child))
            rest = rest.lstrip()
            if rest.startswith(","):
                rest = rest[1:].lstrip()
        return ArrowType(name, (), tuple(children)), rest[1:]
    return ArrowType(name), rest


# Arrow type names (ours and pyarrow's ``str(type)`` spellings) -> the ODCS logical type they carry.
_LOGICAL_BY_PREFIX: tuple[tuple[str, str], ...] = (
    ("dictionary<values=", ""),  # decided by the value type, below
    ("large_list", "array"), ("list", "array"), ("fixed_size_list", "array"),
    ("struct", "object"), ("map", "object"),
    ("timestamp", "timestamp"), ("date", "date"), ("time", "time"),
    ("decimal", "number"), ("double", "number"), ("float", "number"), ("halffloat", "number"),
    ("int", "integer"), ("uint", "integer"),
    ("bool", "boolean"),
    ("large_string", "string"), ("string", "string"), ("utf8", "string"), ("large_utf8", "string"),
    ("binary", "string"), ("large_binary", "string"),
    ("null", "null"),
)


def logical_type_for(arrow: str) -> str:
    """The ODCS logical type of an Arrow type string (ours or pyarrow's ``str(type)``).

    ``"int32"`` -> integer, ``"double"`` -> number, ``"timestamp[us, tz=UTC]"`` -> timestamp,
    ``"list<item: string>"`` -> array, ``"dictionary<values=string, ...>"`` -> string,
    ``"decimal128(38,0)"`` -> integer (no fraction digits); ``null``
    for the null type and ``unknown`` for anything else.
    """
    text = arrow.strip().lower()
    scale = re.match(r"^decimal(?:128|256)?\(\s*\d+\s*,\s*0\s*\)$", text)
    if scale:  # a decimal without fraction digits holds whole numbers
        return "integer"
    if text.startswith("dictionary<values="):
        return logical_type_for(text.removeprefix("dictionary<values=").split(",", 1)[0])
    for prefix, logical in _LOGICAL_BY_PREFIX:
        if text.startswith(prefix) and logical:
            return logical
    return "unknown"


def fits(prop: Property, arrow: str) -> bool:
    """Whether data of Arrow type ``arrow`` can hold the values of ``prop``'s logical type.

    Same family fits (any integer width for integer); integers fit number; an all-null column
    fits anything; a property without logicalType accepts any type.
    """
    observed = logical_type_for(arrow)
    if prop.logical_type is None or observed == "null":
        return True
    if observed == prop.logical_type:
        return True
    return prop.logical_type == "number" and observed == "integer"
