"""Endpoints: one handler per client message type, replies, requests, and lifecycle hooks.

An ``Endpoint`` is declared from the message types of both directions. Handlers are
registered per variant of the client's union (``@endpoint.on(Join)``), or per request with
its reply type (``@endpoint.request(Ask, reply=Answer)``); ``endpoint.route(path)`` checks
that every variant has its handler and makes the Starlette route. Messages are handled in
order, one at a time per connection.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, ParamSpec, TypeVar, cast, overload

from pydantic import TypeAdapter
from pydantic_core import PydanticSerializationError, to_jsonable_python
from starlette.middleware import Middleware
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketState
from typing_extensions import TypeForm, Unpack

from typedws._handler_types import ConnectHook, DisconnectHook, MessageHandler, RequestHandler
from typedws._solved import handler_parameters
from typedws.codecs import MessageCodec, SchemaMode
from typedws.codes import CloseCode
from typedws.error_reply import ErrorReply
from typedws.errors import ConfigurationError
from typedws.options import SocketOptions
from typedws.routing import (
    HandlerApp,
    RequestSpec,
    WebSocketRoute,
    check_handler,
    path_param_filter,
)
from typedws.websocket import WebSocket

__all__ = ["ConnectHook", "DisconnectHook", "Endpoint", "MessageHandler", "RequestHandler"]

logger: logging.Logger = logging.getLogger("typedws")

R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")
V = TypeVar("V")
Reply = TypeVar("Reply")
RM = TypeVar("RM")
SM = TypeVar("SM")
P = ParamSpec("P")


@dataclass(frozen=True)
class _Registered:
    """A handler with the path parameters it takes, and the correlation field if a request."""

    function: Callable[..., Awaitable[Any]]
    pick_params: Callable[[dict[str, Any]], dict[str, Any]]
    correlation_id: str | None = None
    reply: type[Any] | None = None


class Endpoint(Generic[R, S]):
    """A typed WebSocket endpoint: dispatch by message type, replies, requests, hooks.

    ``Endpoint(receive_model=ClientMessage, send_model=ServerMessage, **options)`` takes
    ``WebSocket``'s options, with a message type in each direction. Register one handler per
    variant of the client's union with ``on`` or ``request``, hooks with ``on_connect`` and
    ``on_disconnect``, then make the route with ``route(path)``.

    With ``on_invalid="reply"`` and no ``invalid_reply``, an invalid message is answered with
    an ``ErrorReply``, which the send type must then include; so is a request whose handler
    raised (with the request's id), while the connection goes on. For ``msgspec.Struct``
    message types that is ``typedws.msgspec_codec.ErrorReply``, a Struct.
    """

    # BEGIN OVERLOADS Endpoint: written by scripts/overloads.py, edit the table there
    @overload
    def __init__(
        self: Endpoint[RM, SM],
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
        self: Endpoint[RM, SM],
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
        self: Endpoint[RM, SM],
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
        self: Endpoint[RM, SM],
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
        self: Endpoint[RM, SM],
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
        self: Endpoint[RM, SM],
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
        self: Endpoint[RM, SM],
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
        self: Endpoint[RM, SM],
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
        self: Endpoint[T, T],
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
        self: Endpoint[T, T],
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
        self: Endpoint[T, T],
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
        self: Endpoint[T, T],
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    # END OVERLOADS Endpoint
    def __init__(self, **options: Any) -> None:
        replies_with_errors = (
            options.get("on_invalid") == "reply" and options.get("invalid_reply") is None
        )
        if replies_with_errors:
            options["invalid_reply"] = ErrorReply.of  # the send type's own, set below
        self._options = options
        self._template: HandlerApp[R, S] = HandlerApp(_never_called, **options)
        receive_codec = self._template.receive_model_codec
        send_codec = self._template.send_model_codec
        if receive_codec is None or send_codec is None:
            raise ConfigurationError("an endpoint needs a message type in each direction")
        self._receive_codec, self._send_codec = receive_codec, send_codec
        self._variants = receive_codec.members
        self._sends = send_codec.members
        self._error_reply = send_codec.error_reply
        if replies_with_errors:
            if self._error_reply is None:
                raise ConfigurationError(
                    "on_invalid='reply' answers with typedws.ErrorReply (for msgspec Struct"
                    " types, typedws.msgspec_codec.ErrorReply): put it in send_model, or give"
                    " invalid_reply="
                )
            options["invalid_reply"] = self._error_reply.of
        self._handlers: dict[type[Any], _Registered] = {}
        self._on_connect: _Registered | None = None
        self._on_disconnect: _Registered | None = None

    @property
    def receive_adapter(self) -> TypeAdapter[R] | None:
        """The ``TypeAdapter`` of the messages clients send; ``None`` for ``msgspec.Struct``
        types (see ``receive_model_codec``)."""
        return self._template.receive_adapter

    @property
    def send_adapter(self) -> TypeAdapter[S] | None:
        """The ``TypeAdapter`` of the messages the server sends; ``None`` for
        ``msgspec.Struct`` types (see ``send_model_codec``)."""
        return self._template.send_adapter

    @property
    def receive_model_codec(self) -> MessageCodec[R]:
        """The codec of the messages clients send."""
        return self._receive_codec

    @property
    def send_model_codec(self) -> MessageCodec[S]:
        """The codec of the messages the server sends."""
        return self._send_codec

    def on(self, variant: type[V], /) -> Callable[[MessageHandler[V, R, S, T, P]], Callable[P, T]]:
        """Register the handler of the client messages of type *variant*; the decorator
        returns it as it is."""

        def register(handler: MessageHandler[V, R, S, T, P]) -> Callable[P, T]:
            check_handler(handler)
            self._register(variant, _Registered(handler, path_param_filter(handler, skip=2)))
            return handler

        return register

    def request(
        self, variant: type[V], /, *, reply: type[Reply], correlation_id: str = "id"
    ) -> Callable[[RequestHandler[V, R, S, Reply, T, P]], Callable[P, T]]:
        """Register the handler of the requests of type *variant*, answered with a *reply*;
        the decorator returns it as it is.

        Both models declare the *correlation_id* field; the reply is sent with the
        request's value in it.
        """
        sides: list[tuple[type[Any], MessageCodec[Any], SchemaMode]] = [
            (variant, self._receive_codec, "validation"),
            (reply, self._send_codec, "serialization"),
        ]
        for model, codec, mode in sides:
            if codec.field_key(model, correlation_id, mode) is None:
                raise ConfigurationError(
                    f"{model.__name__} has no correlation id field {correlation_id!r}"
                )
        if reply not in self._sends:
            raise ConfigurationError(f"{reply.__name__} is not one of the messages sent")

        def register(handler: RequestHandler[V, R, S, Reply, T, P]) -> Callable[P, T]:
            check_handler(handler)
            picked = path_param_filter(handler, skip=2)
            self._register(variant, _Registered(handler, picked, correlation_id, reply))
            return handler

        return register

    def on_connect(self, hook: ConnectHook[R, S, T, P], /) -> Callable[P, T]:
        """Register the hook run before accept: it may refuse (``ws.reject()``,
        ``ws.close(code)``) or put state on the connection (``ws.state``). Returns the hook
        as it is."""
        check_handler(hook)
        self._on_connect = _Registered(hook, path_param_filter(hook, skip=1))
        return hook

    def on_disconnect(self, hook: DisconnectHook[R, S, T, P], /) -> Callable[P, T]:
        """Register the hook run exactly once after an accepted connection is over. Returns
        the hook as it is."""
        check_handler(hook)
        self._on_disconnect = _Registered(hook, path_param_filter(hook, skip=1))
        return hook

    def route(
        self,
        path: str,
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
    ) -> WebSocketRoute[R, S]:
        """The Starlette route of this endpoint at *path*.

        Raises ``ConfigurationError`` unless every client message type has its handler.
        """
        missing = [variant.__name__ for variant in self._variants if variant not in self._handlers]
        if missing:
            raise ConfigurationError(f"no handler for {', '.join(missing)}")
        plan = _Plan(
            handlers=dict(self._handlers),
            on_connect=self._on_connect,
            on_disconnect=self._on_disconnect,
            error_reply=self._error_reply if self._options.get("on_invalid") == "reply" else None,
        )
        options = dict(self._options)
        fields = {entry.correlation_id for entry in self._handlers.values()} - {None}
        if len(fields) == 1 and options.get("correlation_id") is None:
            options["correlation_id"] = fields.pop()  # an invalid request's error keeps its id
        app: Any = _EndpointApp[R, S](plan, name or _name_of(path), middleware, options)
        return cast("WebSocketRoute[R, S]", WebSocketRoute(path, app, name=name))

    def _register(self, variant: type[Any], registered: _Registered) -> None:
        if variant not in self._variants:
            raise ConfigurationError(f"{variant.__name__} is not one of the client's messages")
        if variant in self._handlers:
            raise ConfigurationError(f"{variant.__name__} has a handler already")
        self._handlers[variant] = registered


@dataclass(frozen=True)
class _Plan:
    """What an endpoint's route runs: the handlers by message type, and the hooks."""

    handlers: dict[type[Any], _Registered]
    on_connect: _Registered | None
    on_disconnect: _Registered | None
    error_reply: type[Any] | None
    """The error reply class failed requests are answered with, when the endpoint replies
    to errors."""


class _EndpointApp(HandlerApp[R, S]):
    """The typed app of an endpoint's route: hooks around a loop that dispatches messages."""

    def __init__(
        self,
        plan: _Plan,
        name: str,
        middleware: Sequence[Middleware] | None,
        options: dict[str, Any],
    ) -> None:
        super().__init__(_never_called, middleware=middleware, **{**options, "auto_accept": False})
        self._plan = plan
        self.__name__ = name
        send_codec = self._template.send_model_codec
        assert send_codec is not None  # an endpoint has a message type in each direction
        self._send_codec = send_codec
        self.requests = tuple(
            RequestSpec(variant, entry.reply, entry.correlation_id)
            for variant, entry in plan.handlers.items()
            if entry.reply is not None and entry.correlation_id is not None
        )

    def solvable_parameters(self) -> list[inspect.Parameter]:
        """The parameters of ``on_connect`` after the WebSocket, which FastAPI solves when
        the route is added with ``typedws.fastapi.add_typed_route``; none without the hook."""
        hook = self._plan.on_connect
        return [] if hook is None else handler_parameters(hook.function, skip=1)

    def unsolved_functions(self) -> list[tuple[Callable[..., Any], int]]:
        """The message handlers (after the message and the WebSocket) and ``on_disconnect``
        (after the WebSocket), which get path parameters only."""
        plan = self._plan
        found = [(entry.function, 2) for entry in plan.handlers.values()]
        if plan.on_disconnect is not None:
            found.append((plan.on_disconnect.function, 1))
        return found

    async def _session(self, scope: Scope, receive: Receive, send: Send) -> None:
        admitted = await self._open(scope, receive, send)
        if admitted is None:
            return  # refused before on_connect: an Origin or subprotocols not allowed, ...
        ws, solved = admitted
        # The path parameters as FastAPI validated them for on_connect (room: int is 7).
        params = {name: solved.get(name, value) for name, value in ws.path_params.items()}
        try:
            await self._connect(ws, params, solved)
        except Exception as exc:
            opened = ws.application_state is WebSocketState.CONNECTED
            try:
                await self._fail(ws, exc)
            finally:
                if opened:  # on_connect accepted, then raised
                    await self._disconnected(ws, params)
            return
        if ws.closed:
            return  # refused by on_connect
        try:
            await self._dispatch(ws, params)
        except Exception as exc:
            await self._fail(ws, exc)
        else:
            await ws.finish()
        finally:
            await self._disconnected(ws, params)

    async def _connect(
        self, ws: WebSocket[R, S], params: dict[str, Any], solved: dict[str, Any]
    ) -> None:
        """Run ``on_connect`` (with the values FastAPI solved for it, if any), then accept
        unless it closed the connection."""
        hook = self._plan.on_connect
        if hook is not None:
            await hook.function(ws, **{**hook.pick_params(params), **solved})
        if not ws.closed:
            await ws.accept()

    async def _dispatch(self, ws: WebSocket[R, S], params: dict[str, Any]) -> None:
        calls = {
            variant: (entry, entry.pick_params(params))
            for variant, entry in self._plan.handlers.items()
        }
        async for message in ws:
            entry, kwargs = calls[type(message)]
            if entry.correlation_id is None:
                result = await entry.function(message, ws, **kwargs)
            else:
                result = await self._answer(ws, entry, message, kwargs)
            if result is not None:
                await ws.send(result)
            if _closed_by_app(ws):
                return  # a handler closed it; messages the peer sent after go unread

    async def _answer(
        self, ws: WebSocket[R, S], entry: _Registered, request: Any, kwargs: dict[str, Any]
    ) -> Any:
        """The reply to *request*, with its correlation id; an ``ErrorReply`` when the
        handler raised and the endpoint replies to errors."""
        field = entry.correlation_id
        assert field is not None
        request_id = getattr(request, field)
        try:
            reply = await entry.function(request, ws, **kwargs)
        except Exception:
            error_reply = self._plan.error_reply
            if ws.closed or error_reply is None:
                raise
            logger.exception("request handler %s raised; answered with an error", self.__name__)
            return error_reply(
                kind="handler",
                code=CloseCode.INTERNAL_ERROR,
                reason="internal error",
                id=_reply_id(request_id),
            )
        return self._send_codec.replace(reply, **{field: request_id})

    async def _disconnected(self, ws: WebSocket[R, S], params: dict[str, Any]) -> None:
        hook = self._plan.on_disconnect
        if hook is None:
            return
        try:
            await hook.function(ws, **hook.pick_params(params))
        except Exception:
            logger.exception("on_disconnect of %s raised", self.__name__)


def _reply_id(request_id: object) -> str | int | None:
    """The id an error reply carries for a request with *request_id*: as JSON carries it (a
    UUID's string), when that is a string or an integer; else none, as an error reply's id
    is one of these."""
    try:
        value = to_jsonable_python(request_id)
    except PydanticSerializationError:
        return None
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    return None


def _closed_by_app(ws: WebSocket[Any, Any]) -> bool:
    """Whether the app closed *ws* while its peer is still there (a peer that left has
    messages read ahead still to be handled)."""
    return (
        ws.application_state is WebSocketState.DISCONNECTED
        and ws.client_state is not WebSocketState.DISCONNECTED
    )


def _name_of(path: str) -> str:
    """A route name from *path*, its parts without the parameters: ``/chat/{room}`` is chat."""
    parts = [part for part in path.split("/") if part and not part.startswith("{")]
    return "_".join(parts) or "root"


async def _never_called(ws: WebSocket[Any, Any]) -> None:
    raise AssertionError("an endpoint dispatches messages itself")
