"""``Client[R, S]``: the typed client side of a connection, made by ``typedws.connect``.

It receives values of type ``R`` (what the server sends) and sends values of type ``S``,
with the server side's verbs and codecs, over a ``Transport``: the ``websockets`` library,
or an ASGI app in the same event loop (``typedws.testing.TestClient``). A reader task reads
every message as it arrives: replies to requests go to the requests waiting for them, the
rest to a bounded queue that ``receive()`` reads.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from types import TracebackType
from typing import Any, Generic, TypeVar, cast

from typing_extensions import Self

from typedws._client_reader import WAKE, ClientReader, Frame
from typedws._client_settings import ClientSettings
from typedws._requests import PendingRequests, check_request
from typedws._transport import Opener, Transport, TransportClosed
from typedws.codecs import Codec, Message, ValueType
from typedws.codes import CloseCode, check_close_code, truncate_reason
from typedws.errors import (
    ConfigurationError,
    Disconnected,
    InvalidMessage,
    InvalidState,
    ReceiveTimeout,
    RequestTimeout,
)
from typedws.options import needs_model

__all__ = ["Client"]

logger: logging.Logger = logging.getLogger("typedws")

R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")
P = TypeVar("P")

_NORMAL_ENDS = frozenset({CloseCode.NORMAL_CLOSURE, CloseCode.GOING_AWAY})
_CLOSED = "the connection is closed"


class Client(ClientReader, Generic[R, S]):
    """A typed client connection: receives values of type ``R``, sends values of type ``S``.

    Made by ``typedws.connect(url, ...)`` (or ``typedws.testing.TestClient``), with the
    server's option names and meanings: see ``connect``. The verbs are the server side's:
    ``receive()`` / ``send()`` for the chosen value types, ``receive_model()`` /
    ``send_model()``, ``receive_text/bytes/json`` and ``send_text/bytes/json``; ``request()``
    sends a request and returns its reply; ``async for`` yields messages until the server
    closes normally; ``close(code, reason)`` ends the connection.

    When the server closes, every receive and send raises ``typedws.Disconnected`` with its
    code and reason, as on the server side.
    """

    def __init__(self, opener: Opener, settings: ClientSettings) -> None:
        """Use ``typedws.connect()``: this builds a client that is not connected yet."""
        self._opener = opener
        self._settings = settings
        codecs = settings.codecs
        self._receive_codec: Codec[Any] = codecs.receive
        self._send_codec: Codec[Any] = codecs.send
        self._receive_model = codecs.receive_model
        self._send_model = codecs.send_model
        error_reply = None if codecs.receive_model is None else codecs.receive_model.error_reply
        self._requests = PendingRequests(settings.correlation_id, error_reply)
        self._queue: asyncio.Queue[Frame] = asyncio.Queue(settings.queue_size)
        self._transport: Transport | None = None
        self._reader: asyncio.Task[None] | None = None
        self._hook: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()  # set while connected, or once over for good
        self._dropped = asyncio.Event()  # set when the current connection ends
        self._end: BaseException | None = None  # what receives raise once the queue is read
        self._done = False  # the end was raised: receives raise it again
        self._gone: tuple[int, str] | None = None  # the server's code and reason, for good
        self._last_drop: tuple[int, str] = (CloseCode.ABNORMAL_CLOSURE, "")
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed_with: int | None = None
        self._released = False  # close() was called
        self._invalid_run = 0
        self._last_offset: str | None = None

    async def open(self) -> Self:
        """Connect; ``typedws.connect()`` calls this. Raises what opening raises."""
        if self._transport is not None:
            raise InvalidState("the client is connected already")
        self._transport = await self._opener()
        self._ready.set()
        self._reader = asyncio.ensure_future(self._read())
        return self

    # State

    @property
    def receive_type(self) -> ValueType:
        """The value type ``receive()`` returns."""
        return self._receive_codec.value_type

    @property
    def send_type(self) -> ValueType:
        """The value type ``send()`` takes."""
        return self._send_codec.value_type

    @property
    def subprotocol(self) -> str | None:
        """The subprotocol the server chose, if any."""
        return None if self._transport is None else self._transport.subprotocol

    @property
    def last_offset(self) -> str | None:
        """With ``resume=``: the offset of the last message received that carried one
        (``None`` before any), which the next reconnect asks to resume after."""
        return self._last_offset

    @property
    def closed(self) -> bool:
        """Whether the connection is over: closed by either side, for good."""
        return self._closed_with is not None or self._gone is not None

    @property
    def close_code(self) -> int | None:
        """The code the connection ended with (the client's own when it closed first, else
        the server's), ``None`` while it is open."""
        if self._closed_with is not None:
            return self._closed_with
        return None if self._gone is None else self._gone[0]

    # Lifecycle

    async def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str | None = None) -> None:
        """Close the connection with *code* and *reason* (cut to 123 bytes of UTF-8).

        Does nothing when the connection is over already. Pending requests fail with
        ``InvalidState``; receives waiting in other tasks raise it too.
        """
        check_close_code(code)
        if self._released:
            return
        self._released = True
        if not self.closed:
            self._closed_with = int(code)
        transport = self._transport
        if self._hook is not None:
            self._hook.cancel()
        try:
            if transport is not None:  # also after the server closed: release what it holds
                await transport.close(int(code), truncate_reason(reason or ""))
        finally:
            await self._stop_reader()
            self._finish(InvalidState(f"cannot receive: {_CLOSED}"))

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc is None or isinstance(exc, (Disconnected, InvalidMessage)):
            await self.close()
        else:
            await self.close(CloseCode.INTERNAL_ERROR)

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> R:
        try:
            return await self.receive()
        except Disconnected as exc:
            if exc.code in _NORMAL_ENDS:
                raise StopAsyncIteration from None
            raise
        except InvalidState:
            if self._closed_with is not None:
                raise StopAsyncIteration from None
            raise

    # Values

    async def receive(self) -> R:
        """Receive the next message as a value of the receive type."""
        return cast(R, await self._receive_with(self._receive_codec))

    async def send(self, value: S) -> None:
        """Send *value* as a message of the send type."""
        await self._send_data(self._send_codec.encode(value))

    async def receive_model(self) -> R:
        """Receive a text message holding JSON and validate it into the receive model."""
        return cast(R, await self._receive_with(needs_model(self._receive_model, "receive")))

    async def send_model(self, value: S) -> None:
        """Serialize *value* with the send model and send it in a text message."""
        await self._send_data(needs_model(self._send_model, "send").encode(value))

    async def receive_text(self) -> str:
        """Receive a text message."""
        return await self._receive_with(self._settings.codecs.text)

    async def receive_bytes(self) -> bytes:
        """Receive a binary message."""
        return await self._receive_with(self._settings.codecs.bytes)

    async def receive_json(self) -> Any:
        """Receive a text message holding JSON and return the value it holds."""
        return await self._receive_with(self._settings.codecs.json)

    async def send_text(self, data: str) -> None:
        """Send *data* in a text message."""
        await self._send_data(self._settings.codecs.text.encode(data))

    async def send_bytes(self, data: bytes) -> None:
        """Send *data* in a binary message."""
        await self._send_data(self._settings.codecs.bytes.encode(data))

    async def send_json(self, data: Any) -> None:
        """Send *data* as JSON in a text message."""
        await self._send_data(self._settings.codecs.json.encode(data))

    async def request(self, message: S, /, *, reply: type[P], timeout: float | None = None) -> P:
        """Send the request *message* and return its reply, of type *reply*.

        The request goes with a fresh correlation id in its ``correlation_id`` field (``id``
        by default), replacing the one it holds; the reply is the message of type *reply*
        with that id, whatever other messages arrive meanwhile (they go to ``receive()``).
        Raises ``RequestTimeout`` after *timeout* seconds (default: the client's
        ``request_timeout``), ``RequestFailed`` when the server answers with an error reply
        of that id, ``InvalidMessage`` when the answer does not fit the receive type, and
        ``Disconnected`` when the connection ends first (also when the client reconnects).
        """
        send, receive = self._send_model, self._receive_model
        if send is None or receive is None:
            raise ConfigurationError("request() needs a message type in each direction")
        requests = self._requests
        check_request(send, receive, type(message), reply, requests.field)
        correlation_id = requests.fresh_id(getattr(message, requests.field, None))
        encoded = send.encode(send.replace(message, **{requests.field: correlation_id}))
        future = requests.add(correlation_id, reply)
        wait = self._settings.request_timeout if timeout is None else timeout
        try:
            await self._send_data(encoded)
            return cast(P, await asyncio.wait_for(future, wait))
        except asyncio.TimeoutError:
            assert wait is not None
            raise RequestTimeout(correlation_id, wait) from None
        finally:
            requests.discard(correlation_id)

    async def expect_close(
        self, code: int | None = None, *, reason: str | None = None
    ) -> Disconnected:
        """Wait for the server to close, and return its ``Disconnected``: for tests.

        Raises ``AssertionError`` when a message arrives first, or the close has another
        *code* or *reason* than those given; ``ReceiveTimeout`` after the receive timeout.
        """
        try:
            frame = await self._next_frame()
        except Disconnected as exc:
            if code is not None and exc.code != code:
                raise AssertionError(
                    f"expected close code {code}, the server closed with {exc.code}"
                    f" ({exc.reason!r})"
                ) from None
            if reason is not None and exc.reason != reason:
                raise AssertionError(
                    f"expected close reason {reason!r}, the server closed with {exc.reason!r}"
                ) from None
            return exc
        payload = frame.message.get("text") or frame.message.get("bytes")
        raise AssertionError(f"expected the server to close, it sent a message: {payload!r:.200}")

    # Receiving

    async def _receive_with(self, codec: Codec[T]) -> T:
        while True:
            frame = await self._next_frame()
            if frame.codec is codec:
                value, error = frame.value, frame.error
            else:
                try:
                    value, error = codec.decode(frame.message), None
                except InvalidMessage as exc:
                    value, error = None, exc
            if error is not None:
                await self._handle_invalid(error)
                continue
            self._invalid_run = 0
            return cast(T, value)

    async def _next_frame(self) -> Frame:
        timeout = self._settings.receive_timeout
        while True:
            if self._done or (self._end is not None and self._queue.empty()):
                self._done = True
                assert self._end is not None
                raise self._end
            if self._transport is None:
                raise InvalidState("cannot receive: open() the client first")
            try:
                frame = await asyncio.wait_for(self._queue.get(), timeout)
            except asyncio.TimeoutError:
                raise ReceiveTimeout(f"no message from the server within {timeout:g} s") from None
            if frame is not WAKE:
                return frame

    async def _handle_invalid(self, error: InvalidMessage) -> None:
        policy = self._settings.on_invalid
        if policy == "reply":
            self._invalid_run += 1
            if self._invalid_run <= self._settings.max_invalid:
                assert self._settings.invalid_reply is not None
                await self.send(self._settings.invalid_reply(error))
                return
            error = InvalidMessage(
                error.kind, CloseCode.POLICY_VIOLATION, "too many invalid messages", error.errors
            )
        if policy != "raise":
            await self._close_for(error)
        raise error

    # Sending

    async def _send_data(self, message: Message) -> None:
        if self._closed_with is not None:
            raise InvalidState(f"cannot send: {_CLOSED}")
        if not self._ready.is_set() and asyncio.current_task() is not self._hook:
            await self._ready.wait()  # reconnecting: on_reconnect's sends go first
        if self._gone is not None:
            raise Disconnected(*self._gone, websocket=self)
        if self._closed_with is not None:
            raise InvalidState(f"cannot send: {_CLOSED}")
        transport = self._transport
        if transport is None:
            raise InvalidState("cannot send: open() the client first")
        try:
            await transport.send(message)
        except TransportClosed:
            # The reader is about to learn how the connection ended: wait a little for it.
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(asyncio.shield(self._dropped.wait()), 1.0)
            raise Disconnected(*self._last_drop, websocket=self) from None
