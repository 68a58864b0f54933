"""One error envelope on every route's error paths: 401, 404, 405, 413, 422 -- and never a 500."""

from __future__ import annotations

import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from service.auth import load_tokens
from tests.service.test_api import assert_envelope

ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def api_routes(client: TestClient) -> list[tuple[str, set[str]]]:
    """Every route in the OpenAPI document, path parameters filled in, with the methods it allows."""
    spec = client.app.openapi()  # type: ignore[attr-defined]
    routes = [(re.sub(r"\{[^}]+\}", "x", path), {m.upper() for m in ops}) for path, ops in spec["paths"].items()]
    assert len(routes) >= 6
    return sorted(routes)


def test_every_route_answers_405_with_the_envelope(client: TestClient) -> None:
    for path, methods in api_routes(client):
        for method in ALL_METHODS:
            if method not in methods:
                body = assert_envelope(client.request(method, path), 405, "method_not_allowed")
                assert method in body["error"]["message"]


def test_every_api_route_needs_a_token(
    make_client: Callable[..., TestClient], tokens_file: object, token_of: dict[str, str]
) -> None:
    secured = make_client(load_tokens(tokens_file))  # type: ignore[arg-type]
    for path, methods in api_routes(secured):
        if not path.startswith("/api/v1"):
            continue
        for method in methods:
            assert_envelope(secured.request(method, path), 401, "unauthenticated")


def test_writes_past_the_document_limit_get_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_document_bytes=1000)
    for path, methods in api_routes(client):
        for method in methods & {"POST", "PUT"}:
            if path.endswith("/batches"):
                continue  # batches have their own limit, tested with the batch endpoint
            assert_envelope(client.request(method, path, content=b"a" * 1001, headers={"Content-Type": "application/json"}),
                            413, "too_large")


def test_chunked_body_past_the_limit_gets_413(make_client: Callable[..., TestClient]) -> None:
    client = make_client(max_document_bytes=1000)

    def chunks():  # no Content-Length: the limit is enforced while reading
        for _ in range(10):
            yield b"x" * 200

    assert_envelope(client.put("/api/v1/contracts/orders", content=chunks(), headers={"Content-Type": "application/yaml"}),
                    413, "too_large")


def test_bad_content_length_is_400(client: TestClient) -> None:
    response = client.put("/api/v1/contracts/orders", content=b"{}",
                          headers={"Content-Type": "application/json", "Content-Length": "abc"})
    assert_envelope(response, 400, "bad_request")


def test_unknown_routes_are_404_with_the_envelope(client: TestClient) -> None:
    for path in ("/nope", "/api/v1", "/api/v1/nope", "/api/v2/contracts", "/api/v1/runs/a/b"):
        assert_envelope(client.get(path), 404, "not_found")


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/api/v1/nope", headers={"X-Request-ID": "abc-123"})
    assert given.json()["request_id"] == "abc-123" == given.headers["x-request-id"]
    odd = client.get("/api/v1/nope", headers={"X-Request-ID": "bad id\twith spaces"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.json()["request_id"])
    assert client.get("/health").headers["x-request-id"]
