"""The quantile sketch: exact while small, within its stated rank error after sampling and merges."""

from __future__ import annotations

import base64
import itertools
import json

import numpy as np
import pyarrow as pa
import pytest
from datasketches import kll_doubles_sketch
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.profile import ColumnProfile, DatasetProfile, profile_table
from checks.quantiles import DEFAULT_K, SAMPLER_RATIO, QuantileSketch, RowSampler


def _stream(values: np.ndarray, batch: int, start: int = 0, k: int = DEFAULT_K) -> QuantileSketch:
    """Feed ``values`` as the profile does: sampled rows once the sketch is large."""
    sketch = QuantileSketch(k)
    for i in range(0, len(values), batch):
        part = values[i : i + batch]
        level = sketch.sampler_level(len(part))
        if level == 0:
            sketch.update(part)
        else:
            rows = RowSampler(start + i, len(part)).rows(level)
            sketch.update(part[rows], level=level, represented=len(part))
            sketch.note_range(float(part.min()), float(part.max()))
    return sketch


def _worst_rank_error(sketch: QuantileSketch, values: np.ndarray) -> float:
    exact = np.sort(values)
    ranks = np.linspace(0.0005, 0.9995, 1999)
    got = sketch.get_quantiles(ranks)
    below = np.searchsorted(exact, got, side="left") / len(exact)
    at_or_below = np.searchsorted(exact, got, side="right") / len(exact)
    return float(np.max(np.maximum(0.0, np.maximum(below - ranks, ranks - at_or_below))))


def test_small_sketch_is_exact() -> None:
    values = np.array([5.0, 1.0, 3.0, 3.0, 9.0, -2.0])
    sketch = QuantileSketch()
    sketch.update(values)
    assert not sketch.is_estimation_mode()
    assert sketch.normalized_rank_error() == 0.0
    assert sketch.get_quantiles([0.0, 0.5, 1.0]).tolist() == [-2.0, 3.0, 9.0]
    # inclusive: share of values <= point; exclusive: < point; then 1.0
    assert sketch.get_cdf([3.0, 10.0]).tolist() == [4 / 6, 1.0, 1.0]
    assert sketch.get_cdf([3.0], inclusive=False).tolist() == [2 / 6, 1.0]
    assert (sketch.n, sketch.retained, sketch.min, sketch.max) == (6, 6, -2.0, 9.0)


def test_sampler_starts_past_its_threshold_and_doubles() -> None:
    sketch = QuantileSketch(k=64)
    assert sketch.sampler_level(SAMPLER_RATIO * 64 - 1) == 0
    assert sketch.sampler_level(SAMPLER_RATIO * 64) == 0
    assert sketch.sampler_level(SAMPLER_RATIO * 64 * 2) == 1
    assert sketch.sampler_level(SAMPLER_RATIO * 64 * 8) == 3
    assert sketch.sampler_level(SAMPLER_RATIO * 64 * 8 - 1) == 2


def test_row_sampler_picks_by_row_number_not_by_batch() -> None:
    whole = RowSampler(0, 100_000).rows(4)
    pieces = [RowSampler(start, 7_000).rows(4) + start for start in range(0, 100_000, 7_000)]
    assert np.array_equal(whole, np.concatenate(pieces)[np.concatenate(pieces) < 100_000])
    assert 100_000 / 16 * 0.9 < len(whole) < 100_000 / 16 * 1.1  # about one row in 2**4
    assert set(RowSampler(0, 100_000).rows(5)) <= set(whole)  # nested: level 5 picks a subset of level 4
    assert np.array_equal(RowSampler(0, 10).rows(0), np.arange(10))


@pytest.mark.parametrize("order", ["random", "ascending", "descending", "sawtooth"])
def test_rank_error_within_bound_on_adversarial_orders(order: str) -> None:
    rng = np.random.default_rng(11)
    values = rng.lognormal(0.0, 2.0, 600_000)
    if order == "ascending":
        values = np.sort(values)
    elif order == "descending":
        values = np.sort(values)[::-1].copy()
    elif order == "sawtooth":
        values = np.sort(values).reshape(60, -1).T.ravel().copy()
    sketch = _stream(values, 65_536)
    assert sketch.is_estimation_mode() and sketch.sampled > 0
    eps = sketch.normalized_rank_error()
    assert 0.005 < eps < 0.02
    assert _worst_rank_error(sketch, values) <= eps
    assert (sketch.n, sketch.min, sketch.max) == (len(values), float(values.min()), float(values.max()))
    assert sketch.retained < 4 * DEFAULT_K  # a few KiB whatever the input size


def test_many_merges_stay_within_bound() -> None:
    rng = np.random.default_rng(5)
    parts = [rng.normal(i, 1 + i / 10, int(rng.integers(1_000, 120_000))) for i in range(40)]
    sketches = [_stream(p, int(rng.integers(500, 70_000))) for p in parts]
    merged = sketches[0]
    for s in sketches[1:]:
        merged = merged.merge(s)
    values = np.concatenate(parts)
    assert merged.n == len(values)
    assert _worst_rank_error(merged, values) <= merged.normalized_rank_error()
    assert merged.retained < 4 * DEFAULT_K


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 30_000),
    batch=st.integers(1, 9_000),
    cuts=st.lists(st.floats(0, 1), max_size=4),
)
def test_any_split_and_merge_within_bound(seed: int, n: int, batch: int, cuts: list[float]) -> None:
    rng = np.random.default_rng(seed)
    values = np.round(rng.standard_t(3, n), 2)  # heavy tails, ties
    bounds = sorted({int(c * n) for c in cuts} | {0, n})
    sketches = [_stream(values[a:b], batch, start=a, k=32) for a, b in itertools.pairwise(bounds) if b > a]
    merged = sketches[0]
    for s in sketches[1:]:
        merged = merged.merge(s)
    assert merged.n == n
    # the bound holds with 99 % confidence (measured: exceeded in ~0.03 % of 15 000 such cases, by at
    # most 1.22x); a property test draws many cases, so it checks 1.5x to stay deterministic
    assert _worst_rank_error(merged, values) <= 1.5 * merged.normalized_rank_error() + 1e-12


def test_serialisation_round_trip_and_merge_rules() -> None:
    sketch = _stream(np.random.default_rng(2).normal(size=200_000), 50_000)
    again = QuantileSketch.from_dict(json.loads(json.dumps(sketch.to_dict())))
    ranks = np.linspace(0, 1, 101)
    assert np.array_equal(sketch.get_quantiles(ranks), again.get_quantiles(ranks))
    assert (again.n, again.sampled, again.flips, again.retained) == (sketch.n, sketch.sampled, sketch.flips,
                                                                     sketch.retained)
    with pytest.raises(ValueError, match="k=256 and k=64"):
        sketch.merge(QuantileSketch(64))
    with pytest.raises(ValueError, match="empty"):
        QuantileSketch().get_quantiles([0.5])
    with pytest.raises(ValueError, match="within"):
        sketch.get_quantiles([1.5])


def test_profile_samples_rows_with_nulls_and_non_finite_values() -> None:
    rng = np.random.default_rng(9)
    n = 300_000
    values = rng.exponential(3.0, n)
    values[rng.random(n) < 0.01] = np.nan
    nulls = rng.random(n) < 0.3
    arr = pa.array(values, mask=nulls)
    prof = DatasetProfile()
    for start in range(0, n, 40_000):
        prof.update(pa.record_batch({"x": arr.slice(start, 40_000)}))
    col = prof.columns["x"]
    finite = values[~nulls & np.isfinite(values)]
    assert col.quantiles is not None and col.quantiles.sampled > 0
    assert col.quantiles.n == col.finite_count == len(finite)
    assert (col.min, col.max) == (float(finite.min()), float(finite.max()))
    assert (col.quantile(0.0), col.quantile(1.0)) == (float(finite.min()), float(finite.max()))
    assert _worst_rank_error(col.quantiles, finite) <= col.quantile_rank_error()


def test_profiles_recorded_with_kll_are_read() -> None:
    values = np.random.default_rng(4).gamma(2.0, 2.0, 50_000)
    kll = kll_doubles_sketch(200)
    kll.update(values)
    recorded = ColumnProfile("x", "numeric").to_dict()
    recorded.pop("quantiles")
    recorded.update(count=len(values), kll=base64.b64encode(kll.serialize()).decode("ascii"))
    col = ColumnProfile.from_dict(recorded)
    assert col.quantiles is not None and col.quantiles.n == len(values)
    kll_eps = kll_doubles_sketch.get_normalized_rank_error(200, False)
    assert _worst_rank_error(col.quantiles, values) <= kll_eps + col.quantile_rank_error()
    merged = col.merge(profile_table(pa.table({"x": values})).columns["x"])
    assert merged.quantiles is not None and merged.quantiles.n == 2 * len(values)


def test_same_rows_give_the_same_sketch() -> None:
    values = np.random.default_rng(8).normal(size=300_000)
    table = pa.table({"x": values})
    first = profile_table(table).columns["x"].quantiles
    again = profile_table(table).columns["x"].quantiles
    assert first is not None and again is not None and first.sampled > 0
    assert first.to_dict() == again.to_dict()
