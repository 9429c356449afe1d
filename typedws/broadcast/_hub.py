"""The listeners of each topic in this process, between a backend and its consumers.

The hub subscribes a topic at the backend while it has listeners, validates each message
that arrives once per message type, and hands it to every listener of its topic.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from typedws.broadcast._inbox import Key
from typedws.broadcast._topic import Delivery
from typedws.broadcast.backends.base import Backend, Entry, parse_offset
from typedws.codecs import MessageCodec
from typedws.errors import InvalidMessage

__all__ = ["Hub", "Listener"]

logger: logging.Logger = logging.getLogger("typedws.broadcast")

_INVALID = object()


class Listener(Protocol):
    """What listens to a topic: a subscription, or a room."""

    @property
    def codec(self) -> MessageCodec[Any]:
        """The codec its messages are validated with."""
        ...

    def take(self, key: Key, offset: str, value: Any, /) -> None:
        """Take one validated live message; never block, never raise."""
        ...

    def end(self) -> None:
        """The broadcast is over: stop."""
        ...


class Hub:
    """The listeners of each topic in this process."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self._listeners: dict[str, set[Listener]] = {}
        self._lock = asyncio.Lock()
        self._rooms_of: dict[Any, set[Any]] = {}
        #: The rooms by topic name; a room leaves when its last member does.
        self.rooms: dict[str, Any] = {}

    def forget(self, room: Any, topic: str) -> None:
        """*room*, the room of *topic*, has no member left."""
        if self.rooms.get(topic) is room:
            del self.rooms[topic]

    def joined(self, member: Any, room: Any) -> None:
        """Note that *member* is in *room*."""
        self._rooms_of.setdefault(member, set()).add(room)

    def left(self, member: Any, room: Any) -> None:
        """Note that *member* left *room*."""
        rooms = self._rooms_of.get(member)
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[member]

    def rooms_of(self, member: Any) -> list[Any]:
        """The rooms *member* is in."""
        return list(self._rooms_of.get(member, ()))

    @property
    def topics(self) -> frozenset[str]:
        """The topics subscribed at the backend: those with a listener in this process."""
        return frozenset(self._listeners)

    async def attach(self, topic: str, listener: Listener) -> None:
        """Give *listener* every message of *topic* published from now on."""
        async with self._lock:
            listeners = self._listeners.get(topic)
            if listeners is None:
                await self.backend.subscribe(topic)
                listeners = self._listeners[topic] = set()
            listeners.add(listener)

    async def detach(self, topic: str, listener: Listener) -> None:
        """Stop giving *listener* the messages of *topic*; unsubscribe the last one."""
        async with self._lock:
            listeners = self._listeners.get(topic)
            if listeners is None or listener not in listeners:
                return
            listeners.discard(listener)
            if not listeners:
                del self._listeners[topic]
                try:
                    await self.backend.unsubscribe(topic)
                except Exception:  # the backend is down: it forgets the topic anyway
                    logger.warning("broadcast: could not unsubscribe %r", topic, exc_info=True)

    def end(self) -> None:
        """End every listener (the broadcast disconnects)."""
        for listeners in list(self._listeners.values()):
            for listener in list(listeners):
                listener.end()
        self._listeners.clear()

    def deliver(self, topic: str, entry: Entry) -> None:
        """Hand a live *entry* of *topic* to its listeners, validated once per codec."""
        listeners = self._listeners.get(topic)
        if not listeners:
            return
        key = parse_offset(entry.offset)
        values: dict[int, Any] = {}
        for listener in tuple(listeners):
            codec = listener.codec
            value = values.get(id(codec), _INVALID)
            if value is _INVALID and id(codec) not in values:
                value = values[id(codec)] = self.decode(topic, codec, entry)
            if value is not _INVALID:
                listener.take(key, entry.offset, value)

    async def replay(
        self, topic: str, codec: MessageCodec[Any], since: str
    ) -> tuple[bool, list[tuple[Key, Delivery[Any]]]]:
        """Whether history holds every message of *topic* after *since*, and those
        messages, validated by *codec* (invalid ones logged and left out)."""
        history = await self.backend.history(topic, since)
        deliveries: list[tuple[Key, Delivery[Any]]] = []
        for entry in history.entries:
            value = self.decode(topic, codec, entry)
            if value is not _INVALID:
                deliveries.append(
                    (parse_offset(entry.offset), Delivery(value, entry.offset, topic))
                )
        return history.recovered, deliveries

    @staticmethod
    def decode(topic: str, codec: MessageCodec[Any], entry: Entry) -> Any:
        """*entry*'s message validated by *codec*; logged (without the message) and
        ``_INVALID`` when it does not fit."""
        try:
            return codec.decode({"type": "websocket.receive", "text": entry.data})
        except InvalidMessage as exc:
            # The reason never quotes the message: see typedws.codecs._redact.
            logger.warning(
                "broadcast: dropped a message on %r at %s: %s", topic, entry.offset, exc.reason
            )
            return _INVALID
