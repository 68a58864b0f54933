"""The profile's fast paths give exactly what the plain algorithms give.

Stored profiles from earlier runs are merged with new ones, so the HyperLogLog registers, the top
values (counts, order, ``other``) and the quantile sketches must not depend on which path built
them. Each test here runs a fast path against a plain reference written out in the test.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.profile import ColumnProfile, to_numbers
from checks.quantiles import QuantileSketch, RowSampler
from checks.sketches import HyperLogLog, hash_float64, hash_strings, hash_uint64


# ---------------------------------------------------------------------------------- references
def _reference_registers(p: int, hashes: np.ndarray, registers: np.ndarray | None = None) -> np.ndarray:
    """The HyperLogLog definition, value by value: each register keeps the largest rank of its hashes
    (rank: 1 + the number of leading zeros of the bits after the ``p`` index bits)."""
    regs = np.zeros(1 << p, dtype=np.uint8) if registers is None else registers.copy()
    q = 64 - p
    for h in hashes.tolist():
        idx = h >> q
        rest = h & ((1 << q) - 1)
        rank = q + 1 - rest.bit_length()
        regs[idx] = max(int(regs[idx]), rank)
    return regs


def _reference_top(batches: list[list[object]], bound: int) -> tuple[dict[object, int], int]:
    """Top values as the profile defines them: per batch the distinct values in first-seen order with
    their counts; past ``bound`` of them only the ``bound`` most frequent (ties first-seen) are kept
    and the rest go to ``other``; they are added to the dict (new ones at the end), and a dict over
    ``bound`` keeps its ``bound`` largest counts (ties in the dict's order)."""
    top: dict[object, int] = {}
    other = 0
    for batch in batches:
        counts: dict[object, int] = {}
        for v in batch:
            if v is not None:
                counts[v] = counts.get(v, 0) + 1
        items = list(counts.items())
        if len(items) > bound:
            ranked = sorted(items, key=lambda kv: kv[1], reverse=True)
            other += sum(c for _, c in ranked[bound:])
            items = ranked[:bound]
        for v, c in items:
            top[v] = top.get(v, 0) + c
        if len(top) > bound:
            ranked = sorted(top.items(), key=lambda kv: kv[1], reverse=True)
            other += sum(c for _, c in ranked[bound:])
            top = dict(ranked[:bound])
    return top, other


# ---------------------------------------------------------------------------------- HyperLogLog
@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1), st.sampled_from([4, 8, 12]),
       st.lists(st.integers(min_value=0, max_value=3000), min_size=1, max_size=4),
       st.sampled_from([5, 300, 10**9]))
def test_hll_registers_equal_the_definition(seed: int, p: int, sizes: list[int], distinct: int) -> None:
    # few distinct values (most hashes cannot raise their register) and many (the smallest register
    # filters), over several updates: the registers are those of the definition, bit for bit
    rng = np.random.default_rng(seed)
    hll = HyperLogLog(p)
    want = np.zeros(1 << p, dtype=np.uint8)
    for n in sizes:
        values = rng.integers(0, distinct, n).astype(np.float64) * 0.5
        hashes = hash_float64(values)
        hll.update_hashes(hashes)
        want = _reference_registers(p, hashes, want)
        assert np.array_equal(hll.registers, want)


def test_hll_registers_equal_the_definition_on_large_batches() -> None:
    # batches longer than a hashing piece, with the registers filled far enough that the smallest one
    # filters, and a batch of repeats of values already seen (nothing may change)
    rng = np.random.default_rng(11)
    hll = HyperLogLog(12)
    want = np.zeros(4096, dtype=np.uint8)
    for values in (rng.normal(size=70_001), rng.integers(0, 1000, 100_000).astype(np.float64),
                   rng.normal(size=40_000) * 1e9):
        hashes = hash_float64(values)
        hll.update_hashes(hashes)
        want = _reference_registers(12, hashes, want)
        assert np.array_equal(hll.registers, want)
    assert int(hll.registers.min()) > 0
    before = hll.registers.copy()
    hll.update_hashes(hash_float64(values[:5000]))
    assert np.array_equal(hll.registers, before)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(allow_nan=False), max_size=200), st.integers(min_value=0, max_value=70_000))
def test_hll_update_float64_equals_hashing_first(values: list[float], spread: int) -> None:
    x = np.concatenate([np.array(values, dtype=np.float64), np.arange(spread, dtype=np.float64)])
    direct = HyperLogLog()
    direct.update_float64(x)
    hashed = HyperLogLog()
    hashed.update_hashes(hash_float64(x))
    assert direct == hashed
    assert np.array_equal(direct.registers, _reference_registers(12, hash_float64(x)))


# ---------------------------------------------------------------------------------- top values
values_ = st.one_of(st.none(), st.sampled_from([f"v{i}" for i in range(30)]))
many_values = st.one_of(st.none(), st.sampled_from([f"w{i}" for i in range(150)]))


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.lists(st.lists(values_, max_size=60), min_size=1, max_size=6),
                 st.lists(st.lists(many_values, max_size=300), min_size=1, max_size=6)),
       st.integers(min_value=1, max_value=90),
       st.lists(st.sampled_from(["plain", "dictionary", "large"]), min_size=6, max_size=6))
def test_top_values_equal_the_reference(batches, bound, layouts) -> None:
    # plain, dictionary-encoded and large strings mixed batch by batch, few values (counted in a
    # dict) and many (counted as arrays, the dict read back in between): the same dict, order
    # included, and the same ``other`` as the reference
    prof = ColumnProfile("s", "categorical", top_bound=bound)
    for batch, layout in zip(batches, layouts, strict=False):
        arr = pa.array(batch, pa.string())
        if layout == "dictionary":
            arr = arr.dictionary_encode()
        elif layout == "large":
            arr = arr.cast(pa.large_string())
        prof.update(arr)
    top, other = _reference_top(batches, bound)
    assert prof.top is not None
    assert list(prof.top.items()) == list(top.items())
    assert prof.other == other


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.booleans()), max_size=20), min_size=1, max_size=5))
def test_boolean_top_values_equal_the_reference(batches) -> None:
    prof = ColumnProfile("b", "categorical")
    for batch in batches:
        prof.update(pa.array(batch, pa.bool_()))
    top, other = _reference_top(batches, 1000)
    assert list((prof.top or {}).items()) == list(top.items()) and prof.other == other == 0
    present = [v for b in batches for v in b if v is not None]
    assert (prof.min, prof.max) == ((min(present), max(present)) if present else (None, None))
    want = HyperLogLog()
    want.update_hashes(hash_float64(np.array(sorted(set(present)), dtype=np.float64)))
    assert prof.hll == want


def test_top_values_read_in_the_middle_of_a_pass_continue_the_same() -> None:
    # reading ``top`` turns the arrays into the dict; the next batch carries on from the dict
    batches = [["a", "b", "b"], ["c", "a"], ["d", "d", "d", "b"]]
    read = ColumnProfile("s", "categorical", top_bound=2)
    unread = ColumnProfile("s", "categorical", top_bound=2)
    for batch in batches:
        read.update(pa.array(batch))
        assert read.top is not None
        unread.update(pa.array(batch))
    assert list((read.top or {}).items()) == list((unread.top or {}).items()) == [("b", 3), ("d", 3)]
    assert read.other == unread.other == 3
    assert _reference_top(batches, 2) == ({"b": 3, "d": 3}, 3)


def test_top_values_keep_a_mixed_dict_from_a_stored_profile() -> None:
    # a stored profile's top values of another type than the new batch's: counted in the dict
    stored = ColumnProfile("s", "categorical")
    stored.top = {True: 2, "x": 1}
    many = [f"k{i}" for i in range(100)]  # enough values for the arrays, which cannot hold True
    stored.update(pa.array(["x", *many]))
    assert list((stored.top or {}).items()) == [(True, 2), ("x", 2), *((k, 1) for k in many)]
    # a stored profile of strings turns into the arrays and carries on in its order
    strings = ColumnProfile("s", "categorical")
    strings.top = {"b": 3, "a": 1}
    strings.update(pa.array(["a", *many]))
    assert list((strings.top or {}).items()) == [("b", 3), ("a", 2), *((k, 1) for k in many)]


# ---------------------------------------------------------------------------------- dictionaries
def test_slices_sharing_a_dictionary_profile_like_the_decoded_values() -> None:
    # a Parquet row group read whole and sliced: every slice shares one dictionary, studied once
    rng = np.random.default_rng(5)
    words = np.array([f"w{i:04d}" for i in range(3000)] + ["", "é", "Z"], dtype=object)
    values = words[rng.integers(0, len(words), 20_000)].tolist()
    values[7] = None
    whole = pa.array(values, pa.string()).dictionary_encode()
    coded = ColumnProfile("s", "categorical", top_bound=50)
    plain = ColumnProfile("s", "categorical", top_bound=50)
    by_entry = []  # a dictionary batch lists its values in the order of their dictionary entries
    for start in range(0, len(values), 4096):
        part = whole.slice(start, 4096)
        coded.update(part)
        plain.update(pa.array(values[start : start + 4096], pa.string()))
        order = np.argsort(part.indices.fill_null(len(part.dictionary)).to_numpy(), kind="stable")
        by_entry.append([values[start + int(i)] for i in order])
    assert (coded.count, coded.nulls, coded.min, coded.max) == (plain.count, plain.nulls, plain.min, plain.max)
    top, other = _reference_top(by_entry, 50)
    assert list((coded.top or {}).items()) == list(top.items())
    assert coded.other == other > 0
    assert coded.hll == plain.hll
    present = sorted({v for v in values if v is not None})
    assert (coded.min, coded.max) == (present[0], present[-1])
    want = HyperLogLog()
    want.update_hashes(hash_strings(pa.array(present)))
    assert coded.hll == want


def test_a_dictionary_with_repeated_entries_counts_by_value() -> None:
    dictionary = pa.array(["a", "b", "a"])
    arr = pa.DictionaryArray.from_arrays(pa.array([0, 1, 2, 2, None], pa.int32()), dictionary)
    prof = ColumnProfile("s", "categorical")
    prof.update(arr)
    prof.update(arr)
    assert prof.top == {"a": 6, "b": 2}
    assert (prof.min, prof.max, prof.nulls) == ("a", "b", 2)


# ---------------------------------------------------------------------------------- numbers
@pytest.mark.parametrize("null_every", [3, 1000])
def test_sampled_quantiles_of_a_column_with_nulls_equal_the_take_path(null_every: int) -> None:
    # past the sampler's threshold the picked rows of a column with nulls are found on the numpy
    # values; the sketch must be the one built from taking the rows from the Arrow array
    rng = np.random.default_rng(3)
    n = 300_000
    ints = rng.integers(-10**6, 10**6, n)
    arr = pa.array(ints, pa.int64(), mask=np.arange(n) % null_every == 0)
    prof = ColumnProfile("x", "numeric")
    prof.update(arr, RowSampler(0, n))
    want = QuantileSketch()
    x = to_numbers(arr)
    level = want.sampler_level(len(x))
    assert level > 0
    picked = to_numbers(arr.take(pa.array(RowSampler(0, n).rows(level))))
    want.update(picked, level=level, represented=len(x))
    want.note_range(float(x.min()), float(x.max()))
    assert prof.quantiles is not None
    assert prof.quantiles.to_dict() == want.to_dict()
    assert prof.count == n - int(pc.sum(pc.is_null(arr)).as_py())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.one_of(st.none(), st.integers(min_value=0, max_value=2000)), min_size=1, max_size=400),
       st.integers(min_value=-(2**40), max_value=2**40), st.sampled_from(["int64", "int32", "uint16"]))
def test_integer_registers_do_not_depend_on_the_path(values, shift, type_name) -> None:
    # narrow ranges mark the distinct values, wide ones hash every value; any integer type
    t = pa.type_for_alias(type_name)
    shift = shift if type_name == "int64" else 0
    arr = pa.array([None if v is None else v + shift for v in values], t)
    prof = ColumnProfile("x", "numeric")
    prof.update(arr)
    kept = np.array([v + shift for v in values if v is not None], dtype=np.float64)
    assert np.array_equal(prof.hll.registers if prof.hll else None, _reference_registers(12, hash_float64(kept)))
    if len(kept):
        assert (prof.min, prof.max) == (kept.min(), kept.max())


# ---------------------------------------------------------------------------------- row sampler
@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=2**40), st.integers(min_value=1, max_value=100_000),
       st.lists(st.integers(min_value=1, max_value=8), min_size=1, max_size=6))
def test_sampler_rows_equal_the_definition_in_any_order_of_levels(start: int, length: int, levels: list[int]) -> None:
    # rows picked at a level: those whose number hashes below 2**(64 - level), asked for in any
    # order (a higher level first, then a lower one, then a higher one again)
    sampler = RowSampler(start, length)
    hashes = hash_uint64(np.arange(start, start + length, dtype=np.uint64))
    for level in levels:
        want = np.flatnonzero(hashes < np.uint64(1 << (64 - level)))
        got = sampler.rows(level)
        assert np.array_equal(got, want)
        assert got.dtype == np.intp
    assert np.array_equal(sampler.rows(0), np.arange(length))


def test_a_long_dictionary_batch_counts_like_its_decoded_values() -> None:
    # more rows than one counting piece, with nulls
    rng = np.random.default_rng(9)
    values = [None if i % 97 == 0 else f"k{int(v)}" for i, v in enumerate(rng.integers(0, 40, 50_000))]
    coded = ColumnProfile("s", "categorical")
    coded.update(pa.array(values, pa.string()).dictionary_encode())
    counts: dict[str, int] = {}
    for v in values:
        if v is not None:
            counts[v] = counts.get(v, 0) + 1
    assert coded.top == counts
    assert coded.nulls == values.count(None)


def test_scratch_space_is_reused_per_tag_and_thread() -> None:
    import threading

    from checks.sketches import SCRATCH_MAX, release_scratch, scratch

    first = scratch("test.a", 100, np.float64)
    again = scratch("test.a", 50, np.float64)
    assert again.base is first.base and len(again) == 50
    assert scratch("test.a", 10, np.int64).dtype == np.int64  # another dtype: a new buffer
    assert scratch("test.b", 10, np.float64).base is not first.base
    elsewhere: list[np.ndarray] = []
    thread = threading.Thread(target=lambda: elsewhere.append(scratch("test.a", 100, np.float64)))
    thread.start()
    thread.join()
    assert elsewhere[0].base is not scratch("test.a", 100, np.float64).base
    big = scratch("test.big", SCRATCH_MAX + 1, np.uint8)
    assert big.base is None and scratch("test.big", SCRATCH_MAX + 1, np.uint8).base is None
    release_scratch()
    assert scratch("test.a", 100, np.float64).base is not first.base
