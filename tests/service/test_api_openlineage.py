"""The OpenLineage RunEvent check: the official examples pass; each required field, removed, is named."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from service.api.openlineage import event_problems

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "openlineage"
FULL_EVENTS = ["example_client-python_example_full_event.json", "example_proxy-fluentd_event_full.json"]
REQUIRED = [("eventTime",), ("producer",), ("schemaURL",), ("run",), ("run", "runId"), ("job",), ("job", "namespace"),
            ("job", "name")]


def official_validator() -> jsonschema.Validator:
    schema = json.loads((FIXTURES / "OpenLineage.json").read_text())
    run_event = {**schema, "$ref": "#/$defs/RunEvent"}
    run_event.pop("oneOf", None)
    cls = jsonschema.validators.validator_for(schema)
    return cls(run_event)


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


@pytest.mark.parametrize("name", FULL_EVENTS)
def test_official_full_events_pass(name: str) -> None:
    event = load(name)
    assert official_validator().is_valid(event)
    assert event_problems(event) == []


@pytest.mark.parametrize("name", FULL_EVENTS)
@pytest.mark.parametrize("path", REQUIRED, ids=".".join)
def test_each_required_field_removed_is_named(name: str, path: tuple[str, ...]) -> None:
    event = copy.deepcopy(load(name))
    target = event
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    assert not official_validator().is_valid(event)  # the spec agrees it is required
    problems = event_problems(event, 3)
    assert [(p["event"], p["path"], p["code"]) for p in problems] == [(3, ".".join(path), "missing")]


def test_wrong_types_and_formats() -> None:
    event = load(FULL_EVENTS[0])
    bad = {**event, "eventTime": "yesterday", "producer": "not a uri", "eventType": "DONE",
           "run": {"runId": "123"}, "job": {"namespace": "", "name": 5}, "inputs": [{"name": "x"}, 3], "outputs": {}}
    codes = {(p["path"], p["code"]) for p in event_problems(bad)}
    assert codes == {
        ("eventTime", "format"), ("producer", "format"), ("eventType", "enum"), ("run.runId", "format"),
        ("job.namespace", "type"), ("job.name", "type"), ("inputs[0].namespace", "missing"), ("inputs[1]", "type"),
        ("outputs", "type"),
    }
    assert [p["code"] for p in event_problems([1, 2])] == ["type"]
