"""How fast contracts load and lint, next to the peers measured in the same run.

    .venv/bin/python bench/contracts_lint.py

Rows: the official full ODCS example, the example pipeline's raw.orders contract and a
generated contract with 400 columns and 800 rules. Columns (median ms per contract):
pactline ``load_contract`` (safe YAML with positions + structure + semantics + model), the
official JSON Schema alone on already-parsed data (jsonschema Draft 2019-09), and PyYAML
safe_load + JSON Schema (what a schema-only linter does). Ratios are pactline / peer.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from contracts import dump_contract, load_contract  # noqa: E402
from contracts.yamlsrc import parse_yaml  # noqa: E402


def _generated(columns: int = 400) -> str:
    props = []
    for i in range(columns):
        props.append({
            "name": f"col_{i}", "logicalType": "number", "logicalTypeOptions": {"minimum": 0},
            "required": True,
            "quality": [{"metric": "nullValues", "mustBe": 0, "severity": "error"},
                        {"type": "sql", "query": f"SELECT COUNT(*) FROM t WHERE col_{i} < 0", "mustBe": 0}],
        })
    data = {"apiVersion": "v3.1.0", "kind": "DataContract", "id": "big", "version": "1.0.0", "status": "active",
            "schema": [{"name": "t", "physicalName": "raw.t", "properties": props}]}
    return dump_contract(load_contract(data))


def _time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    schema = json.loads((ROOT / "tests" / "fixtures" / "odcs" / "odcs-json-schema-v3.1.0.json").read_text())
    validator = jsonschema.Draft201909Validator(schema)
    cases = {
        "official full example": (ROOT / "tests" / "fixtures" / "odcs" / "all_full-example.odcs.yaml").read_text(),
        "examples raw_orders": (ROOT / "examples" / "contracts" / "raw_orders.odcs.yaml").read_text(),
        "generated 400 columns": _generated(),
    }
    print(f"{'contract':<24}{'pactline ms':>13}{'schema ms':>11}{'yaml+schema ms':>16}{'x schema':>10}{'x yaml+schema':>15}")
    for name, text in cases.items():
        data, _ = parse_yaml(text)
        repeat = 5 if len(text) > 100_000 else 20
        ours = _time(lambda text=text: load_contract(text), repeat)
        only_schema = _time(lambda data=data: list(validator.iter_errors(data)), repeat)
        yaml_schema = _time(lambda text=text: list(validator.iter_errors(yaml.safe_load(text))), repeat)
        print(f"{name:<24}{ours:>13.1f}{only_schema:>11.1f}{yaml_schema:>16.1f}"
              f"{ours / only_schema:>10.2f}{ours / yaml_schema:>15.2f}")


if __name__ == "__main__":
    main()
