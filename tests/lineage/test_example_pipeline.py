"""The sample pipeline (examples/sql/pipeline.sql + examples/contracts) loads cleanly and answers impact."""

from __future__ import annotations

from pathlib import Path

from contracts import load_contract
from lineage import (
    LineageGraph,
    add_contract_lineage,
    add_contracts,
    add_sql_lineage,
    impact,
    sql_lineage,
    to_epoch,
)
from lineage.contracts import schema_from_contracts

ROOT = Path(__file__).resolve().parents[2]
SEEN = to_epoch("2026-07-01T00:00:00Z")


def _graph() -> LineageGraph:
    contracts = [load_contract(p) for p in sorted((ROOT / "examples" / "contracts").glob("*.odcs.yaml"))]
    g = LineageGraph()
    add_contracts(g, contracts)
    result = sql_lineage((ROOT / "examples" / "sql" / "pipeline.sql").read_text(), dialect="duckdb",
                         schema=schema_from_contracts(contracts), file="pipeline.sql")
    assert result.problems == ()
    assert len(result.statements) == 2
    assert result.skipped == 2  # the two CREATE SCHEMA statements carry no lineage
    add_sql_lineage(g, result, seen=SEEN)
    summary = add_contract_lineage(g, contracts, seen=SEEN)
    assert summary.problems == ()
    return g


def test_raw_orders_amount_reaches_the_customer_spend_features():
    result = impact(_graph(), "raw.orders.amount")
    hits = {h.node: h for h in result.hits}
    spend = hits["features.customer_spend.total_spend_eur_30d"]
    assert spend.kind == "value"
    assert spend.is_feature is True
    assert spend.owners  # from the features contract's team
    assert [e.target for e in spend.path] == ["clean.orders_enriched.amount_eur",
                                               "features.customer_spend.total_spend_eur_30d"]
    assert hits["features.customer_spend.avg_order_eur"].kind == "value"
    # the rank orders by SUM(amount_eur): amount decides the rank's order, not its value
    assert hits["features.customer_spend.spend_rank_in_segment"].kind == "filter"
    assert "features.customer_spend.customer_id" not in hits


def test_status_only_filters_downstream():
    hits = {h.node: h.kind for h in impact(_graph(), "raw.orders.status").hits}
    assert hits["features.customer_spend.total_spend_eur_30d"] == "filter"
    assert set(hits.values()) == {"filter"}
