"""A real uvicorn server on 127.0.0.1 with a free port, in a thread, for the tests."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn
import websockets.sync.client
from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close
from websockets.sync.client import ClientConnection

WS_IMPLEMENTATIONS = ("websockets-sansio", "wsproto")
ROOT = Path(__file__).resolve().parents[1]


def run(coroutine: Awaitable[Any], timeout: float = 30) -> Any:
    """Run *coroutine* in a new event loop, failing after *timeout* seconds instead of
    hanging."""

    async def bounded() -> Any:
        return await asyncio.wait_for(coroutine, timeout)

    return asyncio.run(bounded())


def free_port() -> int:
    """A TCP port of 127.0.0.1 free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _Server(uvicorn.Server):
    """uvicorn's server, keeping the event loop it serves on and its own main task."""

    loop: asyncio.AbstractEventLoop | None = None
    main_task: asyncio.Task[Any] | None = None

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        self.loop = asyncio.get_running_loop()
        self.main_task = asyncio.current_task()
        await super().startup(sockets=sockets)


_servers: dict[str, _Server] = {}


@contextmanager
def run_server(app: ASGIApp, *, ws: str = "websockets-sansio", port: int = 0) -> Iterator[str]:
    """Serve *app* under uvicorn on 127.0.0.1 at *port* (default: a free one); yield its
    ws:// base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    url = f"ws://127.0.0.1:{port}"
    config = uvicorn.Config(app, ws=ws, lifespan="off", log_level="warning")
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        _servers[url] = server
        yield url
    finally:
        _servers.pop(url, None)
        server.should_exit = True
        thread.join(10)
        sock.close()


def wait_for_port(port: int, process: subprocess.Popen[Any]) -> None:
    """Wait (30 s at most) until *process* accepts connections on *port* of 127.0.0.1."""
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start") from None
            time.sleep(0.05)


@contextmanager
def uvicorn_process(
    app: str, *, env: Mapping[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """*app* (``module:attribute``) served by uvicorn (websockets-sansio) in an OS process of
    its own, on 127.0.0.1 and a free port, with *env* added to the environment; yields its
    http:// base URL once it accepts connections, and the process."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port),
         "--ws", "websockets-sansio", "--log-level", "warning"],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextmanager
def demo_command(*args: str) -> Iterator[tuple[int, subprocess.Popen[str], str]]:
    """``python -m examples.chat --port N *args`` run as the README says, N a free port, its
    output (stderr too) through a text pipe; yields N, the process and the first line it
    printed. The process is stopped (SIGTERM) when the block ends."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.chat", "--port", str(port), *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield port, process, process.stdout.readline()
    finally:
        process.terminate()
        process.wait(20)
        if process.stdout is not None:
            process.stdout.close()


def app_tasks(url: str, *, wait: float = 5.0) -> list[asyncio.Task[Any]]:
    """The tasks left on the event loop of the server at *url* besides uvicorn's own: those
    of connections and whatever the app started. Waits up to *wait* seconds for them to end."""
    server = _servers[url]
    assert server.loop is not None

    async def others() -> list[asyncio.Task[Any]]:
        own = {asyncio.current_task(), server.main_task}
        return [task for task in asyncio.all_tasks() if task not in own]

    deadline = time.monotonic() + wait
    while True:
        tasks = asyncio.run_coroutine_threadsafe(others(), server.loop).result(10)
        if not tasks or time.monotonic() > deadline:
            return tasks
        time.sleep(0.02)


def open_connections(url: str) -> int:
    """How many connections the server at *url* holds open."""
    return len(_servers[url].server_state.connections)


def connect(url: str, **options: Any) -> ClientConnection:
    """Open a real client connection to *url* (the ``websockets`` library)."""
    return websockets.sync.client.connect(url, open_timeout=10, close_timeout=10, **options)


def reply_or_close(connection: ClientConnection) -> str | bytes | Close:
    """The next message from the server, or the close frame it sent instead."""
    try:
        return connection.recv(timeout=10)
    except ConnectionClosed as exc:
        if exc.rcvd is None:
            raise AssertionError("the connection dropped without a close frame") from exc
        return exc.rcvd


def close_of(connection: ClientConnection) -> tuple[int, str]:
    """Read until the server closes; return the close code and reason it sent."""
    while not isinstance(reply := reply_or_close(connection), Close):
        pass
    return reply.code, reply.reason


class ASGIEndpoint:
    """Mark a plain ``async def (scope, receive, send)`` as an ASGI app for Starlette's routes."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)
