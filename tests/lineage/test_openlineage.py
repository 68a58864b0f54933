"""OpenLineage run events: every official example ingests; facets map to edges; assertions and runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lineage import LineageGraph, impact, to_epoch
from lineage.openlineage import column_lineage_edges, ingest_events

OL = Path(__file__).resolve().parents[1] / "fixtures" / "openlineage"
NOW = to_epoch("2026-11-01T00:00:00Z")


def _events(name: str) -> list[dict]:
    data = json.loads((OL / name).read_text())
    return data if isinstance(data, list) else [data]


RUN_EVENT_FILES = {
    # file: (events, runs recorded, edges added, assertions, failed assertions)
    "example_client-python_example_full_event.json": (1, 1, 0, 2, 0),
    "example_dbt-structured-logs_postgres_test_ol_events.json": (26, 7, 5, 4, 1),
    "example_hive_cllComplexQueryCTEJoinsComplete.json": (1, 0, 26, 0, 0),
    "example_proxy-fluentd_event_full.json": (1, 1, 0, 2, 0),
}


def test_every_run_event_example_is_listed_here():
    files = {p.name for p in OL.glob("example_*.json") if all("job" in e for e in _events(p.name))}
    assert files == set(RUN_EVENT_FILES)


@pytest.mark.parametrize("name", sorted(RUN_EVENT_FILES))
def test_every_run_event_example_ingests(name):
    g = LineageGraph()
    s = ingest_events(g, _events(name), now=NOW)
    assert s.problems == ()
    assert (s.events, s.runs, s.edges_added, len(s.assertions), len(s.failed_assertions)) == RUN_EVENT_FILES[name]


def test_dbt_failed_assertion_is_linked_to_its_dataset_and_column():
    g = LineageGraph()
    s = ingest_events(g, _events("example_dbt-structured-logs_postgres_test_ol_events.json"), now=NOW)
    [failed] = s.failed_assertions
    assert (failed.dataset, failed.column, failed.assertion) == ("postgres.public.customers", "first_name",
                                                                 "accepted_values")
    assert failed.job.endswith("accepted_values_customers_first_name__Jane.21e890a312")
    assert failed.time == to_epoch("2024-12-17T10:03:22Z")  # the FAIL event's eventTime, whole seconds
    assert g.has_column("postgres.public.customers.first_name")  # from the schema facet


def test_hive_column_lineage_maps_direct_to_value_and_indirect_to_filter():
    g = LineageGraph()
    ingest_events(g, _events("example_hive_cllComplexQueryCTEJoinsComplete.json"), now=NOW)
    into_a = {(e.source, e.kind) for e in g.in_edges("test.xxx.a")}
    assert ("test.t1.a", "value") in into_a
    assert all(e.first_seen == NOW for e in g.in_edges("test.xxx.a"))  # no eventTime: the ingest time
    hits = {h.node: h.kind for h in impact(g, "test.t3.d").hits}
    assert hits["test.xxx.d"] == "value"
    assert hits["test.xxx.a"] == "filter"  # ORDER BY d shapes every row


def test_column_lineage_facet_example():
    facet = _events("example_spec-tests_ColumnLineageDatasetFacet_1.json")[0]["columnLineage"]
    edges = {(e.source, e.kind) for e in column_lineage_edges(facet, "OUT") if e.target_column == "NAME"}
    assert edges == {("CUSTOMERS.NAME", "value"), ("CUSTOMERS.ID", "filter"), ("DISCOUNTS.CUSTOMERS_ID", "filter")}


def _event(run_id: str, time: str, inputs: list[str], outputs: list[str], fields: dict | None = None) -> dict:
    outs = []
    for name in outputs:
        facets = {}
        if fields is not None:
            facets["columnLineage"] = {"fields": {
                col: {"inputFields": [{"namespace": "db", "name": src.rpartition(".")[0], "field": src.rpartition(".")[2],
                                       "transformations": [{"type": kind}]} for src, kind in srcs]}
                for col, srcs in fields.items()}}
        outs.append({"namespace": "db", "name": name, "facets": facets})
    return {"eventType": "COMPLETE", "eventTime": time, "run": {"runId": run_id},
            "job": {"namespace": "sched", "name": "daily"}, "producer": "x", "schemaURL": "x",
            "inputs": [{"namespace": "db", "name": n} for n in inputs], "outputs": outs}


def test_downstream_runs_that_read_after_a_failed_batch_are_named():
    g = LineageGraph()
    ingest_events(g, [
        _event("run-a", "2026-07-01T01:00:00Z", ["raw.orders"], ["clean.orders"],
               {"amount": [("raw.orders.amount", "DIRECT")], "id": [("raw.orders.status", "INDIRECT")]}),
        _event("run-b", "2026-07-02T01:00:00Z", ["raw.orders"], ["clean.orders"],
               {"amount": [("raw.orders.amount", "DIRECT")]}),
        _event("run-c", "2026-07-02T02:00:00Z", ["clean.orders"], ["features.spend"]),
    ], now=NOW)
    failed = [{"run_id": "v1", "dataset": "raw.orders", "finished_at": "2026-07-01T12:00:00Z", "passed": False}]
    result = impact(g, "raw.orders.amount", failed_runs=failed)
    hits = {h.node: h for h in result.hits}
    assert hits["clean.orders.amount"].kind == "value"
    assert hits["features.spend"].column is None  # dataset-level: column unknown
    assert [(r["run_id"], r["read"], r["after_failed_run"]) for r in result.affected_runs] == [
        ("run-b", ["raw.orders"], "v1"), ("run-c", ["clean.orders"], "v1")]


def test_an_event_without_job_is_a_problem_not_a_crash():
    s = ingest_events(LineageGraph(), [{"eventType": "START"}], now=NOW)
    assert [p.code for p in s.problems] == ["not-a-run-event"]
