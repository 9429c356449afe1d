"""typedws.testing.TestClient: the typed client on an ASGI app in the test's event loop, no
server and no thread, with the app's real routes and endpoints."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute as StarletteRoute
from starlette.websockets import WebSocket as StarletteWebSocket

from examples.chat.app import (
    ClientMessage,
    Join,
    Joined,
    Members,
    Said,
    Say,
    ServerMessage,
    Welcome,
    Who,
)
from examples.chat.app import app as chat_app
from tests.server import run
from tests.test_readme import BLOCKS, run_examples
from typedws import HandshakeRejected, InvalidMessage, ReceiveTimeout, WebSocket, route
from typedws.fastapi import add_typed_route
from typedws.testing import TestClient


def chat(**options: Any) -> Any:
    return TestClient(chat_app).connect(
        "/ws", receive_model=ServerMessage, send_model=ClientMessage, **options
    )


def test_a_conversation_on_the_demo_app() -> None:
    """Two test clients join the demo's endpoint, ask who is here while messages flow, and
    an invalid message closes with 1008."""

    async def main() -> None:
        async with chat() as alice, chat() as bob:
            await alice.send(Join(type="join", name="alice"))
            assert await alice.receive() == Welcome(name="alice", members=[])
            await bob.send(Join(type="join", name="bob"))
            await bob.send(Say(type="say", text="hi"))
            members = await alice.request(Who(type="who", id="-"), reply=Members)
            assert members == Members(id="1", names=["alice", "bob"])
            joined = await alice.receive()
            assert isinstance(joined, Joined)
            assert (joined.name, bool(joined.offset)) == ("bob", True)
            said = await alice.receive()
            assert isinstance(said, Said)
            assert said.text == "hi"
            assert isinstance(await bob.receive(), Welcome)
            assert isinstance(await bob.receive(), Said)
            await bob.send_json({"type": "say"})
            closed = await bob.expect_close(
                1008, reason="invalid message: say.text: Field required"
            )
            assert closed.websocket is bob

    run(main())


def test_waiting_for_a_message_that_never_comes_fails_in_seconds() -> None:
    """A receive with nothing coming raises ReceiveTimeout after the test client's receive
    timeout (5 s by default; here 0.2 s) instead of hanging."""

    async def main() -> None:
        async with chat(receive_timeout=0.2) as client:
            with pytest.raises(ReceiveTimeout, match=r"within 0\.2 s"):
                await client.receive()  # nothing comes: only the timeout ends it
            with pytest.raises(ReceiveTimeout):
                await client.expect_close(1000)

    run(main())


def test_expect_close_fails_when_a_message_comes_first_or_the_code_differs() -> None:
    """expect_close raises AssertionError naming what came instead of the close expected."""

    async def main() -> None:
        async with chat() as client:
            await client.send(Join(type="join", name="eve"))
            with pytest.raises(AssertionError, match="it sent a message"):
                await client.expect_close()
            await client.send_text("not json")
            with pytest.raises(AssertionError, match="expected close code 1000, the server"):
                await client.expect_close(1000)

    run(main())


@route("/rooms/{room}", receive_model=Say, send_model=Said)
async def room(ws: WebSocket[Say, Said], room: str) -> None:
    async for message in ws:
        if message.text == "reject":
            await ws.reject()
            return
        await ws.send(Said(name=room, text=message.text, at="2024-01-01T00:00:00Z"))


rooms = APIRouter()
add_typed_route(rooms, room)
api = FastAPI()
api.include_router(rooms, prefix="/v1")


def test_fastapi_routes_path_parameters_and_a_refused_handshake() -> None:
    """A typedws route in a FastAPI router under a prefix gets its path parameter; a
    connection the app refuses before accepting is HandshakeRejected (403)."""

    async def main() -> None:
        client = TestClient(api)
        async with client.connect("/v1/rooms/kitchen", receive_model=Said, send_model=Say) as ws:
            await ws.send(Say(type="say", text="hello"))
            said = await ws.receive()
            assert (said.name, said.text) == ("kitchen", "hello")
            await ws.send(Say(type="say", text="reject"))
            await ws.expect_close(1008)
        with pytest.raises(HandshakeRejected) as caught:
            await client.connect("/v1/nowhere")
        assert caught.value.status == 403

    run(main())


async def echo_headers(websocket: StarletteWebSocket) -> None:
    await websocket.accept(subprotocol="v2")
    await websocket.send_json(
        {
            "token": websocket.headers.get("authorization"),
            "agent": websocket.headers.get("user-agent"),
            "query": websocket.query_params.get("q"),
            "host": websocket.url.hostname,
        }
    )
    await websocket.send_bytes(b"\x00\x01")
    await websocket.close(4001, "done")


headers_app = Starlette(routes=[StarletteRoute("/h", echo_headers)])


def test_headers_query_subprotocols_and_value_types() -> None:
    """The client's headers, query string and subprotocols reach the app; the json and
    bytes verbs work as on the server."""

    async def main() -> None:
        client = TestClient(headers_app, base_url="ws://example.org", headers={"user-agent": "t"})
        connecting = client.connect(
            "/h?q=1",
            value_type="json",
            additional_headers=[("Authorization", "Bearer x")],
            subprotocols=["v1", "v2"],
        )
        async with connecting as ws:
            assert ws.subprotocol == "v2"
            assert await ws.receive() == {
                "token": "Bearer x",
                "agent": "t",
                "query": "1",
                "host": "example.org",
            }
            assert await ws.receive_bytes() == b"\x00\x01"
            await ws.expect_close(4001, reason="done")

    run(main())


def test_a_server_message_that_does_not_fit_closes_the_client() -> None:
    """The test client applies the client's close policy: a message of another shape
    closes with 1008 and raises InvalidMessage."""

    async def main() -> None:
        client = TestClient(chat_app)
        async with client.connect("/ws", receive_model=Said, send_model=ClientMessage) as ws:
            await ws.send(Join(type="join", name="mallory"))
            with pytest.raises(InvalidMessage) as caught:
                await ws.receive()  # a welcome, not a said
            assert caught.value.close_code == 1008
            assert ws.close_code == 1008

    run(main())


def test_the_readme_examples_run() -> None:
    """The README's test client examples pass against the README's apps: the rooms
    endpoint, and the Broadcast room whose lifespan ``async with TestClient`` runs."""
    namespace = run_examples()
    blocks = [block for block in BLOCKS if "TestClient(" in block and "async def test_" in block]
    assert len(blocks) == 2
    for block in blocks:
        exec(compile(block, "README.md", "exec", dont_inherit=True), namespace)
    for name in ("test_rooms", "test_live_room"):
        run(namespace[name]())
