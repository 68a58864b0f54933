"""Golden SQL files: read the hand-written expectations, run the builder, write/read *.expected.json.

A golden file is SQL with comment lines that state what a reader of the SQL expects:
``-- dialect: D``, ``-- columns T: a, b`` (the columns the next statement writes, in order),
``-- expect SRC -> DST KIND`` (``DST`` may be ``T.*``: every column of the last ``columns T`` line),
``-- problem CODE LINE:COL``.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from lineage.sql import sql_lineage

GOLDEN = Path(__file__).with_name("golden")
SCHEMA = GOLDEN / "schema.json"

_EXPECT = re.compile(r"^--\s*expect\s+(\S+)\s*->\s*(\S+)\s+(value|filter)\s*$")
_COLUMNS = re.compile(r"^--\s*columns\s+(\S+):\s*(.*)$")
_PROBLEM = re.compile(r"^--\s*problem\s+(\S+)\s+(\d+):(\d+)\s*$")
_DIALECT = re.compile(r"^--\s*dialect:\s*(\S+)\s*$")


def golden_files() -> list[Path]:
    return sorted(GOLDEN.glob("*.sql"))


def dialect_of(path: Path) -> str:
    for line in path.read_text().splitlines():
        m = _DIALECT.match(line)
        if m:
            return m.group(1)
    raise ValueError(f"{path.name}: no '-- dialect:' line")


def hand_expectations(path: Path) -> dict[str, Any]:
    """What the comments in the file say: columns per statement, edges, problems."""
    columns: list[tuple[str, list[str]]] = []
    last: dict[str, list[str]] = {}
    edges: set[tuple[str, str, str]] = set()
    problems: list[tuple[str, int, int]] = []
    for line in path.read_text().splitlines():
        if m := _COLUMNS.match(line):
            cols = [c.strip() for c in m.group(2).split(",") if c.strip()]
            columns.append((m.group(1), cols))
            last[m.group(1)] = cols
        elif m := _EXPECT.match(line):
            src, dst, kind = m.groups()
            if dst.endswith(".*"):
                table = dst[:-2]
                edges.update((src, f"{table}.{c}", kind) for c in last[table])
            else:
                edges.add((src, dst, kind))
        elif m := _PROBLEM.match(line):
            problems.append((m.group(1), int(m.group(2)), int(m.group(3))))
    return {"columns": columns, "edges": edges, "problems": problems}


def build(path: Path) -> dict[str, Any]:
    """The builder's answer for one golden file, in the shape of *.expected.json."""
    schema = json.loads(SCHEMA.read_text())
    result = sql_lineage(path.read_text(), dialect=dialect_of(path), schema=schema, file=path.name)
    return {
        "dialect": dialect_of(path),
        "statements": [
            {"index": s.index, "line": s.line, "col": s.col, "statement": s.statement, "target": s.target,
             "columns": list(s.columns), "edges": [[e.source, e.target, e.kind] for e in s.edges]}
            for s in result.statements
        ],
        "problems": [{"code": p.code, "line": p.line, "col": p.col, "statement": p.statement}
                     for p in result.problems],
    }


def expected_path(path: Path) -> Path:
    return path.with_suffix(".expected.json")
