"""What importing and loading a contract builds, and that the deferred model still behaves.

The model's validators are built on first use (``defer_build``), so importing ``contracts``
builds none of them; the first load builds them once. These tests run a fresh interpreter where
it matters, because the test process has long since built every model.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from contracts import ContractError, Property, QualityRule, load_contract

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = "apiVersion: v3.1.0\nkind: DataContract\nid: c1\nversion: 1.0.0\nstatus: active\n"
MODELS = ("Contract", "SchemaObject", "Property", "QualityRule", "CustomProperty", "Server", "Team")


def _fresh(code: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter at the repository root; it prints one JSON value."""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_importing_contracts_builds_no_validator() -> None:
    built = _fresh(
        "import json, contracts.model as m\n"
        f"print(json.dumps({{n: getattr(m, n).__pydantic_complete__ for n in {MODELS!r}}}))"
    )
    assert built == dict.fromkeys(MODELS, False)


def test_lint_is_imported_by_the_first_load_not_by_importing_contracts() -> None:
    seen = _fresh(
        "import json, sys, contracts\n"
        "before = 'contracts.lint' in sys.modules\n"
        f"contracts.load_contract({MINIMAL!r})\n"
        "print(json.dumps({'before': before, 'after': 'contracts.lint' in sys.modules,\n"
        "                  'contract': contracts.Contract.__pydantic_complete__}))"
    )
    assert seen == {"before": False, "after": True, "contract": True}


def test_first_load_in_a_fresh_process_reports_the_same_problems() -> None:
    """The first validation of a broken contract (the one that builds the validator) still lists
    every problem, with the same codes as in a process where everything was built long ago."""
    text = MINIMAL + "schema:\n  - name: t\n    properties:\n      - {name: a, logicalType: integr}\n"
    with pytest.raises(ContractError) as info:
        load_contract(text)
    here = [p.code for p in info.value.problems]
    there = _fresh(
        "import json\nfrom contracts import ContractError, load_contract\n"
        f"try:\n    load_contract({text!r})\nexcept ContractError as exc:\n"
        "    print(json.dumps({'codes': [p.code for p in exc.problems]}))"
    )
    assert here and there == {"codes": here}


def test_nested_models_validate_on_their_own() -> None:
    """A nested model used directly (not through a Contract) builds its own validator on first use."""
    column = Property.model_validate(
        {"name": "address", "logicalType": "object",
         "properties": [{"name": "street", "logicalType": "string", "required": True}],
         "items": {"name": "element", "logicalType": "string"}}
    )
    assert column.properties is not None and column.properties[0].is_required
    assert column.items is not None and column.items.name == "element"
    rule = QualityRule.model_validate({"metric": "nullValues", "mustBe": 0})
    assert rule.operators() == {"mustBe": 0}
    with pytest.raises(ValueError):
        Property.model_validate({"name": 3})  # strict: a number is not a string


@pytest.mark.parametrize(("servers", "imported"), [
    ("", False),
    ("servers:\n  - {server: prod, type: postgres, host: db, port: 5432, database: d, schema: s}\n", True),
], ids=["no-servers", "servers"])
def test_server_table_is_imported_only_for_a_contract_with_servers(servers: str, imported: bool) -> None:
    seen = _fresh(
        "import json, sys, contracts\n"
        f"contracts.load_contract({MINIMAL + servers!r})\n"
        "print(json.dumps({'servers': 'contracts.servers' in sys.modules}))"
    )
    assert seen == {"servers": imported}
