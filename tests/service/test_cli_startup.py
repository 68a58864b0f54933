"""``pactline validate`` in a fresh interpreter: the first use of every lazily built part.

A new process builds the contract model's validator on its first load and imports the lint
parts (did-you-mean, SQL parsing, server fields) only when a contract needs them. These tests
compare a fresh process with this (long warmed-up) test process: same exit code, same report,
same problem codes.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from contracts import lint_contract
from service.cli import cli

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contracts" / "raw_orders.odcs.yaml"
BAD = ROOT / "examples" / "data" / "raw_orders_bad.parquet"
GOOD = ROOT / "examples" / "data" / "raw_orders_good.csv"
NOW = ("--now", "2026-10-01T00:00:00Z")

# One problem for each lint part that is imported or built only on demand.
BROKEN = """\
apiVersion: v3.1.0
kind: DataContract
id: startup-broken
version: 1.0.0
status: active
servers:
  - {server: prod, type: postgress}
schema:
  - name: orders
    quality:
      - {type: sql, query: "SELEC count(*) FROM orders", mustBe: 0}
    properties:
      - name: amount
        logicalType: number
        quality:
          - {metric: nullValue, mustBe: 0}
      - {name: status, logicalType: strin}
"""


def _fresh(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "service", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)


def _reasons(report: dict[str, object]) -> list[tuple[object, object]]:
    results = report["results"]
    assert isinstance(results, list)
    return [(r["rule"], r["reason"]) for r in results]


@pytest.mark.parametrize("data", [GOOD, BAD], ids=["good", "bad"])
def test_fresh_process_gives_the_warm_verdict_and_report(data: Path) -> None:
    args = ["validate", str(EXAMPLE), str(data), "--no-store", "--format", "json", *NOW]
    warm = CliRunner().invoke(cli, args, catch_exceptions=False)
    fresh = _fresh(*args)
    assert fresh.returncode == warm.exit_code == (0 if data == GOOD else 1)
    fresh_report, warm_report = json.loads(fresh.stdout), json.loads(warm.stdout)
    assert fresh_report["passed"] is warm_report["passed"]
    assert fresh_report["rows"] == warm_report["rows"]
    assert _reasons(fresh_report) == _reasons(warm_report)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "orders.odcs.yaml"
    path.write_text(BROKEN, encoding="utf-8")
    return path


def test_broken_contract_lint_codes_are_the_same_in_a_fresh_process(broken: Path) -> None:
    codes = [p.code for p in lint_contract(broken)]
    assert sorted(codes) == ["sql-syntax", "unknown-logical-type", "unknown-metric", "unknown-server-type"]
    fresh = _fresh("contract", "lint", "--format", "json", str(broken))
    assert fresh.returncode == 1
    assert [p["code"] for p in json.loads(fresh.stdout)] == codes


def test_validate_with_a_broken_contract_exits_2_naming_the_first_problem(broken: Path) -> None:
    first = lint_contract(broken)[0]
    fresh = _fresh("validate", str(broken), str(GOOD), "--no-store", "--format", "json", *NOW)
    assert fresh.returncode == 2
    assert fresh.stdout == ""
    assert fresh.stderr.startswith(f"pactline: {first.file}:{first.line}:{first.column} ")
    assert "(+3 more)" in fresh.stderr


_BLAS_PROBE = """\
import contextlib, io, os, sys
{before}
from service.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    code = main(["validate", {contract!r}, {data!r}, "--no-store", "--format", "json", "--now", "2026-10-01T00:00:00Z"])
print(code, os.environ.get("OPENBLAS_NUM_THREADS"))
"""


@pytest.mark.parametrize(("before", "preset", "expected"), [
    ("", None, "0 1"),  # a fresh process: numpy's OpenBLAS gets one thread
    ("", "2", "0 2"),  # the environment's own choice stands
    ("import numpy", None, "0 None"),  # numpy already loaded: too late to choose, leave the environment alone
], ids=["fresh", "preset", "numpy-loaded"])
def test_validate_gives_openblas_one_thread_only_before_numpy_loads(before: str, preset: str | None,
                                                                    expected: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if preset is not None:
        env["OPENBLAS_NUM_THREADS"] = preset
    code = _BLAS_PROBE.format(before=before, contract=str(EXAMPLE), data=str(GOOD))
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=True)
    assert done.stdout.split("\n")[-2] == expected


def test_validate_as_its_own_process_keeps_and_records_everything(tmp_path: Path) -> None:
    """``python -m service validate`` ends without a last garbage collection: the quarantined batch,
    its split halves, the report file and the recorded run must all be complete when it has exited."""
    import pyarrow.parquet as pq

    from service.store import open_store

    store, quarantine = f"sqlite:///{tmp_path / 'store.db'}", tmp_path / "q"
    done = _fresh("validate", str(EXAMPLE), str(BAD), "--store", store, "--quarantine", str(quarantine), "--split",
                  "--format", "json", *NOW)
    assert done.returncode == 1
    body = json.loads(done.stdout)
    kept = Path(body["quarantine"])
    assert sorted(p.name for p in kept.iterdir()) == ["accepted.parquet", "rejected.parquet", "report.json"]
    accepted, rejected = pq.read_table(kept / "accepted.parquet"), pq.read_table(kept / "rejected.parquet")
    assert accepted.num_rows + rejected.num_rows == body["rows"] == 1200
    assert rejected.num_rows > 0
    assert json.loads((kept / "report.json").read_text())["run_id"] == body["run_id"]
    recorded = open_store(store).get_run(body["run_id"])
    assert recorded is not None and recorded["passed"] is False and recorded["rows"] == 1200
    assert [r["failed_rows"] for r in recorded["results"]] == [r["failed_rows"] for r in body["results"]]


_RUN_PROBE = """\
import atexit, gc, sys
import service.validation as validation
sys.argv = ["pactline", *{args!r}]
seen = []
real = validation.validate_and_keep
def spy(*args, **kwargs):
    seen.append((gc.isenabled(), gc.get_freeze_count() > 0))
    return real(*args, **kwargs)
validation.validate_and_keep = spy
atexit.register(lambda: print("data pass", seen, "exit frozen", gc.get_freeze_count() > 0))
from service.cli import run
run()
"""


@pytest.mark.parametrize(("args", "code", "expected"), [
    (["validate", str(EXAMPLE), str(GOOD), "--no-store", "--format", "json", *NOW], 0, "[(True, True)] exit frozen True"),
    (["validate", str(EXAMPLE), str(BAD), "--no-store", "--format", "json", *NOW], 1, "[(True, True)] exit frozen True"),
    (["validate", str(EXAMPLE), str(ROOT / "missing.parquet"), "--no-store"], 2, "[(True, True)] exit frozen True"),
    (["validate", str(ROOT / "missing.odcs.yaml"), str(GOOD), "--no-store"], 2, "[] exit frozen True"),
    (["contract", "lint", str(EXAMPLE)], 0, "[] exit frozen False"),
    (["--version"], 0, "[] exit frozen False"),
], ids=["validate-pass", "validate-block", "validate-bad-data", "validate-bad-contract", "lint", "version"])
def test_run_collects_during_the_data_pass_and_freezes_only_for_validate(args: list[str], code: int,
                                                                         expected: str) -> None:
    """In its own process, validate pauses the collector for start-up only: it runs again (with the
    start-up objects frozen out of it) for the data pass, and the survivors are frozen at exit."""
    done = subprocess.run([sys.executable, "-c", _RUN_PROBE.format(args=args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == code
    assert done.stdout.rstrip("\n").splitlines()[-1] == f"data pass {expected}"


def test_in_process_validate_leaves_the_collector_alone() -> None:
    args = ["validate", str(EXAMPLE), str(GOOD), "--no-store", "--format", "json", *NOW]
    assert CliRunner().invoke(cli, args, catch_exceptions=False).exit_code == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
