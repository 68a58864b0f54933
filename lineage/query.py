"""Impact (downstream) and root cause (upstream) of a column, bounded by depth and a time window.

A hit's kind is ``value`` when it is reached through value edges only, ``filter`` when every path to it
has at least one filter edge. Two breadth-first walks give both with their shortest paths: one over value
edges, one over every edge kind asked for; what the second reaches and the first does not is a filter hit.
With a window, an edge counts only if it held at some moment of it.

A dataset-level edge (a source that named no columns) reaches its target as a hit with ``column`` None
("column unknown"); the walk goes on from every known column of that dataset and its dataset-level edges.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lineage.graph import NEVER, Edge, LineageGraph
from lineage.model import FILTER, KINDS, VALUE, iso, to_epoch

__all__ = ["Hit", "ImpactResult", "UnknownField", "impact", "upstream"]

_VALUE_CODE = KINDS.index(VALUE)
_Path = tuple[tuple[Edge, ...], int, int, int]  # edges, first_seen, last_seen, retired (NEVER: still holds)


class UnknownField(ValueError):
    """The field is not a column of the graph; ``near`` holds the closest names."""

    def __init__(self, field: str, near: Sequence[str]) -> None:
        hint = f" Did you mean {', '.join(near)}?" if near else ""
        super().__init__(f"unknown field {field!r}: no such column in the lineage graph.{hint}")
        self.field = field
        self.near = tuple(near)


@dataclass(frozen=True)
class Hit:
    node: str
    dataset: str
    column: str | None  # None: reached through a dataset-level edge (column unknown)
    kind: str
    depth: int
    is_feature: bool
    path: tuple[Edge, ...]
    owners: tuple[str, ...]
    first_seen: int  # the path existed from here (its newest edge's first_seen)
    last_seen: int  # until its first retired edge was retired, else the last time all of it was seen
    held_until: int | None = None  # None: the path still holds

    def to_dict(self) -> dict[str, Any]:
        return {"node": self.node, "dataset": self.dataset, "column": self.column, "kind": self.kind,
                "depth": self.depth, "is_feature": self.is_feature, "column_unknown": self.column is None,
                "path": [e.to_dict() for e in self.path], "owners": list(self.owners),
                "first_seen": iso(self.first_seen), "last_seen": iso(self.last_seen),
                "held_until": iso(self.held_until)}


@dataclass(frozen=True)
class ImpactResult:
    field: str
    direction: str
    since: int | None
    until: int | None
    hits: tuple[Hit, ...]
    failed_runs: tuple[dict[str, Any], ...] = ()
    affected_runs: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "direction": self.direction,
                "window": {"since": iso(self.since), "until": iso(self.until)},
                "hits": [h.to_dict() for h in self.hits],
                "failed_runs": [dict(r) for r in self.failed_runs],
                "affected_runs": [dict(r) for r in self.affected_runs]}


def upstream(graph: LineageGraph, field: str, **kwargs: Any) -> ImpactResult:
    """Root-cause candidates of ``field``: every column it was computed from or filtered by."""
    return impact(graph, field, direction="upstream", **kwargs)


def impact(graph: LineageGraph, field: str, *, since: Any = None, until: Any = None, depth: int | None = None,
           kinds: Iterable[str] = (VALUE, FILTER), direction: str = "downstream",
           failed_runs: Iterable[Mapping[str, Any]] = ()) -> ImpactResult:
    """Every column reached from ``field`` (downstream) or reaching it (upstream); see the module doc.

    ``failed_runs``: validation runs of the field's dataset (records with run_id, dataset, finished_at,
    passed); those that failed inside the window are listed, with the OpenLineage runs that read the
    field's dataset, or a dataset downstream of it, after the first of them.
    """
    kinds = tuple(kinds)
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"kind is value or filter, not {k!r}")
    if direction not in ("downstream", "upstream"):
        raise ValueError(f"direction is downstream or upstream, not {direction!r}")
    if depth is not None and depth < 1:
        raise ValueError("depth is a whole number >= 1")
    if not graph.has_column(field):
        raise UnknownField(field, near_fields(graph, field))
    lo, hi = to_epoch(since), to_epoch(until)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError("since is after until")
    down = direction == "downstream"
    value_reach = _walk(graph, field, lo, hi, depth, down, value_only=True)
    all_reach = _walk(graph, field, lo, hi, depth, down, value_only=False) if FILTER in kinds else {}
    hits: list[Hit] = []
    if VALUE in kinds:
        hits.extend(_hit(graph, node, path, VALUE) for node, path in value_reach.items())
    hits.extend(_hit(graph, node, path, FILTER) for node, path in all_reach.items() if node not in value_reach)
    hits.sort(key=lambda h: (h.depth, h.kind != VALUE, h.node))
    dataset = graph.dataset_of(field)
    failed = sorted((dict(r) for r in failed_runs if not r.get("passed", False) and r.get("dataset") == dataset
                     and _in_window(r.get("finished_at"), lo, hi)), key=lambda r: str(r.get("finished_at")))
    affected = _affected_runs(graph, dataset, hits, failed, hi) if down and failed else []
    for r in failed:
        r["finished_at"] = iso(to_epoch(r.get("finished_at")))
    return ImpactResult(field, direction, lo, hi, tuple(hits), tuple(failed), tuple(affected))


def _walk(graph: LineageGraph, start: str, lo: int | None, hi: int | None, depth: int | None, down: bool,
          *, value_only: bool) -> dict[str, _Path]:
    """Breadth-first: node -> shortest path (edges), over the edges that held in [lo, hi]."""
    adj = graph.nx._succ if down else graph.nx._pred
    first, retired, kind = graph._first, graph._retired, graph._kind
    hi_v = NEVER if hi is None else hi
    lo_v = -NEVER if lo is None else lo
    parent: dict[str, tuple[str, int]] = {start: ("", -1)}
    level = 0
    frontier = [start]
    empty: dict[str, Any] = {}
    dataset_level = graph.has_dataset_level_edges
    while frontier and (depth is None or level < depth):
        level += 1
        nxt: list[str] = []
        for node in frontier:
            around = _neighbours(graph, adj, node, down) if dataset_level else adj.get(node, empty).items()
            for other, keyd in around:
                if other in parent:
                    continue
                for eid in keyd:
                    if first[eid] <= hi_v and retired[eid] >= lo_v and (not value_only or kind[eid] == _VALUE_CODE):
                        parent[other] = (node, eid)
                        nxt.append(other)
                        break
        frontier = nxt
    # paths share their prefixes: build each node's path from its parent's, each edge read once
    # along with the path, its interval: newest first_seen, latest last_seen, earliest retirement
    out: dict[str, _Path] = {start: ((), -NEVER, -NEVER, NEVER)}
    edge = graph.edge
    last_a = graph._last
    for node in parent:  # insertion order is BFS order: a parent comes before its children
        if node == start:
            continue
        prev, eid = parent[node]
        path, f, la, r = out[prev]
        out[node] = ((*path, edge(eid)), max(f, first[eid]), max(la, last_a[eid]), min(r, retired[eid]))
    del out[start]
    return out


def _neighbours(graph: LineageGraph, adj: Any, node: str, down: bool) -> Iterable[tuple[str, Any]]:
    yield from adj.get(node, {}).items()
    if graph.has_dataset(node):
        # a dataset reached without column detail: its columns may all carry the change
        if down:
            for col in graph.columns(node):
                yield from adj.get(f"{node}.{col}", {}).items()
    else:
        ds = graph.dataset_of(node)
        yield from ((o, k) for o, k in adj.get(ds, {}).items() if graph.has_dataset(o))


def _hit(graph: LineageGraph, node: str, found: _Path, kind: str) -> Hit:
    path, first, last, retired = found
    ds = graph.dataset_of(node)
    held = retired if retired != NEVER else None
    return Hit(node=node, dataset=ds, column=node[len(ds) + 1:] if ds != node else None, kind=kind,
               depth=len(path), is_feature=graph.is_feature(ds), path=path, owners=graph.owners(ds),
               first_seen=first, last_seen=held if held is not None else last, held_until=held)


def _in_window(value: Any, lo: int | None, hi: int | None) -> bool:
    t = to_epoch(value)
    if t is None:
        return False
    return (lo is None or t >= lo) and (hi is None or t <= hi)


def _affected_runs(graph: LineageGraph, dataset: str, hits: Sequence[Hit], failed: list[dict[str, Any]],
                   hi: int | None) -> list[dict[str, Any]]:
    """OpenLineage runs that read ``dataset`` or a hit's dataset after a failed batch landed."""
    landed = sorted(to_epoch(r["finished_at"]) or 0 for r in failed)
    watched = {dataset} | {h.dataset for h in hits}
    out = []
    for run in graph.runs:
        if hi is not None and run.time > hi:
            continue
        read = sorted(set(run.reads) & watched)
        before = [t for t in landed if t <= run.time]
        if read and before:
            after_run = next(r["run_id"] for r in reversed(failed) if (to_epoch(r["finished_at"]) or 0) <= run.time)
            out.append({"run_id": run.run_id, "job": run.job, "time": iso(run.time), "state": run.state,
                        "read": read, "after_failed_run": after_run})
    out.sort(key=lambda r: (r["time"], r["run_id"]))
    return out


def near_fields(graph: LineageGraph, field: str, n: int = 3) -> list[str]:
    """The closest column names: within the same dataset when it exists, else among datasets' columns."""
    ds, _, col = field.rpartition(".")
    if graph.has_dataset(ds):
        return [f"{ds}.{c}" for c in difflib.get_close_matches(col, graph.columns(ds), n=n, cutoff=0.5)]
    datasets = difflib.get_close_matches(ds or field, graph.datasets(), n=n, cutoff=0.5)
    out: list[str] = []
    for d in datasets:
        cols = graph.columns(d)
        match = difflib.get_close_matches(col, cols, n=1, cutoff=0.5) if col else []
        out.append(f"{d}.{match[0]}" if match else (f"{d}.{cols[0]}" if cols else d))
    return out[:n]
