"""The SQL builder's passes and its problems: positions, codes, the rest of the file still loading."""

from __future__ import annotations

import pytest

from lineage import check_dialect, sql_lineage


def test_a_bad_statement_is_reported_and_the_others_load():
    sql = "CREATE TABLE a.x AS SELECT o.id FROM raw.o AS o;\nCREATE TABLE a.y AS SELEC 1;\nCREATE TABLE a.z AS SELECT o.v FROM raw.o AS o;"
    result = sql_lineage(sql, dialect="duckdb", file="f.sql")
    assert [s.target for s in result.statements] == ["a.x", "a.z"]
    assert [(p.code, p.line, p.col, p.statement, p.file) for p in result.problems] == [("parse-error", 2, 1, 1, "f.sql")]


def test_unterminated_string_is_one_tokenize_problem():
    result = sql_lineage("CREATE TABLE a.x AS SELECT 'oops FROM t", dialect="duckdb")
    assert [p.code for p in result.problems] == ["tokenize-error"]
    assert result.statements == ()


def test_unknown_dialect_suggests_the_closest():
    with pytest.raises(ValueError, match="postgres"):
        check_dialect("postgress")


def test_tables_created_earlier_in_the_file_resolve_stars_later():
    sql = "CREATE TABLE s.a AS SELECT o.id, o.v FROM raw.o AS o; CREATE TABLE s.b AS SELECT * FROM s.a"
    result = sql_lineage(sql, dialect="duckdb", schema={"raw.o": {"id": "int", "v": "int"}})
    assert result.problems == ()
    assert [(e.source, e.target, e.kind) for e in result.statements[1].edges] == [
        ("s.a.id", "s.b.id", "value"), ("s.a.v", "s.b.v", "value")]


def test_insert_column_count_mismatch_is_reported():
    result = sql_lineage("INSERT INTO t (a, b) SELECT o.x FROM raw.o AS o", dialect="duckdb")
    assert [p.code for p in result.problems] == ["column-count"]


def test_a_recursive_step_that_rotates_columns_reaches_every_source_of_every_column():
    """Each level moves a value one column on: after three levels every column has held x, y and z,
    which takes three walks of the recursive step to find."""
    sql = ("CREATE TABLE out.t AS WITH RECURSIVE r AS (SELECT s.x AS a, s.y AS b, s.z AS c FROM raw.s AS s "
           "UNION ALL SELECT r.c, r.a, r.b FROM r WHERE r.a < 10) SELECT a, b, c FROM r")
    result = sql_lineage(sql, dialect="duckdb")
    assert result.problems == ()
    edges = {(e.source, e.target, e.kind) for e in result.statements[0].edges}
    sources = ("raw.s.x", "raw.s.y", "raw.s.z")
    values = {(s, f"out.t.{c}", "value") for s in sources for c in "abc"}
    filters = {(s, f"out.t.{c}", "filter") for s in sources for c in "abc"}  # r.a < 10: a has held all three
    assert edges == values | filters
