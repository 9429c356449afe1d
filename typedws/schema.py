"""JSON Schema and AsyncAPI 3.0 from an app's typed routes, read from the very adapters the
routes validate and serialize with.

For each route, ``<route>.client.schema.json`` describes what the client sends (validation
mode) and ``<route>.server.schema.json`` what the server sends (serialization mode, where
every field the server always sends is required); ``asyncapi.json`` describes the whole app.
Output is deterministic: stable key order, 2-space indent, a newline at the end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal, cast

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode
from pydantic_core import core_schema
from starlette.routing import BaseRoute, Mount

from typedws._json import as_dict, as_list, objects
from typedws.errors import ConfigurationError
from typedws.routing import WebSocketRoute

__all__ = [
    "ASYNCAPI_FILE",
    "JSON_SCHEMA_DIALECT",
    "Direction",
    "TypedRoute",
    "asyncapi",
    "export",
    "json_schema",
    "render",
    "typed_routes",
]

Direction = Literal["client", "server"]
"""``client``: what the client sends; ``server``: what the server sends."""

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ASYNCAPI_FILE = "asyncapi.json"
_MODES: dict[Direction, JsonSchemaMode] = {"client": "validation", "server": "serialization"}
_FRAME_SCHEMAS: dict[str, dict[str, Any]] = {
    "text": {"type": "string", "description": "A text frame."},
    "bytes": {"type": "string", "format": "binary", "description": "A binary frame."},
    "json": {"description": "Any JSON value, in a text frame."},
}


@dataclass(frozen=True)
class TypedRoute:
    """A typedws route as the schema sees it: its name, full path and route."""

    name: str
    path: str
    route: WebSocketRoute

    @property
    def address(self) -> str:
        """The path with its parameters and without their convertors: ``/rooms/{room}``."""
        return re.sub(r"\{(\w+)(:\w+)?\}", r"{\1}", self.path)

    def adapter(self, direction: Direction) -> TypeAdapter[Any] | None:
        """The adapter of *direction*'s messages, when that direction carries models."""
        route = self.route
        if direction == "client":
            return route.receive_adapter if route.receive_type == "model" else None
        return route.send_adapter if route.send_type == "model" else None

    def frame_schema(self, direction: Direction) -> dict[str, Any]:
        """The schema of *direction*'s frames when it carries no models."""
        value_type = self.route.receive_type if direction == "client" else self.route.send_type
        return {"title": self.title(direction), **_FRAME_SCHEMAS[value_type]}

    def title(self, direction: Direction) -> str:
        """The name of *direction*'s message type: ``ChatClientMessage``."""
        words = re.split(r"[^0-9A-Za-z]+", self.name)
        return "".join(w[:1].upper() + w[1:] for w in words) + direction.title() + "Message"


def typed_routes(app: Any) -> list[TypedRoute]:
    """Return the app's typedws routes, in routing order, with their full paths.

    Raises ``ConfigurationError`` when two routes share a name.
    """
    routes = list(_walk(_routes_of(app), ""))
    seen: dict[str, str] = {}
    for typed in routes:
        if typed.name in seen:
            raise ConfigurationError(
                f"two typed routes are named {typed.name!r} ({seen[typed.name]}, {typed.path}):"
                " give one a name="
            )
        seen[typed.name] = typed.path
    return routes


def _routes_of(app: Any) -> list[BaseRoute]:
    routes = getattr(app, "routes", None)
    if routes is None:
        routes = getattr(getattr(app, "router", None), "routes", None)
    if not isinstance(routes, list):
        raise ConfigurationError(f"{type(app).__name__} is not a Starlette or FastAPI app")
    return cast(list[BaseRoute], routes)


def _walk(routes: Iterable[BaseRoute], prefix: str) -> Iterator[TypedRoute]:
    for route in routes:
        if isinstance(route, WebSocketRoute):
            yield TypedRoute(route.name, prefix + route.path, route)
        elif isinstance(route, Mount):
            yield from _walk(route.routes, prefix + route.path)


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, marking every field the server always sends as required."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization" and field["type"] != "typed-dict-field":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)


def json_schema(route: TypedRoute, direction: Direction) -> dict[str, Any]:
    """The JSON Schema (2020-12) of the messages of *direction* on *route*."""
    adapter = route.adapter(direction)
    if adapter is None:
        body = route.frame_schema(direction)
    else:
        _check_names([adapter])
        body = adapter.json_schema(mode=_MODES[direction], schema_generator=_Generator)
    defs = body.pop("$defs", {})
    schema = {
        "$schema": JSON_SCHEMA_DIALECT,
        "title": body.pop("title", route.title(direction)),
        **body,
    }
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    _tidy(schema, defs)
    return schema


def asyncapi(
    app: Any,
    *,
    title: str | None = None,
    version: str | None = None,
    host: str = "localhost:8000",
) -> dict[str, Any]:
    """The AsyncAPI 3.0.0 document of the app: a channel per typed route, a ``receive``
    operation for what clients send and a ``send`` operation for what the server sends."""
    routes = _require_routes(app)
    inputs: list[tuple[str, JsonSchemaMode, TypeAdapter[Any]]] = [
        (f"{r.name}.{d}", _MODES[d], adapter)
        for r in routes
        for d in ("client", "server")
        if (adapter := r.adapter(d)) is not None
    ]
    _check_names([adapter for *_, adapter in inputs])
    roots, defs_schema = TypeAdapter.json_schemas(
        inputs, ref_template="#/components/schemas/{model}", schema_generator=_Generator
    )
    schemas: dict[str, Any] = dict(defs_schema.get("$defs", {}))
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for route in routes:
        channel_messages: dict[str, Any] = {}
        for direction in ("client", "server"):
            root = roots.get((f"{route.name}.{direction}", _MODES[direction]))
            if root is None:
                root = route.frame_schema(direction)
            _tidy(root, schemas, ref_prefix="#/components/schemas/")
            names = _message_payloads(route, direction, root)
            if "oneOf" in root or "anyOf" in root:
                union = route.title(direction)
                schemas[union] = root
                if union in names:
                    names[union] = {"$ref": f"#/components/schemas/{union}"}
            for name, payload in names.items():
                messages[name] = _message(name, payload, schemas)
                channel_messages[name] = {"$ref": f"#/components/messages/{name}"}
            action = "receive" if direction == "client" else "send"
            operations[f"{action}{route.title(direction)}"] = {
                "action": action,
                "channel": {"$ref": f"#/channels/{route.name}"},
                "summary": (
                    f"Messages clients send to {route.address}"
                    if direction == "client"
                    else f"Messages the server sends on {route.address}"
                ),
                "messages": [
                    {"$ref": f"#/channels/{route.name}/messages/{name}"} for name in names
                ],
            }
        channels[route.name] = _channel(route, channel_messages)
    _tidy(schemas, schemas, ref_prefix="#/components/schemas/")
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": title or getattr(app, "title", None) or "typedws app",
            "version": version or getattr(app, "version", None) or "0.0.0",
        },
        "defaultContentType": "application/json",
        "servers": {"local": {"host": host, "protocol": "ws"}},
        "channels": channels,
        "operations": dict(sorted(operations.items())),
        "components": {
            "schemas": dict(sorted(schemas.items())),
            "messages": dict(sorted(messages.items())),
        },
    }


def export(app: Any, **asyncapi_options: Any) -> dict[str, str]:
    """Every schema file of the app, as ``{file name: text}``."""
    files = {
        f"{route.name}.{direction}.schema.json": render(json_schema(route, direction))
        for route in _require_routes(app)
        for direction in ("client", "server")
    }
    files[ASYNCAPI_FILE] = render(asyncapi(app, **asyncapi_options))
    return dict(sorted(files.items()))


def render(document: Any) -> str:
    """The text of a JSON document as committed: 2-space indent, a newline at the end."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _require_routes(app: Any) -> list[TypedRoute]:
    routes = typed_routes(app)
    if not routes:
        raise ConfigurationError("the app has no typed routes (typedws.WebSocketRoute)")
    return routes


def _check_names(adapters: Iterable[TypeAdapter[Any]]) -> None:
    """Refuse two different classes of one name: pydantic would rename one silently."""
    seen: dict[str, type] = {}
    for adapter in adapters:
        for node in objects(adapter.core_schema):
            cls = node.get("cls")
            if not isinstance(cls, type) or node.get("type") == "is-instance":
                continue
            other = seen.setdefault(cls.__name__, cls)
            if other is not cls:
                raise ConfigurationError(
                    f"two different message types are named {cls.__name__!r}: "
                    f"{other.__module__}.{other.__qualname__} and "
                    f"{cls.__module__}.{cls.__qualname__}; rename one"
                )


def _tidy(schema: dict[str, Any], defs: dict[str, Any], *, ref_prefix: str = "#/$defs/") -> None:
    """Fix pydantic's output for consumers, in place.

    A discriminated union's tag is required in each member even when it has a default
    (pydantic cannot pick a member without it); field titles, which only repeat the field
    names in generated code, are dropped; in AsyncAPI the discriminator is a plain string.
    """
    for node in objects(schema):
        for field in as_dict(node.get("properties")).values():
            as_dict(field).pop("title", None)
        discriminator = node.get("discriminator")
        if not isinstance(discriminator, dict):
            continue
        tag = as_dict(discriminator)["propertyName"]
        for member in as_list(node.get("oneOf")):
            target = _resolve(member, defs, ref_prefix)
            properties = as_dict(target.get("properties"))
            if tag in properties:
                required = {*as_list(target.get("required")), tag}
                target["required"] = [p for p in properties if p in required]
        if ref_prefix != "#/$defs/":
            node["discriminator"] = tag


def _resolve(schema: Any, defs: dict[str, Any], ref_prefix: str) -> dict[str, Any]:
    """*schema*, or the definition its ``$ref`` points to."""
    node = as_dict(schema)
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(ref_prefix):
        return as_dict(defs.get(ref[len(ref_prefix) :]))
    return node


def _message_payloads(
    route: TypedRoute, direction: Direction, root: dict[str, Any]
) -> dict[str, Any]:
    """The messages of one direction, by name, each with its payload schema: one per member
    of a union of models, else one."""
    members = as_list(root.get("oneOf")) or as_list(root.get("anyOf"))
    if not all(isinstance(as_dict(member).get("$ref"), str) for member in members):
        members = []
    named: dict[str, Any] = {}
    for member in members or [root]:
        ref = as_dict(member).get("$ref")
        name = ref.rsplit("/", 1)[-1] if isinstance(ref, str) else route.title(direction)
        named[name] = member
    return named


def _message(name: str, payload: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    message: dict[str, Any] = {"name": name, "title": name}
    target = _resolve(payload, schemas, "#/components/schemas/")
    description = target.get("description")
    if isinstance(description, str):
        message["summary"] = description.strip().splitlines()[0]
    message["contentType"] = "application/json"
    message["payload"] = payload
    return message


def _channel(route: TypedRoute, messages: dict[str, Any]) -> dict[str, Any]:
    channel: dict[str, Any] = {"address": route.address, "title": route.name}
    channel["messages"] = dict(sorted(messages.items()))
    parameters = re.findall(r"\{(\w+)\}", route.address)
    if parameters:
        channel["parameters"] = {
            name: {"description": f"The path parameter {name}."} for name in parameters
        }
    channel["bindings"] = {"ws": {"method": "GET", "bindingVersion": "0.1.0"}}
    return channel
