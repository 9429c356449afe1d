"""typedws: a pydantic-typed WebSocket message channel for ASGI."""

from typedws.broadcast import (
    Broadcast,
    BroadcastUnavailable,
    Delivery,
    Room,
    SlowConsumer,
    Subscription,
    Topic,
)
from typedws.client import Client
from typedws.codecs import ValueType
from typedws.codes import DEFAULT_CLOSE_CODES, CloseCode, FailureKind
from typedws.connecting import ClientOptions, Connecting, connect
from typedws.endpoint import Endpoint
from typedws.error_reply import ErrorReply
from typedws.errors import (
    ConfigurationError,
    Disconnected,
    HandshakeRejected,
    InvalidMessage,
    InvalidOutgoingMessage,
    InvalidState,
    ReceiveTimeout,
    RequestFailed,
    RequestTimeout,
    TypedWSError,
)
from typedws.options import DEFAULT_MAX_SIZE, DEFAULT_SEND_TIMEOUT, OnInvalid, SocketOptions
from typedws.reconnect import Reconnect, Resume
from typedws.routing import Handler, HandlerApp, WebSocketRoute, route
from typedws.websocket import WebSocket

__version__ = "0.1.0"
"""This typedws's version, as the installed distribution gives it."""

__all__ = [
    "DEFAULT_CLOSE_CODES",
    "DEFAULT_MAX_SIZE",
    "DEFAULT_SEND_TIMEOUT",
    "Broadcast",
    "BroadcastUnavailable",
    "Client",
    "ClientOptions",
    "CloseCode",
    "ConfigurationError",
    "Connecting",
    "Delivery",
    "Disconnected",
    "Endpoint",
    "ErrorReply",
    "FailureKind",
    "Handler",
    "HandlerApp",
    "HandshakeRejected",
    "InvalidMessage",
    "InvalidOutgoingMessage",
    "InvalidState",
    "OnInvalid",
    "ReceiveTimeout",
    "Reconnect",
    "RequestFailed",
    "RequestTimeout",
    "Resume",
    "Room",
    "SlowConsumer",
    "SocketOptions",
    "Subscription",
    "Topic",
    "TypedWSError",
    "ValueType",
    "WebSocket",
    "WebSocketRoute",
    "__version__",
    "connect",
    "route",
]
