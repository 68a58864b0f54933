"""Lineage operations on a store: what ``pactline lineage`` and the HTTP API both call.

Each write loads the stored graph, changes it and saves the change in one write transaction; each read
uses the store's cached graph (reloaded when another writer saved). Results are plain dicts / frozen
dataclasses with ``to_dict()``; bad input raises ``ValueError`` (unknown dialect, bad time) or
``lineage.UnknownField`` (with near matches).
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contracts.model import Contract
from lineage import (
    FILTER,
    VALUE,
    LineageProblem,
    add_contract_lineage,
    add_contracts,
    add_sql_lineage,
    iso,
    sql_lineage,
    to_epoch,
)
from lineage import impact as _impact
from lineage.contracts import schema_from_contracts
from lineage.openlineage import ingest_events as _ingest
from service.store import Store
from service.store.lineage import change_token, edit_graph, graph_cached, read_graph

__all__ = ["IngestResult", "SqlLoadResult", "add_contracts_lineage", "add_sql", "dataset_lineage", "graph_loaded",
           "impact", "ingest_events"]

DEFAULT_DIALECT = "duckdb"


@dataclass(frozen=True)
class SqlLoadResult:
    statements: int  # statements whose lineage was added
    edges_added: int
    edges_seen: int
    retired: int
    skipped: int  # statements without lineage (DDL without a query, SET, ...)
    problems: tuple[LineageProblem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"statements": self.statements, "edges_added": self.edges_added, "edges_seen": self.edges_seen,
                "retired": self.retired, "skipped": self.skipped,
                "problems": [p.to_dict() for p in self.problems]}


@dataclass(frozen=True)
class IngestResult:
    events: int
    runs: int
    edges_added: int
    edges_seen: int
    assertions: int
    failed_assertions: tuple[dict[str, Any], ...]
    problems: tuple[LineageProblem, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"events": self.events, "runs": self.runs, "edges_added": self.edges_added,
                "edges_seen": self.edges_seen, "assertions": self.assertions,
                "failed_assertions": [dict(a) for a in self.failed_assertions],
                "problems": [p.to_dict() for p in self.problems]}


def _now() -> int:
    return int(dt.datetime.now(dt.UTC).timestamp())


def add_sql(store: Store, sql: str, *, dialect: str | None = None, schema: Mapping[str, Mapping[str, str]] | None = None,
            contracts: Sequence[Contract] = (), job: str | None = None, as_of: Any = None, file: str = "",
            all_or_nothing: bool = False) -> SqlLoadResult:
    """Add the column lineage of ``sql``; statements that cannot be resolved come back as problems.

    The statements that resolve are added even when others did not (the rest of a file still loads),
    unless ``all_or_nothing``. The schema is the contracts' datasets plus ``schema`` (which wins).
    """
    merged = {**schema_from_contracts(contracts), **(schema or {})}
    result = sql_lineage(sql, dialect=dialect or DEFAULT_DIALECT, schema=merged, file=file)
    seen = to_epoch(as_of) if as_of is not None else _now()
    assert seen is not None
    if all_or_nothing and result.problems:
        return SqlLoadResult(0, 0, 0, 0, result.skipped, result.problems)
    with edit_graph(store) as g:
        if contracts:
            add_contracts(g, contracts)
        summary = add_sql_lineage(g, result, seen=seen, job=job)
    return SqlLoadResult(summary.statements, summary.edges_added, summary.edges_seen, summary.retired,
                         result.skipped, result.problems)


def add_contracts_lineage(store: Store, contracts: Sequence[Contract], *, as_of: Any = None) -> SqlLoadResult:
    """Datasets, owners, feature flags and declared transforms of ``contracts``."""
    seen = to_epoch(as_of) if as_of is not None else _now()
    assert seen is not None
    with edit_graph(store) as g:
        add_contracts(g, contracts)
        summary = add_contract_lineage(g, contracts, seen=seen)
    return SqlLoadResult(0, summary.edges_added, summary.edges_seen, summary.retired, 0, summary.problems)


def ingest_events(store: Store, events: list[dict[str, Any]], *, now: Any = None) -> IngestResult:
    """Add OpenLineage run events: edges, runs, data-quality assertions."""
    seen = to_epoch(now) if now is not None else _now()
    assert seen is not None
    with edit_graph(store) as g:
        s = _ingest(g, events, now=seen)
    return IngestResult(s.events, s.runs, s.edges_added, s.edges_seen, len(s.assertions),
                        tuple(a.to_dict() for a in s.failed_assertions), s.problems)


def graph_loaded(store: Store) -> bool:
    """This process holds a loaded graph of ``store``: a query costs milliseconds unless another writer saved
    since (then the next query reloads it)."""
    return graph_cached(store)


# per store: (change token, the datasets with any blocked run) at that token
_HAS_FAILED_RUNS: weakref.WeakKeyDictionary[Any, tuple[int, frozenset[str]]] = weakref.WeakKeyDictionary()


def _may_have_failed_runs(store: Store, dataset: str) -> bool:
    """False only when the store is known to hold no blocked run of ``dataset`` at all: then no window can list
    one and the query is skipped. Known exactly: the set of datasets with a blocked run is read once per
    value of the store's ``change_token`` (any commit, by any process); without a token the store is always
    asked."""
    token = change_token(store)
    if token is None:
        return True
    known = _HAS_FAILED_RUNS.get(store.engine)
    if known is None or known[0] != token:
        known = _HAS_FAILED_RUNS[store.engine] = (token, store.datasets_with_failed_runs())
    return dataset in known[1]


def _dt(value: Any) -> dt.datetime | None:
    epoch = to_epoch(value)
    return None if epoch is None else dt.datetime.fromtimestamp(epoch, dt.UTC)


def impact(store: Store, field: str, *, since: Any = None, until: Any = None, depth: int | None = None,
           kinds: Iterable[str] = (VALUE, FILTER), direction: str = "downstream", limit: int | None = None,
           offset: int = 0) -> dict[str, Any]:
    """The documented JSON shape (docs/lineage.md): field, direction, window, hits, total, truncated, ...

    ``limit``/``offset``: the page of hits to return (all by default); ``total`` counts them all and
    ``truncated`` says more follow the page. Failed validation runs of the field's dataset come from the
    store; OpenLineage assertions that failed on that dataset in the window are listed as
    ``failed_assertions``.
    """
    g = read_graph(store)
    if not g.has_column(field):
        from lineage import UnknownField, near_fields

        raise UnknownField(field, near_fields(g, field))
    dataset = g.dataset_of(field)
    lo, hi = to_epoch(since), to_epoch(until)
    failed = []
    if direction == "downstream" and _may_have_failed_runs(store, dataset):
        failed = [{**r, "dataset": r.get("dataset", dataset)}
                  for r in store.failed_runs(dataset, _dt(lo), _dt(hi))]
        failed = [{k: r.get(k) for k in ("run_id", "dataset", "finished_at", "passed")} for r in failed]
    result = _impact(g, field, since=lo, until=hi, depth=depth, kinds=kinds, direction=direction,
                     failed_runs=failed, limit=limit, offset=offset)
    out = result.to_dict()
    out["failed_assertions"] = [a.to_dict() for a in g.assertions if not a.success and a.dataset == dataset
                                and (lo is None or a.time >= lo) and (hi is None or a.time <= hi)]
    return out


def dataset_lineage(store: Store, dataset: str) -> dict[str, Any]:
    """A dataset's columns with the edges into and out of each (``KeyError`` when unknown)."""
    g = read_graph(store)
    if not g.has_dataset(dataset):
        raise KeyError(dataset)
    info = g.dataset(dataset)
    columns = []
    for col in g.columns(dataset):
        node = f"{dataset}.{col}"
        columns.append({"column": col, "node": node,
                        "inputs": [e.to_dict() for e in sorted(g.in_edges(node), key=lambda e: e.id)],
                        "outputs": [e.to_dict() for e in sorted(g.out_edges(node), key=lambda e: e.id)]})
    return {"dataset": dataset, "is_feature": g.is_feature(dataset),
            "owners": list(info.owners) if info else [], "contract_id": info.contract_id if info else None,
            "columns": columns,
            "dataset_inputs": [e.to_dict() for e in g.in_edges(dataset)],
            "dataset_outputs": [e.to_dict() for e in g.out_edges(dataset)],
            "generated_at": iso(_now())}
