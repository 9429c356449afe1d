"""How a connection opens and ends: the handshake, the close, and the end of a session.

``ConnectionLifecycle`` is the part of ``TypedConnection`` (``typedws._connection``) that
moves a connection from connecting to closed: it accepts or refuses the handshake, closes
the connection, and decides at the end of a session which exceptions are its own end.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, cast

from starlette.exceptions import WebSocketException
from starlette.types import Send
from starlette.websockets import WebSocketDisconnect, WebSocketState
from typing_extensions import Self

from typedws._attributes import ConnectionAttributes
from typedws._handshake import OriginPolicy, negotiate
from typedws._incoming import IncomingMessages, TimedOut, bounded
from typedws._log_names import client_address, endpoint_name
from typedws.codes import CloseCode, check_close_code, is_sendable, truncate_reason
from typedws.errors import Disconnected, InvalidMessage, InvalidState
from typedws.options import CaughtCloseCodes

if TYPE_CHECKING:
    from starlette.responses import Response

__all__ = ["ConnectionLifecycle"]

logger: logging.Logger = logging.getLogger("typedws")

_CONNECTING = WebSocketState.CONNECTING
_CONNECTED = WebSocketState.CONNECTED
_DISCONNECTED = WebSocketState.DISCONNECTED


class ConnectionLifecycle(ConnectionAttributes, IncomingMessages):
    """The handshake and the close of a ``WebSocket``: see there."""

    __slots__ = ("_closed_with",)

    _closed_with: int | None
    _send: Send
    _send_timeout: float | None
    _origins: OriginPolicy | None
    _subprotocols: tuple[str, ...] | None
    _caught_close_codes: CaughtCloseCodes

    @property
    def closed(self) -> bool:
        """Whether the connection is over: closed by either side, or refused."""
        connection = self.connection
        return (
            connection.application_state is _DISCONNECTED
            or connection.client_state is _DISCONNECTED
        )

    @property
    def close_code(self) -> int | None:
        """The code the connection ended with, ``None`` while it is open.

        The app's own code when the app closed it first, else the code the peer left with.
        """
        if self._closed_with is not None:
            return self._closed_with
        return None if self._gone is None else self._gone[0]

    # The handshake

    async def accept(
        self,
        subprotocol: str | None = None,
        headers: Iterable[tuple[bytes, bytes]] | None = None,
    ) -> None:
        """Accept the connection; do nothing when it is already accepted.

        With ``allowed_origins`` or ``subprotocols``, a handshake they do not allow is
        refused first (HTTP 403, see ``admit()``) and this raises ``Disconnected`` with
        1008. With ``subprotocols``, *subprotocol* defaults to the one negotiated. A client
        that left before the handshake completed raises its ``Disconnected``.
        """
        connection = self.connection
        if connection.application_state is _CONNECTED:
            return
        if self.closed:
            raise InvalidState("cannot accept: the connection is closed")
        if self._subprotocols is not None or self._origins is not None:
            if not await self.admit():
                raise Disconnected(CloseCode.POLICY_VIOLATION, "handshake refused", websocket=self)
            if subprotocol is None and self._subprotocols is not None:
                subprotocol = negotiate(self._subprotocols, self.scope.get("subprotocols", ()))
        if connection.client_state is _CONNECTING:
            message = await self._next_message()
            if message["type"] != "websocket.connect":
                self._unexpected(message)
            connection.client_state = _CONNECTED
        try:
            await self._send(
                {
                    "type": "websocket.accept",
                    "subprotocol": subprotocol,
                    "headers": list(headers or ()),
                }
            )
        except OSError:  # the client left before the handshake completed
            await self._learn_disconnect()
            raise self._disconnect() from None
        connection.application_state = _CONNECTED

    async def admit(self) -> bool:
        """Whether the handshake may be accepted; if not, refuse it (HTTP 403) and log why.

        Refused: an Origin header that ``allowed_origins`` does not allow (no Origin header
        at all is allowed), and with ``subprotocols``, a client that offers none of them.
        Always true once accepted, or without either option.
        """
        if self.connection.application_state is not _CONNECTING or self.closed:
            return self.connection.application_state is _CONNECTED
        why = self._refusal()
        if why is None:
            return True
        logger.warning(
            "refused a connection to %s from %s: %s",
            endpoint_name(self.scope),
            client_address(self.client),
            why,
        )
        await self.close(CloseCode.POLICY_VIOLATION)
        return False

    def _refusal(self) -> str | None:
        """Why this handshake is refused, for the log; ``None`` when it is not."""
        if self._origins is not None:
            origin = self.connection.headers.get("origin")
            if not self._origins.allows(origin):
                return "its Origin is not allowed"  # the header itself is the client's: not logged
        if self._subprotocols is not None:
            offered = self.scope.get("subprotocols", ())
            if negotiate(self._subprotocols, offered) is None:
                return "the client offers none of the subprotocols " + ", ".join(self._subprotocols)
        return None

    async def reject(self, reason: str | None = None) -> None:
        """Refuse the connection: HTTP 403 before ``accept()``, close code 1008 after."""
        await self.close(CloseCode.POLICY_VIOLATION, reason)

    async def send_denial_response(self, response: Response) -> None:
        """Refuse the handshake with an HTTP *response*, where the server supports it."""
        await self.connection.send_denial_response(response)
        self.connection.application_state = _DISCONNECTED

    # The end

    async def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str | None = None) -> None:
        """Close the connection with *code* and *reason* (cut to 123 bytes of UTF-8).

        Before ``accept()`` this refuses the handshake: the client sees HTTP 403. Does
        nothing once the peer has gone; raises ``InvalidState`` when already closed.
        """
        check_close_code(code)
        if self._gone is not None:
            return
        if self.closed:
            raise InvalidState("cannot close: the connection is already closed")
        reason = truncate_reason(reason or "")
        # Closed from here on: sends still waiting for the transport end in InvalidState.
        self.connection.application_state = _DISCONNECTED
        self._closed_with = int(code)
        message = {"type": "websocket.close", "code": int(code), "reason": reason}
        try:
            if self._send_timeout is None:
                await self._send(message)
            else:
                await bounded(self._send(message), self._send_timeout)
        except TimedOut:
            self._abort(int(code), reason)  # the close frame is stuck behind unread data
        except (OSError, WebSocketDisconnect):
            self.connection.client_state = _DISCONNECTED

    async def ensure_closed(
        self, code: int = CloseCode.NORMAL_CLOSURE, reason: str | None = None
    ) -> None:
        """Close the connection if it is still open; never raise when it is closed or gone."""
        if self.closed:
            return
        try:
            await self.close(code, reason)
        except (OSError, RuntimeError, WebSocketDisconnect):
            self.connection.client_state = _DISCONNECTED

    async def __aenter__(self) -> Self:
        try:
            await self.accept()
        except Disconnected as exc:
            # A client that left during the handshake: the block's first receive or send
            # raises this again, and the exit handles it as it would after the handshake.
            if self._gone is None or not self._catches(exc.code):
                raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> bool:
        return await self.finish(exc)

    async def finish(self, exc: BaseException | None = None) -> bool:
        """Close the connection as the end of a session that raised *exc* (or nothing).

        Returns whether *exc* is handled: a clean end closes with 1000; this connection's
        own disconnect or ``InvalidMessage`` (see ``owns()``) is handled when its code is
        caught (``caught_close_codes``); Starlette's ``WebSocketException`` closes with
        its code and is handled, when that code can be sent; anything else, a disconnect
        of another connection included, closes with 1011 and is not.
        """
        if exc is None:
            await self.ensure_closed()
            return True
        if self.owns(exc):
            while (inner := _grouped(exc)) is not None:
                exc = inner[0]  # a group of this connection's own ends: the first one
            if isinstance(exc, InvalidMessage):
                await self.ensure_closed(exc.close_code, exc.reason)
                return self._catches(exc.close_code)
            self.connection.client_state = _DISCONNECTED
            return self._catches(cast(WebSocketDisconnect, exc).code)
        if isinstance(exc, WebSocketException) and is_sendable(exc.code):
            await self.ensure_closed(exc.code, exc.reason)
            return True
        if isinstance(exc, Exception):
            await self.ensure_closed(CloseCode.INTERNAL_ERROR)
        return False

    def owns(self, exc: BaseException) -> bool:
        """Whether *exc* is the end of this very connection.

        That is an ``InvalidMessage``, or a ``Disconnected`` raised for this connection;
        a plain ``WebSocketDisconnect`` counts only once this connection is over. A
        disconnect raised by a send to another connection is not this one's end. An
        exception group (a task group's) is when every exception in it is.
        """
        inner = _grouped(exc)
        if inner is not None:
            return all(self.owns(each) for each in inner)
        if isinstance(exc, Disconnected):
            other = exc.websocket  # a typedws.Client's disconnect is never this one's end
            return isinstance(other, ConnectionLifecycle) and other.connection is self.connection
        if isinstance(exc, WebSocketDisconnect):
            return self.closed
        return isinstance(exc, InvalidMessage)

    def _catches(self, code: int) -> bool:
        codes = self._caught_close_codes
        return codes is all or code in cast(Collection[int], codes)


def _grouped(exc: BaseException) -> tuple[BaseException, ...] | None:
    """The exceptions *exc* holds when it is an exception group (the builtin one, or the
    backport that anyio's task groups raise on Python 3.10); else ``None``."""
    if any(cls.__name__ == "BaseExceptionGroup" for cls in type(exc).__mro__):
        return tuple(cast(Any, exc).exceptions)
    return None
