"""Typing checks for endpoints: handlers fit their variant, and what they return fits S.

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field
from typing_extensions import assert_type

from tests.typing.messages import Answer, Ask, ClientMsg, Join, Said, Say
from typedws import Endpoint, ErrorReply, WebSocket, WebSocketRoute

Client = Annotated[Join | Say | Ask, Field(discriminator="type")]
Server = Said | Answer | ErrorReply
Socket = WebSocket[Join | Say | Ask, Said | Answer | ErrorReply]

chat = Endpoint(receive_model=Client, send_model=Server, on_invalid="reply")
assert_type(chat, Endpoint[Join | Say | Ask, Said | Answer | ErrorReply])


@chat.on(Join)
async def join(message: Join, ws: Socket, room: str) -> Said:
    return Said(text=f"{message.name} joined {room}")


@chat.on(Say)
async def say(message: Say, ws: Socket) -> None:
    await ws.send(Said(text=message.text))


@chat.request(Ask, reply=Answer)
async def ask(message: Ask, ws: Socket) -> Answer:
    return Answer(text=message.question.upper())


@chat.on_connect
async def connect(ws: Socket, room: str) -> None:
    ws.state.room = room


@chat.on_disconnect
async def disconnect(ws: Socket) -> None:
    assert_type(ws.close_code, int | None)


route = chat.route("/chat/{room}")
assert_type(route, WebSocketRoute[Join | Say | Ask, Said | Answer | ErrorReply])

other = Endpoint(receive_model=ClientMsg, send_model=Said)


@other.on(Join)  # type: ignore[arg-type]
async def returns_outside_send_type(message: Join, ws: WebSocket[Join | Say, Said]) -> Join:
    return message


@other.on(Join)  # type: ignore[arg-type]
async def takes_another_variant(message: Say, ws: WebSocket[Join | Say, Said]) -> None:
    del message


@other.on(Say)  # type: ignore[arg-type]
async def takes_another_socket(message: Say, ws: WebSocket[Join | Say, Join]) -> None:
    del message


@chat.request(Ask, reply=Answer)  # type: ignore[arg-type]
async def replies_with_another_type(message: Ask, ws: Socket) -> Said:
    return Said(text=message.question)


Endpoint(value_type="text")  # type: ignore[call-overload]
Endpoint(receive_model=ClientMsg)  # type: ignore[call-overload]
Endpoint(receive_model=ClientMsg, send_model=Said, recieve_type="model")  # type: ignore[call-overload]
