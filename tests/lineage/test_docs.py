"""Every problem code the lineage builders can report is documented in docs/lineage.md."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_sql_problem_code_is_documented():
    source = (ROOT / "lineage" / "sql.py").read_text()
    codes = set(re.findall(r'_Unresolved\(\s*"([a-z-]+)"', source))
    codes |= set(re.findall(r'LineageProblem\(\s*"([a-z-]+)"', source))
    codes |= set(re.findall(r'LineageProblem\(\s*\n\s*"([a-z-]+)"', source))
    assert len(codes) >= 10
    docs = (ROOT / "docs" / "lineage.md").read_text()
    missing = sorted(c for c in codes if f"`{c}`" not in docs)
    assert missing == []


def test_the_impact_json_keys_are_documented():
    docs = (ROOT / "docs" / "lineage.md").read_text()
    for key in ("field", "direction", "window", "hits", "failed_runs", "affected_runs", "node", "dataset",
                "column", "kind", "depth", "is_feature", "path", "owners", "first_seen", "last_seen", "total",
                "truncated"):
        assert f'"{key}"' in docs, key
