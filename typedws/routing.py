"""Routes: plug typed handlers into a Starlette (or FastAPI) app."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import (
    TYPE_CHECKING,
    Any,
    Concatenate,
    Generic,
    Literal,
    NoReturn,
    TypeAlias,
    TypeVar,
    overload,
)

from pydantic import TypeAdapter
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send
from typing_extensions import TypeForm, TypeIs, Unpack

from typedws._solved import SOLVED_ARGUMENTS, handler_parameters, in_fastapi_routing, take_over
from typedws.codecs import MessageCodec, ValueType
from typedws.errors import ConfigurationError
from typedws.options import SocketOptions, check_option_names
from typedws.websocket import WebSocket

__all__ = ["Handler", "HandlerApp", "WebSocketRoute", "route"]

logger: logging.Logger = logging.getLogger("typedws")

R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")
RM = TypeVar("RM")
SM = TypeVar("SM")

if TYPE_CHECKING:
    Handler: TypeAlias = Callable[Concatenate[WebSocket[R, S], ...], Awaitable[None]]
    """``async def handler(ws: WebSocket[R, S], **path_params) -> None``: takes the typed
    WebSocket, and the path parameters its signature names (all of them if it takes
    ``**kwargs``)."""
else:  # Python 3.10's Concatenate does not take "...": a runtime stand-in with R and S
    Handler = Callable[[WebSocket[R, S]], Awaitable[None]]


@dataclass(frozen=True)
class RequestSpec:
    """A request an endpoint answers: its message type, its reply's, and the field both hold
    the correlation id in."""

    request: type[Any]
    reply: type[Any]
    correlation_id: str


class HandlerApp(Generic[R, S]):
    """The ASGI app of a typed route: runs a handler on a typed ``WebSocket``.

    Takes ``WebSocket``'s keyword options (value and message types, close policy),
    checked when it is built. For each connection it builds the typed ``WebSocket``,
    accepts when ``auto_accept`` (the default), calls the handler with the path
    parameters it names, then closes: with 1000 when the handler returns, with the
    mapped code after an invalid message, with the code of Starlette's
    ``WebSocketException``, and with 1011 when the handler raises anything else
    (a disconnect of another connection included), whose traceback goes to the
    ``typedws`` logger.

    It is the ``endpoint`` of a ``WebSocketRoute``, and stays a typed app when a router
    rebuilds the route around it, as FastAPI's ``include_router`` does.
    """

    def __init__(
        self,
        handler: Handler[R, S],
        *,
        middleware: Sequence[Middleware] | None = None,
        **options: Any,
    ) -> None:
        check_handler(handler)
        #: The handler, called with the typed WebSocket and path parameters.
        self.handler = handler
        #: The WebSocket options each connection is built with.
        self.options = options
        #: The handler's name, which Starlette names the route after.
        self.__name__: str = getattr(handler, "__name__", type(handler).__name__)
        # Built once, so that bad options fail here and the message types can be read.
        self._template: WebSocket[R, S] = _template(options)
        self._pass_params = path_param_filter(handler, skip=1)
        #: The requests the route answers, for schema tools (an endpoint's; else none).
        self.requests: tuple[RequestSpec, ...] = ()
        app: ASGIApp = self._session
        for cls, args, kwargs in reversed(middleware or ()):
            app = cls(app, *args, **kwargs)
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)

    @property
    def receive_type(self) -> ValueType:
        """The value type the handler receives."""
        return self._template.receive_type

    @property
    def send_type(self) -> ValueType:
        """The value type the handler sends."""
        return self._template.send_type

    @property
    def receive_adapter(self) -> TypeAdapter[R] | None:
        """The ``TypeAdapter`` of the messages clients send, if the route has one."""
        return self._template.receive_adapter

    @property
    def send_adapter(self) -> TypeAdapter[S] | None:
        """The ``TypeAdapter`` of the messages the server sends, if the route has one."""
        return self._template.send_adapter

    @property
    def receive_model_codec(self) -> MessageCodec[R] | None:
        """The codec of the messages clients send, if the route has a message type."""
        return self._template.receive_model_codec

    @property
    def send_model_codec(self) -> MessageCodec[S] | None:
        """The codec of the messages the server sends, if the route has a message type."""
        return self._template.send_model_codec

    def solvable_parameters(self) -> list[inspect.Parameter]:
        """The handler's parameters after the WebSocket, which FastAPI solves when the route
        is added with ``typedws.fastapi.add_typed_route``."""
        return handler_parameters(self.handler, skip=1)

    def unsolved_functions(self) -> list[tuple[Callable[..., Any], int]]:
        """The functions the app calls with path parameters only, never with what FastAPI
        solves, each with how many parameters it takes before them: none for a route."""
        return []

    async def _session(self, scope: Scope, receive: Receive, send: Send) -> None:
        opened = await self._open(scope, receive, send)
        if opened is None:
            return
        ws, solved = opened
        try:
            if ws.auto_accept:
                await ws.accept()
            await self.handler(ws, **{**self._pass_params(ws.path_params), **solved})
        except Exception as exc:
            await self._fail(ws, exc)
        else:
            await ws.finish()

    async def _open(
        self, scope: Scope, receive: Receive, send: Send
    ) -> tuple[WebSocket[R, S], dict[str, Any]] | None:
        """The connection's typed WebSocket and the values FastAPI solved for the handler;
        ``None`` when refused before accept: by ``admit`` (an Origin or subprotocols the
        route does not allow), or as a route that FastAPI's routing reached without solving
        its dependencies (one put in a FastAPI router's ``routes`` instead of added with
        ``add_typed_route``); or already closed by one of FastAPI's dependencies. A
        connection a dependency accepted is served as accepted."""
        ws = self._template.for_connection(scope, receive, send)
        solved: dict[str, Any] | None = scope.get(SOLVED_ARGUMENTS)
        if solved is None and in_fastapi_routing(scope):
            logger.error("%s", unsolved_error(self.__name__))
            await ws.reject()
            return None
        if not await ws.admit():
            return None
        take_over(ws.connection, scope)  # a dependency may have accepted or closed it
        if ws.closed:
            return None
        return ws, {} if solved is None else solved

    async def _fail(self, ws: WebSocket[R, S], exc: Exception) -> None:
        """End the session of *ws* after *exc*: close with its code, or 1011 and a log line."""
        if await ws.finish(exc):
            return
        if ws.owns(exc):
            raise exc  # not in caught_close_codes: the app asked for it to propagate
        logger.exception("WebSocket handler %s raised; closed with 1011", self.__name__)


class WebSocketRoute(StarletteWebSocketRoute, Generic[R, S]):
    """A Starlette route whose handler takes a typed ``WebSocket``.

    ``WebSocketRoute(path, handler, **options)``: the options are ``WebSocket``'s,
    checked when the route is built; ``HandlerApp`` says what happens around each
    connection. ``endpoint`` is that ``HandlerApp``.
    """

    # BEGIN OVERLOADS WebSocketRoute: written by scripts/overloads.py, edit the table there
    @overload
    def __init__(
        self: WebSocketRoute[str, str],
        path: str,
        endpoint: Handler[str, str],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[str, bytes],
        path: str,
        endpoint: Handler[str, bytes],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[str, Any],
        path: str,
        endpoint: Handler[str, Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[str, SM],
        path: str,
        endpoint: Handler[str, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[str, SM],
        path: str,
        endpoint: Handler[str, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[bytes, str],
        path: str,
        endpoint: Handler[bytes, str],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[bytes, bytes],
        path: str,
        endpoint: Handler[bytes, bytes],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[bytes, Any],
        path: str,
        endpoint: Handler[bytes, Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[bytes, SM],
        path: str,
        endpoint: Handler[bytes, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[bytes, SM],
        path: str,
        endpoint: Handler[bytes, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[Any, str],
        path: str,
        endpoint: Handler[Any, str],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[Any, bytes],
        path: str,
        endpoint: Handler[Any, bytes],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[Any, Any],
        path: str,
        endpoint: Handler[Any, Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[Any, SM],
        path: str,
        endpoint: Handler[Any, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[Any, SM],
        path: str,
        endpoint: Handler[Any, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, str],
        path: str,
        endpoint: Handler[RM, str],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, bytes],
        path: str,
        endpoint: Handler[RM, bytes],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, Any],
        path: str,
        endpoint: Handler[RM, Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, str],
        path: str,
        endpoint: Handler[RM, str],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, bytes],
        path: str,
        endpoint: Handler[RM, bytes],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, Any],
        path: str,
        endpoint: Handler[RM, Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[str, str],
        path: str,
        endpoint: Handler[str, str],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[bytes, bytes],
        path: str,
        endpoint: Handler[bytes, bytes],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[Any, Any],
        path: str,
        endpoint: Handler[Any, Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[RM, SM],
        path: str,
        endpoint: Handler[RM, SM],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[T, T],
        path: str,
        endpoint: Handler[T, T],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[T, T],
        path: str,
        endpoint: Handler[T, T],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[T, T],
        path: str,
        endpoint: Handler[T, T],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
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
        self: WebSocketRoute[T, T],
        path: str,
        endpoint: Handler[T, T],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[SocketOptions[T]],
    ) -> None: ...
    # END OVERLOADS WebSocketRoute
    def __init__(
        self,
        path: str,
        endpoint: Handler[Any, Any] | HandlerApp[Any, Any],
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
        **options: Any,
    ) -> None:
        app = (
            endpoint  # built already, as endpoints build theirs
            if isinstance(endpoint, HandlerApp)
            else HandlerApp(endpoint, middleware=middleware, **options)
        )
        super().__init__(path, app, name=name)
        #: The typed app around the handler (also ``endpoint``).
        self.handler_app = app

    @property
    def options(self) -> dict[str, Any]:
        """The WebSocket options each connection is built with."""
        return self.handler_app.options

    @property
    def receive_type(self) -> ValueType:
        """The value type the handler receives."""
        return self.handler_app.receive_type

    @property
    def send_type(self) -> ValueType:
        """The value type the handler sends."""
        return self.handler_app.send_type

    @property
    def receive_adapter(self) -> TypeAdapter[R] | None:
        """The ``TypeAdapter`` of the messages clients send, if the route has one."""
        return self.handler_app.receive_adapter

    @property
    def send_adapter(self) -> TypeAdapter[S] | None:
        """The ``TypeAdapter`` of the messages the server sends, if the route has one."""
        return self.handler_app.send_adapter

    @property
    def receive_model_codec(self) -> MessageCodec[R] | None:
        """The codec of the messages clients send, if the route has a message type."""
        return self.handler_app.receive_model_codec

    @property
    def send_model_codec(self) -> MessageCodec[S] | None:
        """The codec of the messages the server sends, if the route has a message type."""
        return self.handler_app.send_model_codec


# BEGIN OVERLOADS route: written by scripts/overloads.py, edit the table there
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["text"] | None = None,
    send_type: Literal["text"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[str]],
) -> Callable[[Handler[str, str]], WebSocketRoute[str, str]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["text"] | None = None,
    send_type: Literal["bytes"],
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[bytes]],
) -> Callable[[Handler[str, bytes]], WebSocketRoute[str, bytes]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["text"] | None = None,
    send_type: Literal["json"],
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[Any]],
) -> Callable[[Handler[str, Any]], WebSocketRoute[str, Any]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["text"] | None = None,
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: TypeForm[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[str, SM]], WebSocketRoute[str, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["text"] | None = None,
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: TypeAdapter[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[str, SM]], WebSocketRoute[str, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["bytes"],
    send_type: Literal["text"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[str]],
) -> Callable[[Handler[bytes, str]], WebSocketRoute[bytes, str]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["bytes"],
    send_type: Literal["bytes"],
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[bytes]],
) -> Callable[[Handler[bytes, bytes]], WebSocketRoute[bytes, bytes]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["bytes"],
    send_type: Literal["json"],
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[Any]],
) -> Callable[[Handler[bytes, Any]], WebSocketRoute[bytes, Any]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["bytes"],
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: TypeForm[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[bytes, SM]], WebSocketRoute[bytes, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["bytes"],
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: TypeAdapter[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[bytes, SM]], WebSocketRoute[bytes, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["json"],
    send_type: Literal["text"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[str]],
) -> Callable[[Handler[Any, str]], WebSocketRoute[Any, str]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["json"],
    send_type: Literal["bytes"],
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[bytes]],
) -> Callable[[Handler[Any, bytes]], WebSocketRoute[Any, bytes]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["json"],
    send_type: Literal["json"],
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[Any]],
) -> Callable[[Handler[Any, Any]], WebSocketRoute[Any, Any]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["json"],
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: TypeForm[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[Any, SM]], WebSocketRoute[Any, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["json"],
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: TypeAdapter[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[Any, SM]], WebSocketRoute[Any, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["text"] | None = None,
    model: None = None,
    receive_model: TypeForm[RM],
    send_model: None = None,
    **options: Unpack[SocketOptions[str]],
) -> Callable[[Handler[RM, str]], WebSocketRoute[RM, str]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["bytes"],
    model: None = None,
    receive_model: TypeForm[RM],
    send_model: None = None,
    **options: Unpack[SocketOptions[bytes]],
) -> Callable[[Handler[RM, bytes]], WebSocketRoute[RM, bytes]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["json"],
    model: None = None,
    receive_model: TypeForm[RM],
    send_model: None = None,
    **options: Unpack[SocketOptions[Any]],
) -> Callable[[Handler[RM, Any]], WebSocketRoute[RM, Any]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: TypeForm[RM],
    send_model: TypeForm[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: TypeForm[RM],
    send_model: TypeAdapter[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["text"] | None = None,
    model: None = None,
    receive_model: TypeAdapter[RM],
    send_model: None = None,
    **options: Unpack[SocketOptions[str]],
) -> Callable[[Handler[RM, str]], WebSocketRoute[RM, str]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["bytes"],
    model: None = None,
    receive_model: TypeAdapter[RM],
    send_model: None = None,
    **options: Unpack[SocketOptions[bytes]],
) -> Callable[[Handler[RM, bytes]], WebSocketRoute[RM, bytes]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["json"],
    model: None = None,
    receive_model: TypeAdapter[RM],
    send_model: None = None,
    **options: Unpack[SocketOptions[Any]],
) -> Callable[[Handler[RM, Any]], WebSocketRoute[RM, Any]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: TypeAdapter[RM],
    send_model: TypeForm[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["model"] | None = None,
    model: None = None,
    receive_model: TypeAdapter[RM],
    send_model: TypeAdapter[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["text"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[str]],
) -> Callable[[Handler[str, str]], WebSocketRoute[str, str]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["bytes"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[bytes]],
) -> Callable[[Handler[bytes, bytes]], WebSocketRoute[bytes, bytes]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["json"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: None = None,
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[Any]],
) -> Callable[[Handler[Any, Any]], WebSocketRoute[Any, Any]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["model"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: None = None,
    receive_model: TypeForm[RM],
    send_model: TypeForm[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["model"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: None = None,
    receive_model: TypeForm[RM],
    send_model: TypeAdapter[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["model"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: None = None,
    receive_model: TypeAdapter[RM],
    send_model: TypeForm[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["model"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: None = None,
    receive_model: TypeAdapter[RM],
    send_model: TypeAdapter[SM],
    **options: Unpack[SocketOptions[SM]],
) -> Callable[[Handler[RM, SM]], WebSocketRoute[RM, SM]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["model"] | None = None,
    model: TypeForm[T],
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[T]],
) -> Callable[[Handler[T, T]], WebSocketRoute[T, T]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: None = None,
    receive_type: Literal["model"] | None = None,
    send_type: Literal["model"] | None = None,
    model: TypeAdapter[T],
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[T]],
) -> Callable[[Handler[T, T]], WebSocketRoute[T, T]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["model"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: TypeForm[T],
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[T]],
) -> Callable[[Handler[T, T]], WebSocketRoute[T, T]]: ...
@overload
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    value_type: Literal["model"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: TypeAdapter[T],
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[SocketOptions[T]],
) -> Callable[[Handler[T, T]], WebSocketRoute[T, T]]: ...
# END OVERLOADS route
def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    **options: Any,
) -> Callable[[Handler[Any, Any]], WebSocketRoute[Any, Any]]:
    """Decorate a handler into a ``WebSocketRoute`` at *path*, with ``WebSocket`` options."""

    _template(options)  # bad options fail here, not when a handler is decorated

    def decorate(endpoint: Handler[Any, Any]) -> WebSocketRoute[Any, Any]:
        return WebSocketRoute(path, endpoint, name=name, middleware=middleware, **options)

    return decorate


def _template(options: dict[str, Any]) -> WebSocket[Any, Any]:
    """A WebSocket with *options* that is never connected: checks them, holds the types."""
    check_option_names(options)
    scope: Scope = {"type": "websocket", "path": "/", "headers": []}
    return WebSocket(scope, _not_connected, _not_connected, **options)


def check_handler(handler: object) -> None:
    """Raise ``ConfigurationError`` unless *handler* is an async function, or an object
    whose ``__call__`` is one."""
    if not callable(handler) or not (
        inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(type(handler).__call__)
    ):
        raise ConfigurationError(
            f"a handler must be an async function (async def), not {handler!r}"
        )


def unsolved_error(name: str) -> ConfigurationError:
    """The error of a typed route named *name* that a FastAPI app's routing reaches without
    solving its dependencies."""
    return ConfigurationError(
        f"the typed route {name!r} is in a FastAPI app's routes as a Starlette route, where"
        " FastAPI's dependencies and its router's prefix do not reach it: add it with"
        " typedws.fastapi.add_typed_route(router, route); connections to it are refused"
    )


def is_handler_app(endpoint: object) -> TypeIs[HandlerApp[Any, Any]]:
    """Whether *endpoint* is the typed app of a typedws route."""
    return isinstance(endpoint, HandlerApp)


def path_param_filter(
    function: Callable[..., Any], *, skip: int
) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return a function picking, from the path parameters, those *function* takes after its
    first *skip* parameters."""
    parameters = list(inspect.signature(function).parameters.values())[skip:]
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return dict
    names = frozenset(
        p.name
        for p in parameters
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    )
    return lambda path_params: {k: v for k, v in path_params.items() if k in names}


async def _not_connected(*_: Any) -> NoReturn:
    raise RuntimeError("a route's template WebSocket is never connected")
