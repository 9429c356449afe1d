"""The client's codecs are the server's: msgspec Struct message types over a real uvicorn,
requests to a Struct endpoint, and the reply policy on the client side."""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute as StarletteRoute
from starlette.websockets import WebSocket as StarletteWebSocket

import typedws
from tests.msgspec_app import MARKER, Answer, Ask, Join, Move, Said, Say
from tests.msgspec_app import app as msgspec_app
from tests.server import WS_IMPLEMENTATIONS, run, run_server
from typedws import InvalidMessage
from typedws.msgspec_codec import ErrorReply

pytestmark = pytest.mark.parametrize("ws", WS_IMPLEMENTATIONS)


def test_struct_messages_round_trip_through_a_struct_route(ws: str) -> None:
    """A client typed by msgspec Structs sends and receives them, typed, unchanged."""

    async def main(base: str) -> None:
        async with typedws.connect(
            base + "/echo", model=Join | Say | Move, receive_timeout=10
        ) as client:
            sent: list[Join | Say | Move] = [Join(name="Ann"), Say(text="hi", seq=2), Move(1, 2)]
            for message in sent:
                await client.send(message)
            assert [await client.receive() for _ in sent] == sent

    with run_server(msgspec_app, ws=ws) as base:
        run(main(base))


def test_requests_to_a_struct_endpoint_get_struct_replies(ws: str) -> None:
    """request() on Struct types gets the typed reply by id, and a failing request raises
    RequestFailed carrying the Struct error reply, without the handler's text."""

    async def main(base: str) -> None:
        async with typedws.connect(
            base + "/api/lobby",
            receive_model=Said | Answer | ErrorReply,
            send_model=Join | Say | Ask,
            receive_timeout=10,
        ) as client:
            answer = await client.request(Ask(id=0, question="why"), reply=Answer, timeout=10)
            assert answer.answer == "WHY"
            await client.send(Say(text="x", seq=4))
            assert await client.receive() == Said(text="x in lobby", seq=4)

    with run_server(msgspec_app, ws=ws) as base:
        run(main(base))


class Reading(BaseModel):
    value: int


class Complaint(BaseModel):
    kind: str
    code: int


async def _sends_one_bad_reading(websocket: StarletteWebSocket) -> None:
    await websocket.accept()
    await websocket.send_text('{"value": "' + MARKER + '"}')
    complaint = await websocket.receive_text()
    await websocket.send_text('{"value": 3}')
    await websocket.send_text(complaint)  # what the client answered, echoed for the test
    await websocket.receive_text()


def test_the_reply_policy_answers_an_invalid_server_message(ws: str) -> None:
    """With on_invalid="reply" the client answers a message that does not fit with
    invalid_reply(error) and goes on receiving; its reply holds none of the input."""

    async def main(base: str) -> None:
        async with typedws.connect(
            base + "/",
            receive_model=Reading,
            send_type="json",
            on_invalid="reply",
            invalid_reply=lambda error: {"kind": error.kind, "code": error.close_code},
            receive_timeout=10,
        ) as client:
            assert await client.receive() == Reading(value=3)
            echoed = await client.receive_text()
            assert Complaint.model_validate_json(echoed) == Complaint(kind="validation", code=1008)
            assert MARKER not in echoed
            await client.send({"done": True})

    app = Starlette(routes=[StarletteRoute("/", _sends_one_bad_reading)])
    with run_server(app, ws=ws) as base:
        run(main(base))


def test_raise_policy_leaves_the_client_connected(ws: str) -> None:
    """With on_invalid="raise" the client raises InvalidMessage and stays open."""

    async def main(base: str) -> None:
        async with typedws.connect(
            base + "/",
            receive_model=Reading,
            send_type="json",
            on_invalid="raise",
            receive_timeout=10,
        ) as client:
            with pytest.raises(InvalidMessage) as caught:
                await client.receive()
            assert caught.value.close_code == 1008
            assert MARKER not in caught.value.reason
            assert client.close_code is None
            await client.send({"kind": "noted"})
            assert await client.receive() == Reading(value=3)

    app = Starlette(routes=[StarletteRoute("/", _sends_one_bad_reading)])
    with run_server(app, ws=ws) as base:
        run(main(base))
