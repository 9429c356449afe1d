"""Typing checks for ``typedws.broadcast``: a ``Topic[T]`` types what is published to it,
what its subscribers get and which connections may join its room.

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from pydantic import TypeAdapter
from starlette.types import Receive, Scope, Send
from typing_extensions import assert_type

from tests.typing.messages import Chat, ClientMsg, Join, Problem, Said, Say, client_adapter
from typedws import WebSocket
from typedws.broadcast import Broadcast, Delivery, Room, Subscription, Topic

said = Topic("said", Said)
assert_type(said, Topic[Said])
moves = Topic("moves", ClientMsg)
assert_type(moves, Topic[Join | Say])
Topic(1, Said)  # type: ignore[call-overload]
adapted = Topic("said", TypeAdapter(Said))
assert_type(adapted, Topic[Said])
assert_type(Topic("moves", client_adapter), Topic[Join | Say])


async def publish(broadcast: Broadcast) -> None:
    assert_type(await broadcast.publish(said, Said(text="x")), str)
    await broadcast.publish(moves, Join(type="join", name="x"))
    await broadcast.publish(said, Chat(text="x"))  # type: ignore[misc]
    await broadcast.publish(moves, Said(text="x"))  # type: ignore[misc]
    await broadcast.publish("by-name", Said(text="x"))
    await broadcast.publish("by-name", Said(text="x"), typ=Said)  # type: ignore[call-overload]
    await broadcast.publish(adapted, Said(text="x"))
    await broadcast.publish(adapted, Chat(text="x"))  # type: ignore[misc]


async def subscribe(broadcast: Broadcast) -> None:
    stream = broadcast.subscribe(said, since="0:1", max_queue=10, on_overflow="close")
    assert_type(stream, Subscription[Said])
    async with stream as entered:
        assert_type(entered, Subscription[Said])
        assert_type(entered.recovered, bool)
        assert_type(entered.dropped, int)
        assert_type(entered.offset, str | None)
        async for delivery in entered:
            assert_type(delivery, Delivery[Said])
            assert_type(delivery.message, Said)
            assert_type(delivery.offset, str)
    async with broadcast.subscribe("moves", ClientMsg) as by_name:
        async for move in by_name:
            assert_type(move.message, Join | Say)
    assert_type(broadcast.subscribe("said", TypeAdapter(Said)), Subscription[Said])
    assert_type(broadcast.subscribe("moves", client_adapter), Subscription[Join | Say])
    assert_type(broadcast.subscribe(adapted), Subscription[Said])
    broadcast.subscribe(said, on_overflow="block")  # type: ignore[call-overload]
    broadcast.subscribe(adapted, TypeAdapter(Said))  # type: ignore[call-overload]
    broadcast.subscribe(said, Said)  # type: ignore[call-overload]
    broadcast.subscribe("said")  # type: ignore[call-overload]
    broadcast.subscribe(said, since=1)  # type: ignore[call-overload]


async def rooms(broadcast: Broadcast, scope: Scope, receive: Receive, send: Send) -> None:
    room = broadcast.room(said, max_queue=100, on_overflow="close", close_code=1008)
    assert_type(room, Room[Said])
    assert_type(broadcast.room("said", Said, offset_field="offset"), Room[Said])
    assert_type(broadcast.room("said", TypeAdapter(Said)), Room[Said])
    assert_type(broadcast.room(adapted, max_queue=10), Room[Said])
    broadcast.room("said", TypeAdapter(Said), max_queue="10")  # type: ignore[call-overload]
    wider = WebSocket(scope, receive, send, receive_model=ClientMsg, send_model=Said | Problem)
    exact = WebSocket(scope, receive, send, model=Said)
    other = WebSocket(scope, receive, send, model=Chat)
    assert_type(await room.join(wider), bool)
    await room.join(exact, since="0:1")
    await room.join(other)  # type: ignore[arg-type]
    async with room.joined(wider) as recovered:
        assert_type(recovered, bool)
    assert_type(await room.publish(Said(text="x")), str)
    await room.publish(Chat(text="x"))  # type: ignore[arg-type]
    await broadcast.leave_all(other)
