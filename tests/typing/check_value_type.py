"""Typing checks: ``value_type``, when given, types both directions whatever
``receive_type`` and ``send_type`` say (the seed's override), on the WebSocket, routes,
endpoints, ``connect`` and the test client; the contradictions it does not settle stay
type errors.

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from typing_extensions import assert_type

from tests.typing.messages import Chat, ClientMsg, Join, Said, Say, client_adapter
from typedws import Client, Connecting, Endpoint, WebSocket, WebSocketRoute, connect, route
from typedws.testing import TestClient

said_adapter = TypeAdapter(Said)


async def websockets(scope: Scope, receive: Receive, send: Send) -> None:
    seed = WebSocket(
        scope, receive, send, value_type="bytes", receive_type="text", send_type="json"
    )
    assert_type(seed, WebSocket[bytes, bytes])
    assert_type(await seed.receive(), bytes)
    await seed.send("text")  # type: ignore[arg-type]
    text = WebSocket(scope, receive, send, value_type="text", send_type="bytes")
    assert_type(text, WebSocket[str, str])
    json = WebSocket(scope, receive, send, value_type="json", receive_type="model")
    assert_type(json, WebSocket[Any, Any])
    none_given = WebSocket(scope, receive, send, value_type="bytes", receive_type=None)
    assert_type(none_given, WebSocket[bytes, bytes])


async def models(scope: Scope, receive: Receive, send: Send) -> None:
    """value_type="model" overrides the other two when a model is given for each direction."""
    one = WebSocket(scope, receive, send, value_type="model", receive_type="text", model=Chat)
    assert_type(one, WebSocket[Chat, Chat])
    adapted = WebSocket(
        scope, receive, send, value_type="model", send_type="json", model=said_adapter
    )
    assert_type(adapted, WebSocket[Said, Said])
    forms = WebSocket(
        scope, receive, send, value_type="model", receive_type="text", receive_model=ClientMsg,
        send_model=Said,
    )  # fmt: skip
    assert_type(forms, WebSocket[Join | Say, Said])
    mixed = WebSocket(
        scope, receive, send, value_type="model", send_type="bytes", receive_model=client_adapter,
        send_model=Said,
    )  # fmt: skip
    assert_type(mixed, WebSocket[Join | Say, Said])
    flipped = WebSocket(
        scope, receive, send, value_type="model", receive_type="json", receive_model=Chat,
        send_model=said_adapter,
    )  # fmt: skip
    assert_type(flipped, WebSocket[Chat, Said])
    adapters = WebSocket(
        scope, receive, send, value_type="model", receive_type="bytes",
        receive_model=client_adapter, send_model=said_adapter,
    )  # fmt: skip
    assert_type(adapters, WebSocket[Join | Say, Said])
    assert_type(await adapters.receive(), Join | Say)


async def wrapped(websocket: StarletteWebSocket) -> None:
    seed = WebSocket(websocket, value_type="bytes", receive_type="text", send_type="json")
    assert_type(seed, WebSocket[bytes, bytes])
    one = WebSocket(websocket, value_type="model", receive_type="text", model=Chat)
    assert_type(one, WebSocket[Chat, Chat])


async def contradictions(scope: Scope, receive: Receive, send: Send) -> None:
    """What the override does not settle stays a type error (and a ConfigurationError)."""
    WebSocket(scope, receive, send, value_type="bytes", receive_type="text", model=Chat)  # type: ignore[call-overload]
    WebSocket(scope, receive, send, value_type="text", receive_model=Join, send_model=Said)  # type: ignore[call-overload]
    WebSocket(scope, receive, send, value_type="json", send_model=Said)  # type: ignore[call-overload]
    WebSocket(scope, receive, send, value_type="model", receive_type="text")  # type: ignore[call-overload]
    WebSocket(scope, receive, send, value_type="model", receive_type="text", receive_model=Join)  # type: ignore[call-overload]
    WebSocket(scope, receive, send, value_type="model", model=Chat, receive_model=Join)  # type: ignore[call-overload]
    WebSocket(scope, receive, send, value_type="bytes", receive_type="xml")  # type: ignore[call-overload]
    WebSocket(scope, receive, send, receive_type="text", model=Chat)  # type: ignore[call-overload]


@route("/seed", value_type="bytes", receive_type="text", send_type="json")
async def seed_route(ws: WebSocket[bytes, bytes]) -> None:
    await ws.send(await ws.receive())


assert_type(seed_route, WebSocketRoute[bytes, bytes])


@route("/model", value_type="model", receive_type="text", model=Chat)
async def model_route(ws: WebSocket[Chat, Chat]) -> None:
    await ws.send(await ws.receive())


assert_type(model_route, WebSocketRoute[Chat, Chat])


@route("/by-receive-type", value_type="bytes", receive_type="text")  # type: ignore[arg-type]
async def typed_by_receive_type(ws: WebSocket[str, bytes]) -> None:
    del ws


async def echo(ws: WebSocket[bytes, bytes]) -> None:
    await ws.send(await ws.receive())


routed = WebSocketRoute("/seed", echo, value_type="bytes", receive_type="text", send_type="json")
assert_type(routed, WebSocketRoute[bytes, bytes])
route("/x", value_type="text", receive_model=Join, send_model=Said)  # type: ignore[call-overload]

endpoint = Endpoint(
    value_type="model", receive_type="text", receive_model=ClientMsg, send_model=Said
)
assert_type(endpoint, Endpoint[Join | Say, Said])
assert_type(Endpoint(value_type="model", send_type="json", model=Chat), Endpoint[Chat, Chat])
Endpoint(value_type="bytes", receive_model=ClientMsg, send_model=Said)  # type: ignore[call-overload]
Endpoint(value_type="model", receive_type="text")  # type: ignore[call-overload]


async def clients(app: Starlette) -> None:
    seed = connect("ws://x", value_type="bytes", receive_type="text", send_type="json")
    assert_type(seed, Connecting[bytes, bytes])
    async with seed as client:
        assert_type(client, Client[bytes, bytes])
        await client.send("text")  # type: ignore[arg-type]
    typed = await connect("ws://x", value_type="model", receive_type="text", model=Chat)
    assert_type(typed, Client[Chat, Chat])
    connect("ws://x", value_type="bytes", model=Chat)  # type: ignore[call-overload]
    testing = TestClient(app).connect(
        "/x", value_type="bytes", receive_type="text", send_type="json"
    )
    assert_type(testing, Connecting[bytes, bytes])
    async with TestClient(app).connect(
        "/x", value_type="model", send_type="text", receive_model=Said, send_model=ClientMsg
    ) as ws:
        assert_type(ws, Client[Said, Join | Say])
    TestClient(app).connect("/x", value_type="text", model=Chat)  # type: ignore[call-overload]
