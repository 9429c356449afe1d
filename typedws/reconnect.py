"""When and how often a ``typedws.Client`` reconnects: exponential back-off with jitter."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from typedws.codes import CloseCode
from typedws.errors import ConfigurationError

__all__ = ["Reconnect"]

RECONNECT_CODES = frozenset(
    {
        CloseCode.GOING_AWAY,
        CloseCode.ABNORMAL_CLOSURE,
        CloseCode.INTERNAL_ERROR,
        CloseCode.SERVICE_RESTART,
        CloseCode.TRY_AGAIN_LATER,
        CloseCode.BAD_GATEWAY,
    }
)
"""The close codes after which trying again may work: the server went away, restarts, is
overloaded, failed, or the connection dropped without a close frame."""


@dataclass(frozen=True)
class Reconnect:
    """How a ``typedws.Client`` reconnects after its connection drops (``reconnect=``).

    After a close with one of ``codes`` (by default 1001 going away, 1006 a drop without a
    close frame, 1011 a server error, 1012 a restart, 1013 try again later, 1014), the client
    waits and connects again, up to ``max_attempts`` times in a row: the n-th wait is
    ``min(max_delay, initial_delay * factor ** n)``, less a random part of up to ``jitter``
    of it, so that many clients do not all come back at once. A normal close (1000), an
    invalid-message code (1003, 1007, 1008, 1009) or an application code ends the
    connection for good, as do ``max_attempts`` failed attempts.
    """

    max_attempts: int = 10
    initial_delay: float = 0.1
    max_delay: float = 10.0
    factor: float = 2.0
    jitter: float = 0.5
    codes: frozenset[int] = field(default=RECONNECT_CODES)

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ConfigurationError(f"max_attempts must be 1 or more, not {self.max_attempts!r}")
        if not 0 <= self.initial_delay <= self.max_delay:
            raise ConfigurationError("the delays must be 0 <= initial_delay <= max_delay")
        if self.factor < 1 or not 0 <= self.jitter <= 1:
            raise ConfigurationError("factor must be 1 or more, and jitter between 0 and 1")

    def delays(self) -> Iterator[float]:
        """The waits before each attempt, in seconds: ``max_attempts`` of them."""
        for attempt in range(self.max_attempts):
            delay = min(self.max_delay, self.initial_delay * self.factor**attempt)
            yield delay * (1 - self.jitter * random.random())  # jitter, not a secret
