"""The demo chat on several OS processes: uvicorn servers of ``examples.chat.app`` sharing
one test-owned ``redis-server``, with typed clients (``typedws.connect``) on each; a client
that is dropped while the room talks comes back and gets what it missed; and the Broadcast
page's command, ``python -m examples.chat --redis URL``, with its two workers."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest

import typedws
from examples.chat.app import (
    ClientMessage,
    Error,
    Join,
    Joined,
    Leave,
    Left,
    Members,
    Said,
    Say,
    ServerMessage,
    Welcome,
    Who,
)
from tests.redis_server import RedisServer
from tests.server import connect, demo_command, free_port, run

ROOT = Path(__file__).resolve().parents[1]
HISTORY = 300

Received = Welcome | Joined | Said | Left | Members | Error
ChatClient = typedws.Client[Received, Join | Say | Leave | Who]


class DemoProcess:
    """``examples.chat.app`` served by uvicorn in an OS process of its own, on a fixed port:
    ``stop()`` and ``start()`` again restart it there."""

    def __init__(self, redis_url: str, *, history: int = HISTORY) -> None:
        self.port = free_port()
        self.env = {
            **os.environ,
            "TYPEDWS_CHAT_REDIS": redis_url,
            "TYPEDWS_CHAT_HISTORY": str(history),
        }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def ws(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "examples.chat.app:app", "--host", "127.0.0.1",
             "--port", str(self.port), "--ws", "websockets-sansio", "--log-level", "warning"],
            cwd=ROOT,
            env=self.env,
        )  # fmt: skip
        wait_for_page(f"http://127.0.0.1:{self.port}/", self.process)

    def stop(self) -> None:
        """Stop it as a deploy does (SIGTERM: uvicorn closes its connections with 1012)."""
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
            self.process = None


def wait_for_page(url: str, process: subprocess.Popen[Any]) -> None:
    """Wait until *url* answers, failing if *process* ends or 20 s pass first."""
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the demo did not start")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def servers(redis: RedisServer) -> Iterator[tuple[DemoProcess, DemoProcess]]:
    """Two demo processes sharing one Redis."""
    one, two = DemoProcess(redis.url), DemoProcess(redis.url)
    try:
        one.start()
        two.start()
        yield one, two
    finally:
        one.stop()
        two.stop()


def unique(prefix: str) -> str:
    """A name no other test uses: the roster in Redis outlives each test."""
    return f"{prefix}-{uuid.uuid4().hex[:6]}"


def chat(url: str, **options: Any) -> typedws.Connecting[Received, Join | Say | Leave | Who]:
    options.setdefault("receive_timeout", 10)
    return typedws.connect(url, receive_model=ServerMessage, send_model=ClientMessage, **options)


async def joined(client: ChatClient, name: str) -> Welcome:
    """Join *client* as *name*; its welcome."""
    await client.send(Join(type="join", name=name))
    welcome = await client.receive()
    assert isinstance(welcome, Welcome), welcome
    return welcome


async def next_of(client: ChatClient, kind: type[Any]) -> Any:
    """The next message of *kind*, skipping the room's others (joins and leaves)."""
    while True:
        message = await client.receive()
        if isinstance(message, kind):
            return message
        assert isinstance(message, (Joined, Left)), message


def test_clients_on_two_processes_see_each_other(
    servers: tuple[DemoProcess, DemoProcess],
) -> None:
    """Joins, what is said and leaves cross processes, typed and with offsets; who is here
    and whether a name is taken are known across processes."""
    one, two = servers
    ada, bob = unique("ada"), unique("bob")

    async def main() -> None:
        async with chat(one.ws) as on_one, chat(two.ws) as on_two, chat(one.ws) as other:
            assert ada not in (await joined(on_one, ada)).members  # the others only
            assert ada in await names(on_one, ada)
            welcome = await joined(on_two, bob)
            assert ada in welcome.members
            seen = await on_one.receive()
            assert isinstance(seen, Joined)
            assert (seen.name, bool(seen.offset)) == (bob, True)
            await on_two.send(Say(type="say", text="hello from two ✓"))
            offsets = set()
            for client in (on_one, on_two):
                said = await client.receive()
                assert isinstance(said, Said)
                assert (said.name, said.text) == (bob, "hello from two ✓")
                offsets.add(said.offset)
            assert len(offsets) == 1
            assert "" not in offsets
            for client in (on_one, on_two):
                assert {ada, bob} <= set(await names(client, ada))
            await other.send(Join(type="join", name=bob))  # bob is on the other process
            assert await other.receive() == Error(detail=f"the name {bob} is taken")
            await on_two.send(Leave(type="leave"))
            gone = await on_one.receive()
            assert isinstance(gone, Left)
            assert gone.name == bob
            assert bob not in await names(on_one, ada)

    run(main(), 60)


async def names(client: ChatClient, asker: str) -> list[str]:
    """Who *client* is told is here (a request, answered by id)."""
    members = await client.request(Who(type="who", id=asker), reply=Members)
    assert members.names == sorted(members.names)
    return members.names


def test_a_dropped_client_resumes_with_all_it_missed(
    redis: RedisServer, servers: tuple[DemoProcess, DemoProcess]
) -> None:
    """A typed client with reconnect and resume, whose server process is stopped while 200
    messages are said on the other, comes back (to that process, restarted) with all 200,
    in order, once each, then live ones; its welcome says nothing was lost."""
    _, two = servers
    own = DemoProcess(redis.url)
    xena, sayer = unique("xena"), unique("sayer")
    rejoins: list[ChatClient] = []

    async def rejoin(client: ChatClient) -> None:
        rejoins.append(client)
        await client.send(Join(type="join", name=xena))

    async def main() -> None:
        await asyncio.to_thread(own.start)
        try:
            policy = typedws.Reconnect(initial_delay=0.05, max_delay=0.2, max_attempts=300)
            resuming = chat(own.ws, reconnect=policy, on_reconnect=rejoin, resume=typedws.Resume())
            async with resuming as away, chat(two.ws) as talker:
                await joined(away, xena)
                await joined(talker, sayer)
                await talker.send(Say(type="say", text="before"))
                assert (await next_of(away, Said)).text == "before"
                assert away.last_offset is not None
                await asyncio.to_thread(own.stop)
                for n in range(200):
                    await talker.send(Say(type="say", text=f"missed {n}"))
                said = [await next_of(talker, Said) for _ in range(201)]
                assert [m.text for m in said[1:]] == [f"missed {n}" for n in range(200)]
                await asyncio.to_thread(own.start)
                welcome = await next_of(away, Welcome)
                assert welcome.recovered
                assert rejoins == [away]
                missed = [await next_of(away, Said) for _ in range(200)]
                assert [m.text for m in missed] == [f"missed {n}" for n in range(200)]
                assert [m.offset for m in missed] == [m.offset for m in said[1:]]
                await talker.send(Say(type="say", text="live"))
                live = await next_of(away, Said)
                assert live.text == "live"
                assert away.last_offset == live.offset
        finally:
            await asyncio.to_thread(own.stop)

    run(main(), 60)


def test_an_offset_out_of_history_is_told(servers: tuple[DemoProcess, DemoProcess]) -> None:
    """A client that comes back with an offset older than the history kept is told so
    (recovered false) and gets live messages only; one within history gets what it missed."""
    one, two = servers
    talker_name = unique("talker")

    async def main() -> None:
        async with chat(one.ws) as talker:
            await joined(talker, talker_name)
            await talker.send(Say(type="say", text="first"))
            first = await next_of(talker, Said)
            for n in range(3 * HISTORY):
                await talker.send(Say(type="say", text=f"x {n}"))
            recent = [await next_of(talker, Said) for _ in range(3 * HISTORY)]
            async with chat(f"{two.ws}?since={first.offset}") as late:
                assert not (await joined(late, unique("late"))).recovered
                await talker.send(Say(type="say", text="live"))
                assert (await next_of(late, Said)).text == "live"
            async with chat(f"{two.ws}?since={recent[-2].offset}") as back:
                assert (await joined(back, unique("back"))).recovered
                assert (await next_of(back, Said)).offset == recent[-1].offset

    run(main(), 60)


def workers_of(pid: int) -> list[int]:
    """The worker processes uvicorn started for *pid* (spawned by multiprocessing)."""
    workers = []
    for entry in Path("/proc").iterdir():
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue  # not a process, or one that just ended
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and b"spawn_main" in command:
            workers.append(int(entry.name))
    return workers


def test_the_demo_command_with_redis_runs_two_workers(redis: RedisServer) -> None:
    """python -m examples.chat --redis URL serves the demo from two worker processes whose
    clients all see each other's messages and names."""
    with demo_command("--redis", redis.url) as (port, process, first):
        assert process.stdout is not None
        assert f"http://127.0.0.1:{port}/" in first
        assert f"2 processes sharing {redis.url}" in first
        logs = threading.Thread(target=process.stdout.read, daemon=True)  # keep it flowing
        logs.start()
        wait_for_page(f"http://127.0.0.1:{port}/", process)
        assert len(workers_of(process.pid)) == 2
        everyone = [unique(f"w{n}") for n in range(8)]
        with ExitStack() as stack:
            clients = [stack.enter_context(connect(f"ws://127.0.0.1:{port}/ws")) for _ in everyone]
            for client, name in zip(clients, everyone, strict=True):
                client.send(json.dumps({"type": "join", "name": name}))
                assert json.loads(client.recv(timeout=10))["type"] == "welcome"
            clients[0].send(json.dumps({"type": "say", "text": "to all"}))
            for client in clients:
                while (message := json.loads(client.recv(timeout=10)))["type"] == "joined":
                    pass
                assert (message["type"], message["text"]) == ("said", "to all")
            for client in clients:
                client.send(json.dumps({"type": "who", "id": "w"}))
                reply = json.loads(client.recv(timeout=10))
                assert reply["type"] == "members"
                assert set(everyone) <= set(reply["names"])
