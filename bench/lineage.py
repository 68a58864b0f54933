"""Lineage benchmark: one command, ``.venv/bin/python bench/lineage.py [--columns N] [--edges M]``.

1. Graph: a synthetic graph of 1 M column nodes and 3 M edges (layers of datasets, each column fed by ~3
   columns of nearby datasets one layer up; 80 % value / 20 % filter edges; first_seen spread over a year,
   10 % retired), built in memory, saved to a SQLite store and loaded back. Reports build / save / load
   time, peak RSS, and p50/p95/p99 of time-windowed impact queries from random columns of the upper layers
   (targets: p95 <= 50 ms, memory < 2 GB).
2. SQL: TPC-DS-like statements (star-schema joins, CTEs, aggregates, windows, CASE, subqueries) through
   pactline's full column lineage (value and filter edges for every output column), compared in the same run
   with parse + qualify alone and with sqlglot's lineage() called once per output column (target >= 100
   statements/s on one core).

Data goes under bench/.data/ (gitignored).
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / ".data"
DAY = 86_400
T0 = 1_767_225_600  # 2026-01-01


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return rss_mb()


# --- 1. graph ----------------------------------------------------------------------------------------------


def synthetic_rows(columns: int, edges: int, seed: int = 7):
    """(id, source, target, kind, job, origin, first, last, retired, dataset_level) rows of a layered graph."""
    rng = random.Random(seed)
    cols_per_ds = 20
    datasets = columns // cols_per_ds
    layers = 10
    per_layer = datasets // layers
    per_col = edges / (columns - per_layer * cols_per_ds)  # layer 0 has no inputs
    names = [f"l{d // per_layer}.ds{d % per_layer}" for d in range(datasets)]
    eid = 0
    for d in range(per_layer, datasets):
        layer, idx = divmod(d, per_layer)
        target_ds = names[d]
        job = d
        for c in range(cols_per_ds):
            k = int(per_col) + (1 if rng.random() < per_col - int(per_col) else 0)
            for _ in range(k):
                if eid >= edges:
                    return
                src_idx = (idx + rng.randint(-2, 2)) % per_layer
                src = f"{names[(layer - 1) * per_layer + src_idx]}.c{rng.randrange(cols_per_ds)}"
                first = T0 + rng.randrange(365) * DAY
                retired = first + rng.randrange(30, 200) * DAY if rng.random() < 0.1 else None
                yield (eid, src, f"{target_ds}.c{c}", 0 if rng.random() < 0.8 else 1, job, 0, first,
                       first + rng.randrange(60) * DAY, retired, 0)
                eid += 1


def bench_graph(columns: int, edges: int, queries: int) -> dict[str, float]:
    import sqlalchemy as sa

    from lineage import LineageGraph, impact
    from service.store import open_store
    from service.store.lineage import lineage_edges, load_graph, save_graph

    out: dict[str, float] = {}
    base = current_rss_mb()
    datasets = columns // 20
    jobs = [f"job{d}" for d in range(datasets)]
    t = time.perf_counter()
    g = LineageGraph()
    g.load_rows(jobs, synthetic_rows(columns, edges), saved=False)
    out["build_s"] = time.perf_counter() - t
    gc.collect()
    out["graph_mb"] = current_rss_mb() - base
    out["columns"] = g.column_count
    out["edges"] = g.edge_count
    print(f"graph: {g.column_count:,} column nodes, {g.edge_count:,} edges built in {out['build_s']:.1f}s, "
          f"+{out['graph_mb']:.0f} MB RSS", flush=True)

    # time-windowed impact from random columns of the upper layers
    rng = random.Random(11)
    times, reach = [], []
    upper = g.edge_count // 3  # edges are in target order: these read columns of layers 0-3
    for _ in range(queries):
        start = g.edge(rng.randrange(upper)).source
        since = T0 + rng.randrange(270) * DAY
        t = time.perf_counter()
        result = impact(g, start, since=since, until=since + 90 * DAY)
        times.append((time.perf_counter() - t) * 1000)
        reach.append(len(result.hits))
    q = statistics.quantiles(times, n=100)
    out.update(p50_ms=q[49], p95_ms=q[94], p99_ms=q[98], mean_hits=statistics.mean(reach),
               max_hits=max(reach))
    print(f"impact ({queries} windowed queries, mean {out['mean_hits']:.0f} hits, max {out['max_hits']}): "
          f"p50 {out['p50_ms']:.1f} ms, p95 {out['p95_ms']:.1f} ms, p99 {out['p99_ms']:.1f} ms", flush=True)

    DATA.mkdir(parents=True, exist_ok=True)
    db = DATA / "lineage.db"
    for suffix in ("", "-wal", "-shm", ".migrate-lock"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    store = open_store(f"sqlite:///{db}")
    t = time.perf_counter()
    with store.write() as conn:
        save_graph(conn, g)
    out["save_s"] = time.perf_counter() - t
    print(f"store: saved in {out['save_s']:.1f}s ({db.stat().st_size / 1e6:.0f} MB)", flush=True)
    del g, result
    gc.collect()
    before = current_rss_mb()
    t = time.perf_counter()
    with store.read() as conn:
        loaded = load_graph(conn)
    out["load_s"] = time.perf_counter() - t
    out["loaded_mb"] = current_rss_mb() - before
    with store.read() as conn:
        stored = conn.execute(sa.select(sa.func.count()).select_from(lineage_edges)).scalar()
    assert stored == loaded.edge_count == out["edges"]
    print(f"store: loaded {loaded.edge_count:,} edges in {out['load_s']:.1f}s, peak RSS {rss_mb():.0f} MB",
          flush=True)
    store.close()
    out["peak_mb"] = rss_mb()
    return out


# --- 2. SQL -----------------------------------------------------------------------------------------------

TPCDS_SCHEMA = {
    "tpcds.store_sales": {c: "int" for c in ("ss_sold_date_sk", "ss_item_sk", "ss_customer_sk", "ss_store_sk",
                                                "ss_quantity", "ss_sales_price", "ss_net_profit", "ss_ext_sales_price",
                                                "ss_promo_sk", "ss_ticket_number")},
    "tpcds.date_dim": {c: "int" for c in ("d_date_sk", "d_year", "d_moy", "d_qoy", "d_date", "d_dow")},
    "tpcds.item": {c: "text" for c in ("i_item_sk", "i_item_id", "i_brand", "i_category", "i_class",
                                        "i_current_price", "i_manufact_id")},
    "tpcds.customer": {c: "text" for c in ("c_customer_sk", "c_customer_id", "c_first_name", "c_last_name",
                                            "c_birth_country", "c_current_addr_sk")},
    "tpcds.store": {c: "text" for c in ("s_store_sk", "s_store_name", "s_state", "s_county")},
    "tpcds.customer_address": {c: "text" for c in ("ca_address_sk", "ca_state", "ca_zip", "ca_country")},
    "tpcds.promotion": {c: "text" for c in ("p_promo_sk", "p_channel_email", "p_channel_tv")},
}

TEMPLATES = [
    # q3-like
    """CREATE TABLE out.q{n} AS SELECT dt.d_year, item.i_brand AS brand, SUM(ss.ss_ext_sales_price) AS sum_agg
    FROM tpcds.date_dim AS dt, tpcds.store_sales AS ss, tpcds.item AS item
    WHERE dt.d_date_sk = ss.ss_sold_date_sk AND ss.ss_item_sk = item.i_item_sk AND item.i_manufact_id = {a}
      AND dt.d_moy = {m} GROUP BY dt.d_year, item.i_brand ORDER BY dt.d_year, sum_agg DESC LIMIT 100""",
    # q7-like with promotion
    """CREATE TABLE out.q{n} AS SELECT i.i_item_id, AVG(ss.ss_quantity) AS agg1, AVG(ss.ss_sales_price) AS agg2
    FROM tpcds.store_sales AS ss JOIN tpcds.item AS i ON ss.ss_item_sk = i.i_item_sk
    JOIN tpcds.date_dim AS d ON ss.ss_sold_date_sk = d.d_date_sk JOIN tpcds.promotion AS p ON ss.ss_promo_sk = p.p_promo_sk
    WHERE (p.p_channel_email = 'N' OR p.p_channel_tv = 'N') AND d.d_year = {y}
    GROUP BY i.i_item_id ORDER BY i.i_item_id LIMIT 100""",
    # CTE + window (q47/q89-like)
    """CREATE TABLE out.q{n} AS WITH v1 AS (SELECT i.i_category, i.i_brand, s.s_store_name, d.d_year, d.d_moy,
      SUM(ss.ss_sales_price) AS sum_sales,
      AVG(SUM(ss.ss_sales_price)) OVER (PARTITION BY i.i_category, i.i_brand, s.s_store_name, d.d_year) AS avg_monthly
      FROM tpcds.item AS i, tpcds.store_sales AS ss, tpcds.date_dim AS d, tpcds.store AS s
      WHERE ss.ss_item_sk = i.i_item_sk AND ss.ss_sold_date_sk = d.d_date_sk AND ss.ss_store_sk = s.s_store_sk
        AND d.d_year = {y} GROUP BY i.i_category, i.i_brand, s.s_store_name, d.d_year, d.d_moy)
    SELECT v1.i_category, v1.i_brand, v1.s_store_name, v1.d_year, v1.sum_sales, v1.avg_monthly,
      CASE WHEN v1.avg_monthly > 0 THEN ABS(v1.sum_sales - v1.avg_monthly) / v1.avg_monthly ELSE NULL END AS dev
    FROM v1 WHERE v1.avg_monthly > 0 ORDER BY dev LIMIT 100""",
    # correlated subquery (q6-like)
    """CREATE TABLE out.q{n} AS SELECT a.ca_state AS state, COUNT(*) AS cnt
    FROM tpcds.customer_address AS a, tpcds.customer AS c, tpcds.store_sales AS s, tpcds.date_dim AS d, tpcds.item AS i
    WHERE a.ca_address_sk = c.c_current_addr_sk AND c.c_customer_sk = s.ss_customer_sk AND s.ss_sold_date_sk = d.d_date_sk
      AND s.ss_item_sk = i.i_item_sk AND d.d_moy = {m}
      AND i.i_current_price > 1.2 * (SELECT AVG(j.i_current_price) FROM tpcds.item AS j WHERE j.i_category = i.i_category)
    GROUP BY a.ca_state HAVING COUNT(*) >= 10 ORDER BY cnt LIMIT 100""",
    # union of channels + outer aggregate
    """CREATE TABLE out.q{n} AS SELECT channel, item_id, SUM(sales) AS sales, SUM(profit) AS profit FROM (
      SELECT 'store' AS channel, i.i_item_id AS item_id, ss.ss_ext_sales_price AS sales, ss.ss_net_profit AS profit
      FROM tpcds.store_sales AS ss JOIN tpcds.item AS i ON ss.ss_item_sk = i.i_item_sk WHERE ss.ss_quantity > {a}
      UNION ALL
      SELECT 'promo' AS channel, i.i_item_id, ss.ss_sales_price, ss.ss_net_profit
      FROM tpcds.store_sales AS ss JOIN tpcds.item AS i ON ss.ss_item_sk = i.i_item_sk
      WHERE ss.ss_promo_sk IS NOT NULL) AS x GROUP BY channel, item_id""",
    # customer totals with rank and IN subquery
    """CREATE TABLE out.q{n} AS SELECT c.c_customer_id, c.c_first_name, c.c_last_name, SUM(ss.ss_net_profit) AS profit,
      RANK() OVER (ORDER BY SUM(ss.ss_net_profit) DESC) AS rnk
    FROM tpcds.customer AS c JOIN tpcds.store_sales AS ss ON ss.ss_customer_sk = c.c_customer_sk
    WHERE ss.ss_store_sk IN (SELECT s.s_store_sk FROM tpcds.store AS s WHERE s.s_state = 'TN')
      AND c.c_birth_country <> 'X{a}'
    GROUP BY c.c_customer_id, c.c_first_name, c.c_last_name""",
]


def tpcds_statements(count: int) -> list[str]:
    rng = random.Random(3)
    return [TEMPLATES[i % len(TEMPLATES)].format(n=i, a=rng.randrange(1, 1000), m=rng.randrange(1, 13),
                                                 y=rng.randrange(1998, 2003)) for i in range(count)]


def bench_sql(count: int, peer_count: int) -> dict[str, float]:
    import sqlglot
    from sqlglot.lineage import lineage as sqlglot_lineage
    from sqlglot.optimizer.qualify import qualify
    from sqlglot.schema import MappingSchema

    from lineage import sql_lineage

    statements = tpcds_statements(count)
    nested: dict[str, dict[str, dict[str, str]]] = {}
    for name, cols in TPCDS_SCHEMA.items():
        db, table = name.split(".")
        nested.setdefault(db, {})[table] = cols
    out: dict[str, float] = {}

    t = time.perf_counter()
    edges = value = filt = 0
    for sql in statements:
        result = sql_lineage(sql, dialect="duckdb", schema=TPCDS_SCHEMA)
        assert not result.problems, result.problems
        edges += len(result.edges)
        value += sum(1 for e in result.edges if e.kind == "value")
        filt += sum(1 for e in result.edges if e.kind == "filter")
    out["pactline_per_s"] = count / (time.perf_counter() - t)
    out["edges_per_stmt"] = edges / count
    print(f"sql: pactline full lineage: {out['pactline_per_s']:.0f} statements/s "
          f"({edges / count:.0f} edges per statement: {value / count:.0f} value, {filt / count:.0f} filter)", flush=True)

    schema = MappingSchema(nested, dialect="duckdb")
    t = time.perf_counter()
    for sql in statements:
        qualify(sqlglot.parse_one(sql, read="duckdb").expression, schema=schema, dialect="duckdb",
                validate_qualify_columns=False)
    out["qualify_per_s"] = count / (time.perf_counter() - t)
    print(f"sql: parse + qualify alone: {out['qualify_per_s']:.0f} statements/s", flush=True)

    t = time.perf_counter()
    for sql in statements[:peer_count]:
        query = sqlglot.parse_one(sql, read="duckdb").expression
        names = [s.alias_or_name for s in query.selects]
        for name in names:
            sqlglot_lineage(name, query, schema=nested, dialect="duckdb")
    out["sqlglot_per_s"] = peer_count / (time.perf_counter() - t)
    print(f"sql: sqlglot lineage() once per output column: {out['sqlglot_per_s']:.1f} statements/s "
          f"(values only; drops filter columns)", flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--columns", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=3_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--statements", type=int, default=600)
    parser.add_argument("--peer-statements", type=int, default=60)
    args = parser.parse_args()

    sql = bench_sql(args.statements, args.peer_statements)
    graph = bench_graph(args.columns, args.edges, args.queries)

    rows = [
        ("graph build (in memory)", f"{graph['build_s']:.1f} s", ""),
        ("graph save to SQLite store", f"{graph['save_s']:.1f} s", ""),
        ("graph load from SQLite store", f"{graph['load_s']:.1f} s", "target: seconds"),
        ("graph memory (RSS growth, built)", f"{graph['graph_mb']:.0f} MB", "target < 2048 MB"),
        ("graph memory (RSS growth, loaded)", f"{graph['loaded_mb']:.0f} MB", "after the built one was freed"),
        ("peak RSS of the whole run", f"{graph['peak_mb']:.0f} MB", ""),
        ("impact p50 (90-day window)", f"{graph['p50_ms']:.1f} ms", f"mean {graph['mean_hits']:.0f} hits"),
        ("impact p95", f"{graph['p95_ms']:.1f} ms", "target <= 50 ms"),
        ("impact p99", f"{graph['p99_ms']:.1f} ms", ""),
        ("SQL: pactline full lineage", f"{sql['pactline_per_s']:.0f} stmt/s", "target >= 100"),
        ("SQL: parse + qualify alone", f"{sql['qualify_per_s']:.0f} stmt/s",
         f"pactline = {sql['pactline_per_s'] / sql['qualify_per_s']:.2f}x of it"),
        ("SQL: sqlglot lineage() per column", f"{sql['sqlglot_per_s']:.1f} stmt/s",
         f"pactline = {sql['pactline_per_s'] / sql['sqlglot_per_s']:.1f}x faster"),
    ]
    width = max(len(r[0]) for r in rows)
    print()
    print(f"{'measure':<{width}}  {'figure':>14}  note")
    for name, figure, note in rows:
        print(f"{name:<{width}}  {figure:>14}  {note}")


if __name__ == "__main__":
    main()
