"""Drift at ingest, end to end: runs recorded in a real store become the baseline of the next batch."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from contracts import load_contract
from service.baselines import resolve_baseline
from service.store import open_store
from service.validation import run_validation

CONTRACT = """
apiVersion: v3.1.0
kind: DataContract
id: ingest-drift
version: 1.0.0
status: active
schema:
  - name: orders
    physicalName: raw.orders
    properties:
      - name: amount
        logicalType: number
        quality:
          - id: amount_drift
            type: custom
            engine: pactline
            severity: error
            implementation: {check: drift, method: psi, threshold: 0.1, baseline: BASELINE}
      - name: status
        logicalType: string
        quality:
          - id: status_drift
            type: custom
            engine: pactline
            severity: warning
            implementation: {check: drift, baseline: BASELINE}
"""


def _batch(rng: np.random.Generator, n: int, shift: float = 0.0, statuses=("a", "b", "c")) -> pa.Table:
    return pa.table({"amount": rng.normal(100 + shift, 10, n), "status": pa.array(rng.choice(statuses, n).tolist())})


def _drift(report) -> list[tuple[str | None, str, str, bool]]:
    return [(r.column, r.reason, r.severity, r.passed) for r in report.results if r.kind == "drift"]


def test_passed_runs_become_the_baseline_and_a_drifted_batch_is_blocked(tmp_path: Path) -> None:
    contract = load_contract(CONTRACT.replace("BASELINE", "7d"))
    store = open_store(f"sqlite:///{tmp_path / 'pactline.db'}")
    rng = np.random.default_rng(1)
    try:
        # runs are stamped with the wall clock (started_at), so this test lives in the present
        first = run_validation(contract, _batch(rng, 3_000), store=store)
        assert first.passed and [reason for _, reason, _, _ in _drift(first)] == ["no_baseline", "no_baseline"]
        for _ in range(2):
            assert run_validation(contract, _batch(rng, 3_000), store=store).passed
        stable = run_validation(contract, _batch(rng, 3_000), store=store)
        assert stable.passed
        assert _drift(stable) == [("amount", "no_drift", "error", True), ("status", "no_drift", "warning", True)]
        drifted = run_validation(contract, _batch(rng, 3_000, shift=6.0, statuses=("a", "b", "c", "d")), store=store)
        assert not drifted.passed
        assert sorted(_drift(drifted)) == [
            ("amount", "drift_detected", "error", False),
            ("status", "drift_detected", "warning", False),
            ("status", "new_category", "warning", False),
        ]
        # the blocked run is recorded but never joins the baseline
        later = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        baseline = resolve_baseline(store, contract, contract.dataset("raw.orders"), later)
        assert baseline is not None and baseline.rows == 4 * 3_000
    finally:
        store.close()


def test_pinned_file_baseline_and_a_broken_pin(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    ref = tmp_path / "reference.parquet"
    pq.write_table(_batch(rng, 5_000), ref)
    store = open_store(f"sqlite:///{tmp_path / 'pactline.db'}")
    try:
        contract = load_contract(CONTRACT.replace("BASELINE", f"'file:{ref}'"))
        report = run_validation(contract, _batch(rng, 3_000, shift=6.0), store=store)
        assert ("amount", "drift_detected", "error", False) in _drift(report)
        broken = load_contract(CONTRACT.replace("BASELINE", "'run:no-such-run'"))
        report = run_validation(broken, _batch(rng, 3_000, shift=6.0), store=store)
        assert report.passed and {reason for _, reason, _, _ in _drift(report)} == {"no_baseline"}
    finally:
        store.close()
