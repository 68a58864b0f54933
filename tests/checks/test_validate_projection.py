"""A run without a profile reads only the Parquet columns a rule looks at, with the same results."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from checks import run
from checks.casting import always_conforms, conform
from checks.engine import _projection
from checks.readers import open_source
from checks.rules import build_plan
from contracts import load_contract
from tests.checks import gen

DICTIONARY = "dictionary<values=string, indices=int32, ordered=0>"


def _contract(policy: str = "warn") -> dict:
    doc = copy.deepcopy(gen.CONTRACT)
    obj = doc["schema"][0]
    obj["quality"] = [q for q in obj["quality"] if q.get("type") != "sql"]  # SQL rules may read any column
    obj["customProperties"] = [{"property": "pactline.unexpectedColumns", "value": policy}]
    obj["properties"] += [
        {"name": "note", "logicalType": "string"},  # type only, stored as text: judged on the schema
        {"name": "flag", "logicalType": "boolean"},
        {"name": "seen_at", "logicalType": "timestamp"},
        {"name": "renamed", "physicalName": "legacy_name", "logicalType": "integer"},
        {"name": "score", "logicalType": "integer"},  # type only, but stored as text: every value is read
        {"name": "gone", "logicalType": "string"},  # not in the data
    ]
    return doc


def _table(n: int = 2000) -> pa.Table:
    table = gen.make_table(n)
    scores = [str(i) if i % 97 else "4x2" for i in range(n)]
    return (table.append_column("note", pa.array([f"note {i}" for i in range(n)]))
            .append_column("flag", pa.array([i % 3 == 0 for i in range(n)]))
            .append_column("seen_at", pa.array([dt.datetime(2026, 1, 1) + dt.timedelta(seconds=i) for i in range(n)],
                                               pa.timestamp("us")))
            .append_column("legacy_name", pa.array(range(n), pa.int64()))
            .append_column("score", pa.array(scores))
            .append_column("extra", pa.array(["x"] * n)))


def _results(report: object) -> list[dict]:
    return [r.to_dict() for r in report.results]  # type: ignore[attr-defined]


@pytest.mark.parametrize("policy", ["warn", "block", "allow"])
def test_unread_columns_give_the_same_results(policy: str, tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(_table(), path, row_group_size=700)
    contract = load_contract(_contract(policy))
    full = run(path, contract, now=gen.NOW, batch_size=333).report
    lean = run(path, contract, now=gen.NOW, batch_size=333, profile=False).report
    assert _results(lean) == _results(full)
    assert lean.rows == full.rows == 2000
    assert full.profile is not None and lean.profile is None
    by_rule = {r.rule: r for r in lean.results}
    assert (by_rule["score.logicalType"].passed, by_rule["score.logicalType"].failed_rows) == (False, 21)
    assert by_rule["note.present"].passed and by_rule["renamed.present"].passed
    assert by_rule["gone.present"].reason == "missing_column"
    assert ("extra.unexpected" in by_rule) == (policy != "allow")


def test_the_projection_reads_the_ruled_columns_only(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(_table(100), path)
    contract = load_contract(_contract())
    obj = contract.datasets[0]
    source = open_source(path)
    projection = _projection(build_plan(contract, obj, gen.NOW), source)
    assert projection is not None
    read, unread = projection
    # every column with a rule besides its type, the SLA element, key columns, and text typed as integer
    assert read == ["id", "k1", "k2", "region", "amount", "code", "name", "email", "uid", "qty", "created_at", "score"]
    # as the batches would have it: text stored dictionary-encoded is read as a dictionary
    assert unread == {"note": DICTIONARY, "flag": "bool", "seen_at": "timestamp[us]", "renamed": "int64"}
    batches = list(source.batches(read))
    assert [b.schema.names for b in batches[:1]] == [read]
    assert sum(b.num_rows for b in batches) == 100


def test_a_contract_of_types_only_reads_no_column_and_counts_every_row(tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table({"a": list(range(1000)), "b": ["x"] * 1000}), path, row_group_size=300)
    contract = load_contract({"apiVersion": "v3.1.0", "kind": "DataContract", "id": "c", "version": "1",
                              "status": "active", "schema": [{"name": "t", "properties": [
                                  {"name": "a", "logicalType": "integer"}, {"name": "b", "logicalType": "string"}]}]})
    plan = build_plan(contract, contract.datasets[0], gen.NOW)
    assert _projection(plan, open_source(path)) == ([], {"a": "int64", "b": DICTIONARY})
    full = run(path, contract, batch_size=128).report
    lean = run(path, contract, batch_size=128, profile=False).report
    assert lean.rows == 1000 and _results(lean) == _results(full) and lean.passed


def test_files_of_different_schemas_are_read_whole(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1, 2], "b": ["x", "y"]}), tmp_path / "1.parquet")
    pq.write_table(pa.table({"a": [3], "b": [4]}), tmp_path / "2.parquet")
    source = open_source(tmp_path)
    assert source.schema is None and source.open_columns is None
    contract = load_contract({"apiVersion": "v3.1.0", "kind": "DataContract", "id": "c", "version": "1",
                              "status": "active", "schema": [{"name": "t", "properties": [
                                  {"name": "a", "logicalType": "integer"}, {"name": "b", "logicalType": "string"}]}]})
    lean = run(tmp_path, contract, profile=False).report
    assert _results(lean) == _results(run(tmp_path, contract).report)
    assert {r.rule: r.failed_rows for r in lean.results}["b.logicalType"] == 0  # 4 is typed as the text "4"


def test_sources_that_cannot_select_columns_say_so(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a\n1\n")
    source = open_source(path)
    assert source.schema is None
    with pytest.raises(ValueError, match="column by column"):
        source.batches(["a"])


def test_a_drift_baseline_needs_the_profile() -> None:
    contract = gen.contract()
    with pytest.raises(ValueError, match="profile=False"):
        run(gen.make_table(), contract, profile=False, baseline=object())


TYPES = [pa.int8(), pa.int64(), pa.float32(), pa.float64(), pa.string(), pa.large_string(), pa.bool_(),
         pa.timestamp("us"), pa.timestamp("us", tz="UTC"), pa.timestamp("ms"), pa.date32(), pa.null(),
         pa.dictionary(pa.int32(), pa.string()), pa.decimal128(10, 2)]
SAMPLES = {
    pa.int8(): [1, -128, None], pa.int64(): [2**40, None], pa.float32(): [1.5, None], pa.float64(): [1e300, -0.5],
    pa.string(): ["x", "12", None], pa.large_string(): ["2026-01-01", None], pa.bool_(): [True, None],
    pa.timestamp("us"): [dt.datetime(2026, 1, 1), None], pa.timestamp("us", tz="UTC"): [dt.datetime(2026, 1, 1)],
    pa.timestamp("ms"): [dt.datetime(2026, 1, 1)], pa.date32(): [dt.date(2026, 1, 1)], pa.null(): [None, None],
    pa.decimal128(10, 2): [None],
}


@pytest.mark.parametrize("target", [pa.int64(), pa.float64(), pa.string(), pa.bool_(), pa.timestamp("us", tz="UTC"),
                                    pa.timestamp("us"), pa.date32()], ids=str)
def test_always_conforms_only_where_conform_never_finds_a_bad_value(target: pa.DataType) -> None:
    for src in TYPES:
        if not always_conforms(src, target):
            continue
        values = SAMPLES.get(src, ["a", None]) if not pa.types.is_dictionary(src) else None
        arr = pa.array(values, src) if values is not None else pa.array(["a", None, "a"]).dictionary_encode()
        assert conform(arr, target)[1] is None, (src, target)
    assert always_conforms(target, target)
    assert not always_conforms(pa.string(), pa.int64()) and not always_conforms(pa.int64(), pa.int8())
