"""``Subscription[T]``: one subscriber's typed stream of a topic, resumable by offset."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from typing_extensions import Self

from typedws.broadcast._inbox import Closed, Inbox, Key, OnOverflow, Overflowed
from typedws.broadcast._topic import Delivery
from typedws.broadcast.errors import SlowConsumer
from typedws.codecs import MessageCodec
from typedws.errors import InvalidState

if TYPE_CHECKING:
    from typedws.broadcast._hub import Hub

__all__ = ["Subscription"]

T = TypeVar("T")


class Subscription(Generic[T]):
    """A subscription to one topic: ``async with broadcast.subscribe(...) as stream``, then
    ``async for delivery in stream``, each a ``Delivery[T]`` (``.message``, ``.offset``).

    Live from the moment ``async with`` is entered. With ``since=`` an offset, it first
    yields every message after that offset still in history, in order, then the live ones,
    with no gap and no duplicate; ``recovered`` is ``False`` when history no longer held them
    all (the offset is too old, of another epoch, or not an offset): then only live messages
    come. Messages that fail validation are logged and skipped. The queue holds at most
    ``max_queue`` messages: ``on_overflow="drop_oldest"`` drops the oldest and counts it in
    ``dropped``; ``"close"`` ends the subscription, and iteration raises ``SlowConsumer``.
    Iteration ends when the ``Broadcast`` disconnects.
    """

    def __init__(
        self,
        hub: Hub,
        topic: str,
        codec: MessageCodec[T],
        *,
        since: str | None,
        max_queue: int,
        on_overflow: OnOverflow,
    ) -> None:
        self._hub = hub
        #: The topic's name.
        self.topic: str = topic
        #: The codec messages are validated with.
        self.codec: MessageCodec[T] = codec
        self._since = since
        self._inbox: Inbox[T] = Inbox(max_queue, on_overflow)
        self._entered = False
        #: Whether every message after ``since`` was recovered from history (``True``
        #: without ``since``).
        self.recovered: bool = True
        #: The offset of the last message this subscription yielded, to resume from.
        self.offset: str | None = since

    @property
    def dropped(self) -> int:
        """How many messages this subscriber did not get because its queue was full."""
        return self._inbox.dropped

    @property
    def pending(self) -> int:
        """How many messages wait in the queue."""
        return len(self._inbox)

    async def __aenter__(self) -> Self:
        if self._entered:
            raise InvalidState("a subscription is entered once")
        self._entered = True
        hub = self._hub
        await hub.attach(self.topic, self)
        if self._since is not None:
            try:
                self.recovered, replay = await hub.replay(self.topic, self.codec, self._since)
            except BaseException:
                await hub.detach(self.topic, self)
                raise
            if self.recovered:
                self._inbox.replay(self._since, replay)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._inbox.close()
        await self._hub.detach(self.topic, self)

    def take(self, key: Key, offset: str, value: Any) -> None:
        """Queue a live message (called by the hub)."""
        self._inbox.put(key, Delivery(value, offset, self.topic))

    def end(self) -> None:
        """End the iteration once the queue is empty (called by the hub)."""
        self._inbox.close()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> Delivery[T]:
        if not self._entered:
            raise InvalidState("enter the subscription first: async with broadcast.subscribe(...)")
        try:
            delivery = await self._inbox.get()
        except Closed:
            raise StopAsyncIteration from None
        except Overflowed:
            raise SlowConsumer(self.topic, self._inbox.max_queue) from None
        self.offset = delivery.offset
        return delivery
