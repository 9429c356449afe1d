"""Faults over a real uvicorn server, on both WebSocket implementations: clients that drop
TCP mid-handshake and mid-frame, sends pending when a connection is closed or its peer
vanishes, handlers cancelled while they wait, and 500 rapid connect/abort cycles.

After each test no error or traceback has reached the logs (uvicorn's, asyncio's,
typedws'), no task is left on the server's event loop, and no handler reported what the
test did not expect.
"""

from __future__ import annotations

import gc
import logging
import socket
import struct
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from tests import fault_app
from tests.fault_app import reports
from tests.raw_client import HANDSHAKE, connected, text_frame, upgrade
from tests.server import (
    WS_IMPLEMENTATIONS,
    app_tasks,
    connect,
    open_connections,
    reply_or_close,
    run_server,
)

pytestmark = pytest.mark.hardening

LOGGERS = ("uvicorn", "asyncio", "typedws")
GONE = 1005
"""The code uvicorn reports for a peer that dropped TCP after the handshake."""


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(fault_app.app, ws=request.param) as base:
        yield base


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(autouse=True)
def leaves_no_trace(url: str) -> Iterator[None]:
    """After the test: no task left on the server's loop, no error or traceback logged (once
    garbage collection has had its say on unretrieved exceptions), no report left unread."""
    fault_app.gates.clear()
    fault_app.members.clear()
    handler = Records()
    for name in LOGGERS:
        logging.getLogger(name).addHandler(handler)
    try:
        yield
        left = app_tasks(url)
        gc.collect()
        assert not left, [repr(task) for task in left]
        errors = [
            handler.format(record)
            for record in handler.records
            if record.levelno >= logging.ERROR or record.exc_info
        ]
        assert not errors, errors
        assert reports.empty(), reports.get_nowait()
    finally:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)


def report() -> tuple[Any, ...]:
    """The next report of a handler, waiting for it."""
    return reports.get(timeout=10)


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def drop(sock: socket.socket, how: str) -> None:
    """End the TCP connection without a close frame: a FIN, or a reset (SO_LINGER 0)."""
    if how == "rst":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def wait_for_connections(url: str, count: int) -> None:
    """Wait (5 s at most) until the server holds *count* connections open."""
    deadline = time.monotonic() + 5
    while open_connections(url) != count:
        assert time.monotonic() < deadline, f"{open_connections(url)} connections, not {count}"
        time.sleep(0.01)


def still_serves(url: str) -> bool:
    with connect(f"{url}/echo") as client:
        client.send("still here")
        return client.recv(timeout=10) == "still here"


@pytest.mark.parametrize("cut", [3, 40, -2], ids=["request-line", "headers", "last-crlf"])
@pytest.mark.parametrize("how", ["fin", "rst"])
def test_a_client_dropping_mid_handshake_leaves_nothing_behind(
    url: str, cut: int, how: str
) -> None:
    """A partial upgrade request, then the TCP connection ends: no handler runs, nothing
    is logged, and the server goes on serving."""
    with connected(url) as sock:
        sock.sendall(HANDSHAKE.format(path="/listen").encode()[:cut])
        drop(sock, how)
    assert still_serves(url)


@pytest.mark.parametrize("route", ["endpoint", "wrapped"])
@pytest.mark.parametrize("how", ["fin", "rst"])
def test_a_client_dropping_before_the_accept_ends_the_session_quietly(
    url: str, route: str, how: str
) -> None:
    """An endpoint's ``on_connect``, or a handler before ``async with``, awaits something
    while its client drops before the 101: the accept that follows ends the session as the
    client's own disconnect (1006), quietly, and ``async with`` does not raise."""
    name = unique("held")
    path = f"/ask/{name}" if route == "endpoint" else f"/wrapped?hold={name}"
    with connect(f"{url}/control") as control:
        with connected(url) as sock:
            sock.sendall(HANDSHAKE.format(path=path).encode())
            assert report() == ("holding", name)
            drop(sock, how)
        wait_for_connections(url, 1)  # the server has seen the drop
        control.send(f"open {name}")
        assert control.recv(timeout=10) == f"open {name}: done"
    if route == "wrapped":  # an endpoint's on_disconnect runs only after an accept
        assert report() == ("wrapped", "?", 1006, None)
    assert still_serves(url)


@pytest.mark.parametrize("cut", [1, 6, 100], ids=["header", "mask", "payload"])
@pytest.mark.parametrize("how", ["fin", "rst"])
def test_a_client_dropping_mid_frame_ends_its_handler_quietly(url: str, cut: int, how: str) -> None:
    """A frame cut in its header, its mask or its payload, then the TCP connection ends:
    the handler gets every whole message, never the cut one, and ends with 1005."""
    with connected(url) as sock:
        upgrade(sock, "/listen")
        sock.sendall(text_frame("one"))
        assert sock.recv(5) == b"\x81\x03one"
        sock.sendall(text_frame("y" * 200)[:cut])
        drop(sock, how)
    assert report() == ("listen", ["one"], GONE)
    assert still_serves(url)


@pytest.mark.parametrize("route", ["wrapped", "endpoint"])
def test_a_send_blocked_on_a_client_that_vanishes_ends_its_own_connection(
    url: str, route: str
) -> None:
    """A handler blocked in a send to a client that never reads, when that client resets
    the connection: the send raises the connection's own ``Disconnected`` (1005), long
    before its 30 s send timeout; ``ensure_closed()`` and ``async with`` do not raise."""
    name = unique("e")
    path, first = {
        "wrapped": ("/wrapped", "flood"),
        "endpoint": (f"/ask/{name}", '{"id": 1, "flood": true}'),
    }[route]
    with connected(url, receive_buffer=4096) as sock:
        upgrade(sock, path)
        sock.sendall(text_frame(first))
        assert report() == ("wrapped" if route == "wrapped" else "ask", "blocked")
        drop(sock, "rst")
    if route == "wrapped":
        assert report() == ("wrapped flood", "Disconnected", GONE, True)
        assert report() == ("wrapped", "flood", GONE, None)
    else:
        assert report() == ("ask flood", "Disconnected", GONE, True)
        assert report() == ("endpoint", name, GONE)


def test_sends_pending_when_another_connection_closes_it_end_cleanly(url: str) -> None:
    """Four tasks blocked sending to a client that never reads when another connection's
    handler closes that connection: the close returns (bounded by the 0.5 s send timeout)
    and each send ends in ``Disconnected`` or ``InvalidState``, never a server error."""
    name = unique("p")
    with connected(url, receive_buffer=4096) as sock, connect(f"{url}/control") as control:
        upgrade(sock, f"/pending/{name}")
        sock.sendall(text_frame("go"))
        assert sorted(report() for _ in range(4)) == [(f"{name} {i}", "blocked") for i in range(4)]
        control.send(f"kick {name}")
        assert control.recv(timeout=10) == f"kick {name}: done"
        kind, ends = report()
        assert kind == "pending"
        assert {end[0] for end in ends} <= {"Disconnected", "InvalidState"}, ends
        assert all(owns for name, _, owns in ends if name == "Disconnected"), ends


@pytest.mark.parametrize("how", ["rst", "fin"])
def test_a_send_to_a_member_that_dropped_mid_frame_raises_in_the_sender_only(
    url: str, how: str
) -> None:
    """A member drops TCP mid-frame: a send to it from another connection's handler raises
    ``Disconnected`` (1005, not the sender's own end) each time, and the sender goes on."""
    name = unique("m")
    with connected(url) as sock:
        upgrade(sock, f"/member/{name}")
        sock.sendall(text_frame("z" * 300)[:50])
        drop(sock, how)
    assert report() == ("member", name, GONE)
    with connect(f"{url}/relay") as relay:
        for _ in range(2):
            relay.send(f"tell {name}")
            assert relay.recv(timeout=10) == "gone"
            assert report() == ("relay", "Disconnected", GONE, False)


@pytest.mark.parametrize("route", ["route", "wrapped"])
@pytest.mark.parametrize("how", ["rst", "close"])
def test_a_task_group_ends_quietly_when_its_client_vanishes(url: str, route: str, how: str) -> None:
    """A handler whose anyio task group receives in one task and awaits something else in
    another: when the client resets or closes, the reader's disconnect ends the group,
    which cancels the waiter; the handler ends as for its own disconnect, nothing logged."""
    name = unique("g")
    path = f"/group/{name}" if route == "route" else "/wrapped"
    with connect(f"{url}{path}") as client:
        if route == "wrapped":
            client.send(f"group {name}")
        client.send("ping")
        assert client.recv(timeout=10) == "ping"  # the reader is up
        if how == "rst":
            drop(client.socket, "rst")
    code = {"rst": GONE, "close": 1000}[how]
    if route == "route":
        assert report() == ("group", name, code)
    else:
        assert report() == ("wrapped", f"group {name}", code, None)


def test_a_send_cancelled_by_its_handler_leaves_the_connection_closable(url: str) -> None:
    """A handler that gives up on a send blocked by a client that never reads (the send is
    cancelled): the connection is still open, and ``ensure_closed()`` then ends it without
    raising once the client resets."""
    with connected(url, receive_buffer=4096) as sock:
        upgrade(sock, "/wrapped")
        sock.sendall(text_frame("give up"))
        assert report() == ("give up", "blocked")
        assert report() == ("gave up", False)
        drop(sock, "rst")
    assert report() == ("wrapped", "give up", 1001, None)


def test_receives_cancelled_by_a_timeout_lose_no_message(url: str) -> None:
    """A handler that receives with a short timeout, so that most of its receives are
    cancelled, still gets every message in order; it ends quietly when the client drops."""
    with connect(f"{url}/patient") as client:
        for i in range(50):
            client.send(str(i))
            if i % 7 == 0:
                time.sleep(0.01)  # let some receives time out between messages
        assert [client.recv(timeout=10) for _ in range(50)] == [str(i) for i in range(50)]
        drop(client.socket, "rst")


def cycle(url: str, kind: str, path: str) -> None:
    """Connect, go as far as *kind* says, and reset the connection."""
    with connected(url) as sock:
        request = HANDSHAKE.format(path=path).encode()
        if kind == "partial":
            sock.sendall(request[: len(request) // 2])
        elif kind == "request":
            sock.sendall(request)
        elif kind in ("accepted", "mid-frame"):
            upgrade(sock, path)
            if kind == "mid-frame":
                sock.sendall(text_frame("w" * 1000)[:300])
        drop(sock, "rst")


def test_500_rapid_connect_abort_cycles(url: str) -> None:
    """500 connections reset right after connecting, halfway through the upgrade request,
    right after it, right after the 101 and mid-frame, on a route, an endpoint and a wrapped
    WebSocket: afterwards the server serves as before, every handler that ran ended as for
    its own disconnect, and nothing is left running."""
    kinds = ["tcp", "partial", "request", "accepted", "mid-frame"]
    paths = ["/echo", "/ask/cycle", "/wrapped"]
    plan = [(kinds[i % 5], paths[i // 5 % 3]) for i in range(500)]
    for kind, path in plan:
        cycle(url, kind, path)
    assert not app_tasks(url, wait=10)
    ended: list[tuple[Any, ...]] = []
    while not reports.empty():
        ended.append(reports.get_nowait())
    # Reset before the 101 was written (kind "request"): 1006, and an endpoint's
    # on_disconnect does not run, as the connection was never accepted.
    allowed = {
        ("endpoint", "cycle", GONE),
        ("wrapped", "?", GONE, None),
        ("wrapped", "?", 1006, None),
    }
    assert set(ended) <= allowed, set(ended) - allowed
    # every handler that accepted reported its end
    upgraded = [path for kind, path in plan if kind in ("accepted", "mid-frame")]
    assert len(ended) >= len(upgraded) - upgraded.count("/echo")
    assert still_serves(url)
    with connect(f"{url}/ask/after") as client:
        client.send('{"id": 7}')
        assert reply_or_close(client) == '{"id":7,"text":"after"}'
    assert report() == ("endpoint", "after", 1000)
