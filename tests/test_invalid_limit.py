"""The reply policy's limit on invalid messages in a row, and ``close_code``, over uvicorn."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette

from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from typedws import InvalidMessage, WebSocket, route


class Echo(BaseModel):
    text: str


class Problem(BaseModel):
    problem: str


def problem(error: InvalidMessage) -> Echo | Problem:
    return Problem(problem=error.kind)


@route(
    "/reply",
    receive_model=Echo,
    send_model=Echo | Problem,
    on_invalid="reply",
    invalid_reply=problem,
)
async def reply(ws: WebSocket[Echo, Echo | Problem]) -> None:
    async for message in ws:
        await ws.send(message)


@route(
    "/strict",
    receive_model=Echo,
    send_model=Echo | Problem,
    on_invalid="reply",
    invalid_reply=problem,
    max_invalid=0,
)
async def strict(ws: WebSocket[Echo, Echo | Problem]) -> None:
    async for message in ws:
        await ws.send(message)


ended: list[int | None] = []


@route("/closes")
async def closes(ws: WebSocket[str, str]) -> None:
    await ws.receive()
    await ws.close(4001, "done")
    ended.append(ws.close_code)


@route("/waits")
async def waits(ws: WebSocket[str, str]) -> None:
    ended.append(ws.close_code)  # None while open
    async for _ in ws:
        pass
    ended.append(ws.close_code)


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    app = Starlette(routes=[reply, strict, closes, waits])
    with run_server(app, ws=request.param) as base:
        yield base


def test_ten_invalid_in_a_row_are_answered_the_eleventh_closes(url: str) -> None:
    with connect(url + "/reply") as client:
        for _ in range(10):
            client.send('{"text": 1}')
            assert json.loads(client.recv(timeout=10)) == {"problem": "validation"}
        client.send("not json")
        assert close_of(client) == (1008, "too many invalid messages")


def test_a_valid_message_starts_the_count_again(url: str) -> None:
    with connect(url + "/reply") as client:
        for _ in range(3):
            for _ in range(10):
                client.send("[]")
                assert json.loads(client.recv(timeout=10)) == {"problem": "validation"}
            client.send('{"text": "still here"}')
            assert json.loads(client.recv(timeout=10)) == {"text": "still here"}


def test_max_invalid_zero_closes_on_the_first(url: str) -> None:
    with connect(url + "/strict") as client:
        client.send("{}")
        assert close_of(client) == (1008, "too many invalid messages")


def wait_for(count: int) -> None:
    deadline = time.monotonic() + 10
    while len(ended) < count and time.monotonic() < deadline:
        time.sleep(0.01)


def test_close_code_is_the_apps_own_when_it_closed(url: str) -> None:
    ended.clear()
    with connect(url + "/closes") as client:
        client.send("bye")
        assert close_of(client) == (4001, "done")
    wait_for(1)
    assert ended == [4001]


def test_close_code_is_the_peers_when_it_left(url: str) -> None:
    ended.clear()
    with connect(url + "/waits") as client:
        client.send("hello")
        client.close(4002, "leaving")
    wait_for(2)
    assert ended == [None, 4002]
