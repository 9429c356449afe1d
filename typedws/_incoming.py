"""The incoming ASGI messages of one connection, in order, and the peer's disconnect.

A send that fails because the peer has gone reads what the server still holds for the
connection, up to its ``websocket.disconnect``, so that the sender learns the peer's close
code; the messages it read ahead stay here for the connection's own receives, in order.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any, cast

from starlette.types import Receive
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketState

from typedws.codec import Message
from typedws.codes import CloseCode
from typedws.errors import Disconnected

if TYPE_CHECKING:
    from typedws.websocket import WebSocket

__all__ = ["IncomingMessages"]

_DISCONNECTED = WebSocketState.DISCONNECTED

DISCONNECT_WAIT = 1.0
"""How long a failed send waits for the server to report the peer's close code."""


class IncomingMessages:
    """The receiving side of a ``WebSocket``: the next message, and the peer's departure."""

    __slots__ = ("_drain", "_gone", "_pending", "_receiving")

    connection: StarletteWebSocket
    _receive: Receive

    def _start_incoming(self) -> None:
        # Made by the first read-ahead: most connections never need one.
        self._pending: deque[Message] | None = None
        self._receiving = False
        self._drain: asyncio.Task[None] | None = None
        self._gone: tuple[int, str] | None = None

    async def _next_message(self) -> Message:
        """The next ASGI message: first those a failed send read ahead, then the server's."""
        if self._drain is not None or self._gone is not None:
            return await self._next_after_loss()
        self._receiving = True
        try:
            return await self._receive()
        finally:
            self._receiving = False

    async def _next_after_loss(self) -> Message:
        """The next message once the peer is known gone: those read ahead, then its disconnect."""
        if self._drain is not None:
            await asyncio.shield(self._drain)
        if self._pending:
            return self._pending.popleft()
        code, reason = self._gone or (CloseCode.ABNORMAL_CLOSURE, "")
        return {"type": "websocket.disconnect", "code": code, "reason": reason}

    def _peer_left(self, message: Message) -> None:
        """Take note of the server's ``websocket.disconnect`` *message*: the peer is gone."""
        if self._gone is None:
            self._gone = (
                message.get("code", CloseCode.NO_STATUS_RCVD),
                message.get("reason") or "",
            )
        self.connection.client_state = _DISCONNECTED
        self.connection.application_state = _DISCONNECTED

    def _disconnect(self) -> Disconnected:
        code, reason = self._gone or (CloseCode.ABNORMAL_CLOSURE, "")
        return Disconnected(code, reason, websocket=cast("WebSocket[Any, Any]", self))

    async def _learn_disconnect(self) -> None:
        """After a send failed: read the server's messages up to its ``websocket.disconnect``.

        Messages read ahead are kept for this connection's own receives, in order. Waits
        while this connection's own task is receiving, as it is about to see the same.
        """
        if self._drain is None:
            self._drain = asyncio.ensure_future(self._read_to_disconnect())
        await asyncio.shield(self._drain)

    async def _read_to_disconnect(self) -> None:
        try:
            await asyncio.wait_for(self._read_ahead(), DISCONNECT_WAIT)
        except Exception:  # no word from the server in time, or no word at all: gone all the same
            pass
        finally:
            if self._gone is None:
                self._gone = (CloseCode.ABNORMAL_CLOSURE, "")
            self.connection.client_state = _DISCONNECTED
            self.connection.application_state = _DISCONNECTED

    async def _read_ahead(self) -> None:
        while self._gone is None:
            if self._receiving:
                await asyncio.sleep(0)
                continue
            # This connection's own receives wait for the drain from here on.
            message = await self._receive()
            if self._pending is None:
                self._pending = deque()
            self._pending.append(message)
            if message["type"] == "websocket.disconnect":
                self._peer_left(message)
