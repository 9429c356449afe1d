"""Typing checks for routes: the handler must take the WebSocket its route's options make.

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI
from pydantic import TypeAdapter
from starlette.applications import Starlette
from typing_extensions import assert_type

from tests.typing.messages import ClientMsg, Join, Problem, Said, Say
from typedws import InvalidMessage, WebSocket, WebSocketRoute, route
from typedws.fastapi import add_typed_route


@route("/chat/{room}", receive_model=ClientMsg, send_model=Said, name="chat")
async def chat(ws: WebSocket[Join | Say, Said], room: str) -> None:
    async for message in ws:
        assert_type(message, Join | Say)
        await ws.send(Said(text=room))


assert_type(chat, WebSocketRoute[Join | Say, Said])
assert_type(chat.receive_adapter, TypeAdapter[Join | Say] | None)
assert_type(chat.send_adapter, TypeAdapter[Said] | None)


@route("/echo")
async def echo(ws: WebSocket[str, str]) -> None:
    await ws.send(await ws.receive())


assert_type(echo, WebSocketRoute[str, str])


@route("/any", model=Said)
async def escape_hatch(ws: WebSocket[Any, Any]) -> None:
    await ws.send(Said(text="x"))


@route("/wrong-send", receive_model=ClientMsg, send_model=Said)  # type: ignore[arg-type]
async def wrong_send(ws: WebSocket[Join | Say, Join]) -> None:
    await ws.send(Join(type="join", name="x"))


@route("/not-a-socket", model=Said)  # type: ignore[arg-type]
async def not_a_socket(ws: int) -> None:
    del ws


@route("/returns", model=Said)  # type: ignore[arg-type]
async def returns_a_value(ws: WebSocket[Said, Said]) -> int:
    return 1


@route("/sync", model=Said)  # type: ignore[arg-type]
def not_async(ws: WebSocket[Said, Said]) -> None:
    del ws


def reply(error: InvalidMessage) -> Problem:
    return Problem(reason=error.reason)


@route("/reply", model=Said, on_invalid="reply", invalid_reply=reply)  # type: ignore[call-overload, untyped-decorator]
async def reply_outside_send_type(ws: WebSocket[Said, Said]) -> None:
    del ws


route("/x", recieve_model=Join)  # type: ignore[call-overload]
route("/x", model=Said, on_invalid="ignore")  # type: ignore[call-overload]
route("/x", model=Said, max_size="1k")  # type: ignore[call-overload]
route("/x", model=Said, allowed_origins=5)  # type: ignore[call-overload]
route("/x", model=Said, subprotocols=[1])  # type: ignore[list-item]
route("/x", model=Said, send_timeout="10s")  # type: ignore[call-overload]
route("/x", value_type="modle")  # type: ignore[call-overload]
route("/x", close_codes={"validaton": 4422})  # type: ignore[dict-item]


async def said_handler(ws: WebSocket[Join | Say, Said], room: str) -> None:
    del ws, room


explicit = WebSocketRoute("/chat/{room}", said_handler, receive_model=ClientMsg, send_model=Said)
assert_type(explicit, WebSocketRoute[Join | Say, Said])
WebSocketRoute("/chat", said_handler, model=Said)  # type: ignore[arg-type]
WebSocketRoute("/chat", said_handler, recieve_model=Join)  # type: ignore[call-overload]

app = Starlette(routes=[chat, echo, explicit])
router = APIRouter()
add_typed_route(router, chat)
add_typed_route(router, said_handler)  # type: ignore[arg-type]
api = FastAPI()
api.include_router(router, prefix="/v1")
