"""The codecs: pure value types that turn ASGI ``websocket.receive`` messages into values and
values into ``websocket.send`` messages; no I/O, no Starlette.

``TextCodec``, ``BytesCodec`` and ``JSONCodec`` are the plain value types behind ``Codec``;
``ModelCodec`` (pydantic, with ``adapter_for``) and ``StructCodec`` (msgspec) are the
``model`` value type's, behind ``MessageCodec``, each with its JSON Schema writer and the
redaction of what its errors quote. Their public modules stay ``typedws.codec``,
``typedws.pydantic_codec`` and ``typedws.msgspec_codec``. msgspec is imported by
``typedws.codecs._msgspec_codec`` only, for a message type made of Structs.
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
)
from typedws.codecs._pydantic_codec import ModelCodec, adapter_for

__all__ = [
    "VALUE_TYPES",
    "BytesCodec",
    "Codec",
    "JSONCodec",
    "Message",
    "MessageCodec",
    "ModelCodec",
    "SchemaMode",
    "TextCodec",
    "ValueType",
    "adapter_for",
]
