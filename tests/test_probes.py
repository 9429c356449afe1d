"""Hostile peers at seams the fuzz and fault tests do not reach, over a real uvicorn (both
WebSocket implementations) and a real client: request ids of types an error reply cannot
hold, protocol violations and odd close frames from the client, fragmented messages.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import struct
import uuid
from collections.abc import Iterator
from typing import Annotated, Literal

import pytest
from pydantic import BaseModel, Field
from starlette.applications import Starlette

from tests.raw_client import upgraded
from tests.server import WS_IMPLEMENTATIONS, app_tasks, connect, reply_or_close, run_server
from typedws import Endpoint, ErrorReply, WebSocket, route

pytestmark = pytest.mark.hardening


class AskByUUID(BaseModel):
    type: Literal["ask_uuid"]
    id: uuid.UUID
    fail: bool = False


class AskByNumber(BaseModel):
    type: Literal["ask_number"]
    id: float
    fail: bool = False


class Answer(BaseModel):
    type: Literal["answer"] = "answer"
    id: uuid.UUID | None = None


class Counted(BaseModel):
    type: Literal["counted"] = "counted"
    id: float = 0


Asks = Annotated[AskByUUID | AskByNumber, Field(discriminator="type")]
Answers = Annotated[Answer | Counted | ErrorReply, Field(discriminator="type")]
Desk = WebSocket[AskByUUID | AskByNumber, Answer | Counted | ErrorReply]

desk = Endpoint(receive_model=Asks, send_model=Answers, on_invalid="reply")


@desk.request(AskByUUID, reply=Answer)
async def ask_uuid(message: AskByUUID, ws: Desk) -> Answer:
    if message.fail:
        raise RuntimeError("the handler's own error")
    return Answer()


@desk.request(AskByNumber, reply=Counted)
async def ask_number(message: AskByNumber, ws: Desk) -> Counted:
    if message.fail:
        raise RuntimeError("the handler's own error")
    return Counted()


@route("/echo", max_size=1000)
async def echo(ws: WebSocket[str, str]) -> None:
    async for text in ws:
        await ws.send(str(len(text.encode())))


app = Starlette(routes=[desk.route("/desk"), echo])


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(app, ws=request.param) as base:
        yield base


@pytest.fixture(autouse=True)
def nothing_left_running(url: str) -> Iterator[None]:
    """After each test no task of a connection or of the app is left on the server's loop."""
    yield
    assert not app_tasks(url), "tasks left running"


@pytest.mark.parametrize(
    ("request_", "carried"),
    [
        ({"type": "ask_uuid", "id": "0b9e3a52-58a4-4a8e-9a4d-5f0f4c1c7f11"}, ...),
        ({"type": "ask_number", "id": 1.5}, None),
    ],
    ids=["uuid", "float"],
)
def test_a_failed_request_with_an_id_an_error_reply_cannot_hold_is_answered(
    url: str, request_: dict[str, object], carried: object, caplog: pytest.LogCaptureFixture
) -> None:
    """A request whose id is a UUID or a float, and whose handler raises, is answered with
    an error reply of kind handler (the UUID's string, no id for a float), the connection
    goes on, and only the handler's own error is logged, quoting no id."""
    request_id = request_["id"]
    with caplog.at_level(logging.INFO, logger="typedws"), connect(f"{url}/desk") as client:
        client.send(json.dumps({**request_, "fail": True}))
        error = json.loads(str(reply_or_close(client)))
        client.send(json.dumps(request_))
        answer = json.loads(str(reply_or_close(client)))
    assert error["type"] == "error"
    assert (error["kind"], error["code"], error["reason"]) == ("handler", 1011, "internal error")
    assert error["id"] == (request_id if carried is ... else carried)
    assert answer["type"] in ("answer", "counted")
    assert answer["id"] == request_id
    logged = [record for record in caplog.records if record.exc_info]
    assert [str(record.exc_info[1]) for record in logged if record.exc_info] == [
        "the handler's own error"
    ]
    assert "input_value" not in caplog.text


MASK = b"\x00\x00\x00\x00"
CLOSE, TEXT, CONTINUATION, PING = 0x88, 0x01, 0x00, 0x89


def masked(first: int, payload: bytes) -> bytes:
    """A client frame: *first* is its first byte (FIN, RSV, opcode); the mask is zero, so
    the payload goes as it is, whatever it holds (no library would send most of these)."""
    assert len(payload) < 126
    return bytes([first, 0x80 | len(payload)]) + MASK + payload


def server_frames(sock: socket.socket) -> list[tuple[int, bytes]]:
    """Every frame the server sends until it ends the TCP connection: (opcode, payload). A
    close frame is answered, so that the server need not wait for the reply."""
    data, frames = b"", list[tuple[int, bytes]]()
    while chunk := _received(sock):
        data += chunk
        while len(data) >= 2:
            length, start = data[1] & 0x7F, 2
            if length == 126:
                length, start = struct.unpack("!H", data[2:4])[0], 4
            if len(data) < start + length:
                break
            frames.append((data[0] & 0x0F, data[start : start + length]))
            if data[0] & 0x0F == 8:
                with contextlib.suppress(OSError):  # the server may have dropped it already
                    sock.sendall(masked(CLOSE, data[start : start + 2]))
            data = data[start + length :]
    return frames


def _received(sock: socket.socket) -> bytes:
    try:
        return sock.recv(65536)
    except ConnectionResetError:  # the server dropped the connection: its end too
        return b""


def still_echoes(url: str) -> bool:
    with connect(f"{url}/echo") as client:
        client.send("still here")
        return client.recv(timeout=10) == "10"


@pytest.mark.parametrize(
    "frames",
    [
        [masked(CLOSE, struct.pack("!H", 999))],
        [masked(CLOSE, struct.pack("!H", 1005))],
        [masked(CLOSE, struct.pack("!H", 1006))],
        [masked(CLOSE, struct.pack("!H", 5000))],
        [masked(CLOSE, b"\x03")],
        [masked(CLOSE, struct.pack("!H", 1000) + b"\xff\xfe")],
        [masked(TEXT, b"a"), masked(CLOSE, struct.pack("!H", 1000))],
        [masked(CONTINUATION | 0x80, b"a")],
        [masked(TEXT, b"a"), masked(TEXT | 0x80, b"b")],
        [masked(0x09, b"p")],
        [masked(0x83, b"a")],
    ],
    ids=[
        "close-999",
        "close-1005",
        "close-1006",
        "close-5000",
        "close-1-byte",
        "close-reason-not-utf8",
        "close-mid-fragments",
        "continuation-first",
        "text-inside-text",
        "fragmented-ping",
        "reserved-opcode",
    ],
)
def test_a_protocol_violation_from_the_client_ends_its_handler_quietly(
    url: str, frames: list[bytes], caplog: pytest.LogCaptureFixture
) -> None:
    """Close frames with codes that may not be sent, too short or with a reason that is not
    UTF-8, and frames out of order: the server answers (or drops the connection) as its
    WebSocket implementation does, the handler ends as for a peer that left, nothing is
    logged at error level, and the server goes on serving."""
    with caplog.at_level(logging.INFO), upgraded(url, "/echo") as sock:
        sock.sendall(b"".join(frames))
        answered = server_frames(sock)
    closes = [struct.unpack("!H", payload[:2])[0] for opcode, payload in answered if opcode == 8]
    assert set(closes) <= {1000, 1002, 1007}, closes
    assert still_echoes(url)
    assert not app_tasks(url)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


def test_a_fragmented_message_over_max_size_closes_with_1009(url: str) -> None:
    """A text message in fragments of 100 bytes each, with pings between them, is taken
    whole up to ``max_size`` (1,000 bytes here) and closed with 1009 one fragment past it."""
    pieces = [masked(TEXT, b"a" * 100)]
    pieces += [masked(PING, b"p"), masked(CONTINUATION, b"a" * 100)] * 8
    with upgraded(url, "/echo") as sock:
        sock.sendall(b"".join(pieces) + masked(CONTINUATION | 0x80, b"a" * 100))
        sock.sendall(b"".join(pieces) + masked(CONTINUATION | 0x80, b"a" * 101))
        answered = server_frames(sock)
    texts = [payload for opcode, payload in answered if opcode == 1]
    closes = [payload for opcode, payload in answered if opcode == 8]
    assert texts == [b"1000"]
    assert [payload for opcode, payload in answered if opcode == 10] == [b"p"] * 16
    assert len(closes) == 1
    assert struct.unpack("!H", closes[0][:2])[0] == 1009
    assert len(closes[0]) - 2 <= 123
    assert still_echoes(url)
