"""Routes over a real uvicorn server: accept and close around handlers, path parameters,
crashes, Starlette's WebSocketException, and use from FastAPI."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi import WebSocket as FastAPIWebSocket
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.exceptions import WebSocketException
from starlette.middleware import Middleware
from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.exceptions import InvalidStatus

from tests.messages import Ping
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from typedws import WebSocket, WebSocketRoute, route
from typedws.fastapi import add_typed_route


class Greeting(BaseModel):
    text: str


@route("/rooms/{room}/users/{user:int}", receive_model=Ping, send_model=Greeting)
async def greet(ws: WebSocket[Ping, Greeting], room: str, user: int) -> None:
    ping = await ws.receive()
    await ws.send(Greeting(text=f"{room}/{user + 1}/{ping.seq}"))


@route("/kwargs/{a}/{b}")
async def takes_kwargs(ws: WebSocket[str, str], **params: str) -> None:
    await ws.send(",".join(f"{k}={v}" for k, v in sorted(params.items())))


@route("/none/{ignored}")
async def takes_no_params(ws: WebSocket[str, str]) -> None:
    await ws.send("no params")


@route("/manual", auto_accept=False)
async def manual(ws: WebSocket[str, str]) -> None:
    if ws.query_params.get("token") != "secret":
        return  # never accepted: the route refuses the handshake
    await ws.accept()
    await ws.send("welcome")


@route("/crash")
async def crash(ws: WebSocket[str, str]) -> None:
    await ws.receive()
    raise ZeroDivisionError("handler bug")


@route("/refuse")
async def refuse(ws: WebSocket[str, str]) -> None:
    raise WebSocketException(code=4403, reason="not yours")


@route("/refuse-badly")
async def refuse_badly(ws: WebSocket[str, str]) -> None:
    raise WebSocketException(code=1005, reason="no such code on the wire")


@route("/strict", model=Ping, close_codes={"validation": 4422}, max_size=64)
async def strict(ws: WebSocket[Ping, Ping]) -> None:
    async for ping in ws:
        await ws.send(ping)


@route("/model", model=Ping)
async def echo(ws: WebSocket[Ping, Ping]) -> None:
    async for ping in ws:
        await ws.send(ping)


class Tagging:
    """A middleware that adds a header to the handshake scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope["headers"] = [*scope["headers"], (b"x-tag", b"tagged")]
        await self.app(scope, receive, send)


async def tagged(ws: WebSocket[str, str]) -> None:
    await ws.send(ws.headers["x-tag"])


app = Starlette(
    routes=[
        greet,
        takes_kwargs,
        takes_no_params,
        manual,
        crash,
        refuse,
        refuse_badly,
        strict,
        echo,
        WebSocketRoute("/tagged", tagged, middleware=[Middleware(Tagging)]),
    ]
)


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The app under uvicorn, once per WebSocket implementation."""
    with run_server(app, ws=request.param) as base:
        yield base


def test_path_params_are_passed(url: str) -> None:
    """Path parameters, converted, reach the handler as keyword arguments."""
    with connect(url + "/rooms/lobby/users/41") as client:
        client.send('{"type":"ping","seq":3}')
        assert json.loads(client.recv(timeout=10)) == {"text": "lobby/42/3"}
        assert close_of(client) == (1000, "")


def test_var_keyword_handler_gets_all_params(url: str) -> None:
    """A handler taking **kwargs gets every path parameter."""
    with connect(url + "/kwargs/1/2") as client:
        assert client.recv(timeout=10) == "a=1,b=2"


def test_handler_without_params(url: str) -> None:
    """A handler that names no path parameter gets none."""
    with connect(url + "/none/x") as client:
        assert client.recv(timeout=10) == "no params"


def test_auto_accept_false_lets_the_handler_decide(url: str) -> None:
    """With auto_accept=False the handler accepts; one that never does refuses (HTTP 403)."""
    with connect(url + "/manual?token=secret") as client:
        assert client.recv(timeout=10) == "welcome"
    with pytest.raises(InvalidStatus) as info:
        connect(url + "/manual")
    assert info.value.response.status_code == 403


def test_handler_crash_closes_1011_and_logs(url: str, caplog: pytest.LogCaptureFixture) -> None:
    """A handler that raises closes with 1011; the traceback goes to the typedws logger."""
    with caplog.at_level(logging.ERROR, logger="typedws"), connect(url + "/crash") as client:
        client.send("go")
        assert close_of(client) == (1011, "")
    records = [r for r in caplog.records if r.name == "typedws"]
    assert len(records) == 1
    assert records[0].exc_info is not None
    assert records[0].exc_info[0] is ZeroDivisionError
    with connect(url + "/none/x") as client:
        assert client.recv(timeout=10) == "no params"


def test_websocket_exception_closes_with_its_code(url: str) -> None:
    """Starlette's WebSocketException closes with its code and reason."""
    with connect(url + "/refuse") as client:
        assert close_of(client) == (4403, "not yours")


def test_invalid_message_closes_quietly(url: str, caplog: pytest.LogCaptureFixture) -> None:
    """An invalid message closes with the table's code and logs no traceback."""
    with caplog.at_level(logging.ERROR), connect(url + "/model") as client:
        client.send('{"type":"ping"}')
        assert close_of(client) == (1008, "invalid message: seq: Field required")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_invalid_message_close_is_logged_at_info(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Each close for invalid input is one INFO line: handler, client, code, reason, kind;
    never the input itself."""
    with caplog.at_level(logging.INFO, logger="typedws"), connect(url + "/model") as client:
        local_port = client.socket.getsockname()[1]
        client.send('{"type":"ping","seq":"MARKER-in-a-value"}')
        code, _ = close_of(client)
    lines = [r.getMessage() for r in caplog.records if r.name == "typedws"]
    assert len(lines) == 1, lines
    assert [r.levelno for r in caplog.records if r.name == "typedws"] == [logging.INFO]
    assert lines[0].startswith(f"closed a connection to echo from 127.0.0.1:{local_port}")
    assert f"with {code}: invalid message: seq:" in lines[0]
    assert lines[0].endswith("(validation)")
    assert "MARKER" not in lines[0]


def test_websocket_exception_with_an_unsendable_code_closes_1011(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A ``WebSocketException`` whose code cannot be sent is a handler error: 1011, logged,
    never a connection dropped without a close frame."""
    with caplog.at_level(logging.ERROR, logger="typedws"), connect(url + "/refuse-badly") as client:
        assert close_of(client) == (1011, "")
    assert any("refuse_badly raised" in r.getMessage() for r in caplog.records)


def test_a_made_up_client_address_is_not_logged(url: str, caplog: pytest.LogCaptureFixture) -> None:
    """An address taken from a proxy header that is not an IP address stays out of the log."""
    headers = {"X-Forwarded-For": "MARKER-not-an-address"}
    with (
        caplog.at_level(logging.INFO, logger="typedws"),
        connect(url + "/model", additional_headers=headers) as client,
    ):
        client.send('{"type":"ping"}')
        close_of(client)
    lines = [r.getMessage() for r in caplog.records if r.name == "typedws"]
    assert len(lines) == 1, lines
    assert "MARKER" not in lines[0]
    assert "from a client with an unreadable address with 1008" in lines[0]


def test_every_connection_gets_the_route_s_options_and_a_state_of_its_own(url: str) -> None:
    """Each connection of a route has the route's options (a close-code override, a size
    limit), and one connection's end leaves the next untouched."""
    with connect(url + "/strict") as client:
        client.send('{"type":"ping"}')
        assert close_of(client) == (4422, "invalid message: seq: Field required")
    with connect(url + "/strict") as client:
        client.send('{"type":"ping","seq":1}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 1}
        client.send('{"type":"ping","seq":1,"padding":"' + "x" * 64 + '"}')
        assert close_of(client) == (1009, "message too big: over 64 bytes")


def test_route_middleware(url: str) -> None:
    """A route's own middleware wraps the typed session."""
    with connect(url + "/tagged") as client:
        assert client.recv(timeout=10) == "tagged"


def test_route_exposes_its_message_types() -> None:
    """A route tells a schema exporter what it receives and sends."""
    assert greet.receive_type == "model"
    assert greet.send_type == "model"
    assert greet.receive_adapter is not None
    assert greet.receive_adapter.json_schema()["title"] == "Ping"
    assert greet.send_adapter is not None
    assert greet.send_adapter.json_schema()["title"] == "Greeting"
    assert takes_no_params.receive_adapter is None
    assert takes_no_params.receive_type == "text"


def fastapi_app() -> FastAPI:
    api = FastAPI()

    @api.websocket("/wrapped/{room}")
    async def wrapped(websocket: FastAPIWebSocket, room: str) -> None:
        ws = WebSocket(websocket, model=Ping)
        async with ws:
            async for ping in ws:
                await ws.send(Ping(seq=ping.seq + len(room)))

    add_typed_route(api, greet)
    return api


def test_fastapi_wrapped_websocket() -> None:
    """From FastAPI: wrap the WebSocket it hands you; the close table applies as well."""
    with run_server(fastapi_app()) as base:
        with connect(base + "/wrapped/abc") as client:
            client.send('{"type":"ping","seq":1}')
            assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 4}
            client.send('{"type":"ping","seq":"x"}')
            code, reason = close_of(client)
        assert code == 1008
        assert reason.startswith("invalid message: seq: ")


def test_fastapi_with_a_typedws_route() -> None:
    """A typedws route added to a FastAPI app works as in Starlette."""
    with run_server(fastapi_app()) as base, connect(base + "/rooms/r/users/1") as client:
        client.send('{"type":"ping","seq":9}')
        assert json.loads(client.recv(timeout=10)) == {"text": "r/2/9"}
