"""FastAPI as a home for typed routes added with ``add_typed_route``: in an ``APIRouter``
mounted with a prefix, in nested routers and on the app, over a real uvicorn, and found by
schema export."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import APIRouter, FastAPI
from starlette.middleware import Middleware

from tests.messages import Ping
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from tests.test_routing import Tagging
from typedws import WebSocket, WebSocketRoute, route
from typedws.cli import main
from typedws.fastapi import add_typed_route
from typedws.schema import typed_routes


@route("/rooms/{room}", model=Ping)
async def room_echo(ws: WebSocket[Ping, Ping], room: str) -> None:
    """Echoes pings, with the room's length added to their sequence number."""
    async for ping in ws:
        await ws.send(Ping(type="ping", seq=ping.seq + len(room)))


@route("/nested/echo", name="nested_echo")
async def nested_echo(ws: WebSocket[str, str]) -> None:
    """Echoes text."""
    async for text in ws:
        await ws.send(text)


async def tagged(ws: WebSocket[str, str]) -> None:
    """Sends the header its route's middleware added."""
    await ws.send(ws.headers["x-tag"])


async def tagged_top(ws: WebSocket[str, str]) -> None:
    """Sends the path it was reached at."""
    await ws.send(ws.url.path)


def build_app() -> FastAPI:
    """Typed routes added to a router, in a nested router with a prefix of its own, and to
    the app itself."""
    router = APIRouter()
    add_typed_route(router, room_echo)
    add_typed_route(router, WebSocketRoute("/tagged", tagged, middleware=[Middleware(Tagging)]))
    inner = APIRouter(prefix="/inner")
    add_typed_route(inner, nested_echo)
    router.include_router(inner)
    api = FastAPI()
    api.include_router(router, prefix="/v1")
    add_typed_route(api, route("/top")(tagged_top))
    return api


app = build_app()


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The FastAPI app under uvicorn, once per WebSocket implementation."""
    with run_server(app, ws=request.param) as base:
        yield base


def test_a_typed_route_in_a_prefixed_router_is_typed(url: str) -> None:
    """Under include_router(prefix=...) the handler still gets the typed WebSocket."""
    with connect(f"{url}/v1/rooms/lobby") as client:
        client.send('{"type":"ping","seq":1}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 6}


def test_invalid_input_under_a_router_gets_the_table_code(url: str) -> None:
    """The close-code table holds under a router: a message that does not validate is 1008."""
    with connect(f"{url}/v1/rooms/lobby") as client:
        client.send('{"type":"ping"}')
        assert close_of(client) == (1008, "invalid message: seq: Field required")


def test_nested_routers_keep_typed_routes(url: str) -> None:
    """A router included in a router included in the app keeps its typed route."""
    with connect(f"{url}/v1/inner/nested/echo") as client:
        client.send("hello")
        assert client.recv(timeout=10) == "hello"


def test_route_middleware_survives_the_router(url: str) -> None:
    """A typed route's own middleware still runs after FastAPI rebuilds the route."""
    with connect(f"{url}/v1/tagged") as client:
        assert client.recv(timeout=10) == "tagged"


def test_a_typed_route_on_the_app_itself(url: str) -> None:
    """A typed route added to the FastAPI app is served at its own path."""
    with connect(f"{url}/top") as client:
        assert client.recv(timeout=10) == "/top"


def test_schema_export_finds_routes_at_their_prefixed_address(tmp_path: Path) -> None:
    """Schema export lists routes under routers with their full paths, and writes them."""
    paths = {typed.name: typed.address for typed in typed_routes(app)}
    assert paths == {
        "room_echo": "/v1/rooms/{room}",
        "tagged": "/v1/tagged",
        "nested_echo": "/v1/inner/nested/echo",
        "tagged_top": "/top",
    }
    assert main(["schema", "export", "tests.test_fastapi:app", "--out", str(tmp_path)]) == 0
    asyncapi = json.loads((tmp_path / "asyncapi.json").read_text(encoding="utf-8"))
    assert asyncapi["channels"]["room_echo"]["address"] == "/v1/rooms/{room}"
    assert (tmp_path / "room_echo.client.schema.json").is_file()
