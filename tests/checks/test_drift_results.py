"""Drift at ingest: ``drift_results`` turns a contract's drift rules into rule results."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from checks.drift import REASONS, drift_results
from checks.profile import profile_table
from contracts.loader import load_contract

CONTRACT = """
apiVersion: v3.1.0
kind: DataContract
id: drift-test
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
            implementation: {check: drift, method: psi, threshold: 0.1, minRows: 500}
      - name: currency
        logicalType: string
        quality:
          - type: custom
            engine: pactline
            severity: warning
            implementation: {check: drift}
      - name: note
        logicalType: string
"""


def _data(rng: np.random.Generator, n: int, *, shift: float = 0.0, null_share: float = 0.0,
          currencies=("EUR", "USD", "GBP"), p=(0.5, 0.3, 0.2)) -> pa.Table:
    amount = rng.lognormal(3.0 + shift, 0.5, n)
    return pa.table(
        {
            "amount": pa.array(amount, mask=rng.random(n) < null_share),
            "currency": pa.array(rng.choice(list(currencies), n, p=list(p)).tolist()),
            "note": pa.array(["x"] * n),
        }
    )


def _setup():
    contract = load_contract(CONTRACT)
    return contract, contract.dataset("raw.orders")


def test_stable_batch_passes_every_drift_rule() -> None:
    contract, obj = _setup()
    rng = np.random.default_rng(1)
    results = drift_results(contract, obj, profile_table(_data(rng, 20_000)), profile_table(_data(rng, 5_000)))
    assert [(r.rule, r.reason, r.kind, r.column, r.severity, r.passed) for r in results] == [
        ("amount_drift", "no_drift", "drift", "amount", "error", True),
        ("raw.orders.currency.quality[0]", "no_drift", "drift", "currency", "warning", True),
    ]
    assert results[0].threshold == {"method": "psi", "threshold": 0.1, "alpha": 1e-4}
    assert results[1].threshold["method"] == "js_distance"


def test_shifted_amount_fails_its_error_rule_only() -> None:
    contract, obj = _setup()
    rng = np.random.default_rng(2)
    results = drift_results(contract, obj, profile_table(_data(rng, 20_000)), profile_table(_data(rng, 5_000, shift=0.3)))
    failing = [(r.column, r.reason, r.severity) for r in results if not r.passed]
    assert failing == [("amount", "drift_detected", "error")]
    assert results[0].observed["score"] > 0.1


def test_null_share_and_category_findings_are_separate_results() -> None:
    contract, obj = _setup()
    rng = np.random.default_rng(3)
    base = profile_table(_data(rng, 20_000))
    cur = profile_table(_data(rng, 5_000, null_share=0.25, currencies=("EUR", "USD", "CHF"), p=(0.5, 0.3, 0.2)))
    results = drift_results(contract, obj, base, cur)
    got = sorted((r.column, r.reason, r.passed) for r in results)
    assert got == [
        ("amount", "no_drift", True),
        ("amount", "null_share_drifted", False),
        ("currency", "drift_detected", False),
        ("currency", "new_category", False),
        ("currency", "vanished_category", False),
    ]
    new = next(r for r in results if r.reason == "new_category")
    assert new.observed["value"] == "CHF" and abs(new.observed["share"] - 0.2) < 0.03


def test_no_baseline_and_too_few_rows() -> None:
    contract, obj = _setup()
    rng = np.random.default_rng(4)
    cur = profile_table(_data(rng, 300))
    assert [(r.reason, r.passed) for r in drift_results(contract, obj, None, cur)] == [
        ("no_baseline", True), ("no_baseline", True)
    ]
    results = drift_results(contract, obj, profile_table(_data(rng, 5_000)), cur)
    assert [(r.column, r.reason, r.passed) for r in results] == [
        ("amount", "insufficient_rows", True),  # minRows 500 on amount
        ("currency", "no_drift", True),  # default minRows 100
    ]


def test_row_count_change_needs_the_number_of_baseline_runs() -> None:
    contract, obj = _setup()
    rng = np.random.default_rng(5)
    base = profile_table(_data(rng, 30_000))
    cur = profile_table(_data(rng, 1_000))
    assert all(r.reason != "row_count_changed" for r in drift_results(contract, obj, base, cur))
    results = drift_results(contract, obj, base, cur, baseline_runs=3)  # 10 000 rows per run, now 1 000
    change = [r for r in results if r.reason == "row_count_changed"]
    assert len(change) == 1 and change[0].severity == "warning" and not change[0].passed
    assert all(r.reason in REASONS for r in results)


def test_every_drift_rule_of_a_column_gets_its_result() -> None:
    text = CONTRACT.replace(
        "            implementation: {check: drift, method: psi, threshold: 0.1, minRows: 500}",
        "            implementation: {check: drift, method: psi, threshold: 0.1, minRows: 500}\n"
        "          - id: amount_drift_loose\n            type: custom\n            engine: pactline\n"
        "            severity: warning\n            implementation: {check: drift, method: ks, threshold: 0.9}",
    )
    contract = load_contract(text)
    obj = contract.dataset("raw.orders")
    rng = np.random.default_rng(6)
    results = drift_results(contract, obj, profile_table(_data(rng, 20_000)), profile_table(_data(rng, 5_000, shift=0.3)))
    assert [(r.rule, r.reason, r.severity) for r in results if r.column == "amount"] == [
        ("amount_drift", "drift_detected", "error"),
        ("amount_drift_loose", "no_drift", "warning"),
    ]
    assert [r.rule for r in drift_results(contract, obj, None, profile_table(_data(rng, 10)))] == [
        "amount_drift", "amount_drift_loose", "raw.orders.currency.quality[0]"
    ]
