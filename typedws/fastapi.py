"""Typed routes and endpoints in FastAPI apps and routers, with FastAPI's dependencies.

``add_typed_route(router, route)`` adds a typedws route (``@route(...)``,
``endpoint.route(path)``, ``WebSocketRoute(...)``) to a FastAPI app or ``APIRouter`` as
FastAPI's own WebSocket route, as ``@router.websocket(...)`` would: the router's prefix and
``dependencies=`` hold, ``include_router(prefix=..., dependencies=...)`` adds its own, and
FastAPI solves them and the handler's parameters (path parameters, ``Query``, ``Header``,
``Cookie``, ``Depends``; an endpoint's ``on_connect``'s) before the typed handler runs. A
dependency that raises ``WebSocketException`` or ``HTTPException`` refuses the handshake.

This module imports FastAPI (``pip install fastapi``); the rest of typedws does not.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, cast

from fastapi import APIRouter, FastAPI
from fastapi.params import Depends, Param

from typedws._solved import SolvedEndpoint
from typedws.errors import ConfigurationError
from typedws.routing import WebSocketRoute

__all__ = ["add_typed_route"]


def add_typed_route(
    router: APIRouter | FastAPI,
    route: WebSocketRoute[Any, Any],
    /,
    *,
    dependencies: Sequence[Depends] | None = None,
) -> None:
    """Add the typed *route* to *router* (an ``APIRouter`` or a ``FastAPI`` app) at the
    route's path under the router's prefix, with the router's dependencies and
    *dependencies*, which FastAPI solves before the handler runs.

    The handler (an endpoint's ``on_connect``) takes, after its WebSocket, what FastAPI
    solves: path parameters, ``Query``, ``Header``, ``Cookie`` and ``Depends`` parameters,
    whose values it receives. The route keeps its types, options and ``middleware=``
    (which runs once the dependencies are solved), and schema export finds it at its full
    address.

    Raises ``ConfigurationError`` for a route that is not a typedws route, a handler
    parameter FastAPI cannot pass by name, or an endpoint's message handler or
    ``on_disconnect`` that asks for a value FastAPI solves (``Depends``, ``Query``, ...),
    which only ``on_connect`` gets.
    """
    if not isinstance(cast(object, route), WebSocketRoute):  # a user's mistake, not typed
        raise ConfigurationError(
            f"add_typed_route takes a typedws route (@route(...), endpoint.route(path),"
            f" WebSocketRoute(...)), not {route!r}"
        )
    app = route.handler_app
    for function, skip in app.unsolved_functions():
        _refuse_solved_parameters(function, skip=skip)
    endpoint = SolvedEndpoint(app, app.solvable_parameters(), app.__name__)
    router.add_api_websocket_route(route.path, endpoint, name=route.name, dependencies=dependencies)


def _refuse_solved_parameters(function: Callable[..., Any], *, skip: int) -> None:
    """Raise ``ConfigurationError`` when a parameter of *function* after its first *skip*
    asks for a value FastAPI solves: *function* gets path parameters only."""
    try:
        signature = inspect.signature(function, eval_str=True)
    except (NameError, AttributeError):  # names only a checker sees: defaults still show
        signature = inspect.signature(function)
    for parameter in list(signature.parameters.values())[skip:]:
        metadata = getattr(parameter.annotation, "__metadata__", ())
        for marker in (parameter.default, *metadata):
            if isinstance(marker, (Depends, Param)):
                raise ConfigurationError(
                    f"parameter {parameter.name!r} of {function.__qualname__} asks for a"
                    f" value FastAPI solves ({type(marker).__name__}), but FastAPI solves"
                    " an endpoint's parameters once per connection, for on_connect only;"
                    " message handlers and on_disconnect get path parameters: take it in"
                    " on_connect and keep it on ws.state"
                )
