"""Load benchmark of the HTTP service: batch submission and lineage impact under concurrency.

Run: ``.venv/bin/python bench/service_load.py [--requests 200] [--impact-requests 2000]
[--concurrency 16] [--workers 2] [--store URL] [--skip-1m] [--impact-only]``

What it does (loopback only, bounded request counts)
- Builds a 10 k-row Parquet batch of raw.orders from examples/data (bench/.data/service/).
- Peers, measured in the same run on the same batch: ``checks.validate`` in process (what the
  CLI does after start-up) and the whole ``pactline validate`` command (process start included).
- Starts ``pactline serve`` (``--workers``) on a fresh store with examples/contracts, then:
  POST /datasets/raw.orders/batches with the batch, ``--requests`` times at ``--concurrency``;
  POST the example pipeline's SQL, then GET /lineage/impact?field=raw.orders.amount on that
  sample graph; then (unless ``--skip-1m``) on the 1 M-node graph that bench/lineage.py's
  generator builds, loaded into the same store.
- Peer of the impact queries, on the same server in the same run: GET /health (no work at all) at the
  same concurrency and one at a time: the floor of this server, client and machine.
- Prints p50/p95/p99 latency, throughput and mean response size per scenario, and the targets: batch
  submission p95 <= 2x the CLI's validation time of the same batch; impact p95 <= 50 ms on the 1 M-node
  graph. ``--impact-only`` skips the batch scenarios and the CLI peers.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import pyarrow as pa  # noqa: E402
import pyarrow.compute as pc  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

DATA = ROOT / "bench" / ".data" / "service"
EXAMPLES = ROOT / "examples"
NOW = "2026-09-30T12:00:00+00:00"


@dataclass(frozen=True)
class Stats:
    name: str
    n: int
    errors: int
    p50: float
    p95: float
    p99: float
    throughput: float  # requests per second
    kb: float = 0.0  # mean response body, KB

    def row(self) -> str:
        return (f"| {self.name} | {self.n} | {self.errors} | {self.p50 * 1000:.1f} | {self.p95 * 1000:.1f} | "
                f"{self.p99 * 1000:.1f} | {self.throughput:.1f} | {self.kb:.1f} |")


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def build_batch(rows: int = 10_000) -> Path:
    """raw_orders_good tiled to ``rows`` with fresh, unique order ids: passes the contract like the original."""
    DATA.mkdir(parents=True, exist_ok=True)
    out = DATA / f"orders_{rows // 1000}k.parquet"
    if out.exists():
        return out
    good = pq.read_table(EXAMPLES / "data" / "raw_orders_good.parquet")
    copies = -(-rows // good.num_rows)
    table = pa.concat_tables([good] * copies).slice(0, rows)
    ids = table.column("order_id")
    fresh = pa.array(range(1, rows + 1), type=ids.type) if pa.types.is_integer(ids.type) else pc.cast(
        pa.array(range(1, rows + 1)), ids.type)
    table = table.set_column(table.schema.get_field_index("order_id"), "order_id", fresh)
    pq.write_table(table, out)
    return out


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cli_peers(batch: Path) -> tuple[float, float]:
    """(in-process validate seconds, whole `pactline validate` command seconds), medians."""
    import datetime as dt

    from checks import validate
    from contracts import load_contract

    contract = load_contract(EXAMPLES / "contracts" / "raw_orders.odcs.yaml")
    now = dt.datetime.fromisoformat(NOW)
    validate(batch, contract, now=now)  # warm-up
    in_process = median_time(lambda: validate(batch, contract, now=now), 7)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PACTLINE_STORE": f"sqlite:///{DATA / 'cli.db'}"}
    cmd = [sys.executable, "-m", "service", "validate", str(EXAMPLES / "contracts" / "raw_orders.odcs.yaml"),
           str(batch), "--now", NOW]
    whole = median_time(lambda: subprocess.run(cmd, env=env, cwd=DATA, capture_output=True, check=False), 3)
    return in_process, whole


class Server:
    def __init__(self, store_url: str, workers: int, contracts: bool = True) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--store", store_url, "--workers", str(workers), "--tokens", str(DATA / "no-tokens.json"),
             "--quarantine", str(DATA / "quarantine"), "--log-level", "warning",
             *(["--contracts", str(EXAMPLES / "contracts")] if contracts else [])],
            cwd=DATA, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"pactline serve exited: {self.proc.stderr.read().decode() if self.proc.stderr else ''}")
            try:
                if httpx.get(f"{self.base}/ready", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise SystemExit("pactline serve did not become ready in 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def hammer(base: str, name: str, n: int, concurrency: int, send: Callable[[httpx.AsyncClient], Any],
                 ok: tuple[int, ...] = (200,)) -> Stats:
    latencies: list[float] = []
    sizes: list[int] = []
    errors = 0
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=300, limits=httpx.Limits(max_connections=concurrency)) as client:
        async def one() -> None:
            nonlocal errors
            async with gate:
                t0 = time.perf_counter()
                response = await send(client)
                latencies.append(time.perf_counter() - t0)
                sizes.append(len(response.content))
                if response.status_code not in ok:
                    errors += 1
        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        wall = time.perf_counter() - t0
    return Stats(name, n, errors, quantile(latencies, 0.5), quantile(latencies, 0.95), quantile(latencies, 0.99),
                 n / wall, statistics.fmean(sizes) / 1000)


def _bench_lineage() -> Any:
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_lineage", ROOT / "bench" / "lineage.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def million_graph_store(columns: int, edges: int, queries: int) -> tuple[str, list[dict[str, str]]]:
    """A store holding bench/lineage.py's synthetic graph (built once, kept under bench/.data), and impact
    query parameters with the same mix as bench/lineage.py: random upper-layer columns, 90-day windows."""
    import datetime as dt
    import random

    bench_lineage = _bench_lineage()
    db = DATA / f"graph_{columns}_{edges}.db"
    url = f"sqlite:///{db}"
    done = db.with_suffix(".done")
    if not done.exists():
        from lineage import LineageGraph
        from service.store import open_store
        from service.store.lineage import save_graph

        for suffix in ("", "-wal", "-shm", ".migrate-lock"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        t0 = time.perf_counter()
        graph = LineageGraph()
        graph.load_rows([f"job{d}" for d in range(columns // 20)], bench_lineage.synthetic_rows(columns, edges),
                        saved=False)
        store = open_store(url)
        try:
            with store.write() as conn:
                save_graph(conn, graph)
        finally:
            store.close()
        del graph
        done.write_text("ok")
        print(f"big graph: built and saved in {time.perf_counter() - t0:.0f} s ({db.name})", flush=True)
    rng = random.Random(11)
    upper = edges // 3  # rows are in target order: these read columns of the upper layers
    picks = [rng.randrange(upper) for _ in range(queries)]
    starts = [bench_lineage.T0 + rng.randrange(270) * bench_lineage.DAY for _ in range(queries)]
    wanted = iter(sorted(set(picks)))
    sources: dict[int, str] = {}
    nxt = next(wanted, None)
    for row in bench_lineage.synthetic_rows(columns, edges):
        if nxt is None:
            break
        if row[0] == nxt:
            sources[nxt] = row[1]
            nxt = next(wanted, None)
    params = [
        {"field": sources[pick], "since": dt.datetime.fromtimestamp(since, dt.UTC).isoformat(),
         "until": dt.datetime.fromtimestamp(since + 90 * bench_lineage.DAY, dt.UTC).isoformat()}
        for pick, since in zip(picks, starts, strict=True)
    ]
    return url, params


def submit_batches(base: str, body: bytes, requests: int, concurrency: int, workers: int) -> tuple[Stats, Stats]:
    """POST the batch at ``concurrency``, then one at a time."""
    def send(c: httpx.AsyncClient) -> Any:
        return c.post("/api/v1/datasets/raw.orders/batches", params={"now": NOW}, content=body,
                      headers={"Content-Type": "application/vnd.apache.parquet"})

    # warm-up: each worker's first validation loads the engines (DuckDB, readers)
    asyncio.run(hammer(base, "warm-up", workers * 4, workers * 4, send))
    at_once = asyncio.run(hammer(base, f"POST batches (10 k rows, c={concurrency})", requests, concurrency, send))
    one_by_one = asyncio.run(hammer(base, "POST batches (10 k rows, c=1)", max(20, requests // 10), 1, send))
    return at_once, one_by_one


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=200, help="batch submissions")
    parser.add_argument("--impact-requests", type=int, default=2000, help="impact queries per graph")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--store", default=None, help="store URL (default: a fresh SQLite file under bench/.data)")
    parser.add_argument("--skip-1m", action="store_true", help="skip the 1 M-node graph")
    parser.add_argument("--impact-only", action="store_true",
                        help="only the lineage impact scenarios (no batch submissions, no CLI peers)")
    parser.add_argument("--columns", type=int, default=1_000_000, help="column nodes of the big graph")
    parser.add_argument("--edges", type=int, default=3_000_000, help="edges of the big graph")
    args = parser.parse_args(argv)

    batch = build_batch()
    rows = pq.read_metadata(batch).num_rows
    print(f"batch: {batch.relative_to(ROOT)} ({rows} rows, {batch.stat().st_size / 1e6:.2f} MB)")
    in_process, whole_cli = cli_peers(batch) if not args.impact_only else (0.0, 0.0)

    store_dir = DATA / "store"
    shutil.rmtree(store_dir, ignore_errors=True)
    store_dir.mkdir(parents=True)
    store_url = args.store or f"sqlite:///{store_dir / 'load.db'}"
    shutil.rmtree(DATA / "quarantine", ignore_errors=True)

    results: list[Stats] = []
    batch_stats = batch_seq = None
    server = Server(store_url, args.workers)
    try:
        body = batch.read_bytes()
        if not args.impact_only:
            batch_stats, batch_seq = submit_batches(server.base, body, args.requests, args.concurrency, args.workers)
            results += [batch_stats, batch_seq]
        sql = httpx.post(f"{server.base}/api/v1/lineage/sql", json={
            "sql": (EXAMPLES / "sql" / "pipeline.sql").read_text(), "dialect": "duckdb", "job": "pipeline"}, timeout=60)
        if sql.status_code != 201:
            raise SystemExit(f"POST /lineage/sql failed: {sql.status_code} {sql.text[:300]}")
        results.append(asyncio.run(hammer(
            server.base, f"GET impact, sample graph (c={args.concurrency})", args.impact_requests, args.concurrency,
            lambda c: c.get("/api/v1/lineage/impact", params={"field": "raw.orders.amount"}))))
    finally:
        server.stop()

    million = million_seq = floor = floor_seq = None
    if not args.skip_1m:
        big_url, params = million_graph_store(args.columns, args.edges, args.impact_requests)
        big = Server(big_url, args.workers, contracts=False)
        try:
            # warm-up: concurrent first queries until every worker has loaded the stored graph (all answers fast)
            t0 = time.perf_counter()
            for _ in range(20):
                warm = asyncio.run(hammer(big.base, "warm-up", args.workers * 8, args.workers * 8,
                                          lambda c: c.get("/api/v1/lineage/impact", params=params[0])))
                if warm.p99 < 2.0:
                    break
            print(f"big graph: workers loaded it in {time.perf_counter() - t0:.0f} s", flush=True)
            queue = iter(params)
            million = asyncio.run(hammer(
                big.base, f"GET impact, {args.columns // 1000} k-column graph, 90-day windows (c={args.concurrency})",
                len(params), args.concurrency,
                lambda c: c.get("/api/v1/lineage/impact", params=next(queue))))
            results.append(million)
            queue = iter(params[: max(50, len(params) // 5)])
            million_seq = asyncio.run(hammer(
                big.base, f"GET impact, {args.columns // 1000} k-column graph (c=1)", max(50, len(params) // 5), 1,
                lambda c: c.get("/api/v1/lineage/impact", params=next(queue))))
            results.append(million_seq)
            floor = asyncio.run(hammer(big.base, f"GET /health, same server (c={args.concurrency})", len(params),
                                       args.concurrency, lambda c: c.get("/health")))
            floor_seq = asyncio.run(hammer(big.base, "GET /health, same server (c=1)", million_seq.n, 1,
                                           lambda c: c.get("/health")))
            results += [floor, floor_seq]
        finally:
            big.stop()

    print(f"\nworkers={args.workers}, store={'custom' if args.store else 'SQLite'}, loopback\n")
    print("| scenario | requests | errors | p50 ms | p95 ms | p99 ms | req/s | KB/response |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for s in results:
        print(s.row())
    if batch_stats is not None and batch_seq is not None:
        print("\n| peer (same batch) | seconds | batch p95 / peer |")
        print("|---|---:|---:|")
        print(f"| checks.validate in process (CLI minus start-up) | {in_process:.3f} | "
              f"{batch_stats.p95 / in_process:.2f}x |")
        print(f"| `pactline validate` whole command | {whole_cli:.3f} | {batch_stats.p95 / whole_cli:.2f}x |")
        print(f"| (one submission at a time, p95) | {batch_seq.p95:.3f} | "
              f"{batch_seq.p95 / in_process:.2f}x of in-process |")
        print(f"\ntarget batch p95 <= 2x CLI validation: {'met' if batch_stats.p95 <= 2 * whole_cli else 'NOT met'} "
              f"(vs whole command), {'met' if batch_stats.p95 <= 2 * in_process else 'NOT met'} (vs in-process)")
    if million is not None and million_seq is not None and floor is not None and floor_seq is not None:
        print("\n| impact on the big graph vs GET /health (same server) | p50 ratio | p95 ratio |")
        print("|---|---:|---:|")
        print(f"| c={args.concurrency} | {million.p50 / floor.p50:.2f}x | {million.p95 / floor.p95:.2f}x |")
        print(f"| c=1 | {million_seq.p50 / floor_seq.p50:.2f}x | {million_seq.p95 / floor_seq.p95:.2f}x |")
        print(f"target impact p95 <= 50 ms on the 1 M-node graph: {'met' if million.p95 <= 0.050 else 'NOT met'}"
              f" (GET /health alone, same server and concurrency: p95 {floor.p95 * 1000:.1f} ms)")
    else:
        print("1 M-node graph: not measured (--skip-1m)")
    return 0 if all(s.errors == 0 for s in results) else 1


if __name__ == "__main__":
    sys.exit(main())
