"""End to end through real HTTP: `pactline serve` in a subprocess on a loopback port.

Register the sample contracts, submit a passing and a failing batch, post OpenLineage events and
the pipeline's SQL, ask the impact of the failing field for a time window and get the features
and the failed run back; then restart the server on the same store and get the same answers.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from service.auth import create_token
from tests.service.conftest import LiveServer

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NOW = "2026-09-30T12:00:00Z"
# From the start of the pipeline's month until tomorrow: the runs recorded now are in it.
WINDOW = {"since": "2026-09-01T00:00:00Z",
          "until": (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat(timespec="seconds")}
PARQUET = {"Content-Type": "application/vnd.apache.parquet"}


def ol_event(job: str, inputs: list[str], outputs: list[str], when: str) -> dict[str, Any]:
    def ds(name: str) -> dict[str, Any]:
        return {"namespace": "warehouse", "name": name}

    return {
        "eventType": "COMPLETE",
        "eventTime": when,
        "producer": "https://github.com/example/pipeline/v1",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": str(uuid.uuid5(uuid.NAMESPACE_URL, job + when))},
        "job": {"namespace": "pipeline", "name": job},
        "inputs": [ds(n) for n in inputs],
        "outputs": [ds(n) for n in outputs],
    }


def answers(client: httpx.Client) -> dict[str, Any]:
    """The questions asked before and after the restart, with the parts that must not change."""
    impact = client.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount", **WINDOW})
    assert impact.status_code == 200, impact.text
    runs = client.get("/api/v1/runs", params={"dataset": "raw.orders", "passed": "false"})
    assert runs.status_code == 200, runs.text
    contracts = client.get("/api/v1/contracts")
    return {
        "impact": impact.json(),
        "failed_runs": [r["run_id"] for r in runs.json()["runs"]],
        "contracts": [(c["id"], c["version"], c["sha256"]) for c in contracts.json()["contracts"]],
    }


def test_end_to_end_and_restart(live_server: Callable[..., LiveServer], tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    admin, _ = create_token(tokens, "admin")
    producer, _ = create_token(tokens, "producer", ["raw.*"])
    store_url = f"sqlite:///{tmp_path / 'e2e.db'}"
    server = live_server(store_url, tokens_file=tokens, extra=("--quarantine", str(tmp_path / "quarantine")))
    auth = {"Authorization": f"Bearer {admin}"}

    with httpx.Client(base_url=server.base, headers=auth, timeout=60) as client:
        # 1. register the sample contracts
        for path in sorted((EXAMPLES / "contracts").glob("*.odcs.yaml")):
            contract_id = path.read_text().split("\nid: ")[1].split("\n")[0].strip()
            put = client.put(f"/api/v1/contracts/{contract_id}", content=path.read_bytes(),
                             headers={"Content-Type": "application/yaml"})
            assert put.status_code == 201, put.text
        assert len(client.get("/api/v1/contracts").json()["contracts"]) == 5

        # 2. a passing and a failing batch, sent by the producer
        prod = {"Authorization": f"Bearer {producer}"}
        good = client.post("/api/v1/datasets/raw.orders/batches", params={"now": NOW},
                           content=(EXAMPLES / "data" / "raw_orders_good.parquet").read_bytes(), headers={**PARQUET, **prod})
        assert good.status_code == 200, good.text
        assert good.json()["passed"] is True
        bad = client.post("/api/v1/datasets/raw.orders/batches", params={"now": NOW},
                          content=(EXAMPLES / "data" / "raw_orders_bad.parquet").read_bytes(), headers={**PARQUET, **prod})
        assert bad.status_code == 422, bad.text
        bad_report = bad.json()
        assert bad_report["passed"] is False
        expected = json.loads((EXAMPLES / "data" / "expected_bad.json").read_text())["failed_rows"]
        failed = {r["rule"]: r["failed_rows"] for r in bad_report["results"] if not r["passed"]}
        for rule, rows in expected.items():
            assert failed.get(rule) == rows, rule
        assert any(tmp_path.joinpath("quarantine").rglob("*")), "the blocked batch is kept in quarantine"

        # 3. lineage: OpenLineage events and the pipeline's SQL
        events = [
            ol_event("build_orders_enriched", ["raw.orders", "raw.customers", "raw.fx_rates"],
                     ["clean.orders_enriched"], "2026-09-15T02:00:00Z"),
            ol_event("build_customer_spend", ["clean.orders_enriched"], ["features.customer_spend"],
                     "2026-09-15T03:00:00Z"),
        ]
        assert client.post("/api/v1/lineage", json=events).status_code == 201
        sql = client.post("/api/v1/lineage/sql", json={"sql": (EXAMPLES / "sql" / "pipeline.sql").read_text(),
                                                        "dialect": "duckdb", "job": "pipeline.sql"})
        assert sql.status_code == 201, sql.text

        # 4. the impact of the failing field in the window: the feature and the failed run
        before = answers(client)
        hits = before["impact"]["hits"]
        nodes = {h["node"] for h in hits}
        assert "clean.orders_enriched.amount_eur" in nodes
        assert any(n.startswith("features.customer_spend.") for n in nodes)
        assert bad_report["run_id"] in {r["run_id"] for r in before["impact"]["failed_runs"]}
        assert before["failed_runs"] == [bad_report["run_id"]]
        run = client.get(f"/api/v1/runs/{bad_report['run_id']}").json()
        assert run["results"] == bad_report["results"]
        assert run["profile"] is not None

    # 5. restart on the same store: the same answers
    server.stop()
    again = live_server(store_url, tokens_file=tokens)
    with httpx.Client(base_url=again.base, headers=auth, timeout=60) as client:
        assert answers(client) == before
