"""Candidate values for the leaves of a pydantic core schema: numbers, strings, bytes,
dates and times, UUIDs, URLs, JSON values.

Each function honours the constraints it can (bounds, lengths, ``multiple_of``, patterns,
time zones); ``typedws.testing.strategies`` then keeps only the candidates the leaf's own
validator accepts, so a constraint missed here costs rejections, never an invalid value.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

__all__ = ["LEAVES", "json_values", "sizes"]

Strategy = st.SearchStrategy[Any]
Leaf = Callable[[Mapping[str, Any], Mapping[str, Any]], Strategy]
"""A leaf's candidates, from its schema and the config of the class around it."""

_UNBOUNDED_EXTRA = 12
"""How much longer than its minimum an unbounded string or bytes value gets at most."""

_UNBOUNDED_ITEMS = 6
"""How many more items than its minimum an unbounded collection gets at most."""

_MAX_OFFSET_MINUTES = 23 * 60 + 59
_URL_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
_TOP = ("com", "org", "net")
_FIRST_DAY = datetime(1, 1, 2)  # a day inside the range in every time zone
_LAST_DAY = datetime(9999, 12, 30)

json_values: Strategy = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
"""Any JSON value (no NaN or Infinity, which JSON cannot carry)."""

offsets: st.SearchStrategy[timezone] = st.just(timezone.utc) | st.integers(
    -_MAX_OFFSET_MINUTES, _MAX_OFFSET_MINUTES
).map(lambda minutes: timezone(timedelta(minutes=minutes)))
"""Fixed UTC offsets of whole minutes, as JSON's date-times carry them."""


def _low(schema: Mapping[str, Any], step: Any) -> Any:
    """The smallest value *schema*'s ``ge`` / ``gt`` allow, *step* above ``gt``."""
    if schema.get("ge") is not None:
        return schema["ge"]
    return None if schema.get("gt") is None else schema["gt"] + step


def _high(schema: Mapping[str, Any], step: Any) -> Any:
    """The largest value *schema*'s ``le`` / ``lt`` allow, *step* below ``lt``."""
    if schema.get("le") is not None:
        return schema["le"]
    return None if schema.get("lt") is None else schema["lt"] - step


def sizes(shortest: int | None, longest: int | None) -> tuple[int, int]:
    """The least and most items of a collection with these (optional) length bounds."""
    low = shortest or 0
    return low, low + _UNBOUNDED_ITEMS if longest is None else longest


def _either(value: Any, default: Any) -> Any:
    return default if value is None else value


def _multiples(schema: Mapping[str, Any], unit: Any, make: Callable[[Any], Any]) -> Strategy:
    """Multiples of *unit* between *schema*'s bounds, made by *make* from ``k * unit``."""
    low, high = schema.get("ge", schema.get("gt")), schema.get("le", schema.get("lt"))
    first = None if low is None else int(-(-low // unit))
    last = None if high is None else int(high // unit)
    return st.integers(first, last).map(lambda k: make(k * unit))


def integers(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``int``, within ``ge`` / ``gt`` / ``le`` / ``lt``, a multiple of ``multiple_of``."""
    if schema.get("multiple_of"):
        return _multiples(schema, schema["multiple_of"], int)
    return st.integers(_low(schema, 1), _high(schema, 1))


def floats(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``float``, with NaN and the infinities when ``allow_inf_nan`` and the bounds let
    them in: often, one draw in four, as they are the floats JSON cannot carry."""
    if schema.get("multiple_of"):
        return _multiples(schema, schema["multiple_of"], float)
    allow = schema.get("allow_inf_nan", config.get("allow_inf_nan", True))
    low = schema.get("ge", schema.get("gt"))
    high = schema.get("le", schema.get("lt"))
    finite = st.floats(
        low,
        high,
        exclude_min=schema.get("gt") is not None,
        exclude_max=schema.get("lt") is not None,
        allow_nan=False,
        allow_infinity=False,
    )
    allowed = (
        (math.nan, low is None and high is None),
        (math.inf, high is None),
        (-math.inf, low is None),
    )
    special = [value for value, fits in allowed if allow and fits]
    return _sometimes(finite, st.sampled_from(special)) if special else finite


def _sometimes(usual: Strategy, rare: Strategy) -> Strategy:
    """*usual*, or one draw in four *rare*; shrinks towards *usual*."""
    return st.tuples(st.integers(0, 3), usual, rare).map(
        lambda drawn: drawn[2] if drawn[0] == 3 else drawn[1]
    )


def _scaled(number: int, places: int) -> Decimal:
    return Decimal(number).scaleb(-places)


def decimals(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``Decimal``, within bounds, ``max_digits`` and ``decimal_places``."""
    places = schema.get("decimal_places")
    digits = schema.get("max_digits")
    if schema.get("multiple_of"):
        return _multiples(schema, schema["multiple_of"], Decimal)
    bounded = any(schema.get(key) is not None for key in ("ge", "gt", "le", "lt"))
    if digits is not None and not bounded:
        most = min(digits, places) if places is not None else digits
        return st.builds(
            _scaled,
            st.integers(-(10**digits - 1), 10**digits - 1),
            st.integers(0, most),
        )
    allow = schema.get("allow_inf_nan", config.get("allow_inf_nan", False))
    found = st.decimals(
        schema.get("ge", schema.get("gt")),
        schema.get("le", schema.get("lt")),
        allow_nan=allow and not bounded,
        allow_infinity=allow and not bounded,
        places=places,
    )
    return found.filter(lambda value: not value.is_snan())  # sNaN cannot even be compared


def strings(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``str`` of the allowed lengths, matching ``pattern``; where the type strips or
    changes case, also strings that need it, as an app may hold them before validation."""
    shortest = schema.get("min_length", config.get("str_min_length")) or 0
    longest = schema.get("max_length", config.get("str_max_length"))
    pattern = schema.get("pattern")
    if pattern is not None:
        text = st.from_regex(pattern if isinstance(pattern, str) else pattern.pattern)
    else:
        longest = shortest + _UNBOUNDED_EXTRA if longest is None else longest
        text = st.text(min_size=shortest, max_size=longest)
    if schema.get("strip_whitespace", config.get("str_strip_whitespace")):
        padding = st.text(alphabet=" \t\n", max_size=2)
        text = text | st.tuples(padding, text, padding).map("".join)
    if schema.get("to_lower", config.get("str_to_lower")):
        text = text | text.map(str.upper)
    if schema.get("to_upper", config.get("str_to_upper")):
        text = text | text.map(str.lower)
    return text


def binaries(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``bytes`` of the allowed lengths that the type can write into JSON: any bytes when it
    writes them as base64 or hex (``ser_json_bytes``), else only UTF-8 (pydantic's default,
    which cannot write other bytes)."""
    shortest = schema.get("min_length") or 0
    longest = schema.get("max_length")
    longest = shortest + _UNBOUNDED_EXTRA if longest is None else longest
    if config.get("ser_json_bytes", "utf8") != "utf8":
        return st.binary(min_size=shortest, max_size=longest)
    # Text of at least *shortest* characters is at least as many bytes; cut to *longest*
    # bytes on a character boundary.
    text = st.text(min_size=shortest, max_size=longest).map(
        lambda chars: chars.encode()[:longest].decode(errors="ignore").encode()
    )
    return text.filter(lambda data: len(data) >= shortest)


def _time_zones(constraint: Any) -> st.SearchStrategy[timezone | None]:
    """The time zones a ``tz_constraint`` allows: ``"aware"``, ``"naive"``, an offset in
    seconds, or ``None`` for both kinds."""
    if constraint == "naive":
        return st.none()
    if constraint == "aware":
        return offsets
    if isinstance(constraint, int):
        return st.just(timezone(timedelta(seconds=constraint)))
    return st.none() | offsets


def dates(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``date``, within bounds, in the past or future when ``now_op`` says so."""
    today = date.today()
    low = _either(_low(schema, timedelta(days=1)), _FIRST_DAY.date())
    high = _either(_high(schema, timedelta(days=1)), _LAST_DAY.date())
    if schema.get("now_op") == "past":
        high = min(high, today - timedelta(days=2))
    elif schema.get("now_op") == "future":
        low = max(low, today + timedelta(days=2))
    return st.dates(low, high)


def _naive(value: datetime | None, default: datetime) -> datetime:
    return default if value is None else value.replace(tzinfo=None)


def datetimes(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``datetime``, naive or aware as ``tz_constraint`` says, near its bounds (the leaf's
    validator drops those an offset moved out), in the past or future per ``now_op``."""
    now = datetime.now()
    low = _naive(schema.get("ge", schema.get("gt")), _FIRST_DAY)
    high = _naive(schema.get("le", schema.get("lt")), _LAST_DAY)
    if schema.get("now_op") == "past":
        high = min(high, now - timedelta(days=2))
    elif schema.get("now_op") == "future":
        low = max(low, now + timedelta(days=2))
    zones: Any = _time_zones(schema.get("tz_constraint"))  # hypothesis types it for None only
    return st.datetimes(low, high, timezones=zones)


def times(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``time``, naive or aware as ``tz_constraint`` says."""
    return st.times(timezones=_time_zones(schema.get("tz_constraint")))


def timedeltas(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``timedelta``, within bounds."""
    step = timedelta(microseconds=1)
    return st.timedeltas(
        _either(_low(schema, step), timedelta.min), _either(_high(schema, step), timedelta.max)
    )


def _with_version(number: int, version: int) -> uuid.UUID:
    """The RFC 9562 UUID of *version* made of the bits of *number*."""
    number = (number & ~(0xF << 76)) | (version << 76)
    number = (number & ~(0xC << 60)) | (0x8 << 60)
    return uuid.UUID(int=number)


def uuids(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``UUID``, of ``version`` when given."""
    version = schema.get("version")
    if version is None:
        return st.uuids()
    return st.integers(0, 2**128 - 1).map(lambda number: _with_version(number, version))


def urls(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """URLs (as text, which the leaf's validator turns into its URL type) of an allowed
    scheme."""
    schemes = schema.get("allowed_schemes") or ["https", "http"]
    name = st.text(_URL_LETTERS, min_size=1, max_size=10)
    path = st.lists(name, max_size=2).map(lambda parts: "".join("/" + part for part in parts))
    return st.builds(
        "{}://{}.{}{}".format, st.sampled_from(schemes), name, st.sampled_from(_TOP), path
    )


def complexes(schema: Mapping[str, Any], config: Mapping[str, Any]) -> Strategy:
    """``complex`` with finite parts."""
    return st.complex_numbers(allow_nan=False, allow_infinity=False)


LEAVES: dict[str, Leaf] = {
    "int": integers,
    "float": floats,
    "decimal": decimals,
    "str": strings,
    "bytes": binaries,
    "date": dates,
    "datetime": datetimes,
    "time": times,
    "timedelta": timedeltas,
    "uuid": uuids,
    "url": urls,
    "multi-host-url": urls,
    "complex": complexes,
    "bool": lambda schema, config: st.booleans(),
    "none": lambda schema, config: st.none(),
    "any": lambda schema, config: json_values,
    "literal": lambda schema, config: st.sampled_from(schema["expected"]),
    "enum": lambda schema, config: st.sampled_from(schema["members"]),
}
"""The candidates of each leaf schema type."""
