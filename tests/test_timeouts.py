"""Idle and send timeouts over a real uvicorn server: a silent peer is closed with 1001, and
a peer that never reads makes a send time out with 1013 instead of blocking the sender (a
room member too: it leaves the room), on both WebSocket implementations, while the other
connections go on."""

from __future__ import annotations

import asyncio
import logging
import queue
import socket
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.websockets import WebSocketDisconnect

from tests.raw_client import text_frame, upgraded
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from typedws import DEFAULT_SEND_TIMEOUT, Broadcast, Disconnected, Topic, WebSocket, route

outcomes: queue.Queue[tuple[str, Any]] = queue.Queue()
stuck: dict[str, WebSocket[str, str]] = {}
CHUNK = "x" * 65_536


def outcome() -> tuple[str, Any]:
    return outcomes.get(timeout=20)


@route("/echo")
async def echo(ws: WebSocket[str, str]) -> None:
    async for text in ws:
        await ws.send(text)


@route("/idle", idle_timeout=0.5)
async def idle(ws: WebSocket[str, str]) -> None:
    """Echoes; reports its close code, and whether a 0.25 s timer set before the client's
    message (so due before the idle timeout) had fired by then: the timeout was not early."""
    sooner = asyncio.Event()
    asyncio.get_running_loop().call_later(0.25, sooner.set)
    try:
        async for text in ws:
            await ws.send(text)
    finally:
        outcomes.put(("idle", (ws.close_code, sooner.is_set())))


@route("/flood", send_timeout=0.5)
async def flood(ws: WebSocket[str, str]) -> None:
    """Sends until a send times out; reports how it ended."""
    stuck["flood"] = ws
    await ws.receive()
    while True:
        try:
            await ws.send(CHUNK)
        except Disconnected as exc:
            outcomes.put(("flood", (exc.code, ws.owns(exc))))
            raise


@route("/member", send_timeout=0.5)
async def member(ws: WebSocket[str, str]) -> None:
    """Registers, then only receives: other connections send to it."""
    stuck["member"] = ws
    try:
        async for _ in ws:
            pass
    finally:
        outcomes.put(("member", ws.close_code))


@route("/relay")
async def relay(ws: WebSocket[str, str]) -> None:
    """Sends to the stuck member until that times out; then goes on echoing."""
    async for text in ws:
        if text == "relay":
            try:
                while True:
                    await stuck["member"].send(CHUNK)
            except WebSocketDisconnect as exc:
                owns = ws.owns(exc)
                outcomes.put(("relay", (exc.code, owns)))
            await ws.send("relayed")
        else:
            await ws.send(text)


broadcast = Broadcast("memory://")
lobby = Topic("lobby", str)


@route("/lobby", value_type="text", send_timeout=0.5)
async def in_lobby(ws: WebSocket[str, str]) -> None:
    """A room member that only receives; a message ``publish N`` publishes N chunks."""
    await broadcast.connect()
    room = broadcast.room(lobby, max_queue=10_000)
    try:
        async with room.joined(ws):
            async for text in ws:
                for seq in range(int(text.removeprefix("publish "))):
                    await room.publish(f"{seq:04d}" + CHUNK)
    finally:
        outcomes.put(("lobby", (ws.close_code, len(room))))


app = Starlette(routes=[echo, idle, flood, member, relay, in_lobby])


@pytest.fixture(params=WS_IMPLEMENTATIONS, scope="module")
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(app, ws=request.param) as base:
        yield base


@contextmanager
def never_reading(url: str, path: str) -> Iterator[socket.socket]:
    """A client that completes the handshake, sends what the test says, and never reads."""
    with upgraded(url, path, receive_buffer=4096) as sock:
        yield sock


def test_a_silent_connection_is_closed_with_1001(url: str) -> None:
    with connect(f"{url}/idle") as client:
        client.send("hi")
        assert client.recv(timeout=10) == "hi"
        assert close_of(client) == (1001, "idle timeout")  # within close_of's 10 s
    assert outcome() == ("idle", (1001, True))


def test_a_peer_that_never_reads_times_out_its_own_sender(url: str) -> None:
    """The handler's own send times out with 1013 (its own end), and other connections echo."""
    with never_reading(url, "/flood") as sock, connect(f"{url}/echo") as other:
        sock.sendall(text_frame("go"))
        assert outcome() == ("flood", (1013, True))  # within outcome()'s 20 s
        other.send("still here")
        assert other.recv(timeout=10) == "still here"
    assert stuck["flood"].close_code == 1013


def test_a_send_to_a_stuck_connection_raises_in_the_sender_only(url: str) -> None:
    """A send to another connection that times out raises Disconnected(1013) in the sender,
    closes the stuck connection, and leaves the sender's own connection open."""
    with never_reading(url, "/member"), connect(f"{url}/relay") as sender:
        for _ in range(100):
            if "member" in stuck and not stuck["member"].closed:
                break
            time.sleep(0.02)
        sender.send("relay")
        assert outcome() == ("relay", (1013, False))
        assert sender.recv(timeout=10) == "relayed"
        assert outcome() == ("member", 1013)
        sender.send("echo")
        assert sender.recv(timeout=10) == "echo"


def test_a_room_member_that_never_reads_is_closed_and_leaves_the_room(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A member whose peer never reads is closed with 1013 by the send timeout, before its
    queue (10,000) fills, and leaves the room; the reading member gets every message in
    order, and nothing is logged as an error."""
    with connect(f"{url}/lobby") as reader, never_reading(url, "/lobby"):
        deadline = time.monotonic() + 10
        while len(broadcast.rooms.get(lobby.name, ())) < 2:
            assert time.monotonic() < deadline, "the members did not join"
            time.sleep(0.01)
        reader.send("publish 200")
        received = [reader.recv(timeout=10)[:4] for _ in range(200)]
        assert received == [f"{seq:04d}" for seq in range(200)]
        assert outcome() == ("lobby", (1013, 1))
    assert outcome() == ("lobby", (1000, 0))
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize("how", ["rst", "fin"])
def test_a_room_member_that_drops_fails_no_publish(
    url: str, how: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A member whose client drops TCP without a close frame, just before the room
    publishes, leaves the room; the publishing member's handler goes on, its client gets
    every message in order, and nothing is logged as an error."""
    with connect(f"{url}/lobby") as reader:
        dropped = upgraded(url, "/lobby")
        deadline = time.monotonic() + 10
        while len(broadcast.rooms.get(lobby.name, ())) < 2:
            assert time.monotonic() < deadline, "the members did not join"
            time.sleep(0.01)
        if how == "rst":
            dropped.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        dropped.close()
        reader.send("publish 200")
        received = [reader.recv(timeout=10)[:4] for _ in range(200)]
        assert received == [f"{seq:04d}" for seq in range(200)]
        name, (code, members) = outcome()
        assert (name, members) == ("lobby", 1)
        assert code not in (None, 1000, 1011)
    assert outcome() == ("lobby", (1000, 0))
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_the_default_send_timeout_is_ten_seconds() -> None:
    assert DEFAULT_SEND_TIMEOUT == 10.0
