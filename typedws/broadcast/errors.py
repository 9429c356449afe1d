"""The exceptions of ``typedws.broadcast``, under typedws's root::

    TypedWSError
    ├── BroadcastUnavailable  (ConnectionError) the backend cannot be reached
    └── SlowConsumer                            a subscriber fell behind its queue bound

Messages that do not fit a subscriber's type raise nothing: they are logged and skipped.
"""

from __future__ import annotations

from typedws.errors import TypedWSError

__all__ = ["BroadcastUnavailable", "SlowConsumer"]


class BroadcastUnavailable(TypedWSError, ConnectionError):
    """Raised when a publish or a history read cannot reach the broadcast backend (Redis
    down or unreachable), after the backend's bounded retries; nothing was published."""


class SlowConsumer(TypedWSError):
    """Raised when a subscription's queue overflowed under ``on_overflow="close"``: the
    subscriber fell more than ``max_queue`` messages behind, and its subscription ended.

    ``dropped`` is how many messages it did not get.
    """

    def __init__(self, topic: str, max_queue: int) -> None:
        super().__init__(topic, max_queue)

    @property
    def topic(self) -> str:
        """The topic of the subscription."""
        return str(self.args[0])

    @property
    def max_queue(self) -> int:
        """The queue bound it went over."""
        return int(self.args[1])

    def __str__(self) -> str:
        return f"subscriber of {self.topic!r} fell over {self.max_queue} messages behind"
