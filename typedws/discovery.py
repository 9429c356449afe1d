"""The typed routes of an app, at their full addresses: found among Starlette routes, in
``Mount``s and in FastAPI's routers, and named so that each can name its schema files."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

from pydantic import TypeAdapter
from starlette.applications import Starlette
from starlette.routing import BaseRoute, Mount
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute

from typedws._solved import SolvedEndpoint, is_fastapi_app
from typedws.codecs import MessageCodec
from typedws.errors import ConfigurationError
from typedws.routing import HandlerApp, is_handler_app, unsolved_error

__all__ = ["Direction", "TypedRoute", "typed_routes"]

Direction = Literal["client", "server"]
"""``client``: what the client sends; ``server``: what the server sends."""

_FRAME_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "description": "A text frame."},
    "bytes": {"type": "string", "format": "binary", "description": "A binary frame."},
    "json": {"description": "Any JSON value, in a text frame."},
}


@dataclass(frozen=True)
class TypedRoute:
    """A typedws route as the schema sees it: its name, full path and typed app."""

    name: str
    path: str
    app: HandlerApp[Any, Any]

    @property
    def address(self) -> str:
        """The path with its parameters and without their convertors: ``/rooms/{room}``."""
        return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", self.path)

    def adapter(self, direction: Direction) -> TypeAdapter[Any] | None:
        """The adapter of *direction*'s messages, when that direction carries pydantic
        models (``None`` for ``msgspec.Struct`` types: see ``codec``)."""
        app = self.app
        if direction == "client":
            return app.receive_adapter if app.receive_type == "model" else None
        return app.send_adapter if app.send_type == "model" else None

    def codec(self, direction: Direction) -> MessageCodec[Any] | None:
        """The codec of *direction*'s messages, when that direction carries a message type."""
        app = self.app
        if direction == "client":
            return app.receive_model_codec if app.receive_type == "model" else None
        return app.send_model_codec if app.send_type == "model" else None

    def frame_schema(self, direction: Direction) -> dict[str, Any]:
        """The schema of *direction*'s frames when it carries no models."""
        value_type = self.app.receive_type if direction == "client" else self.app.send_type
        return {"title": self.title(direction), **_FRAME_SCHEMAS[value_type]}

    def title(self, direction: Direction) -> str:
        """The name of *direction*'s message type: ``ChatClientMessage``."""
        words = re.split(r"[^0-9A-Za-z]+", self.name)
        return "".join(w[:1].upper() + w[1:] for w in words) + direction.title() + "Message"


def typed_routes(app: Any) -> list[TypedRoute]:
    """Return the app's typedws routes, in routing order, with their full paths.

    A route served at several addresses (one router included under two prefixes) is listed
    at each, named after the part of the address that tells it apart: ``chat_v1`` at
    ``/v1/chat`` and ``chat_v2`` at ``/v2/chat``, or, when those parts give no distinct
    names, ``chat``, ``chat_2``, ... in routing order.

    Raises ``ConfigurationError`` when a route's name is not a plain file-name stem, or two
    different routes share a name.
    """
    found: list[TypedRoute] = []
    places: dict[tuple[int, str], list[TypedRoute]] = {}
    for typed in _walk(_routes_of(app), "", fastapi=is_fastapi_app(app)):
        if not _is_file_stem(typed.name):
            raise ConfigurationError(
                f"the typed route at {typed.path} is named {typed.name!r}, which cannot name"
                " its schema files: give it a name= of letters, digits, '_', '-' and '.'"
                " that starts with a letter or digit"
            )
        same = places.setdefault((id(typed.app), typed.name), [])
        if all(other.path != typed.path for other in same):
            same.append(typed)
            found.append(typed)
    names = {
        id(typed): name
        for same in places.values()
        if len(same) > 1
        for typed, name in zip(same, _names_by_address(same), strict=True)
    }
    routes = [replace(typed, name=names.get(id(typed), typed.name)) for typed in found]
    seen: dict[str, str] = {}
    for typed in routes:
        if typed.name in seen:
            raise ConfigurationError(
                f"two typed routes are named {typed.name!r} ({seen[typed.name]}, {typed.path}):"
                " give one a name="
            )
        seen[typed.name] = typed.path
    return routes


def _is_file_stem(name: str) -> bool:
    """Whether *name* can name a route's schema files: letters, digits, ``_``, ``-`` and
    ``.``, starting with a letter or digit, and no ``..``."""
    return re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) is not None and ".." not in name


def _names_by_address(places: list[TypedRoute]) -> list[str]:
    """Names for one route served at several addresses: its name and the segments of each
    address that the others do not share at their start and end, or its name numbered."""
    parts = [typed.address.strip("/").split("/") for typed in places]
    head = _shared(parts)
    tails = [segments[head:] for segments in parts]
    tail = _shared([segments[::-1] for segments in tails])
    names: list[str] = []
    for segments in tails:
        own = segments[: len(segments) - tail]
        words = [re.sub(r"[^A-Za-z0-9.-]+", "_", segment).strip("_") for segment in own]
        names.append("_".join([places[0].name, *filter(None, words)]))
    if len(set(names)) == len(names) and all(map(_is_file_stem, names)):
        return names
    name = places[0].name
    return [name, *(f"{name}_{number}" for number in range(2, len(places) + 1))]


def _shared(sequences: list[list[str]]) -> int:
    """How many items all *sequences* share at their start."""
    count = 0
    for items in zip(*sequences, strict=False):  # stops at the shortest
        if any(item != items[0] for item in items):
            break
        count += 1
    return count


def _routes_of(app: Any) -> list[BaseRoute]:
    routes = getattr(app, "routes", None)
    if routes is None:
        routes = getattr(getattr(app, "router", None), "routes", None)
    if not isinstance(routes, list):
        raise ConfigurationError(f"{type(app).__name__} is not a Starlette or FastAPI app")
    return cast(list[BaseRoute], routes)


def _walk(routes: Iterable[BaseRoute], prefix: str, *, fastapi: bool) -> Iterator[TypedRoute]:
    """The typed routes among *routes*, under *prefix*; in a FastAPI app's own routing when
    *fastapi*, where a typed route must be FastAPI's (``add_typed_route``)."""
    for route in routes:
        endpoint = getattr(route, "endpoint", None)
        solved = isinstance(endpoint, SolvedEndpoint)
        app = endpoint.app if isinstance(endpoint, SolvedEndpoint) else endpoint
        if isinstance(route, StarletteWebSocketRoute) and is_handler_app(app):
            if fastapi and not solved:
                raise unsolved_error(route.name)
            yield TypedRoute(route.name, prefix + route.path, app)
        elif isinstance(route, Mount):
            mounted = getattr(route, "_base_app", route.app)  # the app under its middleware
            inner = is_fastapi_app(mounted) if isinstance(mounted, Starlette) else fastapi
            yield from _walk(route.routes, prefix + route.path, fastapi=inner)
        else:
            yield from _walk(_included_routes(route), prefix, fastapi=fastapi)


def _included_routes(route: BaseRoute) -> list[BaseRoute]:
    """The routes of a router that FastAPI includes lazily, at their full paths.

    Newer FastAPI releases keep ``include_router``'s routes behind one route that builds
    them on demand; older ones copy them into the app's routes, which are read as they are.
    """
    candidates = getattr(route, "effective_candidates", None)
    if not callable(candidates):
        return []
    found: list[BaseRoute] = []
    for candidate in cast(Iterable[Any], candidates()):
        built = getattr(candidate, "starlette_route", None)
        found.append(cast(BaseRoute, candidate if built is None else built))
    return found
