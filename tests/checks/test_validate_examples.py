"""The example pipeline's bad batch gives exactly the failed_rows of examples/data/expected_bad.json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from checks import validate
from contracts import load_contract

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = json.loads((ROOT / "examples" / "data" / "expected_bad.json").read_text())
CONTRACT = load_contract(ROOT / EXPECTED["contract"])
NOW = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_bad_batch_counts(suffix: str) -> None:
    path = ROOT / "examples" / "data" / Path(EXPECTED["file"]).with_suffix(suffix).name
    report = validate(path, CONTRACT, now=NOW)
    results = {r.rule: r for r in report.results}
    assert report.dataset == EXPECTED["dataset"] and report.rows == EXPECTED["rows"]
    assert {rule: results[rule].failed_rows for rule in EXPECTED["failed_rows"]} == EXPECTED["failed_rows"]
    assert {rule for rule in EXPECTED["passing"] if results[rule].passed} == set(EXPECTED["passing"])
    assert not report.passed


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_good_batch_passes(suffix: str) -> None:
    report = validate(ROOT / "examples" / "data" / f"raw_orders_good{suffix}", CONTRACT, now=NOW)
    assert report.passed
    assert [r.rule for r in report.results if not r.passed and r.severity == "error"] == []
