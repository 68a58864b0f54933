"""``pactline serve``: the HTTP service (contracts registry, validation runs, lineage).

At start the contracts in ``--contracts DIR`` are registered (contracts-as-code); a contract that
does not lint, or that reuses a registered version with other content, stops the start (exit 2).
Without tokens the service only listens on loopback.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from contracts import ContractError, load_contract
from service.api.settings import ENV_VAR, ApiSettings
from service.auth import DEFAULT_TOKENS_FILE, TokenFileError, load_tokens

if TYPE_CHECKING:
    from service.store import Store

__all__ = ["is_loopback", "one_socket_per_worker", "register_directory", "reuseport_available", "serve",
           "worker_sockets"]

CONTRACT_SUFFIXES = (".yaml", ".yml", ".json")
WORKER_HEALTHCHECK_S = 120
log = logging.getLogger("uvicorn.error")


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
    """``uvicorn.run``, with several workers served from one socket each (see ``worker_sockets``)."""
    import uvicorn

    config = uvicorn.Config(app, **options)  # type: ignore[arg-type]
    server = uvicorn.Server(config=config)
    try:
        if config.workers > 1:
            if config.uds is None and config.fd is None and reuseport_available():
                try:
                    sockets = worker_sockets(config.host, config.port, config.workers, config.backlog)
                except OSError as exc:
                    _fail(f"cannot listen on {config.host}:{config.port}: {exc.strerror or exc}")
                one_socket_per_worker(config, sockets).run()
            else:  # pragma: no cover - other systems: one shared socket, as uvicorn does
                from uvicorn.supervisors import Multiprocess

                Multiprocess(config, sockets=[_tcp(config.bind_socket())]).run()
        else:
            server.run()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl+C in a terminal
        pass
    if config.workers == 1 and not server.started:
        raise SystemExit(3)


def reuseport_available() -> bool:
    """The kernel spreads connections over sockets bound with SO_REUSEPORT (Linux >= 3.9)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _tcp(sock: socket.socket) -> socket.socket:
    """``sock`` as a socket that says it is TCP (protocol IPPROTO_TCP instead of 0).

    asyncio only sets TCP_NODELAY on accepted connections whose listening socket names IPPROTO_TCP.
    Without it every small response of a multi-worker server waited ~40 ms for the client's delayed
    ACK (GET /health: 44 ms with 2 workers against 0.5 ms with one).
    """
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.proto == 0:
        return socket.socket(sock.family, sock.type, socket.IPPROTO_TCP, fileno=sock.detach())
    return sock


def worker_sockets(host: str, port: int, count: int, backlog: int = 2048) -> list[socket.socket]:
    """``count`` listening TCP sockets on the same address, one per worker, bound with SO_REUSEPORT.

    The kernel hands each new connection to one of them by a hash of its addresses, so keep-alive
    connections are spread over the workers. With one shared socket the first worker to wake up
    accepted every pending connection at once and kept them: a 2-worker server under 16 keep-alive
    clients ran one worker at ~100 % CPU and left the other idle.

    The address is first claimed by an ordinary bind, which fails when anything holds it (another
    server's SO_REUSEPORT sockets included), so two servers never silently share a port. Port 0 picks
    a free port, the same for every socket.
    """
    probe = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
        port = probe.getsockname()[1]
    finally:
        probe.close()
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            sock = socket.socket(_family(host), socket.SOCK_STREAM, socket.IPPROTO_TCP)
            sockets.append(sock)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            sock.bind((host, port))
            sock.listen(backlog)  # connections wait in this worker's queue from now on, even while it starts
            sock.set_inheritable(True)
    except OSError:
        for sock in sockets:
            sock.close()
        raise
    return sockets


def one_socket_per_worker(config: Any, sockets: list[socket.socket]) -> Any:
    """uvicorn's supervisor (``Multiprocess``) with worker *i* always serving ``sockets[i]``.

    Start, health checks (a worker that does not answer within ``timeout_worker_healthcheck`` is
    killed), restart of a dead worker on the same socket, SIGHUP (restart all, each replacement ready
    before the old one stops) and SIGINT/SIGTERM behave as uvicorn's. While a worker restarts, the
    connections the kernel hashed to its socket wait in that socket's queue: none is refused or lost.
    SIGTTIN/SIGTTOU (add/remove a worker) are refused: the sockets are bound once, at start.
    (Built on call: uvicorn is imported only when serving.)
    """
    from uvicorn.config import STARTUP_FAILURE
    from uvicorn.supervisors.multiprocess import Multiprocess, Process

    class OneSocketPerWorker(Multiprocess):
        def start_worker(self, slot: int) -> Process:
            process = Process(self.config, [self.sockets[slot]])
            process.start()
            return process

        def init_processes(self) -> None:
            self.processes = [self.start_worker(slot) for slot in range(len(self.sockets))]

        def keep_subprocess_alive(self) -> None:
            if self.should_exit.is_set():
                return
            for slot, process in enumerate(self.processes):
                if process.is_alive(timeout=self.config.timeout_worker_healthcheck):
                    continue
                process.kill()  # hung or dead
                process.join()
                if process.exitcode == STARTUP_FAILURE:  # the app itself cannot start: restarting would loop
                    log.error("worker [%s] failed to start, stopping the server", process.pid)
                    self.should_exit.set()
                    return
                if self.should_exit.is_set():
                    return
                log.warning("worker [%s] died (exit code %s); starting another on its socket",
                            process.pid, process.exitcode)
                self.processes[slot] = self.start_worker(slot)

        def restart_all(self) -> None:
            for slot, old in enumerate(self.processes):
                if self.should_exit.is_set():
                    return
                new = self.start_worker(slot)
                if not new.wait_until_ready(self.config.timeout_worker_healthcheck, self.should_exit):
                    new.kill()
                    new.join()
                    if not self.should_exit.is_set():
                        log.error("replacement worker [%s] was not ready in time; keeping [%s]", new.pid, old.pid)
                    return
                old.terminate()
                old.join()
                self.processes[slot] = new

        def handle_ttin(self) -> None:
            log.warning("SIGTTIN ignored: the number of workers is fixed at start (--workers)")

        def handle_ttou(self) -> None:
            log.warning("SIGTTOU ignored: the number of workers is fixed at start (--workers)")

        def run(self) -> None:
            try:
                super().run()
            finally:
                for sock in self.sockets:
                    sock.close()

    return OneSocketPerWorker(config, sockets)
