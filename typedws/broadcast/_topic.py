"""``Topic[T]``: a topic's name bound to its message type, and the codec that carries it."""

from __future__ import annotations

import functools
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from pydantic import TypeAdapter
from typing_extensions import TypeForm

from typedws.codecs import MessageCodec, ModelCodec, adapter_for
from typedws.codecs._message_types import is_struct_type
from typedws.errors import ConfigurationError

__all__ = ["Delivery", "Topic", "codec_for"]

T = TypeVar("T")


class Topic(Generic[T]):
    """A broadcast topic: its name and the type of its messages, declared once.

    ``Topic("chat:lobby", Said)`` is a ``Topic[Said]``; ``Broadcast.publish``,
    ``subscribe`` and ``room`` given it are checked by mypy and pyright against that
    type. The message type is anything a ``WebSocket`` takes as ``model=`` (a pydantic
    model, a dataclass, a ``TypedDict``, an ``Annotated`` union, a ``TypeAdapter``, a
    ``msgspec.Struct`` or a union of them); a type that cannot be one raises
    ``ConfigurationError`` here.
    """

    __slots__ = ("codec", "message_type", "name")

    @overload
    def __init__(self, name: str, message_type: TypeForm[T], /) -> None: ...
    @overload
    def __init__(self, name: str, message_type: TypeAdapter[T], /) -> None: ...
    def __init__(self, name: str, message_type: Any, /) -> None:
        if not name:
            raise ConfigurationError(f"a topic's name is a non-empty str, not {name!r}")
        #: The topic's name, as the backend knows it.
        self.name: str = name
        #: The message type, as given.
        self.message_type: Any = message_type
        #: The codec its messages are written and validated with.
        self.codec: MessageCodec[T] = codec_for(message_type)

    def __repr__(self) -> str:
        return f"Topic({self.name!r}, {self.message_type!r})"


@dataclass(frozen=True, slots=True)
class Delivery(Generic[T]):
    """One message a subscriber receives: the validated ``message``, the ``offset`` it was
    published at (an opaque string to resume from: ``since=offset``), and its ``topic``."""

    message: T
    offset: str
    topic: str


def codec_for(message_type: Any, /) -> MessageCodec[Any]:
    """The codec of *message_type*, built once per type: ``StructCodec`` for
    ``msgspec.Struct`` types, else ``ModelCodec``. Raises ``ConfigurationError``."""
    if isinstance(message_type, Hashable):
        try:
            return _cached_codec(message_type)
        except TypeError:
            pass  # an unhashable part inside the type
    return _build_codec(message_type)


def _build_codec(message_type: Any) -> MessageCodec[Any]:
    if is_struct_type(message_type):
        from typedws.codecs._msgspec_codec import StructCodec

        return StructCodec(message_type)
    return ModelCodec(adapter_for(message_type))


_cached_codec = functools.lru_cache(maxsize=512)(_build_codec)
