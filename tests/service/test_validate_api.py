"""``service.validation.run_validation`` from Python: in-memory inputs, quarantine and the store."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from service.store import open_store
from service.validation import run_validation
from tests.checks import gen


def test_a_reader_is_validated_and_split(tmp_path: Path) -> None:
    table = gen.make_table()
    reader = pa.RecordBatchReader.from_batches(table.schema, table.to_batches(max_chunksize=256))
    report = run_validation(gen.contract(), reader, quarantine=tmp_path / "q", split=True, now=gen.NOW)
    kept = Path(report.extra["quarantine"])
    accepted, rejected = pq.read_table(kept / "accepted.parquet"), pq.read_table(kept / "rejected.parquet")
    assert not report.passed
    assert accepted.num_rows + rejected.num_rows == table.num_rows
    assert sorted(p.name for p in kept.iterdir()) == ["accepted.parquet", "rejected.parquet", "report.json"]


def test_a_dataframe_is_kept_whole_and_recorded(tmp_path: Path) -> None:
    table = gen.make_table()
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        report = run_validation(gen.contract(), table.to_pandas(), quarantine=tmp_path / "q", store=store,
                                now=gen.NOW)
        kept = Path(report.extra["quarantine"])
        assert pq.read_table(kept / "data.parquet").num_rows == table.num_rows
        recorded = store.get_run(report.run_id)
        assert recorded is not None and recorded["extra"]["quarantine"] == str(kept)
        assert recorded["profile"]["rows"] == table.num_rows
    finally:
        store.close()


def test_a_passing_batch_is_not_kept(tmp_path: Path) -> None:
    from contracts import load_contract

    c = load_contract({"apiVersion": "v3.1.0", "kind": "DataContract", "id": "p", "version": "1", "status": "active",
                       "schema": [{"name": "t", "properties": [{"name": "id", "logicalType": "integer"}]}]})
    report = run_validation(c, pa.table({"id": [1, 2]}), quarantine=tmp_path / "q", split=True)
    assert report.passed and "quarantine" not in report.extra and not (tmp_path / "q").exists()
