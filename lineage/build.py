"""Put what the builders found into a ``LineageGraph``: SQL results, contract declarations.

Jobs: an SQL statement's job is the name given (``--job``) or ``sql:<target dataset>``: a newer version of
the statement that writes that table retires the edges the older one made and the new one does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from contracts.model import Contract
from lineage.contracts import contract_datasets, contract_lineage
from lineage.graph import LineageGraph
from lineage.model import ColumnEdge, LineageProblem
from lineage.sql import SqlLineage

__all__ = ["LoadSummary", "add_contract_lineage", "add_contracts", "add_edges", "add_sql_lineage"]


@dataclass(frozen=True)
class LoadSummary:
    statements: int
    edges_added: int  # edges new to the graph
    edges_seen: int  # edges the input showed (new or already there)
    retired: int
    problems: tuple[LineageProblem, ...]


def add_contracts(graph: LineageGraph, contracts: Iterable[Contract]) -> None:
    """Datasets, their columns, owners and feature flags from contracts."""
    for name, owners, feature, contract_id, columns in contract_datasets(contracts, graph.feature_patterns):
        graph.add_dataset(name, owners=owners, is_feature=feature, contract_id=contract_id, columns=columns)


def add_edges(graph: LineageGraph, edges: Iterable[ColumnEdge], *, job: str, origin: str, seen: int,
              last_seen: int | None = None) -> set[int]:
    ids: set[int] = set()
    for e in edges:
        if e.source_column is None or e.target_column is None:
            graph.add_dataset(e.source_dataset)
            graph.add_dataset(e.target_dataset)
            ids.add(graph.add_edge(e.source_dataset, e.target_dataset, kind=e.kind, job=job, origin=origin,
                                   seen=seen, last_seen=last_seen, dataset_level=True))
        else:
            s = graph.add_column(e.source_dataset, e.source_column)
            t = graph.add_column(e.target_dataset, e.target_column)
            ids.add(graph.add_edge(s, t, kind=e.kind, job=job, origin=origin, seen=seen, last_seen=last_seen))
    return ids


def add_sql_lineage(graph: LineageGraph, result: SqlLineage, *, seen: int, job: str | None = None
                    ) -> LoadSummary:
    """Add every statement's edges; each job's edges not seen this time are retired at ``seen``."""
    before = graph.edge_count
    keep: dict[str, set[int]] = {}
    seen_count = 0
    for stmt in result.statements:
        name = job or f"sql:{stmt.target}"
        graph.add_dataset(stmt.target, columns=stmt.columns)
        keep.setdefault(name, set()).update(add_edges(graph, stmt.edges, job=name, origin="sql", seen=seen))
        seen_count += len(stmt.edges)
    retired = sum(len(graph.retire(name, ids, seen)) for name, ids in keep.items())
    return LoadSummary(len(result.statements), graph.edge_count - before, seen_count, retired, result.problems)


def add_contract_lineage(graph: LineageGraph, contracts: Sequence[Contract], *, seen: int,
                         dialect: str = "duckdb") -> LoadSummary:
    """Edges declared in contracts; job ``contract:<id>`` per contract."""
    before = graph.edge_count
    known = {ds: graph.columns(ds) for ds in graph.datasets()}
    edges, problems = contract_lineage(contracts, dialect=dialect, known=known)
    targets = {obj.qualified_name: c.id for c in contracts for obj in c.datasets}
    by_job: dict[str, list[ColumnEdge]] = {}
    for e in edges:
        by_job.setdefault(f"contract:{targets.get(e.target_dataset, e.target_dataset)}", []).append(e)
    retired = 0
    for name, job_edges in by_job.items():
        ids = add_edges(graph, job_edges, job=name, origin="contract", seen=seen)
        retired += len(graph.retire(name, ids, seen))
    return LoadSummary(0, graph.edge_count - before, len(edges), retired, tuple(problems))
