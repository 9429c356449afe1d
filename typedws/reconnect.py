"""When and how often a ``typedws.Client`` reconnects (exponential back-off with jitter),
and how it resumes where it left off (``Resume``)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from typedws.codes import CloseCode
from typedws.errors import ConfigurationError

__all__ = ["Reconnect", "Resume"]

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


@dataclass(frozen=True)
class Resume:
    """How a reconnecting ``typedws.Client`` asks for what it missed (``resume=``).

    The client remembers the ``field`` of the last message it received that has one set
    (a string, or an int: the offset a room stamps with ``offset_field``), from the moment
    each message arrives; each reconnect then opens the URL with ``param=<that offset>`` in
    its query string (replacing a ``param`` the URL had), so that a server which reads it,
    as ``room.join(ws, since=ws.query_params.get("since"))`` does, sends every message the
    client missed first. ``client.last_offset`` is that offset. Needs ``reconnect``, and a
    receive type of ``"model"`` or ``"json"``.
    """

    field: str = "offset"
    param: str = "since"

    def __post_init__(self) -> None:
        for name in ("field", "param"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ConfigurationError(f"Resume's {name} must be a non-empty str, not {value!r}")
