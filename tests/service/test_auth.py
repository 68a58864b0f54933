"""Tokens: stored hashed, checked in constant time, roles and dataset patterns; the token CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.auth import Denied, Principal, TokenFileError, create_token, load_tokens, revoke_token
from service.cli import cli


def test_token_file_holds_only_hashes(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    token, record = create_token(path, "producer", ["raw.*", "staging.orders"], name="ingest")
    text = path.read_text()
    assert token not in text and token.split("_", 2)[2] not in text
    data = json.loads(text)
    assert [(t["id"], t["role"], t["datasets"], t["name"]) for t in data["tokens"]] == [
        (record.id, "producer", ["raw.*", "staging.orders"], "ingest")]
    assert path.stat().st_mode & 0o077 == 0


def test_authenticate_valid_wrong_unknown_and_revoked(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    token, record = create_token(path, "reader")
    tokens = load_tokens(path)
    assert tokens.authenticate(token) == Principal(record.id, "reader", ())
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (None, "", tampered, "pl_000000000000_" + "x" * 43, "garbage"):
        with pytest.raises(Denied) as info:
            tokens.authenticate(bad)
        assert info.value.code == "unauthenticated"
    assert revoke_token(path, record.id) is True
    assert revoke_token(path, record.id) is False
    other, _ = create_token(path, "admin")
    after = load_tokens(path)
    assert after.authenticate(other).role == "admin"
    with pytest.raises(Denied):
        after.authenticate(token)


def test_no_tokens_means_open_admin(tmp_path: Path) -> None:
    tokens = load_tokens(tmp_path / "absent.json")
    assert not tokens.configured
    assert tokens.authenticate(None).role == "admin"


def test_roles_and_dataset_patterns() -> None:
    producer = Principal("p", "producer", ("raw.*",))
    assert producer.may_write_dataset("raw.orders") and not producer.may_write_dataset("features.orders")
    producer.require_datasets(["raw.orders", "raw.customers"], "x")
    with pytest.raises(Denied) as info:
        producer.require_datasets(["raw.orders", "features.x"], "x")
    assert info.value.code == "forbidden"
    with pytest.raises(Denied):
        Principal("r", "reader").require_datasets(["raw.orders"], "x")
    with pytest.raises(Denied):
        producer.require_admin("x")
    Principal("a", "admin").require_datasets(["anything"], "x")
    Principal("a", "admin").require_admin("x")


def test_bad_tokens_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for content in ("not json", '{"nope": 1}', '{"tokens": [{"id": "a"}]}',
                    '{"tokens": [{"id": "a", "role": "root", "sha256": "' + "0" * 64 + '"}]}'):
        bad.write_text(content)
        with pytest.raises(TokenFileError):
            load_tokens(bad)
    with pytest.raises(ValueError):
        create_token(tmp_path / "t.json", "producer", [])
    with pytest.raises(ValueError):
        create_token(tmp_path / "t.json", "owner")


def test_token_cli_create_list_revoke(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    runner = CliRunner()
    created = runner.invoke(cli, ["token", "create", "--role", "producer", "--datasets", "raw.*, staging.*",
                                  "--tokens", str(path)])
    assert created.exit_code == 0
    token = created.stdout.strip()
    principal = load_tokens(path).authenticate(token)
    assert (principal.role, principal.datasets) == ("producer", ("raw.*", "staging.*"))
    listed = runner.invoke(cli, ["token", "list", "--tokens", str(path)])
    assert listed.exit_code == 0
    assert listed.stdout.split("\t")[:3] == [principal.id, "producer", "raw.*,staging.*"]
    assert token not in listed.stdout
    assert runner.invoke(cli, ["token", "revoke", principal.id, "--tokens", str(path)]).exit_code == 0
    assert runner.invoke(cli, ["token", "revoke", principal.id, "--tokens", str(path)]).exit_code == 2
    assert runner.invoke(cli, ["token", "create", "--role", "producer", "--tokens", str(path)]).exit_code == 2
    assert runner.invoke(cli, ["token", "create", "--role", "root", "--tokens", str(path)]).exit_code == 2
    path.write_text("junk")
    assert runner.invoke(cli, ["token", "list", "--tokens", str(path)]).exit_code == 2
