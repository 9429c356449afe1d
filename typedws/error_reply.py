"""The error message endpoints send back, and the message types a union is made of."""

from __future__ import annotations

import types
from typing import Annotated, Any, ClassVar, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter
from typing_extensions import TypedDict

from typedws.errors import InvalidMessage

__all__ = ["ErrorItem", "ErrorReply", "message_types"]


class ErrorItem(TypedDict):
    """One error of an invalid message, as in ``InvalidMessage.errors``: never the input."""

    type: str
    loc: list[str | int]
    msg: str


class ErrorReply(BaseModel):
    """The error message sent back for an invalid message, or for a request that failed.

    ``kind`` is the failure kind (``"handler"`` for a request whose handler raised),
    ``code`` the close code it would have had, ``reason`` the close reason it would have
    had, ``errors`` pydantic's errors without the input, ``id`` the request's correlation
    id when the failed message was a request.
    """

    model_config: ClassVar[ConfigDict] = ConfigDict(frozen=True)

    type: Literal["error"] = "error"
    kind: Literal["frame_type", "json", "validation", "too_big", "handler"]
    code: int
    reason: str
    errors: list[ErrorItem] = Field(default_factory=list[ErrorItem])
    id: str | int | None = None

    @classmethod
    def of(cls, error: InvalidMessage) -> ErrorReply:
        """The error reply to an invalid message."""
        items = [
            ErrorItem(type=item["type"], loc=list(item["loc"]), msg=item["msg"])
            for item in error.errors
        ]
        return cls(
            kind=error.kind,
            code=error.close_code,
            reason=error.reason,
            errors=items,
            id=error.correlation_id,
        )


def message_types(adapter: TypeAdapter[Any]) -> tuple[type[Any], ...]:
    """The classes a message type is made of: the variants of a union, or the one class."""
    found: list[type[Any]] = []
    _collect(getattr(adapter, "_type"), found)  # noqa: B009 - pydantic keeps no public name
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
