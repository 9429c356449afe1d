"""The incoming ASGI messages of one connection, in order, and the peer's disconnect.

A send that fails because the peer has gone reads what the server still holds for the
connection, up to its ``websocket.disconnect``, so that the sender learns the peer's close
code; the messages it read ahead stay here for the connection's own receives, in order.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque
from collections.abc import Awaitable, Generator
from typing import Any, Generic, NoReturn, TypeVar, cast

from starlette.types import Receive
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketState

from typedws.codecs import Message
from typedws.codes import CloseCode
from typedws.errors import ConnectionLike, Disconnected, InvalidState

__all__ = ["IncomingMessages", "TimedOut", "within"]

T = TypeVar("T")

_DISCONNECTED = WebSocketState.DISCONNECTED
_CONNECTED = WebSocketState.CONNECTED

DISCONNECT_WAIT = 1.0
"""How long a failed send waits for the server to report the peer's close code."""


class IncomingMessages:
    """The receiving side of a ``WebSocket``: the next message, and the peer's departure."""

    __slots__ = ("_aborting", "_drain", "_gone", "_pending", "_receiver", "_receiving")

    connection: StarletteWebSocket
    _receive: Receive
    _idle_timeout: float | None

    def _start_incoming(self) -> None:
        # Made by the first read-ahead: most connections never need one.
        self._pending: deque[Message] | None = None
        self._receiving = False
        self._drain: asyncio.Task[None] | None = None
        self._gone: tuple[int, str] | None = None
        self._receiver: asyncio.Task[Any] | None = None
        self._aborting = False

    async def _next_message(self) -> Message:
        """The next ASGI message: first those a failed send read ahead, then the server's.

        Once accepted, waits at most ``idle_timeout`` (then closes with 1001 and reports a
        disconnect); ``_abort()`` from another task ends the wait with a disconnect too.
        """
        if self._drain is not None or self._gone is not None:
            return await self._next_after_loss()
        self._receiving = True
        self._receiver = asyncio.current_task()
        idle = self._idle_timeout
        try:
            if idle is None or self.connection.application_state is not _CONNECTED:
                return await self._receive()
            return await within(self._receive(), idle)
        except TimedOut:
            await self._went_idle()
            return self._disconnect_message()
        except asyncio.CancelledError:
            if not self._aborting:
                raise
            self._aborting = False
            _uncancel(self._receiver)
            return self._disconnect_message()
        finally:
            self._receiving = False
            self._receiver = None

    async def _went_idle(self) -> None:
        """Close the connection after ``idle_timeout`` without a message (``TypedConnection``)."""
        raise NotImplementedError

    def _abort(self, code: int, reason: str) -> None:
        """End the connection without a word to the peer, which is stuck: every receive and
        send raises ``Disconnected`` with *code* from now on, a receive waiting included."""
        if self._gone is None:
            self._gone = (code, reason)
        self.connection.client_state = _DISCONNECTED
        self.connection.application_state = _DISCONNECTED
        receiver = self._receiver
        if self._receiving and receiver is not None and receiver is not asyncio.current_task():
            self._aborting = True
            receiver.cancel()

    def _disconnect_message(self) -> Message:
        """The ``websocket.disconnect`` message of the peer's departure (1006 when unknown)."""
        code, reason = self._gone or (CloseCode.ABNORMAL_CLOSURE, "")
        return {"type": "websocket.disconnect", "code": code, "reason": reason}

    async def _next_after_loss(self) -> Message:
        """The next message once the peer is known gone: those read ahead, then its disconnect."""
        if self._drain is not None:
            await asyncio.shield(self._drain)
        if self._pending:
            return self._pending.popleft()
        return self._disconnect_message()

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
        # Only ever part of a WebSocket, which tells whether it is over (ConnectionLike).
        return Disconnected(code, reason, websocket=cast(ConnectionLike, self))

    def _unexpected(self, message: Message) -> NoReturn:
        if message["type"] == "websocket.disconnect":
            self._peer_left(message)
            raise self._disconnect()
        raise InvalidState(f"unexpected ASGI message {message['type']!r}")

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


class TimedOut(Exception):
    """A wait given to ``within`` or ``bounded`` did not finish in time."""


class bounded(Generic[T]):
    """Await *awaitable*; raise ``TimedOut`` (having cancelled it) after *seconds*.

    The timer is armed only when *awaitable* suspends: a send the transport takes at once (the
    usual case) costs no timer, one held back by a peer that does not read is bounded.
    """

    __slots__ = ("_awaitable", "_seconds")

    def __init__(self, awaitable: Awaitable[T], seconds: float) -> None:
        self._awaitable = awaitable
        self._seconds = seconds

    def __await__(self) -> Generator[Any, Any, T]:
        coro = self._awaitable.__await__()
        try:
            waiting = coro.send(None)
        except StopIteration as done:
            return cast(T, done.value)
        return (yield from _rest_within(coro, waiting, self._seconds))


def _rest_within(
    coro: Generator[Any, Any, T], waiting: Any, seconds: float
) -> Generator[Any, Any, T]:
    """Drive a suspended *coro* on (its first wait is *waiting*), for at most *seconds*."""
    task = asyncio.current_task()
    assert task is not None
    expired = False

    def expire() -> None:
        nonlocal expired
        expired = True
        task.cancel()

    timer = asyncio.get_running_loop().call_later(seconds, expire)
    try:
        while True:
            try:
                sent = yield waiting
            except GeneratorExit:
                coro.close()
                raise
            except BaseException as exc:  # a cancellation, thrown into the wait it is in
                try:
                    waiting = coro.throw(exc)
                except StopIteration as done:
                    return cast(T, done.value)
            else:
                try:
                    waiting = coro.send(sent)
                except StopIteration as done:
                    return cast(T, done.value)
    except asyncio.CancelledError:
        if not expired:
            raise
        _uncancel(task)
        raise TimedOut from None
    finally:
        timer.cancel()


if sys.version_info >= (3, 11):

    async def within(awaitable: Awaitable[T], seconds: float) -> T:
        """Await *awaitable*; raise ``TimedOut`` (having cancelled it) after *seconds*."""
        try:
            async with asyncio.timeout(seconds) as scope:
                return await awaitable
        except TimeoutError:
            if scope.expired():
                raise TimedOut from None
            raise

    def _uncancel(task: asyncio.Task[Any] | None) -> None:
        if task is not None:
            task.uncancel()

else:  # pragma: no cover - Python 3.10

    async def within(awaitable: Awaitable[T], seconds: float) -> T:
        """Await *awaitable*; raise ``TimedOut`` (having cancelled it) after *seconds*."""
        try:
            return await asyncio.wait_for(awaitable, seconds)
        except asyncio.TimeoutError:
            raise TimedOut from None

    def _uncancel(task: asyncio.Task[Any] | None) -> None:
        pass
