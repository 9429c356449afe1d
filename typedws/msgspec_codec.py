"""``msgspec.Struct`` message types: a second typed backend behind the same codec interface.

Give ``model=``, ``receive_model=`` or ``send_model=`` a ``msgspec.Struct`` class, or a union
of Struct classes (tagged: ``tag=True`` or ``tag="..."`` on each), optionally with ``None``
and under ``Annotated``, and typedws uses ``StructCodec``: one ``msgspec.json.Decoder`` pass
per received text frame, one ``msgspec.json.Encoder`` pass per value sent. Close codes,
reasons of at most 123 bytes of UTF-8, ``InvalidMessage.errors``, correlation ids,
``max_size`` and the schema export work as for pydantic types. typedws imports this module,
and msgspec, only for a message type made of Structs (``pip install 'typedws[msgspec]'``).

What differs from pydantic: reasons and errors use msgspec's wording, with its paths
(``invalid message: user.name: Expected `str`, got `int```); a value sent must be an
instance of one of the union's own classes (not a subclass), and is written as it is, as
msgspec does not check a Struct's fields when it is built (``StructCodec``'s
``check_fields`` decodes what was written before it goes out); ``receive_adapter`` and
``send_adapter`` are ``None``. Endpoints that reply to invalid messages put this module's
``ErrorReply`` in their send union.
"""

from typedws.codecs._msgspec_codec import ErrorReply, StructCodec

__all__ = [
    "ErrorReply",
    "StructCodec",
]
