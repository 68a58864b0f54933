"""Column lineage from SQL: split -> parse -> qualify -> extract, each a small pass. sqlglot stays in here.

``sql_lineage(sql, dialect=..., schema=...)`` returns every statement's column edges, each ``value`` (the
output's values are computed from the input) or ``filter`` (the input only decides which rows or groups
appear), and a problem with file:line:col for every statement it could not resolve; the other statements
still load. The schema ({"raw.orders": {"amount": "double"}}) lets ``*``, ``t.*``, ``* EXCLUDE (...)`` and
unqualified columns resolve; tables a statement creates are added to it for the statements after it.

Where an input lands:
- value: projections, expressions, CASE branches and conditions, aggregate and window-function arguments,
  UNION branches, INSERT column lists (by position), UPDATE/MERGE SET, MERGE INSERT values, ON CONFLICT SET,
  UNNEST/explode/LATERAL outputs, PIVOT aggregates, scalar subqueries' outputs.
- filter to every output column of the statement: WHERE, JOIN ON/USING, GROUP BY, HAVING, QUALIFY, ORDER BY
  under LIMIT, the right side of EXCEPT/INTERSECT, MERGE ON and WHEN conditions, the rows of every
  derived table read (a CTE's WHERE filters the statement that reads it), PIVOT's FOR and implicit group
  columns for the pivoted columns.
- filter to the one output column that holds it: PARTITION BY / ORDER BY of a window function and the
  WHERE of a scalar subquery (they choose which rows feed that column's value, not which rows appear).
- a dataset read without any column edge to the target (``SELECT count(*) FROM s``) gives a dataset-level
  edge s -> target.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.dialects.dialect import Dialect, NormalizationStrategy
from sqlglot.errors import OptimizeError, ParseError, SqlglotError, TokenError
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import Scope, build_scope
from sqlglot.schema import MappingSchema
from sqlglot.tokenizer_core import Token, TokenType

from lineage.model import FILTER, VALUE, ColumnEdge, LineageProblem

__all__ = ["DIALECTS", "SqlLineage", "StatementLineage", "check_dialect", "sql_lineage"]

# The dialects the golden tests cover; any other sqlglot dialect is accepted too.
DIALECTS: tuple[str, ...] = ("duckdb", "postgres", "snowflake", "bigquery", "spark", "mysql")

Dep = tuple[str, str, str]  # (dataset, column, kind)


@dataclass(frozen=True)
class StatementLineage:
    """The lineage of one statement: where it starts, what it writes and its edges."""

    index: int
    line: int
    col: int
    statement: str  # create | insert | update | merge
    target: str
    columns: tuple[str, ...]  # the target columns it writes
    edges: tuple[ColumnEdge, ...]
    reads: tuple[str, ...]  # datasets it reads


@dataclass(frozen=True)
class SqlLineage:
    statements: tuple[StatementLineage, ...] = ()
    problems: tuple[LineageProblem, ...] = ()
    skipped: int = 0  # statements that carry no lineage (DDL without a query, SET, USE, DROP ...)

    @property
    def edges(self) -> tuple[ColumnEdge, ...]:
        return tuple(e for s in self.statements for e in s.edges)


class _Unresolved(Exception):
    def __init__(self, code: str, message: str, node: exp.Expr | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.node = node


def check_dialect(dialect: str) -> str:
    """The dialect's name, or ``ValueError`` naming the closest one (``Did you mean postgres?``)."""
    try:
        Dialect.get_or_raise(dialect)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return dialect


def sql_lineage(sql: str, *, dialect: str, schema: Mapping[str, Mapping[str, str]] | None = None,
                file: str = "") -> SqlLineage:
    """Column lineage of every statement in ``sql``; see the module docstring for what lands where."""
    d = Dialect.get_or_raise(check_dialect(dialect))
    problems: list[LineageProblem] = []
    running = _schema(schema or {}, d, problems, file)
    statements: list[StatementLineage] = []
    skipped = 0
    try:
        chunks = _split(sql, d)
    except TokenError as exc:
        line, col = _error_position(str(exc))
        return SqlLineage(problems=(LineageProblem("tokenize-error", f"cannot read the SQL: {exc}", line, col, file),))
    for index, (line, col, tokens) in enumerate(chunks):
        try:
            with _quiet_sqlglot():  # its "falling back to Command" warning becomes our parse-error problem
                parsed = d.parser().parse(tokens, sql)
        except ParseError as exc:
            err = exc.errors[0] if exc.errors else {}
            problems.append(LineageProblem(
                "parse-error", f"cannot parse the statement: {err.get('description') or exc}",
                int(err.get("line") or line), int(err.get("col") or col), file, index))
            continue
        for stmt in parsed:
            if stmt is None:
                continue
            try:
                result = _statement(stmt, d, running, index, line, col)
            except _Unresolved as exc:
                pl, pc = _position(exc.node, line, col)
                problems.append(LineageProblem(exc.code, exc.message, pl, pc, file, index))
                continue
            except (OptimizeError, SqlglotError, RecursionError) as exc:
                problems.append(LineageProblem("unresolved", f"cannot resolve the statement: {exc}",
                                               line, col, file, index))
                continue
            if result is None:
                skipped += 1
            else:
                statements.append(result)
    return SqlLineage(tuple(statements), tuple(problems), skipped)


@contextlib.contextmanager
def _quiet_sqlglot() -> Iterator[None]:
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


# --- pass 1: split into statements (with their position) --------------------------------------------


def _split(sql: str, d: Dialect) -> list[tuple[int, int, list[Token]]]:
    tokens = d.tokenize(sql)
    chunks: list[tuple[int, int, list[Token]]] = []
    current: list[Token] = []
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            if current:
                chunks.append((*_line_col(sql, current[0].start), current))
            current = []
        else:
            current.append(tok)
    if current:
        chunks.append((*_line_col(sql, current[0].start), current))
    return chunks


def _line_col(sql: str, offset: int) -> tuple[int, int]:
    line = sql.count("\n", 0, offset) + 1
    return line, offset - (sql.rfind("\n", 0, offset) + 1) + 1


def _error_position(text: str) -> tuple[int, int]:
    m = re.search(r"[Ll]ine (\d+), [Cc]ol(?:umn)?:? (\d+)", text)
    return (int(m.group(1)), int(m.group(2))) if m else (1, 1)


def _position(node: exp.Expr | None, line: int, col: int) -> tuple[int, int]:
    """The start of the first identifier of ``node`` that kept its place in the text."""
    best: tuple[int, int] | None = None
    if node is not None:
        for n in node.find_all(exp.Identifier):
            meta = n._meta or {}
            if "line" in meta and "col" in meta:
                # sqlglot records where the identifier ends; point at where it starts
                start = int(meta["col"]) - len(n.name) + (-1 if n.quoted else 1)
                here = (int(meta["line"]), max(start, 1))
                best = here if best is None or here < best else best
    return best or (line, col)


# --- the running schema ------------------------------------------------------------------------------


def _schema(schema: Mapping[str, Mapping[str, str]], d: Dialect, problems: list[LineageProblem],
            file: str) -> MappingSchema:
    depth = max((len(name.split(".")) for name, cols in schema.items() if cols), default=0)
    nested: dict[str, Any] = {}
    for name, columns in schema.items():
        if not columns:
            continue  # a table without known columns: a * over it is reported when it is read
        parts = name.split(".")
        if len(parts) != depth:
            problems.append(LineageProblem(
                "schema-depth", f"schema table {name!r} has {len(parts)} name parts but others have {depth}; "
                "name every table the same way (e.g. all schema.table)", 0, 0, file))
            continue
        node = nested
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = {str(c): str(t or "unknown") for c, t in columns.items()}
    return MappingSchema(nested, dialect=d)


def _add_to_schema(running: MappingSchema, table: exp.Table, columns: Iterable[str], d: Dialect) -> None:
    mapping = {c: "unknown" for c in columns}
    # a table named with another depth than the schema's is left out: a later * over it is reported
    with contextlib.suppress(SqlglotError, ValueError):
        running.add_table(table.copy(), mapping, dialect=d, normalize=False)


# --- pass 2 + 3: per statement, qualify then extract ------------------------------------------------


def _statement(stmt: exp.Expr, d: Dialect, running: MappingSchema, index: int, line: int,
               col: int) -> StatementLineage | None:
    if isinstance(stmt, exp.Create):
        target = stmt.this.this if isinstance(stmt.this, exp.Schema) else stmt.this
        query = stmt.expression
        if not isinstance(target, exp.Table):
            return None
        _normalize(target, d)
        if not isinstance(query, exp.Query):
            if isinstance(stmt.this, exp.Schema):  # CREATE TABLE t (a int, ...): known columns from now on
                cols = [c.name for c in stmt.this.expressions if isinstance(c, exp.ColumnDef)]
                _add_to_schema(running, target, [_norm_name(c, d, quoted=False) for c in cols], d)
            return None
        listed = [_norm_ident(i, d) for i in stmt.this.expressions] if isinstance(stmt.this, exp.Schema) else None
        return _query_statement("create", query, target, listed, d, running, index, line, col)
    if isinstance(stmt, exp.Insert):
        target = stmt.this.this if isinstance(stmt.this, exp.Schema) else stmt.this
        if not isinstance(target, exp.Table):
            raise _Unresolved("unsupported-statement", "INSERT into something that is not a table", stmt)
        _normalize(target, d)
        listed = [_norm_ident(i, d) for i in stmt.this.expressions] if isinstance(stmt.this, exp.Schema) else None
        query = stmt.expression
        if listed is None:
            known = running.column_names(target, dialect=d) if running.find(target) is not None else []
            listed = list(known) or None
        return _insert(stmt, query, target, listed, d, running, index, line, col)
    if isinstance(stmt, exp.Update):
        return _update(stmt, d, running, index, line, col)
    if isinstance(stmt, exp.Merge):
        return _merge(stmt, d, running, index, line, col)
    if isinstance(stmt, exp.Query):
        raise _Unresolved("no-target", "a query that writes nothing has no lineage to store; "
                          "write it as CREATE TABLE/VIEW ... AS or INSERT INTO ...")
    if isinstance(stmt, exp.Command):
        raise _Unresolved("parse-error", f"cannot parse this {stmt.name.upper() or 'statement'} statement; "
                          "check its syntax for the dialect")
    if isinstance(stmt, _NO_LINEAGE):
        return None
    raise _Unresolved("not-a-statement", f"{stmt.sql(dialect=d)[:60]!r} is not a SQL statement")


# Statements that are valid SQL but move no column into another.
_NO_LINEAGE: tuple[type[exp.Expr], ...] = (
    exp.Drop, exp.Use, exp.Set, exp.Alter, exp.Delete, exp.Transaction, exp.Commit, exp.Rollback,
    exp.Describe, exp.Cache, exp.Uncache, exp.Pragma, exp.Grant, exp.Comment, exp.TruncateTable,
    exp.Analyze, exp.Copy, exp.Refresh, exp.Show,
)


def _normalize(node: exp.Expr, d: Dialect) -> None:
    for ident in node.find_all(exp.Identifier):
        d.normalize_identifier(ident)


def _norm_ident(ident: exp.Expr, d: Dialect) -> str:
    if isinstance(ident, exp.Identifier):
        return d.normalize_identifier(ident.copy()).name
    return ident.name


def _norm_name(name: str, d: Dialect, *, quoted: bool) -> str:
    return d.normalize_identifier(exp.to_identifier(name, quoted=quoted)).name


def _qualify(query: exp.Expr, d: Dialect, running: MappingSchema) -> exp.Expr:
    try:
        return qualify(query, schema=running, dialect=d, validate_qualify_columns=False,
                       quote_identifiers=False, identify=False)
    except OptimizeError as exc:
        m = re.search(r"Unknown column: (\S+)", str(exc))
        if m:
            node = next((c for c in query.find_all(exp.Column) if c.name == m.group(1)), None)
            raise _Unresolved("unresolved-column", f"no table of the query has a column {m.group(1)!r}; "
                              "check the name against the schema", node) from None
        raise


def _query_statement(statement: str, query: exp.Expr, target: exp.Table, listed: list[str] | None,
                     d: Dialect, running: MappingSchema, index: int, line: int, col: int) -> StatementLineage:
    qualified = _qualify(query, d, running)
    walk = _Walk(d, running)
    root = walk.index(qualified)
    outputs = walk.outputs(root)
    filters = walk.filters(root)
    names = list(outputs)
    if listed is not None and len(listed) != len(names):
        raise _Unresolved("column-count", f"{statement.upper()} names {len(listed)} columns but the query "
                          f"returns {len(names)}", query)
    mapping = list(zip(names, listed or names, strict=True))
    per_column = [(tcol, outputs[out]) for out, tcol in mapping]
    result = _finish(statement, target, per_column, filters, walk.reads, d, index, line, col)
    _add_to_schema(running, target, [c for c, _ in per_column], d)
    return result


def _insert(stmt: exp.Insert, query: exp.Expr | None, target: exp.Table, listed: list[str] | None,
            d: Dialect, running: MappingSchema, index: int, line: int, col: int) -> StatementLineage | None:
    per_column: list[tuple[str, set[Dep]]] = []
    filters: set[tuple[str, str]] = set()
    reads: set[str] = set()
    inserted: dict[str, set[Dep]] = {}
    if isinstance(query, exp.Query):
        qualified = _qualify(query, d, running)
        walk = _Walk(d, running)
        root = walk.index(qualified)
        outputs = walk.outputs(root)
        filters |= walk.filters(root)
        reads |= walk.reads
        names = list(outputs)
        if listed is not None and len(listed) != len(names):
            raise _Unresolved("column-count", f"INSERT names {len(listed)} columns but the query returns "
                              f"{len(names)}", query)
        for out, tcol in zip(names, listed or names, strict=True):
            per_column.append((tcol, set(outputs[out])))
            inserted[tcol] = set(outputs[out])
    elif listed is not None:
        inserted = {c: set() for c in listed}
    conflict = stmt.args.get("conflict")
    if isinstance(conflict, exp.OnConflict):
        ds = _table_key(target, d)
        for eq in conflict.expressions:
            if not isinstance(eq, exp.EQ):
                continue
            tcol = _norm_ident(eq.this.this if isinstance(eq.this, exp.Column) else eq.this, d)
            deps: set[Dep] = set()
            for node in eq.expression.find_all(exp.Column, exp.Anonymous):
                if isinstance(node, exp.Anonymous) and node.name.upper() == "VALUES":  # MySQL VALUES(col)
                    for arg in node.expressions:
                        deps |= inserted.get(_norm_ident(arg, d), set())
                elif isinstance(node, exp.Column):
                    if node.table.lower() == "excluded":
                        deps |= inserted.get(_norm_ident(node.this, d), set())
                    elif node.find_ancestor(exp.Anonymous) is None:
                        deps.add((ds, _fold(_norm_ident(node.this, d), d), VALUE))
            per_column.append((tcol, deps))
    if not per_column:
        return None  # INSERT ... VALUES: no column comes from another column
    return _finish("insert", target, per_column, filters, reads, d, index, line, col)


def _update(stmt: exp.Update, d: Dialect, running: MappingSchema, index: int, line: int,
            col: int) -> StatementLineage:
    target = stmt.this
    if not isinstance(target, exp.Table):
        raise _Unresolved("unsupported-statement", "UPDATE of something that is not a table", stmt)
    _normalize(target, d)
    projections: list[exp.Expr] = []
    columns: list[str] = []
    for i, eq in enumerate(stmt.expressions):
        if not isinstance(eq, exp.EQ):
            continue
        columns.append(_norm_ident(eq.this.this if isinstance(eq.this, exp.Column) else eq.this, d))
        projections.append(exp.alias_(eq.expression.copy(), f"_pactline_set_{i}"))
    base = target.copy()
    joins: list[exp.Expr] = list(base.args.pop("joins", None) or [])  # MySQL: UPDATE t JOIN s ON ...
    select = exp.Select(expressions=projections, from_=exp.From(this=base))
    source = stmt.args.get("from_")
    if isinstance(source, exp.From):
        first = source.this.copy()
        nested = first.args.pop("joins", None) or []
        joins.append(exp.Join(this=first))
        joins.extend(nested)
    joins.extend(j.copy() for j in stmt.args.get("joins") or [])
    if joins:
        select.set("joins", joins)
    if stmt.args.get("where"):
        select.set("where", stmt.args["where"].copy())
    return _synthetic("update", select, target, columns, d, running, index, line, col)


def _merge(stmt: exp.Merge, d: Dialect, running: MappingSchema, index: int, line: int,
           col: int) -> StatementLineage:
    target = stmt.this
    source = stmt.args.get("using")
    if not isinstance(target, exp.Table) or source is None:
        raise _Unresolved("unsupported-statement", "MERGE needs INTO a table and USING a source", stmt)
    _normalize(target, d)
    source_alias = source.alias_or_name
    projections: list[exp.Expr] = []
    columns: list[str] = []  # target column per projection; "*" = by name
    conditions: list[exp.Expr] = []
    whens = stmt.args.get("whens")
    for when in (whens.expressions if whens is not None else []):
        if when.args.get("condition") is not None:
            conditions.append(when.args["condition"].copy())
        then = when.args.get("then")
        if isinstance(then, exp.Update):
            for eq in then.expressions:
                if isinstance(eq, exp.Star):
                    projections.append(exp.Column(this=exp.Star(), table=exp.to_identifier(source_alias)))
                    columns.append("*")
                elif isinstance(eq, exp.EQ):
                    columns.append(_norm_ident(eq.this.this if isinstance(eq.this, exp.Column) else eq.this, d))
                    projections.append(exp.alias_(eq.expression.copy(), f"_pactline_set_{len(projections)}"))
        elif isinstance(then, exp.Insert):
            if isinstance(then.this, exp.Star) or then.this is None:
                projections.append(exp.Column(this=exp.Star(), table=exp.to_identifier(source_alias)))
                columns.append("*")
            else:
                names = [_norm_ident(c.this if isinstance(c, exp.Column) else c, d) for c in then.this.expressions]
                values = then.expression.expressions if then.expression is not None else []
                if len(names) != len(values):
                    raise _Unresolved("column-count", f"MERGE INSERT names {len(names)} columns but gives "
                                      f"{len(values)} values", then)
                for name, value in zip(names, values, strict=True):
                    columns.append(name)
                    projections.append(exp.alias_(value.copy(), f"_pactline_set_{len(projections)}"))
    select = exp.Select(expressions=projections or [exp.Literal.number(1)], from_=exp.From(this=target.copy()))
    select.set("joins", [exp.Join(this=source.copy(), on=stmt.args["on"].copy() if stmt.args.get("on") else None)])
    if conditions:
        select.set("where", exp.Where(this=exp.and_(*conditions)))
    return _synthetic("merge", select, target, columns, d, running, index, line, col,
                      star_alias=source_alias, has_projections=bool(projections))


def _synthetic(statement: str, select: exp.Select, target: exp.Table, columns: list[str], d: Dialect,
               running: MappingSchema, index: int, line: int, col: int, *, star_alias: str | None = None,
               has_projections: bool = True) -> StatementLineage:
    """UPDATE and MERGE are read as a SELECT over target JOIN source; each projection is one SET."""
    qualified = _qualify(select, d, running)
    walk = _Walk(d, running)
    root = walk.index(qualified)
    outputs = walk.outputs(root)
    filters = walk.filters(root)
    per_column: list[tuple[str, set[Dep]]] = []
    if has_projections:
        # projections keep their order; a star expands into several outputs named after source columns
        proj_iter = iter(columns)
        pending_star = False
        for name, deps in outputs.items():
            if name.lower().startswith("_pactline_set_"):
                tcol = next(proj_iter)
                while tcol == "*":
                    tcol = next(proj_iter)
                per_column.append((tcol, set(deps)))
            else:
                pending_star = True
                per_column.append((name, set(deps)))
        if "*" in columns and not pending_star:
            raise _Unresolved("star-unresolved", f"SET * / INSERT * needs the columns of {star_alias!r}; "
                              "pass its schema (--contracts or --schema)", select)
    return _finish(statement, target, per_column, filters, walk.reads, d, index, line, col)


def _finish(statement: str, target: exp.Table, per_column: Sequence[tuple[str, AbstractSet[Dep]]],
            filters: AbstractSet[tuple[str, str]], reads: AbstractSet[str], d: Dialect, index: int, line: int,
            col: int) -> StatementLineage:
    tds = _table_key(target, d)
    edges: set[ColumnEdge] = set()
    columns: list[str] = []
    for tcol_raw, deps in per_column:
        tcol = _fold(tcol_raw, d)
        if tcol not in columns:
            columns.append(tcol)
        for ds, c, kind in deps:
            edges.add(ColumnEdge(ds, c, tds, tcol, kind))
        for ds, c in filters:
            edges.add(ColumnEdge(ds, c, tds, tcol, FILTER))
    linked = {e.source_dataset for e in edges}
    for ds in sorted(reads - linked - {tds}):
        edges.add(ColumnEdge(ds, None, tds, None, VALUE))
    return StatementLineage(index, line, col, statement, tds, tuple(columns), tuple(sorted(edges, key=ColumnEdge.sort_key)),
                            tuple(sorted(reads)))


def _fold(name: str, d: Dialect) -> str:
    """Dialect-normalised identifier -> graph name: case-insensitive upper-case folds to lower case."""
    if d.normalization_strategy in (NormalizationStrategy.UPPERCASE,) and name == name.upper():
        return name.lower()
    return name


def _table_key(table: exp.Table, d: Dialect) -> str:
    return ".".join(_fold(p.name, d) for p in table.parts if p.name)


_MAX_RECURSIVE_PASSES = 64  # walks of a recursive step; each adds dependencies until none is new


def _combine(outer: str, inner: str) -> str:
    return VALUE if outer == VALUE and inner == VALUE else FILTER


# --- the one walk over the qualified tree ---------------------------------------------------------------


@dataclass
class _Walk:
    d: Dialect
    schema: MappingSchema
    scope_of: dict[int, Scope] = field(default_factory=dict)
    out_memo: dict[int, dict[str, frozenset[Dep]]] = field(default_factory=dict)
    filt_memo: dict[int, frozenset[tuple[str, str]]] = field(default_factory=dict)
    busy: set[int] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    traversed: set[int] = field(default_factory=set)
    # WITH RECURSIVE: anchors reached through a self-reference, and what the self-reference stands for
    # while the recursive branch is walked again (the outputs and filters of every row so far)
    self_referenced: set[int] = field(default_factory=set)
    recursive: dict[int, tuple[dict[str, frozenset[Dep]], frozenset[tuple[str, str]]]] = field(default_factory=dict)

    def index(self, qualified: exp.Expr) -> Scope:
        root = build_scope(qualified)
        if root is None:
            raise _Unresolved("unresolved", "cannot find the query's scope", qualified)
        for scope in root.traverse():
            self.scope_of.setdefault(id(scope.expression), scope)
            self.traversed.add(id(scope))
            for src in scope.sources.values():
                if isinstance(src, exp.Table) and not isinstance(src.this, exp.Func):
                    self.reads.add(_table_key(src, self.d))
        return root

    # outputs: name -> deps of each output column of a scope
    def outputs(self, scope: Scope) -> dict[str, frozenset[Dep]]:
        key = id(scope)
        if key in self.out_memo:
            return self.out_memo[key]
        if key in self.busy:
            raise _Unresolved("recursive", "a query refers to itself other than through WITH RECURSIVE",
                              scope.expression)
        self.busy.add(key)
        try:
            result = self._outputs(scope)
        finally:
            self.busy.discard(key)
        self.out_memo[key] = result
        return result

    def _outputs(self, scope: Scope) -> dict[str, frozenset[Dep]]:
        expr = scope.expression
        if isinstance(expr, exp.SetOperation):
            left, right = scope.set_operation_scopes[0], scope.set_operation_scopes[1]
            lo, ro = self.outputs(left), self.outputs(right)
            if len(lo) != len(ro):
                raise _Unresolved("column-count", f"the branches of {expr.key.upper()} return {len(lo)} and "
                                  f"{len(ro)} columns", expr)
            if isinstance(expr, exp.Union):
                merged = {name: deps | rdeps for (name, deps), rdeps in zip(lo.items(), ro.values(), strict=True)}
                if id(left) in self.self_referenced:
                    merged = self._recursive_fixed_point(left, right, merged)
                return merged
            return dict(lo)
        if isinstance(expr, exp.Select):
            out: dict[str, frozenset[Dep]] = {}
            for proj in expr.selects:
                if isinstance(proj, exp.Star) or (isinstance(proj, exp.Column) and isinstance(proj.this, exp.Star)):
                    unknown = [t for t in scope.tables if self.schema.find(t) is None]
                    names = ", ".join(_table_key(t, self.d) for t in unknown) or "its tables"
                    raise _Unresolved("star-unresolved", f"cannot expand * without the columns of {names}; pass "
                                      "their schema (--contracts or --schema)", unknown[0] if unknown else None)
                name = proj.alias_or_name
                out[name] = frozenset(self.refs(proj, scope, VALUE))
            return out
        if isinstance(expr, exp.Lateral) and isinstance(expr.this, exp.Subquery):
            inner = self.scope_of.get(id(expr.this.unnest()))
            return self.outputs(inner) if inner is not None else {}
        if isinstance(expr, exp.Unnest | exp.Lateral):
            args = expr.expressions if isinstance(expr, exp.Unnest) else [expr.this]
            deps = frozenset(d for a in args for d in self.refs(a, scope, VALUE))
            outputs = [s.name for s in expr.selects] if expr.selects else [expr.alias_or_name or "unnest"]
            offset = expr.args.get("offset")
            off_name = offset.name if isinstance(offset, exp.Expr) else None
            return {n: (frozenset() if n == off_name else deps) for n in outputs}
        return {}

    def _recursive_fixed_point(self, anchor: Scope, step: Scope, merged: dict[str, frozenset[Dep]]
                               ) -> dict[str, frozenset[Dep]]:
        """WITH RECURSIVE: the self-reference in the recursive step stands for every row so far, not
        only the anchor's (``SELECT c.id, t.cur ...`` makes a column of one level out of another column
        of the level before). The step is walked again with the union's outputs and filters standing
        for the self-reference until they stop growing; they only grow, so this ends."""
        filt = self.filters(anchor) | self.filters(step)
        for _ in range(_MAX_RECURSIVE_PASSES):
            self.recursive[id(anchor)] = (merged, filt)
            for inner in step.traverse():
                self.out_memo.pop(id(inner), None)
                self.filt_memo.pop(id(inner), None)
            ro = self.outputs(step)
            grown = {name: deps | rdeps for (name, deps), rdeps in zip(merged.items(), ro.values(), strict=True)}
            grown_filt = filt | self.filters(step)
            if grown == merged and grown_filt == filt:
                break
            merged, filt = grown, grown_filt
        return merged

    def _self_reference(self, src: Scope) -> Scope:
        """The anchor a WITH RECURSIVE self-reference (a scope outside the traversal) stands for."""
        anchor = self.scope_of.get(id(src.expression), src)
        self.self_referenced.add(id(anchor))
        return anchor

    # filters: the (dataset, column) that decide which rows of a scope appear
    def filters(self, scope: Scope) -> frozenset[tuple[str, str]]:
        key = id(scope)
        if key in self.filt_memo:
            return self.filt_memo[key]
        if key in self.busy:
            return frozenset()
        self.busy.add(key)
        try:
            result = frozenset(self._filters(scope))
        finally:
            self.busy.discard(key)
        self.filt_memo[key] = result
        return result

    def _filters(self, scope: Scope) -> set[tuple[str, str]]:
        expr = scope.expression
        out: set[tuple[str, str]] = set()
        if isinstance(expr, exp.SetOperation):
            left, right = scope.set_operation_scopes[0], scope.set_operation_scopes[1]
            out |= self.filters(left) | self.filters(right)
            if id(left) in self.recursive:
                out |= self.recursive[id(left)][1]
            if not isinstance(expr, exp.Union):  # EXCEPT / INTERSECT: the right side decides which rows stay
                out |= {(ds, c) for deps in self.outputs(right).values() for ds, c, _ in deps}
            return out
        if isinstance(expr, exp.Select):
            parts: list[exp.Expr | None] = [expr.args.get(k) for k in ("where", "group", "having", "qualify")]
            for join in expr.args.get("joins") or []:
                parts.append(join.args.get("on"))
                for ident in join.args.get("using") or []:
                    parts.extend(self._using_columns(scope, join, ident))
            distinct = expr.args.get("distinct")
            distinct_on = distinct.args.get("on") if isinstance(distinct, exp.Distinct) else None
            if distinct_on is not None:  # DISTINCT ON keeps one row per key, chosen by ORDER BY
                parts.append(distinct_on)
            if expr.args.get("limit") or expr.args.get("offset") or expr.args.get("fetch") or distinct_on:
                parts.append(expr.args.get("order"))
            for part in parts:
                if part is not None:
                    out |= {(ds, c) for ds, c, _ in self.refs(part, scope, FILTER)}
            for _name, (_node, src) in scope.selected_sources.items():
                if isinstance(src, Scope):
                    if id(src) not in self.traversed:  # WITH RECURSIVE: the rows so far
                        anchor = self._self_reference(src)
                        out |= self.recursive[id(anchor)][1] if id(anchor) in self.recursive else self.filters(anchor)
                    else:
                        out |= self.filters(src)
            return out
        if isinstance(expr, exp.Lateral) and isinstance(expr.this, exp.Subquery):
            inner = self.scope_of.get(id(expr.this.unnest()))
            return set(self.filters(inner)) if inner is not None else set()
        return out

    def _using_columns(self, scope: Scope, join: exp.Join, ident: exp.Expr) -> list[exp.Expr]:
        name = ident.name
        cols: list[exp.Expr] = []
        for alias in scope.selected_sources:
            src = scope.sources.get(alias)
            names: list[str] = []
            if isinstance(src, exp.Table):
                names = list(self.schema.column_names(src, dialect=self.d)) if self.schema.find(src) else []
            elif isinstance(src, Scope):
                names = list(self.outputs(src))
            if name in names:
                cols.append(exp.column(name, table=alias))
        return cols

    # refs: every column an expression uses, each with its kind
    def refs(self, node: exp.Expr, scope: Scope, kind: str) -> set[Dep]:
        out: set[Dep] = set()
        stack: list[tuple[exp.Expr, str]] = [(node, kind)]
        while stack:
            n, k = stack.pop()
            if isinstance(n, exp.Column):
                if isinstance(n.this, exp.Star):
                    continue
                for ds, c, k2 in self.column(n, scope):
                    out.add((ds, c, _combine(k, k2)))
                continue
            if isinstance(n, exp.Query) and n is not scope.expression and id(n) in self.scope_of:
                sub = self.scope_of[id(n)]
                for deps in self.outputs(sub).values():
                    out |= {(ds, c, _combine(k, k2)) for ds, c, k2 in deps}
                out |= {(ds, c, FILTER) for ds, c in self.filters(sub)}
                continue
            if isinstance(n, exp.Window):
                stack.append((n.this, k))
                for p in n.args.get("partition_by") or []:
                    stack.append((p, FILTER))
                if n.args.get("order") is not None:
                    stack.append((n.args["order"], FILTER))
                continue
            stack.extend((child, k) for child in n.iter_expressions())
        return out

    def column(self, col: exp.Column, scope: Scope) -> set[Dep]:
        table, name = col.table, col.name
        if not table and isinstance(scope.expression, exp.Select):
            # an output alias used in QUALIFY / HAVING / ORDER BY stands for its expression
            for proj in scope.expression.selects:
                if isinstance(proj, exp.Alias) and proj.alias == name and col.find_ancestor(exp.Alias) is not proj:
                    return self.refs(proj.this, scope, VALUE)
        if not table:
            raise _Unresolved("unresolved-column", f"cannot tell which table column {name!r} comes from; "
                              "qualify it (t.col) or pass the tables' schema (--contracts or --schema)", col)
        s: Scope | None = scope
        while s is not None:
            src = s.sources.get(table)
            if src is None:
                src = self._pivot_source(s, table)
                if src is not None:
                    return self._pivot_column(src, name, col)
            if src is not None:
                break
            s = s.parent
        else:
            raise _Unresolved("unresolved-column", f"unknown table {table!r} for column {name!r}", col)
        if isinstance(src, exp.Table):
            if src.args.get("pivots"):
                return self._pivot_column(src, name, col)
            return {(_table_key(src, self.d), _fold(name, self.d), VALUE)}
        if id(src) not in self.traversed:  # WITH RECURSIVE: the self-reference stands for the rows so far
            src = self._self_reference(src)
            outs = self.recursive[id(src)][0] if id(src) in self.recursive else self.outputs(src)
        else:
            outs = self.outputs(src)
        if name not in outs:
            raise _Unresolved("unresolved-column", f"column {name!r} is not an output of {table!r}", col)
        return set(outs[name])

    def _pivot_source(self, scope: Scope, alias: str) -> exp.Table | None:
        for src in scope.sources.values():
            if isinstance(src, exp.Table):
                for pivot in src.args.get("pivots") or []:
                    if pivot.alias_or_name == alias:
                        return src
        return None

    def _pivot_column(self, table: exp.Table, name: str, col: exp.Column) -> set[Dep]:
        """A column of ``t PIVOT (agg(x) FOR f IN (...))``: pass-through, or a pivoted aggregate."""
        ds = _table_key(table, self.d)
        pivot = table.args["pivots"][0]
        agg_cols = {c.name for a in pivot.expressions for c in a.find_all(exp.Column)}
        field_cols = {c.name for f in pivot.args.get("fields") or [] for c in
                      ([f.this] if isinstance(f, exp.In) else [f]) for c in c.find_all(exp.Column)}
        if pivot.args.get("unpivot"):
            into = {c.name for f in pivot.args.get("fields") or [] for c in f.find_all(exp.Column)}
            values = {v.name for v in pivot.expressions}
            if name in values:
                return {(ds, _fold(c, self.d), VALUE) for c in into}
            return {(ds, _fold(name, self.d), VALUE)} if name not in into else set()
        known = list(self.schema.column_names(table, dialect=self.d)) if self.schema.find(table) else []
        if not known:
            raise _Unresolved("star-unresolved", f"PIVOT over {ds!r} needs its columns; pass its schema "
                              "(--contracts or --schema)", col)
        group = [c for c in known if c not in agg_cols and c not in field_cols]
        if name in group:
            return {(ds, _fold(name, self.d), VALUE)}
        deps: set[Dep] = {(ds, _fold(c, self.d), VALUE) for c in agg_cols}
        deps |= {(ds, _fold(c, self.d), FILTER) for c in (*field_cols, *group)}
        return deps


def parse_check(sql: str, dialect: str) -> bool:
    """True when sqlglot parses ``sql`` (used to tell SQL from prose in a contract's transformLogic)."""
    try:
        return bool(sqlglot.parse(sql, read=dialect))
    except SqlglotError:
        return False
