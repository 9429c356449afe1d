"""A client's settings, checked once when ``connect()`` (or a test client) is called."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from typedws.options import Codecs, OnInvalid
from typedws.reconnect import Reconnect, Resume

__all__ = ["ClientSettings"]


@dataclass(frozen=True)
class ClientSettings:
    """What a ``Client`` does besides moving messages: codecs, policies, timeouts."""

    codecs: Codecs
    on_invalid: OnInvalid
    invalid_reply: Callable[[Any], Any] | None
    max_invalid: int
    correlation_id: str
    receive_timeout: float | None
    request_timeout: float | None
    close_timeout: float | None
    reconnect: Reconnect | None
    on_reconnect: Callable[[Any], Awaitable[None]] | None
    queue_size: int
    resume: Resume | None = None
