"""docs/api.md documents every error code the API can answer, and every route it serves."""

from __future__ import annotations

import re
from pathlib import Path

from service.api import create_app
from service.api.errors import CODES

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "api.md").read_text()


def raised_codes() -> set[str]:
    codes = set(CODES.values())
    for path in (ROOT / "service" / "api").rglob("*.py"):
        codes |= set(re.findall(r'code="([a-z_]+)"', path.read_text()))
    return codes


def test_every_error_code_is_documented() -> None:
    codes = raised_codes()
    assert len(codes) >= 25
    missing = sorted(c for c in codes if f"`{c}`" not in DOC)
    assert missing == []


def test_every_route_is_documented() -> None:
    paths = create_app().openapi()["paths"]
    missing = []
    for path in paths:
        shown = re.sub(r"\{([^}]+)\}", lambda m: "{" + {"contract_id": "id"}.get(m.group(1), m.group(1)) + "}", path)
        if shown not in DOC:
            missing.append(path)
    assert missing == []
