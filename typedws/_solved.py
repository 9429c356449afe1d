"""Typed apps whose handler's parameters a framework solves: FastAPI's WebSocket routes.

FastAPI's ``APIWebSocketRoute`` solves an endpoint's parameters (path, query, header and
cookie parameters, ``Depends``, and the route's and routers' ``dependencies=``), then calls it
with them by name, the WebSocket among them. ``SolvedEndpoint`` is that endpoint for a typed
app: its signature is the handler's, with Starlette's ``WebSocket`` in place of the typed one;
called, it puts the solved values in the connection's scope and runs the typed app there, its
middleware included, as Starlette's routing would. This module does not import FastAPI.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from typing import Any

from starlette.types import ASGIApp, Scope
from starlette.websockets import WebSocket as StarletteWebSocket

from typedws.errors import ConfigurationError

__all__ = [
    "SOLVED_ARGUMENTS",
    "SOLVED_WEBSOCKET",
    "SolvedEndpoint",
    "handler_parameters",
    "in_fastapi_routing",
    "is_fastapi_app",
    "take_over",
]

SOLVED_ARGUMENTS = "typedws.solved_arguments"
"""The scope key of the values FastAPI solved for a typed handler's parameters."""

SOLVED_WEBSOCKET = "typedws.solved_websocket"
"""The scope key of the Starlette ``WebSocket`` FastAPI solved the parameters with, which a
dependency may have accepted or closed."""

_BY_NAME = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)


def handler_parameters(function: Callable[..., Any], *, skip: int) -> list[inspect.Parameter]:
    """The parameters of *function* after its first *skip*, as FastAPI is to solve them: by
    name, with their annotations evaluated; ``*args`` and ``**kwargs`` left out (path
    parameters still reach ``**kwargs``).

    Raises ``ConfigurationError`` when an annotation cannot be evaluated or a parameter is
    positional-only, which no value passed by name can fill.
    """
    name = getattr(function, "__qualname__", repr(function))
    try:
        signature = inspect.signature(function, eval_str=True)
    except NameError as exc:
        raise ConfigurationError(
            f"FastAPI reads the annotations of {name} to solve its parameters, and one of them"
            f" cannot be evaluated: {exc}"
        ) from None
    found: list[inspect.Parameter] = []
    for parameter in list(signature.parameters.values())[skip:]:
        if parameter.kind is inspect.Parameter.POSITIONAL_ONLY:
            raise ConfigurationError(
                f"parameter {parameter.name!r} of {name} is positional-only: FastAPI passes"
                " the values it solves by name"
            )
        if parameter.kind in _BY_NAME:
            found.append(parameter.replace(kind=inspect.Parameter.KEYWORD_ONLY))
    return found


def take_over(connection: StarletteWebSocket, scope: Scope) -> None:
    """Carry over to *connection* how far the handshake of *scope* went while FastAPI solved
    its parameters: a dependency that takes the WebSocket may have accepted it, or closed it."""
    solved: StarletteWebSocket | None = scope.get(SOLVED_WEBSOCKET)
    if solved is not None:
        connection.client_state = solved.client_state
        connection.application_state = solved.application_state


def is_fastapi_app(app: object) -> bool:
    """Whether *app* is a FastAPI app (one can exist only once FastAPI was imported)."""
    fastapi = sys.modules.get("fastapi")
    return fastapi is not None and isinstance(app, fastapi.FastAPI)


def in_fastapi_routing(scope: Scope) -> bool:
    """Whether the connection of *scope* was routed by a FastAPI app's own routing (not by
    a Starlette app mounted in it, which puts itself in the scope)."""
    return is_fastapi_app(scope.get("app"))


class SolvedEndpoint:
    """The endpoint of a FastAPI WebSocket route for a typed *app*: FastAPI solves
    *parameters* (with a Starlette ``WebSocket`` before them) and calls it with the values,
    which the typed app's handler receives by name.

    ``app`` is the typed app, which schema discovery reads.
    """

    def __init__(self, app: ASGIApp, parameters: list[inspect.Parameter], name: str) -> None:
        #: The typed app the solved values are handed to.
        self.app = app
        #: The name FastAPI gives the route when it is not named.
        self.__name__ = name
        taken = {parameter.name for parameter in parameters}
        self._websocket = next(
            candidate
            for candidate in (f"{'_' * n}websocket" for n in range(len(taken) + 1))
            if candidate not in taken
        )
        socket = inspect.Parameter(
            self._websocket, inspect.Parameter.KEYWORD_ONLY, annotation=StarletteWebSocket
        )
        #: What FastAPI solves: the WebSocket, then the handler's parameters.
        self.__signature__ = inspect.Signature([socket, *parameters])

    async def __call__(self, **values: Any) -> None:
        websocket: StarletteWebSocket = values.pop(self._websocket)
        scope = websocket.scope
        scope[SOLVED_ARGUMENTS] = values
        scope[SOLVED_WEBSOCKET] = websocket
        receive = websocket._receive  # pyright: ignore[reportPrivateUsage] - Starlette keeps no public name for the ASGI callables
        send = websocket._send  # pyright: ignore[reportPrivateUsage] - as above
        await self.app(scope, receive, send)
