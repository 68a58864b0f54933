"""``pactline serve``: the HTTP service (contracts registry, validation runs, lineage).

At start the contracts in ``--contracts DIR`` are registered (contracts-as-code); a contract that
does not lint, or that reuses a registered version with other content, stops the start (exit 2).
Without tokens the service only listens on loopback.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from contracts import ContractError, load_contract
from service.api.settings import ENV_VAR, ApiSettings
from service.auth import DEFAULT_TOKENS_FILE, TokenFileError, load_tokens

if TYPE_CHECKING:
    from service.store import Store

__all__ = ["is_loopback", "register_directory", "serve"]

CONTRACT_SUFFIXES = (".yaml", ".yml", ".json")
WORKER_HEALTHCHECK_S = 120


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def register_directory(store: Store, directory: Path) -> tuple[dict[str, int], list[str]]:
    """Register every contract file under ``directory``: ``({"created": n, "unchanged": m}, problems)``."""
    counts = {"created": 0, "unchanged": 0}
    problems: list[str] = []
    created = []
    files = sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in CONTRACT_SUFFIXES)
    for path in files:
        try:
            contract = load_contract(path)
        except ContractError as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        status, version = store.put_contract(contract, path.read_text(encoding="utf-8"))
        if status == "conflict":
            problems.append(f"{path}: version {version} of {contract.id} is already registered with other content; "
                            "bump the version in the file")
        else:
            counts[status] += 1
            if status == "created":
                created.append(contract)
    if created:
        from service.api.registry import link_lineage

        link_lineage(store, created)
    return counts, problems


def _fail(message: str) -> NoReturn:
    click.echo(f"pactline serve: {message}", err=True)
    raise SystemExit(2)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--store", "store_url", default=None, help="Store URL (default: $PACTLINE_STORE or .pactline/pactline.db).")
@click.option("--contracts", "contracts_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              default=None, help="Register every contract in this directory at start.")
@click.option("--tokens", "tokens_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help=f"Tokens file (default: $PACTLINE_TOKENS or {DEFAULT_TOKENS_FILE}); none: loopback only.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64), help="Worker processes.")
@click.option("--max-body-bytes", default=1 << 30, show_default=True, type=click.IntRange(1), help="Largest batch upload.")
@click.option("--quarantine", "quarantine_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where blocked batches are kept (default: .pactline/quarantine).")
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]))
def serve(
    host: str,
    port: int,
    store_url: str | None,
    contracts_dir: Path | None,
    tokens_file: Path | None,
    workers: int,
    max_body_bytes: int,
    quarantine_dir: Path | None,
    log_level: str,
) -> None:
    """Serve the HTTP API (OpenAPI at /docs and /openapi.json)."""
    tokens_path = tokens_file or Path(os.environ.get("PACTLINE_TOKENS") or DEFAULT_TOKENS_FILE)
    try:
        tokens = load_tokens(tokens_path)
    except TokenFileError as exc:
        _fail(str(exc))
    if not tokens.configured and not is_loopback(host):
        _fail(f"refusing to listen on {host} without tokens: anyone could write contracts and runs. "
              f"Create one with `pactline token create --role admin --tokens {tokens_path}`, or listen on 127.0.0.1.")
    from service.store import StoreError, open_store

    try:
        store = open_store(store_url)
    except StoreError as exc:
        _fail(str(exc))
    try:
        if contracts_dir is not None:
            counts, problems = register_directory(store, contracts_dir)
            if problems:
                for line in problems:
                    click.echo(line, err=True)
                _fail(f"{len(problems)} problem(s) in the contracts under {contracts_dir}; nothing was served")
            click.echo(f"contracts from {contracts_dir}: {counts['created']} registered, "
                       f"{counts['unchanged']} already registered", err=True)
        url = str(store.engine.url.render_as_string(hide_password=False))
    finally:
        store.close()

    settings = ApiSettings(
        store_url=url,
        tokens_file=str(tokens_path) if tokens.configured else None,
        max_body_bytes=max_body_bytes,
        quarantine_dir=str(quarantine_dir) if quarantine_dir else None,
    )
    os.environ[ENV_VAR] = settings.to_env()
    if not tokens.configured:
        click.echo("no tokens configured: anyone on this machine has admin rights (loopback only)", err=True)

    _run_uvicorn(
        "service.api.app:app_from_env", factory=True, host=host, port=port, workers=workers,
        log_level=log_level, proxy_headers=False, server_header=False,
        # A worker busy with a long query or loading a large lineage graph holds the GIL and answers the
        # supervisor's ping late; uvicorn's default of 5 s would kill it mid-request.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_S,
    )


def _run_uvicorn(app: str, **options: object) -> None:
    """``uvicorn.run`` with one change: the shared listening socket of several workers says it is TCP.

    uvicorn binds that socket as ``socket(AF_INET, SOCK_STREAM)`` with protocol 0, and asyncio only
    sets TCP_NODELAY on accepted connections whose listening socket names IPPROTO_TCP. Without it,
    every small response of a multi-worker server waited ~40 ms for the client's delayed ACK
    (GET /health: 44 ms with 2 workers against 0.5 ms with one).
    """
    import socket

    import uvicorn
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(app, **options)  # type: ignore[arg-type]
    server = uvicorn.Server(config=config)
    try:
        if config.workers > 1:
            sock = config.bind_socket()
            if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
                sock = socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
            Multiprocess(config, sockets=[sock]).run()
        else:
            server.run()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl+C in a terminal
        pass
    if config.workers == 1 and not server.started:
        raise SystemExit(3)
