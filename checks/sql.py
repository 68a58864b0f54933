"""ODCS ``type: sql`` rules, run on embedded DuckDB over the batch's own Arrow data.

The batch is registered as an Arrow table (no copy) under ``batch``; views give it the
dataset's ``physicalName`` (``raw.orders``) and ``name`` (``orders``), and the placeholders
(``contracts.sqlrules``: ``${object}``, ``${table}``, ``${dataset}``, ``{object}`` for the dataset;
``${property}``, ``${column}``, ``{property}`` for the rule's column) are replaced by the view's name
and the quoted column. Then the sandbox is closed: ``enable_external_access=false`` (no files, no
network, no extensions) and ``lock_configuration=true`` (no statement can reopen it). Only one
``SELECT`` statement is run; its first column of its first row is the rule's observed value.

A query that fails (syntax, a missing column, a refused file access) gives reason ``sql_error``
with DuckDB's message; it never raises.

Memory: the engine keeps the batches only when the dataset has SQL rules, so the batch is held in
memory once for them (the rest of the engine streams). Without SQL rules nothing is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from contracts.sqlrules import fill

__all__ = ["SqlOutcome", "SqlSandbox"]


@dataclass(frozen=True)
class SqlOutcome:
    value: Any = None
    error: str | None = None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class SqlSandbox:
    """One DuckDB connection over one batch, closed to the outside world."""

    def __init__(self, table: pa.Table, names: Sequence[str]) -> None:
        import duckdb

        self._con = duckdb.connect(":memory:")
        self._con.register("batch", table)
        self.view = "batch"
        for name in dict.fromkeys(n for n in names if n):
            parts = name.split(".")
            if len(parts) == 1 and name != "batch":
                self._con.execute(f"CREATE OR REPLACE VIEW {_quote(name)} AS SELECT * FROM batch")
            elif len(parts) == 2:
                self._con.execute(f"CREATE SCHEMA IF NOT EXISTS {_quote(parts[0])}")
                self._con.execute(f"CREATE OR REPLACE VIEW {_quote(parts[0])}.{_quote(parts[1])} AS SELECT * FROM batch")
        self._con.execute("SET enable_external_access = false")
        self._con.execute("SET lock_configuration = true")

    def run(self, query: str, column: str | None = None) -> SqlOutcome:
        text = fill(query, self.view, _quote(column) if column else None).strip().rstrip(";")
        try:
            statements = self._con.extract_statements(text)
            if len(statements) != 1 or statements[0].type.name != "SELECT":
                return SqlOutcome(error="a SQL rule is one SELECT statement")
            row = self._con.execute(text).fetchone()
        except Exception as exc:  # duckdb raises many error classes; each is a result here
            return SqlOutcome(error=" ".join(str(exc).split())[:300])
        if row is None or len(row) == 0:
            return SqlOutcome(error="the query returned no row")
        return SqlOutcome(value=row[0])

    def close(self) -> None:
        self._con.close()
