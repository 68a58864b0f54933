"""lineage: the column-level lineage graph, its builders (SQL, OpenLineage, contracts) and queries.

May import: contracts, checks (result types only). Never service.
"""
