"""The bundled example pipeline: contracts lint clean, data are current and break exactly what they say."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from contracts import Contract, load_contract
from contracts.lint import semantic_problems, structural_problems
from contracts.yamlsrc import parse_yaml

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
DATA = EXAMPLES / "data"
CONTRACT_FILES = sorted((EXAMPLES / "contracts").glob("*.odcs.yaml"))


@pytest.mark.parametrize("path", CONTRACT_FILES, ids=lambda p: p.name)
def test_example_contract_lints_clean(path: Path) -> None:
    data, pos = parse_yaml(path.read_text(encoding="utf-8"))
    assert structural_problems(data, pos, path.name) == []
    assert semantic_problems(None, data, pos, path.name) == []


def test_examples_cover_what_the_pipeline_needs() -> None:
    contracts = {p.name: load_contract(p) for p in CONTRACT_FILES}
    names = sorted(obj.qualified_name for c in contracts.values() for obj in c.datasets)
    assert names == ["clean.orders_enriched", "features.customer_spend", "raw.customers", "raw.fx_rates", "raw.orders"]
    assert all(c.owners for c in contracts.values())
    orders = contracts["raw_orders.odcs.yaml"]
    metrics = {rule.metric for _, _, rule in orders.walk_rules() if rule.metric}
    assert metrics == {"nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount"}
    assert {rule.effective_severity for _, _, rule in orders.walk_rules()} == {"error", "warning"}
    assert {rule.kind for _, _, rule in orders.walk_rules()} == {"library", "sql", "custom"}
    assert {s.property for s in orders.sla_properties or ()} >= {"latency", "freshness", "frequency"}


def test_data_files_are_current(tmp_path: Path) -> None:
    make = runpy.run_path(str(EXAMPLES / "make_data.py"))
    written = make["main"](tmp_path)
    assert sorted(p.name for p in written) == sorted(
        p.name for p in DATA.iterdir() if p.suffix in (".csv", ".parquet", ".json"))
    for path in written:
        committed = DATA / path.name
        if path.suffix == ".parquet":
            assert pq.read_table(path).equals(pq.read_table(committed)), path.name
        else:
            assert path.read_bytes() == committed.read_bytes(), f"{path.name}: run examples/make_data.py"


def _rule(contract: Contract, rule_id: str) -> Any:
    return next(rule for _, _, rule in contract.walk_rules() if rule.id == rule_id)


def _counts(table: str, contract: Contract) -> dict[str, int]:
    """Every rule of raw_orders counted with plain SQL, independently of the checks engine."""
    (obj,) = contract.datasets
    col = {p.name: p for p in obj.columns}
    currencies = _rule(contract, "orders_currency_valid").arguments["validValues"]
    statuses = _rule(contract, "orders_status_valid").arguments["validValues"]
    missing = _rule(contract, "orders_status_present").arguments["missingValues"]
    email_re = _rule(contract, "orders_email_well_formed").arguments["pattern"]
    country_re = col["country"].option["pattern"]
    large = (_rule(contract, "orders_large_amounts").query or "").replace("${object}", table)

    con = duckdb.connect()

    def one(sql: str, *params: Any) -> int:
        row = con.execute(sql.format(t=table), list(params)).fetchone()
        assert row is not None
        return int(row[0])

    def in_list(values: list[str]) -> str:
        return "(" + ", ".join("'" + v.replace("'", "''") + "'" for v in values) + ")"

    dup = one("SELECT COUNT(*) - COUNT(DISTINCT order_id) FROM {t}")
    nulls = one("SELECT COUNT(*) FROM {t} WHERE amount IS NULL")
    emails = one("SELECT COUNT(*) FROM {t} WHERE NOT regexp_full_match(email, ?)", email_re)
    counts = {
        "orders_amount_not_null": nulls, "amount.required": nulls,
        "amount.minimum": one("SELECT COUNT(*) FROM {t} WHERE amount < ?", col["amount"].option["minimum"]),
        "orders_order_id_unique": dup, "order_id.unique": dup, "order_id.primaryKey": dup,
        "orders_currency_valid": one(f"SELECT COUNT(*) FROM {{t}} WHERE currency NOT IN {in_list(currencies)}"),
        "country.pattern": one("SELECT COUNT(*) FROM {t} WHERE NOT regexp_full_match(country, ?)", country_re),
        "orders_email_well_formed": emails, "email.format": emails,
        "orders_large_amounts": one(large),
        "orders_status_valid": one(f"SELECT COUNT(*) FROM {{t}} WHERE status NOT IN {in_list(statuses)}"),
        "orders_row_count": int(one("SELECT COUNT(*) FROM {t}") <= 100),
        "orders_status_present": int(
            one(f"SELECT COUNT(*) FROM {{t}} WHERE status IN {in_list(missing)}") * 100 > one("SELECT COUNT(*) FROM {t}")),
        "country.minLength": one("SELECT COUNT(*) FROM {t} WHERE length(country) < 2"),
        "country.maxLength": one("SELECT COUNT(*) FROM {t} WHERE length(country) > 2"),
    }
    for name in ("customer_id", "order_ts", "currency", "status", "country", "email"):
        counts[f"{name}.required"] = one(f"SELECT COUNT(*) FROM {{t}} WHERE {name} IS NULL")
    return counts


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_good_batch_passes_and_bad_batch_breaks_exactly_the_expected_rules(suffix: str) -> None:
    contract = load_contract(EXAMPLES / "contracts" / "raw_orders.odcs.yaml")
    expected = json.loads((DATA / "expected_bad.json").read_text())
    reader = "read_csv" if suffix == "csv" else "read_parquet"
    good = _counts(f"{reader}('{DATA / f'raw_orders_good.{suffix}'}')", contract)
    bad = _counts(f"{reader}('{DATA / f'raw_orders_bad.{suffix}'}')", contract)
    assert set(good.values()) == {0}
    assert {rule: n for rule, n in bad.items() if n} == expected["failed_rows"]
    assert sorted(rule for rule, n in bad.items() if not n) == sorted(expected["passing"])
    assert expected["rows"] == 1200


def test_pipeline_sql_builds_tables_that_match_their_contracts() -> None:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA raw")
    for table, name in (("orders", "raw_orders_good.csv"), ("customers", "raw_customers.csv"),
                        ("fx_rates", "raw_fx_rates.csv")):
        con.execute(f"CREATE TABLE raw.{table} AS SELECT * FROM read_csv('{DATA / name}')")
    con.execute((EXAMPLES / "sql" / "pipeline.sql").read_text())
    for contract_file, table in (("clean_orders_enriched.odcs.yaml", "clean.orders_enriched"),
                                 ("features_customer_spend.odcs.yaml", "features.customer_spend")):
        (obj,) = load_contract(EXAMPLES / "contracts" / contract_file).datasets
        assert obj.qualified_name == table
        columns = [row[0] for row in con.execute(f"DESCRIBE {table}").fetchall()]
        assert columns == [p.name for p in obj.columns]
        nulls = con.execute(
            f"SELECT {' + '.join(f'COUNT(*) - COUNT({c})' for c in columns)} FROM {table}").fetchone()
        assert nulls == (0,)
    # every paid or shipped order finds its customer and its day's rate: no row is lost in the joins
    kept = con.execute("SELECT COUNT(*) FROM raw.orders WHERE status IN ('paid', 'shipped')").fetchone()
    assert con.execute("SELECT COUNT(*) FROM clean.orders_enriched").fetchone() == kept
    assert kept is not None and kept[0] > 900
    assert con.execute("SELECT COUNT(*) - COUNT(DISTINCT customer_id) FROM features.customer_spend").fetchone() == (0,)
