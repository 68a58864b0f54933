"""OpenLineage run events -> edges, runs and data-quality assertions.

Dataset names: the graph keys a dataset by the event's ``name`` as written (``postgres.public.customers``,
``test.t1``, ``/warehouse/people``); the ``namespace`` (``postgres://host:5432``, ``s3://bucket``) is kept
on the run records but not in the key, so a contract's ``physicalName`` and a SQL table name meet the same
node. Two namespaces that use one name for different datasets would meet too: give them distinct names.

Column lineage (``columnLineage`` facet): each output field's ``inputFields`` give one edge per
transformation, ``DIRECT`` -> value, ``INDIRECT`` -> filter (no transformations listed: value). The facet's
dataset-wide ``dataset`` entries (filters, sorts, joins that shape every row) give a filter edge to every
output column. An input that no field names gives a dataset-level edge (column unknown), kept as such.
Without the facet, every input -> every output is dataset level. The ``schema`` facet names columns.
Event time -> first_seen / last_seen; an event without one takes the ingest time.
``dataQualityAssertions`` are read from ``inputFacets`` and ``facets`` (dbt writes them on inputs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lineage.build import add_edges
from lineage.graph import LineageGraph, Run
from lineage.model import FILTER, VALUE, ColumnEdge, LineageProblem, to_epoch

__all__ = ["Assertion", "IngestSummary", "column_lineage_edges", "event_edges", "ingest_events"]


@dataclass(frozen=True)
class Assertion:
    dataset: str
    column: str | None
    assertion: str
    success: bool
    run_id: str
    job: str
    time: int

    def to_dict(self) -> dict[str, Any]:
        from lineage.model import iso

        return {"dataset": self.dataset, "column": self.column, "assertion": self.assertion,
                "success": self.success, "run_id": self.run_id, "job": self.job, "time": iso(self.time)}


@dataclass(frozen=True)
class IngestSummary:
    events: int
    runs: int
    edges_added: int
    edges_seen: int
    assertions: tuple[Assertion, ...] = ()
    problems: tuple[LineageProblem, ...] = field(default=())

    @property
    def failed_assertions(self) -> tuple[Assertion, ...]:
        return tuple(a for a in self.assertions if not a.success)


def _kind(transformations: Any) -> list[str]:
    if not isinstance(transformations, list) or not transformations:
        return [VALUE]
    kinds = []
    for t in transformations:
        kinds.append(FILTER if isinstance(t, Mapping) and str(t.get("type", "")).upper() == "INDIRECT" else VALUE)
    return sorted(set(kinds))


def column_lineage_edges(facet: Mapping[str, Any], target: str, target_columns: Iterable[str] = ()
                         ) -> list[ColumnEdge]:
    """Edges of one ``columnLineage`` facet on the output dataset ``target``."""
    fields = facet.get("fields") or {}
    out: set[ColumnEdge] = set()
    columns = list(dict.fromkeys([*fields, *target_columns]))
    for column, spec in fields.items():
        for inp in (spec or {}).get("inputFields") or []:
            if not isinstance(inp, Mapping) or not inp.get("name") or not inp.get("field"):
                continue
            for kind in _kind(inp.get("transformations")):
                out.add(ColumnEdge(str(inp["name"]), str(inp["field"]), target, str(column), kind))
    for inp in facet.get("dataset") or []:  # dataset-wide: shapes every row of the output
        if isinstance(inp, Mapping) and inp.get("name") and inp.get("field"):
            for column in columns:
                out.add(ColumnEdge(str(inp["name"]), str(inp["field"]), target, str(column), FILTER))
    return sorted(out, key=ColumnEdge.sort_key)


def event_edges(event: Mapping[str, Any]) -> list[ColumnEdge]:
    """Column and dataset-level edges one run event shows."""
    inputs = [i for i in event.get("inputs") or [] if isinstance(i, Mapping) and i.get("name")]
    edges: list[ColumnEdge] = []
    for out in event.get("outputs") or []:
        if not isinstance(out, Mapping) or not out.get("name"):
            continue
        target = str(out["name"])
        facets = out.get("facets") or {}
        cll = facets.get("columnLineage")
        named: set[str] = set()
        if isinstance(cll, Mapping):
            cols = _schema_columns(facets)
            col_edges = column_lineage_edges(cll, target, cols)
            edges.extend(col_edges)
            named = {e.source_dataset for e in col_edges}
        for inp in inputs:
            if str(inp["name"]) not in named and str(inp["name"]) != target:
                edges.append(ColumnEdge(str(inp["name"]), None, target, None, VALUE))
    return edges


def _schema_columns(facets: Mapping[str, Any]) -> list[str]:
    schema = facets.get("schema")
    if not isinstance(schema, Mapping):
        return []
    return [str(f["name"]) for f in schema.get("fields") or [] if isinstance(f, Mapping) and f.get("name")]


def _assertions(ds: Mapping[str, Any], run_id: str, job: str, time: int) -> list[Assertion]:
    out = []
    for facets in (ds.get("inputFacets"), ds.get("facets")):
        dqa = (facets or {}).get("dataQualityAssertions") if isinstance(facets, Mapping) else None
        if not isinstance(dqa, Mapping):
            continue
        for a in dqa.get("assertions") or []:
            if isinstance(a, Mapping) and "assertion" in a:
                out.append(Assertion(str(ds["name"]), a.get("column"), str(a["assertion"]),
                                     bool(a.get("success")), run_id, job, time))
    return out


def ingest_events(graph: LineageGraph, events: Iterable[Mapping[str, Any]], *, now: int) -> IngestSummary:
    """Add each run event's datasets, columns, edges and run; collect its assertions."""
    before = graph.edge_count
    count = runs = seen = 0
    assertions: list[Assertion] = []
    problems: list[LineageProblem] = []
    for i, event in enumerate(events):
        count += 1
        if not isinstance(event, Mapping) or not isinstance(event.get("job"), Mapping):
            problems.append(LineageProblem("not-a-run-event", "an OpenLineage run event has job, run and "
                                           "eventType; this one has no job", statement=i))
            continue
        job = event["job"]
        job_name = f"{job.get('namespace', '')}/{job.get('name', '')}"
        run_id = str((event.get("run") or {}).get("runId") or "")
        try:
            time = to_epoch(event.get("eventTime")) if event.get("eventTime") else now
        except (ValueError, TypeError):
            problems.append(LineageProblem("bad-event-time", f"eventTime {event.get('eventTime')!r} is not an "
                                           "ISO 8601 time", statement=i))
            continue
        assert time is not None
        for ds in [*(event.get("inputs") or []), *(event.get("outputs") or [])]:
            if isinstance(ds, Mapping) and ds.get("name"):
                graph.add_dataset(str(ds["name"]), columns=_schema_columns(ds.get("facets") or {}))
                assertions.extend(_assertions(ds, run_id, job_name, time))
        edges = event_edges(event)
        add_edges(graph, edges, job=f"ol:{job_name}", origin="openlineage", seen=time)
        seen += len(edges)
        reads = tuple(sorted({str(d["name"]) for d in event.get("inputs") or [] if isinstance(d, Mapping) and d.get("name")}))
        writes = tuple(sorted({str(d["name"]) for d in event.get("outputs") or [] if isinstance(d, Mapping) and d.get("name")}))
        if run_id and graph.add_run(Run(run_id, job_name, time, str(event.get("eventType") or ""), reads, writes)):
            runs += 1
    graph.assertions.extend(assertions)
    return IngestSummary(count, runs, graph.edge_count - before, seen, tuple(assertions), tuple(problems))
