"""Limits and handshake checks over a real uvicorn server with a real client: the default
``max_size``, ``allowed_origins`` and ``subprotocols``, on both WebSocket implementations."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute
from starlette.websockets import WebSocket as StarletteWebSocket
from websockets.exceptions import InvalidStatus

from tests.marked import MARK
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from typedws import DEFAULT_MAX_SIZE, Disconnected, Endpoint, WebSocket, route

ORIGINS = ["https://app.example", "https://*.example.com", "http://localhost:8000"]


@route("/echo")
async def echo(ws: WebSocket[str, str]) -> None:
    async for text in ws:
        await ws.send(text)


@route("/unlimited", max_size=None)
async def unlimited(ws: WebSocket[str, str]) -> None:
    async for text in ws:
        await ws.send(str(len(text)))


@route("/guarded", allowed_origins=ORIGINS)
async def guarded(ws: WebSocket[str, str]) -> None:
    async for text in ws:
        await ws.send(text)


@route("/chat", subprotocols=["chat.v2", "chat.v1"])
async def chat(ws: WebSocket[str, str]) -> None:
    async for _ in ws:
        await ws.send("ok")


class Ask(BaseModel):
    type: str = "ask"


class Told(BaseModel):
    type: str = "told"


endpoint: Endpoint[Ask, Told] = Endpoint(
    receive_model=Ask, send_model=Told, allowed_origins=["https://app.example"]
)


@endpoint.on(Ask)
async def ask(message: Ask, ws: WebSocket[Ask, Told]) -> Told:
    return Told()


refusals: list[tuple[int, int | None]] = []


async def wrapped(websocket: StarletteWebSocket) -> None:
    """A plain Starlette route wrapping the WebSocket it is given, as FastAPI apps do."""
    ws: WebSocket[str, str] = WebSocket(websocket, allowed_origins=["https://app.example"])
    try:
        await ws.accept()
    except Disconnected as exc:
        refusals.append((exc.code, ws.close_code))
        return
    await ws.send("welcome")
    await ws.close()


app = Starlette(
    routes=[
        echo,
        unlimited,
        guarded,
        chat,
        endpoint.route("/endpoint"),
        StarletteWebSocketRoute("/wrapped", wrapped),
    ]
)


@pytest.fixture(params=WS_IMPLEMENTATIONS, scope="module")
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(app, ws=request.param) as base:
        yield base


def status_of(url: str, **options: Any) -> int:
    with pytest.raises(InvalidStatus) as refused:
        connect(url, **options)
    return refused.value.response.status_code


def test_the_default_max_size_closes_with_1009(url: str) -> None:
    """Left out, max_size is 1 MiB: a larger message closes with 1009, a smaller echoes."""
    assert DEFAULT_MAX_SIZE == 1_048_576
    with connect(f"{url}/echo") as client:
        client.send("a" * DEFAULT_MAX_SIZE)
        assert client.recv(timeout=10) == "a" * DEFAULT_MAX_SIZE
        client.send("a" * (DEFAULT_MAX_SIZE + 1))
        assert close_of(client)[0] == 1009


def test_max_size_none_is_no_limit(url: str) -> None:
    with connect(f"{url}/unlimited") as client:
        client.send("a" * 2 * DEFAULT_MAX_SIZE)
        assert client.recv(timeout=10) == str(2 * DEFAULT_MAX_SIZE)


@pytest.mark.parametrize(
    "origin",
    [
        "https://evil.example",
        "https://app.example.evil",
        "https://example.com",
        "null",
        "http://app.example",
        "https://evil.com/.example.com",
    ],
)
def test_another_origin_is_refused_with_403(
    url: str, origin: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="typedws"):
        assert status_of(f"{url}/guarded", origin=origin) == 403
    assert any("is not allowed" in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize(
    "origin",
    [
        "https://app.example",
        "https://a.example.com",
        "https://a.b.example.com",
        "HTTPS://App.Example",
        "http://localhost:8000",
        None,
    ],
)
def test_an_allowed_origin_is_served(url: str, origin: str | None) -> None:
    """Exact origins, any subdomain of a pattern, and no Origin at all (not a browser)."""
    with connect(f"{url}/guarded", origin=origin) as client:
        client.send("hi")
        assert client.recv(timeout=10) == "hi"


def test_an_endpoint_refuses_another_origin(url: str) -> None:
    assert status_of(f"{url}/endpoint", origin="https://evil.example") == 403
    with connect(f"{url}/endpoint", origin="https://app.example") as client:
        client.send('{"type": "ask"}')
        assert client.recv(timeout=10) == '{"type":"told"}'


def test_the_log_quotes_no_part_of_a_refused_origin(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The refusal is logged with the handler and the client's address, and no part of the
    Origin header, which the client chose."""
    with caplog.at_level(logging.WARNING, logger="typedws"):
        assert status_of(f"{url}/guarded", origin=f"https://{MARK}.example") == 403
    [line] = [r.getMessage() for r in caplog.records if "refused" in r.getMessage()]
    assert "Origin is not allowed" in line
    assert MARK not in line
    assert "example" not in line


@pytest.mark.parametrize(
    ("offered", "chosen"),
    [(["chat.v1"], "chat.v1"), (["chat.v1", "chat.v2"], "chat.v1"), (["x", "chat.v2"], "chat.v2")],
)
def test_the_first_subprotocol_offered_that_the_route_speaks(
    url: str, offered: list[str], chosen: str
) -> None:
    with connect(f"{url}/chat", subprotocols=offered) as client:
        assert client.subprotocol == chosen
        client.send("hi")
        assert client.recv(timeout=10) == "ok"


@pytest.mark.parametrize("offered", [["x"], None])
def test_a_client_offering_none_of_the_subprotocols_is_refused(
    url: str, offered: list[str] | None
) -> None:
    assert status_of(f"{url}/chat", subprotocols=offered) == 403


def test_accept_on_a_wrapped_socket_refuses_another_origin(url: str) -> None:
    """accept() refuses the handshake (HTTP 403) and raises Disconnected with 1008."""
    refusals.clear()
    assert status_of(f"{url}/wrapped", origin="https://evil.example") == 403
    assert refusals == [(1008, 1008)]
    with connect(f"{url}/wrapped", origin="https://app.example") as client:
        assert client.recv(timeout=10) == "welcome"
