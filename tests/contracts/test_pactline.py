"""pactline's own settings inside ODCS: drift rules, unexpected columns, feature sets."""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts import load_contract
from contracts.pactline import (
    DriftSettings,
    drift_rules,
    drift_settings,
    is_drift_rule,
    is_feature_dataset,
    unexpected_columns_policy,
)

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "examples" / "contracts"


def _contract(extra_obj: str = "", extra_top: str = "", tags: str = "") -> str:
    return (
        "apiVersion: v3.1.0\nkind: DataContract\nid: c\nversion: 1.0.0\nstatus: active\n" + extra_top + tags
        + "schema:\n  - name: t\n    physicalName: raw.t\n" + extra_obj
        + "    properties:\n      - name: a\n        logicalType: number\n"
    )


def test_drift_settings_of_the_example_rules() -> None:
    contract = load_contract(CONTRACTS / "raw_orders.odcs.yaml")
    (obj,) = contract.datasets
    found = {prop.name: drift_settings(rule) for prop, rule in drift_rules(obj)}
    assert found == {
        "amount": DriftSettings(method="psi", threshold=0.2, baseline="28d", min_rows=500, severity="warning"),
        "currency": DriftSettings(method="chi2", threshold=0.1, baseline="28d", min_rows=None, severity="warning"),
    }


def test_defaults_are_none_and_severity_defaults_to_error() -> None:
    text = _contract().replace(
        "logicalType: number\n",
        "logicalType: number\n        quality:\n          - type: custom\n            engine: pactline\n"
        "            implementation: {check: drift}\n",
    )
    (obj,) = load_contract(text).datasets
    ((_, rule),) = drift_rules(obj)
    assert drift_settings(rule) == DriftSettings(None, None, None, None, "error")


def test_drift_settings_refuses_other_rules() -> None:
    contract = load_contract(CONTRACTS / "raw_orders.odcs.yaml")
    other = [rule for _, _, rule in contract.walk_rules() if not is_drift_rule(rule)]
    assert len(other) == 8
    with pytest.raises(ValueError):
        drift_settings(other[0])


@pytest.mark.parametrize(
    ("on_object", "on_contract", "expected"),
    [(None, None, "warn"), ("block", None, "block"), (None, "allow", "allow"), ("allow", "block", "allow")],
)
def test_unexpected_columns_policy(on_object: str | None, on_contract: str | None, expected: str) -> None:
    def cp(value: str | None, indent: str) -> str:
        if value is None:
            return ""
        return (f"{indent}customProperties:\n{indent}  - property: pactline.unexpectedColumns\n"
                f"{indent}    value: {value}\n")

    contract = load_contract(_contract(extra_obj=cp(on_object, "    "), extra_top=cp(on_contract, "")))
    assert unexpected_columns_policy(contract, contract.datasets[0]) == expected


def test_feature_datasets() -> None:
    plain = load_contract(_contract())
    assert not is_feature_dataset(plain, plain.datasets[0])
    assert is_feature_dataset(plain, plain.datasets[0], patterns=("raw.*",))
    tagged = load_contract(_contract(tags="tags: [features]\n"))
    assert is_feature_dataset(tagged, tagged.datasets[0])
    obj_tagged = load_contract(_contract(extra_obj="    tags: [Features]\n"))
    assert is_feature_dataset(obj_tagged, obj_tagged.datasets[0])
    named = load_contract(_contract().replace("physicalName: raw.t", "physicalName: features.t"))
    assert is_feature_dataset(named, named.datasets[0])
    spend = load_contract(CONTRACTS / "features_customer_spend.odcs.yaml")
    orders = load_contract(CONTRACTS / "raw_orders.odcs.yaml")
    assert is_feature_dataset(spend, spend.datasets[0]) and not is_feature_dataset(orders, orders.datasets[0])
