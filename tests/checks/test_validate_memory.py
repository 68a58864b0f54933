"""Memory stays bounded by the batch size: a file several times larger than the memory its run
used still validates, with exact counts (exact uniqueness included: its keys spill to disk).
Measured in a separate process (peak RSS)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parents[2]

CONTRACT = {
    "apiVersion": "v3.1.0", "kind": "DataContract", "id": "mem", "version": "1", "status": "active",
    "schema": [{"name": "big", "properties": [
        {"name": "a", "logicalType": "integer", "required": True, "unique": True},
        {"name": "b", "logicalType": "number", "logicalTypeOptions": {"minimum": 0}},
        {"name": "c", "logicalType": "number"},
        {"name": "d", "logicalType": "integer"},
        {"name": "s", "logicalType": "string", "logicalTypeOptions": {"maxLength": 40}},
        {"name": "t", "logicalType": "string"},
    ]}],
}

CHILD = textwrap.dedent("""
    import json, resource, sys
    sys.path.insert(0, sys.argv[1])
    from checks import validate
    from contracts import load_contract
    contract = load_contract(json.loads(sys.argv[3]))
    if sys.argv[2] == "-":
        import checks.engine, checks.profile, pyarrow.parquet  # the imports alone: the baseline
        result = {}
    else:
        report = validate(sys.argv[2], contract, batch_size=16384)
        result = {r.rule: r.failed_rows for r in report.results}
    print(json.dumps({"peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "failed": result}))
""")


def _child(path: str, tmp: Path) -> dict:
    proc = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), path, json.dumps(CONTRACT)],
                          capture_output=True, text=True, cwd=tmp, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_a_file_much_larger_than_the_memory_used_validates(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    rng = np.random.default_rng(5)
    words = pa.array([f"customer-{i:06d}-{'x' * (i % 17)}" for i in range(50_000)])
    in_memory = 0
    negatives = nulls = 0
    keys: list[np.ndarray] = []
    with pq.ParquetWriter(path, pa.schema([("a", pa.int64()), ("b", pa.float64()), ("c", pa.float64()),
                                           ("d", pa.int64()), ("s", pa.string()), ("t", pa.string())])) as writer:
        for _ in range(12):
            n = 500_000
            values = rng.integers(0, 1 << 40, n)
            values[:25] = values[25:50]  # 25 repeats in every part, on top of any chance ones
            a = pa.array(values, mask=rng.random(n) < 0.0001)
            keys.append(a.drop_null().to_numpy())
            b = rng.uniform(0, 100, n)
            b[rng.choice(n, 7, replace=False)] = -1.0
            table = pa.table({"a": a, "b": b, "c": rng.normal(0, 1, n), "d": rng.integers(0, 1000, n),
                              "s": words.take(pa.array(rng.integers(0, len(words), n))),
                              "t": words.take(pa.array(rng.integers(0, len(words), n)))})
            in_memory += table.nbytes
            negatives += 7
            nulls += a.null_count
            writer.write_table(table, row_group_size=100_000)
    baseline = _child("-", tmp_path)["peak_kb"] * 1024
    run = _child(str(path), tmp_path)
    grown = run["peak_kb"] * 1024 - baseline
    every = np.concatenate(keys)
    assert run["failed"]["b.minimum"] == negatives and run["failed"]["a.required"] == nulls
    assert run["failed"]["a.unique"] == len(every) - len(np.unique(every)) >= 12 * 20
    # 6 M rows, ~370 MB as Arrow in memory; the run may grow by a fraction of that, not hold it
    assert in_memory > 300 * 2**20
    assert grown < in_memory / 3, (grown / 2**20, in_memory / 2**20)
