"""Validation errors without the client's input: what close reasons and
``InvalidMessage.errors`` may show.

The rule, for each error pydantic reports:

- ``loc``: names the schema declares (fields, aliases, tags, model titles, enum values),
  list indexes and pydantic's ``[key]``; any other part, made up by the client (an extra key,
  a dict key), shows as ``*``.
- ``msg`` of pydantic's own error types: the type's standard message, whole when every
  placeholder of its template is filled from the schema (``max_length``, ``expected``...),
  else cut before the first placeholder filled from the input (``Input should be a valid
  UUID``). An unknown tag is reported by the expected tags; the JSON parser's diagnostic
  (``EOF while parsing an object at line 1 column 1``) is kept when it is one of a fixed set.
  A value under a schema-filled key counts only when the schema holds it (see below), else
  the error is the app's: a validator raising ``literal_error`` with the input as
  ``expected``.
- ``msg`` of the app's validators (``value_error``, ``assertion_error``, error types pydantic
  does not define, and messages set in place of a type's standard one): ``Value error``,
  ``Assertion failed`` or the standard message or the error type, unless the app shows its
  validators' messages. Messages pydantic itself writes under such types (``EmailStr``, IP
  addresses, paths...) show their fixed opening words only, in any case.
- ``ctx``: only the keys filled from the schema (``SCHEMA_CONTEXT``), and the parser's kept
  diagnostic; ``input`` and ``url`` never. Errors the app's validators' messages are shown
  for keep their ``ctx`` as the validators set it.

Which values the schema holds (``schema_values``): every string, number, name and key in the
adapter's core schema, as pydantic writes them in messages. The core schema rather than
JSON Schema, as it also holds what JSON Schema does not: URL schemes, UUID versions, decimal
digits, date bounds, class and discriminator function names. A list value (``'a' or 'b'``,
``'post', 'ping'``) counts when each of its parts does. Also counted: the digits before the
point (``max_digits`` less ``decimal_places``) and pydantic's own fixed words for
``field_type``, ``encoding`` and ``method_name`` (``_PYDANTIC_VALUES``). Anything else is
not, so an error of pydantic's whose value the schema holds in another form (a
``timedelta`` bound, shown as ``1 second``) shows as its type only: never the input, at the
cost of a rare standard message.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import re
from collections.abc import Collection, Iterable
from typing import Any, cast, get_args

from pydantic import TypeAdapter
from pydantic_core import ErrorDetails, PydanticCustomError, PydanticKnownError
from pydantic_core.core_schema import ErrorType
from typing_extensions import LiteralString

from typedws.codecs._json import as_dict, as_list, objects

__all__ = [
    "INPUT_CONTEXT",
    "SCHEMA_CONTEXT",
    "parser_error",
    "redact",
    "schema_names",
    "schema_values",
]

SCHEMA_CONTEXT = frozenset(
    {
        "class",
        "class_name",
        "decimal_places",
        "discriminator",
        "encoding",
        "expected",
        "expected_plural",
        "expected_schemes",
        "expected_tags",
        "expected_version",
        "field_type",
        "ge",
        "gt",
        "le",
        "lt",
        "max_digits",
        "max_length",
        "method_name",
        "min_length",
        "multiple_of",
        "pattern",
        "tz_expected",
        "whole_digits",
    }
)
"""Context keys pydantic fills from the schema: shown in messages and kept in ``ctx``."""

INPUT_CONTEXT = frozenset(
    {"actual_length", "attribute", "encoding_error", "error", "tag", "tz_actual"}
)
"""Context keys pydantic fills from the input (or an exception about it). Any key not in
``SCHEMA_CONTEXT`` is treated as one of these."""

_PYDANTIC_VALUES = frozenset(
    {
        *("List", "Tuple", "Set", "Frozenset", "Dictionary", "Deque", "Generator"),
        *("base64", "hex", "isinstance", "issubclass"),
    }
)
"""Values pydantic itself gives ``field_type``, ``encoding`` and ``method_name``."""

_LIST_SEPARATOR = re.compile(", | or ")
"""What joins the parts of a list value: ``'a', 'b' or 'c'``."""

_KNOWN_TYPES = frozenset(get_args(ErrorType))

_APP_TYPES = {"value_error": "Value error", "assertion_error": "Assertion failed"}
"""pydantic's types for errors raised by the app's validators, and what they show."""

_REWORDED: dict[str, LiteralString] = {
    "union_tag_invalid": "Input tag does not match any of the expected tags: {expected_tags}",
}
"""Templates whose first placeholder is input-made, so that cutting would leave nothing."""

_PYDANTIC_WORDS: dict[str, tuple[str, ...]] = {
    "value_error": ("value is not a valid email address",),
    "dict_type": ("Input should be an object",),
    "base64_decode": ("Base64 decoding error",),
    "byte_size": ("could not parse value and unit from byte string",),
    "byte_size_unit": ("could not interpret byte unit", "Could not interpret byte unit"),
    "color_error": ("value is not a valid color",),
    "import_error": ("Invalid python path",),
    "ip_any_address": ("value is not a valid IPv4 or IPv6 address",),
    "ip_any_interface": ("value is not a valid IPv4 or IPv6 interface",),
    "ip_any_network": ("value is not a valid IPv4 or IPv6 network",),
    "ip_v4_address": ("Input is not a valid IPv4 address",),
    "ip_v4_interface": ("Input is not a valid IPv4 interface",),
    "ip_v4_network": ("Input is not a valid IPv4 network",),
    "ip_v6_address": ("Input is not a valid IPv6 address",),
    "ip_v6_interface": ("Input is not a valid IPv6 interface",),
    "ip_v6_network": ("Input is not a valid IPv6 network",),
    "parent_does_not_exist": ("Parent directory does not exist",),
    "path_exists": ("Path already exists",),
    "path_not_directory": ("Path does not point to a directory",),
    "path_not_file": ("Path does not point to a file",),
    "path_not_socket": ("Path does not point to a socket",),
    "path_type": ("Input is not a valid path",),
    "pattern_bytes_type": ("Input should be a bytes pattern",),
    "pattern_regex": ("Input should be a valid regular expression",),
    "pattern_str_type": ("Input should be a string pattern",),
    "pattern_type": ("Input should be a valid pattern",),
    "payment_card_number_digits": ("Card number is not all digits",),
    "payment_card_number_luhn": ("Card number is not luhn valid",),
    "zoneinfo_str": ("invalid timezone",),
}
"""Fixed words that open messages pydantic writes in place of a type's standard message or
under custom and app error types; the words are shown, anything after them (which may quote
the input) is not."""

_PARSER_ERROR = re.compile(
    "(?:EOF while parsing a (?:list|string|value)|EOF while parsing an object"
    "|expected `:`|expected `,` or `]`|expected `,` or `}`|expected ident|expected value"
    "|invalid escape|invalid number|number out of range|invalid unicode code point"
    r"|control character \(\\u0000-\\u001F\) found while parsing a string"
    "|key must be a string|lone leading surrogate in hex escape|trailing comma"
    "|trailing characters|unexpected end of hex escape|recursion limit exceeded"
    "|float value was found where an int was expected)"
    r" at (?:line \d+ column \d+|index \d+)"
)
"""The JSON parser's diagnostics, which quote nothing (its duplicate-key one quotes a key)."""

_TRAILER = re.compile(r"(?:[\s,:;'\"`]|\b(?:error|got|not)\b)+\Z")
"""What is left dangling when a message is cut: ``, got``, ``, error:``, an opening quote."""

_LOC_WORDS = frozenset({"[key]"})


def redact(
    errors: Iterable[ErrorDetails],
    names: frozenset[str],
    values: Collection[str],
    *,
    show_validator_messages: bool = False,
) -> list[ErrorDetails]:
    """Return *errors* without the client's input: see the module's docstring.

    *names* are the location names the schema declares (``schema_names``), *values* the
    values it holds (``schema_values``).
    """
    return [_redact_one(error, names, values, show_validator_messages) for error in errors]


def parser_error(text: str, /) -> str | None:
    """The JSON parser's diagnostic *text* when it is one that quotes nothing, else ``None``."""
    return text if _PARSER_ERROR.fullmatch(text) else None


@functools.lru_cache(maxsize=512)
def schema_names(adapter: TypeAdapter[Any]) -> frozenset[str]:
    """Return the names the adapter's schema declares: fields, tags, models.

    An error location is shown only through these names, so that it never repeats a name
    the client made up (an extra key, a dict key).
    """
    try:
        schema = adapter.json_schema()
    except Exception:  # a type with no JSON Schema shows no names; locations stay safe
        return _LOC_WORDS
    names: set[str] = set(_LOC_WORDS)
    for node in objects(schema):
        for key, value in node.items():
            if key in ("properties", "$defs", "mapping"):
                names.update(as_dict(value))
            elif key in ("const", "title") and isinstance(value, str):
                names.add(value)
            elif key == "enum":
                names.update(v for v in as_list(value) if isinstance(v, str))
    return frozenset(names)


@functools.lru_cache(maxsize=512)
def schema_values(adapter: TypeAdapter[Any]) -> frozenset[str]:
    """Return the values the adapter's core schema holds, as pydantic writes them in messages.

    A context value pydantic fills from the schema is trusted only when it is one of these,
    so that an app validator raising pydantic's error types never passes the input off as
    the schema's.
    """
    values = set(_PYDANTIC_VALUES)
    nodes: list[Any] = [adapter.core_schema]
    while nodes:
        node = nodes.pop()
        if isinstance(node, dict):
            mapping = as_dict(node)
            nodes.extend(mapping.items())
            digits, places = mapping.get("max_digits"), mapping.get("decimal_places")
            if isinstance(digits, int) and isinstance(places, int):
                values.add(str(digits - places))  # whole_digits
        elif isinstance(node, (list, tuple)):
            nodes.extend(cast(Iterable[Any], node))
        else:
            values.update(_as_written(node))
    return frozenset(values)


def _as_written(value: Any) -> tuple[str, ...]:
    """How pydantic may write a schema's *value* in a message: as it is, quoted, named."""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, str):
        return value, repr(value)
    if value is None or isinstance(value, (int, float, decimal.Decimal)):
        return (str(value),)
    if isinstance(value, (datetime.date, datetime.time)):
        return (value.isoformat(),)
    name = getattr(value, "__name__", None)  # classes, and functions as discriminators
    return (name, f"{name}()") if isinstance(name, str) else ()


def _schema_made(value: Any, values: Collection[str]) -> bool:
    """Whether a context *value* is the schema's: one of *values*, or a list of them."""
    written = value if isinstance(value, str) else str(value)
    return written in values or all(part in values for part in _LIST_SEPARATOR.split(written))


def _redact_one(
    error: ErrorDetails, names: frozenset[str], values: Collection[str], show_app: bool
) -> ErrorDetails:
    redacted = error.copy()
    redacted.pop("url", None)
    redacted["loc"] = tuple(
        part if isinstance(part, int) or part in names else "*" for part in error["loc"]
    )
    error_type, ctx = error["type"], error.get("ctx")
    known = _known_error(error_type, ctx, values)
    if (words := _pydantic_words(error_type, error["msg"])) is not None:
        message, kept = words, {}
    # A message other than pydantic's standard one for its type was set by the schema or
    # the app: the app sees it when it shows its validators' messages.
    elif known is not None and not (show_app and known.message() != error["msg"]):
        message, kept = _pydantic_message(known), _pydantic_context(known)
    elif show_app:
        return redacted
    else:
        message, kept = _APP_TYPES.get(error_type, error_type), {}
    redacted["msg"] = message
    if kept:
        redacted["ctx"] = kept
    else:
        redacted.pop("ctx", None)
    return redacted


def _known_error(
    error_type: str, ctx: dict[str, Any] | None, values: Collection[str]
) -> PydanticKnownError | None:
    """pydantic's own error of *error_type* with *ctx*; ``None`` for the app's types and for
    context under schema-filled keys that the schema does not hold (*values*)."""
    if error_type not in _KNOWN_TYPES or error_type in _APP_TYPES:
        return None
    schema_context = {key: value for key, value in (ctx or {}).items() if key in SCHEMA_CONTEXT}
    if not all(_schema_made(value, values) for value in schema_context.values()):
        return None
    try:
        return PydanticKnownError(cast(ErrorType, error_type), ctx)
    except (TypeError, ValueError, KeyError):  # context that does not fit: not pydantic's
        return None


def _pydantic_message(known: PydanticKnownError) -> str:
    """*known*'s message, cut before the first placeholder filled from the input."""
    if known.type == "json_invalid":
        return known.message() if _quotes_nothing(known) else "Invalid JSON"
    reworded = _REWORDED.get(known.type)
    if reworded is not None:
        return PydanticCustomError(known.type, reworded, known.context).message()
    pattern, cut_group = _template_pattern(known.message_template)
    message = known.message()
    if cut_group == 0:
        return message
    match = pattern.fullmatch(message)
    kept = message[: match.start(cut_group)] if match else ""
    return _TRAILER.sub("", kept) or known.type


def _pydantic_context(known: PydanticKnownError) -> dict[str, Any]:
    """*known*'s context filled from the schema (and a parser diagnostic that quotes nothing)."""
    context = known.context or {}
    if _quotes_nothing(known):
        return dict(context)
    return {key: value for key, value in context.items() if key in SCHEMA_CONTEXT}


def _quotes_nothing(known: PydanticKnownError) -> bool:
    """Whether *known* is a JSON parser error whose diagnostic quotes nothing."""
    error = (known.context or {}).get("error")
    return known.type == "json_invalid" and isinstance(error, str) and bool(parser_error(error))


@functools.lru_cache(maxsize=256)
def _template_pattern(template: str) -> tuple[re.Pattern[str], int]:
    """A pattern matching *template*'s messages, and the group of its first input-made
    placeholder (0 when all are schema-made).

    Placeholders match lazily, so the text before that group is never longer than the
    message's own text before the input.
    """
    parts = re.split(r"\{(\w+)\}", template)
    regex, cut_group = "", 0
    for index, part in enumerate(parts):
        if index % 2 == 0:
            regex += re.escape(part)
            continue
        regex += "(.*?)"
        if part not in SCHEMA_CONTEXT and cut_group == 0:
            cut_group = (index + 1) // 2
    return re.compile(regex, re.DOTALL), cut_group


def _pydantic_words(error_type: str, msg: str) -> str | None:
    """The fixed words opening *msg* when pydantic writes such messages, else ``None``."""
    for words in _PYDANTIC_WORDS.get(error_type, ()):
        if msg == words or msg.startswith((words + ":", words + ",")):
            return words
    return None
