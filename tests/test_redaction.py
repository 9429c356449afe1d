"""What leaves over a real uvicorn server after invalid input: close reasons, error replies
and log lines never quote the client's input, and JSON that could not be sent back is
refused."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python
from starlette.applications import Starlette

from tests.marked import MARK, PAYLOADS, Marked, assert_no_input, profile
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from typedws import InvalidMessage, WebSocket, route


@route("/close", receive_model=Marked, send_model=Marked)
async def close_policy(ws: WebSocket[Any, Any]) -> None:
    async for message in ws:
        await ws.send(message)


def error_reply(error: InvalidMessage) -> dict[str, Any]:
    """What the reply route sends back: the reason and the structured errors."""
    return {"reason": error.reason, "errors": to_jsonable_python(error.errors)}


@route(
    "/reply",
    receive_model=Marked,
    send_type="json",
    on_invalid="reply",
    invalid_reply=error_reply,
    max_invalid=1000,  # every payload in a row gets its reply
)
async def reply_policy(ws: WebSocket[Any, Any]) -> None:
    async for _ in ws:
        await ws.send({"ok": True})


@route("/echo/json", value_type="json")
async def echo_json(ws: WebSocket[Any, Any]) -> None:
    async for value in ws:
        await ws.send(value)


@route("/shown", receive_model=Marked, send_model=Marked, show_validator_messages=True)
async def shown(ws: WebSocket[Any, Any]) -> None:
    async for message in ws:
        await ws.send(message)


class Said(BaseModel):
    name: Annotated[str, Field(max_length=4)]
    count: int = 0


@route("/send/dict", send_model=Said)
async def send_dict(ws: WebSocket[Any, Any]) -> None:
    async for name in ws:
        await ws.send({"name": name})


@route("/send/model", send_model=Said, check_send_fields=True)
async def send_model(ws: WebSocket[Any, Any]) -> None:
    async for count in ws:
        await ws.send(Said.model_construct(name="ok", count=count))


app = Starlette(routes=[close_policy, reply_policy, echo_json, shown, send_dict, send_model])


def log_text(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Each typedws record as logging prints it, traceback included."""
    return [logging.Formatter().format(r) for r in caplog.records if r.name == "typedws"]


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The app under uvicorn, once per WebSocket implementation."""
    with run_server(app, ws=request.param) as base:
        yield base


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_close_reason_quotes_no_input(url: str, payload: str) -> None:
    """The close frame after an invalid message carries no part of the client's input."""
    with connect(url + "/close") as client:
        client.send(payload)
        code, reason = close_of(client)
    assert code == 1008
    assert_no_input(reason)


def test_error_replies_quote_no_input(url: str) -> None:
    """Under the reply policy, no reason or error sent back quotes the client's input."""
    with connect(url + "/reply") as client:
        for payload in PAYLOADS.values():
            client.send(payload)
            reply = client.recv(timeout=10)
            assert isinstance(reply, str)
            assert json.loads(reply)["reason"].startswith("invalid message: ")
            assert_no_input(reply)
        client.send('{"kind": "leave"}')
        assert json.loads(client.recv(timeout=10)) == {"ok": True}


@pytest.mark.parametrize("payload", ["1e400", "[-1e400]", '{"a": 1e400}'])
def test_json_out_of_range_closes_1007(url: str, payload: str) -> None:
    """A number too large for a float closes a json socket with 1007, not a crash's 1011."""
    with connect(url + "/echo/json") as client:
        client.send(payload)
        assert close_of(client) == (1007, "invalid message: not JSON: number out of range")


def test_the_app_can_show_its_validators_messages(url: str) -> None:
    """With show_validator_messages=True a route's close reason is the app's own message."""
    with connect(url + "/shown") as client:
        client.send(profile(code="ab!"))
        assert close_of(client) == (
            1008,
            "invalid message: profile.code: Value error, code 'ab!' is not alphanumeric",
        )
    with connect(url + "/shown") as client:
        client.send(profile(nick=MARK))
        code, reason = close_of(client)
    assert code == 1008
    assert_no_input(reason)  # pydantic's own messages stay cut


def test_invalid_input_log_lines_quote_no_input(url: str, caplog: pytest.LogCaptureFixture) -> None:
    """The INFO line logged for each close after invalid input carries none of the input."""
    with caplog.at_level(logging.INFO, logger="typedws"):
        for payload in PAYLOADS.values():
            with connect(url + "/close") as client:
                client.send(payload)
                assert close_of(client)[0] == 1008
    lines = log_text(caplog)
    assert len(lines) == len(PAYLOADS)
    assert_no_input(*lines)


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/send/dict", "dict does not fit the send type: name: String should have at most 4"),
        ("/send/model", "Said does not fit the send type: count: Expected `int`"),
    ],
)
def test_unfit_sends_log_no_input(
    url: str, caplog: pytest.LogCaptureFixture, path: str, detail: str
) -> None:
    """A handler that sends client text where the send type does not take it closes with 1011;
    the logged traceback names the problem but holds none of the text."""
    with caplog.at_level(logging.ERROR, logger="typedws"), connect(url + path) as client:
        client.send(MARK)
        assert close_of(client) == (1011, "")
    [line] = log_text(caplog)
    assert "Traceback" in line
    assert detail in line
    assert_no_input(line)
