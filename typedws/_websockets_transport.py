"""The client's transport over the ``websockets`` library's asyncio client.

The one module that imports ``websockets`` (the ``client`` extra); ``typedws.connect``
imports it when it opens a connection.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from websockets.asyncio.client import ClientConnection
from websockets.asyncio.client import connect as websockets_connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from typedws._transport import TOO_BIG, Transport, TransportClosed
from typedws.codecs import Message
from typedws.codes import CloseCode
from typedws.errors import HandshakeRejected

__all__ = ["WebsocketsOpener"]


@dataclass(frozen=True)
class WebsocketsOpener:
    """Opens connections to *url* with the client's options."""

    url: str
    subprotocols: Sequence[str] | None
    additional_headers: Mapping[str, str] | Sequence[tuple[str, str]] | None
    open_timeout: float | None
    close_timeout: float | None
    max_size: int | None

    async def __call__(self) -> Transport:
        """A new connection, or ``HandshakeRejected`` when the server answers with HTTP."""
        try:
            connection = await websockets_connect(
                self.url,
                subprotocols=[Subprotocol(name) for name in self.subprotocols or ()] or None,
                additional_headers=self.additional_headers,
                open_timeout=self.open_timeout,
                close_timeout=self.close_timeout,
                # The library refuses larger messages itself (closing with 1009), so that no
                # message over the limit is ever held whole; typedws reports it as too_big.
                max_size=self.max_size,
            )
        except InvalidStatus as exc:
            raise HandshakeRejected(exc.response.status_code) from None
        return _WebsocketsTransport(connection)


class _WebsocketsTransport(Transport):
    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection
        self.subprotocol = connection.subprotocol

    async def receive(self) -> Message:
        try:
            data = await self._connection.recv()
        except ConnectionClosed as exc:
            return _disconnect(exc)
        if isinstance(data, str):
            return {"type": "websocket.receive", "text": data}
        return {"type": "websocket.receive", "bytes": data}

    async def send(self, message: Message, /) -> None:
        data = message.get("text")
        try:
            await self._connection.send(message["bytes"] if data is None else data)
        except ConnectionClosed:
            raise TransportClosed from None

    async def close(self, code: int, reason: str) -> None:
        await self._connection.close(code, reason)


def _disconnect(exc: ConnectionClosed) -> Message:
    """The disconnect message for a connection that ended with *exc*."""
    received, sent = exc.rcvd, exc.sent
    message: Message = {"type": "websocket.disconnect"}
    if received is not None:
        message.update(code=received.code, reason=received.reason)
    else:
        message.update(code=CloseCode.ABNORMAL_CLOSURE, reason="")
    if sent is not None and sent.code == CloseCode.MESSAGE_TOO_BIG and not exc.rcvd_then_sent:
        message[TOO_BIG] = True  # the library refused a message over max_size
    return message
