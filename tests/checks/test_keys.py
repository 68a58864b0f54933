"""Exact key uniqueness: the tracker agrees with a plain Python count, however the rows are batched,
whether an integer key is checked in the direct-address window, in the general store, or both."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.keys import KeyTracker, _IntegerKeys


def naive(rows: Sequence[tuple[object, ...]]) -> tuple[list[int], list[int]]:
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


def track(columns: Sequence[Sequence[object]], types: list[pa.DataType], cut: int | list[int], spill: int | None = None,
          window: int | None = None) -> tuple[list[int], list[int]]:
    """Duplicate and null rows from a tracker fed ``cut`` rows a batch (or the listed batch sizes, cycled);
    every sample must show its row's own key."""
    names = tuple(f"c{i}" for i in range(len(columns)))
    options: dict[str, int] = {} if spill is None else {"spill_rows": spill, "partitions": 3}
    if window is not None:
        options["window_bytes"] = window
    tracker = KeyTracker(names, **options)  # type: ignore[arg-type]
    n = len(columns[0])
    sizes = [cut] if isinstance(cut, int) else cut
    start, i = 0, 0
    while start < n:
        size = sizes[i % len(sizes)]
        tracker.add([pa.array(c[start:start + size], t) for c, t in zip(columns, types, strict=True)],
                    len(columns[0][start:start + size]))
        start, i = start + size, i + 1
    out = tracker.finish()
    for row, sample in zip(sorted({*out.duplicate_rows[:5].tolist(), *out.null_rows[:5].tolist()}),
                           out.samples(np.union1d(out.duplicate_rows, out.null_rows)), strict=False):
        assert sample["row"] == row
        assert tuple(sample[n] for n in names) == tuple(c[row] for c in columns)
    return out.duplicate_rows.tolist(), out.null_rows.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-5, 5)), min_size=1, max_size=60), st.integers(1, 70))
def test_single_integer_key(values: list[int | None], cut: int) -> None:
    want = naive([(v,) for v in values])
    assert track([values], [pa.int64()], cut) == want
    assert track([values], [pa.int64()], cut, spill=3) == want
    assert track([values], [pa.int64()], cut, spill=3, window=0) == want  # no window: the general store
    assert track([values], [pa.int64()], cut, spill=3, window=4) == want  # a 4-value window and the rest


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.one_of(st.none(), st.sampled_from("abc")), st.integers(0, 2)), min_size=1, max_size=60),
       st.integers(1, 70))
def test_compound_key(pairs: list[tuple[str | None, int]], cut: int) -> None:
    columns: list[list[object]] = [[p[0] for p in pairs], [p[1] for p in pairs]]
    assert track(columns, [pa.string(), pa.int64()], cut) == naive(pairs)
    assert track(columns, [pa.string(), pa.int64()], cut, spill=4) == naive(pairs)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.sampled_from(["x", "y", "zz", ""])), min_size=1, max_size=40),
       st.integers(1, 50))
def test_single_string_key(values: list[str | None], cut: int) -> None:
    assert track([values], [pa.string()], cut) == naive([(v,) for v in values])
    assert track([values], [pa.string()], cut, spill=2) == naive([(v,) for v in values])


@pytest.mark.parametrize("window", [0, 8])
def test_spilled_keys_leave_no_files(tmp_path: object, window: int) -> None:
    tracker = KeyTracker(("a",), spill_rows=10, partitions=4, spill_dir=str(tmp_path), window_bytes=window)
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
@given(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=4, max_size=40), st.integers(1, 10),
       st.sampled_from([0, 2]))
def test_spilled_numeric_key_absent_from_some_batches(values: list[int | None], cut: int, window: int) -> None:
    # a batch without the key column arrives as a null-typed array: all its rows have a null key
    tracker = KeyTracker(("k",), spill_rows=2, partitions=3, window_bytes=window)
    half = len(values) // 2
    chunks = [pa.array(values[s:min(s + cut, half)], pa.int64()) for s in range(0, half, cut)]
    chunks.append(pa.nulls(3))
    chunks += [pa.array(values[s:s + cut], pa.int64()) for s in range(half, len(values), cut)]
    for c in chunks:
        tracker.add([c], len(c))
    assert tracker.spilled or window
    out = tracker.finish()
    want = naive([(v,) for v in values[:half]] + [(None,)] * 3 + [(v,) for v in values[half:]])
    assert (out.duplicate_rows.tolist(), out.null_rows.tolist()) == want


@pytest.mark.parametrize("window", [0, 300])
def test_spilled_integer_key_reports_duplicates_and_samples(window: int) -> None:
    # window 300: ids 0..299 by direct address, the others spilled; the repeats fall on both sides
    tracker = KeyTracker(("id",), spill_rows=100, partitions=8, window_bytes=window)
    ids = np.arange(1000, dtype=np.int64)
    ids[[500, 700, 999]] = [3, 3, 410]
    for start in range(0, 1000, 64):
        chunk = pa.array(ids[start:start + 64], mask=(np.arange(start, min(start + 64, 1000)) == 42))
        tracker.add([chunk], len(chunk))
    assert tracker.spilled
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == [500, 700, 999]
    assert out.null_rows.tolist() == [42]
    assert out.samples(np.array([42, 500, 700, 999])) == (
        {"row": 42, "id": None}, {"row": 500, "id": 3}, {"row": 700, "id": 3}, {"row": 999, "id": 410})


# --- the direct-address window of an integer key ---------------------------------------------------

I64_MIN, I64_MAX = -(1 << 63), (1 << 63) - 1


def reference(values: np.ndarray) -> list[int]:
    """Rows whose key repeats an earlier row's key, by numpy: every row but each key's first."""
    first = np.unique(values, return_index=True)[1]
    later = np.ones(len(values), dtype=bool)
    later[first] = False
    return np.flatnonzero(later).tolist()


def feed(batches: Sequence[Sequence[int | None]], kind: pa.DataType = pa.int64(), **options: int) -> KeyTracker:
    tracker = KeyTracker(("k",), **options)  # type: ignore[arg-type]
    for b in batches:
        tracker.add([pa.array(b, kind)], len(b))
    return tracker


def outcome(batches: Sequence[Sequence[int | None]], kind: pa.DataType = pa.int64(), **options: int,
            ) -> tuple[list[int], list[int]]:
    out = feed(batches, kind, **options).finish()
    return out.duplicate_rows.tolist(), out.null_rows.tolist()


def flat(batches: Sequence[Sequence[int | None]]) -> list[tuple[object, ...]]:
    return [(v,) for b in batches for v in b]


def test_window_repeats_within_one_batch() -> None:
    batches: list[list[int | None]] = [[5, 3, 5, 5, 3, 9, 4]]
    tracker = feed(batches)
    assert tracker.window is not None and tracker.window[0] == 3
    assert outcome(batches) == ([2, 3, 4], [])


def test_window_repeats_across_batches() -> None:
    batches: list[list[int | None]] = [[1, 2, 3], [4, 2, 5], [1, 6, 6], [3]]
    assert outcome(batches) == ([4, 6, 8, 9], [])


def test_window_keys_inside_and_outside() -> None:
    # an 8-value window [0, 7]: 100 and 8 are kept in the general store, repeats found on both sides
    batches: list[list[int | None]] = [[0, 1, 2, 3], [100, 2, 100, 7, 8, 3], [8, 7, 0, 100]]
    tracker = feed(batches, window_bytes=8)
    assert tracker.window == (0, 7)
    assert outcome(batches, window_bytes=8) == ([5, 6, 9, 10, 11, 12, 13], [])
    assert outcome(batches, window_bytes=8) == naive(flat(batches))


def test_window_edge_is_exact() -> None:
    # keys straddling the window's last value: 6 and 7 inside, 8 and 9 outside
    batches: list[list[int | None]] = [[0, 1, 2, 3], [6, 7, 8, 9, 7, 8], [9, 6, 10, 10]]
    assert feed(batches, window_bytes=8).window == (0, 7)
    assert outcome(batches, window_bytes=8) == ([8, 9, 10, 11, 13], [])


def test_negative_keys() -> None:
    batches: list[list[int | None]] = [[-5, -1, -3, -5], [-1, -2, 0, 1], [-3, -6, -6]]
    tracker = feed(batches)
    assert tracker.window is not None and tracker.window[0] <= -6 and tracker.window[1] >= 1
    assert outcome(batches) == ([3, 4, 8, 10], [])


@pytest.mark.parametrize("first", [
    [I64_MAX, I64_MAX - 1, I64_MAX],
    [I64_MIN, I64_MIN + 1, I64_MIN],
    [I64_MIN, I64_MAX, I64_MIN],
])
def test_keys_at_the_int64_limits(first: list[int | None]) -> None:
    batches: list[list[int | None]] = [first, [I64_MAX, 0, I64_MIN], [I64_MAX - 1, I64_MIN + 1, 0, None]]
    assert outcome(batches) == naive(flat(batches))
    assert outcome(batches, window_bytes=0) == naive(flat(batches))


def test_unsigned_keys_past_int64() -> None:
    big = (1 << 64) - 1
    batches: list[list[int | None]] = [[1, 2, 3], [big, 2, big, (1 << 63), 1 << 63], [big - 1, 3, None]]
    assert outcome(batches, pa.uint64()) == ([4, 5, 7, 9], [10])
    out = feed(batches, pa.uint64()).finish()
    assert out.samples(out.duplicate_rows) == (
        {"row": 4, "k": 2}, {"row": 5, "k": big}, {"row": 7, "k": 1 << 63}, {"row": 9, "k": 3})


def test_nulls_and_absent_batches() -> None:
    tracker = KeyTracker(("k",))
    tracker.add([None], 2)  # no key column in the first batches: null keys
    tracker.add([pa.nulls(1)], 1)
    tracker.add([pa.array([7, None, 7, 8], pa.int64())], 4)
    tracker.add([None], 2)
    tracker.add([pa.array([None, 8, 9], pa.int64())], 3)
    assert tracker.window is not None
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == [5, 10]
    assert out.null_rows.tolist() == [0, 1, 2, 4, 7, 8, 9]
    assert out.samples(np.union1d(out.duplicate_rows, out.null_rows)) == (
        {"row": 0, "k": None}, {"row": 1, "k": None}, {"row": 2, "k": None}, {"row": 4, "k": None},
        {"row": 5, "k": 7})


def test_window_grows_with_ascending_keys() -> None:
    ids = np.arange(300_000, dtype=np.int64)
    ids[[70_000, 150_000, 299_999]] = [5, 69_999, 150_001]
    tracker = KeyTracker(("id",))
    windows = []
    for s in range(0, len(ids), 20_000):
        tracker.add([pa.array(ids[s:s + 20_000])], len(ids[s:s + 20_000]))
        windows.append(tracker.window)
    assert windows[0] == (0, 19_999)  # the first batch's range
    assert windows[-1] is not None and windows[-1][0] == 0 and windows[-1][1] >= 299_998
    assert len(set(windows)) > 2 and not tracker.spilled
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == [70_000, 150_000, 299_999]
    assert out.samples(out.duplicate_rows) == (
        {"row": 70_000, "id": 5}, {"row": 150_000, "id": 69_999}, {"row": 299_999, "id": 150_001})


def test_window_grows_downward() -> None:
    batches: list[list[int | None]] = [[100, 101], [50, 100, 40], [40, 60]]
    tracker = feed(batches, window_bytes=1000)
    assert tracker.window is not None and tracker.window[0] <= 40 and tracker.window[1] >= 101
    assert outcome(batches, window_bytes=1000) == ([3, 5], [])


def test_window_never_grows_over_a_key_kept_elsewhere() -> None:
    # 20 000 is kept in the general store while the window is small; the window may grow up to
    # 19 999 but never over it, so its repeat is still found
    batches: list[list[int | None]] = [[0, 1], [20_000], [9_000], [9_500, 20_000, 19_999], [20_000, 19_999]]
    tracker = KeyTracker(("k",), window_bytes=10_000)
    for b in batches:
        tracker.add([pa.array(b, pa.int64())], len(b))
        window = tracker.window
        assert window is not None and window[1] < 20_000
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == [5, 7, 8]


def test_sparse_keys_use_no_window() -> None:
    keys = [i * 1_000_003 for i in range(10)] * 2
    tracker = feed([keys[:10], keys[10:]])
    assert tracker.window is None
    assert tracker.finish().duplicate_rows.tolist() == list(range(10, 20))


def test_all_equal_keys_across_pieces() -> None:
    # one batch longer than the 64 Ki rows checked at a time, then more of the same key
    tracker = KeyTracker(("k",))
    tracker.add([pa.array(np.full(70_000, 42, dtype=np.int64))], 70_000)
    tracker.add([pa.array(np.full(1_000, 42, dtype=np.int64))], 1_000)
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == list(range(1, 71_000))
    assert out.samples(out.duplicate_rows) == tuple({"row": r, "k": 42} for r in range(1, 6))


def test_repeats_at_rows_sharing_a_low_byte() -> None:
    # rows 256 apart share the low byte of their position, rows 1 apart the high byte: each pair must
    # still be found (and only the later row of each)
    keys = np.arange(65_536, dtype=np.int64)
    keys[256] = keys[0]
    keys[5 + 512] = keys[5]
    keys[1001] = keys[1000]
    keys[65_535] = keys[65_535 - 256 * 255]
    tracker = KeyTracker(("k",))
    tracker.add([pa.array(keys)], len(keys))
    assert tracker.finish().duplicate_rows.tolist() == reference(keys) == [256, 517, 1001, 65_535]


@pytest.mark.parametrize("kind", [pa.timestamp("us", tz="UTC"), pa.date32(), pa.time32("s"), pa.bool_(),
                                  pa.int8(), pa.uint16()])
def test_temporal_and_small_integer_keys(kind: pa.DataType) -> None:
    raw: list[int | None] = [3, 1, 3, None, 0, 1, 2]
    if pa.types.is_boolean(kind):
        values: list[object] = [None if v is None else v % 2 == 1 for v in raw]
    elif pa.types.is_date(kind):
        values = [None if v is None else dt.date(2026, 1, 1 + v) for v in raw]
    else:
        values = list(raw)
    if pa.types.is_time32(kind):
        arr = pa.array(values, pa.int32()).view(kind)
    else:
        arr = pa.array(values, pa.int64() if not pa.types.is_date(kind) and not pa.types.is_boolean(kind)
                       else None).cast(kind)
    tracker = KeyTracker(("k",))
    tracker.add([arr.slice(0, 4)], 4)
    tracker.add([arr.slice(4)], 3)
    assert tracker.window is not None
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == naive([(v,) for v in arr.to_pylist()])[0]
    assert out.null_rows.tolist() == [3]
    for sample in out.samples(out.duplicate_rows):
        assert sample["k"] == arr[sample["row"]].as_py()


@pytest.mark.parametrize("shuffle", [False, True])
def test_many_rows_match_numpy(shuffle: bool) -> None:
    # 400 000 keys from a dense range with ~10% repeats, in uneven batches; window on, off and tiny
    rng = np.random.default_rng(7)
    keys = np.arange(400_000, dtype=np.int64) - 123_456
    if shuffle:
        keys = rng.permutation(keys)
    pick = rng.choice(len(keys), 40_000, replace=False)
    keys[pick] = keys[rng.integers(0, len(keys), 40_000)]
    want = reference(keys)
    sizes = rng.integers(1, 90_000, 40)
    for options in ({}, {"window_bytes": 0}, {"window_bytes": 100_000}):
        tracker = KeyTracker(("k",), **options)  # type: ignore[arg-type]
        start, i = 0, 0
        while start < len(keys):
            chunk = keys[start:start + sizes[i % len(sizes)]]
            tracker.add([pa.array(chunk)], len(chunk))
            start, i = start + len(chunk), i + 1
        out = tracker.finish()
        assert out.duplicate_rows.tolist() == want, options
        for sample in out.samples(out.duplicate_rows):
            assert sample["k"] == keys[int(sample["row"])]  # type: ignore[call-overload]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(-20, 20), st.integers(-20, 20).map(lambda v: ("off", v)),
                          st.sampled_from([I64_MIN, I64_MAX, 10**12])), min_size=1, max_size=120),
       st.lists(st.integers(1, 40), min_size=1, max_size=6),
       st.sampled_from([None, 0, 1, 4, 16, 64]), st.sampled_from([None, 3]), st.sampled_from([None, (2, 8, 4)]),
       st.sampled_from([1, 3, 10**6]))
def test_key_stream_property(raw: list[object], cuts: list[int], window: int | None, spill: int | None,
                             rule: tuple[int, int, int] | None, step: int) -> None:
    # however the stream is split, whatever the window's size and density rule (2 values per row or 8
    # values, a spacing seen on 4 keys: the window opens late, on a lattice of ``step``, grows, and stops
    # short): the same rows as the reference and as the stream in one batch. ("off", v) is a key off
    # that lattice.
    values = [v * step if isinstance(v, int) and abs(v) <= 20 else v[1] * step + 1 if isinstance(v, tuple) else v
              for v in raw]
    want = naive([(v,) for v in values])
    with dense_rule(*(rule or (_IntegerKeys.DENSE_FACTOR, _IntegerKeys.DENSE_FLOOR, _IntegerKeys.STRIDE_EVIDENCE))):
        assert track([values], [pa.int64()], cuts, spill=spill, window=window) == want
        assert track([values], [pa.int64()], len(values), spill=spill, window=window) == want


@contextlib.contextmanager
def dense_rule(factor: int, floor: int, evidence: int) -> Iterator[None]:
    saved = _IntegerKeys.DENSE_FACTOR, _IntegerKeys.DENSE_FLOOR, _IntegerKeys.STRIDE_EVIDENCE
    _IntegerKeys.DENSE_FACTOR, _IntegerKeys.DENSE_FLOOR, _IntegerKeys.STRIDE_EVIDENCE = factor, floor, evidence
    try:
        yield
    finally:
        _IntegerKeys.DENSE_FACTOR, _IntegerKeys.DENSE_FLOOR, _IntegerKeys.STRIDE_EVIDENCE = saved


@pytest.mark.parametrize("direction", [1, -1])
def test_grown_window_stops_short_of_a_key_kept_elsewhere(direction: int) -> None:
    # 2 000 000 away is too far for the window at first (general store); 200 000 rows later the window
    # may span 3.2 M values and grows toward it, up to the value just before it and not over it
    far = 2_000_000 * direction
    tracker = KeyTracker(("k",))
    tracker.add([pa.array([0, direction], pa.int64())], 2)
    tracker.add([pa.array([far], pa.int64())], 1)
    bulk = np.arange(1_000_000, 1_200_000, dtype=np.int64) * direction
    tracker.add([pa.array(bulk)], len(bulk))
    tracker.add([pa.array([far - direction, far, far - direction], pa.int64())], 3)
    window = tracker.window
    assert window is not None and window[0] <= min(0, far - direction) and window[1] >= max(0, far - direction)
    assert not window[0] <= far <= window[1]
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == [len(bulk) + 4, len(bulk) + 5]


def test_window_opens_later_over_the_keys_kept_so_far() -> None:
    # two keys 2 M apart are too sparse for a window; 70 000 rows later the range is dense enough, and
    # the keys kept so far move into the window (their repeats are still found)
    tracker = KeyTracker(("k",))
    tracker.add([pa.array([0, 2_000_000, 0], pa.int64())], 3)
    assert tracker.window is None
    bulk = np.arange(1, 70_001, dtype=np.int64) * 25
    bulk[[10, 20]] = [2_000_000, 0]
    tracker.add([pa.array(bulk)], len(bulk))
    window = tracker.window
    assert window is not None and window[0] == 0 and window[1] >= 2_000_000
    tracker.add([pa.array([2_000_000, 250, 3], pa.int64())], 3)
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == [2, 13, 23, 70_003, 70_004]
    assert out.samples(out.duplicate_rows) == ({"row": 2, "k": 0}, {"row": 13, "k": 2_000_000},
                                               {"row": 23, "k": 0}, {"row": 70_003, "k": 2_000_000},
                                               {"row": 70_004, "k": 250})


def test_no_window_once_sparse_keys_are_on_disk() -> None:
    tracker = KeyTracker(("k",), spill_rows=4, partitions=2)
    tracker.add([pa.array([0, 10**9, 5, 10**9, 7], pa.int64())], 5)
    assert tracker.spilled
    tracker.add([pa.array([5, 6, 7, 8], pa.int64())], 4)  # dense now, but the earlier keys are on disk
    assert tracker.window is None
    assert tracker.finish().duplicate_rows.tolist() == [3, 5, 7]


def test_expected_rows_open_a_window_over_shuffled_ids() -> None:
    rng = np.random.default_rng(3)
    keys = rng.permutation(3_000_000).astype(np.int64)
    keys[2_999_990:] = keys[:10]
    first = pa.array(keys[:65_536])
    plain, hinted = KeyTracker(("k",)), KeyTracker(("k",), expected_rows=len(keys))
    plain.add([first], 65_536)
    hinted.add([first], 65_536)
    assert plain.window is None  # 64 Ki rows spread over 3 M values: too sparse without the hint
    assert hinted.window is not None and hinted.window[0] <= keys[:65_536].min()
    for s in range(65_536, len(keys), 65_536):
        for tracker in (plain, hinted):
            tracker.add([pa.array(keys[s:s + 65_536])], len(keys[s:s + 65_536]))
    assert plain.finish().duplicate_rows.tolist() == hinted.finish().duplicate_rows.tolist() \
        == list(range(2_999_990, 3_000_000))


def test_new_keys_repeating_among_many_old_ones() -> None:
    # a batch of mostly earlier keys: only its new keys go through the within-batch check, and their
    # repeats (new key 1000 at rows 1003 and 1500; 1001 at 1004 and 1999) are still found, first kept
    old = np.arange(1_000, dtype=np.int64)
    batch = np.arange(1_000, dtype=np.int64)[::-1].copy()
    batch[[3, 500]] = 1_000
    batch[[4, 999]] = 1_001
    batch[7] = 1_002
    tracker = KeyTracker(("k",))
    tracker.add([pa.array(old)], 1_000)
    tracker.add([pa.array(batch)], 1_000)
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == reference(np.concatenate([old, batch]))
    assert [r for r in out.duplicate_rows.tolist() if batch[r - 1_000] >= 1_000] == [1_500, 1_999]


def test_evenly_spaced_keys_get_a_window_on_their_lattice() -> None:
    # whole seconds in microseconds: 10^6 apart, far too sparse for one byte per microsecond, dense
    # per second. Keys between seconds (off the lattice) are kept apart and still checked exactly.
    second = 1_000_000
    start = 1_790_000_000 * second
    rng = np.random.default_rng(5)
    keys = start + np.arange(40_000, dtype=np.int64) * second
    later = np.arange(20_000, 40_000)
    keys[later[::997]] = keys[later[::997] - 15_000]  # repeats of earlier seconds
    off = later[5::1009]
    keys[off] = keys[off - 3] + 1 + rng.integers(0, 3, len(off))  # between seconds, some repeated
    keys[-5:] = keys[off[:5]]
    kind = pa.timestamp("us", tz="UTC")
    tracker = KeyTracker(("t",))
    windows = []
    for s in range(0, len(keys), 5_000):
        tracker.add([pa.array(keys[s:s + 5_000]).view(kind)], len(keys[s:s + 5_000]))
        windows.append(tracker.window)
    assert windows[0] == (start, start + 4_999 * second)
    assert windows[-1] == (start, int(keys[keys % second == start % second].max()))
    out = tracker.finish()
    assert out.duplicate_rows.tolist() == reference(keys)
    for sample in out.samples(out.duplicate_rows):
        assert sample["t"] == pa.array([keys[int(sample["row"])]]).view(kind)[0].as_py()  # type: ignore[call-overload]


@pytest.mark.parametrize("direction", [1, -1])
def test_lattice_window_grows_both_ways_and_skips_keys_between(direction: int) -> None:
    step = 10
    with dense_rule(2, 8, 4):
        tracker = KeyTracker(("k",))
        batches: list[list[int | None]] = [
            [0, 10, 20, 30],  # the lattice: multiples of 10
            [direction * v for v in (40, 50, 15, 60, 15, 20)],  # 15 is between: kept apart
            [direction * v for v in (200, 210, 205, 200, 5, 215, -5)],  # grows; 205, 5, 215, -5 between
            [direction * v for v in (5, 15, 205, 60, 210, 1000, 1000, 25, -5, 215, 220)],
        ]
        for b in batches:
            tracker.add([pa.array(b, pa.int64())], len(b))
        window = tracker.window
        assert window is not None and window[0] % step == 0 and window[1] % step == 0
        got = tracker.finish().duplicate_rows.tolist()
    assert got == naive(flat(batches))[0]
