"""Typed broadcast: publish / subscribe and rooms of connections, in memory or over Redis.

``Broadcast(url)`` chooses a backend by URL (``memory://``, the default, or
``redis://host:port/db``). ``Topic(name, MessageType)`` binds a topic to its message type;
``publish`` writes a message with the same codecs the sockets use and returns its offset;
``subscribe`` yields ``Delivery`` objects (``message``, ``offset``), resumable with
``since=offset``; ``room`` fans a topic out to connections. The Redis client is imported by
``typedws.broadcast.backends.redis`` only.
"""

from typedws.broadcast._broadcast import DEFAULT_HISTORY, Broadcast
from typedws.broadcast._inbox import DEFAULT_MAX_QUEUE, OnOverflow
from typedws.broadcast._room import TOO_SLOW, Member, Room
from typedws.broadcast._subscription import Subscription
from typedws.broadcast._topic import Delivery, Topic
from typedws.broadcast.backends.base import Backend, Entry, History
from typedws.broadcast.errors import BroadcastUnavailable, SlowConsumer

__all__ = [
    "DEFAULT_HISTORY",
    "DEFAULT_MAX_QUEUE",
    "TOO_SLOW",
    "Backend",
    "Broadcast",
    "BroadcastUnavailable",
    "Delivery",
    "Entry",
    "History",
    "Member",
    "OnOverflow",
    "Room",
    "SlowConsumer",
    "Subscription",
    "Topic",
]
