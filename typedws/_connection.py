"""The lifecycle and verbs of ``WebSocket[R, S]``: the one module that touches the connection.

It calls the codec, applies the invalid-message policy and owns the lifecycle. Connection
state lives on the Starlette ``WebSocket`` it wraps, so code holding that object sees the
same state; messages go to the ASGI callables directly, with one state check each.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Callable, Collection, Iterable
from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, NoReturn, TypeVar, cast

from pydantic import TypeAdapter
from starlette.datastructures import Address
from starlette.exceptions import WebSocketException
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState
from typing_extensions import Self

from typedws._attributes import ConnectionAttributes
from typedws._handshake import OriginPolicy, for_log, negotiate
from typedws._incoming import IncomingMessages, TimedOut, bounded
from typedws.codec import Codec, Message, MessageCodec, ValueType
from typedws.codes import CloseCode, check_close_code, is_sendable, truncate_reason
from typedws.errors import ConfigurationError, Disconnected, InvalidMessage, InvalidState
from typedws.options import (
    CaughtCloseCodes,
    Codecs,
    OnInvalid,
)
from typedws.pydantic_codec import ModelCodec

if TYPE_CHECKING:
    from starlette.responses import Response

__all__ = ["TypedConnection"]

logger: logging.Logger = logging.getLogger("typedws")

TOO_MANY_INVALID = "too many invalid messages"
"""The close reason after more invalid messages in a row than ``max_invalid``."""

IDLE_TIMEOUT = "idle timeout"
"""The close reason (code 1001) after ``idle_timeout`` seconds without a message."""

SEND_TIMED_OUT = "send timed out"
"""The reason (code 1013) of a connection whose send did not complete in ``send_timeout``."""

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

_CONNECTING = WebSocketState.CONNECTING
_CONNECTED = WebSocketState.CONNECTED
_DISCONNECTED = WebSocketState.DISCONNECTED


class TypedConnection(ConnectionAttributes, IncomingMessages, Generic[R, S]):
    """The lifecycle and the verbs of ``WebSocket``: see there."""

    __slots__ = (
        "_bytes",
        "_caught_close_codes",
        "_closed_with",
        "_idle_timeout",
        "_invalid_reply",
        "_invalid_run",
        "_json",
        "_max_invalid",
        "_on_invalid",
        "_origins",
        "_receive",
        "_receive_codec",
        "_receive_model",
        "_send",
        "_send_codec",
        "_send_model",
        "_send_timeout",
        "_subprotocols",
        "_text",
        "auto_accept",
        "connection",
    )

    def _configure(
        self,
        codecs: Codecs,
        *,
        caught_close_codes: CaughtCloseCodes,
        on_invalid: OnInvalid,
        invalid_reply: Callable[[InvalidMessage], Any] | None,
        max_invalid: int,
        auto_accept: bool,
        origins: OriginPolicy | None = None,
        subprotocols: tuple[str, ...] | None = None,
        idle_timeout: float | None = None,
        send_timeout: float | None = None,
    ) -> None:
        self._text = codecs.text
        self._bytes = codecs.bytes
        self._json = codecs.json
        self._receive_model = codecs.receive_model
        self._send_model = codecs.send_model
        self._receive_codec = codecs.receive
        self._send_codec = codecs.send
        self._caught_close_codes = caught_close_codes
        self._on_invalid = on_invalid
        self._invalid_reply = invalid_reply
        self._max_invalid = max_invalid
        #: Whether a route accepts the connection before calling its handler.
        self.auto_accept: bool = auto_accept
        self._origins = origins
        self._subprotocols = subprotocols
        self._idle_timeout = idle_timeout
        self._send_timeout = send_timeout

    def _attach(self, connection: StarletteWebSocket, receive: Receive, send: Send) -> None:
        self.connection: StarletteWebSocket = connection
        self._receive: Receive = receive
        self._send: Send = send
        self._closed_with: int | None = None
        self._invalid_run = 0
        self._start_incoming()

    # Configuration

    @property
    def receive_type(self) -> ValueType:
        """The value type ``receive()`` returns."""
        return self._receive_codec.value_type

    @property
    def send_type(self) -> ValueType:
        """The value type ``send()`` takes."""
        return self._send_codec.value_type

    @property
    def value_type(self) -> ValueType | None:
        """The value type of both directions, or ``None`` when they differ."""
        receive_type = self.receive_type
        return receive_type if receive_type == self.send_type else None

    @property
    def receive_adapter(self) -> TypeAdapter[R] | None:
        """The ``TypeAdapter`` incoming models are validated with, if any; ``None`` for a
        ``msgspec.Struct`` type, which has none (see ``receive_model_codec``)."""
        codec = self._receive_model
        return codec.adapter if isinstance(codec, ModelCodec) else None

    @property
    def send_adapter(self) -> TypeAdapter[S] | None:
        """The ``TypeAdapter`` outgoing models are serialized with, if any; ``None`` for a
        ``msgspec.Struct`` type, which has none (see ``send_model_codec``)."""
        codec = self._send_model
        return codec.adapter if isinstance(codec, ModelCodec) else None

    @property
    def receive_model_codec(self) -> MessageCodec[R] | None:
        """The codec of the receive model, if any: a ``ModelCodec`` (pydantic) or a
        ``typedws.msgspec_codec.StructCodec`` (msgspec)."""
        return self._receive_model

    @property
    def send_model_codec(self) -> MessageCodec[S] | None:
        """The codec of the send model, if any: a ``ModelCodec`` (pydantic) or a
        ``typedws.msgspec_codec.StructCodec`` (msgspec)."""
        return self._send_model

    @property
    def caught_close_codes(self) -> CaughtCloseCodes:
        """The disconnect codes silenced: a frozenset, or the builtin ``all``."""
        return self._caught_close_codes

    @property
    def closed(self) -> bool:
        """Whether the connection is over: closed by either side, or refused."""
        connection = self.connection
        return (
            connection.application_state is _DISCONNECTED
            or connection.client_state is _DISCONNECTED
        )

    # Lifecycle

    @property
    def close_code(self) -> int | None:
        """The code the connection ended with, ``None`` while it is open.

        The app's own code when the app closed it first, else the code the peer left with.
        """
        if self._closed_with is not None:
            return self._closed_with
        return None if self._gone is None else self._gone[0]

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
                raise Disconnected(
                    CloseCode.POLICY_VIOLATION, "handshake refused", websocket=cast(Any, self)
                )
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
            _endpoint_name(self.scope),
            _address(self.client),
            why,
        )
        await self.close(CloseCode.POLICY_VIOLATION)
        return False

    def _refusal(self) -> str | None:
        """Why this handshake is refused, for the log; ``None`` when it is not."""
        if self._origins is not None:
            origin = self.connection.headers.get("origin")
            if not self._origins.allows(origin):
                return f"Origin {for_log(origin or '')} is not allowed"
        if self._subprotocols is not None:
            offered = self.scope.get("subprotocols", ())
            if negotiate(self._subprotocols, offered) is None:
                return "the client offers none of the subprotocols " + ", ".join(self._subprotocols)
        return None

    async def reject(self, reason: str | None = None) -> None:
        """Refuse the connection: HTTP 403 before ``accept()``, close code 1008 after."""
        await self.close(CloseCode.POLICY_VIOLATION, reason)

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
            return isinstance(other, TypedConnection) and other.connection is self.connection
        if isinstance(exc, WebSocketDisconnect):
            return self.closed
        return isinstance(exc, InvalidMessage)

    def _catches(self, code: int) -> bool:
        codes = self._caught_close_codes
        return codes is all or code in cast(Collection[int], codes)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> R:
        try:
            return await self.receive()
        except WebSocketDisconnect:
            raise StopAsyncIteration from None

    # Raw ASGI messages

    async def receive_raw(self) -> Message:
        """Receive the next raw ASGI message."""
        message = await self._next_message()
        if message["type"] == "websocket.disconnect":
            self._peer_left(message)
        return message

    async def send_raw(self, message: Message) -> None:
        """Send a raw ASGI message."""
        await self._send(message)

    receive_event = receive_raw
    send_event = send_raw

    # Values

    async def receive(self) -> R:
        """Receive the next message as a value of the receive type."""
        return cast(R, await self._receive_with(self._receive_codec))

    async def send(self, value: S) -> None:
        """Send *value* as a message of the send type."""
        await self._send_data(self._send_codec.encode(value))

    async def receive_text(self) -> str:
        """Receive a text message."""
        return await self._receive_with(self._text)

    async def receive_bytes(self) -> bytes:
        """Receive a binary message."""
        return await self._receive_with(self._bytes)

    async def receive_json(self) -> Any:
        """Receive a text message holding JSON and return the value it holds."""
        return await self._receive_with(self._json)

    async def receive_model(self) -> R:
        """Receive a text message holding JSON and validate it into the receive model."""
        return await self._receive_with(_needs_model(self._receive_model, "receive"))

    async def send_text(self, data: str) -> None:
        """Send *data* in a text message."""
        await self._send_data(self._text.encode(data))

    async def send_bytes(self, data: bytes) -> None:
        """Send *data* in a binary message."""
        await self._send_data(self._bytes.encode(data))

    async def send_json(self, data: Any) -> None:
        """Send *data* as JSON in a text message."""
        await self._send_data(self._json.encode(data))

    async def send_model(self, value: S) -> None:
        """Serialize *value* with the send model and send it in a text message."""
        await self._send_data(_needs_model(self._send_model, "send").encode(value))

    async def send_denial_response(self, response: Response) -> None:
        """Refuse the handshake with an HTTP *response*, where the server supports it."""
        await self.connection.send_denial_response(response)
        self.connection.application_state = _DISCONNECTED

    async def _receive_with(self, codec: Codec[T]) -> T:
        if self.connection.application_state is not _CONNECTED and not self._pending:
            raise self._not_open("receive")
        while True:
            message = await self._next_message()
            if message["type"] != "websocket.receive":
                self._unexpected(message)
            try:
                value = codec.decode(message)
            except InvalidMessage as exc:
                await self._handle_invalid(exc)
                continue
            self._invalid_run = 0
            return value

    def _not_open(self, action: str) -> Exception:
        if self._gone is not None:
            return self._disconnect()
        why = "the connection is closed" if self.closed else "accept() it first"
        return InvalidState(f"cannot {action}: {why}")

    def _unexpected(self, message: Message) -> NoReturn:
        if message["type"] == "websocket.disconnect":
            self._peer_left(message)
            raise self._disconnect()
        raise InvalidState(f"unexpected ASGI message {message['type']!r}")

    async def _handle_invalid(self, exc: InvalidMessage) -> None:
        if self._on_invalid == "reply":
            self._invalid_run += 1
            if self._invalid_run <= self._max_invalid:
                assert self._invalid_reply is not None
                await self.send(self._invalid_reply(exc))
                return
            exc = InvalidMessage(exc.kind, CloseCode.POLICY_VIOLATION, TOO_MANY_INVALID, exc.errors)
        if self._on_invalid != "raise":
            logger.info(
                "closed a connection to %s from %s with %d: %s (%s)",
                _endpoint_name(self.scope),
                _address(self.client),
                exc.close_code,
                exc.reason,
                exc.kind,
            )
            await self.ensure_closed(exc.close_code, exc.reason)
        raise exc

    async def _went_idle(self) -> None:
        logger.info(
            "closed a connection to %s from %s with 1001: no message in %s seconds",
            _endpoint_name(self.scope),
            _address(self.client),
            self._idle_timeout,
        )
        await self.ensure_closed(CloseCode.GOING_AWAY, IDLE_TIMEOUT)
        if self._gone is None:
            self._gone = (CloseCode.GOING_AWAY, IDLE_TIMEOUT)

    async def _send_data(self, message: Message) -> None:
        if self.connection.application_state is not _CONNECTED:
            raise self._not_open("send")
        try:
            if self._send_timeout is None:
                await self._send(message)
            else:
                await bounded(self._send(message), self._send_timeout)
        except TimedOut:
            if self._gone is None:
                logger.warning(
                    "closed a connection to %s from %s with 1013: a send did not complete "
                    "in %s seconds",
                    _endpoint_name(self.scope),
                    _address(self.client),
                    self._send_timeout,
                )
                self._closed_with = CloseCode.TRY_AGAIN_LATER
                self._abort(CloseCode.TRY_AGAIN_LATER, SEND_TIMED_OUT)
            raise self._disconnect() from None
        except (OSError, RuntimeError):
            if self._gone is None and self.application_state is _DISCONNECTED:
                # The app closed the connection while this send waited for the transport.
                raise InvalidState("cannot send: the connection is closed") from None
            await self._learn_disconnect()
            raise self._disconnect() from None


def _grouped(exc: BaseException) -> tuple[BaseException, ...] | None:
    """The exceptions *exc* holds when it is an exception group (the builtin one, or the
    backport that anyio's task groups raise on Python 3.10); else ``None``."""
    if any(cls.__name__ == "BaseExceptionGroup" for cls in type(exc).__mro__):
        return tuple(cast(Any, exc).exceptions)
    return None


def _needs_model(codec: MessageCodec[T] | None, direction: str) -> MessageCodec[T]:
    if codec is None:
        raise ConfigurationError(f"{direction}_model() needs model= or {direction}_model=")
    return codec


def _endpoint_name(scope: Scope) -> str:
    return str(getattr(scope.get("endpoint"), "__name__", "an ASGI app"))


def _address(client: Address | None) -> str:
    """The client's address for a log line; never text a proxy header could have made up."""
    if client is None:
        return "an unknown client"
    try:
        host = ipaddress.ip_address(client.host)
    except ValueError:
        return "a client with an unreadable address"
    return f"{host}:{int(client.port)}"
