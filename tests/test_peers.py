"""Many connections over a real uvicorn server: a peer that is gone never takes down the
connection that sends to it, and each connection ends for its own reasons only."""

from __future__ import annotations

import asyncio
import logging
import queue
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect
from websockets.frames import Close, Frame, Opcode
from websockets.sync.client import ClientConnection

from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from typedws import Disconnected, InvalidState, WebSocket, route

members: dict[str, WebSocket[str, str]] = {}
wake: dict[str, asyncio.Event] = {}
outcomes: queue.Queue[tuple[str, Any]] = queue.Queue()


def outcome() -> tuple[str, Any]:
    """What a handler reported, waiting for it."""
    return outcomes.get(timeout=10)


def describe(exc: BaseException) -> tuple[str, Any]:
    """A handler's exception as the tests compare it."""
    if isinstance(exc, Disconnected):
        return ("disconnected", exc.code)
    return (type(exc).__name__, str(exc))


@route("/room/{name}")
async def room(ws: WebSocket[str, str], name: str) -> None:
    """A member: ``nap`` stops receiving until woken, then sends; ``tell X`` sends to X and
    reports the result; ``shout X`` sends to X without catching; ``wake X`` wakes X."""
    members[name] = ws
    async for text in ws:
        command, _, other = text.partition(" ")
        if command == "nap":
            wake[name] = asyncio.Event()
            await ws.send("napping")
            await wake[name].wait()
            try:
                await ws.send("awake")
            except Exception as exc:
                outcomes.put((f"{name} woke", describe(exc)))
                raise
        elif command == "doze":  # like nap, but goes on receiving when woken
            wake[name] = asyncio.Event()
            await ws.send("napping")
            await wake[name].wait()
        elif command == "tell":
            try:
                await members[other].send(f"from {name}")
            except WebSocketDisconnect as exc:
                outcomes.put((f"{name} told {other}", describe(exc)))
                await ws.send(f"{other} is gone")
            else:
                await ws.send(f"told {other}")
        elif command == "shout":
            await members[other].send(f"from {name}")
        elif command == "quit":
            await ws.close(1000, "quit")
            try:
                await ws.send("after quit")
            except Exception as exc:
                outcomes.put((f"{name} quit", describe(exc)))
            return
        elif command == "wake":
            wake[other].set()
            await ws.send(f"woke {other}")


@route("/flood")
async def flood(ws: WebSocket[str, str]) -> None:
    """Fills the transport while the client reads nothing, closes, and sends on meanwhile."""
    await ws.receive()
    payload = "x" * 2**20

    async def send_one() -> None:
        try:
            await ws.send(payload)
        except Exception as exc:
            outcomes.put(("flood send", type(exc).__name__))
        else:
            outcomes.put(("flood send", "sent"))

    before = [asyncio.ensure_future(send_one()) for _ in range(16)]
    await asyncio.sleep(0.2)
    closing = asyncio.ensure_future(ws.close(1000, "flooded"))
    await asyncio.sleep(0.1)
    after = [asyncio.ensure_future(send_one()) for _ in range(16)]
    await asyncio.gather(closing, *before, *after)
    try:
        await ws.send("after close")
    except InvalidState:
        outcomes.put(("flood", "done"))


async def plain(websocket: StarletteWebSocket) -> None:
    """Like ``room``'s ``shout``, in ``async with`` around Starlette's WebSocket."""
    async with WebSocket(websocket) as ws:
        async for text in ws:
            await members[text].send("from plain")


app = Starlette(routes=[room, flood, StarletteWebSocketRoute("/plain", plain)])


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The app under uvicorn, once per WebSocket implementation."""
    with run_server(app, ws=request.param) as base:
        yield base


@pytest.fixture(autouse=True)
def fresh_room() -> Iterator[None]:
    """Each test starts with an empty room and no reports left over."""
    members.clear()
    wake.clear()
    yield
    assert outcomes.empty(), outcomes.get_nowait()


@contextmanager
def napping(url: str, name: str) -> Iterator[ClientConnection]:
    """A member whose handler is busy: it receives nothing until woken."""
    with connect(f"{url}/room/{name}") as client:
        client.send("nap")
        assert client.recv(timeout=10) == "napping"
        yield client


def tell_until_gone(client: ClientConnection, name: str) -> None:
    """Send to *name* until the server has noticed that it dropped (bounded: 5 s).

    Until then a send to it may still go out: the server has not read the reset yet.
    """
    deadline = time.monotonic() + 5
    while True:
        client.send(f"tell {name}")
        if client.recv(timeout=10) == f"{name} is gone":
            return
        assert time.monotonic() < deadline, "the server never noticed the dropped peer"
        time.sleep(0.02)


def abort(client: ClientConnection) -> None:
    """Drop the TCP connection without a close frame."""
    client.socket.setsockopt(
        socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
    )
    client.socket.close()


@pytest.mark.parametrize(("code", "reason"), [(1000, ""), (4001, "bye")])
def test_send_to_a_departed_peer_raises_its_disconnect(url: str, code: int, reason: str) -> None:
    """A send to a peer that closed raises a disconnect with the peer's code in the sender,
    whose own connection stays open; the peer's own handler then ends quietly."""
    with napping(url, "b") as b:
        b.close(code, reason)
        with connect(f"{url}/room/a") as a:
            a.send("tell b")
            assert a.recv(timeout=10) == "b is gone"
            assert outcome() == ("a told b", ("disconnected", code))
            a.send("tell b")  # the same answer every time
            assert a.recv(timeout=10) == "b is gone"
            assert outcome() == ("a told b", ("disconnected", code))
            a.send("wake b")
            assert a.recv(timeout=10) == "woke b"
            assert outcome() == ("b woke", ("disconnected", code))
            a.send("tell b")
            assert a.recv(timeout=10) == "b is gone"
            assert outcome() == ("a told b", ("disconnected", code))


def test_a_dropped_peer_gives_every_sender_the_same_disconnect(url: str) -> None:
    """A peer that dropped without a close frame: each send, from any task, raises the
    disconnect with one code, never ``InvalidState``."""
    with napping(url, "b") as b:
        abort(b)
        with connect(f"{url}/room/a") as a, connect(f"{url}/room/c") as c:
            tell_until_gone(a, "b")
            told = outcome()
            assert told[0] == "a told b"
            assert told[1][0] == "disconnected"
            assert told[1][1] in (1005, 1006)
            c.send("tell b")
            assert c.recv(timeout=10) == "b is gone"
            assert outcome() == ("c told b", told[1])
            a.send("wake b")
            assert a.recv(timeout=10) == "woke b"
            assert outcome() == ("b woke", told[1])


def test_an_uncaught_failed_send_to_another_connection_closes_the_sender_with_1011(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A disconnect raised by a send to another connection is the sender's error: close
    frame 1011 and a logged traceback, never a dropped connection."""
    with napping(url, "b") as b:
        b.close()
        with caplog.at_level(logging.ERROR, logger="typedws"), connect(f"{url}/room/a") as a:
            a.send("shout b")
            assert close_of(a) == (1011, "")
        assert any("room raised" in r.getMessage() for r in caplog.records)
        with connect(f"{url}/room/c") as c:
            c.send("wake b")
            assert c.recv(timeout=10) == "woke b"
            assert outcome() == ("b woke", ("disconnected", 1000))


def test_async_with_takes_another_connection_s_disconnect_for_an_error(url: str) -> None:
    """``async with ws`` closes its own connection with 1011 when a send to another
    connection raises, and lets the exception out."""
    with napping(url, "b") as b:
        b.close()
        with connect(f"{url}/plain") as a:
            a.send("b")
            assert close_of(a) == (1011, "")
        with connect(f"{url}/room/c") as c:
            c.send("wake b")
            assert c.recv(timeout=10) == "woke b"
            assert outcome() == ("b woke", ("disconnected", 1000))


def test_a_departed_peer_is_not_logged_as_an_error(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The handler of a peer that simply left ends without an error in the log."""
    with napping(url, "b") as b:
        b.close()
        with caplog.at_level(logging.ERROR, logger="typedws"), connect(f"{url}/room/a") as a:
            a.send("wake b")
            assert a.recv(timeout=10) == "woke b"
            assert outcome() == ("b woke", ("disconnected", 1000))
            a.send("tell b")
            assert a.recv(timeout=10) == "b is gone"
            assert outcome() == ("a told b", ("disconnected", 1000))
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_messages_read_ahead_by_a_failed_send_still_reach_their_handler(url: str) -> None:
    """Messages a departed peer sent before leaving reach its own handler, in order, before
    the disconnect, even when another connection's failed send read them first."""
    with connect(f"{url}/room/b") as b:
        b.send("doze")
        assert b.recv(timeout=10) == "napping"
        # One write, so that the server reads the message and the close frame together.
        message = Frame(Opcode.TEXT, b"tell a").serialize(mask=True)
        close = Frame(Opcode.CLOSE, Close(1000, "").serialize())
        b.socket.sendall(message + close.serialize(mask=True))
        with connect(f"{url}/room/a") as a:
            a.send("tell b")
            assert a.recv(timeout=10) == "b is gone"
            assert outcome() == ("a told b", ("disconnected", 1000))
            a.send("wake b")
            assert a.recv(timeout=10) == "woke b"
            assert a.recv(timeout=10) == "from b"  # b's handler carried out "tell a"


def test_sends_waiting_when_the_app_closes_end_cleanly(url: str) -> None:
    """Sends waiting on back-pressure when the app closes end in ``InvalidState`` or a
    disconnect, never the server's bare ``RuntimeError``; a send after close is
    ``InvalidState``."""
    with raw_client(url, "/flood") as sock:
        sock.sendall(Frame(Opcode.TEXT, b"go").serialize(mask=True))
        time.sleep(0.6)  # read nothing while the app fills the transport and closes
        received = bytearray()
        while not received.endswith(b"\x88\x09\x03\xe8flooded"):
            chunk = sock.recv(2**20)
            assert chunk, "the connection ended without the close frame"
            received += chunk
    results = [outcome() for _ in range(33)]
    assert results[-1] == ("flood", "done")
    kinds = [kind for _, kind in results[:-1]]
    assert set(kinds) <= {"sent", "InvalidState", "Disconnected"}, kinds
    assert "InvalidState" in kinds, kinds


@contextmanager
def raw_client(url: str, path: str) -> Iterator[socket.socket]:
    """A client that completes the handshake, then reads only when the test does."""
    host, port = url.removeprefix("ws://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        response = b""
        while b"\r\n\r\n" not in response:
            response += sock.recv(1)
        assert response.startswith(b"HTTP/1.1 101")
        yield sock


def test_a_send_after_the_app_closed_is_invalid_state(url: str) -> None:
    """``InvalidState`` is kept for what the app did: a send after it closed."""
    with connect(f"{url}/room/a") as a:
        a.send("quit")
        assert close_of(a) == (1000, "quit")
    assert outcome() == ("a quit", ("InvalidState", "cannot send: the connection is closed"))
