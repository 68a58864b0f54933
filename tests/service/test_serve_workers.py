"""``pactline serve --workers N``: one SO_REUSEPORT socket per worker, so connections are spread over the
workers, and a worker that dies is replaced on its own socket."""

from __future__ import annotations

import os
import select
import signal
import socket
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from service.cli.serve import reuseport_available, worker_sockets
from tests.service.conftest import LiveServer

pytestmark = pytest.mark.skipif(not reuseport_available(), reason="SO_REUSEPORT load spreading is Linux only")

GET_HEALTH = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"


def accept_all(listeners: list[socket.socket], expected: int) -> list[int]:
    """Accept ``expected`` pending connections from ``listeners``; how many each one had."""
    counts = [0] * len(listeners)
    accepted: list[socket.socket] = []
    deadline = time.monotonic() + 10
    while sum(counts) < expected and time.monotonic() < deadline:
        ready, _, _ = select.select(listeners, [], [], 0.5)
        for sock in ready:
            conn, _ = sock.accept()
            accepted.append(conn)
            counts[listeners.index(sock)] += 1
    for conn in accepted:
        conn.close()
    return counts


def test_worker_sockets_share_one_port_and_spread_connections() -> None:
    listeners = worker_sockets("127.0.0.1", 0, 2, backlog=128)
    clients: list[socket.socket] = []
    try:
        ports = {s.getsockname()[1] for s in listeners}
        assert len(ports) == 1 and 0 not in ports
        assert all(s.proto == socket.IPPROTO_TCP for s in listeners)  # accepted connections get TCP_NODELAY
        port = ports.pop()
        for _ in range(64):
            clients.append(socket.create_connection(("127.0.0.1", port)))
        counts = accept_all(listeners, 64)
        assert sum(counts) == 64
        assert min(counts) > 0  # all 64 on one socket has a probability of 2**-63
    finally:
        for s in clients + listeners:
            s.close()


def test_worker_sockets_refuse_a_port_in_use() -> None:
    with socket.socket() as plain:
        plain.bind(("127.0.0.1", 0))
        plain.listen()
        with pytest.raises(OSError):
            worker_sockets("127.0.0.1", plain.getsockname()[1], 2)
    first = worker_sockets("127.0.0.1", 0, 2)
    try:
        with pytest.raises(OSError):  # another server's SO_REUSEPORT group: never joined silently
            worker_sockets("127.0.0.1", first[0].getsockname()[1], 2)
    finally:
        for s in first:
            s.close()


# -- a real server ------------------------------------------------------------------------------


def workers_of(pid: int) -> list[int]:
    """The worker processes of a ``pactline serve`` supervisor (not multiprocessing's resource tracker)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    found = []
    for child in children:
        try:
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in cmdline:
            found.append(int(child))
    return sorted(found)


def established_on(port: int) -> set[int]:
    """Socket inodes of the server side of established TCP connections on ``port``."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":
                inodes.add(int(fields[9]))
    return inodes


def connections_held(worker: int, port: int) -> int:
    server_side = established_on(port)
    held = 0
    for fd in os.listdir(f"/proc/{worker}/fd"):
        try:
            target = os.readlink(f"/proc/{worker}/fd/{fd}")
        except FileNotFoundError:
            continue
        if target.startswith("socket:[") and int(target[8:-1]) in server_side:
            held += 1
    return held


def get_health(port: int) -> socket.socket:
    """A new keep-alive connection that has had one answer to GET /health (so a worker accepted it)."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=30)
    conn.sendall(GET_HEALTH)
    answer = b""
    while b"\r\n\r\n" not in answer:
        chunk = conn.recv(4096)
        assert chunk, "the server closed the connection"
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 ")
    return conn


@pytest.fixture
def two_workers(live_server: Callable[..., LiveServer], tmp_path: Path) -> Iterator[LiveServer]:
    server = live_server(f"sqlite:///{tmp_path / 'workers.db'}", workers=2)
    deadline = time.monotonic() + 30
    while len(workers_of(server.proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    yield server


@pytest.mark.slow
def test_keep_alive_connections_are_spread_over_the_workers(two_workers: LiveServer) -> None:
    workers = workers_of(two_workers.proc.pid)
    assert len(workers) == 2
    conns = [get_health(two_workers.port) for _ in range(16)]
    try:
        held = [connections_held(w, two_workers.port) for w in workers]
        assert sum(held) == 16
        assert min(held) > 0  # one shared socket gave all 16 to the first worker that woke up
    finally:
        for c in conns:
            c.close()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="/proc")
def test_a_killed_worker_is_replaced_on_its_socket(two_workers: LiveServer) -> None:
    before = workers_of(two_workers.proc.pid)
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 30
    after = before
    while time.monotonic() < deadline:
        after = workers_of(two_workers.proc.pid)
        if len(after) == 2 and before[0] not in after:
            break
        time.sleep(0.1)
    assert len(after) == 2 and before[0] not in after and before[1] in after
    # 32 new connections: the kernel hashes about half to the replaced worker's socket; each is answered
    conns = [get_health(two_workers.port) for _ in range(32)]
    held = [connections_held(w, two_workers.port) for w in after]
    for c in conns:
        c.close()
    assert sum(held) == 32 and min(held) > 0


@pytest.mark.slow
def test_sighup_replaces_every_worker_on_its_own_socket(two_workers: LiveServer) -> None:
    before = workers_of(two_workers.proc.pid)
    os.kill(two_workers.proc.pid, signal.SIGHUP)
    deadline = time.monotonic() + 60
    after = before
    while time.monotonic() < deadline:
        after = workers_of(two_workers.proc.pid)
        if len(after) == 2 and not set(after) & set(before):
            break
        time.sleep(0.1)
    assert len(after) == 2 and not set(after) & set(before)
    conns = [get_health(two_workers.port) for _ in range(32)]
    held = [connections_held(w, two_workers.port) for w in after]
    for c in conns:
        c.close()
    assert sum(held) == 32 and min(held) > 0  # each replacement serves its own socket


def test_serve_with_workers_on_a_port_in_use_exits_2(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from service.cli import cli

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        result = CliRunner().invoke(cli, ["serve", "--port", str(taken.getsockname()[1]), "--workers", "2",
                                          "--tokens", str(tmp_path / "none.json"),
                                          "--store", f"sqlite:///{tmp_path / 's.db'}"])
    assert result.exit_code == 2  # refused before any worker starts
