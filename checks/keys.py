"""Exact key uniqueness over a stream of batches.

A ``KeyTracker`` keeps the key columns of every row (only those columns, typed) and, at the end,
finds the rows whose key repeats an earlier row's key: a stable sort for a single numeric or
temporal key (numpy), an Arrow hash group-by otherwise (strings, compound keys). The first row
of each key is kept; every later one is a duplicate, so ``len(duplicates) == rows - distinct``.
Rows with a null in any key column are reported apart (``null_rows``).

Memory: up to 256 Ki rows the key columns stay in memory; past that they go to hash
partitions on disk (temporary files, removed at the end) and are checked one partition at a time,
so memory stays flat whatever the input's size. Exactness is owed here: no sketch stands in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    """Collects key columns batch by batch; ``finish()`` finds the exact duplicates.

    Up to ``spill_rows`` rows (256 Ki: 2 MB of integer keys) the keys stay in memory. Past that they
    are spilled to ``partitions`` files by a hash of the key (Arrow IPC streams; raw (value, row)
    records for one numeric key column): equal keys always land in the same file, each file in row
    order, and ``finish()`` checks one file at a time. Memory is about 1/``partitions`` of the keys,
    whatever the size of the input, and the answer stays exact.
    """

    def __init__(self, columns: tuple[str, ...], *, spill_rows: int = 262_144, partitions: int = 32,
                 spill_dir: str | None = None) -> None:
        self.columns = columns
        self._chunks: list[list[pa.Array]] = [[] for _ in columns]
        self.rows = 0
        self.spill_rows = spill_rows
        self.partitions = partitions
        self.spill_dir = spill_dir
        self._spill: _Spill | _NumericSpill | None = None

    @property
    def spilled(self) -> bool:
        return self._spill is not None

    def add(self, arrays: list[pa.Array | None], length: int) -> None:
        """One batch's key arrays (``None`` for a column absent from this batch: all null)."""
        normal = []
        for arr in arrays:
            if arr is None:
                arr = pa.nulls(length)
            elif pa.types.is_dictionary(arr.type):
                arr = arr.dictionary_decode()
            normal.append(arr)
        if self._spill is not None:
            self._spill.write(normal, self.rows)
        else:
            for store, arr in zip(self._chunks, normal, strict=True):
                store.append(arr)
            if self.rows + length > self.spill_rows:
                cols = [self._column(i) for i in range(len(self.columns))]
                self._chunks = [[] for _ in self.columns]
                kinds = {c.type for c in cols} - {pa.null()}
                if len(cols) == 1 and len(kinds) == 1 and _numeric(next(iter(kinds))):
                    self._spill = _NumericSpill(self.partitions, self.spill_dir, next(iter(kinds)))
                else:
                    self._spill = _Spill(self.partitions, self.spill_dir)
                self._spill.write(cols, 0)
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
        if self._spill is not None:
            spill, self._spill = self._spill, None
            try:
                return spill.finish(self.rows, self.columns)
            finally:
                spill.close()
        n = self.rows
        if n == 0:
            empty = np.zeros(0, dtype=np.int64)
            return KeyOutcome(empty, empty, 0, self.columns)
        if len(self.columns) == 1 and self._chunks[0] and all(_numeric(c.type) for c in self._chunks[0]) \
                and len({c.type for c in self._chunks[0]}) == 1:
            return self._finish_numeric()
        cols = [self._column(i) for i in range(len(self.columns))]
        self._chunks = [[] for _ in self.columns]
        valid = np.ones(n, dtype=bool)
        for c in cols:
            if c.null_count:
                valid &= pc.is_valid(c).to_numpy(zero_copy_only=False)
        null_rows = np.flatnonzero(~valid)
        dups = _duplicates(cols, valid if len(null_rows) else None)
        picked = np.unique(np.concatenate([dups[:5], null_rows[:5]])).astype(np.int64)
        values = tuple(c.take(pa.array(picked)) for c in cols)
        return KeyOutcome(dups.astype(np.int64), null_rows.astype(np.int64), n, self.columns, values, picked)


    def _finish_numeric(self) -> KeyOutcome:
        """One numeric key column: straight to numpy, chunk by chunk, without an Arrow copy of the whole."""
        chunks, self._chunks = self._chunks[0], [[] for _ in self.columns]
        nulls = [np.flatnonzero(~pc.is_valid(c).to_numpy(zero_copy_only=False)) + off
                 for c, off in zip(chunks, np.cumsum([0] + [len(c) for c in chunks[:-1]]), strict=True) if c.null_count]
        null_rows = np.concatenate(nulls).astype(np.int64) if nulls else np.zeros(0, dtype=np.int64)
        values = np.concatenate([_as_numbers(c) for c in chunks])
        kind = chunks[0].type
        del chunks
        valid = None
        if len(null_rows):
            valid = np.ones(len(values), dtype=bool)
            valid[null_rows] = False
        dups = _numeric_duplicates(values, valid).astype(np.int64)
        picked = np.unique(np.concatenate([dups[:5], null_rows[:5]])).astype(np.int64)
        taken = [None if valid is not None and not valid[i] else values[i].item() for i in picked]
        return KeyOutcome(dups, null_rows, self.rows, self.columns, (_number_column(taken, kind),), picked)


def _duplicates(cols: list[pa.Array], valid: np.ndarray | None) -> np.ndarray:
    """Positions of repeats among the valid positions (every occurrence of a key after its first)."""
    n = len(cols[0])
    if len(cols) == 1 and _numeric(cols[0].type):
        return _numeric_duplicates(_as_numbers(cols[0]), valid)
    positions = np.flatnonzero(valid) if valid is not None else np.arange(n)
    table = pa.table({f"k{i}": c for i, c in enumerate(cols)})
    table = table.append_column("__row", pa.array(np.arange(n, dtype=np.int64)))
    if valid is not None:
        table = table.filter(pa.array(valid))
    firsts = table.group_by([f"k{i}" for i in range(len(cols))], use_threads=False).aggregate(
        [("__row", "min")])["__row_min"].to_numpy()
    is_first = np.zeros(n, dtype=bool)
    is_first[firsts] = True
    return positions[~is_first[positions]]


def _key_hash(cols: list[pa.Array]) -> np.ndarray:
    """One 64-bit hash per row of non-null keys; equal keys hash alike."""
    from checks.sketches import hash_strings, hash_uint64

    out: np.ndarray | None = None
    for c in cols:
        if _numeric(c.type):
            words = _as_numbers(c)
            h = hash_uint64(words.view(np.uint64) if words.dtype.itemsize == 8 else words.astype(np.int64).view(np.uint64))
        else:
            h = hash_strings(c if family_string(c.type) else c.cast(pa.large_string()))
        out = h if out is None else hash_uint64(out ^ h)
    assert out is not None
    return out


def family_string(t: pa.DataType) -> bool:
    return bool(pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)
                or pa.types.is_large_binary(t))


class _Spill:
    """Key columns plus row numbers, partitioned by key hash into Arrow IPC stream files."""

    def __init__(self, partitions: int, directory: str | None) -> None:
        import shutil
        import tempfile
        import weakref

        self.dir = tempfile.mkdtemp(prefix="pactline-keys-", dir=directory)
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.dir, True)
        self.partitions = partitions
        self.writers: dict[int, Any] = {}
        self.sinks: dict[int, Any] = {}
        self.null_rows: list[np.ndarray] = []
        self.null_values: list[tuple[int, tuple[Any, ...]]] = []

    def write(self, cols: list[pa.Array], start: int) -> None:
        n = len(cols[0])
        if n == 0:
            return
        valid = np.ones(n, dtype=bool)
        for c in cols:
            if c.null_count:
                valid &= pc.is_valid(c).to_numpy(zero_copy_only=False)
        if not valid.all():
            where = np.flatnonzero(~valid)
            self.null_rows.append(where + start)
            for w in where[: max(0, 5 - len(self.null_values))]:
                self.null_values.append((int(w) + start, tuple(c[int(w)].as_py() for c in cols)))
            mask = pa.array(valid)
            cols = [c.filter(mask) for c in cols]
            rows = np.flatnonzero(valid) + start
        else:
            rows = np.arange(start, start + n, dtype=np.int64)
        if len(rows) == 0:
            return
        part = (_key_hash(cols) % np.uint64(self.partitions)).astype(np.uint8)
        order = np.argsort(part, kind="stable")  # a radix sort on 8-bit keys
        counts = np.bincount(part, minlength=self.partitions)
        table = pa.table({**{f"k{i}": c for i, c in enumerate(cols)}, "__row": pa.array(rows, pa.int64())})
        table = table.take(pa.array(order))
        offset = 0
        for p in range(self.partitions):
            k = int(counts[p])
            if k:
                self._writer(p, table.schema).write_table(table.slice(offset, k))
            offset += k

    def _writer(self, p: int, schema: pa.Schema) -> Any:
        import os

        if p not in self.writers:
            sink = pa.OSFile(os.path.join(self.dir, f"{p}.arrows"), "wb")
            self.sinks[p] = sink
            self.writers[p] = pa.ipc.new_stream(sink, schema)
        return self.writers[p]

    def finish(self, rows: int, columns: tuple[str, ...]) -> KeyOutcome:
        import os

        for w in self.writers.values():
            w.close()
        for s in self.sinks.values():
            s.close()
        dups: list[np.ndarray] = []
        samples: list[tuple[int, tuple[Any, ...]]] = list(self.null_values)
        for p in sorted(self.writers):
            with pa.memory_map(os.path.join(self.dir, f"{p}.arrows"), "r") as source:
                table = pa.ipc.open_stream(source).read_all()
            cols = [table.column(i).combine_chunks() for i in range(len(columns))]
            where = _duplicates(cols, None)
            if len(where):
                row_numbers = table.column("__row").combine_chunks().to_numpy()
                dups.append(row_numbers[where])
                for w in where[:5]:
                    samples.append((int(row_numbers[w]), tuple(c[int(w)].as_py() for c in cols)))
            del table, cols
        dup_rows = np.sort(np.concatenate(dups)) if dups else np.zeros(0, dtype=np.int64)
        null_rows = np.sort(np.concatenate(self.null_rows)) if self.null_rows else np.zeros(0, dtype=np.int64)
        wanted = set(np.concatenate([dup_rows[:5], null_rows[:5]]).tolist())
        chosen = sorted((r, v) for r, v in samples if r in wanted)
        picked = np.array([r for r, _ in chosen], dtype=np.int64)
        values = tuple(pa.array([v[i] for _, v in chosen]) for i in range(len(columns)))
        return KeyOutcome(dup_rows.astype(np.int64), null_rows.astype(np.int64), rows, columns, values, picked)

    def close(self) -> None:
        self._cleanup()


def _number_column(taken: list[Any], kind: pa.DataType) -> pa.Array:
    """An Arrow column of ``kind`` from the numbers ``_as_numbers`` made of it (None: null)."""
    if pa.types.is_boolean(kind):
        return pa.array([None if v is None else bool(v) for v in taken], pa.bool_())
    if pa.types.is_floating(kind):
        return pa.array(taken, pa.float64()).cast(kind)
    if pa.types.is_temporal(kind):  # the numbers are the storage integers of the type
        return pa.array(taken, pa.int64()).cast(pa.int32() if kind.bit_width == 32 else pa.int64()).view(kind)
    return pa.array(taken, pa.int64()).cast(kind)


class _NumericSpill:
    """One numeric key column spilled as raw numbers: (value, row) records, partitioned by a hash
    of the value into plain binary files (numpy writes and reads them whole; no Arrow tables).

    Same contract as ``_Spill``: equal keys land in the same file, each file is in row order,
    ``finish()`` checks one file at a time, so memory is ~1/``partitions`` of the keys.
    """

    def __init__(self, partitions: int, directory: str | None, kind: pa.DataType) -> None:
        import shutil
        import tempfile
        import weakref

        self.dir = tempfile.mkdtemp(prefix="pactline-keys-", dir=directory)
        self._cleanup = weakref.finalize(self, shutil.rmtree, self.dir, True)
        self.partitions = partitions
        self.kind = kind
        self.dtype: np.dtype[Any] | None = None
        self.files: dict[int, Any] = {}
        self.null_rows: list[np.ndarray] = []

    def write(self, cols: list[pa.Array], start: int) -> None:
        import os

        arr = cols[0]
        n = len(arr)
        if n == 0:
            return
        if pa.types.is_null(arr.type):
            self.null_rows.append(np.arange(start, start + n, dtype=np.int64))
            return
        if arr.type != self.kind:  # the key columns come typed by the contract: this is a safety net
            arr = arr.cast(self.kind)
        rows = None
        if arr.null_count:
            valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
            self.null_rows.append(np.flatnonzero(~valid) + start)
            rows = np.flatnonzero(valid) + start
            words = _as_numbers(arr)[valid]
        else:
            words = _as_numbers(arr)
        if len(words) == 0:
            return
        if self.dtype is None:
            self.dtype = np.dtype([("v", words.dtype), ("r", np.int64)])
        part = (_word_hash(words) % np.uint64(self.partitions)).astype(np.uint8)
        order = np.argsort(part, kind="stable")  # a radix sort on 8-bit keys: each partition stays in row order
        counts = np.bincount(part, minlength=self.partitions)
        records = np.empty(len(words), dtype=self.dtype)
        records["v"] = words[order]
        records["r"] = (rows[order] if rows is not None else order + start)
        offset = 0
        for p in range(self.partitions):
            k = int(counts[p])
            if k:
                f = self.files.get(p)
                if f is None:
                    f = self.files[p] = open(os.path.join(self.dir, f"{p}.keys"), "wb")  # noqa: SIM115
                f.write(records[offset : offset + k].data)  # buffered: many small writes, few system calls
            offset += k

    def _read(self, p: int) -> np.ndarray:
        import os

        assert self.dtype is not None
        return np.fromfile(os.path.join(self.dir, f"{p}.keys"), dtype=self.dtype)

    def _close_files(self) -> None:
        for f in self.files.values():
            f.close()

    def finish(self, rows: int, columns: tuple[str, ...]) -> KeyOutcome:
        self._close_files()
        dups: list[np.ndarray] = []
        for p in sorted(self.files):
            records = self._read(p)
            where = _numeric_duplicates(records["v"], None)
            if len(where):
                dups.append(records["r"][where])
            del records
        dup_rows = np.sort(np.concatenate(dups)) if dups else np.zeros(0, dtype=np.int64)
        null_rows = np.sort(np.concatenate(self.null_rows)) if self.null_rows else np.zeros(0, dtype=np.int64)
        picked = np.unique(np.concatenate([dup_rows[:5], null_rows[:5]])).astype(np.int64)
        values: dict[int, Any] = {}
        wanted = set(dup_rows[:5].tolist())
        if wanted:
            for p in sorted(self.files):
                records = self._read(p)
                hit = np.isin(records["r"], dup_rows[:5])
                for r, v in zip(records["r"][hit].tolist(), records["v"][hit].tolist(), strict=True):
                    values[r] = v
        taken = [values.get(int(r)) for r in picked]
        return KeyOutcome(dup_rows.astype(np.int64), null_rows.astype(np.int64), rows, columns,
                          (_number_column(taken, self.kind),), picked)

    def close(self) -> None:
        self._close_files()
        self._cleanup()


def _word_hash(words: np.ndarray) -> np.ndarray:
    """A hash of numbers by value (floats: -0.0 as 0.0); equal numbers hash alike."""
    from checks.sketches import hash_uint64

    if words.dtype.kind == "f":
        return hash_uint64((words.astype(np.float64) + 0.0).view(np.uint64))
    return hash_uint64(words.astype(np.int64, copy=False).view(np.uint64))


def _numeric_duplicates(values: np.ndarray, valid: np.ndarray | None) -> np.ndarray:
    """Row numbers of repeats (every occurrence of a value after its first) among the valid rows.

    Sorting a copy finds whether anything repeats; only then are the (few) repeated values
    located, so a clean key costs one sort and no index arrays.
    """
    rows = np.flatnonzero(valid) if valid is not None else None
    kept = values[valid] if valid is not None else values
    # Keys often arrive nearly in order (increasing ids, times): a merge sort (timsort) finds the runs
    # and is then ~10x faster than the default; on shuffled keys the default is the faster one.
    descents = np.count_nonzero(kept[1:] < kept[:-1]) if len(kept) > 1 else 0
    ordered = np.sort(kept, kind="stable" if descents * 64 < len(kept) else "quicksort")
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
    return bool(pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_timestamp(t)
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
    return np.asarray(arr.to_numpy(zero_copy_only=False))
