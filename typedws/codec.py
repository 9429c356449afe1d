"""Value types: turn ASGI ``websocket.receive`` messages into values and values into
``websocket.send`` messages. Pure: no I/O, no Starlette.

The ``model`` value type's codecs live in ``typedws.pydantic_codec`` (``ModelCodec``) and
``typedws.msgspec_codec`` (``StructCodec``), behind ``MessageCodec``. Every decode has its
inverse encode, so ``codec.decode(codec.encode(x)) == x``. A message
that does not fit raises :class:`~typedws.errors.InvalidMessage` with its failure kind and
the close code the kind maps to.
"""

from typedws.codecs._codec import (
    VALUE_TYPES,
    BytesCodec,
    Codec,
    JSONCodec,
    Message,
    MessageCodec,
    SchemaMode,
    TextCodec,
    ValueType,
    correlation_of,
)

__all__ = [
    "VALUE_TYPES",
    "BytesCodec",
    "Codec",
    "JSONCodec",
    "Message",
    "MessageCodec",
    "SchemaMode",
    "TextCodec",
    "ValueType",
    "correlation_of",
]
