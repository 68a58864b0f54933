"""Golden files and the differential test against the official ODCS JSON Schema.

Broken contracts (one mistake each) must give exactly the recorded problems; pactline's
verdict must agree with the JSON Schema wherever the schema can see the mistake, and pactline
must also catch the ``semantic`` mistakes the schema accepts. Regenerate the expected files
with ``.venv/bin/python -m tests.contracts.regen`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contracts import load_contract
from contracts.lint import CODES
from contracts.yamlsrc import parse_yaml
from tests.contracts.golden_lib import (
    BROKEN,
    ROOT,
    VALID,
    broken_expected,
    declared_kind,
    expected_path,
    schema_errors,
    schema_valid,
    valid_expected,
)

BROKEN_FILES = sorted(BROKEN.glob("*.odcs.yaml"))
VALID_FILES = sorted(VALID.glob("*.odcs.yaml"))
OFFICIAL = sorted((ROOT / "tests" / "fixtures" / "odcs").glob("*.odcs.yaml"))
EXAMPLES = sorted((ROOT / "examples" / "contracts").glob("*.odcs.yaml"))


def _without_messages(expected: dict[str, object]) -> dict[str, object]:
    problems = [{k: v for k, v in p.items() if k != "message"} for p in expected["problems"]]  # type: ignore[attr-defined]
    return {**expected, "problems": problems}


def test_corpus_is_large_enough_and_numbered() -> None:
    assert len(BROKEN_FILES) >= 40
    assert sum(declared_kind(p) == "semantic" for p in BROKEN_FILES) >= 20
    numbers = [int(p.name.split("-", 1)[0]) for p in BROKEN_FILES]
    assert numbers == list(range(1, len(BROKEN_FILES) + 1))
    for path in BROKEN_FILES:
        assert expected_path(path).exists(), f"run .venv/bin/python -m tests.contracts.regen ({path.name})"


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.name.removesuffix(".odcs.yaml"))
def test_broken_contract_gives_recorded_problems(path: Path) -> None:
    recorded = json.loads(expected_path(path).read_text(encoding="utf-8"))
    actual = broken_expected(path)
    assert _without_messages(actual) == _without_messages(recorded)
    assert actual["problems"], "pactline must refuse every broken contract"


@pytest.mark.parametrize("path", BROKEN_FILES, ids=lambda p: p.name.removesuffix(".odcs.yaml"))
def test_broken_contract_verdict_agrees_with_json_schema(path: Path) -> None:
    kind = declared_kind(path)
    verdict = schema_valid(path)
    if kind == "schema":
        assert verdict is False, "the JSON Schema should refuse this one too"
    elif kind == "semantic":
        assert verdict is True, "marked semantic: the JSON Schema must accept it (pactline alone refuses)"
    else:
        assert verdict is None  # the YAML itself is refused before any schema applies


@pytest.mark.parametrize("path", VALID_FILES + OFFICIAL + EXAMPLES, ids=lambda p: p.name.removesuffix(".odcs.yaml"))
def test_valid_contracts_are_valid_for_both(path: Path) -> None:
    data, _ = parse_yaml(path.read_text(encoding="utf-8"))
    assert schema_errors(data) == []
    load_contract(path)


@pytest.mark.parametrize("path", VALID_FILES, ids=lambda p: p.name.removesuffix(".odcs.yaml"))
def test_valid_contract_dumps_as_recorded(path: Path) -> None:
    recorded = json.loads(expected_path(path).read_text(encoding="utf-8"))
    assert valid_expected(path) == recorded


# Codes that a broken golden contract cannot show, and the test that shows each instead.
NOT_IN_CORPUS = {
    "unreadable": "test_cli.py::test_lint_exit_codes_in_a_real_process",
    "encoding": "test_loader.py::test_file_that_is_not_utf8",
    "too-large": "test_loader.py::test_size_limit",
    "unknown-value": "a fallback for Literal fields without a named code; every Literal field has one",
}


def test_every_code_is_shown_by_the_corpus() -> None:
    seen = {p["code"] for path in BROKEN_FILES for p in json.loads(expected_path(path).read_text())["problems"]}
    assert seen <= set(CODES)
    assert set(CODES) - seen == set(NOT_IN_CORPUS)
