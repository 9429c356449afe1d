"""Typing checks for ``typedws.testing``: ``from_type`` gives a strategy of the message
type, a discriminated union or a ``TypeAdapter`` included; ``assert_round_trips`` takes a
strategy of that type only.

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from typing import Annotated

from hypothesis import strategies as st
from pydantic import Field, TypeAdapter
from typing_extensions import assert_type

from tests.typing.messages import Join, Said, Say
from typedws.testing import UnsupportedType, assert_round_trips, from_type

ClientMessage = Annotated[Join | Say, Field(discriminator="type")]

assert_type(from_type(Said), st.SearchStrategy[Said])
assert_type(from_type(ClientMessage), st.SearchStrategy[Join | Say])
assert_type(from_type(TypeAdapter(list[Said])), st.SearchStrategy[list[Said]])

assert_type(assert_round_trips(Said), None)
assert_round_trips(Said, max_examples=10, strategy=from_type(Said))
assert_round_trips(ClientMessage, strategy=st.builds(Join, type=st.just("join"), name=st.text()))
assert_round_trips(TypeAdapter(Said), strategy=from_type(Join))  # type: ignore[misc]
assert_round_trips(Said, max_examples="10")  # type: ignore[call-overload]

error: TypeError = UnsupportedType("Said.text: why")
