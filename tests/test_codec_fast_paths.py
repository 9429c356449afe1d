"""The codec's fast paths keep its promises: a failure worded once is worded the same each
time, without the input; a member model is sent by its own serializer; field checks on
send are opt-in (``check_send_fields``)."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from pydantic import BaseModel, ConfigDict
from starlette.applications import Starlette

from tests.marked import MARK, Marked, assert_no_input, profile
from tests.server import WS_IMPLEMENTATIONS, connect, run_server
from typedws import ConfigurationError, InvalidMessage, InvalidOutgoingMessage, WebSocket, route
from typedws.codecs import ModelCodec, adapter_for


class Plain(BaseModel):
    type: Literal["plain"] = "plain"
    n: int


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n: int


def text(payload: str) -> dict[str, Any]:
    return {"type": "websocket.receive", "text": payload}


def rejection(codec: ModelCodec[Any], payload: str) -> InvalidMessage:
    with pytest.raises(InvalidMessage) as info:
        codec.decode(text(payload))
    return info.value


def test_a_failure_seen_again_is_worded_the_same_and_owned_by_each_error() -> None:
    """The second rejection of the same failure equals the first, and changing the first's
    errors changes nothing in the next."""
    codec = ModelCodec(adapter_for(Plain))
    first = rejection(codec, '{"n": []}')
    first.errors[0]["msg"] = "changed by the app"
    second = rejection(codec, '{"n": []}')
    assert second.reason == first.reason == "invalid message: n: Input should be a valid integer"
    assert second.errors[0]["msg"] == "Input should be a valid integer"
    assert second.errors is not first.errors


def test_failures_differing_only_in_the_clients_keys_share_one_wording() -> None:
    """Extra keys show as ``*`` however the client spells them, seen first or again."""
    codec = ModelCodec(adapter_for(Strict))
    reasons = {rejection(codec, json.dumps({"n": 1, f"{MARK}{i}": 0})).reason for i in range(3)}
    assert reasons == {"invalid message: *: Extra inputs are not permitted"}


def test_validator_messages_are_worded_each_time_they_are_shown() -> None:
    """A validator's own message (an exception in its context) is never taken from a
    failure seen before: each rejection shows its own, when the app shows them."""
    codec = ModelCodec(adapter_for(Marked), show_validator_messages=True)
    assert "code 'ab!'" in rejection(codec, profile(code="ab!")).reason
    assert "code 'cd!'" in rejection(codec, profile(code="cd!")).reason
    hidden = ModelCodec(adapter_for(Marked))
    for code in ("ab!", MARK + "!"):
        error = rejection(hidden, profile(code=code))
        assert error.reason == "invalid message: profile.code: Value error"
        assert_no_input(repr(error.errors))


def test_a_long_failure_is_not_remembered() -> None:
    """A failure whose errors run long (a validator quoting a large input, shown) is worded
    each time and takes no memory: a client cannot fill memory with its own text."""
    codec = ModelCodec(adapter_for(Marked), show_validator_messages=True)
    for code in ("x" * 5000 + "!", "y" * 5000 + "!"):
        assert len(rejection(codec, profile(code=code)).reason.encode()) <= 123
    assert codec._rejections == {}  # pyright: ignore[reportPrivateUsage]


def test_remembered_failures_are_bounded() -> None:
    """Failures that differ each time (client-made keys) never grow the memory past its
    bound, and are worded right after it is cleared."""
    codec = ModelCodec(adapter_for(Strict))
    for i in range(1500):
        reason = rejection(codec, json.dumps({"n": 1, f"k{i}": 0})).reason
        assert reason == "invalid message: *: Extra inputs are not permitted"
    assert len(codec._rejections) <= 1024  # pyright: ignore[reportPrivateUsage]


def test_a_member_model_is_trusted_by_default() -> None:
    """Without check_fields an instance of a member class is written as it is, without a
    warning (which would quote the value): pydantic checked its fields when it built it."""
    codec = ModelCodec(adapter_for(Plain))
    constructed = Plain.model_construct(n="three")  # type: ignore[arg-type]
    assert json.loads(codec.encode(constructed)["text"]) == {"type": "plain", "n": "three"}


def test_check_fields_refuses_a_member_with_a_wrong_field() -> None:
    codec = ModelCodec(adapter_for(Plain), check_fields=True)
    assert codec.encode(Plain(n=3))["text"] == '{"type":"plain","n":3}'
    with pytest.raises(InvalidOutgoingMessage) as info:
        codec.encode(Plain.model_construct(n=MARK))  # type: ignore[arg-type]
    assert str(info.value) == "Plain does not fit the send type: n: Expected `int`"
    assert_no_input("".join(traceback.format_exception(info.value)))


def test_other_classes_are_refused_with_or_without_check_fields() -> None:
    for codec in (
        ModelCodec(adapter_for(Plain)),
        ModelCodec(adapter_for(Plain), check_fields=True),
    ):
        with pytest.raises(InvalidOutgoingMessage) as caught:
            codec.encode(Strict(n=1))
        assert (
            str(caught.value) == "Strict does not fit the send type: not one of its classes (Plain)"
        )


def test_check_send_fields_must_be_a_bool() -> None:
    with pytest.raises(ConfigurationError, match="check_send_fields must be True or False"):
        route("/", model=Plain, check_send_fields="yes")  # type: ignore[call-overload]


outcomes: list[str] = []


@route("/checked", model=Plain, check_send_fields=True)
async def checked(ws: WebSocket[Plain, Plain]) -> None:
    async for _ in ws:
        try:
            await ws.send(Plain.model_construct(n=MARK))  # type: ignore[arg-type]
        except InvalidOutgoingMessage as exc:
            outcomes.append(str(exc))
            await ws.send(Plain(n=len(outcomes)))


@route("/trusted", model=Plain)
async def trusted(ws: WebSocket[Plain, Plain]) -> None:
    async for _ in ws:
        await ws.send(Plain.model_construct(n="three"))  # type: ignore[arg-type]


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(Starlette(routes=[checked, trusted]), ws=request.param) as base:
        yield base


def test_check_send_fields_over_the_wire(url: str) -> None:
    """A checked route refuses the wrong field and sends nothing of it; the next send goes."""
    outcomes.clear()
    with connect(url + "/checked") as client:
        client.send('{"n": 1}')
        reply = client.recv(timeout=10)
        assert json.loads(reply) == {"type": "plain", "n": 1}
        assert MARK not in reply
    assert outcomes == ["Plain does not fit the send type: n: Expected `int`"]


def test_trusted_sends_go_out_as_built(url: str) -> None:
    with connect(url + "/trusted") as client:
        client.send('{"n": 1}')
        assert json.loads(client.recv(timeout=10)) == {"type": "plain", "n": "three"}
