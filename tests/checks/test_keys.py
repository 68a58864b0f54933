"""Exact key uniqueness: the tracker agrees with a plain Python count, however the rows are batched."""

from __future__ import annotations

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


def track(columns: list[list[object]], types: list[pa.DataType], cut: int) -> tuple[list[int], list[int]]:
    tracker = KeyTracker(tuple(f"c{i}" for i in range(len(columns))))
    n = len(columns[0])
    for start in range(0, n, cut):
        tracker.add([pa.array(c[start:start + cut], t) for c, t in zip(columns, types, strict=True)],
                    len(columns[0][start:start + cut]))
    out = tracker.finish()
    return out.duplicate_rows.tolist(), out.null_rows.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=60), st.integers(1, 70))
def test_single_integer_key(values: list[int | None], cut: int) -> None:
    assert track([values], [pa.int64()], cut) == naive([(v,) for v in values])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from("abc")), st.integers(0, 2)), min_size=1, max_size=60),
       st.integers(1, 70))
def test_compound_key(pairs: list[tuple[str | None, int]], cut: int) -> None:
    columns = [[p[0] for p in pairs], [p[1] for p in pairs]]
    assert track(columns, [pa.string(), pa.int64()], cut) == naive(pairs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["x", "y", "zz", ""])), min_size=1, max_size=40),
       st.integers(1, 50))
def test_single_string_key(values: list[str | None], cut: int) -> None:
    assert track([values], [pa.string()], cut) == naive([(v,) for v in values])
