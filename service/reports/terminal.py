"""A validation report for people: a rich table on a terminal, plain stable lines elsewhere.

Plain form (not a terminal; stable, for logs and tests)::

    raw.orders: BLOCKED  1200 rows  contract pactline-example-raw-orders 1.2.0  run <run_id>
    FAIL  error    amount.required           null_values         3 rows  amount
    ...
    46 rules: 9 failed (7 blocking), 37 passed

Failing rules come first (blocking ones before the rest), then the passing ones.
"""

from __future__ import annotations

from typing import Any

from checks.results import Report, RuleResult

__all__ = ["render_plain", "render_rich", "status_word"]


def status_word(report: Report, r: RuleResult) -> str:
    if r.passed:
        return "PASS" if r.reason not in ("not_applicable", "no_baseline") else "SKIP"
    return "FAIL" if report.blocks(r) else "WARN"


def _ordered(report: Report) -> list[RuleResult]:
    def key(r: RuleResult) -> int:
        return {"FAIL": 0, "WARN": 1, "SKIP": 3}.get(status_word(report, r), 2)

    return sorted(report.results, key=key)


def _observed(r: RuleResult) -> str:
    if r.failed_rows:
        return f"{r.failed_rows} rows"
    if r.observed is None or isinstance(r.observed, dict | list):
        return ""
    return str(r.observed)


def _summary(report: Report) -> str:
    failed = [r for r in report.results if not r.passed]
    blocking = [r for r in failed if report.blocks(r)]
    return (f"{len(report.results)} rules: {len(failed)} failed ({len(blocking)} blocking), "
            f"{len(report.results) - len(failed)} passed")


def _head(report: Report) -> str:
    verdict = "PASSED" if report.passed else "BLOCKED"
    return (f"{report.dataset}: {verdict}  {report.rows} rows  contract {report.contract_id} "
            f"{report.contract_version}  run {report.run_id}")


def render_plain(report: Report, quarantine: str | None = None) -> str:
    lines = [_head(report)]
    rows = _ordered(report)
    width = max((len(r.rule) for r in rows), default=10)
    for r in rows:
        lines.append(f"{status_word(report, r):<5} {r.severity:<8} {r.rule:<{width}}  {r.reason:<18} "
                     f"{_observed(r):>10}  {r.column or ''}".rstrip())
    lines.append(_summary(report))
    if quarantine:
        lines.append(f"quarantined: {quarantine}")
    return "\n".join(lines) + "\n"


def render_rich(report: Report, console: Any, quarantine: str | None = None) -> None:
    from rich.table import Table

    verdict = "[bold green]PASSED[/]" if report.passed else "[bold red]BLOCKED[/]"
    table = Table(title=f"{report.dataset}: {verdict}  ·  {report.rows:,} rows  ·  contract "
                        f"{report.contract_id} {report.contract_version}", title_justify="left")
    for name in ("", "severity", "rule", "reason", "failed", "column"):
        table.add_column(name, no_wrap=True, justify="right" if name == "failed" else "left")
    table.add_column("detail", overflow="fold", ratio=1)
    colour = {"FAIL": "red", "WARN": "yellow", "PASS": "green", "SKIP": "dim"}
    for r in _ordered(report):
        word = status_word(report, r)
        table.add_row(f"[{colour[word]}]{word}[/]", r.severity, r.rule, r.reason, _observed(r), r.column or "",
                      r.message if not r.passed else "")
    console.print(table)
    console.print(_summary(report) + f"  ·  run {report.run_id}")
    if quarantine:
        console.print(f"quarantined: {quarantine}")
