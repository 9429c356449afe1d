"""typedws: a pydantic-typed WebSocket message channel for ASGI."""

from typedws.codec import ValueType
from typedws.codes import DEFAULT_CLOSE_CODES, CloseCode, FailureKind
from typedws.endpoint import Endpoint
from typedws.error_reply import ErrorReply
from typedws.errors import (
    ConfigurationError,
    Disconnected,
    InvalidMessage,
    InvalidOutgoingMessage,
    InvalidState,
    TypedWSError,
)
from typedws.options import OnInvalid, SocketOptions
from typedws.routing import Handler, HandlerApp, WebSocketRoute, route
from typedws.websocket import WebSocket

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_CLOSE_CODES",
    "CloseCode",
    "ConfigurationError",
    "Disconnected",
    "Endpoint",
    "ErrorReply",
    "FailureKind",
    "Handler",
    "HandlerApp",
    "InvalidMessage",
    "InvalidOutgoingMessage",
    "InvalidState",
    "OnInvalid",
    "SocketOptions",
    "TypedWSError",
    "ValueType",
    "WebSocket",
    "WebSocketRoute",
    "__version__",
    "route",
]
