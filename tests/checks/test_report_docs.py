"""docs/report.md documents every reason code the engine can emit and every field of the report."""

from __future__ import annotations

import re
from pathlib import Path

from checks.drift import REASONS as DRIFT_REASONS
from checks.rules import REASONS
from tests.checks import gen

DOC = (Path(__file__).resolve().parents[2] / "docs" / "report.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"^\| `([a-z_]+)` \|", DOC, flags=re.MULTILINE))


def test_every_reason_code_is_documented() -> None:
    assert set(REASONS) - DOCUMENTED == set()
    assert set(DRIFT_REASONS) - DOCUMENTED == set()


def test_every_code_the_engine_emitted_is_documented() -> None:
    from checks import validate

    report = validate(gen.make_table(), gen.contract(), now=gen.NOW)
    assert {r.reason for r in report.results} - DOCUMENTED == set()


def test_every_report_field_is_documented() -> None:
    from checks import validate

    body = validate(gen.make_table(), gen.contract(), now=gen.NOW).to_dict()
    fields = set(re.findall(r"^\| `([a-z_]+)` \|", DOC, flags=re.MULTILINE))
    assert set(body) - fields == set()
    assert set(body["results"][0]) - fields == set()
