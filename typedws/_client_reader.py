"""The reading side of a ``Client``: a task that reads every message as it arrives, answers
waiting requests, queues the rest for ``receive()``, and handles the connection's end
(reconnecting when the client's policy says so)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from typedws._client_settings import ClientSettings
from typedws._requests import PendingRequests, field_of
from typedws._transport import TOO_BIG, Opener, Transport, with_query
from typedws.codecs import Codec, Message, MessageCodec
from typedws.codes import CloseCode
from typedws.errors import Disconnected, InvalidMessage

if TYPE_CHECKING:
    from typedws.client import Client

__all__ = ["WAKE", "ClientReader", "Frame"]

logger: logging.Logger = logging.getLogger("typedws")


class Frame(NamedTuple):
    """A message as it arrived, with what the reader's decode made of it, if it decoded it."""

    message: Message
    codec: Codec[Any] | None = None
    value: Any = None
    error: InvalidMessage | None = None


WAKE = Frame({"type": "typedws.wake"})
"""Put in the queue to wake a receive when the connection ends."""


class ClientReader:
    """The reader task of ``Client`` and the end of its connections: see the module."""

    _opener: Opener
    _settings: ClientSettings
    _receive_model: MessageCodec[Any] | None
    _requests: PendingRequests
    _queue: asyncio.Queue[Frame]
    _transport: Transport | None
    _reader: asyncio.Task[None] | None
    _hook: asyncio.Task[None] | None
    _ready: asyncio.Event
    _dropped: asyncio.Event
    _end: BaseException | None
    _gone: tuple[int, str] | None
    _last_drop: tuple[int, str]
    _tasks: set[asyncio.Task[None]]
    _closed_with: int | None
    _last_offset: str | None

    if TYPE_CHECKING:

        async def close(self, code: int = ..., reason: str | None = None) -> None: ...

    def _client(self) -> Client[Any, Any]:
        """This reader's client: the mixin is only ever a ``Client``."""
        return cast("Client[Any, Any]", self)

    async def _close_for(self, error: InvalidMessage) -> None:
        logger.info(
            "a client closed its connection with %d: %s (%s)",
            error.close_code,
            error.reason,
            error.kind,
        )
        await self.close(error.close_code, error.reason)

    async def _read(self) -> None:
        while True:
            transport = self._transport
            assert transport is not None
            message = await transport.receive()
            if message["type"] == "websocket.disconnect":
                if not await self._ended(message):
                    return
                continue
            frame = self._route(message)
            if frame is not None:
                await self._queue.put(frame)
            elif self._closed_with is not None:
                return  # a reply that did not fit closed the connection

    def _route(self, message: Message) -> Frame | None:
        """The frame for *message*, or ``None`` when it answered a request. With ``resume``,
        every message is decoded here, and its offset noted as it arrives."""
        model, requests = self._receive_model, self._requests
        resume = self._settings.resume
        if resume is None and (not requests or model is None):
            return Frame(message)
        codec: Codec[Any] = self._settings.codecs.receive if model is None else model
        try:
            value = codec.decode(message)
        except InvalidMessage as error:
            if not requests or not requests.answer_invalid(error):
                return Frame(message, codec, None, error)
            if self._settings.on_invalid == "close":
                # The reply to a request did not fit: close as the server would.
                task = asyncio.ensure_future(self._close_for(error))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return None
        if resume is not None:
            self._note_offset(value, resume.field)
        return None if requests and requests.answer(value) else Frame(message, codec, value)

    def _note_offset(self, value: Any, field: str) -> None:
        """Remember *value*'s offset in *field*, when it has one."""
        offset = field_of(value, field)
        if isinstance(offset, bool):
            return
        if isinstance(offset, int):
            offset = str(offset)
        if isinstance(offset, str) and offset:
            self._last_offset = offset

    async def _ended(self, message: Message) -> bool:
        """Handle the end of the current connection; whether the client reconnected."""
        self._dropped.set()
        if self._closed_with is not None:
            return False
        code, reason = int(message.get("code", CloseCode.NO_STATUS_RCVD)), message.get("reason", "")
        self._last_drop = (code, reason)
        if message.get(TOO_BIG):
            codec = self._settings.codecs.receive
            limit = codec.max_size
            error = codec.invalid("too_big", f"over {limit} bytes" if limit else "over the limit")
            self._closed_with = error.close_code
            self._requests.fail_all(error)
            self._finish(error)
            return False
        policy = self._settings.reconnect
        if policy is not None and code in policy.codes:
            self._requests.fail_all(Disconnected(code, reason, websocket=self._client()))
            if await self._reconnect():
                return True
        self._gone = (code, reason)
        disconnected = Disconnected(code, reason, websocket=self._client())
        self._requests.fail_all(disconnected)
        self._finish(disconnected)
        return False

    async def _reconnect(self) -> bool:
        """Connect again with back-off; whether it worked."""
        policy = self._settings.reconnect
        assert policy is not None
        self._ready.clear()
        for delay in policy.delays():
            await asyncio.sleep(delay)
            opener, resume = self._opener, self._settings.resume
            if resume is not None and self._last_offset is not None:
                opener = with_query(opener, resume.param, self._last_offset)
            try:
                transport = await opener()
            except Exception as exc:  # refused, timed out, rejected: try again
                logger.debug("reconnect failed: %r", exc)
                continue
            self._transport = transport
            self._dropped = asyncio.Event()
            self._hook = asyncio.ensure_future(self._after_reconnect())
            return True
        return False

    async def _after_reconnect(self) -> None:
        """Run ``on_reconnect`` (its sends go first), then let the other sends through."""
        hook = self._settings.on_reconnect
        try:
            if hook is not None:
                await hook(self._client())
        except Exception:
            logger.exception("on_reconnect raised")
        finally:
            self._hook = None
            self._ready.set()

    def _finish(self, end: BaseException) -> None:
        """Make *end* what receives raise once the queue is read, and wake them."""
        if self._end is None:
            self._end = end
        self._requests.fail_all(end)
        self._ready.set()
        with contextlib.suppress(asyncio.QueueFull):
            self._queue.put_nowait(WAKE)

    async def _stop_reader(self) -> None:
        """Stop the reader: the transport's close has done the closing handshake already."""
        reader = self._reader
        if reader is None or reader is asyncio.current_task() or reader.done():
            return
        reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reader
