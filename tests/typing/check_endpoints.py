"""Typing checks for endpoints: handlers fit their variant, and what they return fits S;
the decorators hand each handler back with its own type.

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field
from typing_extensions import assert_type

from tests.typing.messages import Answer, Ask, ClientMsg, Join, Said, Say
from typedws import Endpoint, ErrorReply, WebSocket, WebSocketRoute
from typedws.endpoint import ConnectHook, MessageHandler, RequestHandler

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


async def handlers_keep_their_types(ws: Socket) -> None:
    """A decorated handler is the function as declared: its result and its path parameters."""
    said = await join(Join(type="join", name="x"), ws, room="lobby")
    assert_type(said, Said)
    await join(Join(type="join", name="x"), ws, rooom="lobby")  # type: ignore[call-arg]
    assert_type(await say(Say(type="say", text="x"), ws), None)
    assert_type(await ask(Ask(type="ask", id="1", question="?"), ws), Answer)
    await connect(ws, room="lobby")
    await connect(ws, rooom="lobby")  # type: ignore[call-arg]
    await disconnect(ws, "lobby")  # type: ignore[call-arg]


# The shapes alone, their last parameters left to their defaults, as annotations.
join_shape: MessageHandler[Join, Join | Say | Ask, Said | Answer | ErrorReply] = join
ask_shape: RequestHandler[Ask, Join | Say | Ask, Said | Answer | ErrorReply, Answer] = ask
connect_shape: ConnectHook[Join | Say | Ask, Said | Answer | ErrorReply] = connect
say_shape: MessageHandler[Join, Join | Say | Ask, Said | Answer | ErrorReply] = say  # type: ignore[assignment]
other_shape: MessageHandler[Join, Join | Say, Said] = join  # type: ignore[assignment]

lobby = Endpoint(receive_model=ClientMsg, send_model=Said)
hall = Endpoint(receive_model=Client, send_model=Server)


@lobby.on_connect
@hall.on_connect
async def admit_any(ws: WebSocket[Any, Any], room: str) -> None:
    """One hook that takes any socket, registered on two endpoints."""
    ws.state.room = room


@lobby.on_disconnect
@hall.on_disconnect
async def leave_any(ws: WebSocket[Any, Any]) -> None:
    del ws


async def shared_hooks(ws: WebSocket[Join | Say, Said]) -> None:
    await admit_any(ws, room="lobby")
    await admit_any(ws, rooom="lobby")  # type: ignore[call-arg]


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


@other.on(Join)  # type: ignore[arg-type]
def not_async(message: Join, ws: WebSocket[Join | Say, Said]) -> None:
    del message


@other.on_connect  # type: ignore[arg-type]
async def connects_another_socket(ws: WebSocket[Join | Say, Join]) -> None:
    del ws


@other.on_connect  # type: ignore[arg-type]
async def connect_returns_a_message(ws: WebSocket[Join | Say, Said]) -> Said:
    return Said(text="hi")


@other.on_disconnect  # type: ignore[arg-type]
async def disconnects_another_socket(ws: WebSocket[Join, Said]) -> None:
    del ws


Endpoint(value_type="text")  # type: ignore[call-overload]
Endpoint(receive_model=ClientMsg)  # type: ignore[call-overload]
Endpoint(receive_model=ClientMsg, send_model=Said, recieve_type="model")  # type: ignore[call-overload]
