"""``pactline drift compare``: two files, no store; exit 0/1/2; the demo data flags exactly one column."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq

from service.cli import main

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "examples" / "drift"
RAW_ORDERS = ROOT / "examples" / "contracts" / "raw_orders.odcs.yaml"

STRICT = """
apiVersion: v3.1.0
kind: DataContract
id: strict-orders
version: 1.0.0
status: active
schema:
  - name: orders
    physicalName: raw.orders
    properties:
      - name: order_id
        logicalType: integer
        unique: true
      - name: amount
        logicalType: number
        quality:
          - id: amount_drift
            type: custom
            engine: pactline
            severity: {severity}
            implementation: {{check: drift, method: wasserstein_norm, threshold: 0.2}}
      - name: status
        logicalType: string
  - name: other
    properties:
      - name: x
        logicalType: number
"""


def _run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _compare(capsys, *extra: str, contract: Path = RAW_ORDERS) -> tuple[int, str, str]:
    return _run(capsys, "drift", "compare", str(DEMO / "reference.parquet"), str(DEMO / "current.parquet"),
                "--contract", str(contract), *extra)


def test_demo_data_flags_exactly_the_drifted_column(capsys) -> None:
    code, out, _ = _compare(capsys, "--format", "json")
    assert code == 0  # the amount rule is a warning: reported, not blocking
    doc = json.loads(out)
    [dataset] = doc["datasets"]
    assert dataset["dataset"] == "raw.orders"
    assert dataset["reference_rows"] == 10_000 and dataset["current_rows"] == 3_000
    flagged = [c["column"] for c in dataset["columns"] if c["findings"]]
    assert flagged == ["amount"]
    judged = {c["column"]: c for c in dataset["columns"]}
    assert set(judged) == {"customer_id", "amount", "currency", "status", "country"}
    amount = judged["amount"]
    assert (amount["method"], amount["threshold"], amount["severity"], amount["drifted"]) == ("psi", 0.2, "warning", True)
    assert amount["rule"] == "orders_amount_drift" and amount["reason"] == "drift_detected"
    for key in ("psi", "js_distance", "wasserstein_norm", "ks_statistic", "chi2_statistic", "chi2_pvalue"):
        assert isinstance(amount["statistics"][key], float)
    assert judged["currency"]["method"] == "chi2" and judged["currency"]["drifted"] is False
    for col in dataset["columns"]:
        for key in ("column", "method", "score", "threshold", "drifted", "severity", "statistics", "reference_rows",
                    "current_rows", "null_share_reference", "null_share_current", "new_categories",
                    "vanished_categories", "history"):
            assert key in col
    assert dataset["owners"] == ["checkout", "ana.silva"]


def test_same_file_twice_has_no_findings(capsys) -> None:
    code, out, _ = _run(capsys, "drift", "compare", str(DEMO / "reference.parquet"), str(DEMO / "reference.parquet"),
                        "--contract", str(RAW_ORDERS), "--format", "json")
    doc = json.loads(out)
    assert code == 0
    assert [c["column"] for c in doc["datasets"][0]["columns"] if c["findings"]] == []
    # the same rows give the same profile, sketches included (the sampler and compactions are reproducible)
    assert all(c["score"] == 0.0 for c in doc["datasets"][0]["columns"])


def test_text_format_names_the_drifted_column(capsys) -> None:
    code, out, _ = _compare(capsys)
    assert code == 0
    assert out.splitlines()[-1].endswith("1 of 5 columns with findings: amount")


def test_drift_under_an_error_rule_exits_1(tmp_path: Path, capsys) -> None:
    strict = tmp_path / "strict.odcs.yaml"
    strict.write_text(STRICT.format(severity="error"))
    code, out, _ = _compare(capsys, "--dataset", "raw.orders", "--format", "json", contract=strict)
    assert code == 1
    cols = {c["column"]: c for c in json.loads(out)["datasets"][0]["columns"]}
    assert cols["amount"]["drifted"] and cols["amount"]["severity"] == "error"
    assert cols["amount"]["method"] == "wasserstein_norm"
    assert "order_id" not in cols  # unique: an identifier, judged only under a rule
    strict.write_text(STRICT.format(severity="warning"))
    assert _compare(capsys, "--dataset", "orders", contract=strict)[0] == 0


def test_bad_input_exits_2(tmp_path: Path, capsys) -> None:
    strict = tmp_path / "strict.odcs.yaml"
    strict.write_text(STRICT.format(severity="error"))
    code, _, err = _compare(capsys, contract=strict)  # two datasets, none chosen
    assert code == 2 and err.startswith("error: ") and len(err.strip().splitlines()) == 1
    assert _compare(capsys, "--dataset", "nope", contract=strict)[0] == 2
    assert _run(capsys, "drift", "compare", str(tmp_path / "missing.parquet"), str(DEMO / "current.parquet"),
                "--contract", str(RAW_ORDERS))[0] == 2
    broken = tmp_path / "broken.odcs.yaml"
    broken.write_text("apiVersion: v3.1.0\nkind: DataContract\n")
    assert _compare(capsys, contract=broken)[0] == 2
    garbage = tmp_path / "garbage.parquet"
    garbage.write_bytes(b"PAR1 not really")
    assert _run(capsys, "drift", "compare", str(garbage), str(DEMO / "current.parquet"),
                "--contract", str(RAW_ORDERS))[0] == 2


def test_csv_input_is_typed_by_the_contract(tmp_path: Path, capsys) -> None:
    import pyarrow.csv as pacsv

    for name in ("reference", "current"):
        table = pq.read_table(DEMO / f"{name}.parquet")
        pacsv.write_csv(table, tmp_path / f"{name}.csv")
    code, out, _ = _run(capsys, "drift", "compare", str(tmp_path / "reference.csv"), str(tmp_path / "current.csv"),
                        "--contract", str(RAW_ORDERS), "--format", "json")
    assert code == 0
    cols = json.loads(out)["datasets"][0]["columns"]
    assert [c["column"] for c in cols if c["findings"]] == ["amount"]
    assert {c["column"]: c["kind"] for c in cols}["amount"] == "numeric"
