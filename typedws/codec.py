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
from collections.abc import Hashable, Mapping, MutableMapping
from typing import Any, ClassVar, Generic, Literal, TypeVar, cast, get_args

from pydantic import PydanticUndefinedAnnotation, PydanticUserError, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails, PydanticSerializationError, from_json

from typedws._json import as_dict, as_list, objects
from typedws.codes import DEFAULT_CLOSE_CODES, FailureKind, truncate_reason
from typedws.errors import ConfigurationError, InvalidMessage, InvalidOutgoingMessage

__all__ = [
    "VALUE_TYPES",
    "BytesCodec",
    "Codec",
    "JSONCodec",
    "Message",
    "ModelCodec",
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

_JSON_ERROR_TYPES = frozenset({"json_invalid", "string_unicode"})


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


class TextCodec(Codec[str]):
    """Text frames carrying ``str``."""

    value_type = "text"

    def decode(self, message: Message, /) -> str:
        return cast(str, self._payload(message))

    def encode(self, value: str, /) -> Message:
        if not isinstance(value, str):  # pyright: ignore[reportUnnecessaryIsInstance] - untyped callers
            raise InvalidOutgoingMessage(f"send_text takes a str, not {type(value).__name__}")
        return {"type": "websocket.send", "text": value}


class BytesCodec(Codec[bytes]):
    """Binary frames carrying ``bytes``."""

    value_type = "bytes"
    frame = "bytes"

    def decode(self, message: Message, /) -> bytes:
        return cast(bytes, self._payload(message))

    def encode(self, value: bytes, /) -> Message:
        if not isinstance(value, (bytes, bytearray, memoryview)):  # pyright: ignore[reportUnnecessaryIsInstance] - untyped callers
            raise InvalidOutgoingMessage(f"send_bytes takes bytes, not {type(value).__name__}")
        return {"type": "websocket.send", "bytes": bytes(value)}


class JSONCodec(Codec[Any]):
    """Text frames carrying any JSON value (RFC 8259: no NaN or Infinity)."""

    value_type = "json"

    def decode(self, message: Message, /) -> Any:
        payload = self._payload(message)
        try:
            return from_json(payload, allow_inf_nan=False)
        except ValueError as exc:
            raise self.invalid("json", f"not JSON: {exc}") from None

    def encode(self, value: Any, /) -> Message:
        try:
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        except (TypeError, ValueError) as exc:
            raise InvalidOutgoingMessage(f"cannot send as JSON: {exc}") from exc
        return {"type": "websocket.send", "text": text}


class ModelCodec(Codec[T]):
    """Text frames carrying JSON validated into, and serialized from, a pydantic type.

    Decoding is one ``validate_json`` pass on the frame's text; encoding is the same
    adapter's ``dump_json``, by alias, refusing any value that is not of the type.
    Floats follow pydantic's JSON parser, which takes ``NaN`` and ``Infinity`` unless
    the model sets ``allow_inf_nan=False``.
    """

    value_type = "model"

    def __init__(
        self,
        adapter: TypeAdapter[T],
        *,
        max_size: int | None = None,
        close_codes: Mapping[FailureKind, int] = DEFAULT_CLOSE_CODES,
    ) -> None:
        super().__init__(max_size=max_size, close_codes=close_codes)
        self.adapter = adapter

    def decode(self, message: Message, /) -> T:
        payload = self._payload(message)
        try:
            return self.adapter.validate_json(payload)
        except ValidationError as exc:
            raise self._invalid_from(exc) from None

    def encode(self, value: T, /) -> Message:
        adapter = self.adapter
        try:
            # For model instances of the type this is an isinstance check; the dump's
            # warnings catch fields set to values of the wrong type.
            value = adapter.validate_python(value, strict=True)
            data = adapter.dump_json(value, by_alias=True, warnings="error")
        except (ValidationError, PydanticSerializationError) as exc:
            raise InvalidOutgoingMessage(
                f"{type(value).__name__} does not fit the send type: {exc}"
            ) from None
        return {"type": "websocket.send", "text": data.decode()}

    def _invalid_from(self, exc: ValidationError) -> InvalidMessage:
        errors = exc.errors(include_url=False, include_input=False)
        first = errors[0]
        if first["type"] in _JSON_ERROR_TYPES and not first["loc"]:
            return self.invalid(
                "json", f"not JSON: {first.get('ctx', {}).get('error', first['msg'])}", errors
            )
        known = _schema_names(self.adapter)
        loc = ".".join(
            str(part) if isinstance(part, int) or part in known else "*" for part in first["loc"]
        )
        msg = first["msg"]
        if first["type"] == "union_tag_invalid":
            # pydantic's message repeats the client's tag; name the expected ones only.
            msg = f"tag matches none of {first.get('ctx', {}).get('expected_tags', 'the tags')}"
        return self.invalid("validation", f"{loc}: {msg}" if loc else msg, errors)


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


@functools.lru_cache(maxsize=512)
def _schema_names(adapter: TypeAdapter[Any]) -> frozenset[str]:
    """Return the names the adapter's schema declares: fields, tags, models.

    An error location is shown in a close reason only through these names, so that the
    reason never repeats a name the client made up (an extra key, a dict key).
    """
    try:
        schema = adapter.json_schema()
    except Exception:  # a type with no JSON Schema shows no names; the reason stays safe
        return frozenset()
    names: set[str] = set()
    for node in objects(schema):
        for key, value in node.items():
            if key in ("properties", "$defs", "mapping"):
                names.update(as_dict(value))
            elif key in ("const", "title") and isinstance(value, str):
                names.add(value)
            elif key == "enum":
                names.update(v for v in as_list(value) if isinstance(v, str))
    return frozenset(names)


def _size_exceeds(payload: str | bytes, max_size: int) -> bool:
    """Whether *payload* is over *max_size* bytes (for text: bytes of UTF-8)."""
    size = len(payload)
    if size > max_size:
        return True
    if isinstance(payload, bytes) or size * 4 <= max_size:
        return False
    return len(payload.encode("utf-8", "surrogatepass")) > max_size
