"""Drift baselines: what a batch's profile is compared with.

A baseline is one of (the ``baseline`` setting of a dataset's drift rule, default ``28d``):

- ``<n>h`` / ``<n>d`` / ``<n>w``: a rolling window of the dataset's *passed* runs that started
  in ``[now - window, now)``, their profiles merged (``Store.profiles``) — a merge, not a re-read;
- ``run:<run_id>``: the profile recorded with that run (pinned);
- ``file:<path>``: a data file read and profiled against the contract (pinned).

``resolve_baseline(store, contract, obj, now)`` is what ingest calls; ``load_baseline`` also
says how many runs were merged (row-count findings need it) and where the baseline came from.
``profile_source(data, obj)`` profiles any readable input typed by the contract; the drift
commands use it for files.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from checks.casting import conform, target_type
from checks.profile import DatasetProfile
from checks.readers import BATCH_ROWS, open_source

__all__ = [
    "DEFAULT_BASELINE",
    "HISTORY_DAYS",
    "Baseline",
    "BaselineError",
    "baseline_spec",
    "datasets_with_runs",
    "drift_report",
    "load_baseline",
    "parse_window",
    "profile_source",
    "resolve_baseline",
]

DEFAULT_BASELINE = "28d"
_WINDOW = re.compile(r"^\s*([1-9][0-9]*)\s*([hdw])\s*$")
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


class BaselineError(ValueError):
    """A baseline setting that cannot be used (bad window, unknown run, unreadable file); one-line message."""


@dataclass(frozen=True)
class Baseline:
    profile: DatasetProfile
    runs: int | None  # how many runs were merged (None for a file)
    source: str  # "28d" window description, "run:<id>", "file:<path>"
    run_ids: tuple[str, ...] = ()


def parse_window(text: str) -> dt.timedelta:
    """``24h`` / ``28d`` / ``2w`` as a timedelta (``BaselineError`` otherwise)."""
    m = _WINDOW.match(text or "")
    if not m:
        raise BaselineError(f"window {text!r} is not <n>h, <n>d or <n>w (e.g. 24h, 28d, 2w)")
    return dt.timedelta(**{_UNITS[m.group(2)]: int(m.group(1))})


def baseline_spec(obj: Any) -> str:
    """The dataset's baseline setting: the first drift rule's ``baseline``, else ``28d``."""
    from contracts.pactline import drift_rules, drift_settings

    for _, rule in drift_rules(obj):
        spec = drift_settings(rule).baseline
        if spec:
            return spec
    return DEFAULT_BASELINE


def profile_source(data: Any, obj: Any = None, *, batch_size: int = BATCH_ROWS) -> DatasetProfile:
    """Profile any readable input; with a schema object, columns are typed as the contract says first.

    Raises ``checks.errors.DataError`` when the input cannot be read.
    """
    json_types = None
    targets: dict[str, Any] = {}
    if obj is not None:
        for prop in obj.columns:
            if not prop.name:
                continue
            try:
                targets[prop.name] = target_type(prop)
            except (ValueError, KeyError):  # a type the casting layer does not know: profile as read
                continue
        json_types = dict(targets)
    source = open_source(data, batch_size=batch_size, json_types=json_types)
    prof = DatasetProfile()
    for batch in source.batches():
        if targets:
            arrays, names = [], []
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                target = targets.get(name)
                arrays.append(conform(column, target)[0] if target is not None else column)
                names.append(name)
            batch = pa.RecordBatch.from_arrays(arrays, names=names)
        prof.update(batch)
    return prof


_FILE_CACHE: dict[tuple[str, int, int, str], DatasetProfile] = {}
_FILE_CACHE_SIZE = 8


def _profile_file(path: Path, obj: Any) -> DatasetProfile:
    """A pinned baseline file's profile, read once per content (path, size, mtime) and dataset."""
    from checks.errors import DataError

    try:
        stat = path.stat()
        key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size, obj.qualified_name if obj is not None else "")
    except OSError:
        key = None
    if key is not None and key in _FILE_CACHE:
        return _FILE_CACHE[key]
    try:
        prof = profile_source(str(path), obj)
    except DataError as exc:
        raise BaselineError(f"baseline file: {exc}") from None
    if key is not None:
        if len(_FILE_CACHE) >= _FILE_CACHE_SIZE:
            _FILE_CACHE.pop(next(iter(_FILE_CACHE)))
        _FILE_CACHE[key] = prof
    return prof


def load_baseline(
    store: Any,
    contract: Any,
    obj: Any,
    now: dt.datetime,
    *,
    spec: str | None = None,
    base_dir: Path | None = None,
) -> Baseline | None:
    """The baseline of ``obj`` as of ``now`` (``None`` when the window holds no passed run)."""
    del contract  # settings live on the schema object
    spec = (spec or baseline_spec(obj)).strip()
    dataset = obj.qualified_name
    if spec.startswith("run:"):
        run_id = spec[4:]
        run = store.get_run(run_id) if store is not None else None
        if run is None:
            raise BaselineError(f"baseline run {run_id!r} is not in the store; check the id with `pactline runs`")
        if not run.get("profile"):
            raise BaselineError(f"baseline run {run_id!r} has no recorded profile")
        return Baseline(DatasetProfile.from_dict(run["profile"]), 1, spec, (run_id,))
    if spec.startswith("file:"):
        path = Path(spec[5:])
        if not path.is_absolute() and base_dir is not None:
            path = base_dir / path
        return Baseline(_profile_file(path, obj), None, spec)
    window = parse_window(spec)
    if store is None:
        return None
    rows = store.profiles(dataset, since=now - window, until=now, passed=True)
    if not rows:
        return None
    merged = DatasetProfile.merge_all(p for _, _, p in rows)
    return Baseline(merged, len(rows), spec, tuple(r for r, _, _ in rows))


def resolve_baseline(store: Any, contract: Any, obj: Any, now: dt.datetime) -> DatasetProfile | None:
    """The baseline profile for ingest drift (see the module docstring); ``None`` when there is none.

    Ingest never fails over a baseline: a pinned run that is not in the store or a baseline file
    that cannot be read also give ``None`` (the drift rules then report ``no_baseline``); the
    nightly ``drift report`` and ``load_baseline`` name the cause instead.
    """
    try:
        found = load_baseline(store, contract, obj, now)
    except BaselineError:
        return None
    return found.profile if found is not None else None


# ---------------------------------------------------------------------------- the nightly report
HISTORY_DAYS = 14


def _in(rows: list[tuple[str, dt.datetime, DatasetProfile]], since: dt.datetime, until: dt.datetime) -> list[DatasetProfile]:
    return [p for _, started, p in rows if since <= started < until]


def _contract_for(store: Any, dataset: str) -> tuple[Any, Any]:
    """The registered contract naming ``dataset`` and its schema object, or (None, None)."""
    from contracts import load_contract

    found = store.contract_for_dataset(dataset)
    if not found or not found.get("content"):
        return None, None
    try:
        contract = load_contract(found["content"])
    except Exception:  # a registered contract was linted when registered; be safe and judge with defaults
        return None, None
    return contract, contract.dataset(dataset)


def datasets_with_runs(store: Any, since: dt.datetime, until: dt.datetime) -> list[str]:
    """Every dataset with a run that started in ``[since, until)``, sorted."""
    names: set[str] = set()
    cursor = None
    while True:
        page, cursor = store.list_runs(since=since, until=until, limit=500, cursor=cursor)
        names.update(r["dataset"] for r in page)
        if not cursor:
            return sorted(names)


def drift_report(
    store: Any,
    now: dt.datetime,
    *,
    since: str = "24h",
    baseline: str | None = None,
    datasets: list[str] | None = None,
    history_days: int = HISTORY_DAYS,
) -> dict[str, Any]:
    """The nightly report: per dataset with runs in the last ``since``, that window against its baseline.

    ``baseline`` overrides each dataset's own setting (its drift rules' ``baseline``, default 28d).
    Each column also gets ``history``: its score per day for the last ``history_days`` days, each
    day against the baseline window just before it. The shape is documented in docs/drift.md.
    """
    from checks.drift import compare_profiles

    window = parse_window(since)
    if baseline is not None and not baseline.startswith(("run:", "file:")):
        parse_window(baseline)
    start = now - window
    names = list(dict.fromkeys(datasets)) if datasets else datasets_with_runs(store, start, now)
    out: list[dict[str, Any]] = []
    done: set[str] = set()
    for name in names:
        contract, obj = _contract_for(store, name)
        qualified = obj.qualified_name if obj is not None else name
        if qualified in done:
            continue
        done.add(qualified)
        spec = baseline or (baseline_spec(obj) if obj is not None else DEFAULT_BASELINE)
        pinned = spec.startswith(("run:", "file:"))
        span = dt.timedelta(0) if pinned else parse_window(spec)
        earliest = min(start, now - dt.timedelta(days=history_days)) - span
        rows = store.profiles(qualified, since=earliest, until=now, passed=True)
        current_profiles = _in(rows, start, now)
        if not current_profiles:
            continue
        current = DatasetProfile.merge_all(current_profiles)
        if pinned:
            found = load_baseline(store, contract, obj, now, spec=spec) if obj is not None else None
            base_profile, base_runs = (found.profile, found.runs) if found else (None, None)
        else:
            base_list = _in(rows, start - span, start)
            base_profile = DatasetProfile.merge_all(base_list) if base_list else None
            base_runs = len(base_list)
        entry: dict[str, Any] = {
            "dataset": qualified,
            "contract": {"id": contract.id, "version": contract.version} if contract is not None else None,
            "owners": list(contract.owners) if contract is not None else [],
            "baseline": spec,
            "current_runs": len(current_profiles),
        }
        if base_profile is None:
            entry.update(reason="no_baseline", reference_rows=0, current_rows=current.rows, baseline_runs=0,
                         row_count_changed=False, columns=[])
            out.append(entry)
            continue
        verdict = compare_profiles(base_profile, current, obj, dataset=qualified,
                                   baseline_runs=(base_runs * len(current_profiles)) if base_runs else None)
        doc = verdict.to_dict(plot=True)
        doc["baseline_runs"] = base_runs
        history = _history(rows, obj, now, span, pinned, base_profile, history_days, qualified)
        for col in doc["columns"]:
            col["history"] = history.get(col["column"], [])
        entry.update(doc)
        entry["dataset"] = qualified
        out.append(entry)
    return {
        "now": now.isoformat(),
        "since": since,
        "baseline": baseline or "per contract (default 28d)",
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "datasets": out,
    }


def _history(
    rows: list[tuple[str, dt.datetime, DatasetProfile]],
    obj: Any,
    now: dt.datetime,
    span: dt.timedelta,
    pinned: bool,
    pinned_profile: DatasetProfile,
    days: int,
    dataset: str,
) -> dict[str, list[dict[str, Any]]]:
    """Per column, the score of each of the last ``days`` days against the baseline before that day."""
    from checks.drift import compare_profiles

    labels: list[str] = []
    per_day: list[dict[str, Any]] = []
    for k in range(days - 1, -1, -1):
        day_end = now - dt.timedelta(days=k)
        day_start = day_end - dt.timedelta(days=1)
        day = _in(rows, day_start, day_end)
        base = pinned_profile if pinned else DatasetProfile.merge_all(_in(rows, day_start - span, day_start))
        labels.append((day_end - dt.timedelta(seconds=1)).date().isoformat())
        if not day or base.rows == 0:
            per_day.append({})
            continue
        current = DatasetProfile.merge_all(day)
        per_day.append({c.column: c for c in compare_profiles(base, current, obj, dataset=dataset).columns})
    names = {name for verdicts in per_day for name in verdicts}
    out: dict[str, list[dict[str, Any]]] = {}
    for name in names:
        items = []
        for label, verdicts in zip(labels, per_day, strict=True):
            c = verdicts.get(name)
            score = c.score if c is not None and c.score is not None and math.isfinite(c.score) else None
            items.append({"day": label, "score": score, "drifted": bool(c is not None and c.drifted)})
        out[name] = items
    return out
