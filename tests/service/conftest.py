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


# -- a real server: `pactline serve` in a subprocess on a loopback port ---------------------------

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """``pactline serve`` in its own process; ``base`` is its URL. ``stop()`` ends it (idempotent)."""

    def __init__(self, workdir: Path, store_url: str, *, tokens_file: Path | None = None,
                 contracts: Path | None = None, workers: int = 1, extra: tuple[str, ...] = ()) -> None:
        import os
        import subprocess
        import sys

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        args = [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                "--store", store_url, "--workers", str(workers), "--log-level", "warning",
                "--tokens", str(tokens_file or workdir / "no-tokens.json"), *extra]
        if contracts is not None:
            args += ["--contracts", str(contracts)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = workdir / f"serve-{self.port}.log"
        self._log_handle = self.log.open("wb")
        self.proc = subprocess.Popen(args, cwd=workdir, env=env, stdout=self._log_handle, stderr=subprocess.STDOUT)
        self._wait()

    def _wait(self) -> None:
        import time

        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"pactline serve exited with {self.proc.returncode}: {self.log.read_text()}")
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"pactline serve did not answer within 60 s: {self.log.read_text()}")

    def stop(self) -> None:
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log_handle.close()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Start servers with ``live_server(store_url, tokens_file=..., contracts=..., workers=...)``; all stopped after."""
    started: list[LiveServer] = []

    def start(store_url: str, **kwargs: object) -> LiveServer:
        server = LiveServer(tmp_path / "server", store_url, **kwargs)  # type: ignore[arg-type]
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
