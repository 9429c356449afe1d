"""The codec interface and the plain value types (text, bytes, json): the public
module is ``typedws.codec``, whose docstring tells the contract.
"""

from __future__ import annotations

import abc
import json
import math
import re
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast, get_args

from pydantic_core import ErrorDetails, from_json

from typedws.codecs._json import as_dict, as_list
from typedws.codecs._redact import parser_error
from typedws.codes import DEFAULT_CLOSE_CODES, FailureKind, truncate_reason
from typedws.errors import InvalidMessage, InvalidOutgoingMessage

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
]

T = TypeVar("T")

Message = MutableMapping[str, Any]
"""An ASGI message."""

ValueType = Literal["text", "bytes", "json", "model"]
"""The value types a WebSocket can receive and send."""

VALUE_TYPES: tuple[ValueType, ...] = get_args(ValueType)
"""The value types, in the order `ValueType` names them."""

SchemaMode = Literal["validation", "serialization"]
"""Which side of a message type a JSON Schema describes: what is received (validation) or
what is sent (serialization)."""

# A JSON number can pass the largest float (about 1.8e308) only with an exponent of 3 digits
# or more, or with 210 digits or more before its point (an exponent of 2 digits adds 99).
_LONG_RUN = 210
_EXPONENT = re.compile(r"e[+-]?[0-9]{3}")
_UPPER_EXPONENT = re.compile(r"E[+-]?[0-9]{3}")
_NUMBER_SHAPE = bytes.maketrans(b"0123456789E-", b"0000000000e+")
"""A ``bytes.translate`` table mapping numbers to their shape: digits to ``0``, ``E`` to
``e``, ``-`` to ``+``."""


class Codec(abc.ABC, Generic[T]):
    """Decode ASGI messages into values of one value type, and encode values back.

    ``max_size`` is the largest message accepted, in bytes (``None``: no limit);
    ``close_codes`` maps each failure kind to the close code its ``InvalidMessage`` carries.
    """

    value_type: ClassVar[ValueType]
    frame: ClassVar[Literal["text", "bytes"]] = "text"

    def __init__(
        self,
        *,
        max_size: int | None = None,
        close_codes: Mapping[FailureKind, int] = DEFAULT_CLOSE_CODES,
    ) -> None:
        self.max_size = max_size
        self.close_codes = close_codes

    @abc.abstractmethod
    def decode(self, message: Message, /) -> T:
        """Return the value an ASGI ``websocket.receive`` message carries."""

    @abc.abstractmethod
    def encode(self, value: T, /) -> Message:
        """Return the ASGI ``websocket.send`` message that carries *value*."""

    def invalid(
        self, kind: FailureKind, detail: str, errors: list[ErrorDetails] | None = None
    ) -> InvalidMessage:
        """Return the ``InvalidMessage`` for a failure of *kind*, described by *detail*."""
        prefix = "message too big" if kind == "too_big" else "invalid message"
        reason = truncate_reason(f"{prefix}: {detail}")
        return InvalidMessage(kind, self.close_codes[kind], reason, errors or ())

    def _payload(self, message: Message) -> Any:
        """Return the frame's payload, checking its kind and size."""
        payload = message.get(self.frame)
        if payload is None:
            other = "binary" if self.frame == "text" else "text"
            wanted = "text" if self.frame == "text" else "binary"
            raise self.invalid("frame_type", f"expected a {wanted} frame, got a {other} frame")
        if self.max_size is not None and _size_exceeds(payload, self.max_size):
            raise self.invalid("too_big", f"over {self.max_size} bytes")
        return payload


class MessageCodec(Codec[T]):
    """The ``model`` value type: text frames carrying JSON of a message type, whichever
    library types it (``ModelCodec`` for pydantic, ``typedws.msgspec_codec.StructCodec``
    for ``msgspec.Struct``).

    Routes, endpoints and the schema export read a message type through this interface only.
    """

    value_type: ClassVar[ValueType] = "model"

    @property
    @abc.abstractmethod
    def message_type(self) -> Any:
        """The message type, as this codec's ``json_schemas`` takes it."""

    @property
    @abc.abstractmethod
    def members(self) -> tuple[type[Any], ...]:
        """The classes the message type is made of: a union's members, or the one class."""

    @property
    @abc.abstractmethod
    def error_reply(self) -> type[Any] | None:
        """This library's error reply class (``typedws.ErrorReply`` for pydantic), when it is
        one of the members; it has ``of(InvalidMessage)``."""

    @abc.abstractmethod
    def field_key(self, member: type[Any], field: str, mode: SchemaMode) -> str | None:
        """The key *field* of the class *member* has in JSON, for *mode*; ``None`` when
        *member* has no such field."""

    @abc.abstractmethod
    def replace(self, value: T, /, **changes: Any) -> T:
        """A copy of the message *value* with *changes* to its fields."""

    @abc.abstractmethod
    def json_schema(self, mode: SchemaMode) -> dict[str, Any]:
        """The JSON Schema of the message type, with its definitions in ``$defs``."""

    @classmethod
    @abc.abstractmethod
    def json_schemas(
        cls, inputs: Sequence[tuple[str, SchemaMode, Any]], /, *, ref_template: str
    ) -> tuple[dict[tuple[str, SchemaMode], dict[str, Any]], dict[str, Any]]:
        """The JSON Schema of each ``(key, mode, message type)`` of *inputs* by ``(key, mode)``,
        and the definitions they share by name, referred to as *ref_template* formatted with
        ``model=name``. Raises ``ConfigurationError`` for two classes of one name."""


class TextCodec(Codec[str]):
    """Text frames carrying ``str``."""

    value_type: ClassVar[ValueType] = "text"

    def decode(self, message: Message, /) -> str:
        """Return the text of a text frame."""
        return cast(str, self._payload(message))

    def encode(self, value: str, /) -> Message:
        """Return a text frame carrying *value*."""
        if not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance] - untyped callers
            raise InvalidOutgoingMessage(f"send_text takes a str, not {type(value).__name__}")
        return {"type": "websocket.send", "text": value}


class BytesCodec(Codec[bytes]):
    """Binary frames carrying ``bytes``."""

    value_type: ClassVar[ValueType] = "bytes"
    frame: ClassVar[Literal["text", "bytes"]] = "bytes"

    def decode(self, message: Message, /) -> bytes:
        """Return the payload of a binary frame."""
        return cast(bytes, self._payload(message))

    def encode(self, value: bytes, /) -> Message:
        """Return a binary frame carrying *value*."""
        if not isinstance(value, (bytes, bytearray, memoryview)):  # pyright: ignore[reportUnnecessaryIsInstance] - untyped callers
            raise InvalidOutgoingMessage(f"send_bytes takes bytes, not {type(value).__name__}")
        return {"type": "websocket.send", "bytes": bytes(value)}


class JSONCodec(Codec[Any]):
    """Text frames carrying any JSON value (RFC 8259: no NaN or Infinity)."""

    value_type: ClassVar[ValueType] = "json"

    def decode(self, message: Message, /) -> Any:
        """Return the JSON value of a text frame; numbers out of float range are refused."""
        payload = self._payload(message)
        try:
            value = from_json(payload, allow_inf_nan=False)
        except ValueError as exc:
            raise self.invalid("json", _not_json(str(exc))) from None
        # The parser turns 1e400 into infinity, which no JSON can carry back.
        if _may_overflow(payload) and _has_infinity(value):
            raise self.invalid("json", "not JSON: number out of range")
        return value

    def encode(self, value: Any, /) -> Message:
        """Return a text frame carrying *value* as JSON."""
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            # Not chained: newer Pythons add notes naming the dict keys, which the client may
            # have sent, and a logged traceback would show them.
            raise InvalidOutgoingMessage(f"cannot send as JSON: {exc}") from None
        return {"type": "websocket.send", "text": text}


_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def correlation_of(payload: str | bytes, field: str) -> str | int | None:
    """The correlation id in *field* of a JSON object *payload*, when it is well formed:
    a string of at most 64 letters, digits and ``._:-``, or an integer of at most 2**53."""
    try:
        # pydantic's parser, as validation's: JSON nested too deeply is a ValueError there,
        # where json.loads raises RecursionError.
        data = from_json(payload)
    except ValueError:
        return None
    value = as_dict(data).get(field)
    if isinstance(value, str) and _CORRELATION_ID.fullmatch(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53:
        return value
    return None


def _not_json(error: str) -> str:
    """The detail of a json failure: the parser's diagnostic when it quotes nothing."""
    diagnostic = parser_error(error)
    return f"not JSON: {diagnostic}" if diagnostic else "not JSON"


def _may_overflow(payload: str) -> bool:
    """Whether *payload* may hold a number too large for a float: a cheap, linear check.

    A short payload can only hold a long exponent. A long one is mapped, at C speed, to
    the shape of its numbers, where a long exponent or a long run of digits is searched.
    """
    if len(payload) < _LONG_RUN:
        return bool(
            _EXPONENT.search(payload) or ("E" in payload and _UPPER_EXPONENT.search(payload))
        )
    shape = payload.encode("utf-8", "surrogatepass").translate(_NUMBER_SHAPE)
    return b"e000" in shape or b"e+000" in shape or b"0" * _LONG_RUN in shape


def _has_infinity(value: Any) -> bool:
    """Whether a decoded JSON *value* holds an infinite float, at any depth."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float):
            if math.isinf(item):
                return True
        elif isinstance(item, list):
            stack.extend(as_list(item))
        elif isinstance(item, dict):
            stack.extend(as_dict(item).values())
    return False


def _size_exceeds(payload: str | bytes, max_size: int) -> bool:
    """Whether *payload* is over *max_size* bytes (for text: bytes of UTF-8)."""
    size = len(payload)
    if size > max_size:
        return True
    if isinstance(payload, bytes) or size * 4 <= max_size:
        return False
    return len(payload.encode("utf-8", "surrogatepass")) > max_size
