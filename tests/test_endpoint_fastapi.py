"""An endpoint in a FastAPI router mounted with a prefix: served over uvicorn with its hooks,
and found by schema export at its full address with its requests."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Annotated, Literal

import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from tests.server import WS_IMPLEMENTATIONS, connect, run_server
from typedws import Endpoint, ErrorReply, WebSocket
from typedws.fastapi import add_typed_route
from typedws.schema import asyncapi, typed_routes


class Hello(BaseModel):
    type: Literal["hello"]
    name: str


class Ask(BaseModel):
    type: Literal["ask"]
    id: str
    question: str


class Greeting(BaseModel):
    type: Literal["greeting"] = "greeting"
    text: str


class Answer(BaseModel):
    type: Literal["answer"] = "answer"
    id: str = ""
    text: str


In = Annotated[Hello | Ask, Field(discriminator="type")]
Out = Annotated[Greeting | Answer | ErrorReply, Field(discriminator="type")]
Socket = WebSocket[Hello | Ask, Greeting | Answer | ErrorReply]

desk = Endpoint(receive_model=In, send_model=Out, on_invalid="reply")
left: list[tuple[str, int | None]] = []


@desk.on(Hello)
async def hello(message: Hello, ws: Socket, org: str) -> Greeting:
    return Greeting(text=f"hello {message.name} of {org}")


@desk.request(Ask, reply=Answer)
async def ask(message: Ask, ws: Socket) -> Answer:
    return Answer(text=message.question[::-1])


@desk.on_disconnect
async def gone(ws: Socket, org: str) -> None:
    left.append((org, ws.close_code))


def build_app() -> FastAPI:
    router = APIRouter()
    add_typed_route(router, desk.route("/desk", name="desk"))
    api = FastAPI()
    api.include_router(router, prefix="/v1/orgs/{org}")
    return api


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(build_app(), ws=request.param) as base:
        yield base


def test_an_endpoint_in_a_prefixed_router_serves_with_its_hooks(url: str) -> None:
    left.clear()
    with connect(url + "/v1/orgs/acme/desk") as client:
        client.send('{"type": "hello", "name": "ann"}')
        assert json.loads(client.recv(timeout=10)) == {
            "type": "greeting",
            "text": "hello ann of acme",
        }
        client.send('{"type": "ask", "id": "q", "question": "abc"}')
        assert json.loads(client.recv(timeout=10)) == {"type": "answer", "id": "q", "text": "cba"}
        client.close(4000)
    deadline = time.monotonic() + 10
    while not left and time.monotonic() < deadline:
        time.sleep(0.01)
    assert left == [("acme", 4000)]


def test_schema_export_finds_the_endpoint_at_its_full_address() -> None:
    routes = typed_routes(build_app())
    assert [(r.name, r.address) for r in routes] == [("desk", "/v1/orgs/{org}/desk")]
    document = asyncapi(build_app())
    replies = [op for op in document["operations"].values() if "reply" in op]
    assert len(replies) == 1
    assert replies[0]["reply"]["messages"] == [{"$ref": "#/channels/desk/messages/Answer"}]
