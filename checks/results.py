"""Result types of a validation: one ``RuleResult`` per rule, one ``Report`` per run.

These are the public shapes behind ``pactline validate --format json`` and the HTTP API; the
field names and reason codes are a documented interface (docs/report.md).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

__all__ = ["KINDS", "BlockedError", "Report", "RuleResult"]

KINDS = ("schema", "completeness", "uniqueness", "validity", "volume", "freshness", "sql", "drift")


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule on one batch. Rules never raise: they return one of these."""

    rule: str  # stable id, e.g. "orders.amount.quality[0]" or "orders.customer_id.required"
    reason: str  # stable reason code, e.g. "null_values", "pattern_mismatch", "unsupported"
    kind: str  # one of KINDS
    column: str | None
    severity: str  # "error" | "warning" | "info"
    passed: bool
    observed: Any = None
    threshold: Any = None
    failed_rows: int = 0
    samples: tuple[dict[str, Any], ...] = ()
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "reason": self.reason,
            "kind": self.kind,
            "column": self.column,
            "severity": self.severity,
            "passed": self.passed,
            "observed": self.observed,
            "threshold": self.threshold,
            "failed_rows": self.failed_rows,
            "samples": list(self.samples),
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> RuleResult:
        return cls(
            rule=d["rule"], reason=d["reason"], kind=d["kind"], column=d.get("column"),
            severity=d["severity"], passed=bool(d["passed"]), observed=d.get("observed"),
            threshold=d.get("threshold"), failed_rows=int(d.get("failed_rows") or 0),
            samples=tuple(d.get("samples") or ()), message=d.get("message", ""),
        )


class BlockedError(Exception):
    """Raised by ``Report.raise_for_failure()`` when the batch is blocked."""

    def __init__(self, report: Report) -> None:
        self.report = report
        failing = [r for r in report.results if report.blocks(r)]
        names = ", ".join(f"{r.rule} ({r.reason})" for r in failing[:5])
        super().__init__(f"batch for {report.dataset} blocked by {len(failing)} rule(s): {names}")


@dataclass(frozen=True)
class Report:
    """One validation run of one batch against one dataset of one contract."""

    run_id: str
    dataset: str
    contract_id: str
    contract_version: str
    rows: int
    started_at: dt.datetime
    finished_at: dt.datetime
    results: tuple[RuleResult, ...]
    fail_on: str = "error"  # "error" or "warning": which severities block
    profile: Any = None  # checks.profile.DatasetProfile; kept for drift
    source: str | None = None  # what was read (paths), for the record
    extra: dict[str, Any] = field(default_factory=dict)

    def blocks(self, result: RuleResult) -> bool:
        if result.passed:
            return False
        blocking = {"error"} if self.fail_on == "error" else {"error", "warning"}
        return result.severity in blocking

    @property
    def passed(self) -> bool:
        return not any(self.blocks(r) for r in self.results)

    def raise_for_failure(self) -> None:
        if not self.passed:
            raise BlockedError(self)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "dataset": self.dataset,
            "contract": {"id": self.contract_id, "version": self.contract_version},
            "run_id": self.run_id,
            "rows": self.rows,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "fail_on": self.fail_on,
            "results": [r.to_dict() for r in self.results],
        }
