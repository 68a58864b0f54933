"""``pactline token``: create, list and revoke the HTTP service's bearer tokens.

The tokens file holds only hashes; ``create`` prints the token once, to stdout.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from service.auth import DEFAULT_TOKENS_FILE, ROLES, TokenFileError, create_token, load_tokens, revoke_token

__all__ = ["token"]


def _tokens_path(value: Path | None) -> Path:
    return value or Path(os.environ.get("PACTLINE_TOKENS") or DEFAULT_TOKENS_FILE)


_TOKENS_OPTION = click.option(
    "--tokens", "tokens_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help=f"Tokens file (default: $PACTLINE_TOKENS or {DEFAULT_TOKENS_FILE}).",
)


@click.group()
def token() -> None:
    """Manage the bearer tokens of `pactline serve`."""


@token.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True, help="reader: GET; producer: its datasets; admin: all.")
@click.option("--datasets", default="", help="Comma-separated dataset globs a producer may write, e.g. 'raw.*'.")
@click.option("--name", default="", help="A label to recognise the token by in `pactline token list`.")
@_TOKENS_OPTION
def create(role: str, datasets: str, name: str, tokens_file: Path | None) -> None:
    """Create a token and print it once (the file keeps only its hash)."""
    path = _tokens_path(tokens_file)
    patterns = [d.strip() for d in datasets.split(",") if d.strip()]
    try:
        secret, record = create_token(path, role, patterns, name)
    except (ValueError, OSError) as exc:
        click.echo(f"pactline token create: {exc}", err=True)
        raise SystemExit(2) from None
    click.echo(secret)
    scope = f" for {', '.join(record.datasets)}" if record.datasets else ""
    click.echo(f"created {record.role} token {record.id}{scope} in {path}; it is shown only this once", err=True)


@token.command("list")
@_TOKENS_OPTION
def list_(tokens_file: Path | None) -> None:
    """List the tokens (id, role, datasets, name, created) without secrets."""
    path = _tokens_path(tokens_file)
    try:
        records = load_tokens(path).records()
    except TokenFileError as exc:
        click.echo(f"pactline token list: {exc}", err=True)
        raise SystemExit(2) from None
    for r in records:
        click.echo("\t".join([r.id, r.role, ",".join(r.datasets) or "-", r.name or "-", r.created_at]))


@token.command("revoke")
@click.argument("token_id")
@_TOKENS_OPTION
def revoke(token_id: str, tokens_file: Path | None) -> None:
    """Remove a token by its id (see `pactline token list`)."""
    path = _tokens_path(tokens_file)
    try:
        removed = revoke_token(path, token_id)
    except (TokenFileError, OSError) as exc:
        click.echo(f"pactline token revoke: {exc}", err=True)
        raise SystemExit(2) from None
    if not removed:
        click.echo(f"pactline token revoke: no token with id {token_id} in {path}", err=True)
        raise SystemExit(2)
    click.echo(f"revoked {token_id}", err=True)
