"""A non-trivial message union for the tests, and hypothesis strategies for it."""

from __future__ import annotations

import enum
from datetime import timedelta, timezone
from typing import Annotated, Literal

from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel, Field


class Color(str, enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class Author(BaseModel):
    name: str
    nickname: str | None = None
    tags: list[str] = []


class Post(BaseModel):
    type: Literal["post"] = "post"
    author: Author
    body: str
    at: AwareDatetime
    color: Color | None = None
    score: float = 0.0
    replies: list[Author] = []


class Ping(BaseModel):
    type: Literal["ping"] = "ping"
    seq: int


Event = Annotated[Post | Ping, Field(discriminator="type")]

offsets = st.integers(min_value=-23 * 60 - 59, max_value=23 * 60 + 59).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
authors = st.builds(
    Author, name=st.text(), nickname=st.none() | st.text(), tags=st.lists(st.text(), max_size=3)
)
posts = st.builds(
    Post,
    author=authors,
    body=st.text(),
    at=st.datetimes(timezones=offsets),
    color=st.none() | st.sampled_from(Color),
    score=st.floats(allow_nan=False, allow_infinity=False),
    replies=st.lists(authors, max_size=3),
)
pings = st.builds(Ping, seq=st.integers())
events = st.one_of(posts, pings)
