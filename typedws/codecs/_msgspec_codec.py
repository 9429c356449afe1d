"""The ``model`` value type for ``msgspec.Struct`` message types: the public module is
``typedws.msgspec_codec``, whose docstring tells what differs from pydantic.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

import msgspec
import msgspec.inspect as mi
import msgspec.json
import msgspec.structs
from pydantic_core import ErrorDetails

from typedws.codecs._codec import Message, MessageCodec, SchemaMode, correlation_of
from typedws.codecs._msgspec_errors import decode_error, validation_error
from typedws.codecs._msgspec_schema import json_schema, json_schemas, nodes
from typedws.codes import DEFAULT_CLOSE_CODES, FailureKind
from typedws.error_reply import ErrorItem, reply_fields
from typedws.errors import ConfigurationError, InvalidMessage, InvalidOutgoingMessage

__all__ = ["ErrorReply", "StructCodec"]

T = TypeVar("T")

_UNSUPPORTED = re.compile(r"Encoding objects of type [\w.]+ is unsupported")
"""msgspec's one encoding error that names a type only, never a value."""


class ErrorReply(msgspec.Struct, tag="error", frozen=True, kw_only=True):
    """``typedws.ErrorReply`` as a Struct, for the send union of an endpoint typed by msgspec:
    the same fields and the same JSON, ``{"type": "error", "kind": ..., ...}``.

    ``kind`` is the failure kind (``"handler"`` for a request whose handler raised),
    ``code`` and ``reason`` the close code and reason it would have had, ``errors`` the
    errors without the input, ``id`` the request's correlation id when it was a request.
    """

    kind: Literal["frame_type", "json", "validation", "too_big", "handler"]
    code: int
    reason: str
    errors: list[ErrorItem] = msgspec.field(default_factory=list[ErrorItem])
    id: str | int | None = None

    @classmethod
    def of(cls, error: InvalidMessage) -> ErrorReply:
        """The error reply to an invalid message."""
        return cls(**reply_fields(error))


@dataclass(frozen=True)
class _Compiled:
    """What a Struct message type needs at run time, built once per type."""

    decoder: msgspec.json.Decoder[Any]
    members: tuple[type[Any], ...]
    names: frozenset[str]
    values: frozenset[str]
    tag_field: str | None
    tags: tuple[str | int, ...]


class StructCodec(MessageCodec[T]):
    """Text frames carrying JSON decoded into, and encoded from, a ``msgspec.Struct`` type.

    *message_type* is a Struct class or a union of Struct classes (and ``None``), optionally
    under ``Annotated``. Decoding is one pass of the type's ``msgspec.json.Decoder`` on the
    frame's text; encoding checks the value's exact class against the union's classes, then
    writes it with ``msgspec.json.Encoder``, as it is: msgspec does not check a Struct's
    fields when it is built, and neither does this codec unless ``check_fields``, which
    decodes what it wrote (constraints included) before it is sent.

    Failures map to the close codes of ``typedws.codes``: ``json`` for text that is not
    JSON, ``validation`` for JSON that does not fit. Reasons and errors keep only what the
    schema says (declared field names, expected types, constraints), never the client's
    input; the messages of the app's own ``__post_init__`` show as ``Value error`` unless
    ``show_validator_messages``.
    """

    def __init__(
        self,
        message_type: Any,
        *,
        max_size: int | None = None,
        close_codes: Mapping[FailureKind, int] = DEFAULT_CLOSE_CODES,
        show_validator_messages: bool = False,
        correlation_id: str | None = None,
        check_fields: bool = False,
    ) -> None:
        super().__init__(max_size=max_size, close_codes=close_codes)
        compiled = _compiled_for(message_type)
        self._message_type = message_type
        self._compiled = compiled
        self._decode = compiled.decoder.decode
        self._encode = msgspec.json.Encoder().encode
        self._exact = frozenset(compiled.members)
        self.show_validator_messages = show_validator_messages
        self.correlation_id = correlation_id
        self.check_fields = check_fields

    @property
    def message_type(self) -> Any:
        """The Struct type, as the options gave it."""
        return self._message_type

    @property
    def members(self) -> tuple[type[Any], ...]:
        """The Struct classes of the union (and ``NoneType``), or the one Struct class."""
        return self._compiled.members

    @property
    def error_reply(self) -> type[Any] | None:
        """This module's ``ErrorReply`` when it is one of the members."""
        return ErrorReply if ErrorReply in self._exact else None

    def field_key(self, member: type[Any], field: str, mode: SchemaMode) -> str | None:
        """The key of the Struct *member*'s *field* in JSON (its ``rename``d name)."""
        if not issubclass(member, msgspec.Struct):
            return None
        keys = {info.name: info.encode_name for info in msgspec.structs.fields(member)}
        return keys.get(field)

    def replace(self, value: T, /, **changes: Any) -> T:
        """A copy of the Struct *value* with *changes* to its fields."""
        return cast(T, msgspec.structs.replace(cast(msgspec.Struct, value), **changes))

    def json_schema(self, mode: SchemaMode) -> dict[str, Any]:
        """The type's JSON Schema, laid out as pydantic's: a single Struct inline, the
        definitions it uses in ``$defs``; in serialization mode every field the encoder
        always writes is required."""
        return json_schema(self._message_type, mode)

    @classmethod
    def json_schemas(
        cls, inputs: Sequence[tuple[str, SchemaMode, Any]], /, *, ref_template: str
    ) -> tuple[dict[tuple[str, SchemaMode], dict[str, Any]], dict[str, Any]]:
        """The JSON Schemas of Struct message types, generated together; a definition that
        differs between the modes is written twice, as ``Name-Input`` and ``Name-Output``."""
        return json_schemas(inputs, ref_template=ref_template)

    def decode(self, message: Message, /) -> T:
        """Return the text frame's JSON decoded into the message type, in one pass."""
        payload = self._payload(message)
        try:
            return cast(T, self._decode(payload))
        except msgspec.ValidationError as exc:
            invalid = self._rejected("validation", str(exc))
        except msgspec.DecodeError as exc:
            invalid = self._rejected("json", str(exc))
        except UnicodeEncodeError:  # a str holding lone surrogates, which UTF-8 cannot carry
            invalid = self._rejected("json", "Invalid UTF-8 encoded string")
        if self.correlation_id is not None:
            invalid.correlation_id = correlation_of(payload, self.correlation_id)
        raise invalid

    def encode(self, value: T, /) -> Message:
        """Return a text frame carrying *value*, an instance of one of the type's classes."""
        if type(value) not in self._exact:
            expected = " | ".join(member.__name__ for member in self._compiled.members)
            raise InvalidOutgoingMessage(
                f"{type(value).__name__} does not fit the send type: expected {expected}"
            )
        try:
            data = self._encode(value)
        except (msgspec.EncodeError, TypeError, ValueError, OverflowError) as exc:
            # Not chained, and msgspec's text only when it names a type: other messages
            # may quote the value, which may hold the client's input.
            found = _UNSUPPORTED.fullmatch(str(exc))
            detail = found.group() if found else "not serializable as the send type"
            raise InvalidOutgoingMessage(
                f"{type(value).__name__} does not fit the send type: {detail}"
            ) from None
        if self.check_fields:
            try:
                self._decode(data)
            except msgspec.ValidationError as exc:
                raise InvalidOutgoingMessage(
                    f"{type(value).__name__} does not fit the send type: "
                    + self._described(str(exc))[1]
                ) from None
        return {"type": "websocket.send", "text": data.decode()}

    def _rejected(self, kind: FailureKind, text: str) -> InvalidMessage:
        """The ``InvalidMessage`` for msgspec's error *text*, without the client's input."""
        if kind == "json":
            error = decode_error(text)
            return self.invalid("json", f"not JSON: {error['msg']}", [error])
        error, detail = self._described(text)
        return self.invalid("validation", detail, [error])

    def _described(self, text: str) -> tuple[ErrorDetails, str]:
        """The error for msgspec's ``ValidationError`` *text*, and that error as one line."""
        compiled = self._compiled
        error = validation_error(
            text,
            compiled.names,
            compiled.values,
            show_validator_messages=self.show_validator_messages,
        )
        tags = compiled.tags
        if error["type"] == "union_tag_invalid" and tags and error["loc"] == (compiled.tag_field,):
            expected = ", ".join(repr(tag) for tag in tags)
            error["msg"] = f"{error['msg']}, expected one of: {expected}"
        loc = ".".join(map(str, error["loc"]))
        return error, f"{loc}: {error['msg']}" if loc else error["msg"]


def _compiled_for(message_type: Any) -> _Compiled:
    """The compiled form of *message_type*, built once per hashable type."""
    if isinstance(message_type, Hashable):
        try:
            return _cached_compile(message_type)
        except TypeError:
            pass  # an unhashable part inside the type: build it uncached
    return _compile(message_type)


def _compile(message_type: Any) -> _Compiled:
    try:
        decoder = msgspec.json.Decoder(message_type)
        info = mi.type_info(message_type)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"not a message type: {exc}") from None
    parts = [_bare(part) for part in _union_parts(_bare(info))]
    structs = [part for part in parts if isinstance(part, mi.StructType)]
    if not structs or not all(isinstance(part, (mi.StructType, mi.NoneType)) for part in parts):
        raise ConfigurationError(
            "not a message type: a msgspec message type is a Struct class or a union of"
            " Struct classes (and None)"
        )
    members = tuple(
        _origin(part.cls) if isinstance(part, mi.StructType) else type(None) for part in parts
    )
    names: set[str] = set()
    values: set[str] = set()
    for node in nodes([info]):
        _note(node, names, values)
    tag_fields = {part.tag_field for part in structs}
    tags = tuple(part.tag for part in structs if part.tag is not None)
    return _Compiled(
        decoder=decoder,
        members=members,
        names=frozenset(names),
        values=frozenset(values),
        tag_field=tag_fields.pop() if len(tag_fields) == 1 else None,
        tags=tags if len(structs) > 1 else (),
    )


_cached_compile = functools.lru_cache(maxsize=512)(_compile)


def _bare(node: mi.Type) -> mi.Type:
    """*node* without the ``Annotated`` metadata around it."""
    while isinstance(node, mi.Metadata):
        node = node.type
    return node


def _union_parts(node: mi.Type) -> tuple[mi.Type, ...]:
    return node.types if isinstance(node, mi.UnionType) else (node,)


def _origin(cls: Any) -> type[Any]:
    """The class of a Struct type's instances: ``Box`` for ``Box[int]``."""
    return cast(type[Any], getattr(cls, "__origin__", cls))


_BOUNDS = ("ge", "gt", "le", "lt", "multiple_of", "min_length", "max_length")


def _note(node: mi.Type | mi.Field, names: set[str], values: set[str]) -> None:
    """Add the location names and constraint values *node* declares."""
    if isinstance(node, mi.Field):
        names.update((node.name, node.encode_name))
        return
    if isinstance(node, mi.StructType) and node.tag_field is not None:
        names.add(node.tag_field)
    fields: tuple[mi.Field, ...] = getattr(node, "fields", ())
    if isinstance(node, (mi.StructType, mi.NamedTupleType)) and fields:
        values.update((str(len(fields)), str(sum(field.required for field in fields))))
    if isinstance(node, mi.TupleType):
        values.add(str(len(node.item_types)))
    for bound in _BOUNDS:
        value = getattr(node, bound, None)
        if isinstance(value, (int, float)):
            values.update((str(value), repr(value), repr(float(value))))
    pattern = getattr(node, "pattern", None)
    if isinstance(pattern, str):
        values.add(repr(pattern))
