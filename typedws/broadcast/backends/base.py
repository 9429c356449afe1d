"""The backend interface of ``typedws.broadcast``: what a transport between processes does.

A backend moves JSON text between the processes of an app, per topic, and keeps each topic's
recent history. It knows nothing of message types: ``Broadcast`` encodes before ``publish``
and validates what ``deliver`` hands it. Offsets are opaque strings ``"<epoch>:<position>"``:
the epoch changes when a topic's history is lost, positions grow within an epoch.
"""

from __future__ import annotations

import abc
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["Backend", "Deliver", "Entry", "History", "parse_offset"]


class Entry(NamedTuple):
    """One published message as the backend carries it: its offset and its JSON text."""

    offset: str
    data: str


class History(NamedTuple):
    """What a topic still holds after an offset.

    ``recovered`` is false when the offset's messages are no longer all in history (it is
    older than the history kept, of another epoch, or not an offset at all); ``entries``
    is then empty.
    """

    entries: list[Entry]
    recovered: bool


Deliver = Callable[[str, Entry], None]
"""What a backend calls with each live message of a subscribed topic: ``deliver(topic,
entry)``, on the event loop, in offset order per topic; it never blocks and never raises."""


def parse_offset(offset: str) -> tuple[str, tuple[int, ...]] | None:
    """The epoch and the position of *offset*, or ``None`` when it is not an offset.

    Positions are ``"12"`` (memory) or ``"1712345678901-3"`` (a Redis stream entry id);
    they compare as tuples of ints within one epoch.
    """
    epoch, sep, position = offset.partition(":")
    if not sep or not epoch:
        return None
    parts = position.split("-")
    if not 1 <= len(parts) <= 2 or not all(part.isdigit() and part.isascii() for part in parts):
        return None
    return epoch, tuple(int(part) for part in parts)


class Backend(abc.ABC):
    """A transport of JSON text per topic between the processes of an app.

    ``Broadcast`` calls ``connect`` once, then ``subscribe`` when the first local listener of
    a topic appears and ``unsubscribe`` when the last one goes, and ``disconnect`` at the end.
    """

    @abc.abstractmethod
    async def connect(self, deliver: Deliver, /) -> None:
        """Start: live messages of subscribed topics go to *deliver* from now on."""

    @abc.abstractmethod
    async def disconnect(self) -> None:
        """Stop, releasing every connection and task."""

    @abc.abstractmethod
    async def publish(self, topic: str, data: str, /) -> str:
        """Append *data* to *topic*'s history, send it to every subscriber of *topic* in
        every process, and return its offset.

        Raises ``BroadcastUnavailable`` when the transport cannot be reached.
        """

    @abc.abstractmethod
    async def subscribe(self, topic: str, /) -> None:
        """Deliver *topic*'s live messages from now on: every message published after this
        returns reaches ``deliver``."""

    @abc.abstractmethod
    async def unsubscribe(self, topic: str, /) -> None:
        """Stop delivering *topic*'s messages."""

    @abc.abstractmethod
    async def history(self, topic: str, since: str, /) -> History:
        """Every message of *topic* after the offset *since*, in order, when history still
        holds them all.

        Raises ``BroadcastUnavailable`` when the transport cannot be reached.
        """
