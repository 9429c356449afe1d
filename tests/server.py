"""A real uvicorn server on 127.0.0.1 with a free port, in a thread, for the tests."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
import websockets.sync.client
from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.exceptions import ConnectionClosed
from websockets.frames import Close
from websockets.sync.client import ClientConnection

WS_IMPLEMENTATIONS = ("websockets-sansio", "wsproto")


@contextmanager
def run_server(app: ASGIApp, *, ws: str = "websockets-sansio", port: int = 0) -> Iterator[str]:
    """Serve *app* under uvicorn on 127.0.0.1 at *port* (default: a free one); yield its
    ws:// base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, ws=ws, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


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
