"""Typing checks for the client and the test client: read by mypy --strict and pyright, never
run; see check_websocket.py for the convention (a ``# type: ignore[...]`` line must be an
error)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field
from starlette.applications import Starlette
from typing_extensions import assert_type

from tests.typing.messages import Answer, Ask, Chat, ClientMsg, Join, Said, Say, client_adapter
from typedws import (
    Client,
    Connecting,
    Disconnected,
    ErrorReply,
    Reconnect,
    RequestFailed,
    Resume,
    connect,
)
from typedws.error_reply import ErrorItem
from typedws.msgspec_codec import ErrorReply as StructErrorReply
from typedws.testing import TestClient

Requests = Annotated[Join | Say | Ask, Field(discriminator="type")]


async def typed_client() -> None:
    connecting = connect("ws://x/chat", receive_model=Said, send_model=ClientMsg)
    assert_type(connecting, Connecting[Said, Join | Say])
    async with connecting as client:
        assert_type(client, Client[Said, Join | Say])
        assert_type(await client.receive(), Said)
        assert_type(await client.receive_model(), Said)
        await client.send(Join(type="join", name="x"))
        await client.send(Said(text="x"))  # type: ignore[arg-type]
        await client.send_model(Said(text="x"))  # type: ignore[arg-type]
        async for message in client:
            assert_type(message, Said)
        await client.close(1000, "bye")


async def requests() -> None:
    client = await connect("ws://x", receive_model=Said | Answer, send_model=Requests)
    assert_type(client, Client[Said | Answer, Join | Say | Ask])
    reply = await client.request(Ask(type="ask", id="", question="?"), reply=Answer, timeout=1)
    assert_type(reply, Answer)
    await client.request(Answer(text="x"), reply=Answer)  # type: ignore[arg-type]


def failed_request(failed: RequestFailed) -> None:
    """What an error reply holds, whichever library wrote it; narrowed by isinstance."""
    error = failed.error
    assert_type(error.kind, Literal["frame_type", "json", "validation", "too_big", "handler"])
    assert_type(error.code, int)
    assert_type(error.reason, str)
    assert_type(error.errors, list[ErrorItem])
    assert_type(error.id, str | int | None)
    assert_type(error.errors[0]["loc"], list[str | int])
    print(error.message)  # type: ignore[attr-defined]
    if isinstance(error, ErrorReply):
        assert_type(error, ErrorReply)
    elif isinstance(error, StructErrorReply):
        assert_type(error, StructErrorReply)


async def value_types() -> None:
    text = await connect("ws://x")
    assert_type(text, Client[str, str])
    assert_type(await text.receive(), str)
    await text.send(b"x")  # type: ignore[arg-type]
    binary = await connect("ws://x", value_type="bytes")
    assert_type(await binary.receive(), bytes)
    json = await connect("ws://x", value_type="json")
    assert_type(json, Client[Any, Any])
    both = await connect("ws://x", model=Chat)
    assert_type(both, Client[Chat, Chat])
    adapted = await connect("ws://x", receive_model=client_adapter, send_type="text")
    assert_type(adapted, Client[Join | Say, str])


async def rejoin(client: Client[Said, Join | Say]) -> None:
    await client.send(Join(type="join", name="x"))


async def options() -> None:
    await connect(
        "ws://x",
        receive_model=Said,
        send_model=ClientMsg,
        subprotocols=["chat"],
        additional_headers={"authorization": "Bearer x"},
        open_timeout=5,
        receive_timeout=None,
        reconnect=Reconnect(max_attempts=3),
        on_reconnect=rejoin,
        resume=Resume(field="offset", param="since"),
    )
    connect("ws://x", model=Said, reconnect=True, resume="offset")  # type: ignore[call-overload]
    connect("ws://x", recieve_model=Said)  # type: ignore[call-overload]
    connect("ws://x", model=Said, receive_timeout="1s")  # type: ignore[call-overload]


async def test_client(app: Starlette) -> None:
    async with TestClient(app).connect("/chat", receive_model=Said, send_model=ClientMsg) as ws:
        assert_type(ws, Client[Said, Join | Say])
        assert_type(await ws.receive(), Said)
        await ws.send(Said(text="x"))  # type: ignore[arg-type]
        assert_type(await ws.expect_close(1000), Disconnected)
        assert (await ws.expect_close(1000)).websocket is ws  # a Client is a ConnectionLike
    async with TestClient(app, lifespan_timeout=None) as client:  # runs the lifespan
        assert_type(client, TestClient)
        async with client.connect("/chat", receive_model=Said, send_model=ClientMsg) as ws:
            assert_type(ws, Client[Said, Join | Say])
    TestClient(app, lifespan_timeout="5")  # type: ignore[arg-type]
