"""What a ``typedws.Client`` needs of a connection: the small interface its transports meet.

A transport moves ASGI-shaped messages, so that the client decodes and encodes with the same
codecs as the server: ``receive()`` returns ``{"type": "websocket.receive", "text": ...}``
(or ``"bytes"``) for each message, then one ``{"type": "websocket.disconnect", "code": ...,
"reason": ...}`` when the connection is over, and never raises; ``send()`` takes the
``websocket.send`` messages the codecs make. Two transports meet it: the ``websockets``
library's asyncio client (``typedws._websockets_transport``) and an ASGI app run in the same
event loop (``typedws.testing._asgi_transport``).
"""

from __future__ import annotations

import abc
from collections.abc import Awaitable, Callable

from typedws.codec import Message

__all__ = ["TOO_BIG", "Opener", "Transport", "TransportClosed"]

TOO_BIG = "typedws.too_big"
"""A key a transport sets on its disconnect message when the connection ended because the
client refused a message over its size limit."""


class TransportClosed(Exception):
    """Raised by ``Transport.send`` when the connection is over; ``receive()`` then says how."""


class Transport(abc.ABC):
    """One open connection of a client."""

    subprotocol: str | None = None
    """The subprotocol the server chose, if any."""

    @abc.abstractmethod
    async def receive(self) -> Message:
        """The next message, or the disconnect message once the connection is over."""

    @abc.abstractmethod
    async def send(self, message: Message, /) -> None:
        """Send a ``websocket.send`` message; raise ``TransportClosed`` when it cannot go."""

    @abc.abstractmethod
    async def close(self, code: int, reason: str) -> None:
        """Close the connection, waiting a bounded time for the server's answer."""


Opener = Callable[[], Awaitable[Transport]]
"""Opens a new connection: called once by ``connect()``, and again for each reconnect."""
