"""docs/contracts.md documents every problem code and every pactline setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts import pactline
from contracts.lint import CODES

DOC = (Path(__file__).resolve().parents[2] / "docs" / "contracts.md").read_text(encoding="utf-8")
CODES_SECTION = DOC.split("## Problem codes", 1)[1].split("\n## ", 1)[0]
DOCUMENTED_CODES = set(re.findall(r"^\| `([a-z0-9-]+)` \|", CODES_SECTION, flags=re.MULTILINE))


@pytest.mark.parametrize("code", sorted(CODES))
def test_code_is_documented(code: str) -> None:
    assert code in DOCUMENTED_CODES, f"add a row for `{code}` to docs/contracts.md"


def test_no_documented_code_is_stale() -> None:
    assert sorted(DOCUMENTED_CODES - set(CODES)) == []


def test_codes_are_kebab_case() -> None:
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code) for code in CODES)


@pytest.mark.parametrize("setting", sorted(pactline.DRIFT_SETTINGS))
def test_drift_setting_is_documented(setting: str) -> None:
    assert f"| `{setting}` |" in DOC


def test_other_pactline_settings_are_documented() -> None:
    for name in (*pactline.CUSTOM_PROPERTIES, *pactline.DRIFT_METHODS, *pactline.UNEXPECTED_COLUMNS_POLICIES,
                 pactline.FEATURE_TAG, *pactline.DEFAULT_FEATURE_PATTERNS):
        assert f"`{name}`" in DOC, name
