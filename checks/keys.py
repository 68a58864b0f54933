"""Exact key uniqueness over a stream of batches.

A ``KeyTracker`` keeps the key columns of every row (only those columns, typed) and, at the end,
finds the rows whose key repeats an earlier row's key: a stable sort for a single numeric or
temporal key (numpy), an Arrow hash group-by otherwise (strings, compound keys). The first row
of each key is kept; every later one is a duplicate, so ``len(duplicates) == rows - distinct``.
Rows with a null in any key column are reported apart (``null_rows``).

Memory is the key columns only (8 bytes a row for an integer key), whatever the batch size:
exactness is owed here, so no sketch stands in for it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["KeyOutcome", "KeyTracker"]


@dataclass(frozen=True)
class KeyOutcome:
    duplicate_rows: np.ndarray  # row numbers of repeats, ascending
    null_rows: np.ndarray  # row numbers with a null key column, ascending
    rows: int
    columns: tuple[str, ...] = ()
    values: tuple[pa.Array, ...] = ()  # the key columns of the rows in ``sample_rows``
    sample_rows: np.ndarray | None = None

    def samples(self, rows: np.ndarray, limit: int = 5) -> tuple[dict[str, object], ...]:
        """Up to ``limit`` of ``rows`` with their key values (from the rows kept for samples)."""
        if self.sample_rows is None:
            return ()
        where = {int(r): i for i, r in enumerate(self.sample_rows)}
        out = []
        for r in rows[:limit]:
            i = where.get(int(r))
            if i is None:
                continue
            item: dict[str, object] = {"row": int(r)}
            for name, arr in zip(self.columns, self.values, strict=True):
                item[name] = arr[i].as_py()
            out.append(item)
        return tuple(out)


class KeyTracker:
    """Collects key columns batch by batch; ``finish()`` finds the exact duplicates."""

    def __init__(self, columns: tuple[str, ...]) -> None:
        self.columns = columns
        self._chunks: list[list[pa.Array]] = [[] for _ in columns]
        self.rows = 0

    def add(self, arrays: list[pa.Array | None], length: int) -> None:
        """One batch's key arrays (``None`` for a column absent from this batch: all null)."""
        for store, arr in zip(self._chunks, arrays, strict=True):
            if arr is None:
                arr = pa.nulls(length)
            elif pa.types.is_dictionary(arr.type):
                arr = arr.dictionary_decode()
            store.append(arr)
        self.rows += length

    def _column(self, i: int) -> pa.Array:
        chunks = self._chunks[i]
        types = {c.type for c in chunks if not pa.types.is_null(c.type)}
        if len(types) > 1:
            chunks = [c.cast(pa.large_string()) for c in chunks]
        elif types:
            t = types.pop()
            chunks = [c.cast(t) if pa.types.is_null(c.type) else c for c in chunks]
        if not chunks:
            return pa.nulls(0)
        return pa.chunked_array(chunks).combine_chunks() if len(chunks) > 1 else chunks[0]

    def finish(self) -> KeyOutcome:
        cols = [self._column(i) for i in range(len(self.columns))]
        self._chunks = [[] for _ in self.columns]
        n = self.rows
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return KeyOutcome(empty, empty, 0, self.columns)
        valid = np.ones(n, dtype=bool)
        for c in cols:
            if c.null_count:
                valid &= pc.is_valid(c).to_numpy(zero_copy_only=False)
        null_rows = np.flatnonzero(~valid)
        positions = np.flatnonzero(valid)
        if len(cols) == 1 and _numeric(cols[0].type):
            dups = _numeric_duplicates(_as_numbers(cols[0]), valid if len(null_rows) else None)
        else:
            table = pa.table({f"k{i}": c for i, c in enumerate(cols)})
            table = table.append_column("__row", pa.array(np.arange(n, dtype=np.int64)))
            if len(null_rows):
                table = table.filter(pa.array(valid))
            firsts = table.group_by([f"k{i}" for i in range(len(cols))], use_threads=False).aggregate(
                [("__row", "min")])["__row_min"].to_numpy()
            is_first = np.zeros(n, dtype=bool)
            is_first[firsts] = True
            dups = positions[~is_first[positions]]
        picked = np.unique(np.concatenate([dups[:5], null_rows[:5]])).astype(np.int64)
        values = tuple(c.take(pa.array(picked)) for c in cols)
        return KeyOutcome(dups.astype(np.int64), null_rows.astype(np.int64), n, self.columns, values, picked)

def _numeric_duplicates(values: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
    """Row numbers of repeats (every occurrence of a value after its first) among the valid rows.

    Sorting a copy finds whether anything repeats; only then are the (few) repeated values
    located, so a clean key costs one sort and no index arrays.
    """
    rows = np.flatnonzero(valid) if valid is not None else None
    kept = values[valid] if valid is not None else values
    ordered = np.sort(kept)
    same = ordered[1:] == ordered[:-1]
    if not same.any():
        return np.zeros(0, dtype=np.int64)
    repeated = np.unique(ordered[1:][same])
    del ordered, same
    where = np.flatnonzero(np.isin(kept, repeated, assume_unique=False))
    # among the rows holding a repeated value, the first of each value is not a duplicate
    first = np.unique(kept[where], return_index=True)[1]
    where = np.delete(where, first)
    return np.sort(rows[where] if rows is not None else where)


def _numeric(t: pa.DataType) -> bool:
    return (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_timestamp(t)
            or pa.types.is_date(t) or pa.types.is_time(t) or pa.types.is_boolean(t))


def _as_numbers(arr: pa.Array) -> np.ndarray:
    t = arr.type
    if pa.types.is_timestamp(t) or pa.types.is_time64(t) or pa.types.is_date64(t):
        arr = arr.cast(pa.int64())
    elif pa.types.is_date32(t) or pa.types.is_time32(t):
        arr = arr.cast(pa.int32())
    elif pa.types.is_boolean(t):
        arr = arr.cast(pa.int8())
    if arr.null_count:
        arr = arr.fill_null(0)
    return arr.to_numpy(zero_copy_only=False)
