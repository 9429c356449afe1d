"""Typing checks for mypy --strict and pyright: read by the checkers, never run.

A line ending in ``# type: ignore[...]`` must be an error: both checkers report an
ignore that is not needed (mypy: warn_unused_ignores; pyright:
reportUnnecessaryTypeIgnoreComment), so each negative case is proven to fail.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from typing_extensions import assert_type

from tests.typing.messages import Chat, ClientMsg, Join, Said, Say, client_adapter
from typedws import DEFAULT_CLOSE_CODES, Disconnected, FailureKind, InvalidMessage, WebSocket
from typedws.errors import ConnectionLike


async def model_socket(scope: Scope, receive: Receive, send: Send) -> None:
    ws = WebSocket(scope, receive, send, value_type="model", model=Chat)
    assert_type(ws, WebSocket[Chat, Chat])
    assert_type(await ws.receive(), Chat)
    assert_type(await ws.receive_model(), Chat)
    await ws.send(Chat(text="hi"))
    await ws.send("hi")  # type: ignore[arg-type]
    async for message in ws:
        assert_type(message, Chat)
    async with ws as entered:
        assert_type(entered, WebSocket[Chat, Chat])


def disconnects(ws: WebSocket[Chat, Chat], other: WebSocket[Say, Said]) -> None:
    gone = Disconnected(1000, "", websocket=ws)  # a WebSocket is a ConnectionLike
    assert_type(gone.websocket, ConnectionLike)
    assert_type(gone.websocket.close_code, int | None)
    assert gone.websocket is ws or gone.websocket is other  # compared by identity
    Disconnected(1000, "", websocket="ws")  # type: ignore[arg-type]


async def split_socket(scope: Scope, receive: Receive, send: Send) -> None:
    ws = WebSocket(scope, receive, send, receive_model=client_adapter, send_model=Said)
    assert_type(ws, WebSocket[Join | Say, Said])
    assert_type(await ws.receive_model(), Join | Say)
    assert_type(await ws.receive(), Join | Say)
    await ws.send_model(Said(text="x"))
    await ws.send_model(Join(type="join", name="x"))  # type: ignore[arg-type]
    async for message in ws:
        assert_type(message, Join | Say)


async def plain_sockets(scope: Scope, receive: Receive, send: Send) -> None:
    text = WebSocket(scope, receive, send)
    assert_type(text, WebSocket[str, str])
    assert_type(await text.receive(), str)
    await text.send(b"x")  # type: ignore[arg-type]

    binary = WebSocket(scope, receive, send, value_type="bytes")
    assert_type(await binary.receive(), bytes)
    await binary.send("x")  # type: ignore[arg-type]

    json = WebSocket(scope, receive, send, value_type="json")
    assert_type(await json.receive(), Any)
    await json.send({"any": ["json"]})

    assert_type(await text.receive_text(), str)
    assert_type(await text.receive_bytes(), bytes)
    assert_type(await text.receive_json(), Any)
    await text.send_text("x")
    await text.send_bytes(b"x")
    await text.send_text(1)  # type: ignore[arg-type]


async def from_starlette(websocket: StarletteWebSocket) -> None:
    ws = WebSocket(websocket, model=Chat)
    assert_type(await ws.receive(), Chat)


def reply(error: InvalidMessage) -> Said:
    return Said(text=error.reason)


async def options(scope: Scope, receive: Receive, send: Send) -> None:
    ws = WebSocket(
        scope,
        receive,
        send,
        model=Said,
        on_invalid="reply",
        invalid_reply=reply,
        close_codes={"validation": 4422},
        caught_close_codes=all,
        max_size=1024,
    )
    assert_type(ws, WebSocket[Said, Said])
    WebSocket(scope, receive, send, model=Said, max_size="1k")  # type: ignore[call-overload]
    limits = WebSocket(
        scope,
        receive,
        send,
        max_size=None,
        allowed_origins=["https://app.example", "https://*.example.com"],
        subprotocols=("chat.v1",),
        idle_timeout=30,
        send_timeout=None,
    )
    assert_type(limits, WebSocket[str, str])
    WebSocket(scope, receive, send, allowed_origins=5)  # type: ignore[call-overload]
    WebSocket(scope, receive, send, subprotocols=[1])  # type: ignore[list-item]
    WebSocket(scope, receive, send, idle_timeout="5")  # type: ignore[call-overload]
    WebSocket(scope, receive, send, on_invalid="ignore")  # type: ignore[call-overload]


async def close_code_tables(scope: Scope, receive: Receive, send: Send) -> None:
    WebSocket(scope, receive, send, close_codes=DEFAULT_CLOSE_CODES)
    table: dict[FailureKind, int] = {"validation": 4422}
    WebSocket(scope, receive, send, close_codes=table)
    WebSocket(scope, receive, send, close_codes={"validaton": 4422})  # type: ignore[dict-item]


async def type_forms(scope: Scope, receive: Receive, send: Send) -> None:
    union = WebSocket(scope, receive, send, model=ClientMsg)
    assert_type(union, WebSocket[Join | Say, Join | Say])
    bare = WebSocket(scope, receive, send, model=Join | Say)
    assert_type(bare, WebSocket[Join | Say, Join | Say])
    split = WebSocket(scope, receive, send, receive_model=ClientMsg, send_model=Said)
    assert_type(split, WebSocket[Join | Say, Said])
    await split.send(Join(type="join", name="x"))  # type: ignore[arg-type]
    explicit = WebSocket(
        scope,
        receive,
        send,
        receive_type="model",
        send_type="model",
        receive_model=ClientMsg,
        send_model=Said,
    )
    assert_type(explicit, WebSocket[Join | Say, Said])
    one_type = WebSocket(scope, receive, send, model=Chat, receive_type="model")
    assert_type(one_type, WebSocket[Chat, Chat])
    adapters = WebSocket(scope, receive, send, model=client_adapter)
    assert_type(adapters, WebSocket[Join | Say, Join | Say])
    mixed = WebSocket(scope, receive, send, receive_model=ClientMsg, send_model=TypeAdapter(Said))
    assert_type(mixed, WebSocket[Join | Say, Said])


async def fastapi_form(websocket: StarletteWebSocket) -> None:
    async with WebSocket(websocket, receive_model=ClientMsg, send_model=Said) as ws:
        async for message in ws:
            assert_type(message, Join | Say)
