"""Fixtures of the service tests: contract texts, an app on a fresh store, tokens of each role."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from service.api import ApiSettings, create_app
from service.auth import Tokens, create_token, load_tokens
from service.store import Store, open_store

CONTRACT = """\
apiVersion: v3.1.0
kind: DataContract
id: {id}
version: {version}
status: active
schema:
  - name: {name}
    physicalName: {dataset}
    properties:
      - name: order_id
        logicalType: integer
        required: true
      - name: amount
        logicalType: {amount_type}
"""


def contract_text(
    id: str = "orders", version: str = "1.0.0", dataset: str = "raw.orders", amount_type: str = "number"
) -> str:
    return CONTRACT.format(id=id, version=version, name=dataset.rsplit(".", 1)[-1], dataset=dataset,
                           amount_type=amount_type)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(f"sqlite:///{tmp_path / 'api' / 'pactline.db'}")
    yield s
    s.close()


@pytest.fixture
def tokens_file(tmp_path: Path) -> Path:
    return tmp_path / "tokens.json"


@pytest.fixture
def token_of(tokens_file: Path) -> dict[str, str]:
    """One token per role; the producer may write raw.* datasets."""
    return {
        "admin": create_token(tokens_file, "admin")[0],
        "reader": create_token(tokens_file, "reader")[0],
        "producer": create_token(tokens_file, "producer", ["raw.*"])[0],
    }


@pytest.fixture
def make_client(store: Store, tmp_path: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(tokens: Tokens | None = None, **settings: object) -> TestClient:
        app = create_app(ApiSettings(quarantine_dir=str(tmp_path / "quarantine"), **settings),  # type: ignore[arg-type]
                         store=store, tokens=tokens or Tokens())
        client = TestClient(app, raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """An app without tokens (loopback mode: every caller is admin)."""
    return make_client()


@pytest.fixture
def secured(make_client: Callable[..., TestClient], tokens_file: Path, token_of: dict[str, str]) -> TestClient:
    """An app with the tokens of ``token_of``."""
    return make_client(load_tokens(tokens_file))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
