"""Generated batches with a known number of injected violations per rule, in every input format."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq

from contracts import Contract, load_contract

NOW = dt.datetime(2026, 10, 1, 12, 0, tzinfo=dt.UTC)

CONTRACT: dict[str, Any] = {
    "apiVersion": "v3.1.0", "kind": "DataContract", "id": "gen-orders", "version": "2.0.0", "status": "active",
    "schema": [{
        "name": "orders", "physicalName": "raw.orders",
        "quality": [
            {"id": "rows_min", "metric": "rowCount", "mustBeGreaterOrEqualTo": 100},
            {"id": "rows_max", "metric": "rowCount", "mustBeLessThan": 10, "severity": "warning"},
            {"id": "pair_dups", "metric": "duplicateValues", "arguments": {"properties": ["k1", "k2"]}, "mustBe": 0},
            {"id": "big_amounts", "type": "sql", "query": "SELECT COUNT(*) FROM ${object} WHERE amount > 1000",
             "mustBe": 0, "severity": "warning"},
            {"id": "by_name", "type": "sql", "query": "SELECT COUNT(*) FROM raw.orders WHERE qty = 0",
             "mustBeLessThan": 100},
        ],
        "properties": [
            {"name": "id", "logicalType": "integer", "required": True, "unique": True},
            {"name": "k1", "logicalType": "integer", "primaryKey": True, "primaryKeyPosition": 1},
            {"name": "k2", "logicalType": "string", "primaryKey": True, "primaryKeyPosition": 2},
            {"name": "region", "logicalType": "string", "quality": [
                {"id": "region_valid", "metric": "invalidValues", "arguments": {"validValues": ["N", "S", "E", "W"]},
                 "mustBe": 0}]},
            {"name": "amount", "logicalType": "number", "required": True,
             "logicalTypeOptions": {"minimum": 0, "maximum": 1000},
             "quality": [{"id": "amount_nulls", "metric": "nullValues", "mustBeLessOrEqualTo": 1, "unit": "percent"}]},
            {"name": "code", "logicalType": "string",
             "logicalTypeOptions": {"pattern": "^[A-Z]{3}-[0-9]{2}$", "minLength": 6, "maxLength": 6}},
            {"name": "name", "logicalType": "string", "logicalTypeOptions": {"maxLength": 10},
             "quality": [{"id": "name_missing", "metric": "missingValues",
                          "arguments": {"missingValues": ["", "N/A"]}, "mustBe": 0}]},
            {"name": "email", "logicalType": "string", "logicalTypeOptions": {"format": "email"}},
            {"name": "uid", "logicalType": "string", "logicalTypeOptions": {"format": "uuid"}},
            {"name": "qty", "logicalType": "integer", "logicalTypeOptions": {"exclusiveMinimum": 0}},
            {"name": "created_at", "logicalType": "timestamp", "logicalTypeOptions": {"timezone": True}},
        ],
    }],
    "slaProperties": [
        {"property": "freshness", "value": 2, "unit": "d", "element": "raw.orders.created_at"},
        {"property": "latency", "value": 30, "unit": "d", "element": "created_at"},
        {"property": "retention", "value": 1, "unit": "y"},
    ],
}

# rule -> exact failed_rows on the generated data
EXPECTED: dict[str, int] = {
    "id.unique": 3,
    "primaryKey": 2,
    "pair_dups": 2,
    "region_valid": 4,
    "amount.required": 6,
    "amount.minimum": 5,
    "amount.maximum": 2,
    "amount_nulls": 0,  # 6 of n rows is under 1 percent: passes
    "code.pattern": 7,
    "code.minLength": 0,
    "code.maxLength": 0,
    "name.maxLength": 2,
    "name_missing": 5,
    "email.format": 3,
    "uid.format": 2,
    "qty.exclusiveMinimum": 4,
    "sla.latency": 8,
    "big_amounts": 2,
    "by_name": 0,
    "rows_min": 0,
    "rows_max": 0,
}
PASSING = {"amount_nulls", "code.minLength", "code.maxLength", "by_name", "rows_min", "sla.freshness",
           "sla.retention"}


def contract() -> Contract:
    return load_contract(CONTRACT)


def make_table(n: int = 2000, seed: int = 7) -> pa.Table:
    """``n`` rows that pass every rule, then the violations of ``EXPECTED`` at distinct rows."""
    rng = np.random.default_rng(seed)
    rows = rng.permutation(n)
    taken = iter(rows.tolist())

    def pick(k: int) -> list[int]:
        return [next(taken) for _ in range(k)]

    ids = np.arange(1, n + 1, dtype=np.int64)
    k1 = np.arange(n, dtype=np.int64) // 2
    k2 = np.where(np.arange(n) % 2 == 0, "a", "b").astype(object)
    region = rng.choice(["N", "S", "E", "W"], n).astype(object)
    amount = np.round(rng.uniform(1, 900, n), 2).astype(object)
    code = np.array([f"ABC-{i % 100:02d}" for i in range(n)], dtype=object)
    name = np.array([f"n{i % 1000}" for i in range(n)], dtype=object)
    email = np.array([f"u{i}@example.com" for i in range(n)], dtype=object)
    uid = np.array(["123e4567-e89b-12d3-a456-426614174000"] * n, dtype=object)
    qty = rng.integers(1, 50, n).astype(np.int64)
    base = NOW - dt.timedelta(days=1)
    created = np.array([base - dt.timedelta(minutes=int(m)) for m in rng.integers(0, 60 * 24 * 20, n)], dtype=object)

    for r in pick(3):  # id repeats an earlier id
        ids[r] = ids[(r + 1) % n] if r + 1 < n else ids[0]
    for r in pick(2):  # (k1, k2) repeats another row's pair
        partner = r ^ 1
        k1[r], k2[r] = k1[partner], k2[partner]
    for r in pick(4):
        region[r] = "X"
    for r in pick(6):
        amount[r] = None
    for r in pick(5):
        amount[r] = -1.5
    for r in pick(2):
        amount[r] = 1500.0
    for r in pick(7):
        code[r] = "abc-12"
    for r in pick(2):
        name[r] = "a-very-long-name"
    for r, v in zip(pick(5), ["", "N/A", "", "N/A", "N/A"], strict=True):
        name[r] = v
    for r, v in zip(pick(3), ["nobody", "x@", "@y.com"], strict=True):
        email[r] = v
    for r in pick(2):
        uid[r] = "not-a-uuid"
    for r in pick(4):
        qty[r] = 0
    for r in pick(8):
        created[r] = NOW - dt.timedelta(days=45)
    return pa.table({
        "id": pa.array(ids), "k1": pa.array(k1), "k2": pa.array(list(k2), pa.string()),
        "region": pa.array(list(region), pa.string()), "amount": pa.array(list(amount), pa.float64()),
        "code": pa.array(list(code), pa.string()), "name": pa.array(list(name), pa.string()),
        "email": pa.array(list(email), pa.string()), "uid": pa.array(list(uid), pa.string()),
        "qty": pa.array(qty), "created_at": pa.array(list(created), pa.timestamp("us", tz="UTC")),
    })


FORMATS = ("csv", "parquet", "ndjson", "arrow", "arrows", "pandas", "polars", "table")


def write(table: pa.Table, fmt: str, directory: Path) -> Any:
    """The table in format ``fmt``: a path for files, the object for in-memory formats."""
    if fmt == "table":
        return table
    if fmt == "pandas":
        return table.to_pandas()
    if fmt == "polars":
        import polars as pl

        return pl.from_arrow(table)
    path = directory / f"orders.{fmt}"
    if fmt == "csv":
        pacsv.write_csv(table, path)
    elif fmt == "parquet":
        pq.write_table(table, path, row_group_size=500)
    elif fmt == "arrow":
        feather.write_feather(table, path)
    elif fmt == "arrows":
        with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table, max_chunksize=300)
    elif fmt == "ndjson":
        with path.open("w", encoding="utf-8") as out:
            for row in table.to_pylist():
                row["created_at"] = row["created_at"].isoformat()
                out.write(json.dumps(row) + "\n")
    return path
