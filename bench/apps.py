"""One ASGI app per contender, each echoing the message mix at ``/``; uvicorn imports them."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi import WebSocket as FastAPIWebSocket
from pydantic import ValidationError
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect

from bench.messages import ADAPTER, Ack, Chat, Join, Message, Move, Presence
from typedws import Endpoint, WebSocket, route

Union = Chat | Join | Move | Ack | Presence
POLICY_VIOLATION = 1008


async def bare(scope: Scope, receive: Receive, send: Send) -> None:
    """The floor: ASGI messages straight back, no framework and no validation."""
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    while True:
        message = await receive()
        if message["type"] != "websocket.receive":
            return
        await send({"type": "websocket.send", "text": message.get("text")})


async def _raw(ws: StarletteWebSocket) -> None:
    await ws.accept()
    try:
        while True:
            await ws.send_text(await ws.receive_text())
    except WebSocketDisconnect:
        pass


async def _expert(ws: StarletteWebSocket) -> None:
    await ws.accept()
    try:
        while True:
            try:
                message = ADAPTER.validate_json(await ws.receive_text())
            except ValidationError:
                await ws.close(POLICY_VIOLATION)
                return
            await ws.send_text(ADAPTER.dump_json(message).decode())
    except WebSocketDisconnect:
        pass


raw = Starlette(routes=[WebSocketRoute("/", _raw)])
expert = Starlette(routes=[WebSocketRoute("/", _expert)])

fastapi_naive = FastAPI()


@fastapi_naive.websocket("/")
async def _naive(ws: FastAPIWebSocket) -> None:
    await ws.accept()
    try:
        while True:
            try:
                message = ADAPTER.validate_python(await ws.receive_json())
            except ValidationError:
                await ws.close(POLICY_VIOLATION)
                return
            await ws.send_json(message.model_dump(mode="json"))
    except WebSocketDisconnect:
        pass


@route("/", receive_model=Message, send_model=Message)
async def _typedws_route(ws: WebSocket[Union, Union]) -> None:
    async for message in ws:
        await ws.send(message)


typedws_route = Starlette(routes=[_typedws_route])


async def _typedws_websocket(websocket: StarletteWebSocket) -> None:
    async with WebSocket(websocket, receive_model=Message, send_model=Message) as ws:
        async for message in ws:
            await ws.send(message)


typedws_websocket = Starlette(routes=[WebSocketRoute("/", _typedws_websocket)])

_echo = Endpoint(receive_model=Message, send_model=Message)


@_echo.on(Chat)
async def _on_chat(message: Chat, ws: WebSocket[Union, Union]) -> Chat:
    return message


@_echo.on(Join)
async def _on_join(message: Join, ws: WebSocket[Union, Union]) -> Join:
    return message


@_echo.on(Move)
async def _on_move(message: Move, ws: WebSocket[Union, Union]) -> Move:
    return message


@_echo.on(Ack)
async def _on_ack(message: Ack, ws: WebSocket[Union, Union]) -> Ack:
    return message


@_echo.on(Presence)
async def _on_presence(message: Presence, ws: WebSocket[Union, Union]) -> Presence:
    return message


typedws_endpoint = Starlette(routes=[_echo.route("/")])
