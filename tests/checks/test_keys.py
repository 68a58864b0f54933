"""Exact key uniqueness: the tracker agrees with a plain Python count, however the rows are batched."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.keys import KeyTracker


def naive(rows: list[tuple[object, ...]]) -> tuple[list[int], list[int]]:
    seen: set[tuple[object, ...]] = set()
    dups, nulls = [], []
    for i, key in enumerate(rows):
        if any(v is None for v in key):
            nulls.append(i)
        elif key in seen:
            dups.append(i)
        else:
            seen.add(key)
    return dups, nulls


def track(columns: list[list[object]], types: list[pa.DataType], cut: int, spill: int | None = None,
          ) -> tuple[list[int], list[int]]:
    names = tuple(f"c{i}" for i in range(len(columns)))
    tracker = KeyTracker(names) if spill is None else KeyTracker(names, spill_rows=spill, partitions=3)
    n = len(columns[0])
    for start in range(0, n, cut):
        tracker.add([pa.array(c[start:start + cut], t) for c, t in zip(columns, types, strict=True)],
                    len(columns[0][start:start + cut]))
    out = tracker.finish()
    for row, sample in zip(sorted({*out.duplicate_rows[:5].tolist(), *out.null_rows[:5].tolist()}),
                           out.samples(np.union1d(out.duplicate_rows, out.null_rows)), strict=False):
        assert sample["row"] == row
        assert tuple(sample[n] for n in names) == tuple(c[row] for c in columns)
    return out.duplicate_rows.tolist(), out.null_rows.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=60), st.integers(1, 70))
def test_single_integer_key(values: list[int | None], cut: int) -> None:
    assert track([values], [pa.int64()], cut) == naive([(v,) for v in values])
    assert track([values], [pa.int64()], cut, spill=3) == naive([(v,) for v in values])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from("abc")), st.integers(0, 2)), min_size=1, max_size=60),
       st.integers(1, 70))
def test_compound_key(pairs: list[tuple[str | None, int]], cut: int) -> None:
    columns = [[p[0] for p in pairs], [p[1] for p in pairs]]
    assert track(columns, [pa.string(), pa.int64()], cut) == naive(pairs)
    assert track(columns, [pa.string(), pa.int64()], cut, spill=4) == naive(pairs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["x", "y", "zz", ""])), min_size=1, max_size=40),
       st.integers(1, 50))
def test_single_string_key(values: list[str | None], cut: int) -> None:
    assert track([values], [pa.string()], cut) == naive([(v,) for v in values])
    assert track([values], [pa.string()], cut, spill=2) == naive([(v,) for v in values])


def test_spilled_keys_leave_no_files(tmp_path: object) -> None:
    tracker = KeyTracker(("a",), spill_rows=10, partitions=4, spill_dir=str(tmp_path))
    for start in range(0, 100, 7):
        tracker.add([pa.array([i % 60 for i in range(start, min(start + 7, 100))], pa.int64())],
                    min(7, 100 - start))
    assert tracker.spilled
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == list(range(60, 100))
    assert list(tmp_path.iterdir()) == []  # type: ignore[attr-defined]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(-3, 3).map(lambda f: round(f, 0))), min_size=1, max_size=60),
       st.integers(1, 70), st.sampled_from([pa.float64(), pa.float32()]))
def test_single_float_key_spilled(values: list[float | None], cut: int, kind: pa.DataType) -> None:
    # -0.0 and 0.0 are the same key, wherever they fall
    want = naive([(None if v is None else v + 0.0,) for v in values])
    assert track([values], [kind], cut) == want
    assert track([values], [kind], cut, spill=3) == want


@settings(max_examples=30, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=4, max_size=40), st.integers(1, 10))
def test_spilled_numeric_key_absent_from_some_batches(values: list[int | None], cut: int) -> None:
    # a batch without the key column arrives as a null-typed array: all its rows have a null key
    tracker = KeyTracker(("k",), spill_rows=2, partitions=3)
    half = len(values) // 2
    chunks = [pa.array(values[s:min(s + cut, half)], pa.int64()) for s in range(0, half, cut)]
    chunks.append(pa.nulls(3))
    chunks += [pa.array(values[s:s + cut], pa.int64()) for s in range(half, len(values), cut)]
    for c in chunks:
        tracker.add([c], len(c))
    assert tracker.spilled
    out = tracker.finish()
    want = naive([(v,) for v in values[:half]] + [(None,)] * 3 + [(v,) for v in values[half:]])
    assert (out.duplicate_rows.tolist(), out.null_rows.tolist()) == want


def test_spilled_integer_key_reports_duplicates_and_samples() -> None:
    tracker = KeyTracker(("id",), spill_rows=100, partitions=8)
    ids = np.arange(1000, dtype=np.int64)
    ids[[500, 700, 999]] = [3, 3, 10]
    for start in range(0, 1000, 64):
        chunk = pa.array(ids[start:start + 64], mask=(np.arange(start, min(start + 64, 1000)) == 42))
        tracker.add([chunk], len(chunk))
    assert tracker.spilled
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == [500, 700, 999]
    assert out.null_rows.tolist() == [42]
    assert out.samples(np.array([42, 500, 700, 999])) == (
        {"row": 42, "id": None}, {"row": 500, "id": 3}, {"row": 700, "id": 3}, {"row": 999, "id": 10})
