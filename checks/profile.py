"""Mergeable per-column profiles: one pass over Arrow batches, combined by ``merge``.

``profile(A + B) == profile(A).merge(profile(B))``:

- exactly for ``rows``, ``count`` (non-null values), ``nulls``, ``non_finite`` (NaN and ±inf
  among the non-null floats), ``min``, ``max``, and the top-value counts while a column has
  at most ``top_bound`` distinct values;
- to float rounding for ``mean`` and ``m2`` (sum of squared deviations; Chan et al.'s
  parallel formulas), hence ``variance``;
- within the sketches' stated error for quantiles (``checks.quantiles.QuantileSketch``, ``k=256``:
  rank error ``quantile_rank_error()`` ~1.2 % at 99 % confidence) and distinct counts
  (``checks.sketches.HyperLogLog``, p=12: 1.6 % standard error). The HyperLogLog registers
  themselves merge bit for bit.

Column kinds: ``numeric`` (integers, floats, decimals), ``temporal`` (timestamps, dates, times,
durations; profiled as epoch **seconds**, float64), ``categorical`` (strings, booleans,
dictionaries) and ``other`` (binary, nested: counts and nulls only). Numeric and temporal
columns carry moments and a quantile sketch over their finite values; categorical columns
carry top values (at most ``top_bound`` exact counts, the rest summed into ``other``). Every
kind but ``other`` carries a HyperLogLog.

Updates are vectorised over the whole Arrow array (pyarrow.compute and numpy), with no Python loop
over values: during a pass the top values are an Arrow array and a count array (``top`` reads them
as the dict), and a dictionary-encoded column's dictionary is hashed and ranked once for all the
batches that share it. Past 64 Ki values a column's quantile sketch looks only at the rows a
``RowSampler`` picks (shared by every column of a batch), so the per-value cost of a numeric column
is its moments and its HyperLogLog hashes. Per-batch temporaries use ``checks.sketches.scratch``.
"""

from __future__ import annotations

import base64
import math
import operator
from collections.abc import Iterable
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from checks.quantiles import DEFAULT_K, QuantileSketch, RowSampler
from checks.sketches import HyperLogLog, hash_float64, hash_strings, scratch

__all__ = [
    "DEFAULT_QUANTILE_K",
    "DEFAULT_TOP_BOUND",
    "KINDS",
    "ColumnProfile",
    "DatasetProfile",
    "column_kind",
    "profile_table",
    "to_numbers",
]

DEFAULT_QUANTILE_K = DEFAULT_K
DEFAULT_TOP_BOUND = 1000
_SMALL_TOP = 64  # top values kept in a dict while there are at most this many (else as arrays)
DEFAULT_HLL_P = 12
KINDS = ("numeric", "temporal", "categorical", "other")
_EXACT = float(2**53)  # integers below this are exact in float64
_SECONDS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9}


def column_kind(t: pa.DataType) -> str:
    """The profile kind of an Arrow type."""
    if pa.types.is_dictionary(t):
        return column_kind(t.value_type)
    if pa.types.is_boolean(t) or pa.types.is_string(t) or pa.types.is_large_string(t) or _is_string_view(t):
        return "categorical"
    if pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t):
        return "numeric"
    if pa.types.is_temporal(t):
        return "temporal"
    return "other"


def _is_string_view(t: pa.DataType) -> bool:
    return bool(getattr(pa.types, "is_string_view", lambda _t: False)(t))


def to_numbers(arr: pa.Array) -> np.ndarray:
    """Non-null values of a numeric or temporal array as float64 (temporal: epoch seconds)."""
    return _numbers(arr, None)


def _numbers(arr: pa.Array, tag: str | None) -> np.ndarray:
    """``to_numbers``; with a ``tag``, integers and times are converted into that scratch space."""
    t = arr.type
    if pa.types.is_dictionary(t):
        arr = arr.dictionary_decode()
        t = arr.type
    arr = arr.drop_null() if arr.null_count else arr
    if pa.types.is_integer(t):  # numpy converts in one copy, and the copy is writeable (the sketch needs that)
        ints: np.ndarray = arr.to_numpy(zero_copy_only=False)
        if tag is None:
            return ints.astype(np.float64)
        out = scratch(tag, len(ints), np.float64)
        np.copyto(out, ints, casting="unsafe")
        return out
    if pa.types.is_floating(t) or pa.types.is_decimal(t):
        return np.asarray(arr.cast(pa.float64(), safe=False).to_numpy(zero_copy_only=False), dtype=np.float64)
    if pa.types.is_timestamp(t) or pa.types.is_duration(t) or pa.types.is_time(t):
        raw: np.ndarray = arr.cast(pa.int64()).to_numpy(zero_copy_only=False)
        if tag is None:
            return np.asarray(raw, dtype=np.float64) * _SECONDS[t.unit]
        seconds = scratch(tag, len(raw), np.float64)
        np.multiply(raw, _SECONDS[t.unit], out=seconds)
        return seconds
    if pa.types.is_date32(t):
        return np.asarray(arr.cast(pa.int32()).to_numpy(zero_copy_only=False), dtype=np.float64) * 86400.0
    if pa.types.is_date64(t):
        return np.asarray(arr.cast(pa.int64()).to_numpy(zero_copy_only=False), dtype=np.float64) * 1e-3
    raise TypeError(f"{t} is neither numeric nor temporal")


def _json_scalar(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


class ColumnProfile:
    """The profile of one column; mutable through ``update`` during a pass, ``merge`` returns a new one."""

    __slots__ = (
        "_dictionary", "_top", "_top_counts", "_top_keys", "count", "hll", "kind", "m2", "max", "mean", "min",
        "name", "non_finite", "nulls", "other", "quantiles", "top_bound", "type",
    )

    def __init__(
        self,
        name: str,
        kind: str,
        type: str = "",
        *,
        quantile_k: int = DEFAULT_QUANTILE_K,
        top_bound: int = DEFAULT_TOP_BOUND,
        hll_p: int = DEFAULT_HLL_P,
    ) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown column kind {kind!r}; expected one of {', '.join(KINDS)}")
        self.name = name
        self.kind = kind
        self.type = type
        self.count = 0
        self.nulls = 0
        self.non_finite = 0
        self.min: Any = None
        self.max: Any = None
        self.mean: float | None = None
        self.m2 = 0.0
        numeric = kind in ("numeric", "temporal")
        self.quantiles: QuantileSketch | None = QuantileSketch(quantile_k) if numeric else None
        self.hll: HyperLogLog | None = HyperLogLog(hll_p) if kind != "other" else None
        self._top: dict[Any, int] | None = {} if kind == "categorical" else None
        # During a pass the top values live as an Arrow array and a numpy count array (same order as
        # the dict); ``top`` turns them back into the dict when read.
        self._top_keys: pa.Array | None = None
        self._top_counts: np.ndarray | None = None
        self._dictionary: _DictionaryFacts | None = None  # the last dictionary seen, studied once
        self.other = 0
        self.top_bound = top_bound

    @property
    def top(self) -> dict[Any, int] | None:
        """Top values and their counts, largest first once trimmed (ties in first-seen order)."""
        if self._top_keys is not None:
            assert self._top_counts is not None
            self._top = dict(zip(self._top_keys.to_pylist(), self._top_counts.tolist(), strict=True))
            self._top_keys = self._top_counts = None
        return self._top

    @top.setter
    def top(self, value: dict[Any, int] | None) -> None:
        self._top = value
        self._top_keys = self._top_counts = None

    # ------------------------------------------------------------------ derived values
    @property
    def finite_count(self) -> int:
        """Values that enter the moments and the quantile sketch (non-null, not NaN/±inf)."""
        return self.count - self.non_finite

    @property
    def variance(self) -> float | None:
        """Sample variance (ddof=1) of the finite values; ``None`` below two values."""
        n = self.finite_count
        return self.m2 / (n - 1) if n >= 2 else None

    @property
    def std(self) -> float | None:
        v = self.variance
        return math.sqrt(v) if v is not None else None

    @property
    def null_share(self) -> float:
        total = self.count + self.nulls
        return self.nulls / total if total else 0.0

    @property
    def top_exact(self) -> bool:
        """True while every distinct value is counted exactly (nothing went to ``other``)."""
        return self.other == 0

    def quantile(self, q: float) -> float | None:
        if self.quantiles is None or self.quantiles.is_empty():
            return None
        return self.quantiles.get_quantile(q)

    def quantile_rank_error(self) -> float:
        """The quantile sketch's normalised rank error bound (99 % confidence; 0 while exact)."""
        return self.quantiles.normalized_rank_error() if self.quantiles is not None else 0.0

    def distinct_estimate(self) -> float | None:
        if self.top is not None and self.top_exact:
            return float(len(self.top))
        return self.hll.estimate() if self.hll is not None else None

    # ------------------------------------------------------------------ the pass
    def update(self, arr: pa.Array | pa.ChunkedArray, sampler: RowSampler | None = None) -> None:
        """Add the values of one Arrow array (a column of one batch). Vectorised.

        ``sampler`` picks the rows the quantile sketch looks at once it samples; by default rows are
        numbered from this column's own row count (``DatasetProfile`` shares one per batch)."""
        if isinstance(arr, pa.ChunkedArray):
            start = sampler.start if sampler is not None else self.count + self.nulls
            for chunk in arr.chunks:
                self.update(chunk, RowSampler(start, len(chunk)))
                start += len(chunk)
            return
        n = len(arr)
        if sampler is None:
            sampler = RowSampler(self.count + self.nulls, n)
        nulls = arr.null_count
        self.nulls += nulls
        self.count += n - nulls
        if n == nulls or self.kind == "other":
            return
        if self.kind in ("numeric", "temporal"):
            t = arr.type.value_type if pa.types.is_dictionary(arr.type) else arr.type
            self._update_numbers(arr, _numbers(arr, "profile.values"), sampler, integral=pa.types.is_integer(t))
        else:
            self._update_categorical(arr)

    def _update_numbers(self, arr: pa.Array, x: np.ndarray, sampler: RowSampler, *, integral: bool = False) -> None:
        if len(x) == 0:
            return
        lo, hi = float(x.min()), float(x.max())
        all_finite = math.isfinite(lo) and math.isfinite(hi)
        if not all_finite:  # a NaN or ±inf among the values (min/max show both)
            finite = np.isfinite(x)
            self.non_finite += int((~finite).sum())
            x = x[finite]
            if len(x) == 0:
                return
            lo, hi = float(x.min()), float(x.max())
        self.min = lo if self.min is None else min(self.min, lo)
        self.max = hi if self.max is None else max(self.max, hi)
        b_mean = float(x.mean())
        dev = np.subtract(x, b_mean, out=scratch("profile.dev", len(x), np.float64))
        b_m2 = float(np.square(dev, out=dev).sum())  # not ``dev @ dev``: BLAS threads would spin on the other core
        del dev
        self._combine_moments(len(x), b_mean, b_m2)
        assert self.quantiles is not None and self.hll is not None
        level = self.quantiles.sampler_level(len(x))
        if level == 0:
            self.quantiles.update(x)
        else:
            rows = sampler.rows(level)
            if all_finite and not arr.null_count:
                picked = x[rows]
            elif all_finite:  # positions are rows of the batch; ``x`` holds the non-null ones in order
                valid = _validity(arr)
                rows = rows[valid[rows]]
                picked = x[np.cumsum(valid, out=scratch("profile.rank", len(valid), np.int64))[rows] - 1]
            else:  # positions are rows of the batch: pick from the array, then drop nulls and non-finite
                picked = to_numbers(arr.take(pa.array(rows)))
                picked = picked[np.isfinite(picked)]
            self.quantiles.update(picked, level=level, represented=len(x))
            self.quantiles.note_range(lo, hi)
        if integral and hi - lo < len(x) // 2 and lo > -_EXACT and hi < _EXACT:
            # Integers in a narrow range: hash each distinct value once (a HyperLogLog is a set
            # function, so the registers are the same as from every value; no per-row hashing).
            # Over a wider range marking the values costs more than hashing them all.
            seen = np.zeros(int(hi - lo) + 1, dtype=bool)
            seen[_offsets(arr, int(lo))] = True
            self.hll.update_float64(np.flatnonzero(seen) + lo)
        else:
            self.hll.update_float64(x)

    def _combine_moments(self, nb: int, mean_b: float, m2_b: float) -> None:
        na = self.finite_count - nb  # finite_count already includes the new values
        if na <= 0 or self.mean is None:
            self.mean, self.m2 = mean_b, m2_b
            return
        self.mean, self.m2 = _chan(na, self.mean, self.m2, nb, mean_b, m2_b)

    def _update_categorical(self, arr: pa.Array) -> None:
        assert self.hll is not None
        if pa.types.is_dictionary(arr.type):
            # Count the indices (np.bincount: the dictionary is small), then look up only the values
            # that occur: no decoding of every row, no copy without the nulls.
            idx = arr.indices
            dictionary = arr.dictionary
            size = len(dictionary)
            if arr.null_count:
                idx = pc.fill_null(idx, pa.scalar(size, idx.type))  # nulls counted in an extra bin, dropped below
            tally = _tally(idx.to_numpy(zero_copy_only=False), size + 1)[:size]
            present = np.flatnonzero(tally)
            facts = self._dictionary_facts(dictionary)
            if facts is not None:
                # The dictionary's hashes and order were worked out once for all the batches that share
                # it (a Parquet row group's slices): only the entries present are looked up.
                ranks = facts.ranks[present]
                lo = dictionary[int(present[np.argmin(ranks)])].as_py()
                hi = dictionary[int(present[np.argmax(ranks)])].as_py()
                self.min = lo if self.min is None else min(self.min, lo)
                self.max = hi if self.max is None else max(self.max, hi)
                self.hll.update_hashes(facts.hashes[present])
                self._add_top(dictionary, present, tally[present])
                return
            values = dictionary.take(pa.array(present))
            counts = tally[present]
            if len(values) and len(pc.unique(values)) != len(values):  # a dictionary with repeated entries
                vc = pc.value_counts(arr.drop_null().dictionary_decode())
                values, counts = vc.field("values"), vc.field("counts").to_numpy()
        elif pa.types.is_boolean(arr.type):
            # Two possible values: counted by a sum, listed in the order first seen (as value_counts does).
            valid = len(arr) - arr.null_count
            trues = int(pc.sum(arr).as_py() or 0)
            first = bool((arr.drop_null() if arr.null_count else arr)[0].as_py())
            pairs = [(first, trues if first else valid - trues), (not first, valid - trues if first else trues)]
            pairs = [(v, c) for v, c in pairs if c]
            values = pa.array([v for v, _ in pairs], pa.bool_())
            counts = np.array([c for _, c in pairs], dtype=np.int64)
        else:
            valid = arr.drop_null() if arr.null_count else arr
            vc = pc.value_counts(valid)
            values, counts = vc.field("values"), vc.field("counts").to_numpy()
        if _is_string_view(values.type):
            values = values.cast(pa.large_string())
        mm = pc.min_max(values)
        lo, hi = mm["min"].as_py(), mm["max"].as_py()
        self.min = lo if self.min is None else min(self.min, lo)
        self.max = hi if self.max is None else max(self.max, hi)
        if pa.types.is_boolean(values.type):
            self.hll.update_hashes(hash_float64(np.asarray(values.to_numpy(zero_copy_only=False), dtype=np.float64)))
        else:
            self.hll.update_hashes(hash_strings(values))
        self._add_top(values, np.arange(len(values)), counts)

    def _dictionary_facts(self, dictionary: pa.Array) -> _DictionaryFacts | None:
        """The facts of a string dictionary (kept for the next batches with the same one); ``None``
        for one with nulls or repeated entries, or of another value type."""
        facts = self._dictionary
        if facts is not None and facts.same(dictionary):
            return facts
        t = dictionary.type
        if dictionary.null_count or not (pa.types.is_string(t) or pa.types.is_large_string(t)):
            return None
        facts = _DictionaryFacts(dictionary)
        if not facts.unique:
            return None
        self._dictionary = facts
        return facts

    def _add_top(self, values: pa.Array, picked: np.ndarray, counts: np.ndarray) -> None:
        """Count ``values[picked]`` (distinct, in first-seen order) ``counts`` times each into the top values."""
        if len(picked) > self.top_bound:
            # Keep only the batch's top values; the rest is one vectorised sum.
            order = np.argsort(-counts, kind="stable")
            self.other += int(counts[order[self.top_bound :]].sum())
            picked, counts = picked[order[: self.top_bound]], counts[order[: self.top_bound]]
        if len(values) != len(picked) or not np.array_equal(picked, np.arange(len(values))):
            values = values.take(pa.array(picked))
        counts = np.asarray(counts, dtype=np.int64)
        if pa.types.is_string(values.type):
            values = values.cast(pa.large_string())
        keys, kept = self._top_keys, self._top_counts
        if keys is None and self._top is not None and len(self._top) + len(values) <= _SMALL_TOP:
            self._add_top_dict(values, counts)  # a few values: a dict costs less than the arrays
            return
        if keys is None:
            top = self._top
            assert top is not None
            if not top:
                keys, kept = values[:0], np.zeros(0, dtype=np.int64)
            else:
                try:
                    keys = pa.array(list(top), type=values.type)
                except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError):
                    keys = None
                kept = np.fromiter(top.values(), dtype=np.int64, count=len(top))
        if keys is None or kept is None or keys.type != values.type:
            self._add_top_dict(values, counts)  # values of another type than before: a Python dict
            return
        # The same as adding each (value, count) to the dict in order, then trimming to the
        # ``top_bound`` largest counts (ties in the dict's order): known values add up in place,
        # new ones go to the end, and a stable sort by count decides what is kept.
        at = pc.index_in(values, value_set=keys).fill_null(-1).to_numpy(zero_copy_only=False)
        known = at >= 0
        kept = kept.copy()
        kept[at[known]] += counts[known]
        if not known.all():
            fresh = ~known
            keys = pa.concat_arrays([keys, values.filter(pa.array(fresh))])
            kept = np.concatenate([kept, counts[fresh]])
        if len(kept) > self.top_bound:
            order = np.argsort(-kept, kind="stable")
            self.other += int(kept[order[self.top_bound :]].sum())
            keys, kept = keys.take(pa.array(order[: self.top_bound])), kept[order[: self.top_bound]]
        self._top, self._top_keys, self._top_counts = None, keys, kept

    def _add_top_dict(self, values: pa.Array, counts: np.ndarray) -> None:
        top = self.top
        assert top is not None
        for v, c in zip(values.to_pylist(), counts.tolist(), strict=True):
            top[v] = top.get(v, 0) + c
        self._trim_top()

    def _trim_top(self) -> None:
        top = self.top
        if top is None or len(top) <= self.top_bound:
            return
        # largest counts first; ties keep their first-seen order (sorting is stable)
        ranked = sorted(top.items(), key=operator.itemgetter(1), reverse=True)
        kept = dict(ranked[: self.top_bound])
        self.other += sum(c for _, c in ranked[self.top_bound :])
        self.top = kept

    # ------------------------------------------------------------------ merge
    def merge(self, other: ColumnProfile) -> ColumnProfile:
        """A new profile of both columns' values (neither input changes)."""
        if other.kind != self.kind and (other.count == 0 or self.count == 0):
            # a side with no values (all null, e.g. typed as null) takes the other side's kind
            empty, full = (other, self) if other.count == 0 else (self, other)
            blank = ColumnProfile(full.name, full.kind, full.type, top_bound=full.top_bound)
            blank.nulls = empty.nulls
            return full.merge(blank) if full is self else blank.merge(full)
        if other.kind != self.kind:
            raise ValueError(
                f"cannot merge column {self.name!r} profiled as {self.kind} with one profiled as {other.kind}; "
                "the column changed type between the profiles"
            )
        out = ColumnProfile(self.name, self.kind, self.type or other.type, top_bound=self.top_bound)
        out.count = self.count + other.count
        out.nulls = self.nulls + other.nulls
        out.non_finite = self.non_finite + other.non_finite
        out.min = _pick(min, self.min, other.min)
        out.max = _pick(max, self.max, other.max)
        na = self.finite_count if self.mean is not None else 0
        nb = other.finite_count if other.mean is not None else 0
        if na and nb:
            assert self.mean is not None and other.mean is not None
            out.mean, out.m2 = _chan(na, self.mean, self.m2, nb, other.mean, other.m2)
        elif na:
            out.mean, out.m2 = self.mean, self.m2
        elif nb:
            out.mean, out.m2 = other.mean, other.m2
        if self.quantiles is not None and other.quantiles is not None:
            out.quantiles = self.quantiles.merge(other.quantiles)
        if self.hll is not None and other.hll is not None:
            out.hll = self.hll.merge(other.hll)
        if self.top is not None and other.top is not None:
            top = dict(self.top)
            for v, c in other.top.items():
                top[v] = top.get(v, 0) + c
            out.top = top
            out.other = self.other + other.other
            out._trim_top()
        return out

    def with_missing_rows(self, rows: int) -> ColumnProfile:
        """This profile plus ``rows`` rows where the column was absent (counted as nulls)."""
        empty = ColumnProfile(self.name, self.kind, self.type, top_bound=self.top_bound)
        empty.nulls = rows
        return self.merge(empty)

    # ------------------------------------------------------------------ (de)serialisation
    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "type": self.type,
            "count": self.count,
            "nulls": self.nulls,
            "non_finite": self.non_finite,
            "min": _json_scalar(self.min),
            "max": _json_scalar(self.max),
            "mean": self.mean,
            "m2": self.m2,
            "quantiles": self.quantiles.to_dict() if self.quantiles is not None else None,
            "hll": self.hll.to_b64() if self.hll is not None else None,
            "hll_p": self.hll.p if self.hll is not None else None,
            "top": [[v, c] for v, c in self.top.items()] if self.top is not None else None,
            "other": self.other,
            "top_bound": self.top_bound,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ColumnProfile:
        out = cls(d["name"], d["kind"], d.get("type", ""), top_bound=int(d.get("top_bound", DEFAULT_TOP_BOUND)))
        out.count = int(d["count"])
        out.nulls = int(d["nulls"])
        out.non_finite = int(d.get("non_finite", 0))
        out.min, out.max = d.get("min"), d.get("max")
        out.mean = None if d.get("mean") is None else float(d["mean"])
        out.m2 = float(d.get("m2") or 0.0)
        if d.get("quantiles") is not None:
            out.quantiles = QuantileSketch.from_dict(d["quantiles"])
        elif d.get("kll") is not None:  # profiles recorded before pactline had its own sketch
            out.quantiles = _from_kll(d["kll"])
        if d.get("hll") is not None:
            out.hll = HyperLogLog.from_b64(d["hll"], int(d.get("hll_p") or DEFAULT_HLL_P))
        if d.get("top") is not None:
            out.top = {v: int(c) for v, c in d["top"]}
        out.other = int(d.get("other", 0))
        return out

    def summary(self) -> dict[str, Any]:
        """Small, human-facing statistics of this column."""
        s: dict[str, Any] = {
            "kind": self.kind,
            "count": self.count,
            "nulls": self.nulls,
            "null_share": round(self.null_share, 6),
            "distinct_estimate": _round(self.distinct_estimate()),
            "min": _json_scalar(self.min),
            "max": _json_scalar(self.max),
        }
        if self.kind in ("numeric", "temporal"):
            s.update(
                mean=_round(self.mean), std=_round(self.std), non_finite=self.non_finite,
                p50=_round(self.quantile(0.5)), p95=_round(self.quantile(0.95)),
            )
        if self.top is not None:
            ranked = sorted(self.top.items(), key=lambda kv: (-kv[1], str(kv[0])))[:10]
            s["top"] = [[v, c] for v, c in ranked]
            s["other"] = self.other
        return s

    def __repr__(self) -> str:
        return f"ColumnProfile({self.name!r}, {self.kind}, count={self.count}, nulls={self.nulls})"


class _DictionaryFacts:
    """A string dictionary's hashes and the rank of each entry in sorted order, worked out once."""

    __slots__ = ("dictionary", "hashes", "key", "ranks", "unique")

    def __init__(self, dictionary: pa.Array) -> None:
        self.dictionary = dictionary  # held, so its buffers cannot be reused for another one while cached
        self.key = _buffers_key(dictionary)
        self.unique = len(pc.unique(dictionary)) == len(dictionary)
        self.hashes = hash_strings(dictionary)
        order = pc.sort_indices(dictionary).to_numpy()
        self.ranks = np.empty(len(dictionary), dtype=np.int64)
        self.ranks[order] = np.arange(len(dictionary))

    def same(self, dictionary: pa.Array) -> bool:
        return dictionary is self.dictionary or _buffers_key(dictionary) == self.key


def _buffers_key(arr: pa.Array) -> tuple[Any, ...]:
    return (arr.type, arr.offset, len(arr), tuple(b.address if b is not None else 0 for b in arr.buffers()))


def _offsets(arr: pa.Array, lo: int) -> np.ndarray:
    """The non-null values of an integer array minus ``lo`` (all of them within 0 .. 2**53)."""
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    ints: np.ndarray = (arr.drop_null() if arr.null_count else arr).to_numpy(zero_copy_only=False)
    if ints.dtype != np.int64:
        ints = ints.astype(np.int64)
    offsets = scratch("profile.offsets", len(ints), np.int64)
    np.subtract(ints, lo, out=offsets)
    return offsets


def _tally(indices: np.ndarray, bins: int) -> np.ndarray:
    """``np.bincount(indices, minlength=bins)``; the indices are widened to intp in scratch space
    (``np.bincount`` would copy them to a fresh array first)."""
    if indices.dtype != np.intp:
        wide = scratch("profile.indices", len(indices), np.intp)
        np.copyto(wide, indices)
        indices = wide
    return np.bincount(indices, minlength=bins)


def _validity(arr: pa.Array) -> np.ndarray:
    """True where ``arr`` holds a value."""
    return np.asarray(pc.is_valid(arr).to_numpy(zero_copy_only=False), dtype=bool)


def _from_kll(text: str) -> QuantileSketch | None:
    """A quantile sketch from a serialised datasketches KLL sketch (profiles recorded by earlier
    versions): its sorted view becomes weighted items. ``None`` when datasketches is not installed."""
    try:
        from datasketches import kll_doubles_sketch
    except ImportError:
        return None
    kll = kll_doubles_sketch.deserialize(base64.b64decode(text))
    out = QuantileSketch()
    if kll.is_empty():
        return out
    # Its quantiles at evenly spaced ranks become items of one weight 2**level, as many as make up n
    # (to rounding), so merges with newer profiles stay weighted by row counts.
    n = int(kll.n)
    level = max(0, (n // (4 * out.k)).bit_length() - 1)
    points = max(1, round(n / (1 << level)))
    ranks = (np.arange(points) + 0.5) / points
    values = np.asarray(kll.get_quantiles(ranks.tolist()), dtype=np.float64)
    out.levels = [np.zeros(0) for _ in range(level)] + [values]
    out.n = n
    out.sampled = level
    out.note_range(float(kll.get_min_value()), float(kll.get_max_value()))
    out._compress()
    return out


def _chan(na: int, mean_a: float, m2_a: float, nb: int, mean_b: float, m2_b: float) -> tuple[float, float]:
    """Chan, Golub & LeVeque's pairwise update of (mean, sum of squared deviations)."""
    n = na + nb
    delta = mean_b - mean_a
    mean = mean_a + delta * nb / n
    m2 = m2_a + m2_b + delta * delta * na * nb / n
    return mean, m2


def _pick(fn: Any, a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return fn(a, b)


def _round(v: float | None) -> float | None:
    return None if v is None else float(f"{v:.10g}")


class DatasetProfile:
    """The profile of one dataset: ``rows`` and a ``ColumnProfile`` per column."""

    __slots__ = ("columns", "rows")

    def __init__(self, rows: int = 0, columns: dict[str, ColumnProfile] | None = None) -> None:
        self.rows = rows
        self.columns: dict[str, ColumnProfile] = dict(columns or {})

    def update(self, batch: pa.RecordBatch | pa.Table) -> None:
        """Add one batch (every column); columns first seen here count as null for earlier rows."""
        sampler = self.begin(batch)
        self.update_columns(batch, batch.schema.names, sampler)

    def begin(self, batch: pa.RecordBatch | pa.Table) -> RowSampler:
        """The bookkeeping half of ``update``: rows, new columns, absent columns; returns the batch's
        sampler. Then ``update_columns`` adds the values, for any split of the columns, on any
        thread (a column's updates in batch order; one batch at a time)."""
        earlier = self.rows
        self.rows += batch.num_rows
        for name, column in zip(batch.schema.names, batch.columns, strict=True):
            prof = self.columns.get(name)
            kind = column_kind(column.type)
            if prof is not None and prof.kind != kind and prof.count == 0 and len(column) > column.null_count:
                # only nulls so far (e.g. a null-typed first batch): start again as the real kind
                fresh = ColumnProfile(name, kind, str(column.type))
                fresh.nulls = prof.nulls
                self.columns[name] = prof = fresh
            if prof is None:
                prof = ColumnProfile(name, kind, str(column.type))
                prof.nulls = earlier
                self.columns[name] = prof
        seen = set(batch.schema.names)
        for name, prof in self.columns.items():
            if name not in seen:
                prof.nulls += batch.num_rows
        return RowSampler(earlier, batch.num_rows)

    def update_columns(self, batch: pa.RecordBatch | pa.Table, names: Iterable[str], sampler: RowSampler) -> None:
        """Add the values of the columns ``names`` of a batch ``begin`` has seen."""
        for name in names:
            self.columns[name].update(batch.column(name), sampler)

    def merge(self, other: DatasetProfile) -> DatasetProfile:
        """A new profile of both datasets; a column missing from one side counts as null there."""
        columns: dict[str, ColumnProfile] = {}
        for name in [*self.columns, *(c for c in other.columns if c not in self.columns)]:
            a, b = self.columns.get(name), other.columns.get(name)
            if a is not None and b is not None:
                columns[name] = a.merge(b)
            elif a is not None:
                columns[name] = a.with_missing_rows(other.rows)
            else:
                assert b is not None
                columns[name] = b.with_missing_rows(self.rows)
        return DatasetProfile(self.rows + other.rows, columns)

    @classmethod
    def merge_all(cls, profiles: Iterable[DatasetProfile]) -> DatasetProfile:
        out = cls()
        for p in profiles:
            out = out.merge(p)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": [c.to_dict() for c in self.columns.values()]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DatasetProfile:
        cols = [ColumnProfile.from_dict(c) for c in d.get("columns", [])]
        return cls(int(d["rows"]), {c.name: c for c in cols})

    def summary(self) -> dict[str, Any]:
        return {"rows": self.rows, "columns": {n: c.summary() for n, c in self.columns.items()}}

    def __repr__(self) -> str:
        return f"DatasetProfile(rows={self.rows}, columns={list(self.columns)})"


def profile_table(data: pa.Table | pa.RecordBatch | Iterable[pa.RecordBatch]) -> DatasetProfile:
    """Profile a table, a batch, or a stream of batches in one pass."""
    prof = DatasetProfile()
    if isinstance(data, pa.Table):
        for batch in data.to_batches():
            prof.update(batch)
        if data.num_rows == 0 and not prof.columns:
            prof.update(pa.RecordBatch.from_pylist([], schema=data.schema))
    elif isinstance(data, pa.RecordBatch):
        prof.update(data)
    else:
        for batch in data:
            prof.update(batch)
    return prof
