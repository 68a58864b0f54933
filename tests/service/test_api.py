"""The HTTP API in process: health, the contracts registry, runs, and auth on each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient

from checks.results import Report, RuleResult
from service.auth import Tokens
from service.store import Store
from service.store.engine import create_store_engine
from tests.service.conftest import bearer, contract_text

YAML = {"Content-Type": "application/yaml"}
T0 = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def assert_envelope(response: object, status: int, code: str) -> dict:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert set(body) == {"error", "request_id"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert body["request_id"] == response.headers["x-request-id"]  # type: ignore[attr-defined]
    return body


# -- health -------------------------------------------------------------------------------------

def test_health_and_ready(client: TestClient) -> None:
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready")
    assert ready.status_code == 200 and ready.json()["status"] == "ready"


def test_ready_is_503_when_the_store_does_not_answer(make_client: Callable[..., TestClient], store: Store) -> None:
    dead = Store(create_store_engine("postgresql+psycopg://nobody:pw@127.0.0.1:1/x?connect_timeout=1"))
    client = make_client()
    client.app.state.store = dead  # type: ignore[attr-defined]
    try:
        assert_envelope(client.get("/ready"), 503, "store_unreachable")
        assert client.get("/health").status_code == 200
    finally:
        client.app.state.store = store  # type: ignore[attr-defined]


def test_openapi_and_docs_are_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/v1/contracts", "/api/v1/contracts/{contract_id}", "/api/v1/runs", "/api/v1/runs/{run_id}",
            "/health", "/ready"} <= set(spec["paths"])
    assert "ErrorEnvelope" in spec["components"]["schemas"]
    assert client.get("/docs").status_code == 200


# -- contracts ----------------------------------------------------------------------------------

def test_put_contract_created_unchanged_conflict(client: TestClient) -> None:
    first = client.put("/api/v1/contracts/orders", content=contract_text(), headers=YAML)
    assert first.status_code == 201
    assert {k: first.json()[k] for k in ("id", "version", "status", "datasets")} == {
        "id": "orders", "version": "1.0.0", "status": "created", "datasets": ["raw.orders"]}
    again = client.put("/api/v1/contracts/orders", content=contract_text(), headers=YAML)
    assert (again.status_code, again.json()["status"]) == (200, "unchanged")
    assert_envelope(client.put("/api/v1/contracts/orders", content=contract_text(amount_type="integer"),
                               headers=YAML), 409, "version_conflict")
    newer = client.put("/api/v1/contracts/orders", content=contract_text(version="1.1.0", amount_type="integer"),
                       headers=YAML)
    assert newer.status_code == 201


def test_put_contract_as_json(client: TestClient) -> None:
    from contracts import load_contract

    doc = load_contract(contract_text()).model_dump(mode="json", by_alias=True, exclude_none=True)
    put = client.put("/api/v1/contracts/orders", json=doc)
    assert put.status_code == 201
    got = client.get("/api/v1/contracts/orders").json()
    assert got["format"] == "json"
    # the same contract as YAML is the same version, unchanged
    assert client.put("/api/v1/contracts/orders", content=contract_text(), headers=YAML).status_code == 200


def test_put_contract_that_does_not_lint_lists_every_problem(client: TestClient) -> None:
    bad = contract_text().replace("logicalType: number", "logicalType: numbr").replace("status: active\n", "")
    body = assert_envelope(client.put("/api/v1/contracts/orders", content=bad, headers=YAML), 422, "contract_invalid")
    details = body["error"]["details"]
    assert len(details) >= 2
    for problem in details:
        assert set(problem) == {"file", "line", "column", "path", "code", "message"}
    paths = {p["path"] for p in details}
    assert "schema[0].properties[1].logicalType" in paths
    assert_envelope(client.put("/api/v1/contracts/orders", content=b"\xff\xfe", headers=YAML), 422, "contract_invalid")
    assert_envelope(client.put("/api/v1/contracts/orders", content="/etc/passwd", headers=YAML), 422,
                    "contract_invalid")
    assert_envelope(client.put("/api/v1/contracts/orders", content="", headers=YAML), 422, "contract_invalid")
    assert client.get("/api/v1/contracts").json() == {"contracts": []}


def test_put_contract_id_mismatch_and_media_type(client: TestClient) -> None:
    assert_envelope(client.put("/api/v1/contracts/other", content=contract_text(), headers=YAML), 422, "id_mismatch")
    assert_envelope(client.put("/api/v1/contracts/orders", content=contract_text(),
                               headers={"Content-Type": "image/png"}), 415, "unsupported_media_type")


def test_get_contracts(client: TestClient) -> None:
    client.put("/api/v1/contracts/orders", content=contract_text(), headers=YAML)
    client.put("/api/v1/contracts/orders", content=contract_text(version="1.2.0"), headers=YAML)
    client.put("/api/v1/contracts/customers", content=contract_text(id="customers", dataset="raw.customers"),
               headers=YAML)
    listed = client.get("/api/v1/contracts").json()["contracts"]
    assert [(c["id"], c["version"], c["versions"]) for c in listed] == [
        ("customers", "1.0.0", ["1.0.0"]), ("orders", "1.2.0", ["1.0.0", "1.2.0"])]
    latest = client.get("/api/v1/contracts/orders").json()
    assert latest["version"] == "1.2.0"
    assert [v["version"] for v in latest["versions"]] == ["1.0.0", "1.2.0"]
    assert latest["content"] == contract_text(version="1.2.0")
    assert client.get("/api/v1/contracts/orders/versions/1.0.0").json()["version"] == "1.0.0"
    assert_envelope(client.get("/api/v1/contracts/nope"), 404, "contract_not_found")
    assert_envelope(client.get("/api/v1/contracts/orders/versions/9.9.9"), 404, "contract_not_found")


# -- runs ---------------------------------------------------------------------------------------

def record(store: Store, n: int) -> None:
    for i in range(n):
        passed = i % 2 == 0
        store.record_run(Report(
            run_id=f"run-{i:02d}", dataset="raw.orders" if i < n - 1 else "raw.customers", contract_id="orders",
            contract_version="1.0.0", rows=5, started_at=T0 + dt.timedelta(hours=i),
            finished_at=T0 + dt.timedelta(hours=i, seconds=1),
            results=(RuleResult("orders.amount.quality[0]", "null_values", "completeness", "amount", "error", passed,
                                observed=0 if passed else 2, threshold=0, failed_rows=0 if passed else 2),),
        ))


def test_runs_paginate_with_truncated_flag(client: TestClient, store: Store) -> None:
    record(store, 5)
    first = client.get("/api/v1/runs", params={"limit": 2}).json()
    assert [r["run_id"] for r in first["runs"]] == ["run-04", "run-03"]
    assert first["truncated"] is True
    second = client.get("/api/v1/runs", params={"limit": 2, "cursor": first["next_cursor"]}).json()
    third = client.get("/api/v1/runs", params={"limit": 2, "cursor": second["next_cursor"]}).json()
    assert [r["run_id"] for r in second["runs"] + third["runs"]] == ["run-02", "run-01", "run-00"]
    assert (third["truncated"], third["next_cursor"]) == (False, None)


def test_runs_filters(client: TestClient, store: Store) -> None:
    record(store, 5)
    def ids(**params: object) -> list[str]:
        response = client.get("/api/v1/runs", params=params)
        assert response.status_code == 200, response.text
        return [r["run_id"] for r in response.json()["runs"]]
    assert ids(dataset="raw.customers") == ["run-04"]
    assert ids(passed="false") == ["run-03", "run-01"]
    assert ids(since="2026-07-01T01:00:00Z", until="2026-07-01T03:00:00+00:00") == ["run-02", "run-01"]
    assert ids(since="2026-07-01T03:00:00") == ["run-04", "run-03"]


def test_runs_parameter_errors(client: TestClient) -> None:
    assert_envelope(client.get("/api/v1/runs", params={"limit": 0}), 422, "invalid_request")
    assert_envelope(client.get("/api/v1/runs", params={"limit": 5000}), 422, "invalid_request")
    assert_envelope(client.get("/api/v1/runs", params={"passed": "maybe"}), 422, "invalid_request")
    assert_envelope(client.get("/api/v1/runs", params={"since": "yesterday"}), 422, "invalid_request")
    assert_envelope(client.get("/api/v1/runs", params={"cursor": "abc"}), 400, "invalid_cursor")


def test_run_detail(client: TestClient, store: Store) -> None:
    record(store, 2)
    run = client.get("/api/v1/runs/run-01").json()
    assert (run["run_id"], run["passed"], run["profile"]) == ("run-01", False, None)
    assert [(r["reason"], r["failed_rows"]) for r in run["results"]] == [("null_values", 2)]
    assert_envelope(client.get("/api/v1/runs/nope"), 404, "run_not_found")


# -- auth ---------------------------------------------------------------------------------------

def test_tokens_required_when_configured(secured: TestClient, token_of: dict[str, str]) -> None:
    body = assert_envelope(secured.get("/api/v1/contracts"), 401, "unauthenticated")
    assert body["error"]["message"]
    assert secured.get("/api/v1/contracts").headers["www-authenticate"] == "Bearer"
    assert_envelope(secured.get("/api/v1/contracts", headers=bearer("pl_0123456789ab_" + "x" * 43)), 401,
                    "unauthenticated")
    assert_envelope(secured.get("/api/v1/contracts", headers={"Authorization": "Basic Zm9vOmJhcg=="}), 401,
                    "unauthenticated")
    for role in ("reader", "producer", "admin"):
        assert secured.get("/api/v1/contracts", headers=bearer(token_of[role])).status_code == 200
    assert secured.get("/health").status_code == 200  # liveness needs no token


def test_contract_writes_by_role(secured: TestClient, token_of: dict[str, str]) -> None:
    put = lambda token, text: secured.put(  # noqa: E731
        "/api/v1/contracts/" + text.split("id: ")[1].split("\n")[0], content=text,
        headers={**YAML, **bearer(token)})
    assert_envelope(put(token_of["reader"], contract_text()), 403, "forbidden")
    assert put(token_of["producer"], contract_text()).status_code == 201
    assert_envelope(put(token_of["producer"], contract_text(id="feat", dataset="features.orders")), 403, "forbidden")
    assert put(token_of["admin"], contract_text(id="feat", dataset="features.orders")).status_code == 201
    # a producer cannot take over a contract id whose datasets it may not write
    assert_envelope(put(token_of["producer"], contract_text(id="feat", version="2.0.0", dataset="raw.feat")), 403,
                    "forbidden")


def test_open_mode_is_admin(make_client: Callable[..., TestClient]) -> None:
    client = make_client(Tokens())
    assert client.put("/api/v1/contracts/feat", content=contract_text(id="feat", dataset="features.x"),
                      headers=YAML).status_code == 201


def test_run_detail_carries_the_profile_summary(client: TestClient, store: Store) -> None:
    import pyarrow as pa

    from checks.profile import DatasetProfile

    profile = DatasetProfile()
    profile.update(pa.record_batch({"amount": pa.array([1.0, 2.0, None, 4.0]), "currency": pa.array(["EUR"] * 4)}))
    store.record_run(Report(
        run_id="prof", dataset="raw.orders", contract_id="orders", contract_version="1.0.0", rows=4,
        started_at=T0, finished_at=T0, results=(), profile=profile,
    ))
    run = client.get("/api/v1/runs/prof").json()
    import json

    assert run["profile"] == json.loads(json.dumps(profile.summary()))
    assert run["profile"] is not None
