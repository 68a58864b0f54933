"""Typing the data against the contract: logical types to Arrow types, and safe, counted casts.

``target_type(prop)`` is the Arrow type of a property (``contracts.types.arrow_type_for``, parsed).
``conform(array, target)`` brings one column to that type, value by value:

- the same type: unchanged; a dictionary-encoded column of strings stays dictionary-encoded
  (rules then decide on the dictionary and count on the indices);
- the same family (int32 for int64, float for decimal, another timestamp unit or zone): cast;
- text (CSV, or a string column where the contract wants another type): parsed. ``"42"`` is an
  integer, ``" 42 "`` too (surrounding spaces are trimmed), ``"4x2"`` is not: it becomes null in
  the typed column and is counted as one ``type_mismatch`` row. Timestamps accept ISO 8601 with
  ``T`` or a space; a value without a zone, for a zoned column, is read in that zone. Booleans
  accept true/false/1/0 in any case. Dates are ``YYYY-MM-DD``.
- anything else that cannot hold the contract's type (a boolean where a timestamp is due):
  every non-null value is a ``type_mismatch`` row.

Nothing raises: a cast that fails for some values is bisected until the failing values are
isolated, so the cost stays vectorised and proportional to the number of bad values.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
import pyarrow.compute as pc

from contracts.model import Property
from contracts.types import ArrowType, arrow_type_for, parse_type

__all__ = ["always_conforms", "conform", "family", "target_type", "to_pyarrow"]


def to_pyarrow(t: ArrowType) -> pa.DataType:
    """A parsed type string of ``contracts.types`` as a pyarrow type."""
    simple = {
        "int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(), "int64": pa.int64(),
        "uint8": pa.uint8(), "uint16": pa.uint16(), "uint32": pa.uint32(), "uint64": pa.uint64(),
        "float32": pa.float32(), "float64": pa.float64(), "bool": pa.bool_(), "string": pa.string(),
        "binary": pa.binary(), "date32": pa.date32(),
    }
    if t.name in simple:
        return simple[t.name]
    if t.name == "time64":
        return pa.time64(t.params[0] if t.params else "us")
    if t.name == "timestamp":
        unit = t.params[0] if t.params else "us"
        tz = next((p.split("=", 1)[1] for p in t.params[1:] if p.startswith("tz=")), None)
        return pa.timestamp(unit, tz=tz)
    if t.name in ("decimal128", "decimal256"):
        precision, scale = int(t.params[0]), int(t.params[1]) if len(t.params) > 1 else 0
        return pa.decimal128(precision, scale) if t.name == "decimal128" else pa.decimal256(precision, scale)
    if t.name == "list":
        return pa.list_(to_pyarrow(t.children[0][1]))
    if t.name == "struct":
        return pa.struct([pa.field(n, to_pyarrow(c)) for n, c in t.children])
    raise ValueError(f"no pyarrow type for {t.name}")


def target_type(prop: Property) -> pa.DataType:
    """The Arrow type a property's values must have."""
    return to_pyarrow(parse_type(arrow_type_for(prop)))


def family(t: pa.DataType) -> str:
    """integer | number | string | boolean | timestamp | date | time | binary | nested | other."""
    if pa.types.is_dictionary(t):
        return family(t.value_type)
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "number"
    if pa.types.is_string(t) or pa.types.is_large_string(t) or _is_string_view(t):
        return "string"
    if pa.types.is_boolean(t):
        return "boolean"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_time(t):
        return "time"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t) or pa.types.is_fixed_size_binary(t):
        return "binary"
    if pa.types.is_nested(t):
        return "nested"
    if pa.types.is_null(t):
        return "null"
    return "other"


def _is_string_view(t: pa.DataType) -> bool:
    return str(t) == "string_view"


_COMPATIBLE = {
    "integer": {"integer", "number"},
    "number": {"number", "integer"},
    "string": {"string"},
    "boolean": {"boolean"},
    "timestamp": {"timestamp", "date"},
    "date": {"date", "timestamp"},
    "time": {"time"},
    "binary": {"binary", "string"},
    "nested": {"nested"},
}


def always_conforms(src: pa.DataType, target: pa.DataType) -> bool:
    """True when ``conform`` types every array of type ``src`` as ``target`` without looking at its
    values (its ``bad`` is always ``None``): the same type, a timestamp of the same unit, text as
    text, or a column of nulls. Then a type check needs the schema only."""
    if src == target or pa.types.is_null(src):
        return True
    if pa.types.is_timestamp(src) and pa.types.is_timestamp(target) and src.unit == target.unit:
        return True
    return family(target) == "string" and family(src) == "string"


def conform(arr: pa.Array, target: pa.DataType) -> tuple[pa.Array, pa.Array | None]:
    """``(typed, bad)``: the column as ``target`` and a boolean mask of values that could not be typed.

    ``bad`` is ``None`` when every value was typed. Bad values are null in ``typed``.
    """
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    src = arr.type
    if src == target:
        return arr, None
    if _is_string_view(src):
        arr = arr.cast(pa.large_string())
        src = arr.type
    want, have = family(target), family(src)
    if pa.types.is_timestamp(src) and pa.types.is_timestamp(target) and src.unit == target.unit:
        # the same instants (UTC wall time); only the zone label differs
        return arr.view(target) if target.tz is None or src.tz is not None else pc.assume_timezone(
            arr, target.tz), None
    if want == "string" and have == "string":
        return arr, None  # large_string or dictionary<string>: kept as is (rules handle both)
    if have == "null":
        return pa.nulls(len(arr), target), None
    if pa.types.is_dictionary(src):
        arr = arr.dictionary_decode()
        src = arr.type
    if have == "string" and want != "string":
        return _parse_text(arr, target)
    if have in _COMPATIBLE.get(want, set()) or want == "string":
        return _bisect(arr, target, _plain_cast)
    valid = pc.is_valid(arr)
    return pa.nulls(len(arr), target), valid if pc.any(valid).as_py() else None


def _plain_cast(arr: pa.Array, target: pa.DataType) -> pa.Array:
    return pc.cast(arr, target, safe=True)


def _text_cast(arr: pa.Array, target: pa.DataType) -> pa.Array:
    if pa.types.is_boolean(target):
        low = pc.utf8_lower(arr)
        ok = pc.is_in(low, pa.array(["true", "false", "1", "0", "t", "f", "yes", "no"], pa.string()))
        if not pc.all(pc.or_kleene(ok, pc.is_null(arr))).as_py():
            raise pa.ArrowInvalid("not a boolean")
        return pc.if_else(pc.is_null(arr), pa.scalar(None, pa.bool_()),
                          pc.is_in(low, pa.array(["true", "1", "t", "yes"], pa.string())))
    if pa.types.is_time(target):
        ts = pc.strptime(pc.binary_join_element_wise("1970-01-01T", arr, ""), format="%Y-%m-%dT%H:%M:%S",
                         unit="us", error_is_null=False)
        micros = pc.cast(ts, pa.int64())
        return pc.cast(micros, pa.time64("us")).cast(target)
    if pa.types.is_timestamp(target) and target.tz is not None:
        try:
            return pc.cast(arr, target)
        except pa.ArrowInvalid:
            naive = pc.cast(arr, pa.timestamp(target.unit))
            return pc.assume_timezone(naive, target.tz)
    if pa.types.is_timestamp(target):
        try:
            return pc.cast(arr, target)
        except pa.ArrowInvalid:
            return pc.cast(pc.cast(arr, pa.timestamp(target.unit, tz="UTC")), target)  # zoned text: UTC wall time
    if pa.types.is_date(target):
        return pc.cast(pc.cast(arr, pa.timestamp("s")), target) if pc.any(
            pc.greater(pc.utf8_length(arr), 10)).as_py() else pc.cast(arr, target)
    return pc.cast(arr, target, safe=True)


def _parse_text(arr: pa.Array, target: pa.DataType) -> tuple[pa.Array, pa.Array | None]:
    arr = pc.utf8_trim_whitespace(arr.cast(pa.string()) if pa.types.is_large_string(arr.type) else arr)
    # An empty (or all-space) text is no value for a typed column.
    arr = pc.if_else(pc.equal(arr, ""), pa.scalar(None, pa.string()), arr)
    return _bisect(arr, target, _text_cast)


def _bisect(arr: pa.Array, target: pa.DataType,
            fn: Callable[[pa.Array, pa.DataType], pa.Array]) -> tuple[pa.Array, pa.Array | None]:
    """Cast; when that fails, cast halves until the failing values stand alone (nulls, flagged bad)."""
    try:
        return fn(arr, target), None
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
        pass
    pieces: list[pa.Array] = []
    bad: list[pa.Array] = []

    def go(part: pa.Array) -> None:
        try:
            pieces.append(fn(part, target))
            bad.append(_falses(len(part)))
            return
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError, OverflowError):
            pass
        if len(part) == 1:
            pieces.append(pa.nulls(1, target))
            bad.append(pa.array([part[0].is_valid], pa.bool_()))
            return
        mid = len(part) // 2
        go(part.slice(0, mid))
        go(part.slice(mid))

    go(arr)
    typed = pa.concat_arrays(pieces)
    mask = pa.concat_arrays(bad)
    return typed, mask if pc.any(mask).as_py() else None


def _falses(n: int) -> pa.Array:
    import numpy as np

    return pa.array(np.zeros(n, dtype=bool))
