"""docs/drift.md documents every reason code, default and JSON key of the drift engine."""

from __future__ import annotations

from pathlib import Path

from checks.drift import (
    ALPHA,
    DEFAULT_METHOD,
    DEFAULT_MIN_ROWS,
    DEFAULT_THRESHOLDS,
    PSI_EPSILON,
    REASONS,
    ColumnDrift,
    DatasetDrift,
)

DOC = (Path(__file__).resolve().parents[2] / "docs" / "drift.md").read_text(encoding="utf-8")


def test_every_reason_code_is_documented() -> None:
    for reason in REASONS:
        assert f"| `{reason}` |" in DOC, reason


def test_defaults_are_the_documented_ones() -> None:
    for method, threshold in DEFAULT_THRESHOLDS.items():
        assert f"| `{method}` |" in DOC and f"| {threshold:g}" in DOC, method
    assert set(DEFAULT_METHOD.values()) == {"psi", "js_distance"}
    assert ALPHA == 1e-4 and "ALPHA (1e-4)" in DOC
    assert PSI_EPSILON == 1e-4 and "`PSI_EPSILON` = 1e-4" in DOC
    assert f"`minRows` defaults to {DEFAULT_MIN_ROWS}" in DOC


def test_every_json_key_is_in_the_documented_example() -> None:
    column = ColumnDrift(column="c", kind="numeric", method="psi", score=0.1, threshold=0.03, drifted=True,
                         severity="error", reason="drift_detected")
    for key in [*column.to_dict(), "history"]:
        assert f'"{key}":' in DOC, key
    for key in DatasetDrift("d", (), 1, 1).to_dict():
        assert f'"{key}":' in DOC, key
