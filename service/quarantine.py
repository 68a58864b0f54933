"""Quarantine: a blocked batch is kept aside with its report, never lost and never half-written.

Layout: ``DIR/<dataset>/<run_id>/`` holding ``report.json`` and either

- copies of the input files (``--move`` moves them instead, once the copies are safely in place;
  an in-memory input is written as ``data.parquet``), or
- with ``split``: ``accepted.parquet`` (rows that broke no blocking row-level rule) and
  ``rejected.parquet`` (the others, with ``_pactline_row`` -- the row's 0-based position in the
  input -- and ``_pactline_rules`` / ``_pactline_reasons``, list columns naming every blocking
  rule the row broke and its reason code). accepted + rejected rows == input rows.

Everything is written into a hidden ``.tmp-<run_id>`` directory beside the final one and renamed
into place at the end, so a crash leaves no partial quarantine; leftovers of a killed process are
removed by the next quarantine of that dataset (``.tmp-*`` older than an hour).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from checks.engine import Outcome
from checks.readers import BatchSource

__all__ = ["keep"]

STALE_SECONDS = 3600


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip(".") or "dataset"


def keep(outcome: Outcome, root: Path, *, split: bool = False, move: bool = False,
         report_dict: dict[str, Any] | None = None) -> Path:
    """Keep the batch of a blocked run under ``root``; returns the run's quarantine directory."""
    report = outcome.report
    base = Path(root) / _safe(report.dataset)
    base.mkdir(parents=True, exist_ok=True)
    _sweep(base)
    final = base / _safe(report.run_id)
    tmp = base / f".tmp-{_safe(report.run_id)}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    source = outcome.source
    try:
        if split:
            _split(outcome, tmp)
        elif source is not None and source.paths:
            for i, path in enumerate(source.paths):
                target = tmp / (path.name if len(source.paths) == 1 else f"{i:04d}-{path.name}")
                shutil.copy2(path, target)
        elif source is not None:
            _write(source, tmp / "data.parquet")
        body = dict(report_dict or report.to_dict())
        body["quarantine"] = str(final)
        (tmp / "report.json").write_text(json.dumps(body, indent=2, default=str) + "\n", encoding="utf-8")
        _fsync_dir(tmp)
        os.replace(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if move and source is not None:
        for path in source.paths:
            path.unlink(missing_ok=True)
    return final


def _sweep(base: Path) -> None:
    now = time.time()
    for leftover in base.glob(".tmp-*"):
        try:
            if now - leftover.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(leftover, ignore_errors=True)
        except OSError:
            continue


def _fsync_dir(path: Path) -> None:
    for f in path.iterdir():
        with f.open("rb") as handle:
            os.fsync(handle.fileno())


def _unify(schema: pa.Schema | None, batch: pa.RecordBatch) -> tuple[pa.Schema, pa.RecordBatch]:
    if schema is None:
        return batch.schema, batch
    if batch.schema == schema:
        return schema, batch
    cols = []
    for f in schema:
        idx = batch.schema.get_field_index(f.name)
        cols.append(pa.nulls(batch.num_rows, f.type) if idx < 0 else batch.column(idx).cast(f.type))
    return schema, pa.RecordBatch.from_arrays(cols, schema=schema)


def _write(source: BatchSource, path: Path) -> None:
    writer = None
    schema = None
    try:
        for batch in source.batches():
            schema, batch = _unify(schema, batch)
            if writer is None:
                writer = pq.ParquetWriter(path, schema)
            writer.write_batch(batch)
    finally:
        if writer is not None:
            writer.close()


def _split(outcome: Outcome, tmp: Path) -> None:
    """Second read of the input: rows of blocking row-level failures to rejected, the rest to accepted."""
    report = outcome.report
    source = outcome.source
    assert source is not None
    blocking = [r for r in report.results if report.blocks(r) and r.rule in outcome.failing_rows]
    marks = [(r.rule, r.reason, outcome.failing_rows[r.rule]) for r in blocking]
    rejected_rows = np.unique(np.concatenate([m[2] for m in marks])) if marks else np.zeros(0, dtype=np.int64)
    accepted_w = rejected_w = None
    schema = None
    offset = 0
    try:
        for batch in source.batches():
            schema, batch = _unify(schema, batch)
            n = batch.num_rows
            lo, hi = np.searchsorted(rejected_rows, [offset, offset + n])
            local = rejected_rows[lo:hi] - offset
            mask = np.zeros(n, dtype=bool)
            mask[local] = True
            if accepted_w is None:
                accepted_w = pq.ParquetWriter(tmp / "accepted.parquet", schema)
                rejected_schema = schema.append(pa.field("_pactline_row", pa.int64())).append(
                    pa.field("_pactline_rules", pa.list_(pa.string()))).append(
                    pa.field("_pactline_reasons", pa.list_(pa.string())))
                rejected_w = pq.ParquetWriter(tmp / "rejected.parquet", rejected_schema)
            accepted_w.write_batch(batch.filter(pa.array(~mask)))
            if len(local):
                rows = local + offset
                rules: list[list[str]] = [[] for _ in rows]
                reasons: list[list[str]] = [[] for _ in rows]
                for rule, reason, failing in marks:
                    hit = np.isin(rows, failing, assume_unique=True)
                    for j in np.flatnonzero(hit):
                        rules[j].append(rule)
                        reasons[j].append(reason)
                part = batch.take(pa.array(local))
                arrays = [*part.columns, pa.array(rows, pa.int64()), pa.array(rules, pa.list_(pa.string())),
                          pa.array(reasons, pa.list_(pa.string()))]
                assert rejected_w is not None
                rejected_w.write_batch(pa.RecordBatch.from_arrays(arrays, schema=rejected_w.schema))
            offset += n
    finally:
        if accepted_w is not None:
            accepted_w.close()
        if rejected_w is not None:
            rejected_w.close()
