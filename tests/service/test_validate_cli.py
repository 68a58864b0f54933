"""``pactline validate``: exit codes, the JSON report, quarantine, split, the store, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from service.cli import cli
from service.store import open_store
from tests.checks import gen

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "contracts" / "raw_orders.odcs.yaml"
BAD = ROOT / "examples" / "data" / "raw_orders_bad.parquet"
GOOD = ROOT / "examples" / "data" / "raw_orders_good.csv"
NOW = ["--now", "2026-10-01T00:00:00Z"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def contract_file(tmp_path: Path) -> Path:
    import yaml

    path = tmp_path / "gen.odcs.yaml"
    path.write_text(yaml.safe_dump(gen.CONTRACT, sort_keys=False))
    return path


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "orders.parquet"
    pq.write_table(gen.make_table(), path, row_group_size=400)
    return path


def test_passes_with_exit_0(tmp_path: Path) -> None:
    code, out, err = invoke(str(EXAMPLE), str(GOOD), "--no-store", *NOW)
    assert (code, err) == (0, "")
    assert out.splitlines()[0].startswith("raw.orders: PASSED  1200 rows")


def test_blocked_with_exit_1_and_the_json_shape() -> None:
    code, out, err = invoke(str(EXAMPLE), str(BAD), "--no-store", "--format", "json", *NOW)
    body = json.loads(out)
    assert (code, err) == (1, "")
    assert set(body) == {"passed", "dataset", "contract", "run_id", "rows", "started_at", "finished_at", "fail_on",
                         "results", "quarantine"}
    assert body["contract"] == {"id": "pactline-example-raw-orders", "version": "1.2.0"}
    assert (body["passed"], body["dataset"], body["rows"], body["quarantine"]) == (False, "raw.orders", 1200, None)
    first = body["results"][0]
    assert set(first) == {"rule", "reason", "kind", "column", "severity", "passed", "observed", "threshold",
                          "failed_rows", "samples", "message"}
    expected = json.loads((ROOT / "examples" / "data" / "expected_bad.json").read_text())["failed_rows"]
    got = {r["rule"]: r["failed_rows"] for r in body["results"]}
    assert {k: got[k] for k in expected} == expected
    assert all(len(r["samples"]) <= 5 and all("row" in s for s in r["samples"]) for r in body["results"])


def test_fail_on_warning(contract_file: Path, tmp_path: Path) -> None:
    ok = tmp_path / "ok.parquet"
    pq.write_table(gen.make_table(100).select(["id"]), ok)
    text = contract_file.read_text().replace("mustBeLessThan: 10", "mustBeLessThan: 10")
    contract_file.write_text(text)
    code_error, out, _ = invoke(str(contract_file), str(ok), "--no-store", "--format", "json",
                                "--now", "2026-10-01T12:00:00Z")
    body = json.loads(out)
    warnings_failed = [r for r in body["results"] if not r["passed"] and r["severity"] == "warning"]
    errors_failed = [r for r in body["results"] if not r["passed"] and r["severity"] == "error"]
    assert warnings_failed and errors_failed and code_error == 1


def test_warnings_only_pass_unless_fail_on_warning(tmp_path: Path) -> None:
    contract = tmp_path / "c.yaml"
    contract.write_text("""apiVersion: v3.1.0
kind: DataContract
id: w
version: "1"
status: active
schema:
  - name: t
    quality:
      - id: few
        metric: rowCount
        mustBeLessThan: 2
        severity: warning
    properties:
      - name: a
        logicalType: integer
""")
    data = tmp_path / "t.csv"
    data.write_text("a\n1\n2\n3\n")
    assert invoke(str(contract), str(data), "--no-store")[0] == 0
    assert invoke(str(contract), str(data), "--no-store", "--fail-on", "warning")[0] == 1


@pytest.mark.parametrize("args", [
    ["{contract}", "{missing}"],
    ["{contract}", "{empty}"],
    ["{contract}", "{ragged}"],
    ["{broken_contract}", "{good}"],
    ["{contract}", "{good}", "--dataset", "nope"],
    ["{contract}", "{good}", "--dataset", "orders", "--split", "--quarantine", ""],
    ["{contract}", "{good}", "--now", "yesterday"],
    ["{contract}", "{good}", "--store", "sqlite:///x.db", "--no-store"],
])
def test_bad_input_or_usage_exits_2_with_one_line(args: list[str], tmp_path: Path) -> None:
    broken = tmp_path / "broken.odcs.yaml"
    broken.write_text(EXAMPLE.read_text().replace("metric: nullValues", "metric: nullValue"))
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("order_id,amount\n1,2\n3,4,5\n")
    names = {"contract": str(EXAMPLE), "broken_contract": str(broken), "missing": str(tmp_path / "nope.parquet"),
             "empty": str(empty), "ragged": str(ragged), "good": str(GOOD)}
    store = tmp_path / "store.db"
    quarantine = tmp_path / "q"
    extra = [] if "--no-store" in args else ["--store", f"sqlite:///{store}"]
    given = [a.format(**names) for a in args]
    if "--quarantine" not in given:
        given += ["--quarantine", str(quarantine)]
    code, out, err = invoke(*given, *extra)
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and err.startswith("pactline: ")
    assert not quarantine.exists() or not any(quarantine.rglob("*.json"))
    if store.exists():
        runs, _ = open_store(f"sqlite:///{store}").list_runs()
        assert runs == []


def test_choose_dataset_by_file_name(tmp_path: Path) -> None:
    two = tmp_path / "two.yaml"
    two.write_text("""apiVersion: v3.1.0
kind: DataContract
id: two
version: "1"
status: active
schema:
  - name: orders
    physicalName: raw.orders
    properties: [{name: a, logicalType: integer}]
  - name: customers
    properties: [{name: a, logicalType: integer}]
""")
    data = tmp_path / "raw_orders_2026.csv"
    data.write_text("a\n1\n")
    code, out, _ = invoke(str(two), str(data), "--no-store", "--format", "json")
    assert (code, json.loads(out)["dataset"]) == (0, "raw.orders")
    other = tmp_path / "batch.csv"
    other.write_text("a\n1\n")
    assert invoke(str(two), str(other), "--no-store")[0] == 2
    assert invoke(str(two), str(other), "--no-store", "--dataset", "customers")[0] == 0


def test_quarantine_copies_and_records(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    quarantine = tmp_path / "q"
    code, out, _ = invoke(str(EXAMPLE), str(BAD), "--store", store, "--quarantine", str(quarantine),
                          "--format", "json", *NOW)
    body = json.loads(out)
    kept = Path(body["quarantine"])
    assert code == 1 and BAD.exists()
    assert kept == quarantine / "raw.orders" / body["run_id"]
    assert sorted(p.name for p in kept.iterdir()) == ["raw_orders_bad.parquet", "report.json"]
    assert (kept / "raw_orders_bad.parquet").read_bytes() == BAD.read_bytes()
    assert json.loads((kept / "report.json").read_text())["run_id"] == body["run_id"]
    recorded = open_store(store).get_run(body["run_id"])
    assert recorded is not None and recorded["passed"] is False and recorded["rows"] == 1200
    assert [r["failed_rows"] for r in recorded["results"]] == [r["failed_rows"] for r in body["results"]]
    assert recorded["profile"]["rows"] == 1200


def test_a_passing_batch_is_recorded_not_quarantined(tmp_path: Path) -> None:
    store = f"sqlite:///{tmp_path / 'store.db'}"
    code, out, _ = invoke(str(EXAMPLE), str(GOOD), "--store", store, "--quarantine", str(tmp_path / "q"),
                          "--format", "json", *NOW)
    assert code == 0 and not (tmp_path / "q").exists()
    assert open_store(store).get_run(json.loads(out)["run_id"])["passed"] is True


def test_move(tmp_path: Path, batch: Path, contract_file: Path) -> None:
    code, out, _ = invoke(str(contract_file), str(batch), "--no-store", "--quarantine", str(tmp_path / "q"),
                          "--move", "--format", "json", "--now", "2026-10-01T12:00:00Z")
    kept = Path(json.loads(out)["quarantine"])
    assert code == 1 and not batch.exists() and (kept / "orders.parquet").exists()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_split_accepted_plus_rejected_is_the_input(tmp_path: Path, contract_file: Path, fmt: str) -> None:
    table = gen.make_table()
    data = gen.write(table, fmt, tmp_path)
    code, out, _ = invoke(str(contract_file), str(data), "--no-store", "--quarantine", str(tmp_path / "q"),
                          "--split", "--batch-size", "300", "--format", "json", "--now", "2026-10-01T12:00:00Z")
    body = json.loads(out)
    kept = Path(body["quarantine"])
    accepted = pq.read_table(kept / "accepted.parquet")
    rejected = pq.read_table(kept / "rejected.parquet")
    assert code == 1 and data.exists()
    assert accepted.num_rows + rejected.num_rows == table.num_rows
    blocking_row_rules = {r["rule"]: r["failed_rows"] for r in body["results"]
                          if not r["passed"] and r["severity"] == "error" and r["failed_rows"]}
    per_rule: dict[str, int] = {}
    for rules in rejected["_pactline_rules"].to_pylist():
        for rule in rules:
            per_rule[rule] = per_rule.get(rule, 0) + 1
    assert per_rule == blocking_row_rules
    rows = rejected["_pactline_row"].to_pylist()
    assert rows == sorted(set(rows))
    assert rejected["region"].to_pylist().count("X") == 4
    assert "X" not in accepted["region"].to_pylist()


def test_a_crash_half_way_leaves_no_partial_files(tmp_path: Path, contract_file: Path, batch: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import pyarrow.parquet

    calls = {"n": 0}
    real = pyarrow.parquet.ParquetWriter.write_batch

    def failing(self: object, *a: object, **k: object) -> object:
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        return real(self, *a, **k)

    monkeypatch.setattr(pyarrow.parquet.ParquetWriter, "write_batch", failing)
    with pytest.raises(OSError):
        CliRunner().invoke(cli, ["validate", str(contract_file), str(batch), "--no-store", "--quarantine",
                                 str(tmp_path / "q"), "--split", "--batch-size", "500"], catch_exceptions=False)
    assert batch.exists()
    assert [p for p in (tmp_path / "q").rglob("*") if p.is_file()] == []


def test_plain_text_is_stable(tmp_path: Path) -> None:
    code, out, _ = invoke(str(EXAMPLE), str(BAD), "--no-store", *NOW)
    lines = out.splitlines()
    assert code == 1
    assert lines[0].startswith("raw.orders: BLOCKED  1200 rows  contract pactline-example-raw-orders 1.2.0  run ")
    assert lines[1].split()[:4] == ["FAIL", "error", "order_id.unique", "duplicate_values"]
    assert lines[-1].startswith(f"{len(lines) - 2} rules: ")


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-m", "service", "validate", str(EXAMPLE), str(BAD), "--no-store",
                           "--format", "json", *NOW], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout)["passed"] is False
    proc = subprocess.run([sys.executable, "-m", "service", "validate", str(EXAMPLE), str(tmp_path / "none.csv"),
                           "--no-store"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1


def test_default_batch_size_is_the_engines() -> None:
    from checks.engine import run
    from checks.readers import BATCH_ROWS
    from service.cli.validate import BATCH_ROWS as CLI_ROWS
    from service.cli.validate import validate

    option = next(p for p in validate.params if p.name == "batch_size")
    assert option.default == CLI_ROWS == BATCH_ROWS == run.__kwdefaults__["batch_size"]


def test_no_store_gives_the_same_results_and_the_store_keeps_the_profile(tmp_path: Path) -> None:
    """Without a store the profile is not built and unruled columns are not read: the report is the same."""
    import copy

    import pyarrow as pa
    import yaml

    doc = copy.deepcopy(gen.CONTRACT)
    obj = doc["schema"][0]
    obj["quality"] = [q for q in obj["quality"] if q.get("type") != "sql"]
    obj["properties"].append({"name": "note", "logicalType": "string"})
    contract = tmp_path / "c.odcs.yaml"
    contract.write_text(yaml.safe_dump(doc, sort_keys=False))
    table = gen.make_table()
    data = tmp_path / "orders.parquet"
    pq.write_table(table.append_column("note", pa.array(["n"] * table.num_rows)), data, row_group_size=400)
    store = tmp_path / "s.db"
    code_a, out_a, _ = invoke(str(contract), str(data), "--no-store", "--format", "json", *NOW)
    code_b, out_b, _ = invoke(str(contract), str(data), "--store", f"sqlite:///{store}", "--format", "json", *NOW)
    lean, kept = json.loads(out_a), json.loads(out_b)
    assert code_a == code_b == 1
    assert lean["results"] == kept["results"] and lean["rows"] == kept["rows"] == 2000
    profiles = open_store(f"sqlite:///{store}").profiles("raw.orders", passed=None)
    assert [(run_id, p.rows) for run_id, _, p in profiles] == [(kept["run_id"], 2000)]
    assert profiles[0][2].columns["note"].count == 2000
