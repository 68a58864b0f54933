"""Impact and root cause over multi-statement pipelines: transitive sets, filter-only impact, windows."""

from __future__ import annotations

import pytest

from lineage import LineageGraph, UnknownField, add_sql_lineage, impact, sql_lineage, to_epoch, upstream

SCHEMA = {"raw.orders": {"id": "int", "customer_id": "int", "amount": "double", "status": "text"}}
V1 = """
CREATE TABLE stg.orders AS SELECT id, customer_id, amount, status FROM raw.orders WHERE status <> 'void';
CREATE TABLE mart.spend AS SELECT customer_id, SUM(amount) AS spend FROM stg.orders GROUP BY customer_id;
CREATE TABLE features.big_spenders AS SELECT customer_id FROM mart.spend WHERE spend > 1000;
"""
# the newer version of the statement that writes mart.spend no longer reads stg.orders.amount
V2 = "CREATE TABLE mart.spend AS SELECT customer_id, COUNT(*) AS spend FROM stg.orders GROUP BY customer_id;"
T1 = to_epoch("2026-01-01T00:00:00Z")
T2 = to_epoch("2026-03-01T00:00:00Z")


def _graph(with_v2: bool = True) -> LineageGraph:
    g = LineageGraph()
    add_sql_lineage(g, sql_lineage(V1, dialect="duckdb", schema=SCHEMA), seen=T1)
    if with_v2:
        summary = add_sql_lineage(g, sql_lineage(V2, dialect="duckdb", schema={
            "stg.orders": {"id": "int", "customer_id": "int", "amount": "double", "status": "text"}}), seen=T2)
        assert summary.retired == 1  # stg.orders.amount -> mart.spend.spend (value)
    return g


def _kinds(result) -> dict[str, tuple[str, int]]:
    return {h.node: (h.kind, h.depth) for h in result.hits}


def test_transitive_impact_with_a_column_used_only_in_a_downstream_where():
    result = impact(_graph(with_v2=False), "raw.orders.amount")
    assert _kinds(result) == {
        "stg.orders.amount": ("value", 1),
        "mart.spend.spend": ("value", 2),
        # mart.spend.spend only decides which customers appear in big_spenders: filter impact, not value
        "features.big_spenders.customer_id": ("filter", 3),
    }
    hit = result.hits[-1]
    assert hit.is_feature is True
    assert [(e.source, e.target, e.kind, e.job) for e in hit.path] == [
        ("raw.orders.amount", "stg.orders.amount", "value", "sql:stg.orders"),
        ("stg.orders.amount", "mart.spend.spend", "value", "sql:mart.spend"),
        ("mart.spend.spend", "features.big_spenders.customer_id", "filter", "sql:features.big_spenders"),
    ]
    assert (hit.first_seen, hit.last_seen) == (T1, T1)


def test_a_where_column_reaches_everything_downstream_as_filter():
    result = impact(_graph(with_v2=False), "raw.orders.status")
    assert _kinds(result) == {
        "stg.orders.status": ("value", 1),
        "stg.orders.id": ("filter", 1),
        "stg.orders.customer_id": ("filter", 1),
        "stg.orders.amount": ("filter", 1),
        "mart.spend.customer_id": ("filter", 2),
        "mart.spend.spend": ("filter", 2),
        "features.big_spenders.customer_id": ("filter", 3),
    }


def test_kinds_and_depth_bound_the_answer():
    g = _graph(with_v2=False)
    assert _kinds(impact(g, "raw.orders.amount", kinds=("value",))) == {
        "stg.orders.amount": ("value", 1), "mart.spend.spend": ("value", 2)}
    assert _kinds(impact(g, "raw.orders.amount", kinds=("filter",))) == {
        "features.big_spenders.customer_id": ("filter", 3)}
    assert _kinds(impact(g, "raw.orders.amount", depth=1)) == {"stg.orders.amount": ("value", 1)}


def test_a_window_after_the_edge_was_retired_does_not_reach_through_it():
    g = _graph()
    assert _kinds(impact(g, "raw.orders.amount", since="2026-04-01T00:00:00Z")) == {
        "stg.orders.amount": ("value", 1)}
    # a window while the old statement still ran reaches as before
    assert _kinds(impact(g, "raw.orders.amount", since="2026-01-15T00:00:00Z", until="2026-02-01T00:00:00Z")) == {
        "stg.orders.amount": ("value", 1),
        "mart.spend.spend": ("value", 2),
        "features.big_spenders.customer_id": ("filter", 3),
    }
    # before anything was built nothing is reached
    assert impact(g, "raw.orders.amount", until="2025-12-01T00:00:00Z").hits == ()
    retired_hit = next(h for h in impact(g, "raw.orders.amount").hits if h.node == "mart.spend.spend")
    assert retired_hit.path[1].retired_at == T2
    assert retired_hit.last_seen == T2


def test_upstream_names_value_and_filter_sources():
    g = _graph()
    assert _kinds(upstream(g, "features.big_spenders.customer_id")) == {
        "mart.spend.customer_id": ("value", 1),
        "stg.orders.customer_id": ("value", 2),
        "raw.orders.customer_id": ("value", 3),
        "mart.spend.spend": ("filter", 1),
        "stg.orders.amount": ("filter", 2),
        "raw.orders.status": ("filter", 3),
        "raw.orders.amount": ("filter", 3),
    }
    after = upstream(g, "features.big_spenders.customer_id", since="2026-04-01T00:00:00Z")
    assert "raw.orders.amount" not in _kinds(after)
    assert "stg.orders.amount" not in _kinds(after)


def test_unknown_field_names_near_matches():
    with pytest.raises(UnknownField) as info:
        impact(_graph(), "raw.orders.amout")
    assert info.value.near == ("raw.orders.amount",)
    with pytest.raises(UnknownField) as info:
        impact(_graph(), "raw.order.amount")
    assert info.value.near == ("raw.orders.amount", "stg.orders.amount")


def test_dataset_level_edges_are_reported_as_column_unknown():
    g = _graph(with_v2=False)
    add_sql_lineage(g, sql_lineage("CREATE TABLE mart.n AS SELECT COUNT(*) AS n FROM features.big_spenders",
                                   dialect="duckdb", schema={}), seen=T1)
    hits = {h.node: h for h in impact(g, "raw.orders.amount").hits}
    assert hits["mart.n"].column is None
    assert hits["mart.n"].depth == 4
    assert hits["mart.n"].path[-1].dataset_level is True


def test_failed_runs_in_the_window_are_listed():
    g = _graph()
    runs = [
        {"run_id": "r1", "dataset": "raw.orders", "finished_at": "2026-02-01T00:00:00Z", "passed": False},
        {"run_id": "r2", "dataset": "raw.orders", "finished_at": "2026-05-01T00:00:00Z", "passed": False},
        {"run_id": "r3", "dataset": "raw.orders", "finished_at": "2026-02-02T00:00:00Z", "passed": True},
        {"run_id": "r4", "dataset": "raw.other", "finished_at": "2026-02-02T00:00:00Z", "passed": False},
    ]
    result = impact(g, "raw.orders.amount", until="2026-03-31T00:00:00Z", failed_runs=runs)
    assert [r["run_id"] for r in result.failed_runs] == ["r1"]
    assert result.to_dict()["failed_runs"][0]["finished_at"] == "2026-02-01T00:00:00Z"


def _fan_graph() -> LineageGraph:
    """src.t.x feeds 6 columns of mid.t (value), each feeds a column of out.t (value) and, through a filter,
    every column of gate.t: 6 value hits at depth 1, 6 value + 3 filter hits at depth 2."""
    g = LineageGraph()
    g.add_dataset("src.t", columns=["x"])
    g.add_dataset("mid.t", columns=[f"m{i}" for i in range(6)])
    g.add_dataset("out.t", columns=[f"o{i}" for i in range(6)])
    g.add_dataset("gate.t", columns=["g0", "g1", "g2"])
    for i in range(6):
        g.add_edge("src.t.x", f"mid.t.m{i}", kind="value", job="j1", origin="sql", seen=T1)
        g.add_edge(f"mid.t.m{i}", f"out.t.o{i}", kind="value", job="j2", origin="sql", seen=T1 + i)
        for gcol in ("g0", "g1", "g2"):
            g.add_edge(f"mid.t.m{i}", f"gate.t.{gcol}", kind="filter", job="j3", origin="sql", seen=T2)
    return g


def test_hits_are_ordered_by_depth_value_first_then_node():
    result = impact(_fan_graph(), "src.t.x")
    assert [(h.depth, h.kind, h.node) for h in result.hits] == [
        *[(1, "value", f"mid.t.m{i}") for i in range(6)],
        *[(2, "value", f"out.t.o{i}") for i in range(6)],
        *[(2, "filter", f"gate.t.g{i}") for i in range(3)],
    ]
    assert (result.total, result.truncated, result.offset) == (15, False, 0)
    assert result.to_dict()["total"] == 15 and result.to_dict()["truncated"] is False


def test_a_page_is_the_same_slice_of_the_whole_answer_with_the_same_paths():
    g = _fan_graph()
    whole = impact(g, "src.t.x")
    for limit in (0, 1, 4, 6, 7, 15, 20):
        for offset in (0, 1, 5, 6, 12, 14, 15, 30):
            page = impact(g, "src.t.x", limit=limit, offset=offset)
            assert page.hits == whole.hits[offset:offset + limit], (limit, offset)
            assert page.total == 15
            assert page.truncated is (offset + limit < 15)
    hit = impact(g, "src.t.x", limit=1, offset=8).hits[0]
    assert hit.node == "out.t.o2"
    assert [(e.source, e.target) for e in hit.path] == [("src.t.x", "mid.t.m2"), ("mid.t.m2", "out.t.o2")]
    assert (hit.first_seen, hit.last_seen, hit.held_until) == (T1 + 2, T1 + 2, None)


def test_the_total_follows_kinds_depth_and_window():
    g = _fan_graph()
    assert impact(g, "src.t.x", kinds=("value",), limit=2).total == 12
    assert impact(g, "src.t.x", kinds=("filter",), limit=2).total == 3
    assert impact(g, "src.t.x", depth=1, limit=2).total == 6
    # the filter edges were first seen at T2
    assert impact(g, "src.t.x", until=T2 - 1, limit=0).total == 12


def test_bad_page_bounds_are_refused():
    with pytest.raises(ValueError):
        impact(_fan_graph(), "src.t.x", limit=-1)
    with pytest.raises(ValueError):
        impact(_fan_graph(), "src.t.x", offset=-1)


def test_affected_runs_count_every_hit_not_only_the_page():
    from lineage.graph import Run

    g = _fan_graph()
    g.add_run(Run("ol-1", "reader", T2 + 10, "COMPLETE", ("gate.t",), ()))
    failed = [{"run_id": "v1", "dataset": "src.t", "finished_at": T2 + 5, "passed": False}]
    page = impact(g, "src.t.x", limit=1, failed_runs=failed)
    assert [h.node for h in page.hits] == ["mid.t.m0"]
    assert [(r["run_id"], r["read"], r["after_failed_run"]) for r in page.affected_runs] == [
        ("ol-1", ["gate.t"], "v1")]
