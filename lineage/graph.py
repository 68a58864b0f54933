"""``LineageGraph``: a typed facade over ``networkx.MultiDiGraph`` with time on every edge.

Nodes are strings: a column is ``dataset.column`` (``raw.orders.amount``), a dataset its qualified name
(``raw.orders``), a job ``job:<name>``. Edges column -> column (or dataset -> dataset when a source gave no
column detail) are keyed by an int edge id; their attributes live in compact columns on the facade
(kind, job, origin, first_seen, last_seen, retired_at as epoch seconds; job names interned), not in a dict
per edge: a million columns and three million edges fit in about 1.5 GB. Read edges through ``edge(eid)``,
``out_edges(node)`` and ``in_edges(node)``; ``nx`` is the underlying graph for algorithms (its edge data
dicts are empty on purpose).

An edge holds from ``first_seen`` until ``retired_at`` (when a newer version of its job no longer
produced it) or, if never retired, from then on; ``last_seen`` is the last time a source showed it.
"""

from __future__ import annotations

import fnmatch
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, NamedTuple

import networkx as nx

from lineage.model import FILTER, KINDS, SOURCES, VALUE, DatasetInfo, iso

__all__ = ["NEVER", "Edge", "LineageGraph", "Run"]

NEVER = 2**62  # retired_at of an edge that still holds
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}
_SOURCE_CODE = {s: i for i, s in enumerate(SOURCES)}
_EMPTY: dict[str, Any] = {}


class _Graph(nx.MultiDiGraph):  # type: ignore[misc]
    """Edge data dicts are one shared empty dict: the attributes live on the facade."""

    edge_attr_dict_factory = staticmethod(lambda: _EMPTY)
    node_attr_dict_factory = staticmethod(lambda: _EMPTY)


class Edge(NamedTuple):
    """One edge as read from the graph (a named tuple: queries build many of them)."""

    id: int
    source: str
    target: str
    kind: str
    job: str
    origin: str  # sql | openlineage | contract
    first_seen: int
    last_seen: int
    retired_at: int | None
    dataset_level: bool = False

    @property
    def until(self) -> int:
        """The end of the interval in which the edge held (``NEVER`` when it still holds)."""
        return self.retired_at if self.retired_at is not None else NEVER

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "kind": self.kind, "job": self.job,
                "origin": self.origin, "first_seen": iso(self.first_seen), "last_seen": iso(self.last_seen),
                "retired_at": iso(self.retired_at), "column_unknown": self.dataset_level}


@dataclass(frozen=True)
class Run:
    """A job run named by an OpenLineage event: what it read and wrote, and when."""

    run_id: str
    job: str
    time: int
    state: str
    reads: tuple[str, ...]
    writes: tuple[str, ...]


class LineageGraph:
    """Datasets, columns and jobs with time-stamped value/filter edges between columns."""

    def __init__(self, feature_patterns: Sequence[str] = ("features.*",)) -> None:
        self.nx = _Graph()
        self.feature_patterns = tuple(feature_patterns)
        self._datasets: dict[str, DatasetInfo] = {}
        self._ds_columns: dict[str, list[str]] = {}
        self._column_ds: dict[str, str] = {}  # only for columns whose name holds a dot
        self._jobs: list[str] = []
        self._job_ix: dict[str, int] = {}
        self._job_edges: list[array[int]] = []  # per job, its edge ids; built on demand (see _job_index)
        self._job_indexed = 0  # edges below this id are in _job_edges
        self._src: list[str] = []
        self._dst: list[str] = []
        self._kind = bytearray()
        self._origin = bytearray()
        self._dslevel = bytearray()
        self._dslevel_edges = 0  # how many of _dslevel are 1 (asked on every impact walk)
        self._job = array("i")
        self._first = array("q")
        self._last = array("q")
        self._retired = array("q")
        self.runs: list[Run] = []
        self.assertions: list[Any] = []  # openlineage.Assertion records, in ingest order
        self._run_ids: set[str] = set()
        self.dirty_from = 0  # edges with id >= this were added since the last save
        self.dirty_edges: set[int] = set()  # older edges changed since the last save
        self._feature_cache: dict[str, bool] = {}

    # --- nodes ---------------------------------------------------------------------------------------

    def add_dataset(self, name: str, *, owners: Iterable[str] = (), is_feature: bool | None = None,
                    contract_id: str | None = None, columns: Iterable[str] = ()) -> None:
        """Declare a dataset (from a contract, or seen in SQL/OpenLineage); later facts add to earlier."""
        old = self._datasets.get(name)
        self._feature_cache.pop(name, None)
        cols = tuple(dict.fromkeys((*(old.columns if old else ()), *columns)))
        self._datasets[name] = DatasetInfo(
            name=name,
            owners=tuple(dict.fromkeys((*(old.owners if old else ()), *owners))),
            is_feature=bool(is_feature) or bool(old and old.is_feature),
            contract_id=contract_id or (old.contract_id if old else None),
            columns=cols,
        )
        if name not in self.nx._node:
            self._add_node(name)
            self._ds_columns.setdefault(name, [])
        for c in columns:
            self.add_column(name, c)

    def _add_node(self, node: str) -> None:
        # networkx's add_node, without its per-call bookkeeping: our node data is the shared empty dict
        g = self.nx
        g._succ[node] = {}
        g._pred[node] = {}
        g._node[node] = _EMPTY
        cache = getattr(g, "__networkx_cache__", None)
        if cache:
            cache.clear()

    def add_column(self, dataset: str, column: str) -> str:
        node = f"{dataset}.{column}"
        if node not in self.nx._node:
            if dataset not in self._datasets:
                self._datasets[dataset] = DatasetInfo(name=dataset)
                self._add_node(dataset)
                self._ds_columns[dataset] = []
            self._add_node(node)
            self._ds_columns[dataset].append(column)
            if "." in column:
                self._column_ds[node] = dataset
        return node

    def add_columns_bulk(self, columns: Iterable[tuple[str, str]]) -> None:
        """Add many (dataset, column node) pairs of known datasets at once, in order (loading a store)."""
        succ, pred, nodes, ds_columns = self.nx._succ, self.nx._pred, self.nx._node, self._ds_columns
        for dataset, node in columns:
            if node in nodes:
                continue
            succ[node] = {}
            pred[node] = {}
            nodes[node] = _EMPTY
            column = node[len(dataset) + 1:]
            ds_columns[dataset].append(column)
            if "." in column:
                self._column_ds[node] = dataset
        cache = getattr(self.nx, "__networkx_cache__", None)
        if cache:
            cache.clear()

    def has_dataset(self, name: str) -> bool:
        return name in self._datasets

    def has_column(self, node: str) -> bool:
        return node in self.nx._node and node not in self._datasets

    def dataset_of(self, node: str) -> str:
        if node in self._datasets:
            return node
        return self._column_ds.get(node) or node.rpartition(".")[0]

    def column_of(self, node: str) -> str | None:
        if node in self._datasets:
            return None
        return node[len(self.dataset_of(node)) + 1:]

    def dataset(self, name: str) -> DatasetInfo | None:
        return self._datasets.get(name)

    def datasets(self) -> list[str]:
        return sorted(self._datasets)

    def columns(self, dataset: str) -> list[str]:
        return list(self._ds_columns.get(dataset, ()))

    def is_feature(self, dataset: str) -> bool:
        cached = self._feature_cache.get(dataset)
        if cached is None:
            info = self._datasets.get(dataset)
            cached = bool(info is not None and info.is_feature) or any(
                fnmatch.fnmatchcase(dataset, p) for p in self.feature_patterns)
            self._feature_cache[dataset] = cached
        return cached

    @property
    def has_dataset_level_edges(self) -> bool:
        return self._dslevel_edges > 0

    def owners(self, dataset: str) -> tuple[str, ...]:
        info = self._datasets.get(dataset)
        return info.owners if info else ()

    @property
    def column_count(self) -> int:
        return int(self.nx.number_of_nodes()) - len(self._datasets) - len(self._jobs)

    @property
    def edge_count(self) -> int:
        return len(self._src)

    # --- jobs and edges ----------------------------------------------------------------------------------

    def job_id(self, name: str) -> int:
        ix = self._job_ix.get(name)
        if ix is None:
            ix = len(self._jobs)
            self._jobs.append(name)
            self._job_ix[name] = ix
            self._job_edges.append(array("q"))
            self._add_node(f"job:{name}")
        return ix

    def jobs(self) -> list[str]:
        return list(self._jobs)

    def add_edge(self, source: str, target: str, *, kind: str, job: str, origin: str, seen: int,
                 last_seen: int | None = None, dataset_level: bool = False) -> int:
        """Record that ``job`` made ``target`` from ``source`` at ``seen``; returns the edge id.

        The same (source, target, kind, job) still holding is widened to cover ``seen``, not duplicated.
        Nodes must exist (``add_column`` / ``add_dataset``).
        """
        if kind not in _KIND_CODE:
            raise ValueError(f"edge kind is value or filter, not {kind!r}")
        j = self.job_id(job)
        k = _KIND_CODE[kind]
        last = seen if last_seen is None else last_seen
        keydict = self.nx._succ.get(source, {}).get(target)
        if keydict:
            for eid in keydict:
                if self._job[eid] == j and self._kind[eid] == k and self._retired[eid] == NEVER:
                    changed = False
                    if seen < self._first[eid]:
                        self._first[eid] = seen
                        changed = True
                    if last > self._last[eid]:
                        self._last[eid] = last
                        changed = True
                    if changed and eid < self.dirty_from:
                        self.dirty_edges.add(eid)
                    return int(eid)
        return self._append(source, target, k, j, _SOURCE_CODE[origin], seen, last, NEVER, dataset_level)

    def _append(self, source: str, target: str, kind: int, job: int, origin: int, first: int, last: int,
                retired: int, dataset_level: bool) -> int:
        eid = len(self._src)
        self._src.append(source)
        self._dst.append(target)
        self._kind.append(kind)
        self._origin.append(origin)
        self._dslevel.append(1 if dataset_level else 0)
        self._dslevel_edges += 1 if dataset_level else 0
        self._job.append(job)
        self._first.append(first)
        self._last.append(last)
        self._retired.append(retired)
        self.nx.add_edge(source, target, key=eid)
        return eid

    def _job_index(self) -> None:
        job, job_edges = self._job, self._job_edges
        for eid in range(self._job_indexed, len(self._src)):
            job_edges[job[eid]].append(eid)
        self._job_indexed = len(self._src)

    def retire(self, job: str, keep: set[int], at: int) -> list[int]:
        """A newer version of ``job`` (seen at ``at``) produced only ``keep``: retire its other edges."""
        j = self._job_ix.get(job)
        if j is None:
            return []
        retired: list[int] = []
        self._job_index()
        for eid in self._job_edges[j]:
            if eid not in keep and self._retired[eid] == NEVER and self._first[eid] <= at:
                self._retired[eid] = at
                retired.append(eid)
                if eid < self.dirty_from:
                    self.dirty_edges.add(eid)
        return retired

    def edge(self, eid: int) -> Edge:
        r = self._retired[eid]
        return Edge(eid, self._src[eid], self._dst[eid], KINDS[self._kind[eid]], self._jobs[self._job[eid]],
                    SOURCES[self._origin[eid]], self._first[eid], self._last[eid], None if r == NEVER else r,
                    bool(self._dslevel[eid]))

    def edges(self) -> Iterator[Edge]:
        for eid in range(len(self._src)):
            yield self.edge(eid)

    def out_edges(self, node: str) -> list[Edge]:
        return [self.edge(eid) for keyd in self.nx._succ.get(node, {}).values() for eid in keyd]

    def in_edges(self, node: str) -> list[Edge]:
        return [self.edge(eid) for keyd in self.nx._pred.get(node, {}).values() for eid in keyd]

    def holds(self, eid: int, since: int | None, until: int | None) -> bool:
        """Did the edge hold at some moment of [since, until]?"""
        if until is not None and self._first[eid] > until:
            return False
        return not (since is not None and self._retired[eid] < since)

    # --- runs ----------------------------------------------------------------------------------------------

    def add_run(self, run: Run) -> bool:
        key = f"{run.run_id}\x00{run.state}\x00{run.time}"
        if key in self._run_ids:
            return False
        self._run_ids.add(key)
        self.runs.append(run)
        return True

    # --- compact rows (what the store saves and loads) -------------------------------------------------

    def edge_row(self, eid: int) -> tuple[int, str, str, int, int, int, int, int, int | None, int]:
        r = self._retired[eid]
        return (eid, self._src[eid], self._dst[eid], self._kind[eid], self._job[eid], self._origin[eid],
                self._first[eid], self._last[eid], None if r == NEVER else r, self._dslevel[eid])

    def load_rows(self, jobs: Sequence[str], rows: Iterable[Sequence[Any]], *, saved: bool = True,
                  names: Sequence[str] | None = None) -> None:
        """Bulk-load edges (id order, ids 0..n-1) into an empty graph; nodes are created as needed.

        Bypasses ``add_edge``'s bookkeeping and writes networkx's adjacency directly: a million columns
        load in seconds. ``saved``: the rows came from the store (nothing to write back). ``names``: the
        rows' source and target are indexes into it (one string object per node, as the store keeps them).
        """
        if self._src:
            raise ValueError("load_rows needs an empty graph")
        for name in jobs:
            self.job_id(name)
        succ, pred, nodes = self.nx._succ, self.nx._pred, self.nx._node
        canon: dict[str, str] = {}  # one string object per node name
        it = iter(rows)
        base = 0
        while True:
            chunk = list(islice(it, 65_536))
            if not chunk:
                break
            ids, srcs_in, dsts_in, kinds, jobs_c, origins, firsts, lasts, retireds, dslevels = zip(*chunk, strict=True)
            if ids[0] != base or ids[-1] != base + len(chunk) - 1:
                raise ValueError(f"edge rows must be numbered 0..n-1 in order; got {ids[0]} at {base}")
            if names is not None:
                srcs: list[str] = [names[x] for x in srcs_in]
                dsts: list[str] = [names[x] for x in dsts_in]
            else:
                srcs = [canon.setdefault(x, x) for x in srcs_in]
                dsts = [canon.setdefault(x, x) for x in dsts_in]
            if names is None:  # from the store, every node was created before its edges
                for x, lvl in zip((*srcs, *dsts), dslevels * 2, strict=True):
                    if x not in nodes:
                        self._new_node(x, bool(lvl))
            self._src.extend(srcs)
            self._dst.extend(dsts)
            self._kind.extend(kinds)
            self._origin.extend(origins)
            self._dslevel.extend(dslevels)
            self._dslevel_edges += sum(1 for d in dslevels if d)
            self._job.extend(jobs_c)
            self._first.extend(firsts)
            self._last.extend(lasts)
            self._retired.extend([NEVER if r is None else r for r in retireds])
            for eid, s, t in zip(range(base, base + len(chunk)), srcs, dsts, strict=True):
                sd = succ[s]
                keyd = sd.get(t)
                if keyd is None:
                    keyd = sd[t] = {}
                    pred[t][s] = keyd
                keyd[eid] = _EMPTY
            base += len(chunk)
        self.dirty_from = len(self._src) if saved else 0
        self.dirty_edges.clear()

    def _new_node(self, node: str, dataset_level: bool) -> None:
        if dataset_level:
            if node not in self._datasets:
                self.add_dataset(node)
            return
        ds, _, col = node.rpartition(".")
        self.add_column(ds, col)

    def mark_saved(self) -> None:
        self.dirty_from = len(self._src)
        self.dirty_edges.clear()


__all__ += ["FILTER", "VALUE"]
