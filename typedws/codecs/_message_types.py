"""The classes a message type is made of, read from the type or from its ``TypeAdapter``."""

from __future__ import annotations

import sys
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AliasChoices, AliasPath, BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import SchemaSerializer

__all__ = ["classes_of", "is_struct_type", "message_types", "own_serializers", "wire_key"]


def message_types(adapter: TypeAdapter[Any]) -> tuple[type[Any], ...]:
    """The classes a message type is made of: the variants of a union, or the one class."""
    return classes_of(_declared_type(adapter))


def classes_of(message_type: Any) -> tuple[type[Any], ...]:
    """The classes *message_type* is made of: the members of a union (under ``Annotated``
    and type aliases too), or the one class."""
    found: list[type[Any]] = []
    _collect(message_type, found)
    return tuple(found)


def is_struct_type(message_type: Any) -> bool:
    """Whether *message_type* is made of ``msgspec.Struct`` classes (msgspec's, not pydantic's).

    Reads ``sys.modules``: when msgspec was never imported, no class can be a Struct.
    """
    msgspec = sys.modules.get("msgspec")
    if msgspec is None or isinstance(message_type, TypeAdapter):
        return False
    struct: type[Any] = msgspec.Struct
    return any(issubclass(cls, struct) for cls in classes_of(message_type))


def _collect(message_type: Any, found: list[type[Any]]) -> None:
    origin = get_origin(message_type)
    if origin is Annotated:
        _collect(get_args(message_type)[0], found)
    elif origin is Union or origin is types.UnionType:
        for member in get_args(message_type):
            _collect(member, found)
    elif hasattr(message_type, "__value__"):  # a ``type X = ...`` alias
        _collect(message_type.__value__, found)
    elif isinstance(message_type, type) and message_type not in found:
        found.append(message_type)


def own_serializers(adapter: TypeAdapter[Any]) -> dict[type[Any], SchemaSerializer]:
    """The models a message type is a union of (or the one model), each with its own
    serializer, which writes an instance as the message type's serializer does.

    Only plain members count: a member under ``Annotated`` may be serialized its own way.
    """
    message_type = _declared_type(adapter)
    if get_origin(message_type) is Annotated:
        inner, *metadata = get_args(message_type)
        if not all(isinstance(item, FieldInfo) for item in metadata):
            return {}
        message_type = inner
    members = (
        get_args(message_type)
        if get_origin(message_type) in (Union, types.UnionType)
        else (message_type,)
    )
    return {
        member: member.__pydantic_serializer__
        for member in members
        if isinstance(member, type) and issubclass(member, BaseModel)
    }


def wire_key(
    model: type[Any], field: str, mode: Literal["validation", "serialization"]
) -> str | None:
    """The name *field* of the pydantic *model* has in JSON (its alias for *mode*, as
    pydantic's schema names the property); ``None`` when *model* has no such field."""
    fields: dict[str, FieldInfo] = getattr(model, "model_fields", {})
    info = fields.get(field)
    if info is None:
        return None
    alias: Any = info.validation_alias if mode == "validation" else info.serialization_alias
    if isinstance(alias, AliasChoices):
        alias = alias.choices[0]
    if isinstance(alias, AliasPath) and len(alias.path) == 1:
        alias = alias.path[0]
    return alias if isinstance(alias, str) else field


def _declared_type(adapter: TypeAdapter[Any]) -> Any:
    """The type *adapter* was made for."""
    return getattr(adapter, "_type")  # noqa: B009 - pydantic keeps no public name for it
