"""value_type overrides receive_type and send_type, as the seed says: both directions are
value_type's on the WebSocket, routes, endpoints, typedws.connect and the test client, over
real uvicorn servers; the contradictions the seed does not settle stay errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute as StarletteRoute
from starlette.types import Message, Receive, Scope, Send

import typedws
from tests.server import WS_IMPLEMENTATIONS, ASGIEndpoint, close_of, connect, run, run_server
from typedws import ConfigurationError, Endpoint, InvalidMessage, WebSocket, route
from typedws.testing import TestClient

OVERRIDDEN: dict[str, Any] = {"value_type": "bytes", "receive_type": "text", "send_type": "json"}
"""The seed's case: value_type="bytes" with other types for each direction is bytes both ways."""


class Ping(BaseModel):
    type: Literal["ping"] = "ping"
    seq: int


class Pong(BaseModel):
    type: Literal["pong"] = "pong"
    seq: int


def build_app() -> Starlette:
    """The app of the tests: built when a test needs it, so that options refused when built
    fail each test, not the module's import."""

    async def direct(scope: Scope, receive: Receive, send: Send) -> None:
        ws = WebSocket(scope, receive, send, **OVERRIDDEN)
        async with ws:
            async for message in ws:
                await ws.send(message)

    @route("/route", **OVERRIDDEN)
    async def bytes_echo(ws: WebSocket[bytes, bytes]) -> None:
        async for message in ws:
            await ws.send(message)

    @route("/model", value_type="model", receive_type="text", send_type="bytes", model=Ping)
    async def model_echo(ws: WebSocket[Ping, Ping]) -> None:
        async for ping in ws:
            await ws.send(Ping(seq=ping.seq + 1))

    @route("/says-text")
    async def says_text(ws: WebSocket[str, str]) -> None:
        await ws.send("not bytes")
        await ws.receive()  # the client closes

    endpoint = Endpoint(
        value_type="model",
        receive_type="text",
        send_type="json",
        receive_model=Ping,
        send_model=Pong,
    )

    @endpoint.on(Ping)
    async def pong(ping: Ping, ws: WebSocket[Ping, Pong]) -> Pong:
        return Pong(seq=ping.seq + 1)

    return Starlette(
        routes=[
            StarletteRoute("/direct", ASGIEndpoint(direct)),
            bytes_echo,
            model_echo,
            says_text,
            endpoint.route("/endpoint"),
        ]
    )


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The app under uvicorn, once per WebSocket implementation."""
    with run_server(build_app(), ws=request.param) as base:
        yield base


def scope() -> dict[str, Any]:
    return {"type": "websocket", "path": "/", "headers": []}


async def never(*_: Any) -> Any:
    raise AssertionError("not called")


def test_the_seed_case_is_bytes_both_ways() -> None:
    """value_type="bytes" with receive_type="text" and send_type="json" builds a bytes
    socket (Bocadillo's value_type overriding the other two)."""
    ws = WebSocket(scope(), never, never, **OVERRIDDEN)
    assert (ws.receive_type, ws.send_type, ws.value_type) == ("bytes", "bytes", "bytes")


def test_an_overridden_socket_receives_and_sends_bytes_in_process() -> None:
    """In process, the overridden socket takes a bytes frame, sends bytes, and closes a
    text frame with 1003."""
    incoming: list[Message] = [
        {"type": "websocket.connect"},
        {"type": "websocket.receive", "bytes": b"\x00\xff"},
        {"type": "websocket.receive", "text": "text"},
    ]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    async def main() -> InvalidMessage:
        ws = WebSocket(scope(), receive, send, **OVERRIDDEN)
        await ws.accept()
        assert await ws.receive() == b"\x00\xff"
        await ws.send(b"\x01")
        with pytest.raises(InvalidMessage) as caught:
            await ws.receive()
        return caught.value

    error = run(main())
    assert (error.kind, error.close_code) == ("frame_type", 1003)
    assert sent[1] == {"type": "websocket.send", "bytes": b"\x01"}
    assert (sent[2]["type"], sent[2]["code"]) == ("websocket.close", 1003)


@pytest.mark.parametrize("path", ["/direct", "/route"])
def test_a_bytes_value_type_wins_over_the_server(url: str, path: str) -> None:
    """Over a real server, the WebSocket and the route built with value_type="bytes",
    receive_type="text", send_type="json" echo a bytes frame as bytes and close a text
    frame with 1003."""
    with connect(url + path) as client:
        client.send(b"\x00\xff")
        assert client.recv(timeout=10) == b"\x00\xff"
        client.send("text")
        assert close_of(client)[0] == 1003


@pytest.mark.parametrize("path", ["/model", "/endpoint"])
def test_a_model_value_type_wins_over_a_text_receive_type(url: str, path: str) -> None:
    """A route and an endpoint with value_type="model", receive_type="text" and a model
    validate JSON text frames into the model and reply with JSON text, whatever
    send_type says; text that is not JSON closes with 1007."""
    with connect(url + path) as client:
        client.send('{"type": "ping", "seq": 1}')
        reply = client.recv(timeout=10)
        assert isinstance(reply, str)
        assert '"seq":2' in reply
        client.send("not json")
        assert close_of(client)[0] == 1007


def test_a_model_value_type_route_closes_a_bytes_frame_with_1003(url: str) -> None:
    """The model route is model-typed in its receive direction: a bytes frame closes it
    with 1003, as for any model socket."""
    with connect(url + "/model") as client:
        client.send(b"{}")
        assert close_of(client)[0] == 1003


def test_connect_with_value_type_bytes_is_bytes_both_ways(url: str) -> None:
    """typedws.connect with the seed's options sends and receives bytes, and a text frame
    from the server closes the client with 1003."""

    async def main() -> None:
        async with typedws.connect(url + "/route", receive_timeout=10, **OVERRIDDEN) as client:
            assert (client.receive_type, client.send_type) == ("bytes", "bytes")
            await client.send(b"\x00\xff")
            assert await client.receive() == b"\x00\xff"
        async with typedws.connect(url + "/says-text", receive_timeout=10, **OVERRIDDEN) as other:
            with pytest.raises(InvalidMessage) as caught:
                await other.receive()
            assert (caught.value.kind, other.close_code) == ("frame_type", 1003)

    run(main())


def test_the_test_client_with_value_type_bytes_is_bytes_both_ways() -> None:
    """TestClient.connect with the seed's options sends and receives bytes on the app's
    route, and a text frame closes the client with 1003."""

    async def main() -> None:
        client = TestClient(build_app())
        async with client.connect("/route", **OVERRIDDEN) as ws:
            assert (ws.receive_type, ws.send_type) == ("bytes", "bytes")
            await ws.send(b"\x00\xff")
            assert await ws.receive() == b"\x00\xff"
        async with client.connect("/says-text", **OVERRIDDEN) as other:
            with pytest.raises(InvalidMessage) as caught:
                await other.receive()
            assert (caught.value.kind, other.close_code) == ("frame_type", 1003)

    run(main())


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"value_type": "bytes", "model": Ping}, "model is given, so value_type must be 'model'"),
        (
            {"value_type": "text", "receive_type": "model", "receive_model": Ping},
            "receive_model is given, so value_type must be 'model'",
        ),
        (
            {"value_type": "model", "receive_type": "text", "model": Ping, "receive_model": Ping},
            "give model= or receive_model=/send_model=, not both",
        ),
        (
            {"value_type": "model", "receive_type": "text", "receive_model": Ping},
            "value_type='model' needs model= or send_model=",
        ),
        ({"value_type": "bytes", "receive_type": "xml"}, "receive_type must be one of"),
    ],
    ids=["bytes-model", "text-receive-model", "model-and-receive-model", "half-model", "xml"],
)
def test_what_the_seed_does_not_settle_stays_an_error(options: dict[str, Any], match: str) -> None:
    """value_type overrides the other value types only: a model with another value type,
    model= with receive_model=, a direction without its model and an unknown value type
    are still refused, by the WebSocket, routes, endpoints and the client."""
    with pytest.raises(ConfigurationError, match=match):
        WebSocket(scope(), never, never, **options)
    with pytest.raises(ConfigurationError, match=match):
        route("/x", **options)
    with pytest.raises(ConfigurationError, match=match):
        typedws.connect("ws://127.0.0.1:9/x", **options)
    with pytest.raises(ConfigurationError, match=match):
        TestClient(Starlette()).connect("/x", **options)
    if "receive_model" in options or "model" in options:
        with pytest.raises(ConfigurationError, match=match):
            Endpoint(**options)
