"""AsyncAPI 3.0 request/reply for the requests an endpoint answers.

Each request is a ``receive`` operation of its own message whose ``reply`` names the reply
message on the same channel (a WebSocket answers on the connection it was asked on); the
request and reply messages say where the correlation id is with a ``correlationId`` whose
``location`` is ``$message.payload#/<field>``, the field's name on the wire.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from typedws.codecs import MessageCodec, SchemaMode
from typedws.codecs._json import as_dict
from typedws.discovery import Direction, TypedRoute
from typedws.errors import ConfigurationError
from typedws.routing import RequestSpec

__all__ = ["Correlations", "RequestMessages", "request_inputs", "request_messages"]

_KINDS: dict[str, tuple[SchemaMode, Direction]] = {
    "request": ("validation", "client"),
    "reply": ("serialization", "server"),
}


@dataclass(frozen=True)
class RequestMessages:
    """A request of a route with the names of its two messages in the document."""

    spec: RequestSpec
    request: str
    reply: str
    route: TypedRoute

    def operation(self, route: TypedRoute) -> tuple[str, dict[str, Any]]:
        """The ``receive`` operation of the request, with its reply, and its key."""
        channel = {"$ref": f"#/channels/{route.name}"}
        prefix = route.title("client").removesuffix("ClientMessage")
        request, reply = self.spec.request.__name__, self.spec.reply.__name__
        return f"receive{prefix}{request}Request", {
            "action": "receive",
            "channel": channel,
            "summary": (
                f"{request} requests clients send to {route.address}, each answered with {reply}"
            ),
            "messages": [{"$ref": f"#/channels/{route.name}/messages/{self.request}"}],
            "reply": {
                "channel": channel,
                "messages": [{"$ref": f"#/channels/{route.name}/messages/{self.reply}"}],
            },
        }


def request_inputs(
    routes: list[TypedRoute],
) -> list[tuple[type[MessageCodec[Any]], str, SchemaMode, Any]]:
    """The request and reply types of every route, each with the class of the codec of its
    direction, as inputs of the schema generation of that codec class, so that their
    ``$ref`` names the message each is in the document."""
    found: list[tuple[type[MessageCodec[Any]], str, SchemaMode, Any]] = []
    for route in routes:
        for index, spec in enumerate(route.app.requests):
            for kind, (mode, direction) in _KINDS.items():
                codec = route.codec(direction)
                if codec is not None:
                    key = _key(route, index, kind)
                    found.append((type(codec), key, mode, getattr(spec, kind)))
    return found


def request_messages(
    route: TypedRoute,
    roots: Mapping[tuple[str, SchemaMode], Any],
    client: Mapping[str, Any],
    server: Mapping[str, Any],
) -> list[RequestMessages]:
    """The route's requests whose request and reply are each a message of their own among
    the *client* and *server* messages (not when one is in a union of a non-model type)."""
    found: list[RequestMessages] = []
    for index, spec in enumerate(route.app.requests):
        request = _ref_name(roots.get((_key(route, index, "request"), "validation")))
        reply = _ref_name(roots.get((_key(route, index, "reply"), "serialization")))
        if request is not None and request in client and reply is not None and reply in server:
            found.append(RequestMessages(spec, request, reply, route))
    return found


class Correlations:
    """Where each message holds its correlation id, one place per message."""

    def __init__(self) -> None:
        self._places: dict[str, tuple[str, str]] = {}  # message: location, field

    def add(self, found: RequestMessages) -> None:
        """Note where the request's two messages hold its correlation id.

        Raises ``ConfigurationError`` when a message holds it elsewhere for another request.
        """
        spec = found.spec
        places: list[tuple[str, type[Any], SchemaMode, Direction]] = [
            (found.request, spec.request, "validation", "client"),
            (found.reply, spec.reply, "serialization", "server"),
        ]
        for name, model, mode, direction in places:
            codec = found.route.codec(direction)
            wire = None if codec is None else codec.field_key(model, spec.correlation_id, mode)
            key = wire or spec.correlation_id
            location = "$message.payload#/" + key.replace("~", "~0").replace("/", "~1")
            known, field = self._places.setdefault(name, (location, spec.correlation_id))
            if known != location:
                raise ConfigurationError(
                    f"{model.__name__} holds the correlation id in {field!r} for one request"
                    f" and in {spec.correlation_id!r} for another; one message cannot say both"
                )

    def mark(self, messages: dict[str, Any]) -> None:
        """Give each message of a request its ``correlationId``."""
        for name, (location, _) in self._places.items():
            messages[name]["correlationId"] = {"location": location}


def _key(route: TypedRoute, index: int, kind: str) -> str:
    return f"{route.name}.requests.{index}.{kind}"


def _ref_name(root: Any) -> str | None:
    ref = as_dict(root).get("$ref")
    return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None
