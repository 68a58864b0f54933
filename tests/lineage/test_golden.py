"""Golden SQL: the builder's edges equal the checked-in *.expected.json AND the hand-written expectations."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from lineage.sql import DIALECTS
from tests.lineage.golden_support import build, dialect_of, expected_path, golden_files, hand_expectations

FILES = golden_files()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_builder_matches_expected_json(path):
    assert build(path) == json.loads(expected_path(path).read_text())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_expected_json_matches_hand_written_expectations(path):
    expected = json.loads(expected_path(path).read_text())
    hand = hand_expectations(path)
    edges = {tuple(e) for s in expected["statements"] for e in s["edges"]}
    assert edges == hand["edges"]
    assert [(s["target"], s["columns"]) for s in expected["statements"]] == hand["columns"]
    assert [(p["code"], p["line"], p["col"]) for p in expected["problems"]] == hand["problems"]


def test_golden_set_covers_every_dialect_with_at_least_60_statements():
    per_dialect = Counter()
    problems = 0
    for path in FILES:
        expected = json.loads(expected_path(path).read_text())
        per_dialect[dialect_of(path)] += len(expected["statements"])
        problems += len(expected["problems"])
    assert set(DIALECTS) <= set(per_dialect)
    assert sum(per_dialect.values()) >= 60  # statements with edges, besides the problem cases
    assert problems >= 5
