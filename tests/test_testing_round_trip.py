"""assert_round_trips passes for types that survive typedws' encode and decode, and fails,
naming the field and what changed, for each way a type can lose data on the wire."""

from __future__ import annotations

import dataclasses
import math
import re
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
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
    Blobs,
    Constrained,
    Drawing,
    EncodedBlobs,
    HexBlobs,
    Options,
    Packet,
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


@pytest.mark.usefixtures("derandomized")
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


@pytest.mark.usefixtures("derandomized")
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


@pytest.mark.usefixtures("derandomized")
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


@pytest.mark.usefixtures("derandomized")
def test_a_lossy_serializer_names_the_nested_field() -> None:
    """A serializer that drops precision fails with the path of the field that changed."""
    message = failure(Order)
    assert "1 change\n  items[0].price.amount: sent " in message
    assert "  sent:     Order(" in message
    assert "  JSON:     {" in message
    assert "  received: Order(" in message


class User(TypedDict):
    name: Annotated[str, StringConstraints(strip_whitespace=True)]


@pytest.mark.usefixtures("derandomized")
def test_a_stripped_string_loses_its_whitespace() -> None:
    """A strip_whitespace string held unstripped comes back stripped."""
    message = failure(User)
    assert message.startswith(
        "User does not survive a round trip through typedws (send, then receive): 1 change\n"
    )
    assert re.search(r"\n  \['name'\]: sent '[^']+', received ''\n", message)


class Profile(BaseModel):
    handle: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


@pytest.mark.usefixtures("derandomized")
def test_a_stripped_string_in_a_model() -> None:
    """The same in a model, where an assignment (no validate_assignment) holds it unstripped."""
    message = failure(Profile)
    assert re.search(r"\n  handle: sent '[^']+', received '[^']*'\n", message)


@pytest.mark.usefixtures("derandomized")
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


@pytest.mark.usefixtures("derandomized")
def test_a_dataclass_field_and_a_lowered_string() -> None:
    """A stripped string in a dataclass inside a pydantic dataclass, and a to_lower string,
    are named by their paths."""
    assert re.search(r"\n  (start|end)\.y: sent ", failure(Segment))
    assert "\n  name: sent " in failure(Constrained, max_examples=30)


@pytest.mark.parametrize("message_type", [Blobs, EncodedBlobs, HexBlobs, Packet])
def test_bytes_fields_pass(message_type: object) -> None:
    """Bytes fields survive the wire: written as UTF-8 text (pydantic's default), only bytes
    that are UTF-8 are drawn, since no others can be sent; as base64 or hex (or by msgspec),
    any bytes."""
    assert_round_trips(message_type)


class HalfEncoded(BaseModel):
    model_config = ConfigDict(ser_json_bytes="base64")
    blob: bytes = Field(min_length=1)


@pytest.mark.usefixtures("derandomized")
def test_bytes_written_as_base64_and_read_as_text_change() -> None:
    """Bytes written as base64 but read as UTF-8 text (val_json_bytes left as it is) come
    back as the base64 text's bytes: found, and named by the field."""
    assert "1 change\n  blob: sent b" in failure(HalfEncoded)


@dataclasses.dataclass
class Attachment:
    name: str
    blob: bytes


class Mail(BaseModel):
    subject: str
    attachments: list[Attachment]


def test_a_value_that_cannot_be_sent_names_its_field() -> None:
    """A value the send type cannot write as JSON (bytes that are not UTF-8, given by the
    test's own strategy) fails with typedws' reason and the path of the part that cannot be
    written, with pydantic's reason."""
    mail = Mail(subject="s", attachments=[Attachment("a", b"ok"), Attachment("b", b"\x80")])
    message = failure(Mail, strategy=st.just(mail))
    assert message == (
        "Mail does not survive a round trip through typedws (send, then receive): typedws "
        "refuses to send it: Mail does not fit the send type: not serializable as the send "
        "type\n"
        "  attachments[1].blob: Error serializing to JSON: invalid utf-8 sequence of 1 bytes "
        "from index 0\n"
        f"  sent: {mail!r}"
    )


DRAW_IN_A_PROCESS = """
from hypothesis import settings
from tests.test_testing_strategies import ByFunction
from typedws.testing import assert_round_trips, from_type

settings.register_profile("derandomized", derandomize=True)
settings.load_profile("derandomized")
drawn = []
assert_round_trips(
    ByFunction, max_examples=20, strategy=from_type(ByFunction).map(lambda v: drawn.append(v) or v)
)
print(drawn)
"""


def test_a_derandomized_run_draws_the_same_values_in_every_process() -> None:
    """Under a derandomized profile (as on CI) two processes draw the same values, also for
    a type whose repr holds a memory address (a function discriminator)."""
    root = Path(__file__).resolve().parents[1]
    runs = [
        subprocess.run(
            [sys.executable, "-c", DRAW_IN_A_PROCESS],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
        ).stdout
        for _ in range(2)
    ]
    assert runs[0].startswith("[")
    assert runs[0] == runs[1]
