"""Lineage declared in contracts: transformLogic as SQL, transformSourceObjects, feature tags, owners."""

from __future__ import annotations

from contracts import load_contract
from lineage import LineageGraph, add_contract_lineage, add_contracts, impact
from lineage.contracts import contract_lineage


def _contract(id_: str, name: str, physical: str, props: list[dict], tags: list[str] | None = None,
              team: dict | None = None):
    doc = {"apiVersion": "v3.1.0", "kind": "DataContract", "id": id_, "version": "1.0.0", "status": "active",
           "schema": [{"name": name, "physicalName": physical, "properties": props}]}
    if tags:
        doc["tags"] = tags
    if team:
        doc["team"] = team
    return load_contract(doc)


RAW = _contract("raw", "orders", "raw.orders", [{"name": "id"}, {"name": "amount"}, {"name": "status"}],
                team={"name": "payments-team"})
DERIVED = _contract("derived", "order_scores", "ml.order_scores", [
    {"name": "score", "transformLogic": "SELECT amount * 2 FROM raw.orders WHERE status = 'paid'"},
    {"name": "amount_x", "transformSourceObjects": ["raw.orders.amount"], "transformLogic": "amount / 100"},
    {"name": "mood", "transformSourceObjects": ["raw.orders"], "transformLogic": "the analyst's judgement"},
    {"name": "plain", "transformSourceObjects": ["raw.orders.status"]},
], tags=["features"])


def test_contract_transforms_become_edges():
    edges, problems = contract_lineage([RAW, DERIVED])
    assert problems == []
    assert {(e.source, e.target, e.kind) for e in edges} == {
        ("raw.orders.amount", "ml.order_scores.score", "value"),
        ("raw.orders.status", "ml.order_scores.score", "filter"),
        ("raw.orders.amount", "ml.order_scores.amount_x", "value"),
        ("raw.orders", "ml.order_scores", "value"),  # prose: dataset level
        ("raw.orders.status", "ml.order_scores.plain", "value"),
    }


def test_feature_tag_and_owners_reach_the_hits():
    g = LineageGraph()
    add_contracts(g, [RAW, DERIVED])
    add_contract_lineage(g, [RAW, DERIVED], seen=1_000)
    hits = {h.node: h for h in impact(g, "raw.orders.amount").hits}
    assert set(hits) == {"ml.order_scores.score", "ml.order_scores.amount_x", "ml.order_scores"}
    assert hits["ml.order_scores.score"].is_feature is True  # tagged features, name not features.*
    assert hits["ml.order_scores"].column is None
    assert hits["ml.order_scores.score"].path[0].job == "contract:derived"
    assert g.owners("raw.orders") == ("payments-team",)
