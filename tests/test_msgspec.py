"""``msgspec.Struct`` message types over a real uvicorn server, with both of its WebSocket
implementations and the ``websockets`` client: echo, the close codes of invalid input,
reasons and error replies that never repeat the input, size limits, sends refused before
anything goes out, connections that do not touch each other, and endpoint dispatch."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import msgspec
import pytest
from starlette.applications import Starlette
from websockets.sync.client import ClientConnection

from tests.msgspec_app import MARKER, Say, app
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, reply_or_close, run_server
from tests.test_readme import run_examples

INVALID = {
    "a field of the wrong type": ({"type": "say", "text": MARKER, "seq": MARKER}, "seq: "),
    "an unknown field": ({"type": "say", "text": "hi", MARKER: 1}, "unknown field"),
    "an unknown tag": ({"type": MARKER, "text": "hi"}, "type: Invalid tag value"),
    "a missing field": ({"type": "say", "seq": 1}, "required field `text`"),
    "a literal value": ({"type": "say", "text": "hi", "mood": MARKER}, "mood: Invalid enum"),
    "a dict key": ({"type": "say", "text": "hi", "scores": {MARKER: MARKER}}, "scores.*: "),
    "a list item": ({"type": "say", "text": "hi", "tags": ["a", 1]}, "tags.1: "),
    "a pattern": ({"type": "join", "name": MARKER + "!"}, "matching regex '^[A-Za-z -]+$'"),
    "a length": ({"type": "join", "name": "M" * 40 + MARKER}, "length <= 20"),
    "a bound": ({"type": "move", "x": 0, "y": 1e6}, "y: Expected `float` <= 1000.0"),
    "a __post_init__": ({"type": "checked", "text": MARKER}, "invalid message: Value error"),
    "a key that looks like a path": (
        {"type": "say", "text": "hi", f"x` - at `$.{MARKER}": 1},
        "unknown field",
    ),
}
"""Messages the message type rejects, each holding the marker where it can, and a part of
the reason it closes with."""


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(app, ws=request.param) as base:
        yield base


def receive(client: ClientConnection) -> Any:
    return json.loads(client.recv(timeout=10))


def test_echo_round_trips_each_variant_of_a_tagged_union(url: str) -> None:
    """Each variant comes back as the same JSON, decoded into its Struct and encoded again;
    fields left out come back with their defaults."""
    sent: list[dict[str, Any]] = [
        {"type": "join", "name": "Ann Lee"},
        {"type": "say", "text": "hi", "seq": 3, "mood": "loud", "scores": {"a": 1}, "tags": ["x"]},
        {"type": "move", "x": 1.5, "y": -2.25},
        {"type": "checked", "text": "ok"},
    ]
    with connect(url + "/echo") as client:
        for message in sent:
            client.send(json.dumps(message))
            assert receive(client) == message
        client.send(json.dumps({"type": "say", "text": "defaults"}))
        assert receive(client) == {
            "type": "say",
            "text": "defaults",
            "seq": 0,
            "mood": "calm",
            "scores": {},
            "tags": [],
        }


def test_text_that_is_not_json_closes_with_1007(url: str) -> None:
    """Text that is not JSON is the json kind: 1007, msgspec's diagnostic, no input."""
    with connect(url + "/echo") as client:
        client.send(f'{{"type": "say", "text": "{MARKER}"')
        code, reason = close_of(client)
    assert code == 1007
    assert reason == "invalid message: not JSON: Input data was truncated"


def test_a_binary_frame_closes_with_1003(url: str) -> None:
    with connect(url + "/echo") as client:
        client.send(b'{"type": "say", "text": "hi"}')
        assert close_of(client) == (
            1003,
            "invalid message: expected a text frame, got a binary frame",
        )


@pytest.mark.parametrize("case", sorted(INVALID))
def test_json_the_type_rejects_closes_with_1008_and_a_reason_without_the_input(
    url: str, case: str
) -> None:
    """Wrong types, unknown fields, tags and literals, missing fields, constraints and an
    app's __post_init__: 1008, a reason of at most 123 bytes naming the schema's words,
    never the marker the input holds."""
    message, expected = INVALID[case]
    with connect(url + "/echo") as client:
        client.send(json.dumps(message))
        code, reason = close_of(client)
    assert code == 1008
    assert expected in reason
    assert reason.startswith("invalid message: ")
    assert len(reason.encode()) <= 123
    assert MARKER not in reason
    assert "SECRET" not in reason


def test_a_message_over_max_size_closes_with_1009(url: str) -> None:
    """max_size holds for Struct types too: 1009, before decoding."""
    with connect(url + "/small") as client:
        client.send(json.dumps({"type": "say", "text": "fits"}))
        assert receive(client)["text"] == "fits"
        client.send(json.dumps({"type": "say", "text": MARKER * 10}))
        assert close_of(client) == (1009, "message too big: over 64 bytes")


def test_a_value_of_another_class_is_refused_and_nothing_is_sent(url: str) -> None:
    """A value of another Struct class, or of a subclass of a member, raises
    InvalidOutgoingMessage at the sender; the client sees only what came after."""
    with connect(url + "/wrong-send") as client:
        client.send(json.dumps({"type": "say", "text": "hi", "seq": 4}))
        first, second, third = (client.recv(timeout=10) for _ in range(3))
    assert first == "refused: Say does not fit the send type: expected Said"
    assert second == "refused: LoudSaid does not fit the send type: expected Said"
    assert json.loads(third) == {"type": "said", "text": "hi", "seq": 4}


def test_two_connections_do_not_touch_each_other(url: str) -> None:
    """Messages go back on their own connection, and one closed for invalid input leaves
    the other open."""
    with connect(url + "/echo") as one, connect(url + "/echo") as two:
        for seq in range(5):
            one.send(json.dumps({"type": "say", "text": "one", "seq": seq}))
            two.send(json.dumps({"type": "say", "text": "two", "seq": seq}))
        assert [receive(one)["text"] for _ in range(5)] == ["one"] * 5
        assert [receive(two)["seq"] for _ in range(5)] == [0, 1, 2, 3, 4]
        one.send(json.dumps({"type": "say"}))
        assert close_of(one)[0] == 1008
        two.send(json.dumps({"type": "move", "x": 1, "y": 2}))
        assert receive(two) == {"type": "move", "x": 1.0, "y": 2.0}


def test_an_endpoint_dispatches_struct_variants_to_their_handlers(url: str) -> None:
    """@endpoint.on(StructA) gets its variant, with the path parameters it names, and what
    it returns is sent."""
    with connect(url + "/api/lobby") as client:
        client.send(json.dumps({"type": "join", "name": "Ann"}))
        assert receive(client) == {"type": "said", "text": "hello Ann", "seq": 0}
        client.send(json.dumps({"type": "say", "text": "hi", "seq": 2}))
        assert receive(client) == {"type": "said", "text": "hi in lobby", "seq": 2}


def test_an_endpoint_answers_requests_with_their_id(url: str) -> None:
    """A request's reply carries the request's id; a handler that raised is answered with
    the Struct ErrorReply of kind handler, with the id, and the connection goes on."""
    with connect(url + "/api/lobby") as client:
        client.send(json.dumps({"type": "ask", "id": 7, "question": "why"}))
        assert receive(client) == {"type": "answer", "answer": "WHY", "id": 7}
        client.send(json.dumps({"type": "boom", "id": 8}))
        assert receive(client) == {
            "type": "error",
            "kind": "handler",
            "code": 1011,
            "reason": "internal error",
            "errors": [],
            "id": 8,
        }
        client.send(json.dumps({"type": "ask", "id": 9, "question": "still"}))
        assert receive(client)["id"] == 9


@pytest.mark.parametrize(
    ("message", "expected_id"),
    [
        ({"type": "say", "text": MARKER, "seq": MARKER}, None),
        ({"type": MARKER, "id": MARKER + "!"}, None),  # an id not well formed stays out
        ({"type": "ask", "id": 11, "question": 5, MARKER: MARKER}, 11),
        ({"type": "ask", "id": "req-12", "question": {MARKER: MARKER}}, "req-12"),
    ],
)
def test_an_invalid_message_gets_an_error_reply_without_the_input(
    url: str, message: dict[str, Any], expected_id: str | int | None
) -> None:
    """Under the reply policy an invalid message is answered with an ErrorReply (kind,
    code, reason and errors as the close would have had; a well-formed id back), which
    holds nothing of the input, and the connection goes on."""
    with connect(url + "/api/lobby") as client:
        client.send(json.dumps(message))
        raw = client.recv(timeout=10)
        reply = json.loads(raw)
        assert reply["type"] == "error"
        assert (reply["kind"], reply["code"]) == ("validation", 1008)
        assert reply["id"] == expected_id
        assert reply["reason"].startswith("invalid message: ")
        assert len(reply["reason"].encode()) <= 123
        assert [set(error) for error in reply["errors"]] == [{"type", "loc", "msg"}]
        assert MARKER not in raw
        assert "SECRET" not in raw
        client.send(json.dumps({"type": "say", "text": "after", "seq": 1}))
        assert receive(client)["text"] == "after in lobby"


def test_not_json_gets_an_error_reply_of_kind_json(url: str) -> None:
    with connect(url + "/api/lobby") as client:
        client.send(f"{MARKER} is not JSON")
        reply = reply_or_close(client)
        assert isinstance(reply, str)
        assert MARKER not in reply
        assert json.loads(reply)["kind"] == "json"
        assert json.loads(reply)["code"] == 1007
        assert json.loads(reply)["errors"][0]["type"] == "json_invalid"


def test_say_values_round_trip_over_the_wire(url: str) -> None:
    """A value the server encodes decodes back into an equal Struct on the client side."""
    value = Say(text='é ☃ \n"quoted"', seq=-(2**62), mood="loud", scores={"k": 1}, tags=["a"])
    with connect(url + "/echo") as client:
        client.send(msgspec.json.encode(value).decode())
        echoed = client.recv(timeout=10)
    assert msgspec.json.decode(echoed, type=Say) == value


def test_readme_example() -> None:
    """The msgspec page's example answers a speak, and closes 1008 with the reason the page
    shows for an unknown tag."""
    route = run_examples()["fast_chat"]
    with run_server(Starlette(routes=[route])) as base, connect(base + "/fast/lobby") as client:
        client.send('{"type": "enter", "name": "ann"}')
        client.send('{"type": "speak", "text": "hi"}')
        assert receive(client) == {"type": "spoken", "name": "ann", "text": "hi"}
        client.send(json.dumps({"type": MARKER}))
        assert close_of(client) == (
            1008,
            "invalid message: type: Invalid tag value, expected one of: 'enter', 'speak'",
        )
