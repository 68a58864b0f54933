"""Where sqlglot's own lineage() is wrong for impact analysis, and pactline's answer.

sqlglot.lineage follows one output column's *value* back; it drops every column used only in WHERE, JOIN,
GROUP BY or a window's PARTITION BY, and it counts the right side of EXCEPT as a value source.
"""

from __future__ import annotations

import pytest
from sqlglot.lineage import lineage

from lineage import sql_lineage

SCHEMA = {
    "raw.orders": {"id": "int", "customer_id": "int", "amount": "double", "status": "text"},
    "raw.payments": {"id": "int", "order_id": "int", "amount": "double"},
    "raw.sales": {"region": "text", "quarter": "text", "revenue": "double"},
    "raw.customers": {"id": "int", "name": "text"},
}
NESTED = {"raw": {k.split(".")[1]: v for k, v in SCHEMA.items()}}

CASES = [
    # (dialect, query, column, what sqlglot.lineage finds, what pactline finds: {source: kinds})
    ("duckdb", "SELECT id FROM raw.orders WHERE amount > 100", "id",
     {"orders.id"},
     {"raw.orders.id": {"value"}, "raw.orders.amount": {"filter"}}),
    ("duckdb", "SELECT id FROM raw.orders EXCEPT SELECT order_id FROM raw.payments", "id",
     {"orders.id", "payments.order_id"},
     {"raw.orders.id": {"value"}, "raw.payments.order_id": {"filter"}}),
    ("duckdb", "SELECT customer_id, SUM(amount) AS total FROM raw.orders GROUP BY customer_id", "total",
     {"orders.amount"},
     {"raw.orders.amount": {"value"}, "raw.orders.customer_id": {"filter"}}),
    ("duckdb", "SELECT * FROM raw.sales PIVOT (SUM(revenue) FOR quarter IN ('q1', 'q2'))", "q1",
     {"sales.revenue"},
     {"raw.sales.revenue": {"value"}, "raw.sales.quarter": {"filter"}, "raw.sales.region": {"filter"}}),
    ("postgres", "SELECT o.id, l.m FROM raw.orders o CROSS JOIN LATERAL "
     "(SELECT MAX(p.amount) AS m FROM raw.payments p WHERE p.order_id = o.id) AS l", "m",
     {"p.amount", "p.order_id", "o.id"},
     {"raw.payments.amount": {"value"}, "raw.payments.order_id": {"filter"}, "raw.orders.id": {"filter"}}),
]


def _sqlglot_sources(query: str, column: str, dialect: str) -> set[str]:
    node = lineage(column, query, schema=NESTED, dialect=dialect)
    return {n.name for n in node.walk() if not n.downstream}


def _pactline_sources(query: str, column: str, dialect: str) -> dict[str, set[str]]:
    result = sql_lineage(f"CREATE TABLE out.t AS {query}", dialect=dialect, schema=SCHEMA)
    assert result.problems == ()
    out: dict[str, set[str]] = {}
    for e in result.edges:
        if e.target_column == column:
            out.setdefault(e.source, set()).add(e.kind)
    return out


@pytest.mark.parametrize(("dialect", "query", "column", "theirs", "ours"), CASES)
def test_pactline_keeps_what_sqlglot_lineage_drops_or_mislabels(dialect, query, column, theirs, ours):
    assert _sqlglot_sources(query, column, dialect) == theirs
    assert _pactline_sources(query, column, dialect) == ours
