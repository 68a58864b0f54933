"""``pactline serve`` start-up: refuses open non-loopback binds, registers a contracts directory."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from service.cli import cli
from service.cli.serve import is_loopback, register_directory
from service.store import open_store
from tests.service.conftest import contract_text


def test_loopback_detection() -> None:
    assert all(is_loopback(h) for h in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "::", "10.0.0.1", "example.com", ""))


def test_refuses_non_loopback_without_tokens(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--tokens", str(tmp_path / "none.json"),
                                      "--store", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2
    assert "token" in result.stderr
    assert not (tmp_path / "s.db").exists()  # refused before touching anything


def test_bad_tokens_file_and_bad_store_exit_2(tmp_path: Path) -> None:
    tokens = tmp_path / "tokens.json"
    tokens.write_text("junk")
    assert CliRunner().invoke(cli, ["serve", "--tokens", str(tokens)]).exit_code == 2
    assert CliRunner().invoke(cli, ["serve", "--tokens", str(tmp_path / "none.json"),
                                    "--store", "mysql://x@localhost/db"]).exit_code == 2


def test_register_directory_counts_and_problems(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "orders.odcs.yaml").write_text(contract_text())
    (contracts / "customers.odcs.yaml").write_text(contract_text(id="customers", dataset="raw.customers"))
    (contracts / "notes.txt").write_text("not a contract")
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    assert register_directory(store, contracts) == ({"created": 2, "unchanged": 0}, [])
    assert register_directory(store, contracts) == ({"created": 0, "unchanged": 2}, [])
    (contracts / "orders.odcs.yaml").write_text(contract_text(amount_type="integer"))
    (contracts / "broken.yaml").write_text(contract_text(id="broken").replace("logicalType: number", "logicalType: nope"))
    counts, problems = register_directory(store, contracts)
    assert counts == {"created": 0, "unchanged": 1}
    assert len(problems) == 2
    assert any("orders.odcs.yaml" in p and "1.0.0" in p for p in problems)
    assert any("broken.yaml" in p for p in problems)
    store.close()


def test_serve_stops_on_contract_problems(tmp_path: Path) -> None:
    contracts = tmp_path / "contracts"
    contracts.mkdir()
    (contracts / "broken.yaml").write_text(contract_text().replace("logicalType: number", "logicalType: nope"))
    result = CliRunner().invoke(cli, ["serve", "--tokens", str(tmp_path / "none.json"), "--contracts", str(contracts),
                                      "--store", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2
    assert "broken.yaml" in result.stderr
