"""A consumer's bounded queue: replayed history first, then live messages, each once."""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Generic, Literal, TypeVar

from typedws.broadcast._topic import Delivery
from typedws.broadcast.backends.base import parse_offset

__all__ = ["DEFAULT_MAX_QUEUE", "Inbox", "Key", "OnOverflow", "Overflowed"]

T = TypeVar("T")

OnOverflow = Literal["drop_oldest", "close"]
"""What a full queue does with one more message: drop its oldest message and count it, or
end the subscription (a room closes the member's connection)."""

DEFAULT_MAX_QUEUE = 1000
"""The default bound of each subscriber's queue, in messages."""

Key = tuple[str, tuple[int, ...]] | None
"""An offset's epoch and position, or ``None`` for an offset that cannot be compared."""


class Overflowed(Exception):
    """Raised by ``Inbox.get`` once the queue overflowed under ``on_overflow="close"``."""


class Closed(Exception):
    """Raised by ``Inbox.get`` once the inbox is closed and empty."""


class Inbox(Generic[T]):
    """The queue of one consumer.

    Live messages wait in a queue of at most *max_queue*; history replayed on a resume goes
    before them, unbounded (history is bounded itself). ``get`` never returns a message at
    or before the last one it returned in the same epoch: the seam between history and live
    messages has no duplicate.
    """

    __slots__ = ("_live", "_ready", "_replay", "closed", "cursor", "dropped", "max_queue",
                 "on_overflow", "overflowed")  # fmt: skip

    def __init__(self, max_queue: int, on_overflow: OnOverflow) -> None:
        self.max_queue = max_queue
        self.on_overflow = on_overflow
        self._live: deque[tuple[Key, Delivery[T]]] = deque()
        self._replay: deque[tuple[Key, Delivery[T]]] = deque()
        self._ready = asyncio.Event()
        self.cursor: Key = None
        self.dropped = 0
        self.overflowed = False
        self.closed = False

    def put(self, key: Key, delivery: Delivery[T]) -> bool:
        """Queue a live message; ``False`` when the queue overflowed under ``"close"``."""
        if self.overflowed or self.closed:
            self.dropped += self.overflowed
            return False
        if len(self._live) >= self.max_queue:
            if self.on_overflow == "close":
                self.overflowed = True
                self.dropped += 1 + len(self._live)
                self._live.clear()
                self._ready.set()
                return False
            self._live.popleft()
            self.dropped += 1
        self._live.append((key, delivery))
        self._ready.set()
        return True

    def replay(self, since: str, deliveries: list[tuple[Key, Delivery[T]]]) -> None:
        """Deliver *deliveries*, history after *since*, before every live message."""
        self.cursor = parse_offset(since)
        self._replay.extend(deliveries)
        if deliveries:
            self._ready.set()

    def close(self) -> None:
        """End the inbox: ``get`` raises ``Closed`` once it is empty."""
        self.closed = True
        self._ready.set()

    def __len__(self) -> int:
        return len(self._replay) + len(self._live)

    async def get(self) -> Delivery[T]:
        """The next message; raises ``Overflowed`` or ``Closed`` at the end."""
        while True:
            if self._replay:
                key, delivery = self._replay.popleft()
                self._advance(key)
                return delivery
            if self.overflowed:
                raise Overflowed
            while self._live:
                key, delivery = self._live.popleft()
                if self._advance(key):
                    return delivery
            if self.closed:
                raise Closed
            self._ready.clear()
            await self._ready.wait()

    def _advance(self, key: Key) -> bool:
        """Move the cursor to *key*; ``False`` when *key* is not after it (a duplicate)."""
        cursor = self.cursor
        if key is not None:
            if cursor is not None and key[0] == cursor[0] and key[1] <= cursor[1]:
                return False
            self.cursor = key
        return True
