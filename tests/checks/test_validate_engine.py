"""The engine on generated data: exact failed_rows per rule on every input format and batch size."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checks import BlockedError, DatasetError, Report, run, validate
from checks.rules import REASONS
from contracts import Contract, load_contract
from tests.checks import gen

TABLE = gen.make_table()
CONTRACT = gen.contract()


def by_rule(report: Report) -> dict[str, object]:
    return {r.rule: r for r in report.results}


def counts(report: Report) -> dict[str, tuple[str, bool, int]]:
    return {r.rule: (r.reason, r.passed, r.failed_rows) for r in report.results}


@pytest.mark.parametrize("fmt", gen.FORMATS)
def test_exact_failed_rows_on_every_format(fmt: str, tmp_path: Path) -> None:
    data = gen.write(TABLE, fmt, tmp_path)
    report = validate(data, CONTRACT, now=gen.NOW, batch_size=333)
    results = by_rule(report)
    assert report.rows == TABLE.num_rows
    assert {k: results[k].failed_rows for k in gen.EXPECTED} == gen.EXPECTED
    assert {k for k in gen.PASSING if results[k].passed} == gen.PASSING
    unexpected_failures = {r.rule for r in report.results if not r.passed} - set(gen.EXPECTED)
    assert unexpected_failures == set()
    assert not report.passed
    assert all(r.reason in REASONS for r in report.results)


def test_samples_carry_row_numbers_of_failing_rows() -> None:
    report = validate(TABLE, CONTRACT, now=gen.NOW)
    region = by_rule(report)["region_valid"]
    assert len(region.samples) == 4
    for sample in region.samples:
        assert TABLE["region"][sample["row"]].as_py() == "X" == sample["region"]
    dup = by_rule(report)["id.unique"]
    ids = TABLE["id"].to_pylist()
    for sample in dup.samples:
        assert ids.count(ids[sample["row"]]) == 2 and ids.index(ids[sample["row"]]) < sample["row"]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=7, max_value=2100))
def test_one_batch_or_many_give_the_same_verdict_and_counts(batch_size: int) -> None:
    whole = validate(TABLE, CONTRACT, now=gen.NOW, batch_size=10_000)
    parts = validate(TABLE, CONTRACT, now=gen.NOW, batch_size=batch_size)
    assert counts(parts) == counts(whole)
    assert parts.passed == whole.passed
    assert parts.profile.rows == whole.profile.rows == TABLE.num_rows


def test_merged_partial_profiles_equal_the_whole_profile() -> None:
    half = TABLE.num_rows // 2
    a = validate(TABLE.slice(0, half), CONTRACT, now=gen.NOW).profile
    b = validate(TABLE.slice(half), CONTRACT, now=gen.NOW).profile
    whole = validate(TABLE, CONTRACT, now=gen.NOW).profile
    merged = a.merge(b)
    for name, col in whole.columns.items():
        assert (merged.columns[name].count, merged.columns[name].nulls) == (col.count, col.nulls)
        assert merged.columns[name].min == col.min and merged.columns[name].max == col.max


def test_dictionary_encoded_columns_give_the_same_counts() -> None:
    encoded = TABLE
    for name in ("region", "code", "name", "email"):
        i = encoded.schema.get_field_index(name)
        encoded = encoded.set_column(i, name, encoded[name].dictionary_encode())
    assert counts(validate(encoded, CONTRACT, now=gen.NOW)) == counts(validate(TABLE, CONTRACT, now=gen.NOW))


def test_fail_on_warning_blocks_on_warnings() -> None:
    c = _contract([{"name": "id", "logicalType": "integer"}], quality=[
        {"id": "rows_max", "metric": "rowCount", "mustBeLessThan": 2, "severity": "warning"}])
    table = pa.table({"id": [1, 2, 3]})
    warn = validate(table, c)
    assert warn.passed and [r.rule for r in warn.results if not r.passed] == ["rows_max"]
    assert not validate(table, c, fail_on="warning").passed


def test_raise_for_failure() -> None:
    report = validate(TABLE, CONTRACT, now=gen.NOW)
    with pytest.raises(BlockedError) as info:
        report.raise_for_failure()
    assert info.value.report is report


def _doc(props: list[dict], **obj: object) -> dict:
    return {"apiVersion": "v3.1.0", "kind": "DataContract", "id": "c", "version": "1", "status": "active",
            "schema": [{"name": "t", "properties": props, **obj}]}


def _contract(props: list[dict], **obj: object) -> Contract:
    return load_contract(_doc(props, **obj))


def _unlinted(props: list[dict], **obj: object) -> Contract:
    """A contract built without the linter: what the engine must survive on its own."""
    return Contract.model_validate(_doc(props, **obj))


def test_text_values_that_are_not_the_type_are_counted_per_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("n,ts,flag\n42,2026-01-01T00:00:00Z,true\n4x2,yesterday,maybe\n 7 ,2026-01-02 10:00:00,0\n,,\n")
    c = _contract([{"name": "n", "logicalType": "integer", "required": True},
                   {"name": "ts", "logicalType": "timestamp"}, {"name": "flag", "logicalType": "boolean"}])
    results = counts(validate(path, c))
    assert results["n.logicalType"] == ("type_mismatch", False, 1)
    assert results["ts.logicalType"] == ("type_mismatch", False, 1)
    assert results["flag.logicalType"] == ("type_mismatch", False, 1)
    assert results["n.required"] == ("null_values", False, 1)  # the empty field, not the bad value


def test_a_column_of_another_type_is_a_type_mismatch_not_a_crash() -> None:
    c = _contract([{"name": "ts", "logicalType": "timestamp"}])
    report = validate(pa.table({"ts": [True, None, False]}), c)
    assert counts(report)["ts.logicalType"] == ("type_mismatch", False, 2)
    assert not report.passed


@pytest.mark.parametrize(("policy", "severity"), [("warn", "warning"), ("block", "error")])
def test_unexpected_columns_follow_the_policy(policy: str, severity: str) -> None:
    c = _contract([{"name": "a", "logicalType": "integer"}],
                  customProperties=[{"property": "pactline.unexpectedColumns", "value": policy}])
    report = validate(pa.table({"a": [1], "extra": ["x"]}), c)
    extra = by_rule(report)["extra.unexpected"]
    assert (extra.reason, extra.severity, extra.passed) == ("unexpected_column", severity, False)
    assert report.passed == (policy == "warn")


def test_unexpected_columns_allowed() -> None:
    c = _contract([{"name": "a", "logicalType": "integer"}],
                  customProperties=[{"property": "pactline.unexpectedColumns", "value": "allow"}])
    report = validate(pa.table({"a": [1], "extra": ["x"]}), c)
    assert "extra.unexpected" not in by_rule(report) and report.passed


def test_missing_columns_and_their_rules_never_pass() -> None:
    c = _contract([{"name": "a", "logicalType": "integer", "required": True},
                   {"name": "b", "logicalType": "string", "logicalTypeOptions": {"maxLength": 3}}])
    report = validate(pa.table({"x": [1, 2]}), c)
    results = counts(report)
    assert results["a.present"] == ("missing_column", False, 2)
    assert by_rule(report)["a.present"].severity == "error"
    assert by_rule(report)["b.present"].severity == "warning"
    assert results["a.required"][:2] == ("column_missing", False)
    assert results["b.maxLength"][:2] == ("column_missing", False)


def test_missing_values_with_every_operator_and_unit() -> None:
    table = pa.table({"s": ["a", "", "N/A", None, "b", "c", "d", "e", "f", "g"]})
    cases = [({"mustBe": 3}, None, True), ({"mustNotBe": 3}, None, False), ({"mustBeGreaterThan": 2}, None, True),
             ({"mustBeGreaterOrEqualTo": 4}, None, False), ({"mustBeLessThan": 3}, None, False),
             ({"mustBeLessOrEqualTo": 3}, None, True), ({"mustBeBetween": [1, 3]}, None, True),
             ({"mustNotBeBetween": [1, 3]}, None, False), ({"mustBeLessOrEqualTo": 30}, "percent", True),
             ({"mustBeLessThan": 30}, "percent", False)]
    for ops, unit, passed in cases:
        rule = {"id": "m", "metric": "missingValues", "arguments": {"missingValues": ["", "N/A"]}, **ops}
        if unit:
            rule["unit"] = unit
        result = by_rule(validate(table, _contract([{"name": "s", "logicalType": "string", "quality": [rule]}])))["m"]
        assert (result.passed, result.failed_rows) == (passed, 0 if passed else 3), (ops, unit)
        assert result.observed == (30.0 if unit else 3)


def test_invalid_values_by_list_and_pattern() -> None:
    table = pa.table({"s": ["ok1", "bad", "ok2", None, "no"]})
    c = _unlinted([{"name": "s", "logicalType": "string", "quality": [
        {"id": "listed", "metric": "invalidValues", "arguments": {"invalidValues": ["bad", "no"]}},
        {"id": "pattern", "metric": "invalidValues", "arguments": {"pattern": "^ok[0-9]$"}, "mustBe": 0},
        {"id": "valid", "metric": "invalidValues", "arguments": {"validValues": ["ok1", "ok2"]}, "mustBe": 0}]}])
    results = counts(validate(table, c))
    assert results["listed"] == results["pattern"] == results["valid"] == ("invalid_values", False, 2)


def test_compound_primary_key_counts_repeats_and_null_keys() -> None:
    c = _contract([{"name": "d", "logicalType": "date", "primaryKey": True, "primaryKeyPosition": 1},
                   {"name": "cur", "logicalType": "string", "primaryKey": True, "primaryKeyPosition": 2}])
    table = pa.table({"d": ["2026-01-01", "2026-01-01", "2026-01-01", "2026-01-02", None, "2026-01-01"],
                      "cur": ["EUR", "USD", "EUR", "EUR", "EUR", "EUR"]})
    result = by_rule(validate(table, c, batch_size=2))["primaryKey"]
    assert (result.reason, result.failed_rows) == ("duplicate_key", 3)  # rows 2 and 5 repeat, row 4 has a null
    assert sorted(s["row"] for s in result.samples) == [2, 4, 5]


def test_sql_rules_run_sandboxed(tmp_path: Path) -> None:
    target = tmp_path / "written.csv"
    c = _unlinted([{"name": "a", "logicalType": "integer"}], physicalName="raw.t", quality=[
        {"id": "count", "type": "sql", "query": "SELECT COUNT(*) FROM ${table} WHERE a > 1", "mustBe": 1},
        {"id": "named", "type": "sql", "query": "SELECT MAX(a) FROM raw.t", "mustBe": 3},
        {"id": "plain", "type": "sql", "query": "SELECT MIN(a) FROM t", "mustBe": 1},
        {"id": "passwd", "type": "sql", "query": "SELECT COUNT(*) FROM read_csv('/etc/passwd')"},
        {"id": "write", "type": "sql", "query": f"COPY (SELECT 1) TO '{target}'"},
        {"id": "two", "type": "sql", "query": "SELECT 1; SELECT 2"},
        {"id": "broken", "type": "sql", "query": "SELEC nothing"},
    ])
    report = validate(pa.table({"a": [1, 2, 3]}), c)
    results = counts(report)
    assert results["count"] == ("sql_failed", False, 2)
    assert results["named"][:2] == ("ok", True) and results["plain"][:2] == ("ok", True)
    for rid in ("passwd", "write", "two", "broken"):
        assert results[rid][:2] == ("sql_error", False), rid
    assert not target.exists()


def test_rules_the_engine_cannot_evaluate_are_unsupported_never_passed() -> None:
    c = _unlinted([{"name": "s", "logicalType": "string", "logicalTypeOptions": {"format": "ipv6"}, "quality": [
        {"id": "other", "type": "custom", "engine": "soda", "implementation": "x"},
        {"id": "text", "type": "text", "description": "people read this"}]}])
    results = counts(validate(pa.table({"s": ["a"]}), c))
    assert results["s.format"] == ("unsupported", False, 0)
    assert results["other"] == ("unsupported", False, 0)
    assert results["text"] == ("not_applicable", True, 0)


def test_freshness_uses_the_injected_now() -> None:
    c = load_contract({**gen.CONTRACT, "slaProperties": [
        {"property": "freshness", "value": 2, "unit": "h", "element": "raw.orders.created_at"}]})
    newest = TABLE["created_at"].to_pylist()
    top = max(newest)
    fresh = by_rule(validate(TABLE, c, now=top + dt.timedelta(hours=1)))["sla.freshness"]
    stale = by_rule(validate(TABLE, c, now=top + dt.timedelta(hours=3)))["sla.freshness"]
    assert (fresh.reason, fresh.passed) == ("ok", True)
    assert (stale.reason, stale.passed, stale.observed["age_seconds"]) == ("stale", False, 3 * 3600)


def test_drift_rules_without_baseline_are_reported_not_passed_silently() -> None:
    c = _contract([{"name": "x", "logicalType": "number", "quality": [
        {"id": "x_drift", "type": "custom", "engine": "pactline", "severity": "warning",
         "implementation": {"check": "drift", "method": "psi", "threshold": 0.2}}]}])
    result = by_rule(validate(pa.table({"x": [1.0, 2.0]}), c))["x_drift"]
    assert (result.reason, result.passed, result.severity, result.kind) == ("no_baseline", True, "info", "drift")


def test_drift_rules_with_a_baseline_are_judged() -> None:
    c = _contract([{"name": "x", "logicalType": "number", "quality": [
        {"id": "x_drift", "type": "custom", "engine": "pactline", "severity": "error",
         "implementation": {"check": "drift", "method": "psi", "threshold": 0.2, "minRows": 10}}]}])
    import numpy as np

    rng = np.random.default_rng(1)
    base = validate(pa.table({"x": rng.normal(0, 1, 5000)}), c).profile
    same = by_rule(validate(pa.table({"x": rng.normal(0, 1, 5000)}), c, baseline=base))["x_drift"]
    moved = by_rule(validate(pa.table({"x": rng.normal(3, 1, 5000)}), c, baseline=base))["x_drift"]
    assert (same.reason, same.passed) == ("no_drift", True)
    assert (moved.reason, moved.passed) == ("drift_detected", False)


def test_choosing_the_dataset() -> None:
    two = load_contract({"apiVersion": "v3.1.0", "kind": "DataContract", "id": "c", "version": "1", "status": "active",
                         "schema": [{"name": "orders", "physicalName": "raw.orders"}, {"name": "customers"}]})
    table = pa.table({"a": [1]})
    assert validate(table, two, dataset="raw.orders").dataset == "raw.orders"
    assert validate(table, two, dataset="orders").dataset == "raw.orders"
    assert validate(table, two, dataset="customers").dataset == "customers"
    with pytest.raises(DatasetError) as ambiguous:
        validate(table, two)
    assert ambiguous.value.choices == ("raw.orders", "customers")
    with pytest.raises(DatasetError) as unknown:
        validate(table, two, dataset="nope")
    assert unknown.value.choices == ("raw.orders", "customers")


def test_run_tracks_failing_rows_for_quarantine() -> None:
    outcome = run(TABLE, CONTRACT, now=gen.NOW, track_rows=True, batch_size=100)
    for result in outcome.report.results:
        if not result.passed and result.rule in outcome.failing_rows:
            assert len(outcome.failing_rows[result.rule]) == result.failed_rows, result.rule
    regions = TABLE["region"].to_pylist()
    assert sorted(outcome.failing_rows["region_valid"].tolist()) == [i for i, v in enumerate(regions) if v == "X"]


def test_row_group_statistics_settle_clean_groups_and_counts_stay_exact(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "orders.parquet"
    pq.write_table(TABLE, path, row_group_size=100)
    from_file = validate(path, CONTRACT, now=gen.NOW, batch_size=50)
    from_table = validate(TABLE, CONTRACT, now=gen.NOW, batch_size=50)
    assert counts(from_file) == counts(from_table)
    assert from_file.extra["settled_by_statistics"] > 0 == from_table.extra["settled_by_statistics"]


@pytest.mark.parametrize("query", [
    "SELECT COUNT(*) FROM ${dataset} WHERE ${column} < 0",
    "SELECT COUNT(*) FROM ${table} WHERE ${column} < 0",  # the example in the ODCS JSON Schema
    "SELECT COUNT(*) FROM ${object} WHERE ${property} < 0",
    "SELECT COUNT(*) FROM ${ object } WHERE ${ property } < 0",
    "SELECT COUNT(*) FROM {object} WHERE {property} < 0",
])
def test_sql_column_placeholder_and_a_property_level_rule(query: str) -> None:
    c = _contract([{"name": "amount", "logicalType": "number", "quality": [
        {"id": "neg", "type": "sql", "query": query, "mustBe": 0}]}])
    result = by_rule(validate(pa.table({"amount": [1.0, -2.0, -3.0, None]}), c))["neg"]
    assert (result.reason, result.passed, result.observed, result.failed_rows) == ("sql_failed", False, 2, 2)


def test_a_run_as_of_another_time_is_recorded_at_that_time() -> None:
    as_of = dt.datetime(2020, 1, 1, 12, 0, tzinfo=dt.UTC)
    report = validate(TABLE, CONTRACT, now=as_of)
    assert report.started_at == as_of
    assert as_of <= report.finished_at < as_of + dt.timedelta(minutes=5)
    unpinned = validate(TABLE, CONTRACT)
    assert unpinned.started_at > as_of


@pytest.mark.parametrize("lanes", [2, 3])
def test_profiling_on_worker_lanes_gives_the_same_report(lanes: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # the columns' share of the profile moves between the validating thread and the workers as the
    # measured costs change; which thread profiles a column changes nothing in the report
    import checks.engine as engine

    alone = validate(TABLE, CONTRACT, now=gen.NOW, batch_size=97)
    monkeypatch.setattr(engine, "PROFILE_LANES", lanes)
    monkeypatch.setattr(engine, "PROFILE_ROWS", 150)
    shared = validate(TABLE, CONTRACT, now=gen.NOW, batch_size=97)
    assert counts(shared) == counts(alone)
    assert shared.profile is not None and alone.profile is not None
    assert shared.profile.to_dict() == alone.profile.to_dict()


def test_lanes_balance_measured_costs_next_to_what_a_lane_already_does() -> None:
    from checks.engine import _lanes

    schema = pa.schema([(name, pa.int64()) for name in "abcde"])
    spent = {"a": 5.0, "b": 4.0, "c": 3.0, "d": 2.0, "e": 1.0}
    assert _lanes(schema, 2, spent) == [["a", "d", "e"], ["b", "c"]]
    assert _lanes(schema, 2, spent, [6.0, 0.0]) == [["c", "d"], ["a", "b", "e"]]
    # until every column has a measured cost, a guess by kind (the lane's other work not counted)
    assert _lanes(schema, 2, {"a": 5.0}, [6.0, 0.0]) == [["a", "c", "e"], ["b", "d"]]


def test_a_run_gives_back_its_scratch_space() -> None:
    from checks import sketches

    sketches.scratch("test.before", 10, sketches.np.float64)
    validate(TABLE, CONTRACT, now=gen.NOW, batch_size=500)
    assert sketches._SCRATCH.buffers == {}


def test_dictionary_columns_counted_on_their_indices_after_the_samples_give_the_same_report() -> None:
    # small batches: once a rule has its samples, later batches of a dictionary column are counted
    # on the indices, not on a mask
    encoded = TABLE
    for name in ("region", "code", "name", "email"):
        i = encoded.schema.get_field_index(name)
        encoded = encoded.set_column(i, name, encoded[name].dictionary_encode())
    coded = validate(encoded, CONTRACT, now=gen.NOW, batch_size=37)
    plain = validate(TABLE, CONTRACT, now=gen.NOW, batch_size=37)
    assert counts(coded) == counts(plain)
    assert by_rule(coded)["code.pattern"].failed_rows == gen.EXPECTED["code.pattern"] > 5
    assert by_rule(coded)["code.pattern"].samples == by_rule(plain)["code.pattern"].samples
