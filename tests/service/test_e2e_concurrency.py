"""Four server workers on PostgreSQL take 200 concurrent batch submissions for one dataset:
every run is recorded exactly once, and no request fails."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from service.store import open_store
from tests.service.conftest import LiveServer, contract_text

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

SUBMISSIONS = 200
CONCURRENCY = 32


def batch_csv(i: int) -> bytes:
    rows = "\n".join(f"{i * 10 + k},{k * 1.5}" for k in range(10))
    return f"order_id,amount\n{rows}\n".encode()


async def submit_all(base: str) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=CONCURRENCY)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        gate = asyncio.Semaphore(CONCURRENCY)

        async def one(i: int) -> httpx.Response:
            async with gate:
                return await client.post("/api/v1/datasets/raw.orders/batches", content=batch_csv(i),
                                         headers={"Content-Type": "text/csv"})

        return await asyncio.gather(*(one(i) for i in range(SUBMISSIONS)))


def test_200_concurrent_batches_on_4_workers(
    live_server: Callable[..., LiveServer], fresh_postgres_url: str, tmp_path: Path
) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "orders.odcs.yaml").write_text(contract_text())
    server = live_server(fresh_postgres_url, contracts=contracts, workers=4,
                         extra=("--quarantine", str(tmp_path / "quarantine")))
    responses = asyncio.run(submit_all(server.base))
    assert [r.status_code for r in responses] == [200] * SUBMISSIONS, [r.text for r in responses if r.status_code != 200][:3]
    run_ids = [r.json()["run_id"] for r in responses]
    assert len(set(run_ids)) == SUBMISSIONS
    server.stop()

    store = open_store(fresh_postgres_url)
    try:
        assert store.count_runs("raw.orders") == SUBMISSIONS
        seen: list[str] = []
        cursor = None
        while True:
            page, cursor = store.list_runs(dataset="raw.orders", limit=64, cursor=cursor)
            seen += [r["run_id"] for r in page]
            if cursor is None:
                break
        assert sorted(seen) == sorted(run_ids)
        assert all(store.get_run(r)["rows"] == 10 for r in run_ids[:5])  # type: ignore[index]
    finally:
        store.close()
