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
import dataclasses
from collections.abc import Awaitable, Callable
from typing import cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from typedws.codecs import Message
from typedws.errors import ConfigurationError

__all__ = ["TOO_BIG", "Opener", "Transport", "TransportClosed", "with_query"]

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


def with_query(opener: Opener, name: str, value: str) -> Opener:
    """*opener* (a dataclass with a ``url``, as both transports' openers are) opening its
    URL with ``name=value`` in the query string, in place of any ``name`` it had."""
    url = getattr(opener, "url", None)
    if not isinstance(url, str) or not hasattr(opener, "__dataclass_fields__"):
        raise ConfigurationError(f"cannot add {name}= to the URL of {opener!r}")
    parts = urlsplit(url)
    query = [pair for pair in parse_qsl(parts.query, keep_blank_values=True) if pair[0] != name]
    query.append((name, value))
    replace = cast("Callable[..., Opener]", dataclasses.replace)
    return replace(opener, url=urlunsplit(parts._replace(query=urlencode(query))))
