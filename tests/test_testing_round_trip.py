"""assert_round_trips passes for types that survive typedws' encode and decode, and fails,
naming the field and what changed, for each way a type can lose data on the wire."""

from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Annotated, Literal

import msgspec
import pytest
from hypothesis import strategies as st
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    field_serializer,
)
from typing_extensions import TypedDict

from tests.messages import Event, Post
from tests.test_testing_strategies import (
    Constrained,
    Drawing,
    Options,
    Scores,
    Segment,
    Tree,
    Validated,
)
from typedws.testing import assert_round_trips, from_type


@pytest.mark.parametrize("message_type", [Drawing, Options, Tree, Validated, Scores])
def test_sound_types_pass(message_type: object) -> None:
    """Types whose values all survive the wire pass."""
    assert_round_trips(message_type, max_examples=100)


def test_the_tests_own_union_meets_infinity() -> None:
    """The union the other tests send has a float field that does not refuse infinity and
    NaN, which go out as null: found, and named by the union's members and the path. Every
    Post drawn here holds an infinite score, so that the run never depends on the draw."""
    infinite = from_type(Event).map(
        lambda event: (
            event.model_copy(update={"score": math.inf}) if isinstance(event, Post) else event
        )
    )
    message = failure(Event, strategy=infinite)
    assert message.startswith(
        "Post | Ping does not survive a round trip through typedws (send, then receive): "
        "its JSON is refused on receipt (validation, close code 1008)\n"
        "  post.score: Input should be a valid number\n"
    )


class Join(msgspec.Struct, tag="join"):
    name: str
    at: datetime | None = None


class Leave(msgspec.Struct, tag="leave"):
    reason: Literal["bye", "timeout"] = "bye"


def test_struct_types_pass() -> None:
    """A msgspec Struct union goes through typedws' Struct codec and passes."""
    assert_round_trips(Join | Leave, max_examples=100)


def failure(message_type: object, **options: object) -> str:
    """The message assert_round_trips fails with for *message_type*."""
    with pytest.raises(AssertionError) as info:
        assert_round_trips(message_type, **options)  # type: ignore[call-overload]
    return str(info.value)


class Reading(BaseModel):
    sensor: str
    value: float


def test_nan_and_infinity_are_refused_on_receipt() -> None:
    """A float field: NaN and infinity go out as null, which the type refuses on receipt."""
    message = failure(Reading)
    assert message.startswith(
        "Reading does not survive a round trip through typedws (send, then receive): "
        "its JSON is refused on receipt (validation, close code 1008)\n"
        "  value: Input should be a valid number"
    )
    assert '"value":null' in message


class ConstantReading(BaseModel):
    model_config = ConfigDict(ser_json_inf_nan="constants")
    value: float


def test_nan_is_never_equal_to_itself() -> None:
    """NaN sent as a JSON constant comes back as NaN, which is not equal to the NaN sent."""
    message = failure(
        ConstantReading, strategy=st.builds(ConstantReading, value=st.just(float("nan")))
    )
    assert "  value: sent nan, received nan (NaN is never equal to itself)" in message


class Meeting(BaseModel):
    title: str
    at: datetime

    @field_serializer("at")
    def in_utc(self, at: datetime) -> datetime:
        return at.astimezone(timezone.utc)


def test_naive_and_aware_datetimes_mix() -> None:
    """A serializer that assumes aware datetimes turns a naive one into an aware one."""
    message = failure(Meeting)
    assert (
        "Meeting does not survive a round trip through typedws (send, then receive): 1 change\n"
        in message
    )
    assert "  at: sent datetime.datetime(" in message
    assert "tzinfo=TzInfo(" in message.split("  at: ", 1)[1].splitlines()[0]


class Price(BaseModel):
    amount: Annotated[
        float,
        Field(allow_inf_nan=False),
        PlainSerializer(lambda value: round(value, 2), return_type=float),
    ]


class Line(BaseModel):
    sku: str
    price: Price


class Order(BaseModel):
    items: list[Line] = Field(min_length=1)


def test_a_lossy_serializer_names_the_nested_field() -> None:
    """A serializer that drops precision fails with the path of the field that changed."""
    message = failure(Order)
    assert "1 change\n  items[0].price.amount: sent " in message
    assert "  sent:     Order(" in message
    assert "  JSON:     {" in message
    assert "  received: Order(" in message


class User(TypedDict):
    name: Annotated[str, StringConstraints(strip_whitespace=True)]


def test_a_stripped_string_loses_its_whitespace() -> None:
    """A strip_whitespace string held unstripped comes back stripped."""
    message = failure(User)
    assert message.startswith(
        "User does not survive a round trip through typedws (send, then receive): 1 change\n"
    )
    assert re.search(r"\n  \['name'\]: sent '[^']+', received ''\n", message)


class Profile(BaseModel):
    handle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def test_a_stripped_string_in_a_model() -> None:
    """The same in a model, where an assignment (no validate_assignment) holds it unstripped."""
    message = failure(Profile)
    assert re.search(r"\n  handle: sent '[^']+', received '[^']*'\n", message)


def test_the_smallest_counterexample_is_reported() -> None:
    """hypothesis shrinks the failure: the value reported is the simplest one that fails."""
    message = failure(Order, max_examples=200)
    assert "  sent:     Order(items=[Line(sku='', price=Price(amount=" in message


class FrozenProfile(BaseModel):
    model_config = ConfigDict(frozen=True)
    handle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class CheckedProfile(Profile):
    model_config = ConfigDict(validate_assignment=True)


@pytest.mark.parametrize("message_type", [FrozenProfile, CheckedProfile])
def test_a_model_that_cannot_hold_unstripped_text_passes(message_type: object) -> None:
    """A frozen model, or one that validates assignment, only ever holds stripped text."""
    assert_round_trips(message_type)


def test_a_dataclass_field_and_a_lowered_string() -> None:
    """A stripped string in a dataclass inside a pydantic dataclass, and a to_lower string,
    are named by their paths."""
    assert re.search(r"\n  (start|end)\.y: sent ", failure(Segment))
    assert "\n  name: sent " in failure(Constrained, max_examples=30)


def test_a_value_that_cannot_be_sent() -> None:
    """A value the send type refuses fails with typedws' own reason."""

    class Raw(BaseModel):
        data: bytes

    message = failure(Raw)
    assert message.startswith("Raw does not survive a round trip through typedws")
    assert ": typedws refuses to send it: Raw does not fit the send type" in message
