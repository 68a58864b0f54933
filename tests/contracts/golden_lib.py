"""What the golden files hold, computed from the inputs; shared by the test and by ``regen``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema

from contracts import ContractError, contract_to_dict, load_contract
from contracts.yamlsrc import YamlProblem, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
BROKEN = GOLDEN / "broken"
VALID = GOLDEN / "valid"
SCHEMA_PATH = ROOT / "tests" / "fixtures" / "odcs" / "odcs-json-schema-v3.1.0.json"
KINDS = ("schema", "semantic", "yaml")

_validator: jsonschema.Draft201909Validator | None = None


def schema_errors(data: Any) -> list[str]:
    """The official JSON Schema's complaints (Draft 2019-09; YAML dates are ISO strings already)."""
    global _validator
    if _validator is None:
        _validator = jsonschema.Draft201909Validator(json.loads(SCHEMA_PATH.read_text()))
    return [e.message for e in _validator.iter_errors(data)]


def schema_valid(path: Path) -> bool | None:
    """The JSON Schema's verdict on a YAML file; None when the YAML itself is refused."""
    try:
        data, _ = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlProblem:
        return None
    return not schema_errors(data)


def declared_kind(path: Path) -> str:
    """``# kind: schema|semantic|yaml - what is wrong`` on the first line of a broken contract."""
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# kind: "), f"{path.name}: first line must be '# kind: <kind> - <mistake>'"
    kind = first.removeprefix("# kind: ").split(" ", 1)[0]
    assert kind in KINDS, f"{path.name}: kind {kind!r} is not one of {KINDS}"
    return kind


def problems_of(path: Path) -> list[dict[str, Any]]:
    try:
        load_contract(path, name=path.name)
    except ContractError as exc:
        return [{"line": p.line, "column": p.column, "path": p.path, "code": p.code, "message": p.message}
                for p in exc.problems]
    return []


def broken_expected(path: Path) -> dict[str, Any]:
    return {"kind": declared_kind(path), "schema_valid": schema_valid(path), "problems": problems_of(path)}


def valid_expected(path: Path) -> dict[str, Any]:
    return contract_to_dict(load_contract(path))


def expected_path(path: Path) -> Path:
    return path.with_name(path.name.replace(".odcs.yaml", ".expected.json"))


def render(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
