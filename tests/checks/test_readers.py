"""Readers: every format to Arrow batches; input that is not data raises DataError, never a report."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from checks import DataError, validate
from checks.readers import open_source
from tests.checks import gen

CONTRACT = gen.contract()


def _parquet(tmp_path: Path, rows: int = 5000) -> Path:
    path = tmp_path / "orders.parquet"
    pq.write_table(gen.make_table(rows), path, row_group_size=1000)
    return path


def test_truncated_parquet(tmp_path: Path) -> None:
    path = _parquet(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataError) as info:
        validate(path, CONTRACT)
    assert info.value.source == str(path)


def test_parquet_with_a_corrupt_page(tmp_path: Path) -> None:
    path = _parquet(tmp_path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle: middle + 2000] = b"\x00\xff" * 1000
    path.write_bytes(bytes(data))
    with pytest.raises(DataError):
        validate(path, CONTRACT)


def test_not_parquet_at_all(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    path.write_text("this is not parquet\n")
    with pytest.raises(DataError):
        validate(path, CONTRACT)


def test_csv_with_a_ragged_row(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("id,region\n1,N\n2,S,extra\n3,E\n")
    with pytest.raises(DataError):
        validate(path, CONTRACT)


def test_csv_in_the_wrong_encoding(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes("id,name\n1,Jürgen\n".encode("latin-1"))
    with pytest.raises(DataError):
        validate(path, CONTRACT)


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".ndjson", ".arrow"])
def test_empty_file(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"orders{suffix}"
    path.write_bytes(b"")
    with pytest.raises(DataError):
        validate(path, CONTRACT)


def test_missing_file_and_empty_glob(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        validate(tmp_path / "nope.parquet", CONTRACT)
    with pytest.raises(DataError):
        validate(str(tmp_path / "*.parquet"), CONTRACT)


def test_ndjson_value_of_the_wrong_kind(tmp_path: Path) -> None:
    path = tmp_path / "orders.ndjson"
    path.write_text('{"id": 1}\n{"id": "4x2"}\n')
    with pytest.raises(DataError):
        validate(path, CONTRACT)


def test_zero_rows_is_a_batch_not_an_error(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(",".join(gen.make_table(100).column_names) + "\n")
    report = validate(path, CONTRACT, now=gen.NOW)
    results = {r.rule: r for r in report.results}
    assert report.rows == 0
    assert (results["rows_min"].reason, results["rows_min"].passed) == ("row_count", False)
    assert results["amount.required"].passed


def test_zero_row_parquet(tmp_path: Path) -> None:
    path = tmp_path / "orders.parquet"
    pq.write_table(gen.make_table(100).slice(0, 0), path)
    report = validate(path, CONTRACT, now=gen.NOW)
    assert report.rows == 0 and {r.rule: r.reason for r in report.results}["rows_min"] == "row_count"


def test_directory_and_glob_read_every_file_in_order(tmp_path: Path) -> None:
    table = gen.make_table(3000)
    folder = tmp_path / "parts"
    folder.mkdir()
    for i in range(3):
        pq.write_table(table.slice(i * 1000, 1000), folder / f"part-{i}.parquet")
    whole = validate(table, CONTRACT, now=gen.NOW)
    for data in (folder, str(folder / "part-*.parquet"), sorted(folder.iterdir())):
        parts = validate(data, CONTRACT, now=gen.NOW)
        assert [(r.rule, r.failed_rows) for r in parts.results] == [(r.rule, r.failed_rows) for r in whole.results]
        assert parts.rows == 3000


def test_batches_are_bounded_by_the_batch_size(tmp_path: Path) -> None:
    path = _parquet(tmp_path)
    sizes = [b.num_rows for b in open_source(path, batch_size=700).batches()]
    assert max(sizes) <= 700 and sum(sizes) == 5000
    stream = tmp_path / "orders.arrows"
    table = gen.make_table(2000)
    with pa.OSFile(str(stream), "wb") as sink, pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    sizes = [b.num_rows for b in open_source(stream, batch_size=300).batches()]
    assert max(sizes) <= 300 and sum(sizes) == 2000


def test_format_is_detected_from_the_bytes(tmp_path: Path) -> None:
    path = _parquet(tmp_path)
    renamed = path.rename(tmp_path / "orders.data")
    assert open_source(renamed).kind == "parquet"


def test_a_record_batch_reader_is_read_once() -> None:
    table = gen.make_table(100)
    report = validate(pa.RecordBatchReader.from_batches(table.schema, table.to_batches()), CONTRACT, now=gen.NOW)
    assert report.rows == 100
    with pytest.raises(DataError):
        validate(object(), CONTRACT)
