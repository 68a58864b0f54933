"""Differential fuzzing: pactline's structural verdict equals the official JSON Schema's.

Valid contracts (official examples, the example pipeline, the valid goldens) are mutated at
random — a key deleted, a value replaced by one of another type or meaning, a key added — and
for every mutant the JSON Schema (jsonschema, Draft 2019-09) and ``structural_problems`` must
agree on valid/invalid. Semantic checks are left out of the comparison on purpose (they refuse
more), but the whole loader runs on every mutant and must answer with a contract or a
``ContractError``, never crash.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from typing import Any

import pytest

from contracts import ContractError, load_contract
from contracts.lint import structural_problems
from contracts.yamlsrc import Positions, parse_yaml
from tests.contracts.golden_lib import ROOT, VALID, schema_errors

SOURCES = sorted((ROOT / "tests" / "fixtures" / "odcs").glob("*.odcs.yaml")) + sorted(
    (ROOT / "examples" / "contracts").glob("*.odcs.yaml")) + sorted(VALID.glob("*.odcs.yaml"))
VALUES: list[Any] = [
    None, True, 0, 1.5, -1, "x", "", [], ["a"], {}, {"a": 1}, "v3.1.0", "string", "integer", "array", "object",
    "nullValues", "mustBe", [1, 2], [2, 1], [1, 1], "a.b", ["a.b"], "2026-01-01", "custom", "sql", "library",
    "text", "i8", "f32", "postgres",
]
KEYS = [
    "foo", "mustBe", "mustBeBetween", "query", "engine", "items", "properties", "metric", "from", "to",
    "logicalTypeOptions", "logicalType", "type", "minLength", "format", "unit", "implementation", "arguments",
    "name", "id", "value", "timezone", "required", "primaryKey",
]


def _docs() -> list[dict[str, Any]]:
    return [parse_yaml(p.read_text(encoding="utf-8"))[0] for p in SOURCES]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    yield path, node
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _paths(value, (*path, i))


def _mutate(doc: dict[str, Any], rng: random.Random) -> None:
    path, node = rng.choice(list(_paths(doc))[1:])
    parent: Any = doc
    for part in path[:-1]:
        parent = parent[part]
    roll = rng.random()
    if roll < 0.3 and isinstance(parent, dict):
        del parent[path[-1]]
    elif roll < 0.6:
        parent[path[-1]] = copy.deepcopy(rng.choice(VALUES))
    elif isinstance(node, dict):
        node[rng.choice(KEYS)] = copy.deepcopy(rng.choice(VALUES))


def _disagreements(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    docs = _docs()
    out = []
    for _ in range(n):
        doc = copy.deepcopy(rng.choice(docs))
        for _ in range(rng.choice([1, 1, 2, 3])):
            _mutate(doc, rng)
        schema_says = not schema_errors(doc)
        pactline_says = not structural_problems(doc, Positions(), "mutant")
        try:  # and the whole loader copes with whatever it is given: a contract or a ContractError
            load_contract(doc)
        except ContractError as exc:
            assert exc.problems
        if schema_says != pactline_says:
            out.append(json.dumps(doc)[:500])
    return out


@pytest.mark.parametrize("seed", [1, 2])
def test_mutants_get_the_json_schema_verdict(seed: int) -> None:
    assert _disagreements(seed, 250) == []


@pytest.mark.slow
def test_many_mutants_get_the_json_schema_verdict() -> None:
    assert _disagreements(99, 1200) == []
