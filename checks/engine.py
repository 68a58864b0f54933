"""The validation pass: read -> type -> profile -> evaluate -> decide, in one read of the data.

``validate(data, contract)`` returns a ``Report``; ``run(...)`` also returns the failing row
numbers per rule (for quarantine ``--split``) when asked with ``track_rows=True``.

Per batch: the contract's columns are typed (``checks.casting``), the batch is added to the
profile (``checks.profile.DatasetProfile.update``), every row rule counts its failing rows with
vectorised Arrow kernels, key trackers collect key columns, and the SLA element's newest value is
kept. At the end: exact key uniqueness, SQL rules on DuckDB over the same batches (kept only when
the dataset has SQL rules), drift against a baseline, and one ``RuleResult`` per rule.

A run without a profile (``profile=False``) of Parquet files reads only the columns a rule has to
look at (``_projection``): a column whose only check is its type, stored as that type, is judged on
the schema, and columns outside the contract are named by it. The results are the same.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from queue import Empty, Full, Queue
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from checks.casting import always_conforms, conform, family
from checks.errors import DataError, DatasetError
from checks.keys import KeyOutcome, KeyTracker
from checks.readers import BATCH_ROWS, BatchSource, batch_stats, open_source
from checks.results import Report, RuleResult
from checks.rules import BatchRule, Ctx, KeyRule, Plan, RowRule, build_plan
from checks.sketches import release_scratch
from contracts.model import Contract, SchemaObject

__all__ = ["Outcome", "run", "select_dataset", "validate"]

SAMPLES = 5
PROFILE_ROWS = 131_072  # rows handed to the profile workers at a time (larger: more memory in flight)
# Shares of the columns profiled at once: one on the validating thread, the others on worker threads.
# One (no workers) costs the least CPU and, on two cores with the read on its own thread, no more wall
# time than two or three: the threads' handing the GIL back and forth cost more than they overlap.
PROFILE_LANES = 1
Progress = Callable[[int, int | None], None]


@dataclass
class Outcome:
    """A report plus what quarantine needs: failing row numbers per rule and the source read."""

    report: Report
    source: BatchSource | None = None
    failing_rows: dict[str, np.ndarray] = field(default_factory=dict)


def select_dataset(contract: Contract, dataset: str | None = None, source: str | None = None) -> SchemaObject:
    """The schema object to validate: ``dataset`` (qualified or plain name), the only one, or a match with the file name."""
    objs = contract.datasets
    choices = tuple(o.qualified_name for o in objs)
    names = ", ".join(choices) or "(none)"
    if dataset:
        for o in objs:
            if dataset in (o.qualified_name, o.name, o.physical_name):
                return o
        raise DatasetError(f"the contract has no dataset {dataset!r}; it has: {names}", choices)
    if len(objs) == 1:
        return objs[0]
    if not objs:
        raise DatasetError("the contract declares no dataset (schema is empty)")
    if source:
        stem = Path(source.split(" (+")[0]).name.split(".")[0].lower()
        hits = [o for o in objs if any(n and (n.lower() == stem or n.lower().replace(".", "_") in stem
                                              or n.lower() in stem.split("_"))
                                       for n in (o.name, o.physical_name))]
        if len(hits) == 1:
            return hits[0]
    raise DatasetError(f"the contract has several datasets; choose one with --dataset: {names}", choices)


def validate(
    data: Any,
    contract: Contract,
    *,
    dataset: str | None = None,
    now: dt.datetime | None = None,
    fail_on: str = "error",
    batch_size: int = BATCH_ROWS,
    baseline: Any = None,
) -> Report:
    """Validate a batch against one dataset of a contract; the ``Report`` says whether it passed."""
    return run(data, contract, dataset=dataset, now=now, fail_on=fail_on, batch_size=batch_size,
               baseline=baseline).report


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return dt.datetime.now(dt.UTC)
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def _json_types(plan: Plan) -> dict[str, pa.DataType]:
    """How NDJSON columns are read: numbers and booleans natively, everything else as text."""
    out: dict[str, pa.DataType] = {}
    for col, t in plan.targets.items():
        fam = family(t)
        out[col] = {"integer": pa.int64(), "number": pa.float64(), "boolean": pa.bool_()}.get(fam, pa.string())
    return out


def run(
    data: Any,
    contract: Contract,
    *,
    dataset: str | None = None,
    now: dt.datetime | None = None,
    fail_on: str = "error",
    batch_size: int = BATCH_ROWS,
    baseline: Any = None,
    track_rows: bool = False,
    progress: Progress | None = None,
    run_id: str | None = None,
    source: BatchSource | None = None,
    profile: bool = True,
) -> Outcome:
    """The whole pass; see the module docstring. Raises ``DataError`` / ``DatasetError`` only.

    ``profile=False``: no column profile is built (``report.profile`` is None), for a run whose
    profile nothing keeps or compares; the results are the same. A drift ``baseline`` needs it."""
    if fail_on not in ("error", "warning"):
        raise ValueError("fail_on is 'error' or 'warning'")
    if baseline is not None and not profile:
        raise ValueError("drift against a baseline compares this run's profile: profile=False cannot have one")
    started = dt.datetime.now(dt.UTC)
    moment = _now(now)
    if source is None and isinstance(data, BatchSource):
        source = data
    hint = source.name if source is not None else (str(data[0]) if isinstance(data, list | tuple) and data
                                                     else str(data) if isinstance(data, str | Path) else None)
    obj = select_dataset(contract, dataset, hint)
    plan = build_plan(contract, obj, moment)
    if source is None:
        source = open_source(data, batch_size=batch_size, json_types=_json_types(plan))
    projection = None if profile else _projection(plan, source)
    state = _State(plan, track_rows, source.rows_hint, profile=profile)
    if projection is not None:
        state.skip(projection[1], source.schema)
    try:
        try:
            for batch in _prefetch(source.batches(projection[0] if projection is not None else None)):
                state.add(batch)
                if progress is not None:
                    progress(state.rows, source.rows_hint)
        except BaseException:
            state.abandon()
            raise
        if state.batches == 0:
            raise DataError(source.name, "no batch could be read (no header or schema)")
        results, failing = state.finish(contract, obj, baseline)
    finally:
        release_scratch()  # a service thread keeps no working space between validations
    finished = dt.datetime.now(dt.UTC)
    if now is not None:
        # A run "as of" another time (a backfill, a replay, a test) is recorded at that time, so
        # the windows of drift baselines and lineage impact see it where it belongs.
        started, finished = moment, moment + (finished - started)
    report = Report(
        run_id=run_id or uuid.uuid4().hex,
        dataset=obj.qualified_name,
        contract_id=contract.id,
        contract_version=contract.version,
        rows=state.rows,
        started_at=started,
        finished_at=finished,
        results=tuple(results),
        fail_on=fail_on,
        profile=state.profile,
        source=source.name,
        extra={"now": moment.isoformat(), "format": source.kind, "settled_by_statistics": state.settled},
    )
    return Outcome(report, source, failing)


def _projection(plan: Plan, source: BatchSource) -> tuple[list[str], dict[str, str]] | None:
    """The columns to read when no profile is built, and the contract's columns left unread (each
    with the type the schema gives it); ``None``: read everything (the schema is not known before
    reading, or SQL rules may query any column)."""
    schema = source.schema
    if schema is None or source.open_columns is None or plan.has_sql:
        return None
    needed: set[str] = set(plan.freshness_columns)
    for rule in plan.row_rules:
        if rule.reason != "type_mismatch" and rule.column is not None:
            needed.add(rule.column)
        if rule.sample_column is not None and rule.sample_column != rule.column:
            needed.add(rule.sample_column)
    for key in plan.key_rules:
        needed.update(key.columns)
    read: set[str] = set()
    unread: dict[str, str] = {}
    for col, target in plan.targets.items():
        name = _file_column(schema, col, plan.props[col].physical_name)
        if name is None:
            continue  # absent: found so by the pass, as without a projection
        t = schema.field(name).type
        if col in needed or not always_conforms(t, target):
            read.add(name)
        else:
            unread[col] = str(t)
    return [n for n in schema.names if n in read], unread


def _file_column(schema: pa.Schema, col: str, physical: str | None) -> str | None:
    """The data's name for a contract column, found as ``_State._check`` finds it."""
    if schema.get_field_index(col) >= 0:
        return col
    return physical if physical and schema.get_field_index(physical) >= 0 else None


def _lanes(schema: pa.Schema, lanes: int, spent: dict[str, float] | None = None,
           busy: list[float] | None = None) -> list[list[str]]:
    """Split the columns in ``lanes`` groups of about equal profiling cost: the CPU time each column
    took so far (``spent``) once every column has some, else a guess by kind (numbers cost the most).
    ``busy``: what each lane already does besides (then in the same unit as ``spent``)."""
    from checks.profile import column_kind

    def guess(t: pa.DataType) -> float:
        kind = column_kind(t)
        if kind in ("numeric", "temporal"):
            return 4.0
        if kind == "categorical":
            return 1.0 if pa.types.is_dictionary(t) or pa.types.is_boolean(t) else 3.0
        return 0.2

    measured = spent is not None and all(spent.get(f.name) for f in schema)
    costs = {f.name: spent[f.name] if measured and spent is not None else guess(f.type) for f in schema}
    groups: list[list[str]] = [[] for _ in range(lanes)]
    load = list(busy) if measured and busy is not None else [0.0] * lanes
    for f in sorted(schema, key=lambda f: -costs[f.name]):
        i = load.index(min(load))
        groups[i].append(f.name)
        load[i] += costs[f.name]
    return groups


def _profile_lane(profile: Any, work: list[tuple[pa.RecordBatch, Any]], names: list[str],
                  spent: dict[str, float]) -> None:
    clock = time.thread_time
    for batch, sampler in work:
        for name in names:
            began = clock()
            profile.update_columns(batch, (name,), sampler)
            spent[name] = spent.get(name, 0.0) + clock() - began


class _State:
    def __init__(self, plan: Plan, track_rows: bool, rows_hint: int | None = None, *, profile: bool = True) -> None:
        from checks.profile import DatasetProfile

        self.plan = plan
        self.track = track_rows
        self.rows = 0
        self.batches = 0
        self.profile: DatasetProfile | None = DatasetProfile() if profile else None
        self.absent_rows: dict[str, int] = dict.fromkeys(plan.targets, 0)
        self.seen_columns: dict[str, str] = {}  # every column seen -> its first Arrow type
        self.kept: list[pa.RecordBatch] = []
        self.newest: dict[str, Any] = {}
        keysets = {k.columns for k in plan.key_rules}
        self.trackers = {cols: KeyTracker(cols, expected_rows=rows_hint) for cols in keysets}
        self.physical: dict[str, str] = {}
        self.unread: set[str] = set()  # contract columns judged on the schema, not read (``skip``)
        self.settled = 0  # rule x batch evaluations skipped on row-group statistics
        self._worker: ThreadPoolExecutor | None = None  # started on the first hand-over to a worker
        self._pending: list[Future[None]] = []
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0
        self._spent: dict[str, float] = {}  # profiling CPU seconds per column so far, to balance the lanes
        self._checking = 0.0  # CPU seconds this thread spent on everything but its share of the profile

    def flush_profile(self) -> None:
        """Profile the buffered batches: the columns split in ``PROFILE_LANES`` groups of about equal
        cost (as measured on the batches so far), the first one on this thread next to its rules and
        keys, the others on the workers. A column's batches stay in order: the workers' previous
        tasks are done before the next start, and this thread's share is done when it returns."""
        if not self._buffer or self.profile is None:
            return
        batches, self._buffer, self._buffered = self._buffer, [], 0
        self.drain()
        work = [(b, self.profile.begin(b)) for b in batches]
        lanes = max(1, PROFILE_LANES)
        if lanes == 1:
            own, others = list(batches[0].schema.names), []
        else:
            groups = _lanes(batches[0].schema, lanes, self._spent, [self._checking] + [0.0] * (lanes - 1))
            own, others = groups[0], groups[1:]
        if others:
            worker = self._worker
            if worker is None:
                worker = self._worker = ThreadPoolExecutor(max_workers=len(others),
                                                           thread_name_prefix="pactline-profile")
            self._pending = [worker.submit(_profile_lane, self.profile, work, names, self._spent)
                             for names in others if names]
        if not others:
            for batch, sampler in work:  # nothing to balance: no timing
                self.profile.update_columns(batch, own, sampler)
        elif own:
            _profile_lane(self.profile, work, own, self._spent)

    def skip(self, unread: dict[str, str], schema: pa.Schema | None) -> None:
        """The contract's columns ``unread`` (with their types) are not read: present in every row
        and of their type. ``schema`` names every column of the data, read or not."""
        self.unread = set(unread)
        self.physical.update(unread)
        for f in schema or ():
            self.seen_columns.setdefault(f.name, str(f.type))

    def abandon(self) -> None:
        """The read failed: stop the profile worker and drop what was collected (spilled keys too)."""
        self._buffer = []
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
        self.trackers.clear()

    def drain(self) -> None:
        """Wait for the profile updates in flight (re-raising the first error)."""
        pending, self._pending = self._pending, []
        for future in pending:
            future.result()

    def add(self, batch: pa.RecordBatch) -> None:
        began = time.thread_time()
        self._check(batch)
        self._checking += time.thread_time() - began
        if self.profile is not None and (self._buffered >= PROFILE_ROWS or PROFILE_LANES <= 1):
            self.flush_profile()  # on this thread alone: each batch while it is still in the CPU cache

    def _check(self, batch: pa.RecordBatch) -> None:
        plan = self.plan
        n = batch.num_rows
        self.batches += 1
        names = batch.schema.names
        for name, column in zip(names, batch.columns, strict=True):
            self.seen_columns.setdefault(name, str(column.type))
        raw: dict[str, pa.Array] = {}
        typed: dict[str, pa.Array] = {}
        bad: dict[str, pa.Array | None] = {}
        for col, target in plan.targets.items():
            idx = batch.schema.get_field_index(col)
            if idx < 0:
                prop = plan.props[col]
                idx = batch.schema.get_field_index(prop.physical_name) if prop.physical_name else -1
            if idx < 0:
                if col not in self.unread:
                    self.absent_rows[col] += n
                continue
            arr = batch.column(idx)
            self.physical.setdefault(col, str(arr.type))
            raw[col] = arr
            typed[col], bad[col] = conform(arr, target)
        ctx = Ctx(self.rows, n, raw, typed, bad)
        stats = batch_stats(batch)
        for rule in plan.row_rules:
            if rule.column is not None and rule.column not in raw:
                continue
            if stats and rule.settled is not None and bad.get(rule.column or "") is None \
                    and raw[rule.column or ""].type == plan.targets.get(rule.column or "") and rule.settled(stats):
                self.settled += 1
                continue
            if not self.track and len(rule.samples) >= SAMPLES:
                # only the count is wanted: a mask that can count without building itself does
                counter = getattr(rule.mask, "count", None)
                hits = counter(ctx) if counter is not None else None
                if hits is not None:
                    rule.count += hits
                    continue
            mask = rule.mask(ctx)
            if mask is None:
                continue
            if isinstance(mask, pa.ChunkedArray):
                mask = mask.combine_chunks()
            if mask.null_count:
                mask = mask.fill_null(False)
            hits = pc.sum(mask).as_py() or 0
            if not hits:
                continue
            rule.count += hits
            if self.track or len(rule.samples) < SAMPLES:
                where = np.flatnonzero(mask.to_numpy(zero_copy_only=False))
                if self.track:
                    rule.rows.append(where + self.rows)
                for i in where[: SAMPLES - len(rule.samples)]:
                    rule.samples.append(_sample(int(i) + self.rows, rule.sample_column, raw, int(i)))
        for cols, tracker in self.trackers.items():
            tracker.add([typed.get(c) for c in cols], n)
        for col in plan.freshness_columns:
            arr = typed.get(col)
            if arr is not None and len(arr) and arr.null_count < len(arr):
                top = pc.max(arr).as_py()
                if top is not None and (col not in self.newest or top > self.newest[col]):
                    self.newest[col] = top
        out_cols = {**{c: typed[c] for c in typed}}
        for name, column in zip(names, batch.columns, strict=True):
            if name not in plan.targets and name not in out_cols:
                out_cols[name] = column
        conformed = pa.RecordBatch.from_pydict(out_cols) if out_cols else batch
        # The profile is built in batches of about PROFILE_ROWS rows, a share of the columns on the
        # workers while this thread checks the next batches and profiles its own share (Arrow and
        # numpy release the GIL in their kernels); one update in flight at a time keeps the order.
        if self.profile is not None:
            if self._buffer and not self._buffer[0].schema.equals(conformed.schema):
                self.flush_profile()
            self._buffer.append(conformed)
            self._buffered += n
        if plan.has_sql:
            self.kept.append(conformed)
        self.rows += n

    def finish(self, contract: Contract, obj: SchemaObject, baseline: Any) -> tuple[list[RuleResult], dict[str, np.ndarray]]:
        self.flush_profile()
        self.drain()
        if self._worker is not None:
            self._worker.shutdown()
        plan = self.plan
        rows = self.rows
        keys: dict[tuple[str, ...], KeyOutcome] = {cols: t.finish() for cols, t in self.trackers.items()}
        sandbox = None
        if plan.has_sql:
            from checks.sql import SqlSandbox

            schema = _unified_schema(self.kept)
            table = pa.Table.from_batches([_align(b, schema) for b in self.kept], schema=schema) if self.kept else \
                pa.table({})
            self.kept = []
            sandbox = SqlSandbox(table, [obj.qualified_name, obj.name])
        results: list[RuleResult] = []
        failing: dict[str, np.ndarray] = {}
        try:
            for rule in plan.order:
                if isinstance(rule, RowRule):
                    result, rows_failed = self._row_result(rule, rows)
                elif isinstance(rule, KeyRule):
                    result, rows_failed = self._key_result(rule, keys[rule.columns], rows)
                else:
                    result, rows_failed = self._batch_result(rule, rows, sandbox), None
                if result is None:
                    continue
                results.append(result)
                if rows_failed is not None and not result.passed and self.track:
                    failing[result.rule] = rows_failed
        finally:
            if sandbox is not None:
                sandbox.close()
        results.extend(self._unexpected())
        if plan.has_drift:
            results.extend(_drift(contract, obj, baseline, self.profile))
        return results, failing

    def _row_result(self, rule: RowRule, rows: int) -> tuple[RuleResult | None, np.ndarray | None]:
        col = rule.column
        if col is not None and col in self.plan.targets and self.absent_rows.get(col) == rows and rows > 0:
            if rule.rule == f"{col}.logicalType":
                return None, None
            return RuleResult(rule.rule, "column_missing", rule.kind, col, rule.severity, False,
                              observed=None, threshold=rule.threshold,
                              message=f"column {col!r} is absent, so this rule could not be evaluated"), None
        passed, observed = rule.judge(rule.count, rows)
        failed_rows = 0 if passed else rule.count
        message = _row_message(rule, observed, self.physical.get(col or ""))
        result = RuleResult(rule.rule, "ok" if passed and rule.count == 0 else rule.reason, rule.kind, col,
                            rule.severity, passed, observed=observed, threshold=rule.threshold,
                            failed_rows=failed_rows, samples=tuple(rule.samples) if not passed else (),
                            message=message)
        if passed and rule.count:
            result = RuleResult(rule.rule, rule.reason, rule.kind, col, rule.severity, True, observed=observed,
                                threshold=rule.threshold, failed_rows=0, message=message)
        tracked = np.concatenate(rule.rows) if rule.rows else np.zeros(0, dtype=np.int64)
        return result, tracked

    def _key_result(self, rule: KeyRule, outcome: KeyOutcome, rows: int) -> tuple[RuleResult, np.ndarray]:
        absent = [c for c in rule.columns if self.absent_rows.get(c) == rows and rows > 0]
        if absent:
            return RuleResult(rule.rule, "column_missing", rule.kind, rule.column, rule.severity, False,
                              threshold=rule.threshold,
                              message=f"column(s) {', '.join(absent)} absent; uniqueness not evaluated"), \
                np.zeros(0, dtype=np.int64)
        bad_rows = outcome.duplicate_rows
        if rule.nulls_fail and len(outcome.null_rows):
            bad_rows = np.union1d(bad_rows, outcome.null_rows)
        count = len(bad_rows)
        passed, observed = rule.judge(count, rows)
        samples = outcome.samples(bad_rows) if not passed else ()
        what = ", ".join(rule.columns)
        message = (f"{len(outcome.duplicate_rows)} row(s) repeat an earlier {what}"
                   + (f"; {len(outcome.null_rows)} with a null key" if rule.nulls_fail and len(outcome.null_rows) else ""))
        return RuleResult(rule.rule, "ok" if count == 0 else rule.reason, rule.kind, rule.column, rule.severity, passed,
                          observed=observed, threshold=rule.threshold, failed_rows=0 if passed else count,
                          samples=samples, message=message), bad_rows

    def _batch_result(self, rule: BatchRule, rows: int, sandbox: Any) -> RuleResult | None:
        def result(reason: str, passed: bool, observed: Any = None, message: str = "", failed: int = 0) -> RuleResult:
            return RuleResult(rule.rule, reason, rule.kind, rule.column, rule.severity, passed, observed=observed,
                              threshold=rule.threshold, failed_rows=failed, message=message)

        if rule.what == "static":
            return result(rule.reason, bool(rule.passed), message=rule.message)
        if rule.what == "missing_column":
            col = rule.column or ""
            absent = self.absent_rows.get(col, 0)
            if absent == 0 or (rows == 0 and col in self.seen_columns):
                return result("ok", True, observed=self.physical.get(col))
            if rows == 0 and col not in self.seen_columns:
                return result("missing_column", False, message=f"column {col!r} is absent from the data")
            return result("missing_column", False, observed={"rows_without_column": absent}, failed=absent,
                          message=f"column {col!r} is absent from {absent} of {rows} rows' files")
        if rule.what == "row_count":
            assert rule.judge is not None
            passed, observed = rule.judge(rows, rows)
            return result("ok" if passed else "row_count", passed, observed,
                          f"{rows} rows" + ("" if passed else f"; the contract wants {rule.threshold}"))
        if rule.what == "freshness":
            seconds, now = rule.source
            newest = self.newest.get(rule.column or "")
            if newest is None:
                return result("stale", False, None, "no value of the SLA element in the batch")
            if isinstance(newest, dt.datetime):
                top = newest if newest.tzinfo else newest.replace(tzinfo=dt.UTC)
            else:
                top = dt.datetime.combine(newest, dt.time(), dt.UTC)
            age = (now - top).total_seconds()
            passed = age <= seconds
            return result("ok" if passed else "stale", passed, {"newest": top.isoformat(), "age_seconds": age},
                          f"newest {rule.column} is {age / 3600:.2f} h old (allowed {seconds / 3600:.2f} h)")
        if rule.what == "sql":
            assert sandbox is not None and rule.judge is not None
            outcome = sandbox.run(rule.source.query, rule.column)
            if outcome.error is not None:
                return result("sql_error", False, None, outcome.error)
            value = _json_value(outcome.value)
            if not isinstance(value, int | float) or isinstance(value, bool):
                return result("sql_error", False, value, "the query's first value is not a number")
            passed, observed = rule.judge(value, rows)  # type: ignore[arg-type]
            failed = int(value) if not passed and isinstance(value, int) and 0 <= value <= rows else 0
            return result("ok" if passed else "sql_failed", passed, observed,
                          f"the query returned {value}", failed)
        return None

    def _unexpected(self) -> list[RuleResult]:
        policy = self.plan.unexpected_policy
        if policy == "allow":
            return []
        declared = set(self.plan.targets) | {p.physical_name for p in self.plan.props.values() if p.physical_name}
        severity = "error" if policy == "block" else "warning"
        return [RuleResult(f"{name}.unexpected", "unexpected_column", "schema", name, severity, False,
                           observed=t, threshold=policy,
                           message=f"column {name!r} ({t}) is not in the contract (pactline.unexpectedColumns: {policy})")
                for name, t in self.seen_columns.items() if name not in declared]


def _prefetch(batches: Iterator[pa.RecordBatch], depth: int = 2) -> Iterator[pa.RecordBatch]:
    """Read the next batches on a thread while the current one is checked (at most ``depth`` ahead)."""
    done = object()
    queue: Queue[Any] = Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for batch in batches:
                while not stop.is_set():
                    try:
                        queue.put(batch, timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(done)
        except BaseException as exc:  # handed to the consumer, raised there
            queue.put(exc)

    thread = threading.Thread(target=produce, name="pactline-read", daemon=True)
    thread.start()
    try:
        while True:
            item = queue.get()
            if item is done:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while thread.is_alive():
            try:
                queue.get_nowait()
            except Empty:
                thread.join(timeout=0.05)


def _drift(contract: Contract, obj: SchemaObject, baseline: Any, profile: Any) -> list[RuleResult]:
    try:
        from checks.drift import drift_results
    except ImportError:  # pragma: no cover - the drift module ships with checks
        return []
    out = []
    for r in drift_results(contract, obj, baseline, profile):
        if r.reason == "no_baseline":
            r = RuleResult(r.rule, r.reason, r.kind, r.column, "info", True, r.observed, r.threshold, 0, (), r.message)
        out.append(r)
    return out


def _unified_schema(batches: list[pa.RecordBatch]) -> pa.Schema:
    fields: dict[str, pa.Field] = {}
    for b in batches:
        for f in b.schema:
            if f.name not in fields or pa.types.is_null(fields[f.name].type):
                fields[f.name] = f
    return pa.schema(list(fields.values()))


def _align(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    cols = []
    for f in schema:
        idx = batch.schema.get_field_index(f.name)
        if idx < 0:
            cols.append(pa.nulls(batch.num_rows, f.type))
        else:
            col = batch.column(idx)
            cols.append(col if col.type == f.type else col.cast(f.type))
    return pa.RecordBatch.from_arrays(cols, schema=schema)


def _sample(row: int, column: str | None, raw: dict[str, pa.Array], i: int) -> dict[str, Any]:
    item: dict[str, Any] = {"row": row}
    if column is not None and column in raw:
        item[column] = _json_value(raw[column][i].as_py())
    return item


def _json_value(v: Any) -> Any:
    if isinstance(v, Decimal):
        return float(v)
    if isinstance(v, float) and not math.isfinite(v):
        return str(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _row_message(rule: RowRule, observed: Any, physical: str | None) -> str:
    if rule.reason == "type_mismatch":
        return f"{rule.count} value(s) of {rule.column} ({physical}) are not {rule.threshold}"
    return f"{rule.count} row(s) {rule.reason.replace('_', ' ')}" if rule.count else "no failing rows"
