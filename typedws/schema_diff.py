"""Breaking changes between two exports of an app's JSON Schemas.

What breaks depends on the direction. Client to server (``*.client.schema.json``, what the
server accepts): a removed message type, a new required field, a narrowed type or a
tightened constraint. Server to client (``*.server.schema.json``, what clients receive): a
removed message type or field, a field no longer required, a widened type.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from typedws.codecs._json import as_dict, as_list
from typedws.schema import Direction

__all__ = ["Change", "diff_dirs", "diff_schemas"]

_ARROWS: dict[Direction, str] = {"client": "client->server", "server": "server->client"}
_UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties")
_LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties")


@dataclass(frozen=True)
class Change:
    """One difference between two schemas of a route and direction."""

    route: str
    direction: Direction
    breaking: bool
    detail: str

    def __str__(self) -> str:
        label = "BREAKING" if self.breaking else "compatible"
        return f"{label} {self.route} {_ARROWS[self.direction]}: {self.detail}"


def diff_dirs(old: Path, new: Path) -> list[Change]:
    """Every change between the route schemas in directory *old* and in *new*."""
    old_files, new_files = _route_files(old), _route_files(new)
    changes: list[Change] = []
    for key in sorted(old_files.keys() | new_files.keys()):
        route, direction = key
        if key not in new_files:
            changes.append(Change(route, direction, True, "route removed"))
        elif key not in old_files:
            changes.append(Change(route, direction, False, "route added"))
        else:
            old_schema = json.loads(old_files[key].read_text(encoding="utf-8"))
            new_schema = json.loads(new_files[key].read_text(encoding="utf-8"))
            changes.extend(diff_schemas(route, direction, old_schema, new_schema))
    return changes


def diff_schemas(
    route: str, direction: Direction, old: dict[str, Any], new: dict[str, Any]
) -> list[Change]:
    """The changes from schema *old* to schema *new* of *route*'s *direction*."""
    client = direction == "client"

    def change(breaking: bool, detail: str) -> Change:
        return Change(route, direction, breaking, detail)

    changes: list[Change] = []
    old_messages, new_messages = _messages(old), _messages(new)
    for name in sorted(old_messages.keys() - new_messages.keys()):
        changes.append(change(True, f"removed message type {name!r}"))
    for name in sorted(new_messages.keys() - old_messages.keys()):
        changes.append(change(False, f"added message type {name!r}"))
    # Each object is compared once: a model by its $defs name, an inline message by its tag.
    objects = [
        (name, old_messages[name][0], new_messages[name][0])
        for name in sorted(old_messages.keys() & new_messages.keys())
        if old_messages[name][1] is None or old_messages[name][1] != new_messages[name][1]
    ]
    old_defs, new_defs = as_dict(old.get("$defs")), as_dict(new.get("$defs"))
    objects += [
        (name, old_defs[name], new_defs[name]) for name in sorted(old_defs.keys() & new_defs.keys())
    ]
    for name, old_object, new_object in objects:
        for breaking, detail in _diff_object(old_object, new_object, client):
            changes.append(change(breaking, f"{name}.{detail}"))
    return changes


def _diff_object(
    old: dict[str, Any], new: dict[str, Any], client: bool
) -> Iterator[tuple[bool, str]]:
    old_fields, new_fields = as_dict(old.get("properties")), as_dict(new.get("properties"))
    old_required = set(as_list(old.get("required")))
    new_required = set(as_list(new.get("required")))
    for field in sorted(old_fields.keys() - new_fields.keys()):
        closed = new.get("additionalProperties") is False
        yield (not client or closed), f"{field}: field removed"
    for field in sorted(new_fields.keys() - old_fields.keys()):
        required = field in new_required
        yield (
            (client and required),
            f"{field}: {'required' if required else 'optional'} field added",
        )
    for field in sorted(old_fields.keys() & new_fields.keys()):
        if client and field in new_required and field not in old_required:
            yield True, f"{field}: now required"
        if not client and field in old_required and field not in new_required:
            yield True, f"{field}: no longer required"
        old_kinds, new_kinds = _kinds(old_fields[field]), _kinds(new_fields[field])
        if "any" not in new_kinds and old_kinds - new_kinds:
            yield client, f"{field}: type narrowed"
        if "any" not in old_kinds and new_kinds - old_kinds:
            yield not client, f"{field}: type widened"
        if client and _tightened(as_dict(old_fields[field]), as_dict(new_fields[field])):
            yield True, f"{field}: constraint tightened"


def _messages(schema: dict[str, Any]) -> dict[str, tuple[dict[str, Any], str | None]]:
    """The message types of a schema, by tag value (or title): each resolved, with the
    ``$ref`` it was reached by."""
    members = as_list(schema.get("oneOf")) or as_list(schema.get("anyOf")) or [schema]
    tag = as_dict(schema.get("discriminator")).get("propertyName")
    messages: dict[str, tuple[dict[str, Any], str | None]] = {}
    for member in members:
        resolved = _resolve(member, schema)
        properties = as_dict(resolved.get("properties"))
        const = as_dict(properties.get(tag)).get("const") if isinstance(tag, str) else None
        name = const if isinstance(const, str) else resolved.get("title", "message")
        ref = as_dict(member).get("$ref")
        messages[str(name)] = (resolved, ref if isinstance(ref, str) else None)
    return messages


def _resolve(schema: Any, root: dict[str, Any]) -> dict[str, Any]:
    node = as_dict(schema)
    while isinstance(ref := node.get("$ref"), str):
        target: Any = root
        for part in ref.removeprefix("#/").split("/"):
            target = as_dict(target).get(part)
        node = as_dict(target)
    return node


def _kinds(schema: Any) -> frozenset[str]:
    """What a field schema admits, coarsely: JSON types, constants, named models."""
    node = as_dict(schema)
    ref = node.get("$ref")
    if isinstance(ref, str):
        return frozenset({"ref:" + ref.rsplit("/", 1)[-1]})
    if "const" in node:
        return frozenset({"const:" + json.dumps(node["const"])})
    if "enum" in node:
        return frozenset("const:" + json.dumps(v) for v in as_list(node["enum"]))
    members = as_list(node.get("anyOf")) or as_list(node.get("oneOf"))
    if members:
        return frozenset(kind for member in members for kind in _kinds(member))
    types = node.get("type")
    if types is None:
        return frozenset({"any"})
    kinds = {str(t) for t in (as_list(types) if isinstance(types, list) else [types])}
    if {"integer", "number"} <= kinds:
        kinds.discard("integer")
    if "array" in kinds and "items" in node:
        kinds.discard("array")
        kinds.update("array:" + kind for kind in _kinds(node["items"]))
    return frozenset(kinds)


def _tightened(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """Whether *new* admits less than *old* through a bound or a pattern."""
    for key in _UPPER_BOUNDS:
        if key in new and (key not in old or new[key] < old[key]):
            return True
    for key in _LOWER_BOUNDS:
        if key in new and (key not in old or new[key] > old[key]):
            return True
    return "pattern" in new and new.get("pattern") != old.get("pattern")


def _route_files(directory: Path) -> dict[tuple[str, Direction], Path]:
    files: dict[tuple[str, Direction], Path] = {}
    for direction in ("client", "server"):
        for path in sorted(directory.glob(f"*.{direction}.schema.json")):
            route = path.name.removesuffix(f".{direction}.schema.json")
            files[route, direction] = path
    return files
