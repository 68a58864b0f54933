"""lineage: the column-level lineage graph, its builders (SQL, OpenLineage, contracts) and queries.

May import: contracts, checks (result types only). Never service; nothing here knows about storage,
HTTP or terminals.

- ``model.py``    plain records: ``ColumnEdge``, ``LineageProblem``, kinds (value / filter), epoch helpers.
- ``graph.py``    ``LineageGraph``: networkx MultiDiGraph facade, edges with kind, job, origin and interval.
- ``sql.py``      SQL -> column edges (sqlglot stays inside): split -> parse -> qualify -> extract.
- ``contracts.py`` schemas, owners, feature sets and declared transforms from contracts.
- ``openlineage.py`` OpenLineage run events -> edges, runs and data-quality assertions.
- ``build.py``    puts builder results into a graph (jobs, retirement of edges a newer job version dropped).
- ``query.py``    ``impact`` / ``upstream`` with paths, kinds, owners, windows and failed runs.

To add a builder: turn the input into ``ColumnEdge`` records plus ``LineageProblem`` records, then put
them in the graph with ``build.add_edges`` under a job name; queries need nothing more.
"""

from lineage.build import LoadSummary, add_contract_lineage, add_contracts, add_edges, add_sql_lineage
from lineage.graph import NEVER, Edge, LineageGraph, Run
from lineage.model import FILTER, KINDS, VALUE, ColumnEdge, DatasetInfo, LineageProblem, iso, to_epoch
from lineage.query import Hit, ImpactResult, UnknownField, impact, near_fields, upstream
from lineage.sql import DIALECTS, SqlLineage, StatementLineage, check_dialect, sql_lineage

__all__ = [
    "DIALECTS",
    "FILTER",
    "KINDS",
    "NEVER",
    "VALUE",
    "ColumnEdge",
    "DatasetInfo",
    "Edge",
    "Hit",
    "ImpactResult",
    "LineageGraph",
    "LineageProblem",
    "LoadSummary",
    "Run",
    "SqlLineage",
    "StatementLineage",
    "UnknownField",
    "add_contract_lineage",
    "add_contracts",
    "add_edges",
    "add_sql_lineage",
    "check_dialect",
    "impact",
    "iso",
    "near_fields",
    "sql_lineage",
    "to_epoch",
    "upstream",
]
