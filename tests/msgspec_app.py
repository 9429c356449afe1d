"""A Starlette app typed with ``msgspec.Struct`` messages: the routes and the endpoint the
msgspec tests drive over uvicorn, and export schemas for."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

import msgspec
from starlette.applications import Starlette

from typedws import Endpoint, InvalidOutgoingMessage, WebSocket, route
from typedws.msgspec_codec import ErrorReply

MARKER = "SECRET-MARKER"
"""What the tests put in their input, to check that it never comes back."""


class Join(msgspec.Struct, tag="join", forbid_unknown_fields=True):
    """A user joins."""

    name: Annotated[str, msgspec.Meta(max_length=20, pattern="^[A-Za-z -]+$")]


class Say(msgspec.Struct, tag="say", forbid_unknown_fields=True):
    text: str
    seq: int = 0
    mood: Literal["calm", "loud"] = "calm"
    scores: dict[str, int] = {}
    tags: list[str] = []


class Move(msgspec.Struct, tag="move"):
    x: float
    y: Annotated[float, msgspec.Meta(ge=-1000.0, le=1000.0)]


class Checked(msgspec.Struct, tag="checked"):
    text: str

    def __post_init__(self) -> None:
        if self.text != "ok":
            raise ValueError(f"not ok: {self.text}")


ClientMessage = Join | Say | Move | Checked


class Said(msgspec.Struct, tag="said"):
    text: str
    seq: int


class LoudSaid(Said, tag="loud-said"):
    pass


class Ask(msgspec.Struct, tag="ask"):
    id: int
    question: str


class Boom(msgspec.Struct, tag="boom"):
    id: int


class Answer(msgspec.Struct, tag="answer"):
    answer: str
    id: int = 0


@route("/echo", model=ClientMessage)
async def echo(ws: WebSocket[Join | Say | Move | Checked, Join | Say | Move | Checked]) -> None:
    async for message in ws:
        await ws.send(message)


@route("/small", model=ClientMessage, max_size=64)
async def small(ws: WebSocket[Join | Say | Move | Checked, Join | Say | Move | Checked]) -> None:
    async for message in ws:
        await ws.send(message)


@route("/wrong-send", receive_model=Say, send_model=Said)
async def wrong_send(ws: WebSocket[Say, Said]) -> None:
    """Tries to send what the send type does not take, and reports what happened."""
    async for message in ws:
        for value in (message, LoudSaid(text=message.text, seq=message.seq)):
            try:
                await ws.send(cast(Any, value))
            except InvalidOutgoingMessage as exc:
                await ws.send_text(f"refused: {exc}")
        await ws.send(Said(text=message.text, seq=message.seq))


api = Endpoint(
    receive_model=Join | Say | Ask | Boom,
    send_model=Said | Answer | ErrorReply,
    on_invalid="reply",
)
ApiSocket = WebSocket[Join | Say | Ask | Boom, Said | Answer | ErrorReply]


@api.on(Join)
async def on_join(message: Join, ws: ApiSocket) -> Said:
    return Said(text=f"hello {message.name}", seq=0)


@api.on(Say)
async def on_say(message: Say, ws: ApiSocket, room: str) -> Said:
    return Said(text=f"{message.text} in {room}", seq=message.seq)


@api.request(Ask, reply=Answer)
async def on_ask(request: Ask, ws: ApiSocket) -> Answer:
    return Answer(answer=request.question.upper())  # no id: the endpoint puts it in


@api.request(Boom, reply=Answer)
async def on_boom(request: Boom, ws: ApiSocket) -> Answer:
    raise RuntimeError(f"request handler bug {MARKER}")


app = Starlette(routes=[echo, small, wrong_send, api.route("/api/{room}", name="api")])
