"""Logical type (+ physicalType, logicalTypeOptions) -> Arrow type strings."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from contracts import Property, load_contract
from contracts.types import ArrowType, arrow_type_for, fits, logical_type_for, parse_type

ROOT = Path(__file__).resolve().parents[2]


def _prop(**fields: Any) -> Property:
    return Property.model_validate({"name": "c", **fields})


CASES = [
    ({"logicalType": "string"}, "string"),
    ({"logicalType": "string", "physicalType": "varchar(20)"}, "string"),
    ({"logicalType": "integer"}, "int64"),
    ({"logicalType": "integer", "physicalType": "INT"}, "int32"),
    ({"logicalType": "integer", "physicalType": "int32"}, "int32"),
    ({"logicalType": "integer", "physicalType": "smallint"}, "int16"),
    ({"logicalType": "integer", "physicalType": "tinyint"}, "int8"),
    ({"logicalType": "integer", "physicalType": "int8"}, "int64"),  # SQL: 8 bytes
    ({"logicalType": "integer", "physicalType": "bigint"}, "int64"),
    ({"logicalType": "integer", "physicalType": "ubigint"}, "uint64"),
    ({"logicalType": "integer", "physicalType": "hugeint"}, "decimal128(38,0)"),
    ({"logicalType": "integer", "logicalTypeOptions": {"format": "i8"}}, "int8"),
    ({"logicalType": "integer", "logicalTypeOptions": {"format": "u64"}}, "uint64"),
    ({"logicalType": "integer", "logicalTypeOptions": {"format": "i16"}, "physicalType": "bigint"}, "int16"),
    ({"logicalType": "number"}, "float64"),
    ({"logicalType": "number", "physicalType": "float"}, "float32"),
    ({"logicalType": "number", "physicalType": "REAL"}, "float32"),
    ({"logicalType": "number", "physicalType": "double precision"}, "float64"),
    ({"logicalType": "number", "physicalType": "decimal(10,2)"}, "decimal128(10,2)"),
    ({"logicalType": "number", "physicalType": "NUMERIC(12, 6)"}, "decimal128(12,6)"),
    ({"logicalType": "number", "physicalType": "decimal(50,4)"}, "decimal256(50,4)"),
    ({"logicalType": "number", "logicalTypeOptions": {"format": "f32"}}, "float32"),
    ({"logicalType": "boolean"}, "bool"),
    ({"logicalType": "date"}, "date32"),
    ({"logicalType": "time"}, "time64[us]"),
    ({"logicalType": "timestamp"}, "timestamp[us]"),
    ({"logicalType": "timestamp", "physicalType": "timestamptz"}, "timestamp[us, tz=UTC]"),
    ({"logicalType": "timestamp", "physicalType": "timestamp_ns"}, "timestamp[ns]"),
    ({"logicalType": "timestamp", "logicalTypeOptions": {"timezone": True}}, "timestamp[us, tz=UTC]"),
    ({"logicalType": "timestamp", "logicalTypeOptions": {"timezone": True, "defaultTimezone": "Europe/Paris"}},
     "timestamp[us, tz=Europe/Paris]"),
    ({"logicalType": "array", "items": {"logicalType": "integer", "physicalType": "int"}}, "list<int32>"),
    ({"logicalType": "array"}, "list<string>"),
    ({"logicalType": "object", "properties": [{"name": "a", "logicalType": "date"},
                                              {"name": "b", "logicalType": "array", "items": {"logicalType": "number"}}]},
     "struct<a: date32, b: list<float64>>"),
    ({"physicalType": "bigint"}, "int64"),
    ({"physicalType": "DOUBLE"}, "float64"),
    ({"physicalType": "date"}, "date32"),
    ({"physicalType": "blob"}, "binary"),
    ({"physicalType": "geometry"}, "string"),
    ({}, "string"),
]


@pytest.mark.parametrize(("fields", "expected"), CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)])
def test_arrow_type_for(fields: dict[str, Any], expected: str) -> None:
    assert arrow_type_for(_prop(**fields)) == expected


def _to_pyarrow(t: ArrowType) -> pa.DataType:
    """What the checks engine does with the strings; here to prove every string is well formed."""
    if t.name == "timestamp":
        tz = next((p.split("=", 1)[1] for p in t.params if p.startswith("tz=")), None)
        return pa.timestamp(t.params[0], tz=tz)
    if t.name in ("decimal128", "decimal256"):
        precision, scale = (int(p) for p in t.params)
        return (pa.decimal128 if t.name == "decimal128" else pa.decimal256)(precision, scale)
    if t.name == "time64":
        return pa.time64(t.params[0])
    if t.name == "list":
        return pa.list_(_to_pyarrow(t.children[0][1]))
    if t.name == "struct":
        return pa.struct([(name, _to_pyarrow(child)) for name, child in t.children])
    return pa.type_for_alias(t.name)


@pytest.mark.parametrize(("fields", "expected"), CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)])
def test_every_type_string_is_a_pyarrow_type(fields: dict[str, Any], expected: str) -> None:
    assert isinstance(_to_pyarrow(parse_type(expected)), pa.DataType)


def test_parse_type_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        parse_type("int64 extra")
    with pytest.raises(ValueError):
        parse_type("<>")


def test_example_orders_csv_reads_with_the_contract_types() -> None:
    contract = load_contract(ROOT / "examples" / "contracts" / "raw_orders.odcs.yaml")
    (obj,) = contract.datasets
    schema = pa.schema([(p.name, _to_pyarrow(parse_type(arrow_type_for(p)))) for p in obj.columns if p.name])
    assert str(schema.field("order_ts").type) == "timestamp[us, tz=UTC]"
    for name in ("raw_orders_good.csv", "raw_orders_bad.csv"):
        table = pacsv.read_csv(ROOT / "examples" / "data" / name,
                               convert_options=pacsv.ConvertOptions(column_types=schema))
        assert table.schema == schema
        assert table.num_rows == 1200


def test_contracts_never_import_pyarrow() -> None:
    import subprocess
    import sys

    code = "import sys, contracts, contracts.lint, contracts.types, contracts.pactline, contracts.dump; " \
           "print('pyarrow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("pa_type", [
    pa.int8(), pa.uint64(), pa.float16(), pa.float32(), pa.float64(), pa.decimal128(10, 2), pa.bool_(), pa.string(),
    pa.large_string(), pa.binary(), pa.date32(), pa.date64(), pa.time32("s"), pa.time64("us"),
    pa.timestamp("ns"), pa.timestamp("us", tz="UTC"), pa.list_(pa.int64()), pa.large_list(pa.string()),
    pa.struct([("a", pa.int64())]), pa.dictionary(pa.int32(), pa.string()), pa.null(),
])
def test_logical_type_for_pyarrow_spellings(pa_type: pa.DataType) -> None:
    expected = {
        "int8": "integer", "uint64": "integer", "halffloat": "number", "float": "number", "double": "number",
        "decimal128(10, 2)": "number", "bool": "boolean", "string": "string", "large_string": "string",
        "binary": "string", "date32[day]": "date", "date64[ms]": "date", "time32[s]": "time", "time64[us]": "time",
        "timestamp[ns]": "timestamp", "timestamp[us, tz=UTC]": "timestamp", "list<item: int64>": "array",
        "large_list<item: string>": "array", "struct<a: int64>": "object",
        "dictionary<values=string, indices=int32, ordered=0>": "string", "null": "null",
    }
    assert logical_type_for(str(pa_type)) == expected[str(pa_type)]


@pytest.mark.parametrize(("fields", "expected"), CASES, ids=[c[1] + "-" + str(i) for i, c in enumerate(CASES)])
def test_our_strings_map_back_to_their_logical_type(fields: dict[str, Any], expected: str) -> None:
    prop = _prop(**fields)
    assert fits(prop, expected)
    if prop.logical_type:
        assert logical_type_for(expected) == prop.logical_type


def test_fits() -> None:
    number, integer, text = _prop(logicalType="number"), _prop(logicalType="integer"), _prop(logicalType="string")
    assert fits(number, "int32") and fits(number, "double") and fits(integer, "uint8") and fits(text, "null")
    assert not fits(integer, "double") and not fits(text, "int64") and not fits(integer, "string")
    assert fits(_prop(), "anything") and logical_type_for("geometry") == "unknown"
    assert logical_type_for("decimal128(10, 0)") == "integer" and fits(number, "decimal128(10, 0)")
