"""from_type draws only valid values, over 500 examples, of types made to be hard: every
constraint kind, discriminated unions (by field and by function), dataclasses, TypedDicts,
recursive models, validators, Structs; and names the field it cannot draw."""

from __future__ import annotations

import dataclasses
import enum
import math
import subprocess
import sys
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated, Any, Literal

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import (
    UUID4,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    HttpUrl,
    NaiveDatetime,
    PlainValidator,
    RootModel,
    StrictInt,
    StringConstraints,
    Tag,
    TypeAdapter,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass as pydantic_dataclass
from typing_extensions import NotRequired, TypedDict

from tests.hypothesis_budget import examples
from tests.messages import Event
from typedws.testing import UnsupportedType, from_type

EXAMPLES = settings(
    max_examples=examples(500), deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


class Size(enum.Enum):
    SMALL = "s"
    LARGE = "l"


class Constrained(BaseModel):
    """Every kind of constraint pydantic puts in a core schema."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}-[0-9]{2,4}$")]
    name: Annotated[str, StringConstraints(min_length=2, max_length=8, to_lower=True)]
    quantity: int = Field(ge=1, le=1000, multiple_of=5)
    ratio: float = Field(gt=0, lt=1)
    price: Decimal = Field(max_digits=6, decimal_places=2)
    tags: list[Annotated[str, StringConstraints(max_length=3)]] = Field(
        default_factory=list, min_length=1, max_length=4
    )
    kind: Literal["a", "b", 3] = "a"
    size: Size = Size.SMALL
    strict: StrictInt = 0
    note: str | None = None
    id: UUID4
    day: date = Field(ge=date(2000, 1, 1), lt=date(2001, 1, 1))
    at: AwareDatetime
    local: NaiveDatetime
    alarm: time
    blob: bytes = Field(default=b"", max_length=4)
    home: HttpUrl | None = None


class Circle(BaseModel):
    shape: Literal["circle"] = "circle"
    radius: float = Field(ge=0, allow_inf_nan=False)


class Square(BaseModel):
    shape: Literal["square"] = "square"
    side: int = Field(gt=0)


class Drawing(BaseModel):
    shapes: list[Annotated[Circle | Square, Field(discriminator="shape")]]
    by_size: dict[str, Annotated[Circle | Square, Field(discriminator="shape")]] = {}


def shape_of(value: Any) -> str:
    """A callable discriminator, as pydantic's docs write one: dicts and instances."""
    if isinstance(value, dict):
        return "round" if "radius" in value else "boxy"
    return "round" if hasattr(value, "radius") else "boxy"


ByFunction = Annotated[
    Annotated[Circle, Tag("round")] | Annotated[Square, Tag("boxy")], Discriminator(shape_of)
]


@dataclasses.dataclass
class Point:
    x: int = Field(ge=-10, le=10)
    y: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = "o"


@pydantic_dataclass
class Segment:
    start: Point
    end: Point
    label: Annotated[str, StringConstraints(max_length=5)] = ""


class Options(TypedDict):
    mode: Literal["fast", "slow"]
    retries: NotRequired[Annotated[int, Field(ge=0, le=3)]]
    pair: tuple[int, str]
    rest: tuple[int, ...]
    seen: frozenset[str]
    ids: set[uuid.UUID]


class Tree(BaseModel):
    value: int
    children: list[Tree] = []


class Validated(BaseModel):
    """Validators: an after field validator that refuses, a model validator that refuses,
    a wrap-validated URL, an alias."""

    model_config = ConfigDict(frozen=True, str_strip_whitespace=True)

    even: int = Field(alias="Even")
    low: int
    high: int

    @field_validator("even")
    @classmethod
    def must_be_even(cls, value: int) -> int:
        if value % 2:
            raise ValueError("odd")
        return value

    @model_validator(mode="after")
    def ordered(self) -> Validated:
        if self.low > self.high:
            raise ValueError("low is above high")
        return self


class Scores(RootModel[dict[str, Annotated[float, Field(ge=0, le=1)]]]):
    pass


class Join(msgspec.Struct, tag="join"):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=10, pattern="^[a-z]+$")]
    age: Annotated[int, msgspec.Meta(ge=0, le=150)] = 0
    at: datetime | None = None


class Leave(msgspec.Struct, tag="leave"):
    reason: Literal["bye", "timeout"]
    tags: list[str] = msgspec.field(default_factory=list)


TRICKY: list[tuple[str, Any]] = [
    ("constrained", Constrained),
    ("nested discriminated union", Drawing),
    ("tagged union of the tests", Event),
    ("callable discriminator", ByFunction),
    ("stdlib and pydantic dataclasses", Segment),
    ("TypedDict with tuples and sets", Options),
    ("recursive model", Tree),
    ("validators and aliases", Validated),
    ("root model", Scores),
    ("TypeAdapter", TypeAdapter(list[Annotated[Circle | Square, Field(discriminator="shape")]])),
]


def assert_valid(message_type: Any, value: Any) -> None:
    """*value* passes *message_type*'s validation, also when its parts are given again as
    plain data (so a model built without validation is checked field by field)."""
    adapter = message_type if isinstance(message_type, TypeAdapter) else TypeAdapter(message_type)
    adapter.validate_python(value)
    adapter.validate_python(adapter.dump_python(value, by_alias=True))


@pytest.mark.parametrize(("label", "message_type"), TRICKY, ids=[label for label, _ in TRICKY])
def test_every_value_is_valid(label: str, message_type: Any) -> None:
    """Each of 500 values drawn for a tricky type passes the type's own validation."""

    @EXAMPLES
    @given(from_type(message_type))
    def check(value: Any) -> None:
        assert_valid(message_type, value)

    check()


@EXAMPLES
@given(from_type(Join | Leave))
def test_structs_are_valid(value: Join | Leave) -> None:
    """Values drawn for a msgspec Struct union pass msgspec's own validation."""
    assert isinstance(value, (Join, Leave))
    assert msgspec.convert(msgspec.to_builtins(value), Join | Leave) == value


def drawn(message_type: Any, count: int = 100) -> list[Any]:
    """*count* values drawn for *message_type*, the same on every run (derandomized), so
    that a test of what is among them never depends on the draw."""
    values: list[Any] = []

    @settings(max_examples=count, deadline=None, derandomize=True)
    @given(from_type(message_type))
    def draw(value: Any) -> None:
        values.append(value)

    draw()
    return values


def test_defaults_are_left_out_and_drawn() -> None:
    """A field with a valid default is sometimes left out (so it holds the default), and
    sometimes drawn; one whose default is invalid is always drawn."""
    values = drawn(Constrained)
    assert any("note" not in value.model_fields_set for value in values)
    assert any(value.note is not None for value in values)
    assert all(value.tags for value in values)  # its default, [], is too short


def test_strings_are_drawn_before_normalization() -> None:
    """A to_lower or strip_whitespace string is drawn as an app may hold it: not yet lowered
    or stripped (and valid once it is)."""
    assert any(value.name != value.name.lower() for value in drawn(Constrained))
    assert any(value.y != value.y.strip() for value in drawn(Point))


class Measure(BaseModel):
    value: float
    above: float = Field(ge=0)


def test_floats_that_allow_them_get_nan_and_infinities() -> None:
    """NaN and the infinities, the floats JSON cannot carry, are drawn often for a float
    that allows them (a float with a lower bound gets infinity only)."""
    values = drawn(Measure)
    assert any(math.isnan(value.value) for value in values)
    assert math.inf in [value.value for value in values]
    assert -math.inf in [value.value for value in values]
    assert math.inf in [value.above for value in values]
    assert all(value.above >= 0 for value in values)


class Blobs(BaseModel):
    """pydantic writes bytes into JSON as UTF-8 text by default (ser_json_bytes="utf8")."""

    blob: bytes
    short: bytes = Field(min_length=2, max_length=3)


class EncodedBlobs(BaseModel):
    """Written as base64 or hex, any bytes go into JSON."""

    model_config = ConfigDict(ser_json_bytes="base64", val_json_bytes="base64")
    blob: bytes
    short: bytes = Field(min_length=2, max_length=3)


class HexBlobs(EncodedBlobs):
    model_config = ConfigDict(ser_json_bytes="hex", val_json_bytes="hex")


def utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


@EXAMPLES
@given(from_type(Blobs))
def test_bytes_the_type_writes_as_text_are_utf8(value: Blobs) -> None:
    """A bytes field written as UTF-8 (pydantic's default) gets only UTF-8 bytes, of its
    lengths, which the type can send."""
    assert utf8(value.blob)
    assert utf8(value.short)
    assert 2 <= len(value.short) <= 3
    TypeAdapter(Blobs).dump_json(value)


class Packet(msgspec.Struct):
    """msgspec writes bytes as base64."""

    blob: bytes
    short: Annotated[bytes, msgspec.Meta(min_length=2, max_length=3)]


@pytest.mark.parametrize("message_type", [EncodedBlobs, HexBlobs, Packet])
def test_bytes_written_as_base64_or_hex_are_any_bytes(message_type: Any) -> None:
    """Under ser_json_bytes="base64" or "hex", and in a msgspec Struct (written as base64),
    any bytes are drawn, UTF-8 or not."""
    values = drawn(message_type)
    assert any(not utf8(value.blob) for value in values)
    assert all(2 <= len(value.short) <= 3 for value in values)


def test_a_plain_validator_is_named() -> None:
    """A plain validator without an input type is refused up front, naming the field."""

    class Odd(BaseModel):
        value: Annotated[int, PlainValidator(int)]

    with pytest.raises(UnsupportedType, match=r"Odd\.value: the plain validator int"):
        from_type(Odd)


def test_a_plain_validator_with_an_input_type_is_drawn() -> None:
    """json_schema_input_type tells what a plain validator takes: values are drawn for it."""

    class Doubled(BaseModel):
        value: Annotated[int, PlainValidator(lambda v: v * 2, json_schema_input_type=int)]

    values = drawn(Doubled, 10)
    assert values
    assert all(isinstance(value, Doubled) and type(value.value) is int for value in values)


def test_an_arbitrary_class_is_named() -> None:
    """A field of an arbitrary class cannot be drawn: the error names the field."""

    class Thing:
        pass

    class Holder(BaseModel):
        model_config = ConfigDict(arbitrary_types_allowed=True)
        thing: Thing

    with pytest.raises(UnsupportedType, match=r"Holder\.thing: .*'is-instance'"):
        from_type(Holder)


def test_import_typedws_does_not_import_hypothesis() -> None:
    """hypothesis is needed by typedws.testing only: ``import typedws`` leaves it out."""
    code = "import sys, typedws; assert 'hypothesis' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
