"""The client: a preflight check and the timed modes, with the ``websockets`` asyncio client."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from bench.messages import INVALID, TEXTS

TIMEOUT = 120.0

#: Reads the server's CPU time in seconds; a mode reads it just before and after its timed part.
Probe = Callable[[], float]


async def open_connection(url: str) -> ClientConnection:
    return await connect(url, open_timeout=10, close_timeout=10, max_queue=None, compression=None)


def _messages(count: int) -> list[str]:
    return [TEXTS[i % len(TEXTS)] for i in range(count)]


async def preflight(url: str, validates: bool) -> str:
    """Check *url* echoes each sample equal, and closes on an invalid one; describe what it did."""
    ws = await open_connection(url)
    try:
        for text in TEXTS:
            await ws.send(text)
            reply = await asyncio.wait_for(ws.recv(), 10)
            if json.loads(reply) != json.loads(text):
                raise AssertionError(f"{url} echoed {reply!r} for {text!r}")
        await ws.send(INVALID)
        try:
            reply = await asyncio.wait_for(ws.recv(), 10)
        except ConnectionClosed as exc:
            if exc.rcvd is None:
                raise AssertionError(f"{url} dropped the connection without a close frame") from exc
            if not validates:
                raise AssertionError(f"{url} closed on input it does not validate") from exc
            return f"closed {exc.rcvd.code} {exc.rcvd.reason!r}"
        if validates:
            raise AssertionError(f"{url} echoed an invalid message: {reply!r}")
        return "echoed it (no validation)"
    finally:
        await ws.close()


async def _timed(
    work: Callable[[], Awaitable[object]], count: int, probe: Probe
) -> tuple[float, float]:
    """Run *work*: messages per second, and seconds of server CPU per message."""
    cpu = probe()
    start = time.perf_counter()
    await asyncio.wait_for(work(), TIMEOUT)
    elapsed = time.perf_counter() - start
    return count / elapsed, (probe() - cpu) / count


async def _pipeline(ws: ClientConnection, messages: list[str]) -> None:
    async def sender() -> None:
        for text in messages:
            await ws.send(text)

    task = asyncio.create_task(sender())
    for _ in messages:
        await ws.recv()
    await task


async def pipelined(url: str, count: int, probe: Probe) -> tuple[float, float]:
    """Send *count* messages and read the *count* echoes on one connection."""
    messages = _messages(count)
    ws = await open_connection(url)
    try:
        return await _timed(lambda: _pipeline(ws, messages), count, probe)
    finally:
        await ws.close()


async def ping_pong(url: str, count: int, probe: Probe) -> tuple[float, float]:
    """Send one message and wait for its echo, *count* times."""
    messages = _messages(count)

    async def run() -> None:
        for text in messages:
            await ws.send(text)
            await ws.recv()

    ws = await open_connection(url)
    try:
        return await _timed(run, count, probe)
    finally:
        await ws.close()


async def concurrent(url: str, count: int, connections: int, probe: Probe) -> tuple[float, float]:
    """Pipeline ``count // connections`` messages on each of *connections* at once."""
    per_connection = max(1, count // connections)
    messages = _messages(per_connection)
    sockets = await asyncio.gather(*(open_connection(url) for _ in range(connections)))

    async def run() -> None:
        await asyncio.gather(*(_pipeline(ws, messages) for ws in sockets))

    try:
        return await _timed(run, per_connection * connections, probe)
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))


#: A timed mode: (url, messages, connections, probe) -> (messages/s, server CPU s/message).
Mode = Callable[[str, int, int, Probe], Awaitable[tuple[float, float]]]

MODES: dict[str, Mode] = {
    "pipelined": lambda url, count, _, probe: pipelined(url, count, probe),
    "ping-pong": lambda url, count, _, probe: ping_pong(url, count, probe),
    "concurrent": concurrent,
}
