"""Routes: plug typed handlers into a Starlette (or FastAPI) app."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NoReturn

from pydantic import TypeAdapter
from starlette.middleware import Middleware
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocketDisconnect

from typedws.codec import ValueType
from typedws.errors import InvalidMessage
from typedws.websocket import WebSocket

__all__ = ["Handler", "WebSocketRoute", "route"]

logger = logging.getLogger("typedws")

Handler = Callable[..., Awaitable[None]]
"""``async def handler(ws, **path_params) -> None``: takes the typed WebSocket, and
the path parameters its signature names (all of them if it takes ``**kwargs``)."""


class WebSocketRoute(StarletteWebSocketRoute):
    """A Starlette route that hands its handler a typed ``WebSocket``.

    Takes ``WebSocket``'s keyword options (value and message types, close policy),
    checked when the route is built. Around each connection the route accepts when
    ``auto_accept`` (the default), calls the handler, then closes: with 1000 when the
    handler returns, with the mapped code after an invalid message, with the code of
    Starlette's ``WebSocketException``, and with 1011 when the handler raises anything
    else, whose traceback goes to the ``typedws`` logger.
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
        super().__init__(path, endpoint, name=name)
        #: The WebSocket options each connection is built with.
        self.options = options
        # Built once, so that bad options fail here and the message types can be read.
        self._template: WebSocket[Any, Any] = WebSocket(
            {"type": "websocket", "path": path, "headers": []},
            _not_connected,
            _not_connected,
            **options,
        )
        self._pass_params = _path_param_filter(endpoint)
        self.app = self._session
        for cls, args, kwargs in reversed(middleware or ()):
            self.app = cls(self.app, *args, **kwargs)

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
        ws: WebSocket[Any, Any] = WebSocket(scope, receive, send, **self.options)
        try:
            if ws.auto_accept:
                await ws.accept()
            await self.endpoint(ws, **self._pass_params(ws.path_params))
        except Exception as exc:
            if await ws.finish(exc):
                return
            if isinstance(exc, (WebSocketDisconnect, InvalidMessage)):
                raise  # not in caught_close_codes: the app asked for it to propagate
            logger.exception("WebSocket handler %s raised; closed with 1011", self.name)
        else:
            await ws.finish()


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
