"""``pactline demo``: the main job on the bundled sample pipeline, step by step.

Every step is a real ``pactline`` command run as its own process, printed before it runs, so
what the demo shows is exactly what a pipeline would do. The demo passes when every step ends
with the exit code it should (the failing batch *must* be blocked with exit 1).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import click

__all__ = ["demo"]


@dataclass(frozen=True)
class Step:
    title: str
    args: tuple[str, ...]
    expect: int = 0
    capture_run_id: bool = False  # the step prints a JSON report; later steps may use its {run_id}


def _examples_dir() -> Path:
    for base in (Path.cwd(), Path(__file__).resolve().parents[2]):
        candidate = base / "examples"
        if (candidate / "contracts").is_dir():
            return candidate
    raise click.ClickException("cannot find the examples/ folder: run the demo from the pactline checkout")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(step: Step, env: dict[str, str], cwd: Path, found: dict[str, str]) -> bool:
    args = tuple(a.format(**found) if "{" in a else a for a in step.args)
    click.secho(f"\n== {step.title}", bold=True)
    click.secho("$ " + " ".join(["pactline", *args]), fg="cyan")
    cmd = [sys.executable, "-m", "service", *args]
    if step.capture_run_id:
        proc = subprocess.run(cmd, env=env, cwd=cwd, check=False, capture_output=True, text=True)
        sys.stderr.write(proc.stderr)
        try:
            report = json.loads(proc.stdout)
            found["run_id"] = report["run_id"]
            failed = sum(1 for r in report["results"] if not r["passed"])
            click.echo(f"run {report['run_id']}: passed={report['passed']}, {report['rows']} rows, "
                       f"{len(report['results'])} rules ({failed} not passed)")
        except (ValueError, KeyError, TypeError):
            click.echo(proc.stdout)
    else:
        proc = subprocess.run(cmd, env=env, cwd=cwd, check=False)
    ok = proc.returncode == step.expect
    verdict = "as expected" if ok else f"expected exit {step.expect}"
    click.secho(f"-> exit {proc.returncode} ({verdict})", fg="green" if ok else "red")
    return ok


def _drifted_columns(report_json: Path) -> list[str]:
    doc = json.loads(report_json.read_text(encoding="utf-8"))
    return [f"{d['dataset']}.{c['column']}" for d in doc["datasets"] for c in d["columns"] if c["drifted"]]


# The sample data are from the autumn of 2026: the demo runs "as of" then, so freshness SLAs read
# as they would have on the day, and the runs are recorded at those times.
BATCH_DAY = "2026-09-30T12:00:00Z"
REFERENCE_DAY = "2026-10-01T06:00:00Z"
CURRENT_DAY = "2026-10-02T06:00:00Z"
REPORT_TIME = "2026-10-02T12:00:00Z"


def _steps(ex: Path, work: Path) -> list[Step]:
    contracts = sorted(str(p) for p in (ex / "contracts").glob("*.odcs.yaml"))
    orders = str(ex / "contracts" / "raw_orders.odcs.yaml")
    data = ex / "data"
    drift = ex / "drift"
    return [
        Step("Lint the sample contracts", ("contract", "lint", *contracts)),
        Step("Validate a good batch of raw.orders",
             ("validate", orders, str(data / "raw_orders_good.parquet"), "--now", BATCH_DAY)),
        Step(
            "Validate a bad batch of raw.orders: blocked, kept in quarantine, split into accepted/rejected",
            ("validate", orders, str(data / "raw_orders_bad.parquet"), "--now", BATCH_DAY,
             "--quarantine", str(work / "quarantine"), "--split"),
            expect=1,
        ),
        Step(
            "Build column lineage from the pipeline's SQL and the contracts",
            ("lineage", "add-sql", str(ex / "sql" / "pipeline.sql"), "--dialect", "duckdb",
             "--contracts", str(ex / "contracts")),
        ),
        Step("Which downstream columns and features used raw.orders.amount, and which runs failed?",
             ("lineage", "impact", "raw.orders.amount")),
        Step(
            "Compare a month of orders with this week's: amount drifted (a warning rule here, so exit 0)",
            ("drift", "compare", str(drift / "reference.parquet"), str(drift / "current.parquet"),
             "--contract", orders),
        ),
        Step("Record the reference batch (the drift baseline)",
             ("validate", orders, str(drift / "reference.parquet"), "--now", REFERENCE_DAY, "--format", "json"),
             capture_run_id=True),
        Step("Record the current batch",
             ("validate", orders, str(drift / "current.parquet"), "--now", CURRENT_DAY)),
        Step(
            "Write the nightly drift report: the current day against the reference run",
            ("drift", "report", "--now", REPORT_TIME, "--since", "24h", "--baseline", "run:{run_id}",
             "--dataset", "raw.orders", "--out", str(work / "drift.html"), "--json", str(work / "drift.json")),
        ),
    ]


def _serve_and_ask(env: dict[str, str], cwd: Path, ex: Path) -> bool:
    port = _free_port()
    click.secho("\n== Start the HTTP service briefly and ask it the same question", bold=True)
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--contracts", str(ex / "contracts")]
    click.secho("$ pactline " + " ".join(args), fg="cyan")
    proc = subprocess.Popen([sys.executable, "-m", "service", *args], env=env, cwd=cwd,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=1) as r:
                    if r.status == 200:
                        break
            except OSError:
                if proc.poll() is not None:
                    err = proc.stderr.read().decode() if proc.stderr else ""
                    click.secho(f"-> the service did not start: {err.strip()}", fg="red")
                    return False
                time.sleep(0.2)
        url = f"{base}/api/v1/lineage/impact?field=raw.orders.amount"
        click.secho(f"$ curl '{url}'", fg="cyan")
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.loads(r.read())
        hits = body.get("hits", [])
        features = sorted({h["node"] for h in hits if h.get("is_feature")})
        click.echo(f"{len(hits)} downstream columns; features: {', '.join(features) or 'none'}")
        click.echo(f"failed validation runs in the window: {len(body.get('failed_runs', []))}")
        return bool(hits)
    except OSError as exc:
        click.secho(f"-> the service did not answer: {exc}", fg="red")
        return False
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@click.command()
@click.option("--workdir", type=click.Path(file_okay=False, path_type=Path), default=Path("out/demo"),
              show_default=True, help="Where the demo writes its store, quarantine and reports (emptied first).")
@click.option("--no-serve", is_flag=True, help="Skip starting the HTTP service.")
def demo(workdir: Path, no_serve: bool) -> None:
    """Run the main job on the bundled sample pipeline (examples/), step by step.

    Uses the embedded defaults: a fresh SQLite store in WORKDIR, DuckDB for SQL rules, and the
    sample contracts, SQL and data under examples/.
    """
    ex = _examples_dir()
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    env = dict(os.environ)
    env["PACTLINE_STORE"] = f"sqlite:///{(workdir / 'pactline.db').resolve()}"
    env.setdefault("PYTHONUNBUFFERED", "1")
    cwd = Path.cwd()
    failures = []
    found: dict[str, str] = {}
    for step in _steps(ex, workdir):
        if not _run(step, env, cwd, found):
            failures.append(step.title)
    report_json = workdir / "drift.json"
    if report_json.exists():
        drifted = _drifted_columns(report_json)
        click.echo(f"drifted columns in the report: {', '.join(drifted) or 'none'}")
        if drifted != ["raw.orders.amount"]:
            failures.append("drift report: expected exactly raw.orders.amount to drift")
    if not no_serve and not _serve_and_ask(env, cwd, ex):
        failures.append("HTTP service")
    quarantine = workdir / "quarantine"
    if quarantine.exists():
        click.secho("\n== Quarantine", bold=True)
        for path in sorted(quarantine.rglob("*")):
            if path.is_file():
                click.echo(f"  {path}")
    click.echo()
    if failures:
        click.secho(f"demo finished with {len(failures)} unexpected result(s): {'; '.join(failures)}", fg="red")
        sys.exit(1)
    click.secho(f"demo finished: every step behaved as it should. Outputs are in {workdir}/", fg="green")
