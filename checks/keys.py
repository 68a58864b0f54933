"""Exact key uniqueness over a stream of batches.

A ``KeyTracker`` finds the rows whose key repeats an earlier row's key. The first row of each key
is kept; every later one is a duplicate, so ``len(duplicates) == rows - distinct``. Rows with a null
in any key column are reported apart (``null_rows``). Exactness is owed here: no sketch stands in.

Three ways, by the kind of key:

- one integer (or temporal, or boolean) key column whose values fall in a dense range: a
  direct-address window, one byte per possible value, checked batch by batch as the batches arrive
  (``_IntegerKeys``). The window opens once the keys' range is dense (at most ``DENSE_FACTOR``
  values per key row, or 1 Mi values whatever the rows) and grows with later batches while it stays
  dense and under ``window_bytes`` (64 MiB: 64 Mi values). Evenly spaced keys (whole seconds as
  microsecond timestamps, ids counted in tens) get a window on their lattice: one byte per step.
  Keys outside it (or off its lattice) go to the general numeric store below; the window never
  grows over a key kept there, so the two never share a key and their union is exact. It costs
  about one byte per value between the smallest and largest key (5 M ascending ids: ~5 MiB; 50 M:
  ~48 MiB; never more than ``window_bytes``).
- one numeric key column otherwise: the key numbers in memory up to 256 Ki rows, then (value, row)
  records spilled to hash partitions on disk, each sorted at the end.
- strings and compound keys: the key columns in memory up to 256 Ki rows, then Arrow IPC hash
  partitions on disk, each checked with an Arrow hash group-by.

Memory stays flat whatever the input's size: the window is capped, spilled partitions are read one
at a time, and temporary files are removed at the end. The duplicate row numbers themselves are
returned whole (8 bytes per duplicate row).
"""

from __future__ import annotations

import math
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


WINDOW_BYTES = 64 << 20  # the direct-address window of an integer key: at most 64 Mi values (one byte each)


class KeyTracker:
    """Collects key columns batch by batch; ``finish()`` finds the exact duplicates.

    One integer (or temporal) key column goes to ``_IntegerKeys``: a direct-address window of up to
    ``window_bytes`` checked as the batches arrive, the keys outside it as for any numeric key.
    Otherwise up to ``spill_rows`` rows (256 Ki: 2 MB of integer keys) the keys stay in memory. Past
    that they are spilled to ``partitions`` files by a hash of the key (Arrow IPC streams; raw (value,
    row) records for one numeric key column): equal keys always land in the same file, each file in
    row order, and ``finish()`` checks one file at a time. Memory is about 1/``partitions`` of the
    keys, whatever the size of the input, and the answer stays exact. ``window_bytes=0`` turns the
    window off. ``expected_rows`` (the input's row count, when known up front) lets the window open
    over a wide range from the first batch: shuffled ids span the whole range in every batch.
    """

    def __init__(self, columns: tuple[str, ...], *, spill_rows: int = 262_144, partitions: int = 32,
                 spill_dir: str | None = None, window_bytes: int = WINDOW_BYTES,
                 expected_rows: int | None = None) -> None:
        self.columns = columns
        self._chunks: list[list[pa.Array]] = [[] for _ in columns]
        self.rows = 0
        self.spill_rows = spill_rows
        self.partitions = partitions
        self.spill_dir = spill_dir
        self.window_bytes = window_bytes
        self.expected_rows = expected_rows
        self._spill: _Spill | _NumericSpill | None = None
        self._ints: _IntegerKeys | None = None
        self._typed = False  # a batch with a typed (not all-null) key column has arrived

    @property
    def spilled(self) -> bool:
        return self._spill is not None or (self._ints is not None and self._ints.spilled)

    @property
    def window(self) -> tuple[int, int] | None:
        """The integer key values checked by direct address, ``(first, last)``; None: no window."""
        return self._ints.window if self._ints is not None else None

    def add(self, arrays: list[pa.Array | None], length: int) -> None:
        """One batch's key arrays (``None`` for a column absent from this batch: all null)."""
        normal = []
        for arr in arrays:
            if arr is None:
                arr = pa.nulls(length)
            elif pa.types.is_dictionary(arr.type):
                arr = arr.dictionary_decode()
            normal.append(arr)
        if self._ints is None and not self._typed and not pa.types.is_null(normal[0].type):
            self._typed = True
            if len(self.columns) == 1 and self._spill is None and self.window_bytes > 0 \
                    and _integer_like(normal[0].type):
                # every earlier batch had no key column: all their rows are null keys
                self._ints = _IntegerKeys(normal[0].type, self.window_bytes, self.spill_rows, self.partitions,
                                          self.spill_dir, self.expected_rows)
                self._ints.add(pa.nulls(self.rows), 0)
                self._chunks = [[] for _ in self.columns]
        if self._ints is not None:
            self._ints.add(normal[0], self.rows)
        elif self._spill is not None:
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
        if self._ints is not None:
            ints, self._ints = self._ints, None
            try:
                return ints.finish(self.rows, self.columns)
            finally:
                ints.close()
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
        picked = _sample_rows(dups, null_rows)
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
        picked = _sample_rows(dups, null_rows)
        taken = [None if valid is not None and not valid[i] else values[i].item() for i in picked]
        return KeyOutcome(dups, null_rows, self.rows, self.columns, (_number_column(taken, kind),), picked)


def _sample_rows(dups: np.ndarray, nulls: np.ndarray) -> np.ndarray:
    """The first five duplicate rows and the first five null rows, in order, once each (a set of ten at
    most: not np.unique, whose first call imports numpy.ma, ~8 ms of a short validation)."""
    return np.array(sorted({*dups[:5].tolist(), *nulls[:5].tolist()}), dtype=np.int64)


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
    return pa.array(taken, kind)  # integers: every value fits its own type (uint64 past 2**63 too)


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
        arr = _keys_of(cols[0], start, self.kind, self.null_rows)
        if arr is None:
            return
        rows = None
        if arr.null_count:
            valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
            self.null_rows.append(np.flatnonzero(~valid) + start)
            rows = np.flatnonzero(valid) + start
            words = _as_numbers(arr)[valid]
        else:
            words = _as_numbers(arr)
        self.write_words(words, rows, start)

    def write_words(self, words: np.ndarray, rows: np.ndarray | None, start: int) -> None:
        """Key numbers (no nulls) with their row numbers (``None``: ``start``, ``start + 1``, ...)."""
        import os

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

    def duplicates(self) -> tuple[np.ndarray, dict[int, Any]]:
        """The rows repeating an earlier key, ascending, and the key values of the first five."""
        self._close_files()
        dups: list[np.ndarray] = []
        for p in sorted(self.files):
            records = self._read(p)
            where = _numeric_duplicates(records["v"], None)
            if len(where):
                dups.append(records["r"][where])
            del records
        dup_rows = np.sort(np.concatenate(dups)) if dups else np.zeros(0, dtype=np.int64)
        values: dict[int, Any] = {}
        if len(dup_rows):
            for p in sorted(self.files):
                records = self._read(p)
                hit = np.isin(records["r"], dup_rows[:5])
                for r, v in zip(records["r"][hit].tolist(), records["v"][hit].tolist(), strict=True):
                    values[r] = v
        return dup_rows.astype(np.int64), values

    def finish(self, rows: int, columns: tuple[str, ...]) -> KeyOutcome:
        dup_rows, values = self.duplicates()
        null_rows = np.sort(np.concatenate(self.null_rows)) if self.null_rows else np.zeros(0, dtype=np.int64)
        picked = _sample_rows(dup_rows, null_rows)
        taken = [values.get(int(r)) for r in picked]
        return KeyOutcome(dup_rows, null_rows.astype(np.int64), rows, columns,
                          (_number_column(taken, self.kind),), picked)

    def close(self) -> None:
        self._close_files()
        self._cleanup()


class _NumericKeys:
    """Key numbers (no nulls) with their row numbers, in row order: in memory up to ``spill_rows``,
    then in a ``_NumericSpill``. The general store behind the integer window."""

    def __init__(self, kind: pa.DataType, spill_rows: int, partitions: int, directory: str | None) -> None:
        self.kind = kind
        self.spill_rows = spill_rows
        self.partitions = partitions
        self.directory = directory
        self.words: list[np.ndarray] = []
        self.rows: list[np.ndarray | int] = []  # an int: the first of consecutive rows
        self.count = 0
        self.spill: _NumericSpill | None = None

    def add(self, words: np.ndarray, rows: np.ndarray | int) -> None:
        """Key numbers with their row numbers (an int: ``rows``, ``rows + 1``, ...)."""
        if len(words) == 0:
            return
        if self.spill is not None:
            self.spill.write_words(words, None if isinstance(rows, int) else rows, rows if isinstance(rows, int) else 0)
            return
        self.words.append(words)
        self.rows.append(rows)
        self.count += len(words)
        if self.count > self.spill_rows:
            self.spill = _NumericSpill(self.partitions, self.directory, self.kind)
            for w, r in zip(self.words, self.rows, strict=True):  # chunk by chunk: no copy of them all
                self.spill.write_words(w, None if isinstance(r, int) else r, r if isinstance(r, int) else 0)
            self.words, self.rows, self.count = [], [], 0

    def take(self) -> tuple[np.ndarray, np.ndarray]:
        """Every key kept in memory with its row number, in row order; the store is left empty."""
        if not self.words:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        words = np.concatenate(self.words) if len(self.words) > 1 else self.words[0]
        rows = np.concatenate([np.arange(r, r + len(w), dtype=np.int64) if isinstance(r, int) else r
                               for w, r in zip(self.words, self.rows, strict=True)])
        self.words, self.rows, self.count = [], [], 0
        return words, rows

    def duplicates(self) -> tuple[np.ndarray, dict[int, Any]]:
        """The rows repeating an earlier key, ascending, and the key values of the first five."""
        if self.spill is not None:
            return self.spill.duplicates()
        if not self.words:
            return np.zeros(0, dtype=np.int64), {}
        words, rows = self.take()
        where = _numeric_duplicates(words, None)  # positions in row order: the rows come ascending
        dup_rows = rows[where].astype(np.int64)
        return dup_rows, dict(zip(dup_rows[:5].tolist(), words[where[:5]].tolist(), strict=True))

    def close(self) -> None:
        if self.spill is not None:
            self.spill.close()


_INT64_MIN, _INT64_MAX = -(1 << 63), (1 << 63) - 1
_STRIDE_REACH = 1 << 62  # keys further apart than this are not looked at for a common spacing
_PIECE = 1 << 16  # rows checked against the window at a time: a row's position fits in two bytes
_LOW_BYTE = (np.arange(_PIECE) & 0xFF).astype(np.uint8)
_HIGH_BYTE = (np.arange(_PIECE) >> 8).astype(np.uint8)


class _IntegerKeys:
    """One integer (temporal, boolean) key column: a direct-address window plus a general store.

    The window is the keys ``first``..``last`` that are ``origin`` plus a multiple of ``step``;
    ``seen[i]`` is the byte of the key ``origin + i * step`` (0: not seen yet, 1: seen). ``step`` is 1
    unless the keys were too sparse for a window but all evenly spaced (``stride``, seen on at
    least ``STRIDE_EVIDENCE`` keys): then the window holds that lattice, and keys off it go to the
    general store (they never equal a key on it). It opens over the range of the keys so far as soon as that range is
    dense (at most ``DENSE_FACTOR`` values per key row, rows so far or ``expected_rows``, or
    ``DENSE_FLOOR`` values whatever the rows) and under ``cap`` bytes, while the keys so far are still
    in memory: they are moved into it. It grows when later batches fall outside it, while it stays
    dense and under the cap. It never grows over a value already sent to the general store (``below``
    / ``above`` bound it), so each key value lives in exactly one of the two, and the union is exact.

    ``seen`` is ``cap`` bytes of zeroed address space from the start: the pages are only backed by
    memory once touched, so it costs about one byte per value between the smallest and largest key,
    and growing it in the direction of ``origin``'s room copies nothing.

    A batch is checked as it arrives, 64 Ki rows at a time, in O(rows): a gather of ``seen`` finds the
    repeats of earlier rows; two scatters of the row's position (low byte, then high byte) into the
    rows' slots find every key repeated within the piece (two rows of one key cannot share both
    bytes, so one of them reads back another row's byte); only those keys are then ordered, to keep
    their first row. When most rows repeat earlier keys, only the others go through the scatters.
    """

    DENSE_FACTOR = 32
    DENSE_FLOOR = 1 << 20
    STRIDE_EVIDENCE = 4096  # keys needed before their common spacing shapes the window

    def __init__(self, kind: pa.DataType, cap: int, spill_rows: int, partitions: int,
                 directory: str | None, expected_rows: int | None = None) -> None:
        self.kind = kind
        self.cap = cap
        self.seen: np.ndarray | None = None
        self.origin = 0  # the key of ``seen[0]``
        self.step = 1  # ``seen[i]`` is the key ``origin + i * step``
        self.first, self.last = 0, -1
        self.anchor: int | None = None  # the first key: while there is no window, ``stride`` is the
        self.stride: int | None = 0  # gcd of every key's distance from it (None: too far apart to tell)
        self.hull: tuple[int, int] | None = None  # the smallest and largest key while there is no window
        self.expected = expected_rows or 0
        self.below: int | None = None  # the largest key sent to ``rest`` below the window
        self.above: int | None = None  # the smallest key sent to ``rest`` above the window
        self.valid = 0  # rows with a key so far
        self.rest = _NumericKeys(kind, spill_rows, partitions, directory)
        self.dups: list[np.ndarray] = []
        self.samples: dict[int, Any] = {}  # row -> key of the first repeats found in the window
        self.null_rows: list[np.ndarray] = []

    @property
    def spilled(self) -> bool:
        return self.rest.spill is not None

    @property
    def window(self) -> tuple[int, int] | None:
        return None if self.seen is None else (self.first, self.last)

    def add(self, arr: pa.Array, start: int) -> None:
        typed = _keys_of(arr, start, self.kind, self.null_rows)
        if typed is None:
            return
        arr = typed
        words = _as_numbers(arr)
        rows: np.ndarray | None = None
        if arr.null_count:
            valid = pc.is_valid(arr).to_numpy(zero_copy_only=False)
            self.null_rows.append(np.flatnonzero(~valid).astype(np.int64) + start)
            rows = np.flatnonzero(valid).astype(np.int64) + start
            words = words[valid]
        if len(words) == 0:
            return
        if words.dtype != np.int64 and words.dtype != np.uint64:
            words = words.astype(np.int64)
        lo, hi = int(words.min()), int(words.max())
        self.valid += len(words)
        if self.seen is None and self.stride is not None and self.rest.spill is None:
            self._stride(lo, hi, words)
        self._fit(lo, hi, words)
        if self.seen is None:
            self.rest.add(words, rows if rows is not None else start)
            return
        first, last, step = self.first, self.last, self.step
        covered = first <= lo and hi <= last
        if step == 1:
            if covered:
                self._check(words, rows, start)
                return
            inside = (words >= first) & (words <= last)
        else:  # keys off the window's lattice never equal one on it: they go to the general store
            inside = words % step == self.origin % step
            if covered and inside.all():
                self._check(words, rows, start)
                return
            if not covered:
                inside &= (words >= first) & (words <= last)
        out = ~inside
        outside = words[out]
        self.rest.add(outside, rows[out] if rows is not None else np.flatnonzero(out).astype(np.int64) + start)
        low, high = outside[outside < first], outside[outside > last]
        if len(low):
            self.below = max(int(low.max()), self.below if self.below is not None else _INT64_MIN)
        if len(high):
            self.above = min(int(high.min()), self.above if self.above is not None else int(high.min()))
        if inside.any():
            self._check(words[inside], rows[inside] if rows is not None else np.flatnonzero(inside) + start, start)

    def _allowed(self) -> int:
        """How many values the window may span now."""
        rows = max(self.valid, self.expected)
        return min(self.cap, max(min(self.DENSE_FLOOR, self.cap), self.DENSE_FACTOR * rows))

    def _stride(self, lo: int, hi: int, words: np.ndarray) -> None:
        """Keep ``stride`` (the keys' common spacing: timestamps of whole seconds in microseconds,
        ids counted in tens) up to date with this batch's keys."""
        if self.anchor is None:
            self.anchor = lo
        a = self.anchor
        if max(abs(lo - a), abs(hi - a)) > _STRIDE_REACH:
            self.stride = None
            return
        if self.stride == 1:
            return
        if words.dtype == np.uint64:  # distances within 2**62: exact in wrapped 64-bit arithmetic
            gaps = (words - np.uint64(a % 2**64)).view(np.int64)
        else:
            gaps = words - np.int64(a)
        self.stride = math.gcd(self.stride or 0, int(np.gcd.reduce(gaps)))

    def _fit(self, lo: int, hi: int, words: np.ndarray) -> None:
        """Open the window over the keys so far, or grow it to cover this batch's ``lo``..``hi``."""
        allowed = self._allowed()
        if self.seen is None:
            if self.rest.spill is not None:
                return  # the keys so far were too sparse, and are on disk now: the general store takes all
            if self.hull is not None:
                lo, hi = min(lo, self.hull[0]), max(hi, self.hull[1])
            self.hull = (lo, hi)
            if hi > _INT64_MAX:
                return  # past int64: the general store keeps them
            if hi - lo + 1 > allowed:
                # sparse so far, unless the keys are evenly spaced (every key is anchor + k * stride, and
                # enough keys say so for it to be the data's own spacing, not a coincidence of a few)
                if self.stride is None or self.stride < 2 or self.valid < self.STRIDE_EVIDENCE \
                        or (hi - lo) // self.stride + 1 > allowed:
                    return  # the general store keeps them, in memory for now
                self.step = self.stride
            self._place(lo, hi, 0)
            kept, rows = self.rest.take()  # denser now: the keys kept so far are checked in the window
            if len(kept):
                self._check(kept, rows, 0)
            return
        first, last, step = self.first, self.last, self.step
        if first <= lo and hi <= last:
            return
        if step > 1:  # only the keys on the window's lattice can widen it
            words = words[words % step == self.origin % step]
            if not len(words):
                return
            lo, hi = int(words.min()), int(words.max())
            if first <= lo and hi <= last:
                return
        floor = self.below + 1 if self.below is not None else _INT64_MIN
        ceiling = self.above - 1 if self.above is not None else _INT64_MAX
        new_lo, new_hi = min(lo, first), max(hi, last)
        if new_lo < floor or new_hi > ceiling or (new_hi - new_lo) // step + 1 > allowed:
            # not all of it: grow each way as far as allowed, upward first (keys usually grow); the keys
            # left out go to the general store
            up = words[(words > last) & (words <= min(ceiling, first + (allowed - 1) * step))]
            new_hi = int(up.max()) if len(up) else last
            down = words[(words < first) & (words >= max(floor, new_hi - (allowed - 1) * step))]
            new_lo = int(down.min()) if len(down) else first
            if (new_lo, new_hi) == (first, last):
                return
        if self.origin <= new_lo and new_hi <= self.origin + (len(self.seen) - 1) * step:
            self.first, self.last = new_lo, new_hi  # inside the address space already: nothing to copy
            return
        old, old_origin = self.seen, self.origin
        # upward: all the room above; downward: half the room each side
        self._place(new_lo, new_hi, 0 if new_lo >= first else (self.cap - ((new_hi - new_lo) // step + 1)) // 2)
        at, count = (first - self.origin) // step, (last - first) // step + 1
        self.seen[at : at + count] = old[(first - old_origin) // step : (first - old_origin) // step + count]

    def _place(self, first: int, last: int, room: int) -> None:
        """A fresh (zeroed) address space of ``cap`` bytes with about ``room`` values below ``first``;
        the window ``first``..``last``."""
        step = self.step
        origin = first - min(room, (first - _INT64_MIN) // step) * step
        size = min(self.cap, (_INT64_MAX - origin) // step + 1)
        if origin + (size - 1) * step < last:
            origin = last - (size - 1) * step
        self.seen, self.origin, self.first, self.last = np.zeros(size, np.uint8), origin, first, last

    def _check(self, words: np.ndarray, rows: np.ndarray | None, start: int) -> None:
        """Mark keys inside the window as seen; record the rows repeating an earlier row's key."""
        seen = self.seen
        assert seen is not None
        if words.dtype == np.uint64:
            words = words.view(np.int64)  # every key in the window is at most 2**63 - 1: the same number
        offsets = words - np.int64(self.origin)
        if self.step > 1:
            offsets //= self.step
        offsets = offsets.astype(np.intp, copy=False)
        for s in range(0, len(offsets), _PIECE):
            at = offsets[s : s + _PIECE]
            m = len(at)
            repeat = seen[at] != 0  # seen in an earlier piece
            fresh: np.ndarray | None = None
            if np.count_nonzero(repeat) * 8 > m:  # mostly old keys: only the new ones can repeat in the piece
                fresh = np.flatnonzero(~repeat)
                at, low, high = at[fresh], _LOW_BYTE[fresh], _HIGH_BYTE[fresh]
            else:
                low, high = _LOW_BYTE[:m], _HIGH_BYTE[:m]
            seen[at] = low
            clash = seen[at] != low
            seen[at] = high
            clash |= seen[at] != high
            seen[at] = 1
            if clash.any():  # some keys repeat within the piece: find all their rows, keep each one's first
                keys = at[clash]
                seen[keys] = 2
                group = np.flatnonzero(seen[at] == 2)
                seen[keys] = 1
                ordered = np.argsort(at[group], kind="stable")  # by key, then row
                values = at[group][ordered]
                first = np.ones(len(values), dtype=bool)
                first[1:] = values[1:] != values[:-1]
                later = group[ordered[~first]]
                repeat[later if fresh is None else fresh[later]] = True
            where = np.flatnonzero(repeat)
            if not len(where):
                continue
            found = rows[s + where] if rows is not None else where.astype(np.int64) + (start + s)
            self.dups.append(found)
            for i, r in zip(where[: max(0, 5 - len(self.samples))].tolist(), found.tolist(), strict=False):
                self.samples[int(r)] = words[s + i].item()

    def finish(self, rows: int, columns: tuple[str, ...]) -> KeyOutcome:
        rest, values = self.rest.duplicates()
        own = np.concatenate(self.dups) if self.dups else np.zeros(0, dtype=np.int64)
        dup_rows = np.sort(np.concatenate([own, rest])) if len(rest) else own
        null_rows = np.concatenate(self.null_rows) if self.null_rows else np.zeros(0, dtype=np.int64)
        picked = _sample_rows(dup_rows, null_rows)
        values.update(self.samples)
        taken = [values.get(int(r)) for r in picked]
        return KeyOutcome(dup_rows.astype(np.int64), null_rows.astype(np.int64), rows, columns,
                          (_number_column(taken, self.kind),), picked)

    def close(self) -> None:
        self.rest.close()
        self.seen = None


def _integer_like(t: pa.DataType) -> bool:
    """Keys whose numbers (``_as_numbers``) are integers: the window can address them."""
    return bool(pa.types.is_integer(t) or pa.types.is_timestamp(t) or pa.types.is_date(t)
                or pa.types.is_time(t) or pa.types.is_boolean(t))


def _keys_of(arr: pa.Array, start: int, kind: pa.DataType, null_rows: list[np.ndarray]) -> pa.Array | None:
    """A batch's key column as ``kind``; ``None`` when there is nothing to check (no rows, or a
    null-typed column, whose rows are all added to ``null_rows``)."""
    n = len(arr)
    if n == 0:
        return None
    if pa.types.is_null(arr.type):
        null_rows.append(np.arange(start, start + n, dtype=np.int64))
        return None
    if arr.type != kind:  # the key columns come typed by the contract: this is a safety net
        arr = arr.cast(kind)
    return arr


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
