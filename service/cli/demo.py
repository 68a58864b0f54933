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


def _run(step: Step, env: dict[str, str], cwd: Path) -> bool:
    shown = " ".join(["pactline", *step.args])
    click.secho(f"\n== {step.title}", bold=True)
    click.secho(f"$ {shown}", fg="cyan")
    proc = subprocess.run([sys.executable, "-m", "service", *step.args], env=env, cwd=cwd, check=False)
    ok = proc.returncode == step.expect
    verdict = "as expected" if ok else f"expected exit {step.expect}"
    click.secho(f"-> exit {proc.returncode} ({verdict})", fg="green" if ok else "red")
    return ok


def _steps(ex: Path, work: Path) -> list[Step]:
    contracts = sorted(str(p) for p in (ex / "contracts").glob("*.odcs.yaml"))
    orders = str(ex / "contracts" / "raw_orders.odcs.yaml")
    data = ex / "data"
    steps = [
        Step("Lint the sample contracts", ("contract", "lint", *contracts)),
        Step("Validate a good batch of raw.orders", ("validate", orders, str(data / "raw_orders_good.parquet"))),
        Step(
            "Validate a bad batch of raw.orders: blocked, kept in quarantine, split into accepted/rejected",
            ("validate", orders, str(data / "raw_orders_bad.parquet"), "--quarantine", str(work / "quarantine"),
             "--split"),
            expect=1,
        ),
        Step(
            "Build column lineage from the pipeline's SQL and the contracts",
            ("lineage", "add-sql", str(ex / "sql" / "pipeline.sql"), "--dialect", "duckdb",
             "--contracts", str(ex / "contracts")),
        ),
        Step("Which downstream columns and features used raw.orders.amount?",
             ("lineage", "impact", "raw.orders.amount")),
    ]
    drift = ex / "drift"
    if drift.is_dir():
        refs = sorted(drift.glob("*reference*"))
        curs = sorted(drift.glob("*current*"))
        if refs and curs:
            steps.append(Step(
                "Compare this week's orders with last month's: one column drifted",
                ("drift", "compare", str(refs[0]), str(curs[0]), "--contract", orders),
                expect=1,
            ))
    steps.append(Step(
        "Write the nightly drift report",
        ("drift", "report", "--since", "30d", "--baseline", "365d", "--out", str(work / "drift.html"),
         "--json", str(work / "drift.json")),
        expect=-1,
    ))
    return steps


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
    for step in _steps(ex, workdir):
        if step.expect == -1:  # the drift report's exit code depends on the data: 0 or 1 are both fine
            ok = _run(Step(step.title, step.args, 0), env, cwd) or (workdir / "drift.html").exists()
        else:
            ok = _run(step, env, cwd)
        if not ok:
            failures.append(step.title)
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
