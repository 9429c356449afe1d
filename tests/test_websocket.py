"""WebSocket over a real uvicorn server and a real client: every seed method, every row of
the close-code table, the lifecycle, and misuse."""

from __future__ import annotations

import json
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import WebSocketRoute as StarletteRoute
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect
from websockets.exceptions import InvalidStatus

from tests.messages import Event, Ping
from tests.server import WS_IMPLEMENTATIONS, ASGIEndpoint, close_of, connect, run_server
from typedws import (
    CloseCode,
    ConfigurationError,
    InvalidMessage,
    InvalidOutgoingMessage,
    InvalidState,
    WebSocket,
)

outcomes: queue.Queue[tuple[str, Any]] = queue.Queue()


def outcome() -> tuple[str, Any]:
    """The next thing a server-side handler reported."""
    return outcomes.get(timeout=10)


class Ack(BaseModel):
    seq: int


def endpoint(path: str, **options: Any) -> Any:
    """Route an ``async def (ws)`` handler at *path*, building the WebSocket from the scope."""

    def decorate(handler: Any) -> StarletteRoute:
        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            await handler(WebSocket(scope, receive, send, **options))

        return StarletteRoute(path, ASGIEndpoint(app))

    return decorate


@endpoint("/echo/text")
async def echo_text(ws: WebSocket[str, str]) -> None:
    async with ws:
        async for message in ws:
            await ws.send(message)


@endpoint("/echo/bytes", value_type="bytes")
async def echo_bytes(ws: WebSocket[bytes, bytes]) -> None:
    async with ws:
        async for message in ws:
            await ws.send(message)


@endpoint("/echo/json", value_type="json")
async def echo_json(ws: WebSocket[Any, Any]) -> None:
    async with ws:
        async for message in ws:
            await ws.send(message)


@endpoint("/echo/model", value_type="model", model=Event, max_size=1024)
async def echo_model(ws: WebSocket[Any, Any]) -> None:
    async with ws:
        async for message in ws:
            await ws.send(message)


@endpoint("/ack", receive_model=Ping, send_model=Ack)
async def ack(ws: WebSocket[Ping, Ack]) -> None:
    async with ws:
        async for ping in ws:
            await ws.send_model(Ack(seq=ping.seq))


@endpoint("/methods", receive_model=Ping, send_model=Ping)
async def methods(ws: WebSocket[Ping, Ping]) -> None:
    """Receive one message of each kind with the named methods, echo each with its pair."""
    async with ws:
        await ws.send_text(await ws.receive_text())
        await ws.send_bytes(await ws.receive_bytes())
        await ws.send_json(await ws.receive_json())
        await ws.send_model(await ws.receive_model())
        raw = await ws.receive_raw()
        await ws.send_raw({"type": "websocket.send", "text": raw["text"].upper()})
        event = await ws.receive_event()
        await ws.send_event({"type": "websocket.send", "bytes": event["bytes"][::-1]})


@endpoint("/info/{room}")
async def info(ws: WebSocket[str, str]) -> None:
    async with ws:
        assert ws.client is not None
        await ws.send_json(
            {
                "path": ws.url.path,
                "room": ws.path_params["room"],
                "q": ws.query_params["q"],
                "header": ws.headers["x-test"],
                "host": ws.client.host,
                "scope_type": ws.scope["type"],
            }
        )


@endpoint("/accept-options")
async def accept_options(ws: WebSocket[str, str]) -> None:
    await ws.accept(subprotocol="chat.v1", headers=[(b"x-typedws", b"yes")])
    await ws.accept()  # already accepted: nothing happens
    async with ws:  # entered after a manual accept: accepts nothing more
        await ws.send("ok")


@endpoint("/reject")
async def reject(ws: WebSocket[str, str]) -> None:
    await ws.reject()


@endpoint("/deny")
async def deny(ws: WebSocket[str, str]) -> None:
    await ws.send_denial_response(PlainTextResponse("members only", status_code=401))
    outcomes.put(("denied", ws.closed))


@endpoint("/reject-after-accept")
async def reject_after_accept(ws: WebSocket[str, str]) -> None:
    await ws.accept()
    await ws.reject("not allowed")


@endpoint("/close/{code:int}")
async def close_with(ws: WebSocket[str, str]) -> None:
    await ws.accept()
    await ws.close(ws.path_params["code"], "é" * 100)
    try:
        await ws.send("too late")
    except InvalidState as exc:
        outcomes.put(("send after close", exc))
    await ws.ensure_closed()
    outcomes.put(("ensure_closed after close", ws.closed))


@endpoint("/crash")
async def crash(ws: WebSocket[str, str]) -> None:
    try:
        async with ws:
            await ws.receive()
            raise KeyError("boom")
    except KeyError as exc:
        outcomes.put(("crash", exc))


@endpoint("/disconnect", catch_disconnect=False)
async def disconnect_propagates(ws: WebSocket[str, str]) -> None:
    try:
        async with ws:
            await ws.receive()
    except WebSocketDisconnect as exc:
        outcomes.put(("propagated", exc.code))
    await ws.ensure_closed()
    outcomes.put(("ensure_closed after disconnect", ws.closed))


@endpoint("/caught", caught_close_codes=(1001,))
async def caught_codes(ws: WebSocket[str, str]) -> None:
    try:
        async with ws:
            await ws.receive()
        outcomes.put(("silenced", None))
    except WebSocketDisconnect as exc:
        outcomes.put(("propagated", exc.code))


@endpoint("/iterate")
async def iterate(ws: WebSocket[str, str]) -> None:
    received = []
    async with ws:
        async for message in ws:
            received.append(message)
    outcomes.put(("iterated", received))


@endpoint("/policy/raise", value_type="model", model=Ping, on_invalid="raise")
async def policy_raise(ws: WebSocket[Ping, Ping]) -> None:
    async with ws:
        while True:
            try:
                await ws.send(Ping(seq=(await ws.receive()).seq + 1))
            except InvalidMessage as exc:
                await ws.send_text(f"{exc.kind} {exc.close_code}")


@endpoint(
    "/policy/reply",
    value_type="model",
    model=Ping,
    on_invalid="reply",
    invalid_reply=lambda exc: Ping(seq=-exc.close_code),
)
async def policy_reply(ws: WebSocket[Ping, Ping]) -> None:
    async with ws:
        async for ping in ws:
            await ws.send(ping)


@endpoint("/override", model=Ping, close_codes={"validation": 4422})
async def override(ws: WebSocket[Ping, Ping]) -> None:
    async with ws:
        async for ping in ws:
            await ws.send(ping)


@endpoint("/bad-send", model=Ping)
async def bad_send(ws: WebSocket[Ping, Ping]) -> None:
    async with ws:
        await ws.receive()
        try:
            await ws.send({"seq": "not a number"})  # type: ignore[arg-type]
        except InvalidOutgoingMessage as exc:
            outcomes.put(("bad send", exc))
        await ws.send(Ping(seq=2))


@endpoint("/receive-first")
async def receive_first(ws: WebSocket[str, str]) -> None:
    try:
        await ws.receive()
    except InvalidState as exc:
        outcomes.put(("receive before accept", exc))
    await ws.close()


async def shared_state(websocket: StarletteWebSocket) -> None:
    """A Starlette endpoint that wraps its WebSocket and mixes both views."""
    ws = WebSocket(websocket)
    await ws.accept()
    await websocket.send_text(f"starlette sees {websocket.application_state.name}")
    await ws.close(CloseCode.GOING_AWAY)
    outcomes.put(("starlette state after close", websocket.application_state.name))


app = Starlette(
    routes=[
        echo_text,
        echo_bytes,
        echo_json,
        echo_model,
        ack,
        methods,
        info,
        accept_options,
        reject,
        deny,
        reject_after_accept,
        close_with,
        crash,
        disconnect_propagates,
        caught_codes,
        iterate,
        policy_raise,
        policy_reply,
        override,
        bad_send,
        receive_first,
        StarletteRoute("/shared-state", shared_state),
    ]
)


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The app under uvicorn, once with each of uvicorn's WebSocket implementations."""
    with run_server(app, ws=request.param) as base:
        yield base


@pytest.fixture(autouse=True)
def no_stale_outcomes() -> None:
    while not outcomes.empty():
        outcomes.get_nowait()


# Value types


@pytest.mark.parametrize(
    ("path", "value"),
    [("/echo/text", "héllo ✓"), ("/echo/bytes", b"\x00\xff"), ("/echo/json", '{"a":[1,2.5,null]}')],
)
def test_echo_each_value_type(url: str, path: str, value: str | bytes) -> None:
    """text, bytes and json sockets send back what they receive, in the same frame kind."""
    with connect(url + path) as client:
        client.send(value)
        assert client.recv(timeout=10) == value


def test_model_echo(url: str) -> None:
    """A model socket validates incoming JSON and serializes the value back."""
    sent = '{"type":"post","author":{"name":"Zoë"},"body":"hi","at":"2024-01-02T03:04:05+02:00"}'
    with connect(url + "/echo/model") as client:
        client.send(sent)
        echoed = json.loads(client.recv(timeout=10))
    assert echoed["author"] == {"name": "Zoë", "nickname": None, "tags": []}
    assert echoed["at"] == "2024-01-02T03:04:05+02:00"


def test_receive_and_send_models_differ(url: str) -> None:
    """receive_model and send_model type each direction on its own."""
    with connect(url + "/ack") as client:
        client.send('{"type":"ping","seq":41}')
        assert json.loads(client.recv(timeout=10)) == {"seq": 41}


def test_every_named_method(url: str) -> None:
    """receive_/send_ text, bytes, json, model, raw and event each work over the wire."""
    with connect(url + "/methods") as client:
        client.send("plain")
        assert client.recv(timeout=10) == "plain"
        client.send(b"\x01\x02")
        assert client.recv(timeout=10) == b"\x01\x02"
        client.send('{"k": ["v", 1]}')
        assert json.loads(client.recv(timeout=10)) == {"k": ["v", 1]}
        client.send('{"type": "ping", "seq": 7}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 7}
        client.send("raw")
        assert client.recv(timeout=10) == "RAW"
        client.send(b"abc")
        assert client.recv(timeout=10) == b"cba"
        assert close_of(client) == (1000, "")


def test_starlette_attributes_reach_through(url: str) -> None:
    """url, path_params, query_params, headers, client and scope come from Starlette."""
    with connect(url + "/info/lobby?q=42", additional_headers={"X-Test": "yes"}) as client:
        data = json.loads(client.recv(timeout=10))
    assert data == {
        "path": "/info/lobby",
        "room": "lobby",
        "q": "42",
        "header": "yes",
        "host": "127.0.0.1",
        "scope_type": "websocket",
    }


# Lifecycle


def test_accept_with_subprotocol_and_headers_once(url: str) -> None:
    """accept() takes a subprotocol and headers; accepting again, or async with, is a no-op."""
    with connect(url + "/accept-options", subprotocols=["chat.v1"]) as client:
        assert client.subprotocol == "chat.v1"
        assert client.response is not None
        assert client.response.headers["x-typedws"] == "yes"
        assert client.recv(timeout=10) == "ok"
        assert close_of(client) == (1000, "")


def test_reject_before_accept_is_http_403(url: str) -> None:
    """reject() before accept refuses the handshake: the client sees HTTP 403."""
    with pytest.raises(InvalidStatus) as info:
        connect(url + "/reject")
    assert info.value.response.status_code == 403


def test_denial_response(url: str) -> None:
    """send_denial_response refuses the handshake with the app's own HTTP response."""
    with pytest.raises(InvalidStatus) as info:
        connect(url + "/deny")
    assert info.value.response.status_code == 401
    assert info.value.response.body == b"members only"
    assert outcome() == ("denied", True)


def test_reject_after_accept_closes_1008(url: str) -> None:
    """reject() after accept closes with 1008, a valid close code, never 403."""
    with connect(url + "/reject-after-accept") as client:
        assert close_of(client) == (1008, "not allowed")


@pytest.mark.parametrize("code", [1000, 4000])
def test_close_with_code_and_long_reason(url: str, code: int) -> None:
    """close(code, reason) sends the code and a reason cut to 123 bytes; sending after
    close raises InvalidState; ensure_closed() after close does nothing."""
    with connect(url + f"/close/{code}") as client:
        received_code, reason = close_of(client)
    assert received_code == code
    assert reason == "é" * 61
    name, error = outcome()
    assert name == "send after close"
    assert "closed" in str(error)
    assert outcome() == ("ensure_closed after close", True)


def test_handler_error_closes_1011_and_reraises(url: str) -> None:
    """An exception inside async with closes with 1011 and is re-raised to the handler."""
    with connect(url + "/crash") as client:
        client.send("go")
        assert close_of(client) == (1011, "")
    name, error = outcome()
    assert name == "crash"
    assert isinstance(error, KeyError)


def test_disconnect_is_silenced_by_default(url: str) -> None:
    """async for ends when the peer closes; async with silences the disconnect."""
    with connect(url + "/iterate") as client:
        client.send("a")
        client.send("b")
    assert outcome() == ("iterated", ["a", "b"])


def test_catch_disconnect_false_propagates(url: str) -> None:
    """catch_disconnect=False lets WebSocketDisconnect out; ensure_closed() then never raises."""
    with connect(url + "/disconnect") as client:
        client.close(code=1001)
    assert outcome() == ("propagated", 1001)
    assert outcome() == ("ensure_closed after disconnect", True)


@pytest.mark.parametrize(
    ("code", "expected"), [(1001, ("silenced", None)), (4000, ("propagated", 4000))]
)
def test_caught_close_codes(url: str, code: int, expected: tuple[str, Any]) -> None:
    """caught_close_codes silences exactly the codes it holds."""
    with connect(url + "/caught") as client:
        client.close(code=code)
    assert outcome() == expected


# The close-code table


@pytest.mark.parametrize(
    ("path", "frame", "code"),
    [
        ("/echo/model", b'{"type":"ping","seq":1}', 1003),
        ("/echo/json", b"{}", 1003),
        ("/echo/text", b"x", 1003),
        ("/echo/bytes", "x", 1003),
        ("/echo/model", "{not json", 1007),
        ("/echo/json", "[1,", 1007),
        ("/echo/model", '{"type":"ping","seq":"x"}', 1008),
        ("/echo/model", '{"type":"ping","seq":1,"pad":"' + "x" * 1024 + '"}', 1009),
    ],
)
def test_close_code_table(url: str, path: str, frame: str | bytes, code: int) -> None:
    """Each row of the table: the documented code, a short reason, the server still serving."""
    with connect(url + path) as client:
        client.send(frame)
        received, reason = close_of(client)
    assert received == code
    assert reason.startswith(("invalid message: ", "message too big: "))
    assert len(reason.encode()) <= 123
    with connect(url + "/echo/text") as client:
        client.send("still serving")
        assert client.recv(timeout=10) == "still serving"


def test_validation_reason_names_the_error(url: str) -> None:
    """The reason names the first error's location and message."""
    with connect(url + "/echo/model") as client:
        client.send('{"type":"post","body":"x","at":"2024-01-01T00:00:00Z"}')
        assert close_of(client) == (1008, "invalid message: post.author: Field required")


def test_close_codes_override(url: str) -> None:
    """close_codes={"validation": 4422} changes that row for one socket."""
    with connect(url + "/override") as client:
        client.send('{"type":"ping"}')
        assert close_of(client)[0] == 4422


def test_policy_raise_keeps_the_connection(url: str) -> None:
    """on_invalid="raise" leaves the connection open for the handler to answer."""
    with connect(url + "/policy/raise") as client:
        client.send("nope")
        assert client.recv(timeout=10) == "json 1007"
        client.send(b"\x00")
        assert client.recv(timeout=10) == "frame_type 1003"
        client.send('{"seq": 1}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 2}


def test_policy_reply_sends_a_typed_error(url: str) -> None:
    """on_invalid="reply" sends invalid_reply(error) and goes on receiving."""
    with connect(url + "/policy/reply") as client:
        client.send('{"seq": "x"}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": -1008}
        client.send('{"seq": 5}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 5}


def test_invalid_outgoing_value_is_not_sent(url: str) -> None:
    """A value that does not fit the send type raises at the sender; nothing goes out."""
    with connect(url + "/bad-send") as client:
        client.send('{"seq": 1}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 2}
    name, error = outcome()
    assert name == "bad send"
    assert isinstance(error, InvalidOutgoingMessage)


def test_invalid_utf8_text_frame_closes_1007() -> None:
    """A text frame that is not UTF-8 closes with 1007 (the server enforces it)."""
    with run_server(app) as base, connect(base + "/echo/model") as client:
        client.send(b'{"seq": "\xff"}', text=True)
        assert close_of(client)[0] == 1007


# Options, read back (their misuse: tests/test_options.py)


def scope() -> dict[str, Any]:
    return {"type": "websocket", "path": "/", "headers": []}


async def never(*_: Any) -> Any:
    raise AssertionError("not called")


def test_value_type_overrides_and_defaults() -> None:
    """value_type wins over receive_type/send_type; a direction with a model defaults to it."""
    ws = WebSocket(scope(), never, never, value_type="bytes", receive_type="json")
    assert (ws.receive_type, ws.send_type, ws.value_type) == ("bytes", "bytes", "bytes")
    plain = WebSocket(scope(), never, never)
    assert (plain.receive_type, plain.send_type) == ("text", "text")
    split = WebSocket(scope(), never, never, receive_model=Ping, send_type="json")
    assert (split.receive_type, split.send_type, split.value_type) == ("model", "json", None)
    assert split.receive_adapter is not None
    assert split.send_adapter is None


def test_caught_close_codes_is_readable() -> None:
    """caught_close_codes reports what is silenced: all, none, or exactly the given set."""
    assert WebSocket(scope(), never, never).caught_close_codes is all
    assert (
        WebSocket(scope(), never, never, catch_disconnect=False).caught_close_codes == frozenset()
    )
    given = WebSocket(scope(), never, never, catch_disconnect=False, caught_close_codes=[1000])
    assert given.caught_close_codes == frozenset({1000})
    assert WebSocket(scope(), never, never, caught_close_codes=()).caught_close_codes == frozenset()
    assert WebSocket(scope(), never, never, caught_close_codes=all).caught_close_codes is all


def test_auto_accept_is_kept() -> None:
    """auto_accept is taken by the constructor for routes to read."""
    assert WebSocket(scope(), never, never).auto_accept is True
    assert WebSocket(scope(), never, never, auto_accept=False).auto_accept is False


@contextmanager
def session(handler: Any) -> Iterator[WebSocketTestSession]:
    """A TestClient session with a Starlette app that routes / to *handler*."""
    app = Starlette(routes=[StarletteRoute("/", handler)])
    with TestClient(app) as client, client.websocket_connect("/") as connection:
        yield connection


def test_receive_model_without_model_is_a_clear_error() -> None:
    """receive_model() on a socket with no model says what is missing."""

    async def handler(ws: Any) -> None:
        socket = WebSocket(ws)
        async with socket:
            with pytest.raises(ConfigurationError, match="receive_model"):
                await socket.receive_model()
            with pytest.raises(ConfigurationError, match="send_model"):
                await socket.send_model(Ping(seq=1))

    with session(handler) as client:
        client.receive()


def test_close_refuses_unsendable_codes() -> None:
    """close() refuses a code that cannot go in a close frame, such as 403 or 1006."""
    errors: list[Exception] = []

    async def handler(ws: Any) -> None:
        async with WebSocket(ws) as socket:
            for code in (403, 1006):
                try:
                    await socket.close(code)
                except ValueError as exc:
                    errors.append(exc)

    with session(handler):
        pass
    assert len(errors) == 2


def test_receive_before_accept_is_invalid_state(url: str) -> None:
    """Receiving before accept raises InvalidState, not an ASGI error; closing then
    refuses the handshake."""
    with pytest.raises(InvalidStatus) as info:
        connect(url + "/receive-first")
    assert info.value.response.status_code == 403
    name, error = outcome()
    assert name == "receive before accept"
    assert "accept() it first" in str(error)


def test_starlette_and_typed_views_share_state(url: str) -> None:
    """A wrapped Starlette WebSocket sees the typed socket's accept and close."""
    with connect(url + "/shared-state") as client:
        assert client.recv(timeout=10) == "starlette sees CONNECTED"
        assert close_of(client) == (1001, "")
    assert outcome() == ("starlette state after close", "DISCONNECTED")
