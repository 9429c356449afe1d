"""The app the fuzz tests attack, and what each of its routes should answer.

Routes, all with the default ``max_size`` (1 MiB): ``/text``, ``/bytes``, ``/json`` and
``/model`` echo under the close policy; ``/reply`` answers invalid messages under the reply
policy; ``/endpoint`` is an ``Endpoint`` with a request (so invalid messages are searched for
a correlation id) and a message whose handler raises; ``/control`` echoes text for the
connection that must keep working throughout. The harness that sends cases to them and
checks the answers is ``tests.fuzz_harness``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python
from starlette.applications import Starlette

from tests.marked import Marked
from tests.messages import Event, Ping
from typedws import (
    DEFAULT_MAX_SIZE,
    Endpoint,
    InvalidMessage,
    WebSocket,
    route,
)
from typedws.codecs import BytesCodec, Codec, JSONCodec, ModelCodec, TextCodec, adapter_for

MAX_INVALID = 10
"""The reply route's ``max_invalid`` (the default): the 11th invalid message in a row closes."""

TOO_MANY_INVALID = (1008, "too many invalid messages")

# The app


class Ask(BaseModel):
    type: Literal["ask"] = "ask"
    id: int
    text: str


class Answer(BaseModel):
    type: Literal["answer"] = "answer"
    id: int = 0
    text: str


class Boom(BaseModel):
    type: Literal["boom"] = "boom"


class Crash(Exception):
    """Raised by the endpoint's ``Boom`` handler: the one error the log may show a traceback of."""


Question = Annotated[Ping | Ask | Boom, Field(discriminator="type")]
Response = Ping | Answer


async def echo(ws: WebSocket[Any, Any]) -> None:
    async for value in ws:
        await ws.send(value)


def error_reply(error: InvalidMessage) -> dict[str, Any]:
    """What the reply route sends for an invalid message: its code, reason and errors."""
    return {
        "code": error.close_code,
        "reason": error.reason,
        "errors": to_jsonable_python(error.errors),
    }


async def acknowledge(ws: WebSocket[Any, Any]) -> None:
    async for _ in ws:
        await ws.send({"ok": True})


endpoint = Endpoint(receive_model=Question, send_model=Response)


@endpoint.on(Ping)
async def on_ping(message: Ping, ws: WebSocket[Any, Any]) -> Ping:
    return message


@endpoint.request(Ask, reply=Answer)
async def on_ask(message: Ask, ws: WebSocket[Any, Any]) -> Answer:
    return Answer(text=message.text)


@endpoint.on(Boom)
async def on_boom(message: Boom, ws: WebSocket[Any, Any]) -> None:
    raise Crash("the handler failed")


app = Starlette(
    routes=[
        route("/text", value_type="text")(echo),
        route("/bytes", value_type="bytes")(echo),
        route("/json", value_type="json")(echo),
        route("/model", model=Event)(echo),
        route(
            "/reply",
            receive_model=Marked,
            send_type="json",
            on_invalid="reply",
            invalid_reply=error_reply,
            max_invalid=MAX_INVALID,
        )(acknowledge),
        endpoint.route("/endpoint"),
        route("/control", value_type="text")(echo),
    ]
)

# What each route answers: the codecs it is built with, decoding here in the test


@dataclass(frozen=True)
class Target:
    """A route, and what it does with a message: *codec* decodes it as the route's does,
    *answer* is what the route sends back for the value (raising ``Crash`` when the route's
    handler raises), *invalid* what it sends for an invalid one (``None``: it closes).
    *template* is a prefix and suffix around a long string that make a valid message."""

    path: str
    codec: Codec[Any]
    answer: Callable[[Any], str | bytes]
    template: tuple[str, str]
    invalid: Callable[[InvalidMessage], str | bytes] | None = None


def _text_of(codec: Codec[Any]) -> Callable[[Any], str | bytes]:
    def encode(value: Any) -> str | bytes:
        message = codec.encode(value)
        frame: str | bytes = message["text"] if "text" in message else message["bytes"]
        return frame

    return encode


def _endpoint_answer(value: Any) -> str | bytes:
    if isinstance(value, Boom):
        raise Crash
    answer = Answer(id=value.id, text=value.text) if isinstance(value, Ask) else value
    return _text_of(ModelCodec(adapter_for(Response)))(answer)


def _same(value: Any) -> Any:
    return value


_json = JSONCodec(max_size=DEFAULT_MAX_SIZE)
_event = ModelCodec(adapter_for(Event), max_size=DEFAULT_MAX_SIZE)
TEXT = Target("/text", TextCodec(max_size=DEFAULT_MAX_SIZE), _same, ("", ""))
BYTES = Target("/bytes", BytesCodec(max_size=DEFAULT_MAX_SIZE), _same, ("", ""))
JSON = Target("/json", _json, _text_of(_json), ('["', '"]'))
MODEL = Target("/model", _event, _text_of(_event), ('{"type":"ping","seq":7,"pad":"', '"}'))
REPLY = Target(
    "/reply",
    ModelCodec(adapter_for(Marked), max_size=DEFAULT_MAX_SIZE),
    lambda _: _text_of(_json)({"ok": True}),
    ('{"kind":"leave","pad":"', '"}'),
    lambda error: _text_of(_json)(error_reply(error)),
)
# The route also searches an invalid message for the request's id: that changes no close.
ENDPOINT = Target(
    "/endpoint",
    ModelCodec(adapter_for(Question), max_size=DEFAULT_MAX_SIZE),
    _endpoint_answer,
    ('{"type":"ask","id":1,"text":"', '"}'),
)
TARGETS = (TEXT, BYTES, JSON, MODEL, REPLY, ENDPOINT)
JSON_TARGETS = (JSON, MODEL, REPLY, ENDPOINT)

BAD_UTF8 = [b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x82", b"\x80"]
"""Not UTF-8: a stray byte, an overlong form, a surrogate, past U+10FFFF, a cut sequence,
a lone continuation byte."""

CHARS = ["a", "\u00e9", "\u20ac", "\U0001f600"]
"""One character of each length in UTF-8."""


@dataclass(frozen=True)
class Case:
    """One frame a client sends: text, binary, or (``raw_text``) bytes in a text frame."""

    frame: str | bytes
    raw_text: bool = False


@dataclass(frozen=True)
class Outcome:
    """What the server sends back: a message, a close frame, or nothing (``dropped``)."""

    message: str | bytes | None = None
    close: tuple[int, str] | None = None
    dropped: bool = False

    @property
    def crashed(self) -> bool:
        """Whether this is the close after a handler raised."""
        return self.close is not None and self.close[0] == 1011


def expected(target: Target, case: Case, *, invalid_run: int) -> Outcome:
    """What *target* answers to *case*, by its codec, after *invalid_run* invalid messages in
    a row (which matter under the reply policy)."""
    kind = "bytes" if isinstance(case.frame, bytes) else "text"
    try:
        value = target.codec.decode({"type": "websocket.receive", kind: case.frame})
    except InvalidMessage as error:
        if target.invalid is None:
            return Outcome(close=(error.close_code, error.reason))
        if invalid_run >= MAX_INVALID:
            return Outcome(close=TOO_MANY_INVALID)
        return Outcome(message=target.invalid(error))
    try:
        return Outcome(message=target.answer(value))
    except Crash:
        return Outcome(close=(1011, ""))


def sized(template: tuple[str, str], char: str, size: int) -> str:
    """A message of *size* bytes of UTF-8: *char* repeated (and ``a`` to make up the size)
    between the prefix and suffix of *template*."""
    prefix, suffix = template
    count, pad = divmod(size - len((prefix + suffix).encode()), len(char.encode()))
    return prefix + char * count + "a" * pad + suffix
