"""The ``model`` value type for pydantic message types: the public module is
``typedws.pydantic_codec``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, ClassVar, Literal, TypeVar, cast

from pydantic import (
    BaseModel,
    PydanticUndefinedAnnotation,
    PydanticUserError,
    TypeAdapter,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticSerializationError

from typedws.codecs import _pydantic_schema
from typedws.codecs._codec import Message, MessageCodec, SchemaMode, ValueType, correlation_of
from typedws.codecs._message_types import message_types, own_serializers, wire_key
from typedws.codecs._redact import redact, schema_names, schema_values
from typedws.codes import DEFAULT_CLOSE_CODES, FailureKind
from typedws.error_reply import ErrorReply
from typedws.errors import ConfigurationError, InvalidMessage, InvalidOutgoingMessage

__all__ = ["ModelCodec", "adapter_for"]

T = TypeVar("T")

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
    ``typedws.codecs._redact``). Messages written by the app's validators (``value_error``,
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
            detail = self._foreign_model(value) or _describe(self._redacted(exc)[0])
        except PydanticSerializationError as exc:
            detail = self._serialization_detail(str(exc))
        else:
            return {"type": "websocket.send", "text": data.decode()}
        # Not chained: pydantic's errors quote the value, which may hold the client's input,
        # and a logged traceback would show them.
        raise self._not_sendable(value, detail)

    def _foreign_model(self, value: object) -> str | None:
        """What is wrong with a model of a class the message type does not name, if it is one."""
        members = self.members
        if not isinstance(value, BaseModel) or any(isinstance(value, m) for m in members):
            return None
        return f"not one of its classes ({', '.join(m.__name__ for m in members)})"

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
