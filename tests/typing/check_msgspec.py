"""Typing checks for ``msgspec.Struct`` message types: the same options type the WebSocket,
routes and endpoints as pydantic types do (each option takes any TypeForm).

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from typing import Annotated

import msgspec
from pydantic import TypeAdapter
from starlette.types import Receive, Scope, Send
from typing_extensions import assert_type

from typedws import Endpoint, InvalidMessage, WebSocket, WebSocketRoute, route
from typedws.codecs import MessageCodec
from typedws.msgspec_codec import ErrorReply, StructCodec


class Join(msgspec.Struct, tag="join"):
    name: str


class Say(msgspec.Struct, tag="say"):
    text: str


class Said(msgspec.Struct, tag="said"):
    text: str


class Ask(msgspec.Struct, tag="ask"):
    id: int
    question: str


class Answer(msgspec.Struct, tag="answer"):
    answer: str
    id: int = 0


ClientMessage = Annotated[Join | Say, msgspec.Meta(description="What clients send.")]


async def websockets(scope: Scope, receive: Receive, send: Send) -> None:
    ws = WebSocket(scope, receive, send, model=Say)
    assert_type(ws, WebSocket[Say, Say])
    assert_type(await ws.receive(), Say)

    split = WebSocket(scope, receive, send, receive_model=Join | Say, send_model=Said)
    assert_type(split, WebSocket[Join | Say, Said])
    assert_type(await split.receive_model(), Join | Say)
    await split.send(Said(text="x"))
    await split.send(Say(text="x"))  # type: ignore[arg-type]
    async for message in split:
        assert_type(message, Join | Say)

    annotated = WebSocket(scope, receive, send, receive_model=ClientMessage, send_model=Said)
    assert_type(annotated, WebSocket[Join | Say, Said])
    assert_type(annotated.receive_adapter, TypeAdapter[Join | Say] | None)
    assert_type(annotated.receive_model_codec, MessageCodec[Join | Say] | None)


@route("/chat/{room}", receive_model=Join | Say, send_model=Said)
async def chat(ws: WebSocket[Join | Say, Said], room: str) -> None:
    async for message in ws:
        if isinstance(message, Say):
            await ws.send(Said(text=f"{message.text} in {room}"))


assert_type(chat, WebSocketRoute[Join | Say, Said])
assert_type(chat.send_model_codec, MessageCodec[Said] | None)


@route("/wrong", receive_model=Join | Say, send_model=Said)  # type: ignore[arg-type]
async def wrong(ws: WebSocket[Join | Say, Join]) -> None:
    pass


api = Endpoint(receive_model=Join | Ask, send_model=Said | Answer | ErrorReply, on_invalid="reply")
assert_type(api, Endpoint[Join | Ask, Said | Answer | ErrorReply])
assert_type(api.receive_adapter, TypeAdapter[Join | Ask] | None)
ApiSocket = WebSocket[Join | Ask, Said | Answer | ErrorReply]


@api.on(Join)
async def on_join(message: Join, ws: ApiSocket) -> Said:
    return Said(text=message.name)


@api.request(Ask, reply=Answer)
async def on_ask(request: Ask, ws: ApiSocket) -> Answer:
    return Answer(answer=request.question)


@api.on(Join)  # type: ignore[arg-type]
async def takes_another_variant(message: Ask, ws: ApiSocket) -> None:
    pass


codec = StructCodec[Join | Say](Join | Say)
assert_type(codec.decode({"type": "websocket.receive", "text": "{}"}), Join | Say)
codec.encode(Said(text="x"))  # type: ignore[arg-type]
assert_type(ErrorReply.of(InvalidMessage("json", 1007, "not JSON")), ErrorReply)
