"""``pactline validate``: the pipeline hook. Exit 0 passed, 1 blocked, 2 bad input or usage."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

__all__ = ["validate"]


def _fail(message: str) -> NoReturn:
    click.echo(f"pactline: {' '.join(message.split())}", err=True)
    sys.exit(2)


def _one_blas_thread() -> None:
    """One OpenBLAS thread in this short-lived process, unless OPENBLAS_NUM_THREADS says otherwise.

    A validation does no linear algebra, yet numpy's OpenBLAS starts a thread per core when it is
    loaded, and those threads busy-wait before they sleep: importing numpy cost 160 ms of CPU
    instead of 80 (110 ms wall instead of 90 on 2 cores, the spinning thread taking the core
    the import runs on). Only a process that has not loaded numpy yet can still choose.
    """
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def _memory_pool() -> None:
    """jemalloc for Arrow's buffers in this short-lived process, unless ARROW_DEFAULT_MEMORY_POOL says otherwise.

    A validation pass allocates and frees a batch's buffers over and over; jemalloc hands freed pages
    back sooner than Arrow's default (mimalloc): peak memory of the 5 M-row bench run 371 -> 308 MiB,
    at the same speed.
    """
    import contextlib
    import os

    if os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        return
    import pyarrow as pa

    with contextlib.suppress(NotImplementedError):  # a pyarrow built without jemalloc keeps its default
        pa.set_memory_pool(pa.jemalloc_memory_pool())


def _parse_now(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        _fail(f"--now {text!r} is not an ISO 8601 time, e.g. 2026-10-01T12:00:00Z")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


# checks.readers.BATCH_ROWS, written out: importing checks here would load numpy before
# _one_blas_thread() runs (a test keeps the two equal)
BATCH_ROWS = 131_072


@click.command("validate")
@click.argument("contract_path", metavar="CONTRACT")
@click.argument("data", nargs=-1, required=True, metavar="DATA...")
@click.option("--dataset", help="Which schema object of the contract (physicalName or name).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: a table for people; json: the report (docs/report.md).")
@click.option("--quarantine", "quarantine", type=click.Path(file_okay=False), default=None,
              help="Keep a blocked batch in DIR/<dataset>/<run_id>/ with report.json.")
@click.option("--split", is_flag=True, help="With --quarantine: write accepted.parquet and rejected.parquet.")
@click.option("--move", is_flag=True, help="With --quarantine: move the input files instead of copying them.")
@click.option("--store", "store_url", default=None, help="Store URL (default $PACTLINE_STORE or .pactline/pactline.db).")
@click.option("--no-store", is_flag=True,
              help="Do not record the run (then no column profile is built, and Parquet columns no rule "
                   "reads are not decoded).")
@click.option("--fail-on", type=click.Choice(["error", "warning"]), default="error", show_default=True,
              help="Which failed severities block the batch.")
@click.option("--batch-size", type=click.IntRange(min=1), default=BATCH_ROWS, show_default=True,
              help="Rows per Arrow batch (memory is bounded by it).")
@click.option("--now", "now_text", default=None,
              help="Validate as of this time (ISO 8601; default: now): SLA checks, the drift baseline "
                   "and the time the run is recorded at (for backfills).")
def validate(contract_path: str, data: tuple[str, ...], dataset: str | None, fmt: str, quarantine: str | None,
             split: bool, move: bool, store_url: str | None, no_store: bool, fail_on: str, batch_size: int,
             now_text: str | None) -> None:
    """Validate DATA (Parquet file/dir/glob, CSV, NDJSON, Arrow IPC) against a contract's dataset.

    \b
    The dataset is --dataset, the contract's only one, or the one named like the file.
    Exit codes: 0 passed (warnings allowed), 1 blocked by the contract,
    2 bad input or usage (unreadable data, a contract with problems, an unknown dataset).
    \b
    Examples:
      pactline validate orders.odcs.yaml batch.parquet
      pactline validate orders.odcs.yaml 'landing/*.parquet' --quarantine q --split --format json
    """
    _one_blas_thread()  # before checks imports numpy
    from checks.errors import DataError, DatasetError
    from contracts import ContractError, load_contract

    _memory_pool()

    if (split or move) and not quarantine:
        _fail("--split and --move need --quarantine DIR")
    if no_store and store_url:
        _fail("--store and --no-store exclude each other")
    now = _parse_now(now_text)
    try:
        contract = load_contract(Path(contract_path) if Path(contract_path).exists() else contract_path,
                                 name=contract_path)
    except ContractError as exc:
        first = exc.problems[0] if exc.problems else None
        more = f" (+{len(exc.problems) - 1} more)" if len(exc.problems) > 1 else ""
        _fail(f"{first}{more}; run `pactline contract lint {contract_path}`" if first else str(exc))
    store = None
    if not no_store:
        from service.store import StoreError, open_store

        try:
            store = open_store(store_url)
        except StoreError as exc:
            _fail(str(exc))
    from service.cli import started
    from service.validation import validate_and_keep

    started()  # imports and the contract are loaded: the data pass begins
    paths: Any = list(data) if len(data) > 1 else data[0]
    try:
        with _progress(fmt) as progress:
            report, kept = validate_and_keep(
                contract, paths, dataset=dataset, store=store, quarantine=quarantine, split=split, move=move,
                fail_on=fail_on, batch_size=batch_size, now=now, progress=progress,
            )
    except (DataError, DatasetError) as exc:
        _fail(str(exc))
    finally:
        if store is not None:
            store.close()
    _print(report, fmt, str(kept) if kept else None)
    sys.exit(0 if report.passed else 1)


def _print(report: Any, fmt: str, kept: str | None) -> None:
    if fmt == "json":
        body = report.to_dict()
        body["quarantine"] = kept
        click.echo(json.dumps(body, indent=2, default=str))
        return
    from service.reports.terminal import render_plain, render_rich

    if sys.stdout.isatty():
        from rich.console import Console

        render_rich(report, Console(), kept)
    else:
        click.echo(render_plain(report, kept), nl=False)


class _progress:
    """A rich progress bar on stderr when it is a terminal and the text format is chosen; else nothing."""

    def __init__(self, fmt: str) -> None:
        self.enabled = fmt == "text" and sys.stderr.isatty()
        self._bar: Any = None
        self._task: Any = None

    def __enter__(self) -> Any:
        if not self.enabled:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._bar = Progress(TextColumn("validating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                             console=Console(stderr=True), transient=True)
        self._bar.__enter__()
        self._task = self._bar.add_task("rows", total=None)

        def update(rows: int, total: int | None) -> None:
            self._bar.update(self._task, completed=rows, total=total)

        return update

    def __exit__(self, *exc: Any) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)
