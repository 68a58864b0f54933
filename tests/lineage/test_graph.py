"""LineageGraph: edges widen instead of duplicating, retirement, reappearance, bulk load, node kinds."""

from __future__ import annotations

from lineage import LineageGraph


def _graph() -> LineageGraph:
    g = LineageGraph()
    a = g.add_column("raw.orders", "amount")
    b = g.add_column("mart.t", "total")
    g.add_edge(a, b, kind="value", job="j", origin="sql", seen=100)
    g.add_edge(a, b, kind="value", job="j", origin="sql", seen=50)
    g.add_edge(a, b, kind="filter", job="j", origin="sql", seen=100)
    return g


def test_the_same_edge_widens_its_interval():
    g = _graph()
    assert g.edge_count == 2
    value = g.edge(0)
    assert (value.kind, value.first_seen, value.last_seen, value.retired_at) == ("value", 50, 100, None)
    assert g.nx.number_of_edges("raw.orders.amount", "mart.t.total") == 2


def test_retire_then_reappear_is_a_new_edge():
    g = _graph()
    assert g.retire("j", keep={0}, at=200) == [1]
    assert g.edge(1).retired_at == 200
    again = g.add_edge("raw.orders.amount", "mart.t.total", kind="filter", job="j", origin="sql", seen=300)
    assert again == 2
    assert [(e.kind, e.first_seen, e.retired_at) for e in g.out_edges("raw.orders.amount")] == [
        ("value", 50, None), ("filter", 100, 200), ("filter", 300, None)]


def test_bulk_load_matches_edge_by_edge_and_retires_after():
    g = _graph()
    rows = [g.edge_row(i) for i in range(g.edge_count)]
    h = LineageGraph()
    h.load_rows(g.jobs(), rows)
    assert list(h.edges()) == list(g.edges())
    assert h.retire("j", keep=set(), at=500) == [0, 1]


def test_node_kinds_and_features():
    g = _graph()
    g.add_dataset("features.spend", columns=["x"])
    g.add_dataset("ml.scores", is_feature=True, owners=["team-a"], columns=["s.nested"])
    assert g.has_dataset("raw.orders") and not g.has_column("raw.orders")
    assert g.has_column("raw.orders.amount")
    assert g.is_feature("features.spend") and g.is_feature("ml.scores") and not g.is_feature("mart.t")
    assert g.dataset_of("ml.scores.s.nested") == "ml.scores"
    assert g.column_of("ml.scores.s.nested") == "s.nested"
    assert g.owners("ml.scores") == ("team-a",)
    assert g.column_count == 4
