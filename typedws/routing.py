"""Routes: plug typed handlers into a Starlette (or FastAPI) app."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn

from pydantic import TypeAdapter
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from typedws.codec import ValueType
from typedws.options import check_option_names
from typedws.websocket import WebSocket

__all__ = ["Handler", "HandlerApp", "WebSocketRoute", "route"]

logger: logging.Logger = logging.getLogger("typedws")

Handler = Callable[..., Awaitable[None]]
"""``async def handler(ws, **path_params) -> None``: takes the typed WebSocket, and
the path parameters its signature names (all of them if it takes ``**kwargs``)."""


class HandlerApp:
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
        handler: Handler,
        *,
        middleware: Sequence[Middleware] | None = None,
        **options: Any,
    ) -> None:
        check_option_names(options)
        #: The handler, called with the typed WebSocket and path parameters.
        self.handler = handler
        #: The WebSocket options each connection is built with.
        self.options = options
        #: The handler's name, which Starlette names the route after.
        self.__name__: str = getattr(handler, "__name__", type(handler).__name__)
        # Built once, so that bad options fail here and the message types can be read.
        self._template: WebSocket[Any, Any] = WebSocket(
            {"type": "websocket", "path": "/", "headers": []},
            _not_connected,
            _not_connected,
            **options,
        )
        self._pass_params = _path_param_filter(handler)
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
    def receive_adapter(self) -> TypeAdapter[Any] | None:
        """The ``TypeAdapter`` of the messages clients send, if the route has one."""
        return self._template.receive_adapter

    @property
    def send_adapter(self) -> TypeAdapter[Any] | None:
        """The ``TypeAdapter`` of the messages the server sends, if the route has one."""
        return self._template.send_adapter

    async def _session(self, scope: Scope, receive: Receive, send: Send) -> None:
        ws = self._template.for_connection(scope, receive, send)
        try:
            if ws.auto_accept:
                await ws.accept()
            await self.handler(ws, **self._pass_params(ws.path_params))
        except Exception as exc:
            if await ws.finish(exc):
                return
            if ws.owns(exc):
                raise  # not in caught_close_codes: the app asked for it to propagate
            logger.exception("WebSocket handler %s raised; closed with 1011", self.__name__)
        else:
            await ws.finish()


class WebSocketRoute(StarletteWebSocketRoute):
    """A Starlette route whose handler takes a typed ``WebSocket``.

    ``WebSocketRoute(path, handler, **options)``: the options are ``WebSocket``'s,
    checked when the route is built; ``HandlerApp`` says what happens around each
    connection. ``endpoint`` is that ``HandlerApp``.
    """

    def __init__(
        self,
        path: str,
        endpoint: Handler,
        *,
        name: str | None = None,
        middleware: Sequence[Middleware] | None = None,
        **options: Any,
    ) -> None:
        app = HandlerApp(endpoint, middleware=middleware, **options)
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
    def receive_adapter(self) -> TypeAdapter[Any] | None:
        """The ``TypeAdapter`` of the messages clients send, if the route has one."""
        return self.handler_app.receive_adapter

    @property
    def send_adapter(self) -> TypeAdapter[Any] | None:
        """The ``TypeAdapter`` of the messages the server sends, if the route has one."""
        return self.handler_app.send_adapter


def route(
    path: str,
    *,
    name: str | None = None,
    middleware: Sequence[Middleware] | None = None,
    **options: Any,
) -> Callable[[Handler], WebSocketRoute]:
    """Decorate a handler into a ``WebSocketRoute`` at *path*, with ``WebSocket`` options."""

    def decorate(endpoint: Handler) -> WebSocketRoute:
        return WebSocketRoute(path, endpoint, name=name, middleware=middleware, **options)

    return decorate


def _path_param_filter(endpoint: Handler) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Return a function picking, from the path parameters, those *endpoint* takes."""
    parameters = list(inspect.signature(endpoint).parameters.values())[1:]
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
