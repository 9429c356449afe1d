"""The verbs of ``WebSocket[R, S]``: ``TypedConnection``, which sends and receives values.

It calls the codec and applies the invalid-message policy; the handshake and the close come
from ``ConnectionLifecycle`` (``typedws._lifecycle``), the incoming ASGI messages from
``IncomingMessages`` (``typedws._incoming``). Connection state lives on the Starlette
``WebSocket`` it wraps, so code holding that object sees the same state; messages go to the
ASGI callables directly, with one state check each.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from pydantic import TypeAdapter
from starlette.types import Receive, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState
from typing_extensions import Self

from typedws._handshake import OriginPolicy
from typedws._incoming import TimedOut, bounded
from typedws._lifecycle import ConnectionLifecycle
from typedws._log_names import client_address, endpoint_name
from typedws.codecs import Codec, Message, MessageCodec, ModelCodec, ValueType
from typedws.codes import CloseCode
from typedws.errors import InvalidMessage, InvalidState
from typedws.options import CaughtCloseCodes, Codecs, OnInvalid, needs_model

__all__ = ["OPTION_SLOTS", "TypedConnection"]

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

_CONNECTED = WebSocketState.CONNECTED
_DISCONNECTED = WebSocketState.DISCONNECTED


OPTION_SLOTS = (
    "_bytes",
    "_caught_close_codes",
    "_idle_timeout",
    "_invalid_reply",
    "_json",
    "_max_invalid",
    "_on_invalid",
    "_origins",
    "_receive_codec",
    "_receive_model",
    "_send_codec",
    "_send_model",
    "_send_timeout",
    "_subprotocols",
    "_text",
    "auto_accept",
)
"""What a connection's options made of it (``_configure``): all a copy on another connection
shares (``WebSocket.for_connection``). Every other slot of the hierarchy is the connection's
own (``_attach``); tests/test_option_slots.py fails when a slot is in neither list or in both."""


class TypedConnection(ConnectionLifecycle, Generic[R, S]):
    """The lifecycle and the verbs of ``WebSocket``: see there."""

    __slots__ = (*OPTION_SLOTS, "_invalid_run", "_receive", "_send", "connection")

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

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> R:
        try:
            return await self.receive()
        except WebSocketDisconnect:
            raise StopAsyncIteration from None

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
        return await self._receive_with(needs_model(self._receive_model, "receive"))

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
        await self._send_data(needs_model(self._send_model, "send").encode(value))

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
                endpoint_name(self.scope),
                client_address(self.client),
                exc.close_code,
                exc.reason,
                exc.kind,
            )
            await self.ensure_closed(exc.close_code, exc.reason)
        raise exc

    async def _went_idle(self) -> None:
        logger.info(
            "closed a connection to %s from %s with 1001: no message in %s seconds",
            endpoint_name(self.scope),
            client_address(self.client),
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
                    endpoint_name(self.scope),
                    client_address(self.client),
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
