"""The lineage graph in the store: round trip, incremental saves, retirement across loads, failed runs."""

from __future__ import annotations

import datetime as dt

from checks.results import Report, RuleResult
from lineage import LineageGraph, add_sql_lineage, sql_lineage, to_epoch
from service import lineage_ops
from service.store import open_store
from service.store.lineage import load_graph, save_graph

SCHEMA = {"raw.orders": {"id": "int", "amount": "double", "status": "text"}}


def _edges(g):
    return sorted((e.source, e.target, e.kind, e.job, e.origin, e.first_seen, e.last_seen, e.retired_at,
                   e.dataset_level) for e in g.edges())


def test_round_trip_and_incremental_save(store_url):
    store = open_store(store_url)
    try:
        g = LineageGraph()
        add_sql_lineage(g, sql_lineage("CREATE TABLE s.a AS SELECT id, amount FROM raw.orders WHERE status = 'x';"
                                       "CREATE TABLE s.b AS SELECT COUNT(*) AS n FROM s.a", dialect="duckdb",
                                       schema=SCHEMA), seen=100)
        with store.write() as conn:
            save_graph(conn, g)
        with store.read() as conn:
            loaded = load_graph(conn)
        assert _edges(loaded) == _edges(g)
        assert loaded.columns("s.a") == ["id", "amount"]
        # a newer statement version: one edge retired, one new, saved incrementally
        add_sql_lineage(loaded, sql_lineage("CREATE TABLE s.a AS SELECT id, amount * 2 AS amount FROM raw.orders",
                                            dialect="duckdb", schema=SCHEMA), seen=200)
        assert loaded.dirty_edges  # the status filter edges were retired, the kept ones widened
        with store.write() as conn:
            save_graph(conn, loaded)
        with store.read() as conn:
            again = load_graph(conn)
        assert _edges(again) == _edges(loaded)
        retired = [e for e in again.edges() if e.retired_at == 200]
        assert {(e.source, e.target) for e in retired} == {("raw.orders.status", "s.a.id"),
                                                          ("raw.orders.status", "s.a.amount")}
    finally:
        store.close()


def _record(store, run_id: str, dataset: str, started: dt.datetime, *, passed: bool) -> None:
    store.record_run(Report(
        run_id=run_id, dataset=dataset, contract_id="orders", contract_version="1.0.0", rows=10,
        started_at=started, finished_at=started + dt.timedelta(seconds=1),
        results=(RuleResult("orders.amount.required", "required", "completeness", "amount", "error", passed,
                            observed=0 if passed else 3, threshold=0, failed_rows=0 if passed else 3),)))


def test_ops_link_failed_validation_runs(store_url):
    store = open_store(store_url)
    try:
        lineage_ops.add_sql(store, "CREATE TABLE s.a AS SELECT id, amount FROM raw.orders", dialect="duckdb",
                            schema=SCHEMA, as_of="2026-07-01")
        lineage_ops.ingest_events(store, [{
            "eventType": "COMPLETE", "eventTime": "2026-07-03T00:00:00Z", "run": {"runId": "ol-1"},
            "job": {"namespace": "x", "name": "reader"}, "inputs": [{"namespace": "db", "name": "s.a"}],
            "outputs": [{"namespace": "db", "name": "s.report"}]}])
        # nothing blocked yet: no failed run, no affected run
        quiet = lineage_ops.impact(store, "raw.orders.amount", since="2026-07-01")
        assert (quiet["failed_runs"], quiet["affected_runs"]) == ([], [])
        landed = dt.datetime(2026, 7, 2, tzinfo=dt.UTC)
        _record(store, "v-9", "raw.orders", landed - dt.timedelta(seconds=1), passed=False)  # in the window
        _record(store, "v-8", "raw.orders", dt.datetime(2026, 6, 20, tzinfo=dt.UTC), passed=False)  # before it
        _record(store, "v-10", "raw.orders", landed + dt.timedelta(hours=1), passed=True)  # passed
        _record(store, "c-1", "raw.customers", landed, passed=False)  # another dataset
        out = lineage_ops.impact(store, "raw.orders.amount", since="2026-07-01")
        assert [r["run_id"] for r in out["failed_runs"]] == ["v-9"]
        assert [(r["run_id"], r["read"]) for r in out["affected_runs"]] == [("ol-1", ["s.a"])]
        assert {h["node"] for h in out["hits"]} == {"s.a.amount", "s.report"}
        assert to_epoch(out["failed_runs"][0]["finished_at"]) == to_epoch(landed)
        # the store's answer is re-read after every commit: a later blocked run shows up at once
        _record(store, "v-11", "raw.orders", landed + dt.timedelta(days=2), passed=False)
        again = lineage_ops.impact(store, "raw.orders.amount", since="2026-07-01")
        assert [r["run_id"] for r in again["failed_runs"]] == ["v-9", "v-11"]
    finally:
        store.close()
