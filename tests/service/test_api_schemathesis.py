"""Property-based tests of the live API from its own OpenAPI document (schemathesis).

Every documented operation gets generated requests (valid and invalid) with an admin token;
none may answer 500, and every response must match the documented status codes, content types
and schemas. Bounded examples keep the run short.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from service.api import create_app
from service.auth import create_token
from tests.service.conftest import LiveServer, contract_text

pytestmark = pytest.mark.slow

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, str]]:
    work = tmp_path_factory.mktemp("schemathesis")
    tokens = work / "tokens.json"
    token, _ = create_token(tokens, "admin")
    contracts = work / "contracts"
    contracts.mkdir()
    (contracts / "orders.odcs.yaml").write_text(contract_text())
    server = LiveServer(work, f"sqlite:///{work / 'store.db'}", tokens_file=tokens, contracts=contracts)
    yield server, token
    server.stop()


# The document the server serves (checked below); built in process so pytest can list the operations.
OPENAPI = create_app().openapi()
schema = schemathesis.openapi.from_dict(OPENAPI)


def test_the_live_server_serves_this_document(live: tuple[LiveServer, str]) -> None:
    import httpx

    server, _ = live
    assert httpx.get(f"{server.base}/openapi.json").json() == OPENAPI


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_conforms_to_its_openapi(case: schemathesis.Case, live: tuple[LiveServer, str]) -> None:
    server, token = live
    case.call_and_validate(base_url=server.base, headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)


def test_openapi_documents_errors_on_every_operation(live: tuple[LiveServer, str]) -> None:
    import httpx

    server, _ = live
    spec = httpx.get(f"{server.base}/openapi.json").json()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1"):
                assert {"401", "422", "500"} <= set(operation["responses"]), (method, path)
                schema_422 = operation["responses"]["422"]["content"]["application/json"]["schema"]
                refs = [s["$ref"] for s in schema_422.get("anyOf", [schema_422])]
                # a blocked batch answers 422 with its report; every other 422 is the envelope
                expected = ["#/components/schemas/ReportOut", "#/components/schemas/ErrorEnvelope"] if path.endswith(
                    "/batches") else ["#/components/schemas/ErrorEnvelope"]
                assert refs == expected, (method, path)


