"""Drift: how far a column's current values moved from a baseline, computed from profiles.

Everything here reads ``checks.profile`` profiles, never the data, so a baseline of thirty
days of batches is a merge of their profiles. docs/drift.md documents the statistics, the
defaults and the JSON shape; the constants below are those defaults.

Numeric and temporal columns (non-null, finite values):

- **Bins**: the reference's deciles (``N_BINS`` = 10 quantile bins from its quantile sketch; a
  reference of fewer than 400 values gets one bin per 40 values, at least 4, because the
  chi-square gate runs hot on sparse quantile bins; repeated edges of tied values collapse,
  so a discrete column may get fewer bins). Bin
  ``i`` is ``(e[i-1], e[i]]``, the outer bins are open-ended. Bin shares of both sides come
  from their sketches' CDFs at the same edges.
- ``psi``: Σ (q−p)·ln(q/p) over the bins, each share floored at ``PSI_EPSILON`` (1e-4) so an
  empty bin counts as a large finite change, not infinity.
- ``js_distance``: Jensen–Shannon distance, base 2 (0..1), on the same bins.
- ``wasserstein_norm``: W1 between the two distributions divided by the reference's
  standard deviation; ``ks_statistic``: sup |F_ref − F_cur|. Both from the sketches' CDFs
  evaluated at the union of 1025 quantile points of each side (exact while the sketches
  are: up to 256 values per side; otherwise within the rank error below).
- ``chi2_statistic`` / ``chi2_pvalue``: Pearson chi-square test of homogeneity on the 2×bins
  table, the **noise gate**. Sketch error counts as sampling noise: a side whose quantile
  sketch is estimating (rank error bound ε, ≈ 1.2 %) contributes ``1/ε²`` as an extra sample size,
  ``1/n_eff = 1/n + ε²`` (documented in docs/drift.md; measured by bench/drift_calibration.py).

Categorical columns: category shares from the top values (plus the ``other`` bucket when a
column has more distinct values than the profile keeps): ``js_distance`` (base 2), ``psi``,
and the chi-square test of homogeneity on the 2×categories contingency table (categories
whose expected count is under 5 are pooled first, as the test needs), with Cramér's V as
the ``chi2`` method's effect size. New and vanished categories are findings of their own.

Verdict per column: **drifted** when the method's score is above its threshold AND the
chi-square gate's p-value is below ``ALPHA`` (1e-4): an effect large enough to matter that
sampling noise at these sizes does not explain. Null share and row count are judged apart
from the values (``null_share_drifted``, ``row_count_changed``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import stats

from checks.profile import ColumnProfile, DatasetProfile
from checks.results import RuleResult

__all__ = [
    "ALPHA",
    "DEFAULT_METHOD",
    "DEFAULT_MIN_ROWS",
    "DEFAULT_THRESHOLDS",
    "METHODS",
    "NEW_CATEGORY_MIN_SHARE",
    "NULL_SHARE_MIN_CHANGE",
    "N_BINS",
    "PSI_EPSILON",
    "REASONS",
    "ROW_COUNT_MAX_RATIO",
    "ColumnDrift",
    "ColumnSettings",
    "DatasetDrift",
    "categorical_statistics",
    "compare_columns",
    "compare_profiles",
    "drift_results",
    "js_distance",
    "numeric_statistics",
    "psi",
    "rule_settings",
]

METHODS = ("psi", "js_distance", "wasserstein_norm", "ks", "chi2")
DEFAULT_METHOD = {"numeric": "psi", "temporal": "psi", "categorical": "js_distance"}
DEFAULT_THRESHOLDS = {"psi": 0.03, "js_distance": 0.05, "wasserstein_norm": 0.1, "ks": 0.05, "chi2": 0.05}
DEFAULT_MIN_ROWS = 100
ALPHA = 1e-4
N_BINS = 10
PSI_EPSILON = 1e-4
GRID_POINTS = 1025
MIN_EXPECTED = 5.0
NULL_SHARE_MIN_CHANGE = 0.02
NEW_CATEGORY_MIN_SHARE = 0.01
ROW_COUNT_MAX_RATIO = 2.0
OTHER = "__other__"

# reason code -> meaning (docs/drift.md lists every one; a test checks it)
REASONS: dict[str, str] = {
    "drift_detected": "the column's values drifted: score above threshold and beyond sampling noise",
    "no_drift": "the column's values did not drift",
    "null_share_drifted": "the share of nulls changed beyond noise and by at least NULL_SHARE_MIN_CHANGE",
    "new_category": "a category absent from the baseline holds a share of the current values",
    "vanished_category": "a category of the baseline is absent from the current values",
    "row_count_changed": "the batch has more than twice or less than half the baseline's rows per run",
    "no_baseline": "there is no baseline to compare with yet",
    "insufficient_rows": "fewer non-null values than minRows on one side; drift not judged",
    "column_missing": "the column is absent from the baseline or the current profile",
    "type_changed": "the column was profiled as a different kind in the baseline",
    "unsupported_column": "the column's type has no drift statistics (binary, nested)",
}


@dataclass(frozen=True)
class ColumnSettings:
    """What to judge a column with; ``None`` fields take the defaults of the column's kind."""

    method: str | None = None
    threshold: float | None = None
    min_rows: int | None = None
    severity: str = "warning"
    baseline: str | None = None
    rule: str | None = None  # the rule id of the contract, when there is one

    def resolved(self, kind: str) -> tuple[str, float, int]:
        method = self.method or DEFAULT_METHOD.get(kind, "psi")
        threshold = self.threshold if self.threshold is not None else DEFAULT_THRESHOLDS[method]
        min_rows = self.min_rows if self.min_rows is not None else DEFAULT_MIN_ROWS
        return method, threshold, min_rows


def rule_settings(rule: Any, rule_id: str | None = None) -> ColumnSettings:
    """The drift settings of a contract rule (``type: custom, engine: pactline``)."""
    from contracts.pactline import drift_settings

    s = drift_settings(rule)
    return ColumnSettings(
        method=s.method, threshold=s.threshold, min_rows=s.min_rows, severity=s.severity,
        baseline=s.baseline, rule=rule_id,
    )


# ---------------------------------------------------------------------------- statistics
def psi(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray, epsilon: float = PSI_EPSILON) -> float:
    """Population stability index of shares ``q`` against reference shares ``p``."""
    pa_ = np.maximum(np.asarray(p, dtype=np.float64), epsilon)
    qa = np.maximum(np.asarray(q, dtype=np.float64), epsilon)
    return float(np.sum((qa - pa_) * np.log(qa / pa_)))


def js_distance(p: Sequence[float] | np.ndarray, q: Sequence[float] | np.ndarray) -> float:
    """Jensen–Shannon distance, base 2 (the square root of the divergence), in [0, 1]."""
    pa_ = np.asarray(p, dtype=np.float64)
    qa = np.asarray(q, dtype=np.float64)
    pa_ = pa_ / pa_.sum() if pa_.sum() > 0 else pa_
    qa = qa / qa.sum() if qa.sum() > 0 else qa
    m = 0.5 * (pa_ + qa)

    def kl(a: np.ndarray) -> float:
        mask = a > 0
        return float(np.sum(a[mask] * np.log2(a[mask] / m[mask])))

    div = 0.5 * kl(pa_) + 0.5 * kl(qa)
    return math.sqrt(max(div, 0.0))


def _chi2_homogeneity(table: np.ndarray) -> tuple[float, float, int]:
    """Pearson chi-square of a 2×k table (columns with no mass dropped): statistic, p-value, df."""
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2 or (table.sum(axis=1) <= 0).any():
        return 0.0, 1.0, 0
    total = table.sum()
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / total
    stat = float(np.sum((table - expected) ** 2 / expected))
    df = table.shape[1] - 1
    return stat, float(stats.chi2.sf(stat, df)), df


def _pool_rare(table: np.ndarray) -> np.ndarray:
    """Merge columns whose expected count is under MIN_EXPECTED into one, as the chi-square test needs."""
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return table
    total = table.sum()
    min_row = table.sum(axis=1).min()
    expected_min = min_row * table.sum(axis=0) / total
    rare = expected_min < MIN_EXPECTED
    if not rare.any():
        return table
    pooled: np.ndarray = table[:, rare].sum(axis=1, keepdims=True)
    kept = table[:, ~rare]
    if kept.shape[1] == 0:
        return pooled
    if min_row * pooled.sum() / total < MIN_EXPECTED:
        # still too small: add it to the smallest remaining column
        j = int(np.argmin(kept.sum(axis=0)))
        kept = kept.copy()
        kept[:, j] += pooled[:, 0]
        return kept
    return np.concatenate([kept, pooled], axis=1)


def _effective_size(prof: ColumnProfile, n: int) -> float:
    """Sample size after counting the sketch's rank error as extra noise: 1/n_eff = 1/n + ε²."""
    if prof.quantiles is None or not prof.quantiles.is_estimation_mode():
        return float(n)
    eps = prof.quantile_rank_error()
    return 1.0 / (1.0 / n + eps * eps)


def _n_bins(n_ref: float) -> int:
    """Quantile bins for a reference of ``n_ref`` values: N_BINS, fewer (one per 40 values, at least 4) when small."""
    return max(4, min(N_BINS, int(n_ref // 40)))


def numeric_statistics(ref: ColumnProfile, cur: ColumnProfile) -> tuple[dict[str, float], dict[str, Any]]:
    """Every numeric statistic of ``cur`` against ``ref`` (both with values), and the bins for plots."""
    assert ref.quantiles is not None and cur.quantiles is not None
    rq, cq = ref.quantiles, cur.quantiles
    bins = _n_bins(_effective_size(ref, ref.finite_count))
    inner = np.unique(np.asarray(rq.get_quantiles([i / bins for i in range(1, bins)]), dtype=np.float64))
    edges = inner.tolist()
    p = np.diff(np.concatenate([[0.0], rq.get_cdf(edges, True)]))
    q = np.diff(np.concatenate([[0.0], cq.get_cdf(edges, True)]))
    p, q = np.clip(p, 0.0, 1.0), np.clip(q, 0.0, 1.0)

    grid = np.linspace(0.0, 1.0, GRID_POINTS).tolist()
    pts = np.unique(np.concatenate([rq.get_quantiles(grid), cq.get_quantiles(grid)]))
    f_ref = np.asarray(rq.get_cdf(pts, True)[:-1])
    f_cur = np.asarray(cq.get_cdf(pts, True)[:-1])
    diff = np.abs(f_ref - f_cur)
    ks = float(diff.max()) if len(diff) else 0.0
    wasserstein = float(np.sum(diff[:-1] * np.diff(pts))) if len(pts) > 1 else 0.0
    scale = ref.std or cur.std or 0.0
    w_norm = wasserstein / scale if scale > 0 else (0.0 if wasserstein == 0 else math.inf)

    n_ref = _effective_size(ref, ref.finite_count)
    n_cur = _effective_size(cur, cur.finite_count)
    table = np.vstack([p * n_ref, q * n_cur])
    chi2_stat, chi2_p, df = _chi2_homogeneity(table)
    cramers_v = math.sqrt(chi2_stat / table.sum()) if table.sum() > 0 else 0.0
    statistics = {
        "psi": psi(p, q),
        "js_distance": js_distance(p, q),
        "wasserstein": wasserstein,
        "wasserstein_norm": w_norm,
        "ks_statistic": ks,
        "chi2_statistic": chi2_stat,
        "chi2_pvalue": chi2_p,
        "chi2_df": float(df),
        "cramers_v": cramers_v,
        "mean_reference": float(ref.mean) if ref.mean is not None else math.nan,
        "mean_current": float(cur.mean) if cur.mean is not None else math.nan,
        "std_reference": float(ref.std) if ref.std is not None else math.nan,
        "std_current": float(cur.std) if cur.std is not None else math.nan,
    }
    lo = float(ref.min if cur.min is None else min(ref.min, cur.min))
    hi = float(ref.max if cur.max is None else max(ref.max, cur.max))
    plot = {"type": "bins", "edges": [lo, *edges, hi], "reference": p.tolist(), "current": q.tolist()}
    return statistics, plot


def _shares(prof: ColumnProfile) -> dict[Any, int]:
    counts = dict(prof.top or {})
    if prof.other:
        counts[OTHER] = counts.get(OTHER, 0) + prof.other
    return counts


def categorical_statistics(ref: ColumnProfile, cur: ColumnProfile) -> tuple[dict[str, float], dict[str, Any]]:
    """Every categorical statistic of ``cur`` against ``ref``, and the bars for plots."""
    rc, cc = _shares(ref), _shares(cur)
    keys = sorted(set(rc) | set(cc), key=lambda k: (-(rc.get(k, 0) + cc.get(k, 0)), str(k)))
    r = np.array([rc.get(k, 0) for k in keys], dtype=np.float64)
    c = np.array([cc.get(k, 0) for k in keys], dtype=np.float64)
    p = r / r.sum() if r.sum() else r
    q = c / c.sum() if c.sum() else c
    pooled = _pool_rare(np.vstack([r, c]))
    chi2_stat, chi2_p, df = _chi2_homogeneity(pooled)
    total = pooled.sum()
    statistics = {
        "js_distance": js_distance(p, q),
        "psi": psi(p, q),
        "chi2_statistic": chi2_stat,
        "chi2_pvalue": chi2_p,
        "chi2_df": float(df),
        "cramers_v": math.sqrt(chi2_stat / total) if total else 0.0,
    }
    shown = keys[:20]
    rest_p, rest_q = float(p[20:].sum()), float(q[20:].sum())
    labels = [str(k) for k in shown] + (["(the rest)"] if len(keys) > 20 else [])
    plot = {
        "type": "bars",
        "labels": labels,
        "reference": [*p[:20].tolist(), *([rest_p] if len(keys) > 20 else [])],
        "current": [*q[:20].tolist(), *([rest_q] if len(keys) > 20 else [])],
    }
    return statistics, plot


def _score(method: str, statistics: Mapping[str, float]) -> float:
    key = {"ks": "ks_statistic", "chi2": "cramers_v"}.get(method, method)
    return float(statistics[key])


def _new_and_vanished(ref: ColumnProfile, cur: ColumnProfile, alpha: float) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Categories that appeared or vanished, each only when chance cannot explain it at level ``alpha``.

    A category with share s in one side is absent from a sample of m values of the other with
    probability (1−s)^m ≤ exp(−s·m); it is reported when exp(−s·m) < alpha, s ≥ NEW_CATEGORY_MIN_SHARE
    and it has at least MIN_EXPECTED values. A side whose top values overflowed cannot say a value is absent.
    """
    new: list[dict[str, Any]] = []
    vanished: list[dict[str, Any]] = []
    limit = -math.log(alpha)
    rtop, ctop = ref.top or {}, cur.top or {}
    if ref.top_exact and cur.count:
        for value, count in ctop.items():
            share = count / cur.count
            if value not in rtop and share >= NEW_CATEGORY_MIN_SHARE and count >= MIN_EXPECTED and share * ref.count > limit:
                new.append({"value": value, "share": share, "count": count})
    if cur.top_exact and ref.count:
        for value, count in rtop.items():
            share = count / ref.count
            if value not in ctop and share >= NEW_CATEGORY_MIN_SHARE and count >= MIN_EXPECTED and share * cur.count > limit:
                vanished.append({"value": value, "share": share, "count": count})
    new.sort(key=lambda d: (-d["share"], str(d["value"])))
    vanished.sort(key=lambda d: (-d["share"], str(d["value"])))
    return new, vanished


def _null_share_drifted(ref: ColumnProfile, cur: ColumnProfile, alpha: float) -> tuple[bool, float]:
    """Two-proportion z-test on the null shares; drifted when p < alpha and the change ≥ NULL_SHARE_MIN_CHANGE."""
    n1, n2 = ref.count + ref.nulls, cur.count + cur.nulls
    if not n1 or not n2:
        return False, 1.0
    p1, p2 = ref.nulls / n1, cur.nulls / n2
    pooled = (ref.nulls + cur.nulls) / (n1 + n2)
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    if se == 0:
        return (p1 != p2 and abs(p1 - p2) >= NULL_SHARE_MIN_CHANGE), (0.0 if p1 != p2 else 1.0)
    pvalue = float(2 * stats.norm.sf(abs(p1 - p2) / se))
    return (pvalue < alpha and abs(p1 - p2) >= NULL_SHARE_MIN_CHANGE), pvalue


# ---------------------------------------------------------------------------- verdicts
@dataclass(frozen=True)
class ColumnDrift:
    """The drift verdict of one column and every statistic behind it (docs/drift.md: the JSON shape)."""

    column: str
    kind: str
    method: str
    score: float | None
    threshold: float
    drifted: bool
    severity: str
    reason: str
    statistics: dict[str, float] = field(default_factory=dict)
    reference_rows: int = 0
    current_rows: int = 0
    reference_values: int = 0
    current_values: int = 0
    null_share_reference: float = 0.0
    null_share_current: float = 0.0
    null_share_drifted: bool = False
    null_share_pvalue: float = 1.0
    new_categories: tuple[dict[str, Any], ...] = ()
    vanished_categories: tuple[dict[str, Any], ...] = ()
    min_rows: int = DEFAULT_MIN_ROWS
    rule: str | None = None
    plot: dict[str, Any] | None = None

    @property
    def findings(self) -> tuple[str, ...]:
        """Reason codes of everything found on this column (empty when it is stable)."""
        out: list[str] = []
        if self.drifted:
            out.append("drift_detected")
        if self.null_share_drifted:
            out.append("null_share_drifted")
        if self.new_categories:
            out.append("new_category")
        if self.vanished_categories:
            out.append("vanished_category")
        return tuple(out)

    def to_dict(self, *, plot: bool = False) -> dict[str, Any]:
        d: dict[str, Any] = {
            "column": self.column,
            "kind": self.kind,
            "method": self.method,
            "score": _finite(self.score),
            "threshold": self.threshold,
            "drifted": self.drifted,
            "severity": self.severity,
            "reason": self.reason,
            "findings": list(self.findings),
            "rule": self.rule,
            "statistics": {k: _finite(v) for k, v in self.statistics.items()},
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "reference_values": self.reference_values,
            "current_values": self.current_values,
            "min_rows": self.min_rows,
            "null_share_reference": self.null_share_reference,
            "null_share_current": self.null_share_current,
            "null_share_drifted": self.null_share_drifted,
            "new_categories": [dict(c) for c in self.new_categories],
            "vanished_categories": [dict(c) for c in self.vanished_categories],
        }
        if plot:
            d["plot"] = self.plot
        return d


def _finite(v: float | None) -> float | None:
    if v is None or not math.isfinite(v):
        return None
    return float(v)


def compare_columns(
    ref: ColumnProfile | None,
    cur: ColumnProfile | None,
    settings: ColumnSettings | None = None,
    *,
    reference_rows: int = 0,
    current_rows: int = 0,
    alpha: float = ALPHA,
    column: str | None = None,
) -> ColumnDrift:
    """Judge one column: statistics, the verdict, and the null-share and category findings."""
    settings = settings or ColumnSettings()
    name = column or (cur.name if cur is not None else ref.name if ref is not None else "?")
    kind = (cur or ref).kind if (cur or ref) is not None else "other"  # type: ignore[union-attr]
    method, threshold, min_rows = settings.resolved(kind if kind in DEFAULT_METHOD else "numeric")
    base: dict[str, Any] = {
        "column": name, "kind": kind, "method": method, "threshold": threshold, "severity": settings.severity,
        "reference_rows": reference_rows, "current_rows": current_rows, "min_rows": min_rows, "rule": settings.rule,
    }
    if ref is None or cur is None:
        return ColumnDrift(score=None, drifted=False, reason="column_missing", **base)
    if ref.kind != cur.kind:
        return ColumnDrift(score=None, drifted=False, reason="type_changed", **base)
    null_drift, null_p = _null_share_drifted(ref, cur, alpha)
    base.update(
        reference_values=ref.count, current_values=cur.count, null_share_reference=ref.null_share,
        null_share_current=cur.null_share, null_share_drifted=null_drift, null_share_pvalue=null_p,
    )
    if kind == "other":
        return ColumnDrift(score=None, drifted=False, reason="unsupported_column", **base)
    numeric = kind in ("numeric", "temporal")
    n_ref = ref.finite_count if numeric else ref.count
    n_cur = cur.finite_count if numeric else cur.count
    if n_ref < min_rows or n_cur < min_rows:
        return ColumnDrift(score=None, drifted=False, reason="insufficient_rows", **base)
    if numeric:
        statistics, plot = numeric_statistics(ref, cur)
        new: list[dict[str, Any]] = []
        vanished: list[dict[str, Any]] = []
    else:
        statistics, plot = categorical_statistics(ref, cur)
        new, vanished = _new_and_vanished(ref, cur, alpha)
    score = _score(method, statistics)
    drifted = score > threshold and statistics["chi2_pvalue"] < alpha
    return ColumnDrift(
        score=score, drifted=drifted, reason="drift_detected" if drifted else "no_drift", statistics=statistics,
        new_categories=tuple(new), vanished_categories=tuple(vanished), plot=plot, **base,
    )


@dataclass(frozen=True)
class DatasetDrift:
    """Every column's verdict for one dataset, plus the row-count finding."""

    dataset: str
    columns: tuple[ColumnDrift, ...]
    reference_rows: int
    current_rows: int
    baseline_runs: int | None = None
    row_count_changed: bool = False

    @property
    def drifted(self) -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.columns if c.findings)

    def blocking(self, severity: str = "error") -> tuple[ColumnDrift, ...]:
        return tuple(c for c in self.columns if c.findings and c.severity == severity)

    def to_dict(self, *, plot: bool = False) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "reference_rows": self.reference_rows,
            "current_rows": self.current_rows,
            "baseline_runs": self.baseline_runs,
            "row_count_changed": self.row_count_changed,
            "columns": [c.to_dict(plot=plot) for c in self.columns],
        }


def _column_settings(obj: Any) -> dict[str, ColumnSettings]:
    """Per column name, the settings of its drift rule (the first one when a column has several)."""
    from contracts.pactline import drift_rules

    out: dict[str, ColumnSettings] = {}
    for prop, rule in drift_rules(obj):
        name = prop.name or prop.physical_name
        if name and name not in out:
            out[name] = rule_settings(rule, _rule_id(obj, prop, rule))
    return out


def _all_rule_settings(obj: Any) -> list[tuple[str, ColumnSettings]]:
    """Every drift rule of a dataset, in contract order, with the column it watches."""
    from contracts.pactline import drift_rules

    return [(str(prop.name or prop.physical_name), rule_settings(rule, _rule_id(obj, prop, rule)))
            for prop, rule in drift_rules(obj) if prop.name or prop.physical_name]


def _row_count_changed(reference_rows: int, current_rows: int, baseline_runs: int | None) -> bool:
    if not baseline_runs or not reference_rows:
        return False
    ratio = current_rows / (reference_rows / baseline_runs)
    return ratio > ROW_COUNT_MAX_RATIO or ratio < 1 / ROW_COUNT_MAX_RATIO


def _rule_id(obj: Any, prop: Any, rule: Any) -> str:
    if getattr(rule, "id", None):
        return str(rule.id)
    index = list(prop.quality or ()).index(rule)
    return f"{obj.qualified_name}.{prop.name}.quality[{index}]"


def _judged_by_default(ref: ColumnProfile, prop: Any) -> bool:
    """Whether a column without a drift rule is judged at all.

    Not: temporal columns (they move with time), binary/nested ones, identifiers (``unique`` or
    ``primaryKey`` in the contract) and identifier-like text (more distinct values than half its
    values, or more than the profile keeps): their "distribution" is not meant to stay put.
    """
    if ref.kind in ("temporal", "other"):
        return False
    if prop is not None and (prop.unique or prop.primary_key):
        return False
    if ref.kind == "categorical":
        distinct = ref.distinct_estimate() or 0.0
        if not ref.top_exact or distinct > 0.5 * max(ref.count, 1):
            return False
    return True


def compare_profiles(
    reference: DatasetProfile,
    current: DatasetProfile,
    obj: Any = None,
    *,
    dataset: str | None = None,
    baseline_runs: int | None = None,
    only_rules: bool = False,
    alpha: float = ALPHA,
) -> DatasetDrift:
    """Judge every column of a dataset.

    Columns with a drift rule in ``obj`` (a contract's schema object) use its settings and
    severity; other columns use the defaults at severity ``info`` (reported, never blocking),
    except those ``_judged_by_default`` leaves out (temporal, identifiers, identifier-like text),
    which are judged only under a rule.
    ``only_rules`` judges the ruled columns alone (what ingest does).
    """
    ruled = _column_settings(obj) if obj is not None else {}
    names = list(current.columns) + [c for c in reference.columns if c not in current.columns]
    if obj is not None:
        declared = [p.name for p in obj.columns if p.name]
        names = declared + [n for n in names if n not in declared]
    columns: list[ColumnDrift] = []
    for name in names:
        settings = ruled.get(name)
        ref, cur = reference.columns.get(name), current.columns.get(name)
        if settings is None:
            prop = obj.column(name) if obj is not None else None
            if only_rules or ref is None or cur is None or not _judged_by_default(ref, prop):
                continue
            settings = ColumnSettings(severity="info")
        columns.append(
            compare_columns(
                ref, cur, settings, reference_rows=reference.rows, current_rows=current.rows, alpha=alpha, column=name
            )
        )
    changed = _row_count_changed(reference.rows, current.rows, baseline_runs)
    name = dataset or (obj.qualified_name if obj is not None else "dataset")
    return DatasetDrift(name, tuple(columns), reference.rows, current.rows, baseline_runs, changed)


# ---------------------------------------------------------------------------- ingest
def drift_results(
    contract: Any,
    obj: Any,
    baseline: DatasetProfile | None,
    current: DatasetProfile,
    *,
    baseline_runs: int | None = None,
) -> list[RuleResult]:
    """The drift rules of one dataset as rule results (kind ``drift``), for ``checks.validate``.

    One result per drift rule for the values (``drift_detected`` / ``no_drift`` /
    ``insufficient_rows`` / ``no_baseline`` / ``column_missing`` / ``type_changed``), plus one per
    further finding on that column (``null_share_drifted``, ``new_category``, ``vanished_category``),
    and ``row_count_changed`` (warning) when ``baseline_runs`` is given and the batch's size is off.
    """
    del contract  # settings live on the schema object; kept for the agreed signature
    ruled = _all_rule_settings(obj)
    if baseline is None:
        return [
            RuleResult(rule=s.rule or name, reason="no_baseline", kind="drift", column=name, severity=s.severity,
                       passed=True, message=f"no baseline for {obj.qualified_name} yet; drift of {name} not judged")
            for name, s in ruled
        ]
    columns = [
        compare_columns(baseline.columns.get(name), current.columns.get(name), s, reference_rows=baseline.rows,
                        current_rows=current.rows, column=name)
        for name, s in ruled
    ]
    verdict = DatasetDrift(obj.qualified_name, tuple(columns), baseline.rows, current.rows, baseline_runs,
                           _row_count_changed(baseline.rows, current.rows, baseline_runs))
    results: list[RuleResult] = []
    for col in verdict.columns:
        rule = col.rule or col.column
        threshold = {"method": col.method, "threshold": col.threshold, "alpha": ALPHA}
        observed = {"score": _finite(col.score), "chi2_pvalue": _finite(col.statistics.get("chi2_pvalue"))}
        results.append(
            RuleResult(
                rule=rule, reason=col.reason, kind="drift", column=col.column, severity=col.severity,
                passed=not col.drifted, observed=observed, threshold=threshold, failed_rows=0,
                message=_message(col),
            )
        )
        if col.null_share_drifted:
            results.append(
                RuleResult(
                    rule=rule, reason="null_share_drifted", kind="drift", column=col.column, severity=col.severity,
                    passed=False,
                    observed={"null_share_reference": col.null_share_reference, "null_share_current": col.null_share_current},
                    threshold={"min_change": NULL_SHARE_MIN_CHANGE, "alpha": ALPHA},
                    message=(f"{col.column}: null share went from {col.null_share_reference:.2%} to "
                             f"{col.null_share_current:.2%} (a completeness change, judged apart from the values)"),
                )
            )
        for reason, cats in (("new_category", col.new_categories), ("vanished_category", col.vanished_categories)):
            for cat in cats:
                results.append(
                    RuleResult(
                        rule=rule, reason=reason, kind="drift", column=col.column, severity=col.severity, passed=False,
                        observed={"value": cat["value"], "share": cat["share"], "count": cat["count"]},
                        threshold={"min_share": NEW_CATEGORY_MIN_SHARE, "alpha": ALPHA},
                        message=f"{col.column}: category {cat['value']!r} {reason.split('_')[0]} "
                        f"(share {cat['share']:.2%})",
                    )
                )
    if verdict.row_count_changed:
        results.append(
            RuleResult(
                rule=f"{obj.qualified_name}.row_count_drift", reason="row_count_changed", kind="drift", column=None,
                severity="warning", passed=False,
                observed={"rows": current.rows, "baseline_rows_per_run": baseline.rows / (baseline_runs or 1)},
                threshold={"max_ratio": ROW_COUNT_MAX_RATIO},
                message=f"{current.rows} rows against about {baseline.rows / (baseline_runs or 1):.0f} per baseline run",
            )
        )
    return results


def _message(col: ColumnDrift) -> str:
    if col.reason == "drift_detected":
        return (f"{col.column}: {col.method} {col.score:.4g} above threshold {col.threshold:g} "
                f"(chi-square p={col.statistics.get('chi2_pvalue', 1.0):.2g}); compare with `pactline drift compare`")
    if col.reason == "no_drift":
        return f"{col.column}: {col.method} {col.score:.4g} (threshold {col.threshold:g})"
    if col.reason == "insufficient_rows":
        return (f"{col.column}: {col.reference_values} baseline and {col.current_values} current values, fewer than "
                f"minRows {col.min_rows}; drift not judged")
    return f"{col.column}: {REASONS.get(col.reason, col.reason)}"
