"""The one loader: every input form, round trips, collected problems, safe YAML."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from contracts import Contract, ContractError, contract_to_dict, dump_contract, lint_contract, load_contract
from contracts.yamlsrc import MAX_ALIASES, MAX_BYTES, YamlProblem, parse_yaml

ROOT = Path(__file__).resolve().parents[2]
OFFICIAL = sorted((ROOT / "tests" / "fixtures" / "odcs").glob("*.odcs.yaml"))
EXAMPLES = sorted((ROOT / "examples" / "contracts").glob("*.odcs.yaml"))
MINIMAL = "apiVersion: v3.1.0\nkind: DataContract\nid: c1\nversion: 1.0.0\nstatus: active\n"


def _codes(source: object) -> list[str]:
    with pytest.raises(ContractError) as info:
        load_contract(source)  # type: ignore[arg-type]
    return [p.code for p in info.value.problems]


@pytest.mark.parametrize("path", OFFICIAL + EXAMPLES, ids=lambda p: p.name)
def test_load_dump_load_is_identical(path: Path) -> None:
    first = load_contract(path)
    text = dump_contract(first)
    again = load_contract(text)
    assert again == first
    assert contract_to_dict(again) == contract_to_dict(first)
    assert yaml.safe_load(text) == contract_to_dict(first)  # and a YAML 1.1 reader agrees


@pytest.mark.parametrize("path", OFFICIAL + EXAMPLES, ids=lambda p: p.name)
def test_dump_keeps_every_key_of_the_source(path: Path) -> None:
    data, _ = parse_yaml(path.read_text(encoding="utf-8"))
    assert contract_to_dict(load_contract(path)) == data


def test_dump_uses_odcs_key_order_and_only_set_keys() -> None:
    text = "status: active\nversion: 1.0.0\nid: c1\nkind: DataContract\napiVersion: v3.1.0\n"
    dumped = dump_contract(load_contract(text))
    assert dumped == MINIMAL


def test_dump_quotes_strings_that_yaml_1_1_reads_otherwise() -> None:
    # PyYAML reads YAML 1.1, as many ODCS tools do
    words = ["yes", "on", "No", "OFF", "y", "1:30", "190:20:30", "09:30", "1_000", "null", "~", "1.0", "0o17"]
    contract = load_contract({"apiVersion": "v3.1.0", "kind": "DataContract", "id": "c", "version": "1.0",
                              "status": "active", "tags": words})
    text = dump_contract(contract)
    assert yaml.safe_load(text)["tags"] == words
    assert load_contract(text) == contract


def test_every_input_form_gives_the_same_contract(tmp_path: Path) -> None:
    path = tmp_path / "c.odcs.yaml"
    path.write_text(MINIMAL, encoding="utf-8")
    mapping = {"apiVersion": "v3.1.0", "kind": "DataContract", "id": "c1", "version": "1.0.0", "status": "active"}
    forms = [load_contract(path), load_contract(str(path)), load_contract(MINIMAL), load_contract(mapping),
             load_contract(json.dumps(mapping))]
    assert all(c == forms[0] for c in forms)


def test_lint_contract_returns_problems_instead_of_raising() -> None:
    assert lint_contract(MINIMAL) == []
    assert [p.code for p in lint_contract(MINIMAL.replace("kind: DataContract", "kind: Contract"))] == ["unknown-kind"]


def test_contract_is_frozen() -> None:
    contract = load_contract(MINIMAL)
    with pytest.raises(ValidationError):
        contract.version = "2.0.0"  # type: ignore[misc]


def test_all_problems_are_collected_in_file_order() -> None:
    text = MINIMAL.replace("id: c1\n", "") + "owner: me\nschema:\n  - name: t\n    properties:\n" \
        "      - name: a\n        logicalType: strin\n      - name: a\n        logicalType: string\n"
    with pytest.raises(ContractError) as info:
        load_contract(text)
    problems = info.value.problems
    assert [p.code for p in problems] == ["missing-key", "unknown-key", "unknown-logical-type", "duplicate-property"]
    assert [(p.line, p.column) for p in problems] == [(1, 1), (5, 1), (10, 22), (11, 15)]
    assert [p.path for p in problems] == ["id", "owner", "schema[0].properties[0].logicalType",
                                          "schema[0].properties[1].name"]


LINE_31 = """\
apiVersion: v3.1.0
kind: DataContract
id: orders
name: orders
version: 1.0.0
status: active
description:
  purpose: Orders of the shop.
schema:
  - name: orders
    physicalName: raw.orders
    properties:
      - name: order_id
        logicalType: integer
        primaryKey: true
      - name: customer_id
        logicalType: integer
        required: true
      - name: amount
        logicalType: number
        required: true
        quality:
          - metric: invalidValues
            arguments:
              validValues: [1, 2]
            mustBe: 0
      - name: currency
        logicalType: string
        quality:
          - dimension: completeness
            metric: nullValue
            mustBe: 0
"""


def test_misspelt_metric_on_line_31_points_at_it_and_suggests(tmp_path: Path) -> None:
    path = tmp_path / "orders.odcs.yaml"
    path.write_text(LINE_31, encoding="utf-8")
    assert LINE_31.splitlines()[30].strip() == "metric: nullValue"
    with pytest.raises(ContractError) as info:
        load_contract(path, name="orders.odcs.yaml")
    (problem,) = info.value.problems
    assert (problem.line, problem.column, problem.code) == (31, 21, "unknown-metric")
    assert problem.path == "schema[0].properties[3].quality[0].metric"
    assert str(problem) == ("orders.odcs.yaml:31:21 schema[0].properties[3].quality[0].metric: "
                            "unknown metric 'nullValue'. Did you mean 'nullValues'?")


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.odcs.yaml"
    path.write_bytes(MINIMAL.replace("c1", "caf\xe9").encode("latin-1"))
    assert _codes(path) == ["encoding"]


def test_missing_file(tmp_path: Path) -> None:
    assert _codes(tmp_path / "nope.odcs.yaml") == ["unreadable"]


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.odcs.yaml"
    path.write_text(MINIMAL + "# " + "x" * MAX_BYTES + "\n", encoding="utf-8")
    assert _codes(path) == ["too-large"]
    assert _codes(MINIMAL + "# " + "x" * MAX_BYTES + "\n") == ["too-large"]


def test_not_a_mapping() -> None:
    assert _codes("- a\n- b\n") == ["not-a-mapping"]


def _laughs(levels: int, width: int = 9) -> str:
    text = "a: &a [" + ",".join(['"lol"'] * width) + "]\n"
    prev = "a"
    for i in range(levels):
        name = f"l{i}"
        text += f"{name}: &{name} [" + ",".join([f"*{prev}"] * width) + "]\n"
        prev = name
    return text


def test_billion_laughs_is_refused_before_expansion() -> None:
    with pytest.raises(YamlProblem) as info:
        parse_yaml(_laughs(8))  # 9**9 values once expanded, 72 aliases on disk
    assert info.value.code == "yaml-alias-bomb"
    assert info.value.line <= 9


def test_alias_count_limit() -> None:
    text = "a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(MAX_ALIASES + 1))
    with pytest.raises(YamlProblem) as info:
        parse_yaml(text)
    assert (info.value.code, info.value.line) == ("yaml-alias-bomb", MAX_ALIASES + 2)


def test_a_few_aliases_are_fine() -> None:
    data, _ = parse_yaml("base: &b {x: 1}\ncopy: *b\n")
    assert data == {"base": {"x": 1}, "copy": {"x": 1}}


@pytest.mark.parametrize("tagged", ["!!python/object/apply:os.system [ls]", "!custom 1", "!!str 1", "!!binary aGk="])
def test_tags_are_refused(tagged: str) -> None:
    with pytest.raises(YamlProblem) as info:
        parse_yaml(f"status: {tagged}\n")
    assert (info.value.code, info.value.line, info.value.column) == ("yaml-tag", 1, 9)


def test_duplicate_keys_are_refused() -> None:
    with pytest.raises(YamlProblem) as info:
        parse_yaml("a: 1\nb: 2\na: 3\n")
    assert (info.value.code, info.value.line) == ("yaml-duplicate-key", 3)


def test_yaml_dates_become_iso_strings() -> None:
    data, _ = parse_yaml("d: 2026-09-01\nts: 2026-09-01T10:00:00Z\n")
    assert data == {"d": "2026-09-01", "ts": "2026-09-01T10:00:00+00:00"}


def test_dataset_identity_and_helpers() -> None:
    contract = load_contract(ROOT / "examples" / "contracts" / "raw_fx_rates.odcs.yaml")
    (obj,) = contract.datasets
    assert obj.qualified_name == "raw.fx_rates"
    assert contract.dataset("fx_rates") is obj and contract.dataset("raw.fx_rates") is obj
    assert obj.primary_key == ("rate_date", "currency")
    assert contract.owners == ("treasury", "marc.dubois")
    rules = [rule.id for _, _, rule in contract.walk_rules()]
    assert rules == ["fx_rates_one_per_day_and_currency", "fx_rates_row_count", "fx_rates_currency_valid",
                     "fx_rates_rate_not_null", "fx_rates_rate_sane"]


# --- property test: generated contracts survive dump -> load unchanged --------------------------

_names = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)
_rule = st.one_of(
    st.fixed_dictionaries({"metric": st.sampled_from(["nullValues", "missingValues", "duplicateValues"]),
                           "mustBe": st.integers(0, 10)}, optional={"description": _text}),
    st.fixed_dictionaries({"type": st.just("text"), "description": _text}),
)
_prop = st.fixed_dictionaries(
    {"name": _names, "logicalType": st.sampled_from(["string", "integer", "number", "boolean", "date"])},
    optional={"required": st.booleans(), "description": _text, "quality": st.lists(_rule, max_size=2),
              "tags": st.lists(_names, max_size=3)},
)


@st.composite
def _contracts(draw: st.DrawFn) -> dict[str, object]:
    props = draw(st.lists(_prop, max_size=5, unique_by=lambda p: p["name"]))
    obj: dict[str, object] = {"name": draw(_names), "properties": props}
    return {"apiVersion": "v3.1.0", "kind": "DataContract", "id": draw(_names), "version": draw(_text.filter(bool)),
            "status": draw(st.sampled_from(["draft", "active"])), "name": draw(_text), "schema": [obj]}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_contracts())
def test_generated_contracts_round_trip(data: dict[str, object]) -> None:
    contract = load_contract(data)
    assert isinstance(contract, Contract)
    assert contract_to_dict(contract) == data
    text = dump_contract(contract)
    assert load_contract(text) == contract
    assert yaml.safe_load(text) == data  # a YAML 1.1 reader sees the same contract
