"""``Room[T]``: connections that get every message of a topic, each through its own queue."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, cast

from starlette.websockets import WebSocketDisconnect

from typedws.broadcast._inbox import Closed, Inbox, Key, OnOverflow, Overflowed
from typedws.broadcast._topic import Delivery, Topic
from typedws.codecs import MessageCodec
from typedws.codes import CloseCode
from typedws.errors import InvalidOutgoingMessage, InvalidState

if TYPE_CHECKING:
    from typedws.broadcast._broadcast import Broadcast
    from typedws.broadcast._hub import Hub

__all__ = ["Member", "Room"]

logger: logging.Logger = logging.getLogger("typedws.broadcast")

T = TypeVar("T")
T_contra = TypeVar("T_contra", contravariant=True)

TOO_SLOW = "too slow: fell behind the room"
"""The close reason of a member whose queue overflowed under ``on_overflow="close"``."""


class Member(Protocol[T_contra]):
    """What can join a room: a connection that sends values of the room's type, such as
    ``typedws.WebSocket[R, S]`` when the room's type is part of ``S``."""

    async def send(self, value: T_contra, /) -> None:
        """Send *value* to the peer."""
        ...

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        """Close the connection."""
        ...


class _Seat:
    """One member's queue and the task that sends it."""

    __slots__ = ("inbox", "member", "sending", "task")

    def __init__(self, member: Member[Any], inbox: Inbox[Any]) -> None:
        self.member = member
        self.inbox = inbox
        self.task: asyncio.Task[None] | None = None
        self.sending = False


class Room(Generic[T]):
    """The connections of this process that get every message of one topic.

    Made by ``broadcast.room(topic)`` (one room per topic name and process). ``join(ws)``
    adds a connection, ``leave(ws)`` removes it, ``async with room.joined(ws)`` does both;
    ``publish(message)`` sends to every member of the room in every process. Each member
    gets each message once, in publish order, from its own queue of at most ``max_queue``
    messages and its own task: a slow or gone member never holds up the others or the
    sender, and never makes ``publish`` raise. A member whose peer has gone leaves by
    itself at the next message; a member whose queue overflows either loses the oldest
    message (``on_overflow="drop_oldest"``, counted in ``dropped``) or is closed with
    ``close_code`` (``"close"``; 1013 TRY_AGAIN_LATER unless given). With ``offset_field``,
    each message is sent with that field set to its offset (a string), for clients to
    resume with ``join(ws, since=offset)``.
    """

    def __init__(
        self,
        hub: Hub,
        broadcast: Broadcast,
        topic: Topic[T],
        *,
        max_queue: int,
        on_overflow: OnOverflow,
        close_code: int,
        offset_field: str | None,
    ) -> None:
        self._hub = hub
        self._broadcast = broadcast
        #: The topic.
        self.topic: Topic[T] = topic
        #: The bound of each member's queue.
        self.max_queue: int = max_queue
        #: What a full member queue does: see ``Room``.
        self.on_overflow: OnOverflow = on_overflow
        #: The close code of a member closed for falling behind.
        self.close_code: int = close_code
        #: The field set to each message's offset, if any.
        self.offset_field: str | None = offset_field
        self._seats: dict[Member[Any], _Seat] = {}
        self._attached = False
        self._dropped_by_gone = 0

    @property
    def codec(self) -> MessageCodec[T]:
        """The codec of the topic's messages."""
        return self.topic.codec

    @property
    def dropped(self) -> int:
        """How many messages members of this process did not get because their queue was
        full (members that left included)."""
        return self._dropped_by_gone + sum(seat.inbox.dropped for seat in self._seats.values())

    @property
    def members(self) -> list[Member[T]]:
        """The members of this process."""
        return list(self._seats)

    def __len__(self) -> int:
        """How many members the room has in this process."""
        return len(self._seats)

    def __contains__(self, member: object) -> bool:
        return member in self._seats

    async def publish(self, message: T, /) -> str:
        """Send *message* to every member in every process; return its offset."""
        return await self._broadcast.publish(self.topic, message)

    async def join(
        self,
        member: Member[T],
        /,
        *,
        since: str | None = None,
        on_joined: Callable[[bool], Awaitable[None]] | None = None,
    ) -> bool:
        """Add *member*: it gets every message published from now on. With *since*, the
        offset of the last message it got, it first gets every later message still in
        history. Returns whether history held them all (``True`` without *since*); when
        ``False`` it gets live messages only, and the app may send it the state afresh.

        *on_joined*, when given, is awaited with that flag before the member is sent any
        room message: send a greeting from it (``lambda recovered:
        ws.send(Welcome(recovered=recovered))``), so that it comes first. Joining twice
        does nothing more."""
        if member in self._seats:
            return True
        self._hub.rooms.setdefault(self.topic.name, self)
        seat = _Seat(member, Inbox(self.max_queue, self.on_overflow))
        self._seats[member] = seat
        self._hub.joined(member, self)
        recovered = True
        try:
            if not self._attached:
                self._attached = True
                await self._hub.attach(self.topic.name, self)
            if since is not None:
                recovered, replay = await self._hub.replay(self.topic.name, self.codec, since)
                if recovered:
                    seat.inbox.replay(since, [self._stamped(item) for item in replay])
        except BaseException:
            await self._remove(seat)
            raise
        seat.task = asyncio.create_task(
            self._pump(seat, on_joined, recovered), name=f"typedws room {self.topic.name}"
        )
        return recovered

    async def leave(self, member: Member[Any], /) -> None:
        """Remove *member*; nothing when it is not a member."""
        seat = self._seats.get(member)
        if seat is None:
            return
        seat.inbox.close()
        task = seat.task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._remove(seat)

    @contextlib.asynccontextmanager
    async def joined(
        self,
        member: Member[T],
        /,
        *,
        since: str | None = None,
        on_joined: Callable[[bool], Awaitable[None]] | None = None,
    ) -> AsyncGenerator[bool, None]:
        """``async with room.joined(ws) as recovered:``: a member inside the block only
        (see ``join``)."""
        recovered = await self.join(member, since=since, on_joined=on_joined)
        try:
            yield recovered
        finally:
            await self.leave(member)

    def take(self, key: Key, offset: str, value: Any, /) -> None:
        """Queue a live message for every member (called by the hub)."""
        delivery = self._stamped((key, Delivery(value, offset, self.topic.name)))[1]
        for seat in tuple(self._seats.values()):
            if not seat.inbox.put(key, delivery) and seat.inbox.overflowed and seat.sending:
                seat.sending = False
                cast("asyncio.Task[None]", seat.task).cancel()  # stuck sending: it closes it

    def end(self) -> None:
        """The broadcast is over: every member's queue ends (called by the hub)."""
        self._attached = False
        for seat in tuple(self._seats.values()):
            seat.inbox.close()

    def _stamped(self, item: tuple[Key, Delivery[Any]]) -> tuple[Key, Delivery[Any]]:
        """*item* with its offset in the message's ``offset_field``, if the room has one."""
        field = self.offset_field
        if field is None:
            return item
        key, delivery = item
        message = self.codec.replace(delivery.message, **{field: delivery.offset})
        return key, Delivery(message, delivery.offset, delivery.topic)

    async def _pump(
        self,
        seat: _Seat,
        on_joined: Callable[[bool], Awaitable[None]] | None,
        recovered: bool,
    ) -> None:
        """Send a member its greeting, then its messages until it leaves, its peer goes,
        or it falls behind."""
        member, inbox = seat.member, seat.inbox
        try:
            if on_joined is not None:
                seat.sending = True
                await on_joined(recovered)
                seat.sending = False
            while True:
                delivery = await inbox.get()
                seat.sending = True
                await member.send(delivery.message)
                seat.sending = False
        except Closed:
            pass
        except (Overflowed, asyncio.CancelledError):
            if inbox.overflowed and not inbox.closed:  # else cancelled by leave()
                await self._too_slow(member)
        except (WebSocketDisconnect, InvalidState, OSError):
            pass  # the peer has gone, or its own handler closed it: it leaves
        except InvalidOutgoingMessage:
            logger.exception(
                "room %r: a message does not fit a member's send type", self.topic.name
            )
            await _close_quietly(member, CloseCode.INTERNAL_ERROR, "")
        except Exception:
            logger.exception("room %r: sending to a member failed", self.topic.name)
            await _close_quietly(member, CloseCode.INTERNAL_ERROR, "")
        finally:
            if self._seats.get(member) is seat and asyncio.current_task() is seat.task:
                seat.task = None
                await self._remove(seat)

    async def _too_slow(self, member: Member[Any]) -> None:
        logger.warning(
            "room %r: a member fell over %d messages behind; closing it with %d",
            self.topic.name,
            self.max_queue,
            self.close_code,
        )
        await _close_quietly(member, self.close_code, TOO_SLOW)

    async def _remove(self, seat: _Seat) -> None:
        """Forget *seat*; the last member detaches the room from its topic."""
        if self._seats.get(seat.member) is not seat:
            return
        del self._seats[seat.member]
        self._dropped_by_gone += seat.inbox.dropped
        self._hub.left(seat.member, self)
        if not self._seats:
            self._hub.forget(self, self.topic.name)
            if self._attached:
                self._attached = False
                await self._hub.detach(self.topic.name, self)


async def _close_quietly(member: Member[Any], code: int, reason: str) -> None:
    """Close *member*'s connection, whatever state it is in."""
    with contextlib.suppress(Exception):
        await member.close(code, reason)
