"""Drift statistics: exact against scipy on fixed vectors, bounded sketch error on large ones, verdicts."""

from __future__ import annotations

import math

import numpy as np
import pyarrow as pa
import pytest
from scipy import stats
from scipy.spatial.distance import jensenshannon

from checks.drift import (
    ALPHA,
    DEFAULT_THRESHOLDS,
    PSI_EPSILON,
    ColumnSettings,
    _n_bins,
    categorical_statistics,
    compare_columns,
    compare_profiles,
    js_distance,
    numeric_statistics,
    psi,
)
from checks.profile import ColumnProfile, profile_table

REF = np.array([0.3, 1.7, 2.2, 2.2, 3.9, 4.1, 5.5, 6.0, 7.25, 8.0, 9.1, 9.1, 10.4, 11.0, 12.5, -3.0, 0.0, 1.1, 4.4, 6.6])
CUR = np.array([1.0, 2.5, 2.5, 3.3, 4.8, 5.1, 6.9, 7.7, 8.8, 9.9, 10.1, 13.0, 14.2, 15.5, 0.5, 2.2, 6.0, 9.1])


def _num(values: np.ndarray) -> ColumnProfile:
    c = ColumnProfile("x", "numeric")
    c.update(pa.array(values))
    return c


def _cat(values: list[str]) -> ColumnProfile:
    c = ColumnProfile("c", "categorical")
    c.update(pa.array(values))
    return c


def test_numeric_statistics_equal_scipy_on_fixed_vectors() -> None:
    s, plot = numeric_statistics(_num(REF), _num(CUR))
    assert s["ks_statistic"] == pytest.approx(stats.ks_2samp(REF, CUR).statistic, abs=1e-12)
    assert s["wasserstein"] == pytest.approx(stats.wasserstein_distance(REF, CUR), rel=1e-12)
    assert s["wasserstein_norm"] == pytest.approx(stats.wasserstein_distance(REF, CUR) / REF.std(ddof=1), rel=1e-12)
    # bins: the reference's deciles; shares (e[i-1], e[i]] computed here by hand from the same edges
    inner = plot["edges"][1:-1]
    assert inner == sorted(set(inner)) and len(inner) == 3  # 20 reference values: 4 bins (one per 40, at least 4)
    cuts = np.array(inner)
    p = np.diff(np.concatenate([[0], [np.mean(e >= REF) for e in cuts], [1]]))
    q = np.diff(np.concatenate([[0], [np.mean(e >= CUR) for e in cuts], [1]]))
    assert plot["reference"] == pytest.approx(p.tolist(), abs=1e-12)
    assert plot["current"] == pytest.approx(q.tolist(), abs=1e-12)
    pe, qe = np.maximum(p, PSI_EPSILON), np.maximum(q, PSI_EPSILON)
    assert s["psi"] == pytest.approx(float(np.sum((qe - pe) * np.log(qe / pe))), rel=1e-12)
    assert s["js_distance"] == pytest.approx(float(jensenshannon(p, q, base=2)), rel=1e-9)
    table = np.vstack([p * len(REF), q * len(CUR)])
    table = table[:, table.sum(axis=0) > 0]
    chi2, pvalue, df, _ = stats.chi2_contingency(table, correction=False)
    assert s["chi2_statistic"] == pytest.approx(chi2, rel=1e-9)
    assert s["chi2_pvalue"] == pytest.approx(pvalue, rel=1e-9)
    assert s["chi2_df"] == df


def test_ties_collapse_bins_and_ks_still_exact() -> None:
    ref = np.array([1, 1, 1, 1, 2, 2, 2, 3, 3, 4] * 5, dtype=float)
    cur = np.array([1, 1, 2, 2, 2, 2, 3, 3, 4, 4] * 6, dtype=float)
    s, plot = numeric_statistics(_num(ref), _num(cur))
    assert plot["edges"][1:-1] == [1.0, 2.0, 3.0]  # quartiles of a 50-value reference
    assert s["ks_statistic"] == pytest.approx(stats.ks_2samp(ref, cur).statistic, abs=1e-12)
    assert s["wasserstein"] == pytest.approx(stats.wasserstein_distance(ref, cur), rel=1e-12)
    assert s["chi2_df"] == 3


def test_categorical_statistics_equal_scipy() -> None:
    ref = ["a"] * 50 + ["b"] * 30 + ["c"] * 20
    cur = ["a"] * 70 + ["b"] * 20 + ["c"] * 25 + ["d"] * 20
    s, plot = categorical_statistics(_cat(ref), _cat(cur))
    table = np.array([[50, 30, 20, 0], [70, 20, 25, 20]])
    chi2, pvalue, df, _ = stats.chi2_contingency(table, correction=False)
    assert s["chi2_statistic"] == pytest.approx(chi2, rel=1e-12)
    assert s["chi2_pvalue"] == pytest.approx(pvalue, rel=1e-12)
    assert s["chi2_df"] == df == 3
    p, q = table[0] / 100, table[1] / 135
    assert s["js_distance"] == pytest.approx(float(jensenshannon(p, q, base=2)), rel=1e-9)
    assert s["cramers_v"] == pytest.approx(math.sqrt(chi2 / table.sum()), rel=1e-12)
    assert plot["labels"] == ["a", "b", "c", "d"]


def test_rare_categories_pooled_before_the_chi_square_test() -> None:
    ref = ["a"] * 60 + ["b"] * 36 + ["x"] * 3 + ["y"] * 3
    cur = ["a"] * 50 + ["b"] * 45 + ["x"] * 1 + ["z"] * 4
    s, _ = categorical_statistics(_cat(ref), _cat(cur))
    pooled = np.array([[60, 36, 6], [50, 45, 5]])  # x, y, z have expected counts under 5
    chi2, pvalue, df, _ = stats.chi2_contingency(pooled, correction=False)
    assert s["chi2_statistic"] == pytest.approx(chi2, rel=1e-12)
    assert s["chi2_pvalue"] == pytest.approx(pvalue, rel=1e-12)
    assert df == s["chi2_df"] == 2


def test_bin_count_follows_reference_size() -> None:
    assert [_n_bins(n) for n in (20, 160, 200, 399, 400, 10_000_000)] == [4, 4, 5, 9, 10, 10]
    rng = np.random.default_rng(4)
    _, plot = numeric_statistics(_num(rng.normal(size=5000)), _num(rng.normal(size=5000)))
    assert len(plot["edges"]) == 11 and len(plot["reference"]) == 10


def test_psi_and_js_helpers() -> None:
    assert psi([0.5, 0.5], [0.5, 0.5]) == 0.0
    assert psi([0.5, 0.5, 0.0], [0.4, 0.4, 0.2]) == pytest.approx(
        0.1 * math.log(0.5 / 0.4) * 2 + (0.2 - PSI_EPSILON) * math.log(0.2 / PSI_EPSILON)
    )
    assert js_distance([1, 0], [0, 1]) == pytest.approx(1.0)
    assert js_distance([0.2, 0.8], [0.2, 0.8]) == 0.0
    assert js_distance([0.1, 0.4, 0.5], [0.3, 0.3, 0.4]) == pytest.approx(
        float(jensenshannon([0.1, 0.4, 0.5], [0.3, 0.3, 0.4], base=2)), rel=1e-12
    )


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sketch_statistics_within_stated_error_of_exact(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ref = rng.normal(size=200_000)
    cur = rng.normal(0.2, 1.1, size=150_000)
    r, c = _num(ref), _num(cur)
    s, plot = numeric_statistics(r, c)
    eps = r.quantile_rank_error() + c.quantile_rank_error()
    assert abs(s["ks_statistic"] - stats.ks_2samp(ref, cur).statistic) <= eps
    # W1 = ∫|F_r − F_c|: each CDF is off by at most its rank error over the bulk of the data
    span = np.quantile(np.concatenate([ref, cur]), 0.999) - np.quantile(np.concatenate([ref, cur]), 0.001)
    assert abs(s["wasserstein"] - stats.wasserstein_distance(ref, cur)) <= eps * span
    cuts = np.array(plot["edges"][1:-1])
    p = np.diff(np.concatenate([[0], [np.mean(ref <= e) for e in cuts], [1]]))
    q = np.diff(np.concatenate([[0], [np.mean(cur <= e) for e in cuts], [1]]))
    assert np.max(np.abs(np.array(plot["reference"]) - p)) <= 2 * r.quantile_rank_error()
    assert np.max(np.abs(np.array(plot["current"]) - q)) <= 2 * c.quantile_rank_error()


def _table_profiles(ref: dict, cur: dict):
    return profile_table(pa.table(ref)), profile_table(pa.table(cur))


def test_null_share_jump_is_completeness_not_value_drift() -> None:
    rng = np.random.default_rng(5)
    ref = rng.normal(size=20_000)
    cur = rng.normal(size=20_000)
    cur_with_nulls = pa.array(cur, mask=rng.random(20_000) < 0.3)
    a, b = _table_profiles({"x": ref}, {"x": cur_with_nulls})
    d = compare_columns(a.columns["x"], b.columns["x"])
    assert d.null_share_drifted is True
    assert d.drifted is False
    assert d.findings == ("null_share_drifted",)
    assert d.null_share_reference == 0.0 and d.null_share_current == pytest.approx(0.3, abs=0.02)


def test_new_and_vanished_categories_are_findings_with_shares() -> None:
    ref = ["a"] * 5000 + ["b"] * 3000 + ["c"] * 2000
    cur = ["a"] * 5000 + ["b"] * 4800 + ["new"] * 200
    d = compare_columns(_cat(ref), _cat(cur))
    assert [c["value"] for c in d.new_categories] == ["new"]
    assert d.new_categories[0]["share"] == pytest.approx(0.02)
    assert [c["value"] for c in d.vanished_categories] == ["c"]
    assert d.vanished_categories[0]["share"] == pytest.approx(0.2)
    assert set(d.findings) == {"drift_detected", "new_category", "vanished_category"}


def test_rare_unseen_category_in_small_reference_is_not_reported() -> None:
    # 2 % share, but a 100-value reference misses it one time in eight: not evidence
    d = compare_columns(_cat(["a"] * 60 + ["b"] * 40), _cat(["a"] * 588 + ["b"] * 392 + ["n"] * 20))
    assert d.new_categories == ()


def test_verdict_needs_both_effect_and_significance() -> None:
    rng = np.random.default_rng(11)
    small_ref, small_cur = _num(rng.normal(size=150)), _num(rng.normal(0.3, size=150))
    d = compare_columns(small_ref, small_cur)
    assert d.score > DEFAULT_THRESHOLDS["psi"]  # noisy effect above threshold ...
    assert d.statistics["chi2_pvalue"] >= ALPHA and not d.drifted  # ... but within sampling noise
    big_ref, big_cur = _num(rng.normal(size=400_000)), _num(rng.normal(0.02, size=400_000))
    d = compare_columns(big_ref, big_cur)
    assert d.score < DEFAULT_THRESHOLDS["psi"] and not d.drifted  # a real but negligible shift
    d = compare_columns(big_ref, _num(rng.normal(0.3, size=400_000)))
    assert d.drifted and d.reason == "drift_detected"


def test_per_column_overrides_and_min_rows() -> None:
    rng = np.random.default_rng(3)
    ref, cur = _num(rng.normal(size=5000)), _num(rng.normal(0.25, size=5000))
    assert compare_columns(ref, cur).drifted
    loose = compare_columns(ref, cur, ColumnSettings(method="wasserstein_norm", threshold=0.5, severity="error"))
    assert (loose.method, loose.threshold, loose.severity, loose.drifted) == ("wasserstein_norm", 0.5, "error", False)
    ks = compare_columns(ref, cur, ColumnSettings(method="ks", threshold=0.05))
    assert ks.score == ks.statistics["ks_statistic"] and ks.drifted
    few = compare_columns(ref, cur, ColumnSettings(min_rows=10_000))
    assert few.reason == "insufficient_rows" and few.score is None and not few.drifted


def test_missing_and_retyped_columns() -> None:
    a, b = _table_profiles({"x": [1.0, 2.0], "y": [1, 2]}, {"x": ["1", "2"], "z": [1, 2]})
    assert compare_columns(a.columns["x"], b.columns["x"]).reason == "type_changed"
    assert compare_columns(a.columns["y"], None, column="y").reason == "column_missing"


def test_compare_profiles_judges_untyped_columns_at_info_and_skips_temporal() -> None:
    rng = np.random.default_rng(2)
    ts = pa.array(np.arange(3000) * 1000, type=pa.timestamp("ms"))
    a, b = _table_profiles(
        {"x": rng.normal(size=3000), "c": rng.choice(["u", "v"], 3000), "t": ts},
        {"x": rng.normal(1.0, size=3000), "c": rng.choice(["u", "v"], 3000), "t": ts},
    )
    out = compare_profiles(a, b, dataset="d")
    assert [c.column for c in out.columns] == ["x", "c"]
    assert [c.column for c in out.drifted] == ["x"]
    assert all(c.severity == "info" for c in out.columns)
    assert out.blocking() == ()
    doc = out.to_dict()
    assert doc["dataset"] == "d" and doc["columns"][0]["statistics"]["psi"] > 0.3
