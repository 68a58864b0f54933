"""The lineage endpoints in process: OpenLineage ingest, SQL lineage, impact, upstream, datasets."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.auth import load_tokens
from service.store import Store, open_store
from tests.service.conftest import bearer
from tests.service.test_api import assert_envelope

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openlineage"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SQL = (EXAMPLES / "sql" / "pipeline.sql").read_text()


def event(job: str = "job", inputs: tuple[str, ...] = ("raw.a",), outputs: tuple[str, ...] = ("clean.b",)) -> dict[str, Any]:
    return {
        "eventType": "COMPLETE", "eventTime": "2026-09-15T02:00:00Z",
        "producer": "https://example.com/producer", "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json",
        "run": {"runId": str(uuid.uuid4())}, "job": {"namespace": "ns", "name": job},
        "inputs": [{"namespace": "db", "name": n} for n in inputs],
        "outputs": [{"namespace": "db", "name": n} for n in outputs],
    }


@pytest.fixture
def with_pipeline(client: TestClient) -> TestClient:
    for path in sorted((EXAMPLES / "contracts").glob("*.odcs.yaml")):
        cid = path.read_text().split("\nid: ")[1].split("\n")[0].strip()
        assert client.put(f"/api/v1/contracts/{cid}", content=path.read_bytes(),
                          headers={"Content-Type": "application/yaml"}).status_code == 201
    response = client.post("/api/v1/lineage/sql", json={"sql": SQL, "dialect": "duckdb", "job": "pipeline"})
    assert response.status_code == 201, response.text
    return client


def test_post_events_single_and_array(client: TestClient) -> None:
    one = client.post("/api/v1/lineage", json=event())
    assert one.status_code == 201, one.text
    assert one.json()["events"] == 1
    many = client.post("/api/v1/lineage", json=[event("a"), event("b")])
    assert (many.status_code, many.json()["events"]) == (201, 2)
    full = json.loads((FIXTURES / "example_client-python_example_full_event.json").read_text())
    assert client.post("/api/v1/lineage", json=full).status_code == 201


def test_post_events_errors(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_events=3)
    broken = event()
    del broken["run"]["runId"]
    body = assert_envelope(client.post("/api/v1/lineage", json=[event(), broken]), 422, "invalid_event")
    assert [(d["event"], d["path"], d["code"]) for d in body["error"]["details"]] == [(1, "run.runId", "missing")]
    assert_envelope(client.post("/api/v1/lineage", json=[event()] * 4), 413, "too_many_events")
    assert_envelope(client.post("/api/v1/lineage", json=[]), 422, "invalid_event")
    assert_envelope(client.post("/api/v1/lineage", content=b"{not json", headers={"Content-Type": "application/json"}),
                    400, "invalid_json")
    assert_envelope(client.post("/api/v1/lineage", json="just a string"), 422, "invalid_event")


def test_sql_lineage_adds_edges(with_pipeline: TestClient) -> None:
    again = with_pipeline.post("/api/v1/lineage/sql", json={"sql": SQL, "dialect": "duckdb", "job": "pipeline"})
    assert again.status_code == 201
    assert again.json()["problems"] == []
    assert again.json()["edges_added"] == 0 and again.json()["edges_seen"] > 0


def test_sql_that_does_not_resolve_is_422_with_positions_and_adds_nothing(client: TestClient) -> None:
    sql = "INSERT INTO clean.x (a) SELECT nope FROM ;"
    body = assert_envelope(client.post("/api/v1/lineage/sql", json={"sql": sql, "dialect": "duckdb"}), 422,
                           "sql_unresolved")
    problem = body["error"]["details"][0]
    assert (problem["line"], problem["col"], problem["code"]) == (1, 40, "parse-error")
    assert_envelope(client.get("/api/v1/lineage/datasets/clean.x"), 404, "dataset_not_found")


def test_sql_limits_and_bad_bodies(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_sql_chars=100)
    assert_envelope(client.post("/api/v1/lineage/sql", json={"sql": "SELECT 1 " * 20}), 413, "sql_too_long")
    assert_envelope(client.post("/api/v1/lineage/sql", json={"dialect": "duckdb"}), 422, "invalid_request")
    assert_envelope(client.post("/api/v1/lineage/sql", json={"sql": "SELECT 1", "dialect": "postgress"}), 422,
                    "invalid_sql")


def test_impact_upstream_and_dataset(with_pipeline: TestClient) -> None:
    impact = with_pipeline.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount"})
    assert impact.status_code == 200, impact.text
    body = impact.json()
    nodes = {h["node"] for h in body["hits"]}
    assert "clean.orders_enriched.amount_eur" in nodes
    assert any(h["is_feature"] for h in body["hits"])
    assert body["truncated"] is False
    cut = with_pipeline.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount", "limit": 1}).json()
    assert (len(cut["hits"]), cut["truncated"]) == (1, True)
    shallow = with_pipeline.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount", "depth": 1}).json()
    assert {h["depth"] for h in shallow["hits"]} == {1}
    values = with_pipeline.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount", "kind": "value"}).json()
    assert {h["kind"] for h in values["hits"]} == {"value"}
    up = with_pipeline.get("/api/v1/lineage/upstream", params={"field": "clean.orders_enriched.amount_eur"}).json()
    assert {"raw.orders.amount", "raw.fx_rates.rate_to_eur"} <= {h["node"] for h in up["hits"]}
    ds = with_pipeline.get("/api/v1/lineage/datasets/clean.orders_enriched")
    assert ds.status_code == 200
    assert "amount_eur" in {c["column"] for c in ds.json()["columns"]}


def test_impact_errors(with_pipeline: TestClient) -> None:
    body = assert_envelope(with_pipeline.get("/api/v1/lineage/impact", params={"field": "raw.orders.amout"}), 404,
                           "field_not_found")
    assert "raw.orders.amount" in body["error"]["details"][0]["near"]
    for params in ({"field": "raw.orders.amount", "depth": 0}, {"field": "raw.orders.amount", "depth": 51},
                   {"field": "raw.orders.amount", "kind": "sideways"}, {"field": "raw.orders.amount", "since": "x"},
                   {"field": "raw.orders.amount", "since": "2026-10-01T00:00:00Z", "until": "2026-09-01T00:00:00Z"},
                   {}):
        assert_envelope(with_pipeline.get("/api/v1/lineage/impact", params=params), 422, "invalid_request")
    assert_envelope(with_pipeline.get("/api/v1/lineage/datasets/raw.nothing"), 404, "dataset_not_found")


def test_lineage_writes_need_admin(make_client: Callable[..., TestClient], tokens_file: Path,
                                   token_of: dict[str, str]) -> None:
    client = make_client(load_tokens(tokens_file))
    for role in ("reader", "producer"):
        assert_envelope(client.post("/api/v1/lineage", json=event(), headers=bearer(token_of[role])), 403, "forbidden")
        assert_envelope(client.post("/api/v1/lineage/sql", json={"sql": SQL}, headers=bearer(token_of[role])), 403,
                        "forbidden")
    assert client.post("/api/v1/lineage", json=event(), headers=bearer(token_of["admin"])).status_code == 201
    assert client.get("/api/v1/lineage/impact", params={"field": "raw.a.x"},
                      headers=bearer(token_of["reader"])).status_code in (200, 404)


def test_registering_a_contract_tells_the_lineage_graph(client: TestClient) -> None:
    path = EXAMPLES / "contracts" / "features_customer_spend.odcs.yaml"
    assert client.put("/api/v1/contracts/pactline-example-features-customer-spend", content=path.read_bytes(),
                      headers={"Content-Type": "application/yaml"}).status_code == 201
    shown = client.get("/api/v1/lineage/datasets/features.customer_spend")
    assert shown.status_code == 200, shown.text
    assert shown.json()["is_feature"] is True
    assert shown.json()["contract_id"] == "pactline-example-features-customer-spend"


def test_impact_pages_follow_next_cursor_to_the_whole_answer(with_pipeline: TestClient) -> None:
    params = {"field": "raw.orders.amount"}
    whole = with_pipeline.get("/api/v1/lineage/impact", params={**params, "limit": 1000}).json()
    assert whole["total"] == len(whole["hits"]) >= 3
    assert (whole["truncated"], whole["next_cursor"]) == (False, None)
    keys = [(h["depth"], h["kind"] != "value", h["node"]) for h in whole["hits"]]
    assert keys == sorted(keys)
    pages, cursor = [], None
    while True:
        body = with_pipeline.get("/api/v1/lineage/impact",
                                 params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})}).json()
        assert body["total"] == whole["total"]
        pages.append(body["hits"])
        cursor = body["next_cursor"]
        assert body["truncated"] is (cursor is not None)
        if cursor is None:
            break
    assert [h for page in pages for h in page] == whole["hits"]
    assert len(pages) == -(-whole["total"] // 2)
    past = with_pipeline.get("/api/v1/lineage/impact", params={**params, "cursor": str(whole["total"] + 5)}).json()
    assert (past["hits"], past["total"], past["truncated"], past["next_cursor"]) == ([], whole["total"], False, None)
    for bad in ("abc", "-1", "1" * 13):
        assert_envelope(with_pipeline.get("/api/v1/lineage/impact", params={**params, "cursor": bad}), 422,
                        "invalid_request")
    up = with_pipeline.get("/api/v1/lineage/upstream",
                           params={"field": "clean.orders_enriched.amount_eur", "limit": 1}).json()
    assert (len(up["hits"]), up["truncated"], up["next_cursor"]) == (1, True, "1")


def test_a_graph_saved_by_another_process_is_loaded_on_the_first_query_then_reused(
        client: TestClient, store: Store) -> None:
    import service.lineage_ops as lineage_ops

    other = open_store(str(store.engine.url))  # another worker: its own engine, its own cached graph
    try:
        lineage_ops.add_sql(other, SQL, dialect="duckdb", job="pipeline")
    finally:
        other.close()
    assert lineage_ops.graph_loaded(store) is False
    first = client.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount", "limit": 3})
    assert first.status_code == 200, first.text
    assert lineage_ops.graph_loaded(store) is True
    again = client.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount", "limit": 3})
    assert again.json() == first.json()
    assert (len(first.json()["hits"]), first.json()["truncated"]) == (3, True)


def test_the_cached_graph_is_replaced_exactly_when_another_writer_saved(store: Store) -> None:
    import gc

    import service.lineage_ops as lineage_ops
    from service.store.lineage import graph_cached, read_graph

    other = open_store(str(store.engine.url))  # another worker
    try:
        lineage_ops.add_sql(other, SQL, dialect="duckdb", job="pipeline")
        assert graph_cached(store) is False
        first = read_graph(store)
        assert graph_cached(store) is True
        assert gc.isenabled() and gc.get_freeze_count() > 0  # the loaded graph is out of the collector's reach
        assert read_graph(store) is first  # nothing saved since: the same graph, no reload
        before = lineage_ops.impact(store, "raw.orders.amount")["total"]
        added = lineage_ops.add_sql(other, "INSERT INTO audit.amounts (seen_amount) SELECT o.amount FROM raw.orders o",
                                    dialect="duckdb", job="audit")
        assert (added.edges_added, added.problems) == (1, ())
        second = read_graph(store)
        assert second is not first
        after = lineage_ops.impact(store, "raw.orders.amount")
        assert after["total"] == before + 1
        assert "audit.amounts.seen_amount" in [h["node"] for h in after["hits"]]
        assert read_graph(store) is second
    finally:
        other.close()
        gc.unfreeze()


def test_change_token_moves_exactly_when_something_is_committed(store_url: str) -> None:
    from service.store.lineage import change_token
    from tests.service.test_store import make_report

    store = open_store(store_url)
    other = open_store(store_url)  # another worker
    try:
        first = change_token(store)
        if store.engine.dialect.name != "sqlite":
            assert first is None  # no cheap signal: every query asks the store
            return
        assert first is not None and change_token(store) == first  # nothing committed
        other.record_run(make_report("r-other"))
        second = change_token(store)
        assert second != first
        store.record_run(make_report("r-self"))  # this process, through the store's own pool
        assert change_token(store) not in (first, second)
    finally:
        other.close()
        store.close()
    assert change_token(open_store("sqlite://")) is None  # in memory: one connection, nothing to watch


def test_impact_lists_a_failed_run_recorded_after_the_first_query(store_url: str) -> None:
    import service.lineage_ops as lineage_ops
    from tests.service.test_store import T0, make_report

    store = open_store(store_url)
    other = open_store(store_url)  # another worker
    try:
        lineage_ops.add_sql(store, SQL, dialect="duckdb", job="pipeline")
        window = {"since": T0 - dt.timedelta(days=1), "until": T0 + dt.timedelta(days=1)}
        assert lineage_ops.impact(store, "raw.orders.amount", **window)["failed_runs"] == []
        assert lineage_ops.impact(store, "raw.orders.amount", **window)["failed_runs"] == []  # known: none
        other.record_run(make_report("blocked-1", passed=False, started=T0))
        other.record_run(make_report("blocked-late", passed=False, started=T0 + dt.timedelta(days=5)))
        listed = lineage_ops.impact(store, "raw.orders.amount", **window)["failed_runs"]
        assert [r["run_id"] for r in listed] == ["blocked-1"]
        other.record_run(make_report("blocked-2", passed=False, started=T0 + dt.timedelta(hours=1)))
        listed = lineage_ops.impact(store, "raw.orders.amount", **window)["failed_runs"]
        assert [r["run_id"] for r in listed] == ["blocked-1", "blocked-2"]
    finally:
        other.close()
        store.close()
