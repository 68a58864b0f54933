"""Calibration of the drift verdict: false alarms on unchanged data, detection of real shifts.

Run: ``.venv/bin/python bench/drift_calibration.py [--quick] [--seed N]``

What it does
- For every data family and size n in 100 … 10 M it builds a *pool* of K independent profiles,
  each of n freshly generated rows, profiled with ``checks.profile`` exactly as ingest does
  (generated in chunks of at most 1 M rows fed to one profile, so a 10 M-row profile is
  one pass over 10 M generated rows, not a copy).
- A trial compares two profiles with ``checks.drift.compare_columns`` at the defaults
  (numeric: psi 0.03; categorical: js_distance 0.05; alpha 1e-4). Unequal sizes compare
  10n with n, both ways (reference larger and reference smaller).
- Up to 10 k rows every trial has its own freshly generated pair (independent trials,
  ``--cap`` of them per cell). From 100 k rows up, pools are reused: K profiles per family
  and size (24 at 100 k, 20 at 1 M, 12 at 10 M) and every pair of them is a trial, so trials
  share profiles (the rate is unbiased but noisier than the trial count suggests; at 10 M
  that is 66 pairs of 12 independent 10 M-row profiles per family).
- A false alarm is ANY finding on unchanged data (value drift, null share, new or vanished
  category). A detection is value drift (or, for the new-category case, either finding).
- Peers measured on the same pairs: "psi>0.1 only" (a fixed effect threshold without the
  noise gate, the common rule of thumb) and "p<alpha only" (a significance test alone, at the
  same alpha, taking the row counts at face value as a classic test does). The last two columns
  show why the verdict needs both an effect threshold and a noise gate that knows the sketch error.
"""

from __future__ import annotations

import argparse
import itertools
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks.drift import ALPHA, ColumnDrift, _chi2_homogeneity, compare_columns
from checks.profile import ColumnProfile

CHUNK = 1_000_000
CATS = pa.array(["DE", "FR", "US", "GB", "CH", "LU", "NEW"])
P0 = np.array([0.40, 0.25, 0.20, 0.10, 0.045, 0.005, 0.0])
P_SHARE = np.concatenate([[0.50], P0[1:6] * (0.50 / 0.60), [0.0]])  # first category +10 points
P_NEW = np.concatenate([P0[:6] * 0.98, [0.02]])  # a new category with 2 % share

Gen = Callable[[np.random.Generator, int], pa.Array]


def _cat(p: np.ndarray) -> Gen:
    def gen(rng: np.random.Generator, n: int) -> pa.Array:
        idx = rng.choice(len(p), size=n, p=p / p.sum()).astype(np.int8)
        return pa.DictionaryArray.from_arrays(pa.array(idx), CATS)

    return gen


FAMILIES: dict[str, tuple[str, Gen]] = {
    "normal": ("numeric", lambda rng, n: pa.array(rng.normal(0.0, 1.0, n))),
    "normal_mean+0.25sd": ("numeric", lambda rng, n: pa.array(rng.normal(0.25, 1.0, n))),
    "normal_var*1.5": ("numeric", lambda rng, n: pa.array(rng.normal(0.0, math.sqrt(1.5), n))),
    "normal_mean+0.02sd": ("numeric", lambda rng, n: pa.array(rng.normal(0.02, 1.0, n))),
    "lognormal": ("numeric", lambda rng, n: pa.array(rng.lognormal(0.0, 1.0, n))),
    "poisson3": ("numeric", lambda rng, n: pa.array(rng.poisson(3.0, n).astype(np.int64))),
    "categorical": ("categorical", _cat(P0)),
    "cat_share+10pt": ("categorical", _cat(P_SHARE)),
    "cat_new_2pct": ("categorical", _cat(P_NEW)),
}
NULL_CASES = ["normal", "lognormal", "poisson3", "categorical"]
SHIFT_CASES = [
    ("normal", "normal_mean+0.25sd", "mean +0.25 sd"),
    ("normal", "normal_var*1.5", "variance x1.5"),
    ("categorical", "cat_share+10pt", "share +10 points"),
    ("categorical", "cat_new_2pct", "new category 2 %"),
]
TINY_CASE = ("normal", "normal_mean+0.02sd", "mean +0.02 sd (negligible)")


def _profile(kind: str, gen: Gen, rng: np.random.Generator, n: int) -> ColumnProfile:
    prof = ColumnProfile("x", kind)
    left = n
    while left:
        k = min(left, CHUNK)
        prof.update(gen(rng, k))
        left -= k
    return prof


class Pools:
    def __init__(self, sizes: dict[int, int], seed: int, cap: int) -> None:
        self.sizes = {n: (2 * cap if n <= FRESH_UP_TO else k) for n, k in sizes.items()}
        self.seed = seed
        self.cache: dict[tuple[str, int], list[ColumnProfile]] = {}

    def get(self, family: str, n: int) -> list[ColumnProfile]:
        key = (family, n)
        if key not in self.cache:
            kind, gen = FAMILIES[family]
            rng = np.random.default_rng([self.seed, list(FAMILIES).index(family), n])
            self.cache[key] = [_profile(kind, gen, rng, n) for _ in range(self.sizes[n])]
        return self.cache[key]


FRESH_UP_TO = 10_000


Pair = tuple[ColumnProfile, ColumnProfile]


def _pairs(a: list[ColumnProfile], b: list[ColumnProfile] | None, cap: int, rng: np.random.Generator) -> list[Pair]:
    fresh_a = len(a) >= 2 * cap
    if b is None:
        pairs = [(2 * i, 2 * i + 1) for i in range(cap)] if fresh_a else list(
            itertools.combinations(range(len(a)), 2))
    elif fresh_a and len(b) >= 2 * cap:
        pairs = [(i, i) for i in range(cap)]  # disjoint, independent pairs
    else:
        pairs = list(itertools.product(range(len(a)), range(len(b))))
    if len(pairs) > cap:
        chosen = rng.choice(len(pairs), size=cap, replace=False)
        pairs = [pairs[i] for i in sorted(chosen)]
    other = a if b is None else b
    return [(a[i], other[j]) for i, j in pairs]


def _raw_pvalue(ref: ColumnProfile, cur: ColumnProfile, d: ColumnDrift) -> float:
    """The gate's chi-square p-value taking the row counts at face value (no sketch-error term)."""
    if d.plot is None:
        return 1.0
    if d.plot["type"] == "bars":
        return float(d.statistics["chi2_pvalue"])
    table = np.vstack([np.array(d.plot["reference"]) * ref.finite_count, np.array(d.plot["current"]) * cur.finite_count])
    return _chi2_homogeneity(table)[1]


def _rates(pairs: list[Pair], expect: str | None) -> tuple[float, float, float, float]:
    """(pactline rate, psi>0.1-only rate, p<alpha-only rate, highest score/threshold); a hit is any
    finding, or the expected one."""
    ours = peer_threshold = peer_test = 0
    margin = 0.0
    for ref, cur in pairs:
        d = compare_columns(ref, cur)
        if d.score is not None:
            margin = max(margin, d.score / d.threshold)
        if expect is None:
            hit = bool(d.findings)
        elif expect == "new_category":
            hit = d.drifted or bool(d.new_categories)
        else:
            hit = d.drifted
        ours += hit
        peer_threshold += d.statistics.get("psi", 0.0) > 0.1
        peer_test += _raw_pvalue(ref, cur, d) < ALPHA
    n = len(pairs)
    return ours / n, peer_threshold / n, peer_test / n, margin


def _upper95(rate: float, n: int) -> float:
    """Wilson 95 % upper bound of a proportion."""
    z = 1.96
    centre = rate + z * z / (2 * n)
    half = z * math.sqrt(rate * (1 - rate) / n + z * z / (4 * n * n))
    return (centre + half) / (1 + z * z / n)


def _label(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sizes up to 100k only, smaller pools")
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--cap", type=int, default=800, help="most trials per cell")
    args = ap.parse_args(argv)
    sizes = {100: 80, 1_000: 60, 10_000: 40, 100_000: 24, 1_000_000: 20, 10_000_000: 12}
    if args.quick:
        sizes = {100: 40, 1_000: 30, 10_000: 16, 100_000: 8}
    pools = Pools(sizes, args.seed, args.cap)
    rng = np.random.default_rng(args.seed)
    ns = sorted(sizes)
    t0 = time.perf_counter()

    header = f"{'case':<28} {'reference':>9} {'current':>9} {'trials':>6} {'pactline':>9} {'(95% ub)':>8} " \
             f"{'psi>0.1 only':>12} {'p<a only':>11}"
    print("FALSE ALARMS on unchanged data (any finding counts); target <= 1 % per column")
    print("(max s/t: the highest score / threshold seen in the cell; below 1 the effect test alone never fires)")
    print(header + f" {'max s/t':>9}")
    worst_fa = 0.0
    for family in NULL_CASES:
        for n in ns:
            cells = [(n, n, _pairs(pools.get(family, n), None, args.cap, rng))]
            if n * 10 in sizes:
                big, small = pools.get(family, n * 10), pools.get(family, n)
                cells.append((n * 10, n, _pairs(big, small, args.cap, rng)))
                cells.append((n, n * 10, _pairs(small, big, args.cap, rng)))
            for nr, nc, pairs in cells:
                ours, thr, test, margin = _rates(pairs, None)
                worst_fa = max(worst_fa, ours)
                print(f"{family:<28} {_label(nr):>9} {_label(nc):>9} {len(pairs):>6} {ours:>9.2%} "
                      f"{_upper95(ours, len(pairs)):>8.2%} {thr:>12.2%} {test:>11.2%} {margin:>9.2f}")
    print()
    print("DETECTION of real shifts (value drift; new category: either finding); target >= 95 % from 10k rows")
    print(header)
    worst_det = 1.0
    for base, shifted, label in [*SHIFT_CASES, TINY_CASE]:
        for n in ns:
            if n < 10_000 and (base, shifted, label) != TINY_CASE:
                continue
            expect = "new_category" if shifted == "cat_new_2pct" else "drift"
            cells = [(n, n, _pairs(pools.get(base, n), pools.get(shifted, n), args.cap, rng))]
            if n * 10 in sizes:
                cells.append((n * 10, n, _pairs(pools.get(base, n * 10), pools.get(shifted, n), args.cap, rng)))
                cells.append((n, n * 10, _pairs(pools.get(base, n), pools.get(shifted, n * 10), args.cap, rng)))
            for nr, nc, pairs in cells:
                ours, thr, test, _ = _rates(pairs, expect)
                if (base, shifted, label) != TINY_CASE:
                    worst_det = min(worst_det, ours)
                print(f"{label:<28} {_label(nr):>9} {_label(nc):>9} {len(pairs):>6} {ours:>9.2%} {'':>8} "
                      f"{thr:>12.2%} {test:>11.2%}")
    print()
    print(f"worst false-alarm rate: {worst_fa:.2%} (target <= 1 %); worst detection from 10k: {worst_det:.2%} "
          f"(target >= 95 %); {time.perf_counter() - t0:.0f} s")
    return 0 if worst_fa <= 0.01 and worst_det >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
