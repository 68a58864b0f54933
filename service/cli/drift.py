"""``pactline drift``: compare two data files, or write the nightly drift report from the store."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["drift"]


def _fail(message: str) -> None:
    """Bad input or usage: one line on stderr, exit 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


def _strip_plots(doc: dict[str, Any]) -> dict[str, Any]:
    out = dict(doc)
    out["datasets"] = [
        {**d, "columns": [{k: v for k, v in c.items() if k != "plot"} for c in d.get("columns", [])]}
        for d in doc.get("datasets", [])
    ]
    return out


def _blocking(doc: dict[str, Any]) -> int:
    return sum(1 for d in doc.get("datasets", []) for c in d.get("columns", [])
               if c.get("findings") and c.get("severity") == "error")


def _text(doc: dict[str, Any]) -> str:
    lines = []
    for d in doc["datasets"]:
        lines.append(f"{d['dataset']}: {d['reference_rows']:,} reference rows, {d['current_rows']:,} current rows")
        width = max([len(c["column"]) for c in d["columns"]] + [6])
        lines.append(f"  {'column':<{width}}  {'method':<16} {'score':>9} {'threshold':>9}  {'severity':<8} verdict")
        for c in d["columns"]:
            score = "-" if c["score"] is None else f"{c['score']:.4f}"
            verdict = ", ".join(c["findings"]) or c["reason"]
            lines.append(
                f"  {c['column']:<{width}}  {c['method']:<16} {score:>9} {c['threshold']:>9.4g}  {c['severity']:<8} {verdict}"
            )
        drifted = [c["column"] for c in d["columns"] if c["findings"]]
        lines.append(f"  {len(drifted)} of {len(d['columns'])} columns with findings"
                     + (f": {', '.join(drifted)}" if drifted else ""))
    return "\n".join(lines)


def _load(contract_path: str, dataset: str | None) -> tuple[Any, Any]:
    from contracts import ContractError, load_contract

    try:
        contract = load_contract(Path(contract_path), name=contract_path)
    except ContractError as exc:
        first = exc.problems[0] if getattr(exc, "problems", None) else exc
        _fail(f"{first} (check the contract with `pactline contract lint {contract_path}`)")
    if dataset is None:
        if len(contract.datasets) != 1:
            names = ", ".join(o.qualified_name for o in contract.datasets)
            _fail(f"{contract_path} has {len(contract.datasets)} datasets ({names}); choose one with --dataset")
        return contract, contract.datasets[0]
    obj = contract.dataset(dataset)
    if obj is None:
        names = ", ".join(o.qualified_name for o in contract.datasets)
        _fail(f"dataset {dataset!r} is not in {contract_path}; it has: {names}")
    return contract, obj


@click.group("drift")
def drift() -> None:
    """Drift of column distributions: two files, or the nightly report from the store.

    \b
    Examples:
      pactline drift compare last_month.parquet today.parquet --contract orders.odcs.yaml
      pactline drift report --since 24h --baseline 28d --out drift.html --json drift.json
    """


@drift.command("compare")
@click.argument("reference", metavar="REFERENCE")
@click.argument("current", metavar="CURRENT")
@click.option("--contract", "contract_path", required=True, help="ODCS contract with the dataset's drift rules.")
@click.option("--dataset", default=None, help="Dataset (qualified or plain name) when the contract has several.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def compare(reference: str, current: str, contract_path: str, dataset: str | None, fmt: str) -> None:
    """Compare the CURRENT data file with the REFERENCE file, column by column.

    Columns with a drift rule use its method, threshold and severity; the others are
    judged with the defaults at severity info (docs/drift.md). The JSON has the shape of
    `drift report --json` for one dataset.

    \b
    Exit codes: 0 no drift at error severity, 1 a column drifted under an error rule,
    2 bad input (unreadable file or contract).
    """
    from checks.drift import compare_profiles
    from checks.errors import DataError
    from service.baselines import profile_source

    contract, obj = _load(contract_path, dataset)
    profiles = []
    for path in (reference, current):
        try:
            profiles.append(profile_source(path, obj))
        except DataError as exc:
            _fail(str(exc))
    verdict = compare_profiles(profiles[0], profiles[1], obj)
    doc = {"datasets": [{**verdict.to_dict(), "owners": list(contract.owners),
                         "contract": {"id": contract.id, "version": contract.version}}]}
    for col in doc["datasets"][0]["columns"]:
        col["history"] = []
    click.echo(json.dumps(doc, indent=2, default=str) if fmt == "json" else _text(doc))
    sys.exit(1 if _blocking(doc) else 0)


def _parse_now(text: str | None) -> dt.datetime:
    if text is None:
        return dt.datetime.now(dt.UTC)
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        _fail(f"--now {text!r} is not an ISO 8601 time (e.g. 2026-11-24T06:00:00+00:00)")
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@drift.command("report")
@click.option("--since", default="24h", show_default=True, help="The current window: runs in the last <n>h/<n>d/<n>w.")
@click.option("--baseline", default=None,
              help="Baseline window before it (<n>h/<n>d/<n>w) or run:<id>; default: each contract's setting, else 28d.")
@click.option("--dataset", "datasets", multiple=True, help="Only these datasets (repeatable); default: every one with runs.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Where to write the HTML report.")
@click.option("--json", "json_out", default=None, type=click.Path(dir_okay=False), help="Also write the JSON here.")
@click.option("--store", "store_url", default=None, help="Store URL (default: $PACTLINE_STORE or .pactline/pactline.db).")
@click.option("--now", "now_text", default=None, help="Pretend it is this time (ISO 8601); default: now.")
def report(since: str, baseline: str | None, datasets: tuple[str, ...], out: str, json_out: str | None,
           store_url: str | None, now_text: str | None) -> None:
    """The nightly job: every dataset with runs in the window against its baseline.

    Writes a self-contained HTML file (plots inline, opens offline) and optionally JSON
    (shape in docs/drift.md).

    \b
    Exit codes: 0 no drift at error severity, 1 a column drifted under an error rule,
    2 bad input (bad window or time, unreachable store, unwritable output).
    """
    from service.baselines import BaselineError, drift_report
    from service.reports.drift_html import render_drift_report
    from service.store import StoreError, open_store

    now = _parse_now(now_text)
    try:
        store = open_store(store_url)
    except StoreError as exc:
        _fail(str(exc))
    try:
        doc = drift_report(store, now, since=since, baseline=baseline, datasets=list(datasets) or None)
    except (BaselineError, StoreError) as exc:
        _fail(str(exc))
    finally:
        store.close()
    try:
        Path(out).write_text(render_drift_report(doc), encoding="utf-8")
        if json_out:
            Path(json_out).write_text(json.dumps(_strip_plots(doc), indent=2, default=str), encoding="utf-8")
    except OSError as exc:
        _fail(f"cannot write the report: {exc.strerror}: {exc.filename}")
    blocking = _blocking(doc)
    found = sum(1 for d in doc["datasets"] for c in d.get("columns", []) if c.get("findings"))
    click.echo(f"{len(doc['datasets'])} datasets checked, {found} columns with findings, {blocking} at error "
               f"severity; report written to {out}")
    sys.exit(1 if blocking else 0)
