"""What a FastAPI user tried with ``add_typed_route`` from outside: a dependency that takes
the WebSocket itself and accepts it, and an endpoint's message handler that asks for a
FastAPI dependency, over a real uvicorn."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, Header, Query
from fastapi import WebSocket as FastAPIWebSocket

from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from tests.test_fastapi_dependencies import Greeting, Hello
from typedws import ConfigurationError, Endpoint, WebSocket, route
from typedws.fastapi import add_typed_route


async def accepting(websocket: FastAPIWebSocket) -> None:
    """Accepts the connection itself, with the subprotocol the client asked for."""
    await websocket.accept(subprotocol="chat.v1")


async def accepting_then_closing(websocket: FastAPIWebSocket) -> None:
    """Accepts the connection, then closes it with a code of its own."""
    await websocket.accept()
    await websocket.close(code=4401)


@route("/accepted")
async def accepted(ws: WebSocket[str, str], _: Annotated[None, Depends(accepting)]) -> None:
    """Echoes, upper-cased, on a connection a dependency accepted."""
    async for text in ws:
        await ws.send(text.upper())


@route("/closed")
async def closed(
    ws: WebSocket[str, str], _: Annotated[None, Depends(accepting_then_closing)]
) -> None:
    """Never runs: its dependency closed the connection."""
    await ws.send("served")


@route("/guarded", allowed_origins=["https://app.example"])
async def guarded(ws: WebSocket[str, str], _: Annotated[None, Depends(accepting)]) -> None:
    """Sends one message to a connection from an allowed origin."""
    await ws.send("in")


greeter = Endpoint(receive_model=Hello, send_model=Greeting)


@greeter.on_connect
async def greeter_connected(
    ws: WebSocket[Hello, Greeting], _: Annotated[None, Depends(accepting)]
) -> None:
    """Lets the connection a dependency accepted in."""


@greeter.on(Hello)
async def greeter_hello(message: Hello, ws: WebSocket[Hello, Greeting]) -> Greeting:
    """Greets."""
    return Greeting(text="hello")


def build_app() -> FastAPI:
    """The routes above on a router, included with a prefix."""
    router = APIRouter(prefix="/deps")
    for typed in (accepted, closed, guarded, greeter.route("/greeter")):
        add_typed_route(router, typed)
    app = FastAPI()
    app.include_router(router, prefix="/v1")
    return app


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The app under uvicorn, once per WebSocket implementation."""
    with run_server(build_app(), ws=request.param) as base:
        yield base


def test_a_connection_a_dependency_accepted_is_served(url: str) -> None:
    """A typed route serves a connection its FastAPI dependency accepted (with a
    subprotocol) instead of accepting it a second time and closing with 1011."""
    with connect(f"{url}/v1/deps/accepted", subprotocols=["chat.v1"]) as client:
        assert client.subprotocol == "chat.v1"
        client.send("hi")
        assert client.recv(timeout=10) == "HI"


def test_an_endpoint_serves_a_connection_a_dependency_accepted(url: str) -> None:
    """An endpoint's on_connect and handlers run on a connection its dependency accepted."""
    with connect(f"{url}/v1/deps/greeter", subprotocols=["chat.v1"]) as client:
        client.send('{"type": "hello"}')
        assert client.recv(timeout=10) == '{"type":"greeting","text":"hello"}'


def test_a_connection_a_dependency_closed_is_left_closed(url: str) -> None:
    """The handler does not run on a connection its dependency accepted and closed: the
    client sees the dependency's own close code."""
    with connect(f"{url}/v1/deps/closed") as client:
        assert close_of(client) == (4401, "")


def test_allowed_origins_still_hold_after_a_dependency_accepted(url: str) -> None:
    """A route's allowed_origins refuses a connection from another origin even when a
    dependency accepted it (close 1008), and lets an allowed one in."""
    options = {"subprotocols": ["chat.v1"]}
    with connect(f"{url}/v1/deps/guarded", origin="https://evil.example", **options) as client:
        assert close_of(client)[0] == 1008
    with connect(f"{url}/v1/deps/guarded", origin="https://app.example", **options) as client:
        assert client.recv(timeout=10) == "in"


def get_db() -> str:
    """A dependency an endpoint's message handler cannot be given."""
    return "db"


@pytest.mark.parametrize(
    "marker",
    [
        "Depends",
        "Query",
        "Header",
        "default",
    ],
)
def test_a_message_handler_asking_for_a_dependency_is_refused_when_added(marker: str) -> None:
    """add_typed_route refuses an endpoint whose message handler or on_disconnect takes a
    FastAPI parameter (Depends, Query, Header, as an Annotated marker or a default), which
    FastAPI solves only for on_connect, instead of failing at the first message with 1011."""
    endpoint = Endpoint(receive_model=Hello, send_model=Greeting)

    if marker == "Depends":

        @endpoint.on(Hello)
        async def hello(
            message: Hello, ws: WebSocket[Hello, Greeting], db: Annotated[str, Depends(get_db)]
        ) -> None:
            """Asks for a dependency."""

    elif marker == "Query":

        @endpoint.on(Hello)
        async def hello(
            message: Hello, ws: WebSocket[Hello, Greeting], q: Annotated[str, Query()]
        ) -> None:
            """Asks for a query parameter."""

    elif marker == "Header":

        @endpoint.on(Hello)
        async def hello(message: Hello, ws: WebSocket[Hello, Greeting]) -> None:
            """Takes nothing more."""

        @endpoint.on_disconnect
        async def left(ws: WebSocket[Hello, Greeting], x: Annotated[str, Header()]) -> None:
            """Asks for a header."""

    else:

        @endpoint.on(Hello)
        async def hello(
            message: Hello, ws: WebSocket[Hello, Greeting], db: str = Depends(get_db)
        ) -> None:
            """Asks for a dependency, as a default."""

    with pytest.raises(ConfigurationError, match="on_connect") as refused:
        add_typed_route(FastAPI(), endpoint.route("/e"))
    assert "FastAPI solves" in str(refused.value)


def test_a_message_handler_with_path_parameters_is_added() -> None:
    """Path parameters stay allowed in message handlers, also annotated with a name only a
    type checker sees (imported under TYPE_CHECKING)."""
    endpoint = Endpoint(receive_model=Hello, send_model=Greeting)

    @endpoint.on(Hello)
    async def hello(message: Hello, ws: WebSocket[Hello, Greeting], room: str) -> None:
        """Takes a path parameter."""

    hello.__annotations__["room"] = "OnlyForTheChecker"
    add_typed_route(FastAPI(), endpoint.route("/rooms/{room}"))


numbered = Endpoint(receive_model=Hello, send_model=Greeting)


@numbered.on_connect
async def numbered_connected(ws: WebSocket[Hello, Greeting], room: int) -> None:
    """Keeps the room number FastAPI validated."""
    ws.state.seen = [f"on_connect {room!r}"]


@numbered.on(Hello)
async def numbered_hello(message: Hello, ws: WebSocket[Hello, Greeting], room: int) -> Greeting:
    """Sends the room number as each hook got it."""
    return Greeting(text=" ".join([*ws.state.seen, f"on {room!r}"]))


@pytest.mark.parametrize("ws", WS_IMPLEMENTATIONS)
def test_handlers_get_the_path_parameters_fastapi_validated_for_on_connect(ws: str) -> None:
    """A path parameter on_connect declares (room: int) reaches the message handlers as
    FastAPI validated it (7, not the path's "7"), as on_connect got it."""
    app = FastAPI()
    add_typed_route(app, numbered.route("/rooms/{room}"))
    with run_server(app, ws=ws) as base, connect(f"{base}/rooms/7") as client:
        client.send('{"type": "hello"}')
        assert json.loads(client.recv(timeout=10))["text"] == "on_connect 7 on 7"
