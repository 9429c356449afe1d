"""Exceptions raised by typedws, all under one root::

    TypedWSError
    ├── ConfigurationError      (ValueError)   options that cannot work, raised when built
    ├── InvalidMessage          (ValueError)   an incoming message does not fit the receive type
    ├── InvalidOutgoingMessage  (TypeError)    a value to send does not fit the send type
    ├── InvalidState            (RuntimeError) an operation the connection's state forbids
    ├── HandshakeRejected       (ConnectionError) the server refused a client's connection
    ├── ReceiveTimeout          (TimeoutError) a client waited too long for a message
    ├── RequestTimeout          (TimeoutError) a client's request got no reply in time
    └── RequestFailed                          a client's request was answered with an error

    WebSocketDisconnect (Starlette's)
    └── Disconnected                           the peer of a connection has gone

A peer that goes away is reported as Starlette's ``WebSocketDisconnect``, as in Starlette;
typedws raises its subclass ``Disconnected``, which names the connection it concerns, on the
server (a ``WebSocket``) and on the client (a ``typedws.Client``) alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal, Protocol, cast

from pydantic_core import ErrorDetails
from starlette.websockets import WebSocketDisconnect
from typing_extensions import TypedDict

from typedws.codes import FailureKind

__all__ = [
    "ConfigurationError",
    "ConnectionLike",
    "Disconnected",
    "ErrorItem",
    "ErrorReplyLike",
    "HandshakeRejected",
    "InvalidMessage",
    "InvalidOutgoingMessage",
    "InvalidState",
    "ReceiveTimeout",
    "RequestFailed",
    "RequestTimeout",
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

    #: The message's correlation id, when the socket names the field (``correlation_id``)
    #: and the message held a well-formed one there: the one piece of the client's input
    #: an error reply may repeat.
    correlation_id: str | int | None = None

    def __init__(
        self,
        kind: FailureKind,
        close_code: int,
        reason: str,
        errors: Sequence[ErrorDetails] = (),
        *,
        correlation_id: str | int | None = None,
    ) -> None:
        super().__init__(kind, close_code, reason, list(errors))
        if correlation_id is not None:
            self.correlation_id = correlation_id

    @property
    def kind(self) -> FailureKind:
        """What went wrong: ``"frame_type"``, ``"json"``, ``"validation"`` or ``"too_big"``."""
        return cast(FailureKind, self.args[0])

    @property
    def close_code(self) -> int:
        """The close code the failure maps to."""
        return cast(int, self.args[1])

    @property
    def reason(self) -> str:
        """The close reason: at most 123 bytes of UTF-8, never the client's input."""
        return cast(str, self.args[2])

    @property
    def errors(self) -> list[ErrorDetails]:
        """pydantic's structured errors without the input (empty when pydantic found none)."""
        return cast(list[ErrorDetails], self.args[3])

    def __str__(self) -> str:
        return f"{self.reason} ({self.kind}, close code {self.close_code})"


class InvalidOutgoingMessage(TypedWSError, TypeError):
    """Raised when a value to send does not fit the send type; nothing was sent."""


class InvalidState(TypedWSError, RuntimeError):
    """Raised when the connection's state forbids an operation, such as sending after close."""


class ConnectionLike(Protocol):
    """What ``Disconnected.websocket`` is typed as: a server-side ``WebSocket`` or a
    ``typedws.Client``, both of which tell whether they are over and with which code.

    Compare it by identity (``exc.websocket is ws``) to tell which connection ended.
    """

    @property
    def closed(self) -> bool:
        """Whether the connection is over."""
        ...

    @property
    def close_code(self) -> int | None:
        """The code the connection ended with, ``None`` while it is open."""
        ...


class Disconnected(WebSocketDisconnect):
    """Raised when the peer of a connection has gone: it closed, or the connection dropped.

    A Starlette ``WebSocketDisconnect``, so ``except WebSocketDisconnect`` catches it. Raised
    by every receive and every send on that connection from then on, from whichever task,
    with the same ``code`` and ``reason``: the peer's close code as the server reported it
    (1005 when the peer gave none; 1006 when the server reported nothing). ``websocket`` is
    the connection whose peer has gone, so that a handler can tell its own end from a failed
    send to another connection: a server-side ``WebSocket``, or a ``typedws.Client`` whose
    server closed (``except Disconnected`` is the same code on both ends).
    """

    def __init__(self, code: int, reason: str, *, websocket: ConnectionLike) -> None:
        super().__init__(code, reason)
        #: The connection whose peer has gone: compare it by identity.
        self.websocket: ConnectionLike = websocket

    def __str__(self) -> str:
        # Not the reason: the peer chose it, and this text goes to logs.
        return f"the peer has gone (close code {self.code})"


class HandshakeRejected(TypedWSError, ConnectionError):
    """Raised when the server refuses a client's connection with an HTTP response.

    ``status`` is the response's status code (403 when a typedws server rejects the
    connection before accepting it).
    """

    def __init__(self, status: int) -> None:
        super().__init__(status)

    @property
    def status(self) -> int:
        """The HTTP status code the server answered the handshake with."""
        return cast(int, self.args[0])

    def __str__(self) -> str:
        return f"the server refused the connection (HTTP {self.status})"


class ReceiveTimeout(TypedWSError, TimeoutError):
    """Raised when a client's receive waited longer than its timeout for a message.

    The connection stays open: a later receive may still get the message.
    """


class RequestTimeout(TypedWSError, TimeoutError):
    """Raised when a client's request got no reply within its timeout.

    ``correlation_id`` is the id the request was sent with; a reply arriving later is
    delivered to ``receive()`` like any other message.
    """

    def __init__(self, correlation_id: str | int, timeout: float) -> None:
        super().__init__(correlation_id, timeout)

    @property
    def correlation_id(self) -> str | int:
        """The id the request was sent with."""
        return cast("str | int", self.args[0])

    @property
    def timeout(self) -> float:
        """How long the request waited, in seconds."""
        return cast(float, self.args[1])

    def __str__(self) -> str:
        return f"no reply to request {self.correlation_id!r} within {self.timeout:g} s"


class ErrorItem(TypedDict):
    """One error of an invalid message, as in ``InvalidMessage.errors``: never the input."""

    type: str
    loc: list[str | int]
    msg: str


class ErrorReplyLike(Protocol):
    """What both error replies hold: ``typedws.ErrorReply`` (pydantic) and
    ``typedws.msgspec_codec.ErrorReply`` (a ``msgspec.Struct``); ``isinstance`` tells
    them apart."""

    @property
    def kind(self) -> FailureKind | Literal["handler"]:
        """The failure kind; ``"handler"`` for a request whose handler raised."""
        ...

    @property
    def code(self) -> int:
        """The close code the failure would have had."""
        ...

    @property
    def reason(self) -> str:
        """The close reason the failure would have had."""
        ...

    @property
    def errors(self) -> list[ErrorItem]:
        """The errors of an invalid message, without the input."""
        ...

    @property
    def id(self) -> str | int | None:
        """The correlation id of the request that failed, if it was one."""
        ...


class RequestFailed(TypedWSError):
    """Raised when a client's request is answered with an error reply carrying its id.

    ``error`` is the error reply (a ``typedws.ErrorReply``, or for ``msgspec.Struct``
    message types ``typedws.msgspec_codec.ErrorReply``, typed by what both hold,
    ``ErrorReplyLike``): its ``kind``, ``code``, ``reason`` and ``errors`` say what went
    wrong.
    """

    def __init__(self, error: ErrorReplyLike) -> None:
        super().__init__(error)

    @property
    def error(self) -> ErrorReplyLike:
        """The error reply the server sent."""
        return cast(ErrorReplyLike, self.args[0])

    def __str__(self) -> str:
        error = self.error
        kind = getattr(error, "kind", "error")
        code = getattr(error, "code", None)
        reason = getattr(error, "reason", "")
        return f"the request failed on the server: {reason} ({kind}, close code {code})"
