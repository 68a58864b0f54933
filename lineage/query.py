"""Impact (downstream) and root cause (upstream) of a column, bounded by depth and a time window.

A hit's kind is ``value`` when it is reached through value edges only, ``filter`` when every path to it
has at least one filter edge. Two breadth-first walks give both with their shortest paths: one over value
edges, one over every edge kind asked for; what the second reaches and the first does not is a filter hit.
With a window, an edge counts only if it held at some moment of it.

A dataset-level edge (a source that named no columns) reaches its target as a hit with ``column`` None
("column unknown"); the walk goes on from every known column of that dataset and its dataset-level edges.

Hits are ordered by depth, value before filter, then node. ``limit``/``offset`` pick a page of that order:
the walks keep only each node's parent edge and depth, so counting every hit is cheap, and only the hits
of the page get their path, interval, owners and dict built.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lineage.graph import NEVER, Edge, LineageGraph
from lineage.model import FILTER, KINDS, VALUE, iso, to_epoch

__all__ = ["Hit", "ImpactResult", "UnknownField", "impact", "upstream"]

_VALUE_CODE = KINDS.index(VALUE)
_Parents = dict[str, tuple[str, int]]  # node -> (the node its shortest path came from, edge id); start: ("", -1)
# the same few timestamps recur on many edges of a page: format each once
_iso = functools.lru_cache(maxsize=65_536)(iso)


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

    def to_dict(self, edge_dicts: dict[int, dict[str, Any]] | None = None) -> dict[str, Any]:
        """``edge_dicts``: edge id -> its dict, shared by the hits of one answer (paths overlap)."""
        if edge_dicts is None:
            path = [_edge_dict(e) for e in self.path]
        else:
            path = []
            for e in self.path:
                d = edge_dicts.get(e.id)
                if d is None:
                    d = edge_dicts[e.id] = _edge_dict(e)
                path.append(d)
        return {"node": self.node, "dataset": self.dataset, "column": self.column, "kind": self.kind,
                "depth": self.depth, "is_feature": self.is_feature, "column_unknown": self.column is None,
                "path": path, "owners": list(self.owners),
                "first_seen": _iso(self.first_seen), "last_seen": _iso(self.last_seen),
                "held_until": None if self.held_until is None else _iso(self.held_until)}


def _edge_dict(e: Edge) -> dict[str, Any]:
    """``Edge.to_dict()`` with each timestamp formatted once per process."""
    return {"source": e.source, "target": e.target, "kind": e.kind, "job": e.job, "origin": e.origin,
            "first_seen": _iso(e.first_seen), "last_seen": _iso(e.last_seen),
            "retired_at": None if e.retired_at is None else _iso(e.retired_at), "column_unknown": e.dataset_level}


@dataclass(frozen=True)
class ImpactResult:
    """``hits`` is the page asked for (all hits without a limit); ``total`` counts every hit."""

    field: str
    direction: str
    since: int | None
    until: int | None
    hits: tuple[Hit, ...]
    failed_runs: tuple[dict[str, Any], ...] = ()
    affected_runs: tuple[dict[str, Any], ...] = ()
    total: int | None = None  # None: ``len(hits)``
    offset: int = 0  # hits before this page

    @property
    def hit_count(self) -> int:
        return len(self.hits) if self.total is None else self.total

    @property
    def truncated(self) -> bool:
        """More hits exist after this page."""
        return self.offset + len(self.hits) < self.hit_count

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape; an edge on several hits' paths is one dict shared by those paths."""
        edge_dicts: dict[int, dict[str, Any]] = {}
        return {"field": self.field, "direction": self.direction,
                "window": {"since": iso(self.since), "until": iso(self.until)},
                "hits": [h.to_dict(edge_dicts) for h in self.hits],
                "total": self.hit_count, "truncated": self.truncated,
                "failed_runs": [dict(r) for r in self.failed_runs],
                "affected_runs": [dict(r) for r in self.affected_runs]}


def upstream(graph: LineageGraph, field: str, **kwargs: Any) -> ImpactResult:
    """Root-cause candidates of ``field``: every column it was computed from or filtered by."""
    return impact(graph, field, direction="upstream", **kwargs)


def impact(graph: LineageGraph, field: str, *, since: Any = None, until: Any = None, depth: int | None = None,
           kinds: Iterable[str] = (VALUE, FILTER), direction: str = "downstream",
           failed_runs: Iterable[Mapping[str, Any]] = (), limit: int | None = None,
           offset: int = 0) -> ImpactResult:
    """Every column reached from ``field`` (downstream) or reaching it (upstream); see the module doc.

    ``limit``/``offset``: only hits ``offset .. offset+limit-1`` of the order are built (``total`` still
    counts them all). ``failed_runs``: validation runs of the field's dataset (records with run_id,
    dataset, finished_at, passed); those that failed inside the window are listed, with the OpenLineage
    runs that read the field's dataset, or a dataset downstream of it, after the first of them.
    """
    kinds = tuple(kinds)
    for k in kinds:
        if k not in KINDS:
            raise ValueError(f"kind is value or filter, not {k!r}")
    if direction not in ("downstream", "upstream"):
        raise ValueError(f"direction is downstream or upstream, not {direction!r}")
    if depth is not None and depth < 1:
        raise ValueError("depth is a whole number >= 1")
    if limit is not None and limit < 0:
        raise ValueError("limit is a whole number >= 0")
    if offset < 0:
        raise ValueError("offset is a whole number >= 0")
    if not graph.has_column(field):
        raise UnknownField(field, near_fields(graph, field))
    lo, hi = to_epoch(since), to_epoch(until)
    if lo is not None and hi is not None and lo > hi:
        raise ValueError("since is after until")
    down = direction == "downstream"
    value_parent, value_levels = _walk(graph, field, lo, hi, depth, down, value_only=True)
    if FILTER in kinds:
        all_parent, all_levels = _walk(graph, field, lo, hi, depth, down, value_only=False)
    else:
        all_parent, all_levels = {}, []
    if VALUE not in kinds:
        value_levels_hit: list[list[str]] = []
    else:
        value_levels_hit = value_levels
    # per depth: value hits (reached through value edges only), then filter hits (reached only with a filter)
    filter_levels = [[n for n in level if n not in value_parent] for level in all_levels]
    end = None if limit is None else offset + limit
    edges: dict[int, Edge] = {}  # the hits of a page share most of their paths: each edge built once
    value_paths, all_paths = _Paths(graph, value_parent, edges), _Paths(graph, all_parent, edges)
    page: list[Hit] = []
    total = 0
    for d in range(max(len(value_levels_hit), len(filter_levels))):
        values = value_levels_hit[d] if d < len(value_levels_hit) else []
        filters = filter_levels[d] if d < len(filter_levels) else []
        first, count = total, len(values) + len(filters)
        total += count
        if total <= offset or (end is not None and first >= end):
            continue
        ordered = [(n, VALUE) for n in sorted(values)] + [(n, FILTER) for n in sorted(filters)]
        lo_i = max(0, offset - first)
        hi_i = count if end is None else min(count, end - first)
        for node, kind in ordered[lo_i:hi_i]:
            page.append(_hit(graph, node, value_paths if kind == VALUE else all_paths, kind))
    dataset = graph.dataset_of(field)
    failed = sorted((dict(r) for r in failed_runs if not r.get("passed", False) and r.get("dataset") == dataset
                     and _in_window(r.get("finished_at"), lo, hi)), key=lambda r: str(r.get("finished_at")))
    affected: list[dict[str, Any]] = []
    if down and failed:
        reached = {graph.dataset_of(n) for level in (*value_levels_hit, *filter_levels) for n in level}
        affected = _affected_runs(graph, dataset, reached, failed, hi)
    for r in failed:
        r["finished_at"] = iso(to_epoch(r.get("finished_at")))
    return ImpactResult(field, direction, lo, hi, tuple(page), tuple(failed), tuple(affected), total=total,
                        offset=offset)


def _walk(graph: LineageGraph, start: str, lo: int | None, hi: int | None, depth: int | None, down: bool,
          *, value_only: bool) -> tuple[_Parents, list[list[str]]]:
    """Breadth-first over the edges that held in [lo, hi]: each node's parent on a shortest path, and the
    nodes reached at each depth (index 0: depth 1). Paths are built later, only for the hits returned."""
    adj = graph.nx._succ if down else graph.nx._pred
    first, retired, kind = graph._first, graph._retired, graph._kind
    hi_v = NEVER if hi is None else hi
    lo_v = -NEVER if lo is None else lo
    parent: _Parents = {start: ("", -1)}
    levels: list[list[str]] = []
    frontier = [start]
    empty: dict[str, Any] = {}
    dataset_level = graph.has_dataset_level_edges
    all_kinds = not value_only
    while frontier and (depth is None or len(levels) < depth):
        nxt: list[str] = []
        add = nxt.append
        for node in frontier:
            around = _neighbours(graph, adj, node, down) if dataset_level else adj.get(node, empty).items()
            if all_kinds:  # two copies of the inner loop: the kind test is not paid per edge when not needed
                for other, keyd in around:
                    if other in parent:
                        continue
                    for eid in keyd:
                        if first[eid] <= hi_v and retired[eid] >= lo_v:
                            parent[other] = (node, eid)
                            add(other)
                            break
            else:
                for other, keyd in around:
                    if other in parent:
                        continue
                    for eid in keyd:
                        if kind[eid] == _VALUE_CODE and first[eid] <= hi_v and retired[eid] >= lo_v:
                            parent[other] = (node, eid)
                            add(other)
                            break
        if nxt:
            levels.append(nxt)
        frontier = nxt
    return parent, levels


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


class _Paths:
    """Shortest paths back to the start from a walk's parent links, each with its interval (newest
    first_seen, latest last_seen, earliest retirement). A path is its parent's path plus one edge, so each
    node's is built once per query and shared by every hit below it."""

    __slots__ = ("edges", "graph", "known", "parent")

    def __init__(self, graph: LineageGraph, parent: _Parents, edges: dict[int, Edge]) -> None:
        self.graph, self.parent, self.edges = graph, parent, edges
        self.known: dict[str, tuple[tuple[Edge, ...], int, int, int]] = {}

    def __call__(self, node: str) -> tuple[tuple[Edge, ...], int, int, int]:
        known, parent = self.known, self.parent
        chain: list[tuple[str, int]] = []
        at = node
        while at not in known:
            up, eid = parent[at]
            if eid < 0:  # the start
                known[at] = ((), -NEVER, -NEVER, NEVER)
                break
            chain.append((at, eid))
            at = up
        g, edges = self.graph, self.edges
        firsts, lasts, retireds = g._first, g._last, g._retired
        path, first, last, retired = known[at]
        for at, eid in reversed(chain):
            e = edges.get(eid)
            if e is None:
                e = edges[eid] = g.edge(eid)
            path = (*path, e)
            first = max(first, firsts[eid])
            last = max(last, lasts[eid])
            retired = min(retired, retireds[eid])
            known[at] = (path, first, last, retired)
        return known[node]


def _hit(graph: LineageGraph, node: str, paths: _Paths, kind: str) -> Hit:
    """The hit at ``node``: its shortest path back to the start, and that path's interval."""
    path, first, last, retired = paths(node)
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


def _affected_runs(graph: LineageGraph, dataset: str, reached: set[str], failed: list[dict[str, Any]],
                   hi: int | None) -> list[dict[str, Any]]:
    """OpenLineage runs that read ``dataset`` or a dataset of any hit (``reached``) after a failed batch landed."""
    landed = sorted(to_epoch(r["finished_at"]) or 0 for r in failed)
    watched = {dataset} | reached
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
