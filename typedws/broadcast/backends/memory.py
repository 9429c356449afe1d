"""``memory://``: the in-process backend, the default. No dependency, one process only."""

from __future__ import annotations

import secrets
from collections import deque

from typedws.broadcast.backends.base import Backend, Deliver, Entry, History, parse_offset

__all__ = ["MemoryBackend"]


class MemoryBackend(Backend):
    """Topics in this process: live delivery in publish order, the last *history* messages
    of each topic kept exactly, and an epoch of its own (offsets of another process, or of
    an earlier run, are never recovered)."""

    def __init__(self, *, history: int = 1000) -> None:
        #: How many messages each topic keeps.
        self.history_size: int = history
        #: This backend's epoch, in every offset it makes.
        self.epoch: str = secrets.token_hex(6)
        self._deliver: Deliver | None = None
        self._subscribed: set[str] = set()
        self._counters: dict[str, int] = {}
        self._history: dict[str, deque[tuple[int, Entry]]] = {}

    async def connect(self, deliver: Deliver, /) -> None:
        """Start delivering to *deliver*."""
        self._deliver = deliver

    async def disconnect(self) -> None:
        """Stop delivering; history is kept with the backend object."""
        self._deliver = None
        self._subscribed.clear()

    async def publish(self, topic: str, data: str, /) -> str:
        """Append *data* to *topic*, deliver it at once to this process's subscribers."""
        position = self._counters.get(topic, 0) + 1
        self._counters[topic] = position
        entry = Entry(f"{self.epoch}:{position}", data)
        history = self._history.get(topic)
        if history is None:
            history = self._history[topic] = deque(maxlen=self.history_size)
        history.append((position, entry))
        if topic in self._subscribed and self._deliver is not None:
            self._deliver(topic, entry)
        return entry.offset

    async def subscribe(self, topic: str, /) -> None:
        """Deliver *topic* from now on."""
        self._subscribed.add(topic)

    async def unsubscribe(self, topic: str, /) -> None:
        """Stop delivering *topic*."""
        self._subscribed.discard(topic)

    async def history(self, topic: str, since: str, /) -> History:
        """The entries after *since*, when *since* is of this epoch and none of them has
        been dropped from history."""
        parsed = parse_offset(since)
        last = self._counters.get(topic, 0)
        if parsed is None or parsed[0] != self.epoch or len(parsed[1]) != 1:
            return History([], False)
        position = parsed[1][0]
        kept = self._history.get(topic, deque[tuple[int, Entry]]())
        oldest = kept[0][0] if kept else last + 1
        if not oldest - 1 <= position <= last:
            return History([], False)
        return History([entry for at, entry in kept if at > position], True)
