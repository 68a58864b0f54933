"""Readers: every supported input becomes a stream of ``pyarrow.RecordBatch``.

Files: Parquet (a file, a directory of ``*.parquet`` files, or a glob), CSV, NDJSON and Arrow
IPC (file/Feather ``.arrow``/``.feather``/``.ipc``, stream ``.arrows``), chosen by suffix and,
failing that, by the file's first bytes. In Python also a ``pyarrow.Table``, a
``RecordBatchReader``, a pandas or a polars ``DataFrame``. Memory stays bounded by the batch size
(for Parquet: by a row group of up to 64 MiB, read at once because that costs less CPU): files are
read batch by batch, never whole.

Text formats arrive as text and are typed by ``checks.casting`` against the contract:

- CSV: every column is read as a string; an *unquoted* empty field is null, a quoted empty
  field (``""``) is the empty string. The first line is the header.
- NDJSON: columns the contract types as integer, number or boolean are read as JSON numbers and
  booleans, everything else as strings (so a timestamp is cast from its text). A value of the
  wrong JSON kind (``"4x2"`` where a number is due) makes the file unreadable: ``DataError``.

Anything unreadable -- missing, empty, corrupt, not UTF-8, a ragged CSV row -- raises
``checks.errors.DataError`` with a one-line cause, also when found half-way through the stream.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from checks.errors import DataError

__all__ = ["BATCH_ROWS", "FORMATS", "STATS_KEY", "BatchSource", "batch_stats", "open_source"]

# Rows per batch by default. Larger batches cost less per row (fewer calls per value) and more memory:
# on the 5 M-row benchmark 64 Ki rows took 1.14 s and ~204 MiB, 128 Ki 1.00 s and ~237 MiB, 256 Ki 0.95 s
# and ~261 MiB (bench/validate.py).
BATCH_ROWS = 131_072

STATS_KEY = b"pactline.row_group_stats"


def batch_stats(batch: pa.RecordBatch) -> dict[str, list[Any]]:
    """The Parquet row-group statistics a batch carries: ``{column: [null_count, min, max]}`` (or empty)."""
    meta = batch.schema.metadata
    raw = meta.get(STATS_KEY) if meta else None
    if not raw:
        return {}
    import json

    return dict(json.loads(raw))

FORMATS: dict[str, str] = {
    ".parquet": "parquet", ".pq": "parquet", ".parq": "parquet",
    ".csv": "csv", ".txt": "csv",
    ".ndjson": "ndjson", ".jsonl": "ndjson", ".json": "ndjson",
    ".arrow": "ipc", ".feather": "ipc", ".ipc": "ipc",
    ".arrows": "ipc_stream",
}
_TEXT = ("csv",)


@dataclass
class BatchSource:
    """A re-openable stream of record batches and what it came from."""

    name: str  # what was read, for messages and the record
    kind: str  # parquet | csv | ndjson | ipc | ipc_stream | table | reader | pandas | polars
    text: bool  # values arrive as text and are typed against the contract
    open: Callable[[], Iterator[pa.RecordBatch]]
    paths: tuple[Path, ...] = ()
    rows_hint: int | None = None  # total rows when the format says so (Parquet footer, tables)
    bytes_hint: int | None = None
    rereadable: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    # Known before reading (Parquet: every file's footer gives the same schema): the batches' schema,
    # and a way to read only some of its columns.
    schema: pa.Schema | None = None
    open_columns: Callable[[list[str]], Iterator[pa.RecordBatch]] | None = None

    def batches(self, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        """The batches, opened afresh; read errors become ``DataError``. ``columns``: only these
        columns of ``schema`` (the others are not decoded), for a source with ``open_columns``."""
        if not self.rereadable:
            if self.extra.get("consumed"):
                raise DataError(self.name, "a RecordBatchReader can be read once; pass a Table to read it again")
            self.extra["consumed"] = True
        if columns is not None:
            if self.open_columns is None:
                raise ValueError(f"{self.kind} input cannot be read column by column")
            return _guarded(self.name, self.open_columns(columns))
        return _guarded(self.name, self.open())


def _guarded(name: str, it: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    try:
        yield from it
    except DataError:
        raise
    except (pa.ArrowException, OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(name, _cause(exc)) from None


def _cause(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return text or type(exc).__name__


def open_source(
    data: Any,
    *,
    batch_size: int = BATCH_ROWS,
    json_types: dict[str, pa.DataType] | None = None,
    format: str | None = None,
) -> BatchSource:
    """One ``BatchSource`` for any supported input (see the module docstring)."""
    if isinstance(data, pa.Table):
        table = data
        return BatchSource("<table>", "table", False, lambda: iter(table.to_batches(max_chunksize=batch_size)),
                           rows_hint=table.num_rows)
    if isinstance(data, pa.RecordBatch):
        batch = data
        return BatchSource("<batch>", "table", False, lambda: iter([batch]), rows_hint=batch.num_rows)
    if isinstance(data, pa.RecordBatchReader):
        reader = data
        return BatchSource("<reader>", "reader", False, lambda: iter(reader), rereadable=False)
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        table = pa.Table.from_pandas(data, preserve_index=False)
        return BatchSource("<pandas>", "pandas", False, lambda: iter(table.to_batches(max_chunksize=batch_size)),
                           rows_hint=table.num_rows)
    if module == "polars":
        table = data.to_arrow()
        return BatchSource("<polars>", "polars", False, lambda: iter(table.to_batches(max_chunksize=batch_size)),
                           rows_hint=table.num_rows)
    if isinstance(data, str | os.PathLike):
        return _files([data], batch_size, json_types, format)
    if isinstance(data, Sequence) and data and all(isinstance(d, str | os.PathLike) for d in data):
        return _files(list(data), batch_size, json_types, format)
    raise DataError(repr(type(data).__name__), "cannot read this kind of input; pass a path, a pyarrow Table or "
                    "RecordBatchReader, or a pandas/polars DataFrame")


def expand(items: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """Paths, directories (their data files, sorted) and globs as a list of files."""
    out: list[Path] = []
    for item in items:
        text = os.fspath(item)
        if any(ch in text for ch in "*?[") and not os.path.exists(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                raise DataError(text, "no file matches this pattern")
            out.extend(Path(m) for m in matches if os.path.isfile(m))
            continue
        path = Path(text)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in FORMATS
                           and not p.name.startswith((".", "_")))
            if not files:
                raise DataError(text, "the directory holds no data files (.parquet, .csv, .ndjson, .arrow)")
            out.extend(files)
        elif path.is_file():
            out.append(path)
        elif path.exists():
            raise DataError(text, "not a regular file")
        else:
            raise DataError(text, "no such file or directory")
    return out


def detect_format(path: Path) -> str:
    """The format of a file, by suffix, else by its first bytes."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt:
        return fmt
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise DataError(str(path), exc.strerror or str(exc)) from None
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1"):
        return "ipc"
    if head.lstrip().startswith(b"{"):
        return "ndjson"
    return "csv"


def _files(
    items: Sequence[str | os.PathLike[str]], batch_size: int, json_types: dict[str, pa.DataType] | None,
    format: str | None,
) -> BatchSource:
    paths = expand(items)
    formats = {format or detect_format(p) for p in paths}
    if len(formats) > 1:
        raise DataError(", ".join(str(p) for p in paths[:3]), f"mixed formats ({', '.join(sorted(formats))}); "
                        "validate one format at a time")
    fmt = formats.pop()
    for p in paths:
        try:
            size = p.stat().st_size
        except OSError as exc:
            raise DataError(str(p), exc.strerror or str(exc)) from None
        if size == 0:
            raise DataError(str(p), "the file is empty (0 bytes); a batch needs at least a header or schema")
    name = str(paths[0]) if len(paths) == 1 else f"{paths[0]} (+{len(paths) - 1} more)"
    opener = {"parquet": _parquet, "csv": _csv, "ndjson": _ndjson, "ipc": _ipc, "ipc_stream": _ipc_stream}[fmt]
    rows_hint, schema = _parquet_footers(paths) if fmt == "parquet" else (None, None)

    def open_all(columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
        for p in paths:
            try:
                yield from (opener(p, batch_size, json_types) if columns is None else _parquet(p, batch_size, None, columns))
            except DataError:
                raise
            except (pa.ArrowException, OSError, ValueError, UnicodeDecodeError) as exc:
                raise DataError(str(p), _cause(exc)) from None

    return BatchSource(name, fmt, fmt in _TEXT, open_all, paths=tuple(paths), rows_hint=rows_hint,
                       bytes_hint=sum(p.stat().st_size for p in paths), schema=schema,
                       open_columns=open_all if schema is not None else None)


def _parquet_footers(paths: list[Path]) -> tuple[int, pa.Schema | None]:
    """The rows of all the files, and their schema as read (dictionary columns as dictionaries) when
    every file has the same one."""
    import pyarrow.parquet as pq

    total = 0
    schemas: list[pa.Schema] = []
    for p in paths:
        try:
            with pq.ParquetFile(p) as pf:
                total += pf.metadata.num_rows
                schemas.append(_as_read(pf))
        except (pa.ArrowException, OSError) as exc:
            raise DataError(str(p), f"not a readable Parquet file: {_cause(exc)}") from None
    same = all(s.equals(schemas[0]) for s in schemas[1:])
    return total, schemas[0].remove_metadata() if schemas and same else None


def _as_read(pf: Any) -> pa.Schema:
    """A Parquet file's Arrow schema as ``_parquet`` reads it: its dictionary columns as dictionaries."""
    dictionary = set(_dictionary_columns(pf))
    return pa.schema([f.with_type(pa.dictionary(pa.int32(), f.type)) if f.name in dictionary else f
                      for f in pf.schema_arrow])


def _parquet(path: Path, batch_size: int, _: Any, columns: list[str] | None = None) -> Iterator[pa.RecordBatch]:
    """Row group by row group (reading ahead across groups would hold several in memory): a group of
    up to ``WHOLE_ROW_GROUP_BYTES`` is read at once and sliced, a larger one streamed; each
    batch carries its row group's column statistics (``STATS_KEY`` in the schema metadata).
    ``columns``: only these are decoded (the batches keep the row counts when it is empty)."""
    import pyarrow.parquet as pq

    with pq.ParquetFile(path) as probe:
        dictionary = _dictionary_columns(probe)
    with pq.ParquetFile(path, read_dictionary=dictionary or None) as pf:
        schema = pf.schema_arrow
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns], metadata=schema.metadata)
        empty = True
        for i in range(pf.num_row_groups):
            group = pf.metadata.row_group(i)
            stats = _row_group_stats(group, schema)
            if group.total_byte_size <= WHOLE_ROW_GROUP_BYTES:
                # one read of the whole group decodes its columns in parallel, at about 2/3 of the
                # CPU of streaming it batch by batch; the batches are zero-copy slices of it
                batches: Iterable[pa.RecordBatch] = pf.read_row_group(i, columns=columns, use_threads=True).to_batches(
                    max_chunksize=batch_size)
            else:
                batches = pf.iter_batches(batch_size=batch_size, row_groups=[i], columns=columns, use_threads=True)
            for batch in batches:
                empty = False
                yield batch.replace_schema_metadata({**(batch.schema.metadata or {}), STATS_KEY: stats}) \
                    if stats else batch
        if empty:
            yield pa.RecordBatch.from_pylist([], schema=schema)


DICTIONARY_PAGE_LIMIT = 256 * 1024
WHOLE_ROW_GROUP_BYTES = 64 * 1024 * 1024  # row groups up to this (uncompressed) are read at once


def _dictionary_columns(pf: Any) -> list[str]:
    """String columns stored dictionary-encoded throughout (a small dictionary page in every row
    group): read as Arrow dictionaries, so rules decide once per distinct value and count on the
    indices, and no string is materialised per row."""
    schema = pf.schema_arrow
    meta = pf.metadata
    out = []
    for j in range(meta.num_columns):
        name = meta.row_group(0).column(j).path_in_schema if meta.num_row_groups else None
        if name is None or schema.get_field_index(name) < 0:
            continue
        t = schema.field(name).type
        if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
            continue
        small = True
        for i in range(meta.num_row_groups):
            col = meta.row_group(i).column(j)
            if not col.has_dictionary_page or col.dictionary_page_offset is None:
                small = False
                break
            if col.data_page_offset - col.dictionary_page_offset > DICTIONARY_PAGE_LIMIT:
                small = False  # a big dictionary: likely fell back to plain pages
                break
        if small and meta.num_row_groups:
            out.append(name)
    return out


def _row_group_stats(meta: Any, schema: pa.Schema) -> bytes | None:
    """``{column: [null_count, min, max]}`` (JSON) for flat int/float columns with statistics."""
    import json

    out: dict[str, list[Any]] = {}
    for j in range(meta.num_columns):
        col = meta.column(j)
        name = col.path_in_schema
        if "." in name or schema.get_field_index(name) < 0:
            continue
        st = col.statistics
        if st is None or not st.has_null_count:
            continue
        t = schema.field(name).type
        lo = hi = None
        if st.has_min_max and (pa.types.is_integer(t) or pa.types.is_floating(t)):
            lo, hi = st.min, st.max
            if isinstance(lo, float) and (lo != lo or hi != hi):
                lo = hi = None
        out[name] = [st.null_count, lo, hi]
    return json.dumps(out).encode() if out else None


def _csv(path: Path, batch_size: int, _: Any) -> Iterator[pa.RecordBatch]:
    import pyarrow.csv as pacsv

    block = max(1 << 20, min(64 << 20, batch_size * 128))
    read = pacsv.ReadOptions(block_size=block, encoding="utf8")
    with pacsv.open_csv(path, read_options=read) as probe:
        names = probe.schema.names
    if len(set(names)) != len(names):
        raise DataError(str(path), "the header repeats a column name")
    convert = pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=True, null_values=[""],
        quoted_strings_can_be_null=False,
    )
    with pacsv.open_csv(path, read_options=read, convert_options=convert) as reader:
        empty = True
        for batch in reader:
            empty = False
            yield batch
        if empty:
            yield pa.RecordBatch.from_pylist([], schema=reader.schema)


def _ndjson(path: Path, batch_size: int, json_types: dict[str, pa.DataType] | None) -> Iterator[pa.RecordBatch]:
    import pyarrow.json as pj

    block = max(1 << 20, min(64 << 20, batch_size * 128))
    parse = pj.ParseOptions(
        explicit_schema=pa.schema(list((json_types or {}).items())), unexpected_field_behavior="infer"
    )
    reader = pj.open_json(path, read_options=pj.ReadOptions(block_size=block), parse_options=parse)
    yield from reader


def _ipc(path: Path, batch_size: int, _: Any) -> Iterator[pa.RecordBatch]:
    import pyarrow.ipc as ipc

    with pa.memory_map(str(path), "r") as source:
        try:
            reader = ipc.open_file(source)
        except pa.ArrowInvalid:
            source.seek(0)
            yield from _split(ipc.open_stream(source), batch_size)
            return
        for i in range(reader.num_record_batches):
            yield from _split([reader.get_batch(i)], batch_size)
        if reader.num_record_batches == 0:
            yield pa.RecordBatch.from_pylist([], schema=reader.schema)


def _ipc_stream(path: Path, batch_size: int, _: Any) -> Iterator[pa.RecordBatch]:
    import pyarrow.ipc as ipc

    with pa.OSFile(str(path), "rb") as source:
        yield from _split(ipc.open_stream(source), batch_size)


def _split(batches: Any, batch_size: int) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        if batch.num_rows <= batch_size:
            yield batch
        else:
            for start in range(0, batch.num_rows, batch_size):
                yield batch.slice(start, batch_size)
