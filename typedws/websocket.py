"""``WebSocket[R, S]``: how a typed WebSocket is built, and typed, from its options.

The overloads that type it come from ``scripts/overloads.py``; the options are checked in
``typedws.options``; the verbs are ``TypedConnection``'s (``typedws._connection``), the
handshake and the close ``ConnectionLifecycle``'s (``typedws._lifecycle``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any, Literal, TypeVar, overload

from pydantic import TypeAdapter
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketState
from typing_extensions import Self, TypeForm, Unpack

from typedws._connection import OPTION_SLOTS, TypedConnection
from typedws._handshake import parse_origins, parse_subprotocols
from typedws.codecs import ValueType
from typedws.codes import FailureKind
from typedws.errors import ConfigurationError, InvalidMessage
from typedws.options import (
    DEFAULT_MAX_SIZE,
    DEFAULT_SEND_TIMEOUT,
    CaughtCloseCodes,
    OnInvalid,
    SocketOptions,
    build_codecs,
    check_flags,
    check_option_names,
    check_policy,
    check_timeout,
    resolve_caught_close_codes,
)

__all__ = ["CaughtCloseCodes", "OnInvalid", "SocketOptions", "WebSocket"]


T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")
RM = TypeVar("RM")
SM = TypeVar("SM")

_CONNECTING = WebSocketState.CONNECTING
_CONNECTED = WebSocketState.CONNECTED
_DISCONNECTED = WebSocketState.DISCONNECTED


class WebSocket(TypedConnection[R, S]):
    """A WebSocket connection that receives values of type ``R`` and sends values of type ``S``.

    Build it from an ASGI ``scope, receive, send``, or from a Starlette (or FastAPI)
    ``WebSocket`` alone: ``WebSocket(websocket, model=Chat)``.

    Value types: ``value_type`` sets both directions, ``receive_type`` and ``send_type``
    one each; ``value_type``, when given, overrides the other two, as in Bocadillo. Each is
    ``"text"``, ``"bytes"``, ``"json"`` or ``"model"``, and defaults to ``"model"`` when that
    direction has a model, else to ``"text"``; a direction with a model is ``"model"``.
    ``model`` is the message type of both directions, ``receive_model`` / ``send_model`` of
    one (not both forms at once): anything pydantic's ``TypeAdapter`` takes, or a ``TypeAdapter``;
    a ``msgspec.Struct`` class or tagged union of them is typed by msgspec instead
    (``typedws.msgspec_codec``).

    Disconnects: once the peer has gone, every receive and send raises ``Disconnected``.
    ``catch_disconnect`` (default true) silences this connection's own disconnect inside
    ``async with ws`` or a route's handler. ``caught_close_codes``, when given, is exactly
    the set of codes silenced (the builtin ``all``: every code).

    Invalid messages: a received message that does not fit is an ``InvalidMessage``
    whose close code comes from ``close_codes`` (a mapping from failure kind to code
    over the defaults). ``on_invalid`` is ``"close"`` (close with that code, then raise),
    ``"raise"`` (raise and keep the connection open) or ``"reply"`` (send
    ``invalid_reply(error)`` and receive the next message). ``max_size`` is the largest
    message accepted, in bytes: 1 MiB when left out, no limit with ``None``. Reasons and
    errors never hold the client's input; the messages of the app's own validators show
    only when ``show_validator_messages``.

    ``auto_accept`` (default true) tells a route to accept before calling its handler.

    Handshake: ``allowed_origins`` (exact origins such as ``"https://app.example"``, and
    ``"https://*.example.com"`` for any subdomain) refuses, with HTTP 403, a handshake whose
    Origin header is another; one without an Origin header (not a browser) is let in.
    ``subprotocols`` are those the socket speaks: the first one the client offers is
    accepted, and a client that offers none of them is refused with HTTP 403.

    Timeouts: ``idle_timeout`` (default ``None``, none) closes with 1001 a connection that
    sends nothing for that many seconds while it is received from; ``send_timeout`` (default
    10 seconds, ``None`` for none) ends a connection whose send or close does not complete
    in time (a peer that does not read): the send raises ``Disconnected`` with 1013, as
    for a peer that has gone, and so does every receive and send on it from then on.
    """

    # BEGIN OVERLOADS WebSocket: written by scripts/overloads.py, edit the table there
    @overload
    def __init__(
        self: WebSocket[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, str],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, bytes],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, Any],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, Any],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, str],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, bytes],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, Any],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, Any],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, str],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, bytes],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, Any],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, Any],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, str],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, bytes],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, Any],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, Any],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, str],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, bytes],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, Any],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, Any],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, str],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["text"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[str, str],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["text"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[str]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, bytes],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["bytes"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[bytes, bytes],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["bytes"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[bytes]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, Any],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["json"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[Any, Any],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["json"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[Any]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeForm[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[RM, SM],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[SocketOptions[SM]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: TypeForm[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: TypeForm[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeForm[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeForm[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    @overload
    def __init__(
        self: WebSocket[T, T],
        websocket: StarletteWebSocket,
        /,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    # END OVERLOADS WebSocket
    def __init__(
        self,
        scope: Scope | StarletteWebSocket,
        receive: Receive | None = None,
        send: Send | None = None,
        *,
        value_type: ValueType | None = None,
        receive_type: ValueType | None = None,
        send_type: ValueType | None = None,
        model: Any = None,
        receive_model: Any = None,
        send_model: Any = None,
        catch_disconnect: bool = True,
        caught_close_codes: CaughtCloseCodes | None = None,
        auto_accept: bool = True,
        on_invalid: OnInvalid = "close",
        invalid_reply: Callable[[InvalidMessage], Any] | None = None,
        close_codes: Mapping[FailureKind, int] | None = None,
        max_size: int | None = DEFAULT_MAX_SIZE,
        max_invalid: int = 10,
        show_validator_messages: bool = False,
        correlation_id: str | None = None,
        check_send_fields: bool = False,
        allowed_origins: Collection[str] | None = None,
        subprotocols: Sequence[str] | None = None,
        idle_timeout: float | None = None,
        send_timeout: float | None = DEFAULT_SEND_TIMEOUT,
        **unknown: Any,
    ) -> None:
        check_option_names(unknown)
        if isinstance(scope, StarletteWebSocket):
            if receive is not None or send is not None:
                raise ConfigurationError(
                    "give a Starlette WebSocket alone, or scope, receive, send"
                )
            # The ASGI callables themselves: this class keeps the connection's state.
            receive = scope._receive  # pyright: ignore[reportPrivateUsage] - Starlette keeps no public name for them
            send = scope._send  # pyright: ignore[reportPrivateUsage] - as above
            self._attach(scope, receive, send)
        else:
            if receive is None or send is None:
                raise ConfigurationError("WebSocket(scope, receive, send) needs all three")
            self._attach(StarletteWebSocket(scope, receive, send), receive, send)

        check_flags(
            catch_disconnect=catch_disconnect,
            auto_accept=auto_accept,
            show_validator_messages=show_validator_messages,
            check_send_fields=check_send_fields,
        )
        check_policy(on_invalid, invalid_reply, max_invalid)
        codecs = build_codecs(
            value_type=value_type,
            receive_type=receive_type,
            send_type=send_type,
            model=model,
            receive_model=receive_model,
            send_model=send_model,
            max_size=max_size,
            close_codes=close_codes,
            show_validator_messages=show_validator_messages,
            correlation_id=correlation_id,
            check_send_fields=check_send_fields,
        )
        self._configure(
            codecs,
            caught_close_codes=resolve_caught_close_codes(catch_disconnect, caught_close_codes),
            on_invalid=on_invalid,
            invalid_reply=invalid_reply,
            max_invalid=max_invalid,
            auto_accept=auto_accept,
            origins=parse_origins(allowed_origins),
            subprotocols=parse_subprotocols(subprotocols),
            idle_timeout=check_timeout("idle_timeout", idle_timeout),
            send_timeout=check_timeout("send_timeout", send_timeout),
        )

    def for_connection(self, scope: Scope, receive: Receive, send: Send) -> Self:
        """A WebSocket on another connection with this one's options, checked once already.

        Routes build each connection's WebSocket this way, from one built when the route was.
        """
        ws = object.__new__(type(self))
        for name in OPTION_SLOTS:
            setattr(ws, name, getattr(self, name))
        ws._attach(StarletteWebSocket(scope, receive, send), receive, send)
        return ws
