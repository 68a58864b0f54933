"""What contracts give lineage: the schemas SQL resolves against, owners and feature sets, and the
column lineage a contract declares (``transformSourceObjects`` / ``transformLogic``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from contracts.model import Contract, Property, SchemaObject
from lineage.model import VALUE, ColumnEdge, LineageProblem

__all__ = ["contract_datasets", "contract_lineage", "schema_from_contracts"]


def _columns(obj: SchemaObject) -> list[Property]:
    return [p for p in obj.columns if p.name or p.physical_name]


def _col_name(prop: Property) -> str:
    return str(prop.physical_name or prop.name)


def schema_from_contracts(contracts: Iterable[Contract]) -> dict[str, dict[str, str]]:
    """{qualified_name: {column: type}} for every dataset of every contract."""
    out: dict[str, dict[str, str]] = {}
    for contract in contracts:
        for obj in contract.datasets:
            out[obj.qualified_name] = {_col_name(p): str(p.physical_type or p.logical_type or "unknown")
                                       for p in _columns(obj)}
    return out


def contract_datasets(contracts: Iterable[Contract], patterns: Sequence[str] = ("features.*",)
                      ) -> list[tuple[str, tuple[str, ...], bool, str, tuple[str, ...]]]:
    """(dataset, owners, is_feature, contract id, columns) for each dataset the contracts describe."""
    from contracts.pactline import is_feature_dataset

    out = []
    for contract in contracts:
        for obj in contract.datasets:
            out.append((obj.qualified_name, contract.owners, is_feature_dataset(contract, obj, patterns),
                        contract.id, tuple(_col_name(p) for p in _columns(obj))))
    return out


def contract_lineage(contracts: Sequence[Contract], *, dialect: str = "duckdb",
                     known: Mapping[str, Sequence[str]] | None = None
                     ) -> tuple[list[ColumnEdge], list[LineageProblem]]:
    """Edges the contracts declare on their properties.

    ``transformLogic`` that is SQL (a query, or an expression over one source object) is read by the SQL
    builder with every contract's schema; otherwise each ``transformSourceObjects`` entry gives an edge:
    column level when it names a column (a known one; ``<known dataset>.<name>``; one whose last part is
    the whole ``transformLogic``; or, for names no one declared, three parts or more: schema.table.column),
    else dataset level. ``known``: datasets and columns already in the
    graph (other contracts, SQL), {dataset: [column, ...]}.
    """
    from lineage.sql import sql_lineage

    schema = {ds: {c: "unknown" for c in cols} for ds, cols in (known or {}).items()}
    schema.update(schema_from_contracts(contracts))
    known_columns = {f"{ds}.{c}" for ds, cols in schema.items() for c in cols}
    datasets = set(schema)

    def is_column(src: str, logic: str) -> bool:
        # a known column; not a known dataset; of a known dataset; or schema.table.column by its shape
        ds, _, col = src.rpartition(".")
        if src in known_columns:
            return True
        if not ds or src in datasets:
            return False
        return ds in datasets or col == logic or src.count(".") >= 2

    edges: list[ColumnEdge] = []
    problems: list[LineageProblem] = []
    for contract in contracts:
        for obj in contract.datasets:
            target = obj.qualified_name
            for prop in _columns(obj):
                sources = list(prop.transform_source_objects or ())
                logic = (prop.transform_logic or "").strip()
                col = _col_name(prop)
                if logic:
                    tables = sorted({src.rpartition(".")[0] if is_column(src, logic) else src for src in sources})
                    sql = _as_statement(logic, target, col, tables)
                    if sql is not None:
                        result = sql_lineage(sql, dialect=dialect, schema=schema, file=f"contract:{contract.id}")
                        if result.statements and not result.problems:
                            edges.extend(e for e in result.edges if e.target_column is not None)
                            continue
                        if not sources:
                            problems.extend(result.problems)
                            continue
                for src in sources:
                    if is_column(src, logic):
                        ds, _, c = src.rpartition(".")
                        edges.append(ColumnEdge(ds, c, target, col, VALUE))
                    else:
                        edges.append(ColumnEdge(src, None, target, None, VALUE))
    return sorted(set(edges), key=ColumnEdge.sort_key), problems


def _as_statement(logic: str, target: str, column: str, tables: list[str]) -> str | None:
    """``transformLogic`` as an INSERT into the target column, when it reads as SQL.

    A query is used as it is; an expression is read over its one source table (or none).
    """
    from lineage.sql import parse_check

    head = logic.lstrip("( \n\t").lower()
    if head.startswith(("select", "with")):
        return f"INSERT INTO {target} ({column}) {logic.rstrip(';')}"
    source = f" FROM {tables[0]}" if len(tables) == 1 else ""
    if len(tables) <= 1 and parse_check(f"SELECT {logic}{source}", "duckdb"):
        return f"INSERT INTO {target} ({column}) SELECT {logic}{source}"
    return None
