"""One validation run as the pipeline hook and the HTTP batch endpoint both do it.

``run_validation`` = ``checks.engine.run`` (with the drift baseline resolved from the store when
the dataset has drift rules) + quarantine of a blocked batch + ``store.record_run``. The store is
touched only here, and only after the data was read: a batch that cannot be read (``DataError``)
or a dataset that cannot be chosen (``DatasetError``) records nothing and quarantines nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from checks.engine import Outcome, run, select_dataset
from checks.readers import BATCH_ROWS
from checks.results import Report
from contracts import Contract

__all__ = ["run_validation", "validate_and_keep"]


def _baseline(store: Any, contract: Contract, dataset: str | None, data: Any, now: dt.datetime | None) -> Any:
    """The drift baseline profile, when the dataset has drift rules, a store and a baseline exist."""
    if store is None:
        return None
    from contracts.pactline import drift_rules

    hint = str(data[0]) if isinstance(data, list | tuple) and data else str(data) if isinstance(data, str | Path) else None
    obj = select_dataset(contract, dataset, hint)
    if not drift_rules(obj):
        return None
    try:
        from service.baselines import resolve_baseline  # the drift engineer's module
    except ImportError:
        return None
    moment = now or dt.datetime.now(dt.UTC)
    return resolve_baseline(store, contract, obj, moment)


def validate_and_keep(
    contract: Contract,
    data: Any,
    *,
    dataset: str | None = None,
    store: Any = None,
    quarantine: str | Path | None = None,
    split: bool = False,
    move: bool = False,
    fail_on: str = "error",
    batch_size: int = BATCH_ROWS,
    now: dt.datetime | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[Report, Path | None]:
    """``run_validation`` that also says where the batch was quarantined (None when it passed)."""
    if (split or move) and quarantine is None:
        raise ValueError("split and move need a quarantine directory")
    if quarantine is not None and type(data).__name__ == "RecordBatchReader":
        data = data.read_all()  # a reader can be read once; quarantine reads the batch a second time
    baseline = _baseline(store, contract, dataset, data, now)
    # The profile is kept with the run in the store (drift compares it later); without a store
    # nothing would keep it, so it is not built.
    outcome: Outcome = run(data, contract, dataset=dataset, now=now, fail_on=fail_on, batch_size=batch_size,
                           baseline=baseline, profile=store is not None, track_rows=split and quarantine is not None,
                           progress=progress)
    report = outcome.report
    kept: Path | None = None
    if not report.passed and quarantine is not None:
        from service.quarantine import keep

        kept = keep(outcome, Path(quarantine), split=split, move=move)
        report = dataclasses.replace(report, extra={**report.extra, "quarantine": str(kept)})
    if store is not None:
        _register_contract(store, contract)
        store.record_run(report)
    return report, kept


def _register_contract(store: Any, contract: Contract) -> None:
    """Keep the contract a run was judged by in the registry, so the store can explain its runs later
    (owners and drift settings for the nightly report). Another contract already registered under the
    same id and version is left as it is: the run still names the id and version it was judged by."""
    try:
        done = _REGISTERED.setdefault(store, set())
    except TypeError:  # a store that cannot be weakly referenced: ask it every time
        done = set()
    if (contract.id, contract.version) in done:
        return  # put by this process already: the outcome cannot change (a registered version is immutable)
    from contracts import dump_contract

    store.put_contract(contract, dump_contract(contract))
    done.add((contract.id, contract.version))


# stores -> (id, version) of the contracts this process registered in them (writing the YAML costs ~13 ms)
_REGISTERED: weakref.WeakKeyDictionary[Any, set[tuple[str, str]]] = weakref.WeakKeyDictionary()


def run_validation(
    contract: Contract,
    data: Any,
    *,
    dataset: str | None = None,
    store: Any = None,
    quarantine: str | Path | None = None,
    split: bool = False,
    move: bool = False,
    fail_on: str = "error",
    batch_size: int = BATCH_ROWS,
    now: dt.datetime | None = None,
) -> Report:
    """Validate, quarantine a blocked batch, record the run; the ``Report`` says whether it passed."""
    report, _ = validate_and_keep(contract, data, dataset=dataset, store=store, quarantine=quarantine, split=split,
                                  move=move, fail_on=fail_on, batch_size=batch_size, now=now)
    return report
