"""Value types: turn ASGI ``websocket.receive`` messages into values and values into
``websocket.send`` messages. Pure: no I/O, no Starlette.

Every decode has its inverse encode, so ``codec.decode(codec.encode(x)) == x``. A message
that does not fit raises :class:`~typedws.errors.InvalidMessage` with its failure kind and
the close code the kind maps to.
"""

from __future__ import annotations

import abc
import functools
import json
import math
import re
from collections.abc import Hashable, Mapping, MutableMapping, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast, get_args

from pydantic import PydanticUndefinedAnnotation, PydanticUserError, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, PydanticSerializationError, from_json

from typedws import _pydantic_schema
from typedws._json import as_dict, as_list
from typedws._message_types import message_types, own_serializers, wire_key
from typedws._redact import parser_error, redact, schema_names, schema_values
from typedws.codes import DEFAULT_CLOSE_CODES, FailureKind, truncate_reason
from typedws.error_reply import ErrorReply
from typedws.errors import ConfigurationError, InvalidMessage, InvalidOutgoingMessage

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

T = TypeVar("T")

Message = MutableMapping[str, Any]
"""An ASGI message."""

ValueType = Literal["text", "bytes", "json", "model"]
"""The value types a WebSocket can receive and send."""

VALUE_TYPES: tuple[ValueType, ...] = get_args(ValueType)

SchemaMode = Literal["validation", "serialization"]
"""Which side of a message type a JSON Schema describes: what is received (validation) or
what is sent (serialization)."""

_JSON_ERROR_TYPES = frozenset({"json_invalid", "string_unicode"})

_REMEMBERED_REJECTIONS = 1024
"""How many failures a ``ModelCodec`` keeps worded; it forgets them all when full."""

_LONGEST_FAILURE_KEY = 2048
"""The longest failure a ``ModelCodec`` remembers, in characters of its errors' JSON."""

_SERIALIZER_WARNING = re.compile(
    r"Expected `(?P<type>[^`]*)` - serialized value may not be as expected"
    r" \[field_name='(?P<field>[^']*)'"
)
"""pydantic's warning for a field holding a value of another type; the field is named only
when the schema declares it."""

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


class ModelCodec(MessageCodec[T]):
    """Text frames carrying JSON validated into, and serialized from, a pydantic type.

    Decoding is one ``validate_json`` pass on the frame's text; encoding is the same
    adapter's ``dump_json``, by alias, refusing any value that is not of the type. An
    instance of one of the type's own models is written by that model's serializer after
    an exact-class check. Its fields are trusted, as pydantic checked them when it built
    the instance; ``check_fields`` also refuses fields holding values of other types (set
    by ``model_construct``, or assigned without ``validate_assignment``), at about twice
    the cost of an encode.
    Floats follow pydantic's JSON parser, which takes ``NaN`` and ``Infinity`` unless
    the model sets ``allow_inf_nan=False``.

    An ``InvalidMessage``'s reason and errors never quote the client's input (see
    ``typedws._redact``). Messages written by the app's validators (``value_error``,
    ``assertion_error``, its own error types) show as their type only, unless
    ``show_validator_messages`` is true: then they show as the validators wrote them,
    with their ``ctx``.
    """

    value_type: ClassVar[ValueType] = "model"

    def __init__(
        self,
        adapter: TypeAdapter[T],
        *,
        max_size: int | None = None,
        close_codes: Mapping[FailureKind, int] = DEFAULT_CLOSE_CODES,
        show_validator_messages: bool = False,
        correlation_id: str | None = None,
        check_fields: bool = False,
    ) -> None:
        super().__init__(max_size=max_size, close_codes=close_codes)
        self.adapter = adapter
        self.check_fields = check_fields
        # pydantic reads a mode given as a string at a cost of about one encode.
        self._warnings: bool | Literal["error"] = "error" if check_fields else False
        self.show_validator_messages = show_validator_messages
        self.correlation_id = correlation_id
        self._own_serializers = own_serializers(adapter)
        self._validate_json = adapter.validator.validate_json
        self._rejections: dict[str, tuple[FailureKind, str, list[ErrorDetails]]] = {}

    @property
    def message_type(self) -> TypeAdapter[T]:
        """The ``TypeAdapter`` of the message type."""
        return self.adapter

    @property
    def members(self) -> tuple[type[Any], ...]:
        """The classes the message type is made of: a union's members, or the one class."""
        return message_types(self.adapter)

    @property
    def error_reply(self) -> type[Any] | None:
        """``typedws.ErrorReply`` when it is one of the members."""
        return ErrorReply if ErrorReply in self.members else None

    def field_key(self, member: type[Any], field: str, mode: SchemaMode) -> str | None:
        """The key of the model *member*'s *field* in JSON: its alias for *mode*."""
        return wire_key(member, field, mode)

    def replace(self, value: T, /, **changes: Any) -> T:
        """A copy of the model *value* with *changes* to its fields (not validated)."""
        return cast(T, cast(Any, value).model_copy(update=changes))

    def json_schema(self, mode: SchemaMode) -> dict[str, Any]:
        """The adapter's JSON Schema, every field the server always sends required."""
        return _pydantic_schema.json_schema(self.adapter, mode)

    @classmethod
    def json_schemas(
        cls, inputs: Sequence[tuple[str, SchemaMode, Any]], /, *, ref_template: str
    ) -> tuple[dict[tuple[str, SchemaMode], dict[str, Any]], dict[str, Any]]:
        """The JSON Schemas of pydantic message types (or their ``TypeAdapter``), generated
        together."""
        adapters: list[tuple[str, SchemaMode, TypeAdapter[Any]]] = [
            (key, mode, adapter_for(message_type)) for key, mode, message_type in inputs
        ]
        return _pydantic_schema.json_schemas(adapters, ref_template=ref_template)

    def decode(self, message: Message, /) -> T:
        """Return the text frame's JSON validated into the message type, in one pass."""
        payload = self._payload(message)
        try:
            return cast(T, self._validate_json(payload))
        except ValidationError as exc:
            invalid = self._invalid_from(exc)
            if self.correlation_id is not None:
                invalid.correlation_id = correlation_of(payload, self.correlation_id)
            raise invalid from None

    def encode(self, value: T, /) -> Message:
        """Return a text frame carrying *value* serialized by the message type."""
        serializer = self._own_serializers.get(type(value))
        try:
            if serializer is not None:
                # One of the type's own models: the exact class is the check, and its own
                # serializer writes what the type's would.
                data = serializer.to_json(value, by_alias=True, warnings=self._warnings)
            else:
                # For model instances of the type this is an isinstance check.
                value = self.adapter.validate_python(value, strict=True)
                data = self.adapter.dump_json(value, by_alias=True, warnings=self._warnings)
        except ValidationError as exc:
            detail = _describe(self._redacted(exc)[0])
        except PydanticSerializationError as exc:
            detail = self._serialization_detail(str(exc))
        else:
            return {"type": "websocket.send", "text": data.decode()}
        # Not chained: pydantic's errors quote the value, which may hold the client's input,
        # and a logged traceback would show them.
        raise self._not_sendable(value, detail)

    @staticmethod
    def _not_sendable(value: object, detail: str) -> InvalidOutgoingMessage:
        return InvalidOutgoingMessage(
            f"{type(value).__name__} does not fit the send type: {detail}"
        )

    def _redacted(self, exc: ValidationError) -> list[ErrorDetails]:
        return redact(
            exc.errors(include_url=False, include_input=False),
            schema_names(self.adapter),
            schema_values(self.adapter),
            show_validator_messages=self.show_validator_messages,
        )

    def _serialization_detail(self, message: str) -> str:
        """What a serializer warning says without the value: the field and the type expected."""
        found = _SERIALIZER_WARNING.search(message)
        if found is None:
            return "not serializable as the send type"
        field, expected = found.group("field"), f"Expected `{found.group('type')}`"
        return f"{field}: {expected}" if field in schema_names(self.adapter) else expected

    def _invalid_from(self, exc: ValidationError) -> InvalidMessage:
        """The ``InvalidMessage`` for *exc*; the same failure is redacted and worded once."""
        key = _failure_key(exc)
        rejection = None if key is None else self._rejections.get(key)
        if rejection is None:
            rejection = self._rejection(exc.errors(include_url=False, include_input=False))
            if key is not None:
                if len(self._rejections) >= _REMEMBERED_REJECTIONS:
                    self._rejections.clear()
                self._rejections[key] = rejection
        kind, reason, redacted = rejection
        errors = [error.copy() for error in redacted]
        # Built without __init__, which copies the errors again: ``args`` is the exception.
        return InvalidMessage.__new__(InvalidMessage, kind, self.close_codes[kind], reason, errors)

    def _rejection(self, errors: list[ErrorDetails]) -> tuple[FailureKind, str, list[ErrorDetails]]:
        """The failure kind, close reason and redacted errors for pydantic's *errors*."""
        redacted = redact(
            errors,
            schema_names(self.adapter),
            schema_values(self.adapter),
            show_validator_messages=self.show_validator_messages,
        )
        first = redacted[0]
        if first["type"] in _JSON_ERROR_TYPES and not first["loc"]:
            # redact() keeps the parser's diagnostic only when it quotes nothing.
            detail = first.get("ctx", {}).get("error") or first["msg"]
            return "json", self.invalid("json", f"not JSON: {detail}").reason, redacted
        return "validation", self.invalid("validation", _describe(first)).reason, redacted


_CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def correlation_of(payload: str | bytes, field: str) -> str | int | None:
    """The correlation id in *field* of a JSON object *payload*, when it is well formed:
    a string of at most 64 letters, digits and ``._:-``, or an integer of at most 2**53."""
    try:
        data = json.loads(payload)
    except ValueError:
        return None
    value = as_dict(data).get(field)
    if isinstance(value, str) and _CORRELATION_ID.fullmatch(value):
        return value
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= 2**53:
        return value
    return None


def _failure_key(exc: ValidationError) -> str | None:
    """What decides the redacted form of *exc*'s errors, as one string: their types,
    locations, messages and context (objects as text); ``None`` when it is too long to keep."""
    try:
        key = exc.json(include_url=False, include_input=False)
    except PydanticSerializationError:  # a context value pydantic cannot write
        return None
    return key if len(key) <= _LONGEST_FAILURE_KEY else None


def _describe(error: ErrorDetails) -> str:
    """A redacted *error* as one line: ``loc: msg``."""
    loc = ".".join(map(str, error["loc"]))
    return f"{loc}: {error['msg']}" if loc else error["msg"]


def adapter_for(message_type: Any, /) -> TypeAdapter[Any]:
    """Return the ``TypeAdapter`` for *message_type*, built once per type.

    *message_type* is anything ``TypeAdapter`` takes, or a ``TypeAdapter`` itself.
    Raises ``ConfigurationError`` when pydantic cannot build an adapter for it.
    """
    if _is_adapter(message_type):
        return cast(TypeAdapter[Any], message_type)
    if isinstance(message_type, Hashable):
        try:
            return _cached_adapter(message_type)
        except TypeError:
            pass  # an unhashable part inside the type: build the adapter uncached
    return _build_adapter(message_type)


def _is_adapter(value: Any) -> bool:
    return isinstance(value, TypeAdapter)


def _build_adapter(message_type: Any) -> TypeAdapter[Any]:
    try:
        adapter = TypeAdapter(message_type)
        # A type with undefined forward references fails here, not at the first message.
        adapter.validator.validate_json  # noqa: B018 - the access itself is the check
    except (PydanticUserError, PydanticUndefinedAnnotation, TypeError) as exc:
        raise ConfigurationError(f"not a message type: {exc}") from exc
    return adapter


_cached_adapter = functools.lru_cache(maxsize=512)(_build_adapter)


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
