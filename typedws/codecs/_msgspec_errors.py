"""msgspec's decoding errors without the client's input: what close reasons and
``InvalidMessage.errors`` may show for a Struct message type.

msgspec writes one message per failure, ``<message> - at `$.path```. The rule:

- ``loc``: the path's steps, each a field name the schema declares or a list index; a
  dict key (``[...]``) or any other name shows as ``*``.
- ``msg``: msgspec's message when it is one of its own forms and every value in it comes
  from the schema: expected types (``Expected `int`, got `str```), bounds, lengths and
  patterns the schema holds, required fields it declares. The forms that quote the input
  are cut to their fixed words: ``Object contains unknown field``, ``Invalid enum value``,
  ``Invalid tag value``; an array's actual length is dropped. Any other message is the
  app's own (a ``__post_init__`` that raised): ``Value error``, unless the app shows its
  validators' messages.
- ``type``: pydantic's type where it means the same (``missing``, ``extra_forbidden``,
  ``enum``, ``union_tag_invalid``, ``json_invalid``, ``value_error``), else ``type_error``,
  ``constraint_error`` or ``invalid_value``.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any, cast

from pydantic_core import ErrorDetails

__all__ = ["decode_error", "validation_error"]

_JSON_TYPES = frozenset({"str", "int", "float", "bool", "null", "array", "object"})
_TYPE_WORDS = _JSON_TYPES | {
    *("bytes", "datetime", "date", "time", "duration", "uuid", "decimal", "ext"),
}
"""The names msgspec gives expected types; a union is written ``int | null``."""

_AT = re.compile(r"(?P<message>.*?)(?: - at `(?P<path>\$[^`]*)`)?", re.DOTALL)
_STEP = re.compile(r"\.(?P<name>[^.\[]+)|\[(?P<index>\d+)\]|\[\.\.\.\]")

_EXPECTED = re.compile(
    r"Expected `(?P<type>[^`]*)`(?P<rest>|, got `(?P<got>[^`]*)`"
    r"| with (?:a|no) timezone component)"
)
_BOUND = re.compile(
    r"Expected `(?P<type>int|float)` (?:<=|>=|<|>|that's a multiple of) (?P<value>\S+)"
)
_LENGTH = re.compile(
    r"(?P<kept>Expected `(?P<type>str|bytes|array|object)` of"
    r" (?:length (?:<= |>= )?|at least length |at most length )(?P<value>\d+)"
    r"(?: to (?P<upper>\d+))?)(?:, got \d+)?"
)
_PATTERN = re.compile(r"Expected `str` matching regex (?P<pattern>.*)", re.DOTALL)
_MISSING = re.compile(r"Object missing required field `(?P<field>[^`]*)`")
_HASHABLE = re.compile(r"Expected a hashable value, got `(?P<got>[^`]*)`")

_CUT = (
    ("Object contains unknown field ", "extra_forbidden", "Object contains unknown field"),
    ("Invalid enum value ", "enum", "Invalid enum value"),
    ("Invalid value ", "union_tag_invalid", "Invalid tag value"),
)
"""Messages quoting the input: their opening, their type, and the words kept."""

_FIXED = frozenset(
    {
        "Number out of range",
        "Integer value out of range",
        "Invalid RFC3339 encoded date",
        "Invalid RFC3339 encoded datetime",
        "Invalid RFC3339 encoded time",
        "Invalid UUID",
        "Invalid UUID bytes",
        "Invalid base64 encoded string",
        "Invalid decimal string",
        "Invalid epoch timestamp",
        "Invalid ISO8601 duration",
        "Duration is out of range",
        "Timestamp is out of range",
        "Only units 'D', 'H', 'M', and 'S' are supported when parsing ISO8601 durations",
    }
)
"""msgspec's messages that quote nothing."""

_MALFORMED = re.compile(
    r"JSON is malformed: [a-z0-9 ',:\"\]}-]+ \(byte \d+\)"
    "|Input data was truncated|Invalid UTF-8 encoded string"
)
"""msgspec's diagnostics for text that is not JSON, which quote nothing."""


def decode_error(text: str) -> ErrorDetails:
    """The error for msgspec's ``DecodeError`` *text* (not JSON): its diagnostic when it is
    one of msgspec's fixed ones, else ``Invalid JSON``."""
    message = text if _MALFORMED.fullmatch(text) else "Invalid JSON"
    return _error("json_invalid", (), message)


def validation_error(
    text: str,
    names: Collection[str],
    values: Collection[str],
    *,
    show_validator_messages: bool = False,
) -> ErrorDetails:
    """The error for msgspec's ``ValidationError`` *text*, without the client's input.

    *names* are the field names the schema declares, *values* its constraint values as
    msgspec writes them (``10``, ``10.0``, ``'^[a-z]+$'``).
    """
    found = _AT.fullmatch(text)
    assert found is not None  # the pattern matches any text
    message, path = found.group("message"), found.group("path") or "$"
    loc = _loc(path, names)
    kind, kept = _kept(message, names, values)
    if kind == "value_error" and not show_validator_messages:
        kept = "Value error"
    return _error(kind, loc, kept)


def _kept(message: str, names: Collection[str], values: Collection[str]) -> tuple[str, str]:
    """The type of *message* and what of it may be shown: the app's shows whole (the caller
    hides it unless the app shows its validators' messages)."""
    if (found := _EXPECTED.fullmatch(message)) and _is_type(found.group("type")):
        got = found.group("got")
        if got is None or got in _JSON_TYPES:
            return "type_error", message
        return "type_error", f"Expected `{found.group('type')}`"
    if found := _BOUND.fullmatch(message):
        kept = message if found.group("value") in values else f"Expected `{found.group('type')}`"
        return "constraint_error", kept
    if found := _LENGTH.fullmatch(message):
        bounds = [found.group("value"), found.group("upper") or found.group("value")]
        if all(bound in values for bound in bounds):
            return "constraint_error", found.group("kept")
        return "constraint_error", f"Expected `{found.group('type')}`"
    if found := _PATTERN.fullmatch(message):
        kept = message if found.group("pattern") in values else "Expected `str`"
        return "constraint_error", kept
    if found := _MISSING.fullmatch(message):
        kept = message if found.group("field") in names else "Object missing required field"
        return "missing", kept
    if (found := _HASHABLE.fullmatch(message)) and found.group("got") in _JSON_TYPES:
        return "type_error", message
    for opening, kind, words in _CUT:
        if message.startswith(opening):
            return kind, words
    if message in _FIXED:
        return "invalid_value", message
    return "value_error", message


def _is_type(written: str) -> bool:
    """Whether *written* names types the way msgspec does: ``int``, ``int | null``."""
    return all(word in _TYPE_WORDS for word in written.split(" | "))


def _loc(path: str, names: Collection[str]) -> tuple[int | str, ...]:
    """The steps of msgspec's *path* (``$.rooms[2].name``): declared names and list indexes;
    anything else shows as ``*``."""
    loc: list[int | str] = []
    position = 1
    for step in _STEP.finditer(path, 1):
        if step.start() != position:
            return (*loc, "*")  # a name msgspec wrote that these steps cannot read
        position = step.end()
        name, index = step.group("name"), step.group("index")
        if index is not None:
            loc.append(int(index))
        else:
            loc.append(name if name in names else "*")
    if position != len(path):
        loc.append("*")
    return tuple(loc)


def _error(kind: str, loc: tuple[int | str, ...], message: str) -> ErrorDetails:
    error: dict[str, Any] = {"type": kind, "loc": loc, "msg": message}
    return cast(ErrorDetails, error)
