"""``pactline lineage``: real commands on a real SQLite store; exit codes and the documented JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import cli

ROOT = Path(__file__).resolve().parents[2]
PIPELINE = str(ROOT / "examples" / "sql" / "pipeline.sql")
CONTRACTS = str(ROOT / "examples" / "contracts")
HIT_KEYS = {"node", "dataset", "column", "kind", "depth", "is_feature", "path", "owners", "first_seen", "last_seen"}


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("PACTLINE_STORE", f"sqlite:///{tmp_path / 'store.db'}")
    runner = CliRunner()

    def _run(*args: str):
        return runner.invoke(cli, ["lineage", *args], catch_exceptions=False)

    return _run


def test_pipeline_loads_and_answers_impact_as_documented_json(run):
    added = run("add-sql", PIPELINE, "--dialect", "duckdb", "--contracts", CONTRACTS, "--as-of", "2026-07-01")
    assert added.exit_code == 0, added.output
    result = run("impact", "raw.orders.amount", "--format", "json", "--since", "2026-07-01",
                 "--until", "2026-09-30")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) >= {"field", "direction", "window", "hits", "failed_runs"}
    assert data["window"] == {"since": "2026-07-01T00:00:00Z", "until": "2026-09-30T00:00:00Z"}
    assert all(set(h) >= HIT_KEYS for h in data["hits"])
    hits = {h["node"]: h for h in data["hits"]}
    spend = hits["features.customer_spend.total_spend_eur_30d"]
    assert (spend["kind"], spend["depth"], spend["is_feature"]) == ("value", 2, True)
    assert [e["job"] for e in spend["path"]] == ["sql:clean.orders_enriched", "sql:features.customer_spend"]
    assert data["failed_runs"] == []


def test_a_window_before_the_sql_existed_finds_nothing(run):
    run("add-sql", PIPELINE, "--dialect", "duckdb", "--contracts", CONTRACTS, "--as-of", "2026-07-01")
    result = run("impact", "raw.orders.amount", "--format", "json", "--until", "2026-06-01")
    assert json.loads(result.stdout)["hits"] == []


def test_text_output_is_a_tree(run):
    run("add-sql", PIPELINE, "--dialect", "duckdb", "--contracts", CONTRACTS)
    out = run("impact", "raw.orders.amount").stdout.splitlines()
    assert out[0].startswith("raw.orders.amount  (downstream")
    assert out[1].startswith("└─ clean.orders_enriched.amount_eur  [value]")
    assert out[2].startswith("   ├─ features.customer_spend.")


def test_unknown_field_exits_2_naming_near_matches(run):
    run("add-sql", PIPELINE, "--dialect", "duckdb", "--contracts", CONTRACTS)
    result = run("impact", "raw.orders.amout")
    assert result.exit_code == 2
    assert "raw.orders.amount" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_unresolved_statements_exit_1_and_the_rest_loads(run, tmp_path):
    sql = tmp_path / "p.sql"
    sql.write_text("CREATE TABLE a.x AS SELECT o.id FROM raw.o AS o;\nCREATE TABLE a.y AS SELECT * FROM raw.nope;\n")
    result = run("add-sql", str(sql), "--dialect", "duckdb", "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)["files"][0]
    assert data["statements"] == 1
    assert [(p["code"], p["line"], p["col"]) for p in data["problems"]] == [("star-unresolved", 2, 35)]
    assert run("upstream", "a.x.id", "--format", "json").exit_code == 0


@pytest.mark.parametrize("args", [
    ("add-sql", "missing.sql"),
    ("add-sql", PIPELINE, "--dialect", "postgress"),
    ("add-sql", PIPELINE, "--as-of", "yesterday"),
    ("ingest", "missing.json"),
    ("show", "no.such"),
])
def test_bad_input_exits_2_with_one_line(run, args):
    result = run(*args)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_ingest_then_show_and_upstream(run, tmp_path):
    events = ROOT / "tests" / "fixtures" / "openlineage" / "example_hive_cllComplexQueryCTEJoinsComplete.json"
    assert run("ingest", str(events)).exit_code == 0
    shown = json.loads(run("show", "test.xxx", "--format", "json").stdout)
    assert [c["column"] for c in shown["columns"]] == ["a", "b", "c", "d"]
    mermaid = run("show", "test.xxx", "--format", "mermaid").stdout
    assert mermaid.startswith("graph LR")
    up = json.loads(run("upstream", "test.xxx.a", "--format", "json", "--kind", "value").stdout)
    assert [h["node"] for h in up["hits"]] == ["test.t1.a"]
    lines = tmp_path / "e.jsonl"
    lines.write_text(events.read_text().replace("\n", " ") + "\n{not json\n")
    bad = run("ingest", str(lines))
    assert bad.exit_code == 2
    assert ":2:" in bad.stderr


def test_since_after_until_exits_2(run):
    run("add-sql", PIPELINE, "--dialect", "duckdb", "--contracts", CONTRACTS)
    result = run("impact", "raw.orders.amount", "--since", "2026-09-01", "--until", "2026-08-01")
    assert result.exit_code == 2


def test_feature_patterns_come_from_the_environment(run, monkeypatch):
    run("add-sql", PIPELINE, "--dialect", "duckdb")  # no contracts: only the name says what is a feature
    monkeypatch.setenv("PACTLINE_FEATURE_PATTERNS", "clean.*")
    hits = json.loads(run("impact", "raw.orders.amount", "--format", "json").stdout)["hits"]
    features = {h["dataset"] for h in hits if h["is_feature"]}
    assert features == {"clean.orders_enriched"}
    monkeypatch.delenv("PACTLINE_FEATURE_PATTERNS")
    hits = json.loads(run("impact", "raw.orders.amount", "--format", "json").stdout)["hits"]
    assert {h["dataset"] for h in hits if h["is_feature"]} == {"features.customer_spend"}
