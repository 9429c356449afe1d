"""The ``model`` value type for pydantic message types: ``ModelCodec``, and ``adapter_for``,
which builds each type's ``TypeAdapter`` once. Pure: no I/O."""

from typedws.codecs._pydantic_codec import ModelCodec, adapter_for

__all__ = [
    "ModelCodec",
    "adapter_for",
]
