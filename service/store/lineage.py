"""The lineage graph in the store: compact tables on ``schema.metadata``, bulk loads, incremental saves.

Nodes are numbered once (``lineage_nodes``); edges refer to them by number and keep their kind, job,
origin and interval as small integers (epoch seconds), so a million columns and three million edges load
with a few bulk Core selects in seconds. ``save_graph`` writes only what changed since the graph was
loaded: new nodes, new edges, edges whose interval moved, datasets, runs and assertions.

Writers: ``edit_graph(store)`` loads, lets the caller change the graph and saves it inside one write
transaction (on SQLite the write lock is taken at BEGIN), so two writers never hand out the same edge id.
Readers: ``read_graph(store)`` keeps one loaded graph per store and reloads it only when
``lineage_meta.version`` moved.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
import weakref
from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import StaticPool

from lineage.graph import LineageGraph, Run
from lineage.openlineage import Assertion
from service.store import schema
from service.store.schema import JSONDoc

__all__ = [
    "change_token",
    "edit_graph",
    "feature_patterns",
    "graph_cached",
    "lineage_assertions",
    "lineage_datasets",
    "lineage_edges",
    "lineage_jobs",
    "lineage_meta",
    "lineage_nodes",
    "lineage_runs",
    "load_graph",
    "read_graph",
    "save_graph",
]

md = schema.metadata

lineage_meta = sa.Table(
    "lineage_meta", md,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.BigInteger, nullable=False),
)
lineage_nodes = sa.Table(
    "lineage_nodes", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(2048), nullable=False),
    sa.Column("dataset", sa.Integer, nullable=True),  # a column's dataset node; NULL for a dataset
)
lineage_jobs = sa.Table(
    "lineage_jobs", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(2048), nullable=False),
)
lineage_edges = sa.Table(
    "lineage_edges", md,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("source", sa.Integer, nullable=False),
    sa.Column("target", sa.Integer, nullable=False),
    sa.Column("kind", sa.SmallInteger, nullable=False),  # 0 value, 1 filter
    sa.Column("job", sa.Integer, nullable=False),
    sa.Column("origin", sa.SmallInteger, nullable=False),  # 0 sql, 1 openlineage, 2 contract
    sa.Column("first_seen", sa.BigInteger, nullable=False),
    sa.Column("last_seen", sa.BigInteger, nullable=False),
    sa.Column("retired_at", sa.BigInteger, nullable=True),
    sa.Column("dataset_level", sa.SmallInteger, nullable=False),
)
lineage_datasets = sa.Table(
    "lineage_datasets", md,
    sa.Column("name", sa.String(1024), primary_key=True),
    sa.Column("owners", JSONDoc, nullable=False),
    sa.Column("is_feature", sa.Boolean, nullable=False),
    sa.Column("contract_id", sa.String(512), nullable=True),
)
lineage_runs = sa.Table(
    "lineage_runs", md,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(256), nullable=False),
    sa.Column("job", sa.String(2048), nullable=False),
    sa.Column("time", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("reads", JSONDoc, nullable=False),
    sa.Column("writes", JSONDoc, nullable=False),
    sa.Index("ix_lineage_runs_time", "time"),
)
lineage_assertions = sa.Table(
    "lineage_assertions", md,
    sa.Column("pk", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("dataset", sa.String(1024), nullable=False),
    sa.Column("column", sa.String(1024), nullable=True),
    sa.Column("assertion", sa.String(512), nullable=False),
    sa.Column("success", sa.Boolean, nullable=False),
    sa.Column("run_id", sa.String(256), nullable=False),
    sa.Column("job", sa.String(2048), nullable=False),
    sa.Column("time", sa.BigInteger, nullable=False),
    sa.Index("ix_lineage_assertions_dataset", "dataset"),
)

_CHUNK = 50_000


class _Saved:
    """What the store already holds of a loaded graph: node numbers, counts of jobs/runs/assertions."""

    def __init__(self) -> None:
        self.node_ids: dict[str, int] = {}
        self.jobs = 0
        self.runs = 0
        self.assertions = 0
        self.datasets: dict[str, tuple[Any, ...]] = {}


def feature_patterns() -> tuple[str, ...]:
    """Globs that make a dataset a feature set besides the ``features`` tag: ``$PACTLINE_FEATURE_PATTERNS``
    (comma-separated), default ``features.*``."""
    raw = os.environ.get("PACTLINE_FEATURE_PATTERNS", "")
    found = tuple(p.strip() for p in raw.split(",") if p.strip())
    return found or ("features.*",)


# built once: every query checks the version, and building the statement cost more than running it
_VERSION = sa.select(lineage_meta.c.value).where(lineage_meta.c.key == "version")


def _version(conn: sa.Connection) -> int:
    value = conn.execute(_VERSION).scalar()
    return int(value or 0)


def load_graph(conn: sa.Connection, patterns: tuple[str, ...] | None = None) -> LineageGraph:
    """The whole stored graph, with bulk selects (no ORM objects)."""
    g = LineageGraph(patterns if patterns is not None else feature_patterns())
    saved = _Saved()
    names: list[str] = []
    owner_of: list[int | None] = []
    for nid, name, ds in conn.execute(sa.select(lineage_nodes.c.id, lineage_nodes.c.name, lineage_nodes.c.dataset)
                                      .order_by(lineage_nodes.c.id)):
        if nid != len(names):
            raise RuntimeError("lineage_nodes ids are not contiguous")
        names.append(name)
        owner_of.append(ds)
    for i, name in enumerate(names):
        saved.node_ids[name] = i
    for name, owners, is_feature, contract_id in conn.execute(sa.select(
            lineage_datasets.c.name, lineage_datasets.c.owners, lineage_datasets.c.is_feature,
            lineage_datasets.c.contract_id)):
        g.add_dataset(name, owners=tuple(owners or ()), is_feature=bool(is_feature), contract_id=contract_id)
        saved.datasets[name] = (tuple(owners or ()), bool(is_feature), contract_id)
    jobs = [n for _, n in conn.execute(sa.select(lineage_jobs.c.id, lineage_jobs.c.name).order_by(lineage_jobs.c.id))]
    saved.jobs = len(jobs)
    for name, ds in zip(names, owner_of, strict=True):
        if ds is None and not g.has_dataset(name):
            g.add_dataset(name)
    g.add_columns_bulk((names[ds], name) for name, ds in zip(names, owner_of, strict=True) if ds is not None)
    g.load_rows(jobs, _edge_rows(conn), names=names)
    for run_id, job, time, state, reads, writes in conn.execute(sa.select(
            lineage_runs.c.run_id, lineage_runs.c.job, lineage_runs.c.time, lineage_runs.c.state,
            lineage_runs.c.reads, lineage_runs.c.writes).order_by(lineage_runs.c.pk)):
        g.add_run(Run(run_id, job, int(time), state, tuple(reads), tuple(writes)))
    saved.runs = len(g.runs)
    a = lineage_assertions.c
    for row in conn.execute(sa.select(a.dataset, a.column, a.assertion, a.success, a.run_id, a.job, a.time)
                            .order_by(a.pk)):
        g.assertions.append(Assertion(row[0], row[1], row[2], bool(row[3]), row[4], row[5], int(row[6])))
    saved.assertions = len(g.assertions)
    g.mark_saved()
    g._saved = saved  # type: ignore[attr-defined]
    return g


def _edge_rows(conn: sa.Connection) -> Iterator[tuple[Any, ...]]:
    """Every edge row in id order, through the driver's cursor: plain tuples, no Row objects."""
    e = lineage_edges.c
    query = sa.select(e.id, e.source, e.target, e.kind, e.job, e.origin, e.first_seen, e.last_seen,
                      e.retired_at, e.dataset_level).order_by(e.id)
    sql = str(query.compile(dialect=conn.dialect))
    driver = conn.connection.driver_connection
    if driver is None:
        raise RuntimeError("the store's connection has no driver connection")
    cursor = driver.cursor()
    try:
        cursor.execute(sql)
        while True:
            batch = cursor.fetchmany(_CHUNK)
            if not batch:
                return
            yield from batch
    finally:
        cursor.close()


def _node_names(g: LineageGraph) -> Iterator[tuple[str, str | None]]:
    for ds in g.datasets():
        yield ds, None
        for col in g.columns(ds):
            yield f"{ds}.{col}", ds


def save_graph(conn: sa.Connection, g: LineageGraph) -> int:
    """Write what changed since ``g`` was loaded (or everything, for a new graph); returns the new version."""
    saved: _Saved = getattr(g, "_saved", None) or _Saved()
    new_nodes = []
    for name, ds in _node_names(g):
        if name not in saved.node_ids:
            saved.node_ids[name] = len(saved.node_ids)
            new_nodes.append({"id": saved.node_ids[name], "name": name,
                              "dataset": None if ds is None else saved.node_ids[ds]})
    _insert(conn, lineage_nodes, new_nodes)
    jobs = g.jobs()
    _insert(conn, lineage_jobs, [{"id": i, "name": jobs[i]} for i in range(saved.jobs, len(jobs))])
    saved.jobs = len(jobs)
    ids = saved.node_ids
    rows = []
    for eid in range(g.dirty_from, g.edge_count):
        r = g.edge_row(eid)
        rows.append({"id": r[0], "source": ids[r[1]], "target": ids[r[2]], "kind": r[3], "job": r[4],
                     "origin": r[5], "first_seen": r[6], "last_seen": r[7], "retired_at": r[8],
                     "dataset_level": r[9]})
        if len(rows) >= _CHUNK:
            _insert(conn, lineage_edges, rows)
            rows = []
    _insert(conn, lineage_edges, rows)
    for eid in sorted(g.dirty_edges):
        r = g.edge_row(eid)
        conn.execute(lineage_edges.update().where(lineage_edges.c.id == eid).values(
            first_seen=r[6], last_seen=r[7], retired_at=r[8]))
    for name in g.datasets():
        info = g.dataset(name)
        assert info is not None
        now = (tuple(info.owners), bool(info.is_feature), info.contract_id)
        before = saved.datasets.get(name)
        if before == now:
            continue
        values = {"owners": list(info.owners), "is_feature": info.is_feature, "contract_id": info.contract_id}
        if before is None:
            conn.execute(lineage_datasets.insert().values(name=name, **values))
        else:
            conn.execute(lineage_datasets.update().where(lineage_datasets.c.name == name).values(**values))
        saved.datasets[name] = now
    _insert(conn, lineage_runs, [{"run_id": r.run_id, "job": r.job, "time": r.time, "state": r.state,
                                  "reads": list(r.reads), "writes": list(r.writes)} for r in g.runs[saved.runs:]])
    saved.runs = len(g.runs)
    _insert(conn, lineage_assertions, [
        {"dataset": a.dataset, "column": a.column, "assertion": a.assertion, "success": a.success,
         "run_id": a.run_id, "job": a.job, "time": a.time} for a in g.assertions[saved.assertions:]])
    saved.assertions = len(g.assertions)
    g.mark_saved()
    g._saved = saved  # type: ignore[attr-defined]
    version = _version(conn) + 1
    if version == 1:
        conn.execute(lineage_meta.insert().values(key="version", value=version))
    else:
        conn.execute(lineage_meta.update().where(lineage_meta.c.key == "version").values(value=version))
    return version


def _insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    for i in range(0, len(rows), _CHUNK):
        conn.execute(table.insert(), rows[i:i + _CHUNK])


@contextlib.contextmanager
def edit_graph(store: Any) -> Iterator[LineageGraph]:
    """Load the graph, let the caller change it, save the changes; one write transaction."""
    with store.write() as conn:
        g = load_graph(conn)
        yield g
        version = save_graph(conn, g)
    with _LOCK:
        _CACHE[store.engine] = (version, g, None)


# one loaded graph per engine (version, graph, change token when it was last checked); an engine that is
# disposed and collected takes its graph with it
_CACHE: weakref.WeakKeyDictionary[Any, tuple[int, LineageGraph, int | None]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def graph_cached(store: Any) -> bool:
    """This process holds a loaded graph of ``store``: a query costs milliseconds, unless another writer saved
    since (the next ``read_graph`` then reloads it)."""
    return store.engine in _CACHE


# one connection per SQLite store file that only ever asks ``PRAGMA data_version``
_WATCH: weakref.WeakKeyDictionary[Any, tuple[Any, threading.Lock]] = weakref.WeakKeyDictionary()


def change_token(store: Any) -> int | None:
    """A number that differs from the one the last call returned whenever anything was committed to the
    store since, by any connection of any process; None when the store has no such cheap signal
    (PostgreSQL, an in-memory SQLite database).

    On an SQLite file it is ``PRAGMA data_version`` of a connection kept for this alone (SQLite guarantees
    the value changes when another connection commits): a few microseconds, where the version query of
    every lineage query cost ~0.1 ms and the failed-runs query ~0.25 ms, and more in a worker whose heap
    holds a million-column graph.
    """
    engine = store.engine
    if engine.dialect.name != "sqlite" or isinstance(engine.pool, StaticPool):
        return None
    watch = _WATCH.get(engine)
    if watch is None:
        with _LOCK:
            watch = _WATCH.get(engine)
            if watch is None:
                watch = _WATCH[engine] = (engine.raw_connection(), threading.Lock())
    raw, lock = watch
    with lock:
        row = raw.driver_connection.execute("PRAGMA data_version").fetchone()
    return int(row[0])


def read_graph(store: Any) -> LineageGraph:
    """The stored graph for queries; loaded once per store and reloaded when another writer saved.

    The stored version is only asked when ``change_token`` says something was committed since the graph
    was last checked (always, without a token)."""
    token = change_token(store)  # before the version: a commit in between makes the next call check again
    cached = _CACHE.get(store.engine)
    if (token is not None and cached is not None and cached[2] == token
            and cached[1].feature_patterns == feature_patterns()):
        return cached[1]
    del cached
    with store.read() as conn:
        version = _version(conn)
        with _LOCK:
            cached = _CACHE.get(store.engine)
            if cached is not None and cached[0] == version and cached[1].feature_patterns == feature_patterns():
                _CACHE[store.engine] = (version, cached[1], token)
                return cached[1]
            replacing = cached is not None
            del cached
            _CACHE.pop(store.engine, None)  # the old graph goes before the new one is built
            g = _load_for_queries(conn, replacing=replacing)
            _CACHE[store.engine] = (version, g, token)
            return g


def _load_for_queries(conn: sa.Connection, *, replacing: bool) -> LineageGraph:
    """``load_graph`` without the cyclic garbage collector, whose full passes would walk millions of new
    objects again and again while they are created (and, later, between requests). The loaded graph is
    moved out of the collector's reach (``gc.freeze``; it has no reference cycles: reference counting
    frees it). Before a graph replaces an older one, everything frozen is handed back to the collector.
    Loading the 1 M-column bench graph took 70 s with the collector and 25 s without (same machine, same run)."""
    if replacing:
        gc.unfreeze()
        gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        g = load_graph(conn)
    finally:
        if enabled:
            gc.enable()
    gc.freeze()
    return g
