"""Typing checks: each direction typed on its own, the two construction forms, invalid_reply.

Read by mypy --strict and pyright, never run; see check_websocket.py for the convention.
"""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from typing_extensions import assert_type

from tests.typing.messages import ClientMsg, Join, Problem, Said, Say
from typedws import InvalidMessage, WebSocket

said_adapter = TypeAdapter(Said)


async def one_side_a_model(scope: Scope, receive: Receive, send: Send) -> None:
    receiving = WebSocket(scope, receive, send, receive_model=Join)
    assert_type(receiving, WebSocket[Join, str])
    await receiving.send("text goes out")
    await receiving.send(Join(type="join", name="x"))  # type: ignore[arg-type]
    sending = WebSocket(scope, receive, send, send_model=said_adapter)
    assert_type(sending, WebSocket[str, Said])
    assert_type(await sending.receive(), str)


async def mixed_value_types(scope: Scope, receive: Receive, send: Send) -> None:
    json_in = WebSocket(
        scope, receive, send, receive_type="json", send_type="model", send_model=Said
    )
    assert_type(json_in, WebSocket[Any, Said])
    json_in_default = WebSocket(scope, receive, send, receive_type="json", send_model=Said)
    assert_type(json_in_default, WebSocket[Any, Said])
    text_bytes = WebSocket(scope, receive, send, receive_type="text", send_type="bytes")
    assert_type(text_bytes, WebSocket[str, bytes])
    await text_bytes.send("x")  # type: ignore[arg-type]
    bytes_model = WebSocket(scope, receive, send, receive_type="bytes", send_model=ClientMsg)
    assert_type(bytes_model, WebSocket[bytes, Join | Say])
    model_json = WebSocket(scope, receive, send, receive_model=ClientMsg, send_type="json")
    assert_type(model_json, WebSocket[Join | Say, Any])
    both_bytes = WebSocket(scope, receive, send, receive_type="bytes", send_type="bytes")
    assert_type(both_bytes, WebSocket[bytes, bytes])
    both_json = WebSocket(scope, receive, send, value_type="json", receive_type="json")
    assert_type(both_json, WebSocket[Any, Any])


async def explicit_defaults(scope: Scope, receive: Receive, send: Send) -> None:
    """``None`` given for an option is the option left out, as the signature says."""
    assert_type(WebSocket(scope, receive, send, model=None), WebSocket[str, str])
    nones = WebSocket(scope, receive, send, value_type=None, receive_model=None, send_model=Said)
    assert_type(nones, WebSocket[str, Said])
    json_in = WebSocket(scope, receive, send, value_type=None, receive_type="json", model=None)
    assert_type(json_in, WebSocket[Any, str])
    assert_type(WebSocket(scope, receive, send, model=Said, send_model=None), WebSocket[Said, Said])


async def contradictions(scope: Scope, receive: Receive, send: Send) -> None:
    """Options that contradict each other are type errors (and ConfigurationError)."""
    WebSocket(scope, receive, send, receive_model=Join, receive_type="text")  # type: ignore[call-overload]
    WebSocket(scope, receive, send, model=Join, value_type="json")  # type: ignore[call-overload]
    WebSocket(scope, receive, send, model=Join, receive_model=Say)  # type: ignore[call-overload]
    WebSocket(scope, receive, send, receive_type="model")  # type: ignore[call-overload]
    WebSocket(scope, receive, send, value_type="modle")  # type: ignore[call-overload]
    WebSocket(scope, receive, send, recieve_model=Join)  # type: ignore[call-overload]


async def construction_forms(
    scope: Scope, receive: Receive, send: Send, websocket: StarletteWebSocket
) -> None:
    assert_type(WebSocket(websocket), WebSocket[str, str])
    assert_type(WebSocket(scope, receive, send, model=Said), WebSocket[Said, Said])
    WebSocket(scope)  # type: ignore[call-overload]
    WebSocket(scope, receive)  # type: ignore[call-overload]
    WebSocket(websocket, receive, send)  # type: ignore[call-overload]
    WebSocket(websocket, model=Said, receive=receive)  # type: ignore[call-overload]


def problem(error: InvalidMessage) -> Problem:
    return Problem(reason=error.reason)


def said(error: InvalidMessage) -> Said:
    return Said(text=error.reason)


async def invalid_replies(scope: Scope, receive: Receive, send: Send) -> None:
    ws = WebSocket(scope, receive, send, model=Said, on_invalid="reply", invalid_reply=said)
    assert_type(ws, WebSocket[Said, Said])
    lam = WebSocket(
        scope,
        receive,
        send,
        receive_model=ClientMsg,
        send_model=Said,
        on_invalid="reply",
        invalid_reply=lambda error: Said(text=error.reason),
    )
    assert_type(lam, WebSocket[Join | Say, Said])
    text = WebSocket(scope, receive, send, on_invalid="reply", invalid_reply=lambda e: e.reason)
    assert_type(text, WebSocket[str, str])
    WebSocket(scope, receive, send, on_invalid="reply", invalid_reply=said)  # type: ignore[call-overload]
