"""A message type whose errors tempt a library to repeat the client's input, and payloads
that carry a marker into every place an error can quote it."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError, PydanticKnownError

MARK = "ZZMARKZZ"
"""What the client sends. No schema name or library message here holds an uppercase Z."""


def assert_no_input(*texts: str) -> None:
    """Assert that no text holds any part of the marker, not even one quoted character."""
    for text in texts:
        assert "Z" not in text, text


def alphanumeric(value: str) -> str:
    """An app validator whose message repeats the value."""
    if not value.isalnum():
        raise ValueError(f"code {value!r} is not alphanumeric")
    return value


def email_like(value: str) -> str:
    """Fail as pydantic's EmailStr does: a value_error whose context quotes the value."""
    if "@" not in value:
        raise PydanticCustomError(
            "value_error",
            "value is not a valid email address: {reason}",
            {"reason": f"{value!r} has no @-sign"},
        )
    return value


def not_shouted(value: str) -> str:
    """An app assertion whose message repeats the value."""
    assert value != value.upper(), f"{value!r} is shouted"
    return value


def hex_color(value: str) -> str:
    """An app validator raising its own error type, with the value in its context."""
    if not value.startswith("#"):
        raise PydanticCustomError("color", "{value} is not a hex color", {"value": value})
    return value


def fake_literal(value: str) -> str:
    """An app validator raising pydantic's own literal_error, the value as the expected one."""
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": value})


def fake_choice(value: str) -> str:
    """As ``fake_literal``, the value quoted among the schema's own words."""
    expected = f"'profile' or {value!r}"
    raise PydanticCustomError("literal_error", "Input should be {expected}", {"expected": expected})


def fake_bound(value: str) -> str:
    """An app validator raising pydantic's own greater_than, the value as the bound."""
    raise PydanticKnownError("greater_than", {"gt": value})


def fake_pattern(value: str) -> str:
    """An app validator raising pydantic's own pattern error, the value as the pattern."""
    raise PydanticCustomError(
        "string_pattern_mismatch", "String should match pattern '{pattern}'", {"pattern": value}
    )


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["profile"] = "profile"
    id: UUID | None = None
    code: Annotated[str, AfterValidator(alphanumeric)] = "a1"
    email: Annotated[str, AfterValidator(email_like)] = "a@b"
    shout: Annotated[str, AfterValidator(not_shouted)] = "hi"
    color: Annotated[str, AfterValidator(hex_color)] = "#fff"
    nick: Annotated[str, Field(max_length=4)] = ""
    command: Annotated[str, AfterValidator(fake_literal)] = ""
    choice: Annotated[str, AfterValidator(fake_choice)] = ""
    level: Annotated[str, AfterValidator(fake_bound)] = ""
    handle: Annotated[str, AfterValidator(fake_pattern)] = ""
    scores: dict[str, int] = {}
    slots: dict[int, str] = {}


class Leave(BaseModel):
    kind: Literal["leave"] = "leave"


Marked = Annotated[Profile | Leave, Field(discriminator="kind")]


def profile(**fields: Any) -> str:
    """A profile message with *fields*, as JSON."""
    return json.dumps({"kind": "profile", **fields})


PAYLOADS = {
    "tag": json.dumps({"kind": MARK}),
    "extra key": profile(**{MARK: MARK}),
    "str dict key": profile(scores={MARK: MARK}),
    "int dict key": profile(slots={MARK: MARK}),
    "string value": profile(nick=MARK),
    "uuid": profile(id=MARK),
    "email": profile(email=MARK),
    "value_error": profile(code=MARK + "!"),
    "assertion_error": profile(shout=MARK),
    "custom error type": profile(color=MARK),
    "pydantic's type, input as expected": profile(command=MARK),
    "pydantic's type, input among expected": profile(choice=MARK),
    "pydantic's type, input as bound": profile(level=MARK),
    "pydantic's type, input as pattern": profile(handle=MARK),
    "not an object": json.dumps(MARK),
    "all at once": profile(
        **{MARK: 1},
        id=MARK,
        code=MARK + "!",
        email=MARK,
        shout=MARK,
        color=MARK,
        nick=MARK,
        command=MARK,
        choice=MARK,
        level=MARK,
        handle=MARK,
        scores={MARK: MARK},
        slots={MARK: MARK},
    ),
}
"""Invalid messages, by where the marker sits."""
