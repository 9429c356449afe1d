"""The test client's transport: an ASGI app run in the same event loop, over two queues.

No server, no thread, no socket: the app's task and the test share the loop. The app gets
what an ASGI server would give it (``websocket.connect``, the client's messages, then
``websocket.disconnect``), and the client gets what the app sends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp

from typedws._transport import Transport, TransportClosed
from typedws.codecs import Message
from typedws.codes import CloseCode
from typedws.errors import HandshakeRejected
from typedws.testing._tasks import end

__all__ = ["ASGIOpener"]

_ENDED = "typedws.ended"
"""Marks the close message the transport makes when the app ended without closing."""


@dataclass(frozen=True)
class ASGIOpener:
    """Opens in-process connections to *app* at *url* with the client's options."""

    app: ASGIApp
    url: str
    subprotocols: Sequence[str] | None
    additional_headers: Mapping[str, str] | Sequence[tuple[str, str]] | None
    open_timeout: float | None
    close_timeout: float | None
    state: Mapping[str, Any] = field(default_factory=dict[str, Any])
    """The lifespan's state: each connection's scope gets a copy, as servers give it."""

    async def __call__(self) -> Transport:
        """Run the app on a new connection; return when it accepted (or raise
        ``HandshakeRejected`` when it refused)."""
        transport = _ASGITransport(self.app, self._scope(), self.close_timeout)
        await transport.start(self.open_timeout)
        return transport

    def _scope(self) -> dict[str, Any]:
        parts = urlsplit(self.url)
        host = parts.hostname or "testserver"
        port = parts.port or (443 if parts.scheme == "wss" else 80)
        headers = [(b"host", (parts.netloc or host).encode())]
        extra = self.additional_headers or ()
        items = extra.items() if isinstance(extra, Mapping) else extra
        headers += [(name.lower().encode(), value.encode()) for name, value in items]
        if self.subprotocols:
            headers.append((b"sec-websocket-protocol", ", ".join(self.subprotocols).encode()))
        return {
            "type": "websocket",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "scheme": parts.scheme or "ws",
            "server": (host, port),
            "client": ("127.0.0.1", 50000),
            "root_path": "",
            "path": parts.path or "/",
            "raw_path": (parts.path or "/").encode(),
            "query_string": parts.query.encode(),
            "headers": headers,
            "subprotocols": list(self.subprotocols or ()),
            "state": dict(self.state),
            "extensions": {"websocket.http.response": {}},
        }


class _ASGITransport(Transport):
    def __init__(self, app: ASGIApp, scope: dict[str, Any], close_timeout: float | None) -> None:
        self._app = app
        self._scope = scope
        self._close_timeout = close_timeout
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._client_closed = False  # the client sent its close
        self._app_closed = False  # the app sent its close, or ended

    async def start(self, timeout: float | None) -> None:
        self._to_app.put_nowait({"type": "websocket.connect"})
        self._task = asyncio.ensure_future(self._run())
        try:
            first = await asyncio.wait_for(self._from_app.get(), timeout)
        except asyncio.TimeoutError:
            await self._stop()
            raise TimeoutError("the app did not accept the connection in time") from None
        kind = first["type"]
        if kind == "websocket.accept":
            self.subprotocol = first.get("subprotocol")
            return
        await self._stop()
        if kind == "websocket.http.response.start":
            raise HandshakeRejected(int(first.get("status", 403)))
        # Closed before accept: servers answer 403; ended without accepting: 500.
        raise HandshakeRejected(500 if first.get(_ENDED) else 403)

    async def _run(self) -> None:
        try:
            await self._app(self._scope, self._app_receive, self._app_send)
        finally:
            if not self._app_closed:
                # Ended without closing: servers drop the connection without a close frame.
                self._app_closed = True
                code = CloseCode.ABNORMAL_CLOSURE
                self._from_app.put_nowait(
                    {"type": "websocket.close", "code": code, "reason": "", _ENDED: True}
                )

    async def _app_receive(self) -> Message:
        return await self._to_app.get()

    async def _app_send(self, message: Message) -> None:
        if self._app_closed or self._client_closed:
            raise OSError("the client has disconnected")
        if message["type"] == "websocket.close":
            self._app_closed = True
            # The app's close reaches its own receive as a disconnect, as servers do.
            code = message.get("code", CloseCode.NORMAL_CLOSURE)
            self._to_app.put_nowait({"type": "websocket.disconnect", "code": code})
        self._from_app.put_nowait(message)

    async def receive(self) -> Message:
        while True:
            message = await self._from_app.get()
            kind = message["type"]
            if kind == "websocket.send":
                text = message.get("text")
                if text is not None:
                    return {"type": "websocket.receive", "text": text}
                return {"type": "websocket.receive", "bytes": message.get("bytes") or b""}
            if kind == "websocket.close":
                code = message.get("code") or CloseCode.NORMAL_CLOSURE
                reason = message.get("reason") or ""
                return {"type": "websocket.disconnect", "code": code, "reason": reason}

    async def send(self, message: Message, /) -> None:
        if self._app_closed or self._client_closed:
            raise TransportClosed
        text = message.get("text")
        if text is not None:
            self._to_app.put_nowait({"type": "websocket.receive", "text": text})
        else:
            self._to_app.put_nowait({"type": "websocket.receive", "bytes": message["bytes"]})

    async def close(self, code: int, reason: str) -> None:
        if not self._client_closed and not self._app_closed:
            disconnect = {"type": "websocket.disconnect", "code": code, "reason": reason}
            self._to_app.put_nowait(disconnect)
        self._client_closed = True
        self._from_app.put_nowait({"type": "websocket.close", "code": code, "reason": reason})
        await self._stop()

    async def _stop(self) -> None:
        """Let the app's task end (within the close timeout), then re-raise what it raised."""
        task = self._task
        if task is None:
            return
        error = await end(task, self._close_timeout)
        if error is not None:
            raise error  # the app raised: the test sees it, as with Starlette's TestClient
