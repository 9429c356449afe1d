"""``Broadcast``: typed publish / subscribe between connections, chosen by URL."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from types import TracebackType
from typing import Any, TypeVar, overload

from pydantic import TypeAdapter
from typing_extensions import Self, TypeForm

from typedws.broadcast._hub import Hub
from typedws.broadcast._inbox import DEFAULT_MAX_QUEUE, OnOverflow
from typedws.broadcast._room import Member, Room
from typedws.broadcast._subscription import Subscription
from typedws.broadcast._topic import Topic, codec_for
from typedws.broadcast.backends.base import Backend
from typedws.broadcast.backends.memory import MemoryBackend
from typedws.codes import CloseCode, check_close_code
from typedws.errors import ConfigurationError, InvalidState
from typedws.options import is_positive_int

__all__ = ["DEFAULT_HISTORY", "Broadcast"]

TopicMessage = TypeVar("TopicMessage")
"""A topic's message type. Named for the checkers' messages: mypy reports a message that
is not of its topic's type as ``Cannot infer value of type parameter "TopicMessage" of
"publish"``."""

DEFAULT_HISTORY = 1000
"""How many recent messages each topic keeps for resuming subscribers (Redis: about)."""

_OVERFLOW_POLICIES = ("drop_oldest", "close")


class Broadcast:
    """Typed publish / subscribe between connections, in this process or across many.

    ``Broadcast("memory://")`` (the default) reaches the subscribers of this process only;
    ``Broadcast("redis://host:6379/0")`` those of every process sharing that Redis
    (``pip install 'typedws[redis]'``). Use it as ``async with Broadcast(url) as
    broadcast`` or call ``connect()`` and ``disconnect()`` (from the app's lifespan).

    Messages are written as JSON by the same codecs the sockets use and validated again on
    arrival: a message that does not fit a subscriber's type is logged (without its
    content) and skipped. Each topic keeps its last *history* messages (``DEFAULT_HISTORY``)
    so that a subscriber can resume after an offset (``since=``). *backend* replaces the
    backend the URL would choose.
    """

    def __init__(
        self,
        url: str = "memory://",
        *,
        history: int = DEFAULT_HISTORY,
        backend: Backend | None = None,
    ) -> None:
        if not is_positive_int(history):
            raise ConfigurationError(f"history must be a positive int, not {history!r}")
        #: The backend's URL.
        self.url: str = url
        #: The backend that carries messages.
        self.backend: Backend = backend if backend is not None else _backend_for(url, history)
        self._hub = Hub(self.backend)
        self._connected = False
        self._connecting: asyncio.Future[None] | None = None

    @property
    def topics(self) -> frozenset[str]:
        """The topics this process is subscribed to: those with a subscriber or a room
        member here."""
        return self._hub.topics

    @property
    def rooms(self) -> dict[str, Room[Any]]:
        """The rooms of this process by topic name (a copy)."""
        return dict(self._hub.rooms)

    async def connect(self) -> None:
        """Connect to the backend; subscribers get messages from now on."""
        if self._connected:
            return
        if self._connecting is None:
            self._connecting = asyncio.ensure_future(self.backend.connect(self._hub.deliver))
        try:
            await asyncio.shield(self._connecting)
        except BaseException:
            if self._connecting.done():
                self._connecting = None
            raise
        self._connected = True

    async def disconnect(self) -> None:
        """End every subscription and room membership, then disconnect from the backend."""
        if self._connected:
            self._connected = False
            self._connecting = None
            self._hub.end()
            for room in list(self._hub.rooms.values()):
                for member in room.members:
                    await room.leave(member)
            self._hub.rooms.clear()
            await self.backend.disconnect()

    async def __aenter__(self) -> Self:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.disconnect()

    @contextlib.asynccontextmanager
    async def lifespan(self, app: object) -> AsyncGenerator[None, None]:
        """``Starlette(lifespan=broadcast.lifespan)`` (or FastAPI's): connected while the
        app runs."""
        async with self:
            yield

    @overload
    async def publish(self, topic: Topic[TopicMessage], message: TopicMessage, /) -> str: ...
    @overload
    async def publish(self, topic: str, message: object, /, *, type: Any = None) -> str: ...
    async def publish(self, topic: Topic[Any] | str, message: Any, /, *, type: Any = None) -> str:
        """Send *message* to every subscriber of *topic* in every process; return its offset.

        *topic* is a ``Topic`` (its type checks *message*), or a name: then *message* is
        written as *type*, by default its own class. Raises ``InvalidOutgoingMessage`` when
        it does not fit, and ``BroadcastUnavailable`` when the backend cannot be reached.
        """
        if isinstance(topic, Topic):
            name, codec = topic.name, topic.codec
        else:
            name, codec = topic, codec_for(message.__class__ if type is None else type)
        data: str = codec.encode(message)["text"]
        self._check_connected("publish")
        return await self.backend.publish(name, data)

    @overload
    def subscribe(
        self,
        topic: Topic[TopicMessage],
        /,
        *,
        since: str | None = None,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
    ) -> Subscription[TopicMessage]: ...
    @overload
    def subscribe(
        self,
        topic: str,
        message_type: TypeForm[TopicMessage],
        /,
        *,
        since: str | None = None,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
    ) -> Subscription[TopicMessage]: ...
    @overload
    def subscribe(
        self,
        topic: str,
        message_type: TypeAdapter[TopicMessage],
        /,
        *,
        since: str | None = None,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
    ) -> Subscription[TopicMessage]: ...
    def subscribe(
        self,
        topic: Topic[Any] | str,
        message_type: Any = None,
        /,
        *,
        since: str | None = None,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
    ) -> Subscription[Any]:
        """A subscription to *topic*: ``async with broadcast.subscribe(topic) as stream``,
        then ``async for delivery in stream``. See ``Subscription``.

        *topic* is a ``Topic``, or a name with its *message_type*; *since* an offset to
        resume after; the queue holds at most *max_queue* messages, and *on_overflow* says
        what one more does: ``"drop_oldest"`` (counted in ``stream.dropped``) or ``"close"``
        (iteration raises ``SlowConsumer``).
        """
        resolved = _topic_of(topic, message_type)
        _check_queue(max_queue, on_overflow)
        self._check_connected("subscribe")
        return Subscription(
            self._hub,
            resolved.name,
            resolved.codec,
            since=since,
            max_queue=max_queue,
            on_overflow=on_overflow,
        )

    @overload
    def room(
        self,
        topic: Topic[TopicMessage],
        /,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
        close_code: int = CloseCode.TRY_AGAIN_LATER,
        offset_field: str | None = None,
    ) -> Room[TopicMessage]: ...
    @overload
    def room(
        self,
        topic: str,
        message_type: TypeForm[TopicMessage],
        /,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
        close_code: int = CloseCode.TRY_AGAIN_LATER,
        offset_field: str | None = None,
    ) -> Room[TopicMessage]: ...
    @overload
    def room(
        self,
        topic: str,
        message_type: TypeAdapter[TopicMessage],
        /,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
        close_code: int = CloseCode.TRY_AGAIN_LATER,
        offset_field: str | None = None,
    ) -> Room[TopicMessage]: ...
    def room(
        self,
        topic: Topic[Any] | str,
        message_type: Any = None,
        /,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        on_overflow: OnOverflow = "drop_oldest",
        close_code: int = CloseCode.TRY_AGAIN_LATER,
        offset_field: str | None = None,
    ) -> Room[Any]:
        """The room of *topic* in this process: the connections that get its messages.
        See ``Room``.

        One room per topic name: asking again returns the same room, which must be asked
        with the same message type and options. *max_queue* bounds each member's queue;
        *on_overflow* ``"drop_oldest"`` drops a slow member's oldest message, ``"close"``
        closes the member with *close_code* (1013 or 1008); *offset_field* names a field of
        the message type set to each message's offset when it is sent.
        """
        resolved = _topic_of(topic, message_type)
        _check_queue(max_queue, on_overflow)
        check_close_code(close_code)
        self._check_connected("make a room")
        options = (max_queue, on_overflow, close_code, offset_field)
        room: Room[Any] | None = self._hub.rooms.get(resolved.name)
        if room is not None and len(room) == 0 and not self._same(room, resolved, options):
            room = None  # an empty room is made afresh, with the options now asked
        if room is None:
            room = Room(
                self._hub,
                self,
                resolved,
                max_queue=max_queue,
                on_overflow=on_overflow,
                close_code=close_code,
                offset_field=offset_field,
            )
            self._hub.rooms[resolved.name] = room
            return room
        if not self._same(room, resolved, options):
            raise ConfigurationError(
                f"room {resolved.name!r} already exists with another message type or options"
            )
        return room

    @staticmethod
    def _same(room: Room[Any], topic: Topic[Any], options: tuple[object, ...]) -> bool:
        """Whether *room* was made for *topic*'s message type with *options*."""
        made = (room.max_queue, room.on_overflow, room.close_code, room.offset_field)
        return room.topic.codec is topic.codec and made == options

    def rooms_of(self, member: Member[Any], /) -> list[Room[Any]]:
        """The rooms *member* is in, in this process."""
        return self._hub.rooms_of(member)

    async def leave_all(self, member: Member[Any], /) -> None:
        """Remove *member* from every room it is in: call it when its connection ends (an
        endpoint's ``on_disconnect``), unless it joined with ``async with room.joined()``."""
        for room in self._hub.rooms_of(member):
            await room.leave(member)

    def _check_connected(self, action: str) -> None:
        if not self._connected:
            raise InvalidState(
                f"cannot {action}: connect the broadcast first (lifespan=broadcast.lifespan "
                "does it, run by the server, or by `async with TestClient(app)` in tests)"
            )


def _topic_of(topic: Topic[Any] | str, message_type: Any) -> Topic[Any]:
    if isinstance(topic, Topic):
        if message_type is not None:
            raise ConfigurationError("give a Topic, or a name and a message type, not both")
        return topic
    if message_type is None:
        raise ConfigurationError(f"topic {topic!r}: give its message type")
    return Topic(topic, message_type)


def _check_queue(max_queue: object, on_overflow: object) -> None:
    if not is_positive_int(max_queue):
        raise ConfigurationError(f"max_queue must be a positive int, not {max_queue!r}")
    if on_overflow not in _OVERFLOW_POLICIES:
        raise ConfigurationError(
            f"on_overflow must be 'drop_oldest' or 'close', not {on_overflow!r}"
        )


def _backend_for(url: str, history: int) -> Backend:
    """The backend *url* names: ``memory://`` or ``redis://`` (``rediss://``, ``unix://``)."""
    scheme = url.partition("://")[0].lower() if "://" in url else url
    if scheme == "memory":
        return MemoryBackend(history=history)
    if scheme in ("redis", "rediss", "unix"):
        try:
            from typedws.broadcast.backends.redis import RedisBackend
        except ModuleNotFoundError as exc:
            if exc.name != "redis" and not (exc.name or "").startswith("redis."):
                raise
            raise ConfigurationError(
                f"{scheme}:// needs the redis package: pip install 'typedws[redis]'"
            ) from None
        return RedisBackend(url, history=history)
    raise ConfigurationError(f"unknown broadcast URL {url!r}: use memory:// or redis://")
