"""The classes a message type is made of, read from its ``TypeAdapter``."""

from __future__ import annotations

import types
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo
from pydantic_core import SchemaSerializer

__all__ = ["message_types", "own_serializers"]


def message_types(adapter: TypeAdapter[Any]) -> tuple[type[Any], ...]:
    """The classes a message type is made of: the variants of a union, or the one class."""
    found: list[type[Any]] = []
    _collect(_declared_type(adapter), found)
    return tuple(found)


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


def _declared_type(adapter: TypeAdapter[Any]) -> Any:
    """The type *adapter* was made for."""
    return getattr(adapter, "_type")  # noqa: B009 - pydantic keeps no public name for it
