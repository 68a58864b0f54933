"""POST /datasets/{dataset}/batches in process: every format, pass/block, quarantine, limits, auth."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from service.auth import load_tokens
from service.store import Store
from tests.service.conftest import bearer
from tests.service.test_api import assert_envelope

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = {"now": "2026-09-30T12:00:00Z"}
URL = "/api/v1/datasets/raw.orders/batches"


@pytest.fixture
def good() -> pa.Table:
    return pq.read_table(EXAMPLES / "data" / "raw_orders_good.parquet")


def encode(table: pa.Table, media: str) -> bytes:
    sink = io.BytesIO()
    if media == "application/vnd.apache.parquet":
        pq.write_table(table, sink)
    elif media == "text/csv":
        pacsv.write_csv(table, sink)
    elif media == "application/x-ndjson":
        for row in table.to_pylist():
            sink.write((json.dumps(row, default=str) + "\n").encode())
    else:
        with ipc.new_stream(sink, table.schema) as writer:
            writer.write_table(table)
    return sink.getvalue()


def register(client: TestClient, headers: dict[str, str] | None = None) -> None:
    text = (EXAMPLES / "contracts" / "raw_orders.odcs.yaml").read_bytes()
    put = client.put("/api/v1/contracts/pactline-example-raw-orders", content=text,
                     headers={"Content-Type": "application/yaml", **(headers or {})})
    assert put.status_code in (200, 201), put.text


@pytest.mark.parametrize("media", ["application/vnd.apache.parquet", "text/csv", "application/x-ndjson",
                                   "application/vnd.apache.arrow.stream"])
def test_a_good_batch_passes_in_every_format(client: TestClient, store: Store, good: pa.Table, media: str) -> None:
    register(client)
    response = client.post(URL, params=NOW, content=encode(good, media), headers={"Content-Type": media})
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["passed"], report["rows"], report["dataset"]) == (True, 1200, "raw.orders")
    assert store.get_run(report["run_id"]) is not None
    assert store.count_runs() == 1


def test_a_bad_batch_is_blocked_with_its_report_and_kept(client: TestClient, store: Store, tmp_path: Path) -> None:
    register(client)
    body = (EXAMPLES / "data" / "raw_orders_bad.parquet").read_bytes()
    response = client.post(URL, params=NOW, content=body, headers={"Content-Type": "application/vnd.apache.parquet"})
    assert response.status_code == 422
    report = response.json()
    assert report["passed"] is False and "error" not in report
    expected = json.loads((EXAMPLES / "data" / "expected_bad.json").read_text())["failed_rows"]
    assert {r["rule"]: r["failed_rows"] for r in report["results"] if not r["passed"] and r["rule"] in expected} == expected
    kept = [p for p in (tmp_path / "quarantine").rglob("*") if p.is_file()]
    assert kept, "the blocked batch is kept in quarantine"
    run = client.get(f"/api/v1/runs/{report['run_id']}").json()
    assert run["passed"] is False and run["results"] == report["results"]


def test_the_plain_dataset_name_works_too(client: TestClient, good: pa.Table) -> None:
    register(client)
    response = client.post("/api/v1/datasets/orders/batches", params=NOW, content=encode(good, "text/csv"),
                           headers={"Content-Type": "text/csv"})
    assert (response.status_code, response.json()["dataset"]) == (200, "raw.orders")


def test_batch_errors(make_client: Callable[..., TestClient], store: Store, good: pa.Table) -> None:
    client = make_client(max_body_bytes=50_000)
    register(client)
    csv = encode(good.slice(0, 10), "text/csv")
    assert_envelope(client.post(URL, content=csv, headers={"Content-Type": "application/xml"}), 415,
                    "unsupported_media_type")
    assert_envelope(client.post(URL, content=csv), 415, "unsupported_media_type")
    assert_envelope(client.post("/api/v1/datasets/raw.nothing/batches", content=csv, headers={"Content-Type": "text/csv"}),
                    404, "contract_not_found")
    assert_envelope(client.post(URL, content=b"\x00\x01garbage", headers={"Content-Type": "application/vnd.apache.parquet"}),
                    400, "unreadable_data")
    assert_envelope(client.post(URL, content=b"", headers={"Content-Type": "text/csv"}), 400, "unreadable_data")
    big = encode(good, "text/csv")
    assert len(big) > 50_000
    assert_envelope(client.post(URL, content=big, headers={"Content-Type": "text/csv"}), 413, "too_large")

    def chunks():
        for i in range(0, len(big), 8192):
            yield big[i:i + 8192]

    assert_envelope(client.post(URL, content=chunks(), headers={"Content-Type": "text/csv"}), 413, "too_large")
    assert store.count_runs() == 0  # nothing unreadable or refused is recorded


def test_spool_files_are_removed(make_client: Callable[..., TestClient], good: pa.Table, tmp_path: Path) -> None:
    spool = tmp_path / "spool"
    spool.mkdir()
    client = make_client(spool_dir=str(spool))
    register(client)
    assert client.post(URL, params=NOW, content=encode(good, "text/csv"), headers={"Content-Type": "text/csv"}).status_code == 200
    client.post(URL, content=b"\x00garbage", headers={"Content-Type": "application/vnd.apache.parquet"})
    bad = (EXAMPLES / "data" / "raw_orders_bad.parquet").read_bytes()
    assert client.post(URL, params=NOW, content=bad, headers={"Content-Type": "application/vnd.apache.parquet"}).status_code == 422
    assert list(spool.iterdir()) == []


def test_batch_auth(make_client: Callable[..., TestClient], tokens_file: Path, token_of: dict[str, str],
                    good: pa.Table) -> None:
    client = make_client(load_tokens(tokens_file))
    register(client, bearer(token_of["admin"]))
    csv = encode(good, "text/csv")
    send = lambda role, url=URL: client.post(url, params=NOW, content=csv,  # noqa: E731
                                             headers={"Content-Type": "text/csv", **bearer(token_of[role])})
    assert_envelope(client.post(URL, content=csv, headers={"Content-Type": "text/csv"}), 401, "unauthenticated")
    assert_envelope(send("reader"), 403, "forbidden")
    assert send("producer").status_code == 200
    assert send("admin").status_code == 200
    features = (EXAMPLES / "contracts" / "features_customer_spend.odcs.yaml").read_bytes()
    assert client.put("/api/v1/contracts/pactline-example-features-customer-spend", content=features,
                      headers={"Content-Type": "application/yaml", **bearer(token_of["admin"])}).status_code == 201
    assert_envelope(send("producer", "/api/v1/datasets/features.customer_spend/batches"), 403, "forbidden")
