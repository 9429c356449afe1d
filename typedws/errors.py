"""Exceptions raised by typedws, all under one root::

    TypedWSError
    ├── ConfigurationError      (ValueError)   options that cannot work, raised when built
    ├── InvalidMessage          (ValueError)   an incoming message does not fit the receive type
    ├── InvalidOutgoingMessage  (TypeError)    a value to send does not fit the send type
    └── InvalidState            (RuntimeError) an operation the connection's state forbids

A peer that goes away is reported as Starlette's ``WebSocketDisconnect``, as in Starlette.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic_core import ErrorDetails

from typedws.codes import FailureKind

__all__ = [
    "ConfigurationError",
    "InvalidMessage",
    "InvalidOutgoingMessage",
    "InvalidState",
    "TypedWSError",
]


class TypedWSError(Exception):
    """Raised by typedws: the root of all its exceptions."""


class ConfigurationError(TypedWSError, ValueError):
    """Raised when a WebSocket or a route is built with options that cannot work.

    For example an unknown value type, the ``"model"`` type without a model, or a model
    that pydantic cannot build an adapter for.
    """


class InvalidMessage(TypedWSError, ValueError):
    """Raised when an incoming message does not fit the receive type.

    ``kind`` says what went wrong (``"frame_type"``, ``"json"``, ``"validation"`` or
    ``"too_big"``), ``close_code`` is the code it maps to, ``reason`` the close reason
    (at most 123 bytes of UTF-8, never the client's input) and ``errors`` pydantic's
    structured errors when pydantic found them, without the input, so that logging them
    never logs the client's data.
    """

    def __init__(
        self,
        kind: FailureKind,
        close_code: int,
        reason: str,
        errors: Sequence[ErrorDetails] = (),
    ) -> None:
        super().__init__(kind, close_code, reason, errors)
        self.kind: FailureKind = kind
        self.close_code = close_code
        self.reason = reason
        self.errors: list[ErrorDetails] = list(errors)

    def __str__(self) -> str:
        return f"{self.reason} ({self.kind}, close code {self.close_code})"


class InvalidOutgoingMessage(TypedWSError, TypeError):
    """Raised when a value to send does not fit the send type; nothing was sent."""


class InvalidState(TypedWSError, RuntimeError):
    """Raised when the connection's state forbids an operation, such as sending after close."""
