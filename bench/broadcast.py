"""``python -m bench.broadcast``: fan-out throughput of typedws rooms on two processes.

A ``redis-server`` of its own (Debian's, on a free port, no persistence), two uvicorn
processes of this module's ``app`` sharing it through ``Broadcast("redis://...")``, and
``--connections`` clients (the ``websockets`` library) spread over both processes and over
``--rooms`` rooms. One member of each room sends ``--messages`` messages; every member of
the room, on either process, must get each of them exactly once, in order. It reports the
fan-out deliveries per second: messages delivered to members, over the time from the first
send to the last delivery. Client and servers share the machine, so the figure is a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from starlette.applications import Starlette

from bench.server import ROOT, free_port, raise_fd_limit
from typedws import WebSocket, route
from typedws.broadcast import Broadcast, Topic


class Say(BaseModel):
    type: Literal["say"] = "say"
    seq: int


class Said(BaseModel):
    type: Literal["said"] = "said"
    seq: int
    offset: str = ""


broadcast = Broadcast(os.environ.get("TYPEDWS_BENCH_BROADCAST", "memory://"))


@route("/room/{name}", receive_model=Say, send_model=Said)
async def member(ws: WebSocket[Say, Said], name: str) -> None:
    """A room member: what it says is published to the room."""
    room = broadcast.room(Topic(f"bench:{name}", Said), offset_field="offset", max_queue=10_000)
    async with room.joined(ws):
        async for message in ws:
            await room.publish(Said(seq=message.seq))


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncGenerator[None, None]:
    async with broadcast:
        yield


app = Starlette(routes=[member], lifespan=lifespan)


def start_redis(directory: str) -> tuple[subprocess.Popen[bytes], int]:
    """Debian's redis-server on a free port; wait until it answers."""
    program = shutil.which("redis-server") or "/usr/bin/redis-server"
    port = free_port()
    process = subprocess.Popen(
        [program, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
         "no", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    wait_for_port(port, process)
    return process, port


def start_server(redis_port: int) -> tuple[subprocess.Popen[bytes], int]:
    """This module's app under uvicorn, on Redis."""
    port = free_port()
    env = {**os.environ, "TYPEDWS_BENCH_BROADCAST": f"redis://127.0.0.1:{redis_port}/0"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.broadcast:app", "--app-dir", str(ROOT),
         "--host", "127.0.0.1", "--port", str(port), "--ws", "websockets-sansio",
         "--log-level", "warning"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    wait_for_port(port, process)
    return process, port


def wait_for_port(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nothing listens on port {port}") from None
            time.sleep(0.05)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


async def fan_out(ports: list[int], connections: int, rooms: int, messages: int) -> dict[str, Any]:
    """Connect the members, let one per room send, check every delivery; return figures."""
    from websockets.asyncio.client import connect

    clients: list[tuple[int, Any]] = []
    for index in range(connections):
        port, room = ports[index % len(ports)], index % rooms
        url = f"ws://127.0.0.1:{port}/room/r{room}"
        clients.append((room, await connect(url, max_queue=None, open_timeout=30)))
    await asyncio.sleep(0.5)  # every process has subscribed its rooms
    received: dict[int, list[int]] = {}

    async def read(index: int, client: Any) -> None:
        seqs = received.setdefault(index, [])
        while len(seqs) < messages:
            seqs.append(Said.model_validate_json(await client.recv()).seq)

    readers = [asyncio.create_task(read(i, client)) for i, (_, client) in enumerate(clients)]
    senders = {room: client for room, client in reversed(clients)}  # the first of each room
    started = time.perf_counter()
    for seq in range(messages):
        for client in senders.values():
            await client.send(Say(seq=seq).model_dump_json())
    await asyncio.wait_for(asyncio.gather(*readers), 300)
    elapsed = time.perf_counter() - started
    for client in (client for _, client in clients):
        await client.close()
    expected = list(range(messages))
    wrong = sum(1 for seqs in received.values() if seqs != expected)
    if wrong:
        raise AssertionError(f"{wrong} members did not get every message once, in order")
    deliveries = connections * messages
    return {
        "connections": connections,
        "processes": len(ports),
        "rooms": rooms,
        "messages_per_room": messages,
        "deliveries": deliveries,
        "seconds": round(elapsed, 3),
        "deliveries_per_second": round(deliveries / elapsed),
    }


def run(connections: int, rooms: int, messages: int) -> dict[str, Any]:
    """Start Redis and two servers, measure, stop them; return the figures."""
    raise_fd_limit()
    with tempfile.TemporaryDirectory() as directory:
        redis, redis_port = start_redis(directory)
        servers: list[tuple[subprocess.Popen[bytes], int]] = []
        try:
            servers = [start_server(redis_port) for _ in range(2)]
            ports = [port for _, port in servers]
            return asyncio.run(fan_out(ports, connections, rooms, messages))
        finally:
            for process, _ in servers:
                stop(process)
            stop(redis)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.broadcast", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks it runs")
    parser.add_argument("--connections", type=int, help="members in all (default 1000)")
    parser.add_argument("--rooms", type=int, help="rooms (default 10)")
    parser.add_argument("--messages", type=int, help="messages per room (default 200)")
    parser.add_argument("--json", type=Path, help="also write the figures there")
    args = parser.parse_args()
    connections = args.connections or (40 if args.smoke else 1000)
    rooms = args.rooms or (4 if args.smoke else 10)
    messages = args.messages or (10 if args.smoke else 200)
    figures = run(connections, rooms, messages)
    print(
        f"broadcast fan-out: {figures['connections']} connections in {figures['rooms']} rooms"
        f" on {figures['processes']} processes over Redis, {figures['messages_per_room']}"
        f" messages per room: {figures['deliveries']} deliveries in {figures['seconds']} s,"
        f" {figures['deliveries_per_second']:,} deliveries/s"
    )
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"broadcast": figures}, indent=2) + "\n")


if __name__ == "__main__":
    main()
