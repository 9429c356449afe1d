"""Hypothesis properties across a real connection: typed round trips, and arbitrary frames
that never crash the server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from starlette.applications import Starlette
from websockets.frames import Close

from tests.hypothesis_budget import examples
from tests.messages import Event, Ping, Post, events
from tests.server import connect, reply_or_close, run_server
from typedws import DEFAULT_CLOSE_CODES, WebSocket, route
from typedws.codecs import ModelCodec, adapter_for

MAX_SIZE = 4096
codec: ModelCodec[Any] = ModelCodec(adapter_for(Event))


@route("/events", model=Event, max_size=MAX_SIZE)
async def echo(ws: WebSocket[Any, Any]) -> None:
    async for event in ws:
        await ws.send(event)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with run_server(Starlette(routes=[echo])) as base:
        yield base + "/events"


@settings(max_examples=examples(100))
@given(st.lists(events, min_size=1, max_size=5))
def test_round_trip_over_the_wire(url: str, batch: list[Post | Ping]) -> None:
    """Generated messages sent by a client come back equal after decode and encode on the
    server and decode on the client."""
    with connect(url) as client:
        for event in batch:
            client.send(codec.encode(event)["text"])
            reply = client.recv(timeout=10)
            assert codec.decode({"type": "websocket.receive", "text": reply}) == event


frames = st.one_of(
    st.text(),
    st.binary(),
    st.text(min_size=MAX_SIZE // 4, max_size=MAX_SIZE + 100),
    st.builds(lambda tag, body: '{"type":"' + tag + '",' + body, st.text(), st.text()),
    st.dictionaries(st.text(), st.text() | st.integers()).map(json.dumps),
)


@settings(max_examples=examples(150))
@given(frames)
def test_arbitrary_frames_get_a_table_close(url: str, frame: str | bytes) -> None:
    """Whatever frame arrives, the server closes with a code from the table and a reason of
    at most 123 bytes that does not repeat the frame (or echoes a valid message), and other
    connections keep working."""
    with connect(url) as bystander:
        with connect(url, max_size=None) as client:
            client.send(frame)
            reply = reply_or_close(client)
        if isinstance(reply, Close):
            assert reply.code in DEFAULT_CLOSE_CODES.values()
            assert len(reply.reason.encode()) <= 123
            if isinstance(frame, str) and len(frame) >= 8:
                assert frame not in reply.reason
        else:
            assert isinstance(frame, str)
            assert json.loads(reply) == json.loads(frame)
        bystander.send('{"type":"ping","seq":1}')
        assert bystander.recv(timeout=10) == '{"type":"ping","seq":1}'
