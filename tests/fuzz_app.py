"""The app the fuzz tests attack, what each of its routes should answer, and the harness
that sends one case over a real uvicorn and checks the answer.

Routes, all with the default ``max_size`` (1 MiB): ``/text``, ``/bytes``, ``/json`` and
``/model`` echo under the close policy; ``/reply`` answers invalid messages under the reply
policy; ``/endpoint`` is an ``Endpoint`` with a request (so invalid messages are searched for
a correlation id) and a message whose handler raises; ``/control`` echoes text for the
connection that must keep working throughout.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import pytest
from pydantic import BaseModel, Field
from pydantic_core import to_jsonable_python
from starlette.applications import Starlette
from websockets.frames import Close
from websockets.sync.client import ClientConnection

from tests.marked import Marked, assert_no_input
from tests.messages import Event, Ping
from tests.server import connect, reply_or_close, run_server
from typedws import (
    DEFAULT_CLOSE_CODES,
    DEFAULT_MAX_SIZE,
    Endpoint,
    InvalidMessage,
    WebSocket,
    route,
)
from typedws.codec import BytesCodec, Codec, JSONCodec, TextCodec
from typedws.pydantic_codec import ModelCodec, adapter_for

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


# The harness


class LogWatch(logging.Handler):
    """Every record of the typedws, uvicorn and asyncio loggers while it is installed."""

    LOGGERS = ("typedws", "uvicorn", "asyncio")

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        with self.changed:
            self.records.append(record)
            self.changed.notify_all()

    @contextmanager
    def installed(self) -> Iterator[LogWatch]:
        typedws = logging.getLogger("typedws")
        level = typedws.level
        typedws.setLevel(logging.INFO)  # its INFO line for each close after invalid input too
        for name in self.LOGGERS:
            logging.getLogger(name).addHandler(self)
        try:
            yield self
        finally:
            for name in self.LOGGERS:
                logging.getLogger(name).removeHandler(self)
            typedws.setLevel(level)

    def take(self, *, crashes: int) -> list[logging.LogRecord]:
        """The records logged since the last take, once *crashes* handler errors are among
        them (their tracebacks may come a little after the close)."""

        def crashed() -> bool:
            return sum(map(_is_crash, self.records)) >= crashes

        with self.changed:
            assert self.changed.wait_for(crashed, timeout=10)
            records, self.records = self.records, []
        return records

    def assert_clean(self, records: list[logging.LogRecord], *, bad_utf8: bool) -> None:
        """No record quotes the client's input (its traceback included), none is an error but
        a handler's (or, when *bad_utf8*, uvicorn's for a text frame of invalid UTF-8), and no
        other has a traceback."""
        for record in records:
            assert_no_input(self.format(record))
            if _is_crash(record) or (bad_utf8 and _is_uvicorn_utf8(record)):
                continue
            assert record.levelno < logging.ERROR, self.format(record)
            assert record.exc_info is None, self.format(record)
            assert record.stack_info is None, self.format(record)
            assert "Traceback" not in record.getMessage(), record.getMessage()


def _is_crash(record: logging.LogRecord) -> bool:
    return record.exc_info is not None and isinstance(record.exc_info[1], Crash)


def _is_uvicorn_utf8(record: logging.LogRecord) -> bool:
    # Left to uvicorn: its websockets-sansio protocol logs this traceback before it closes
    # with 1007; typedws never sees the frame.
    return (
        record.name == "uvicorn.error"
        and record.exc_info is not None
        and isinstance(record.exc_info[1], UnicodeDecodeError)
    )


@dataclass
class Session:
    """A client connection to one route, kept open across cases while the route keeps it."""

    url: str
    client: ClientConnection | None = None
    invalid_run: int = 0
    stack: ExitStack = field(default_factory=ExitStack)

    def open(self) -> ClientConnection:
        if self.client is None:
            self.client = self.stack.enter_context(connect(self.url, max_size=None))
        return self.client

    def close(self) -> None:
        self.stack.close()
        self.client = None
        self.invalid_run = 0


@dataclass
class Fuzz:
    """One server under attack: the implementation, a session per route, the control
    connection, the log, and how many cases it has answered."""

    ws: str
    base: str
    control: ClientConnection
    log: LogWatch
    sessions: dict[str, Session] = field(default_factory=dict)
    cases: int = 0

    def send(self, target: Target, case: Case, outcome: Outcome | None = None) -> Outcome:
        """Send *case* to *target*, check every invariant, and return what came back.

        The answer must be *outcome* when given, else what the route's codec says
        (``expected``); a text frame of invalid UTF-8 never reaches the codec.
        """
        session = self.session(target)
        if outcome is None:
            outcome = (
                self.invalid_utf8_outcome()
                if case.raw_text
                else expected(target, case, invalid_run=session.invalid_run)
            )
        try:
            actual = self._exchange(session, case, outcome)
            self.check(target, actual, crash=outcome.crashed)
            assert actual == outcome
        except BaseException:
            # Whatever the server did, the next case starts on a new connection and log.
            session.close()
            self.log.take(crashes=0)
            raise
        if isinstance(actual.message, str) and target.invalid is not None:
            invalid = "code" in json.loads(actual.message)  # an error reply, not the ack
            session.invalid_run = session.invalid_run + 1 if invalid else 0
        elif actual.message is None:
            session.close()
        self.cases += 1
        self.after_case(crash=outcome.crashed, bad_utf8=case.raw_text)
        return actual

    @staticmethod
    def _exchange(session: Session, case: Case, outcome: Outcome) -> Outcome:
        """Send *case* over *session*; return the server's answer."""
        client = session.open()
        client.send(case.frame, text=True if case.raw_text else None)
        if outcome.dropped:
            # Left to uvicorn (wsproto): the connection ends without a close frame.
            with pytest.raises(AssertionError, match="without a close frame"):
                reply_or_close(client)
            return Outcome(dropped=True)
        reply = reply_or_close(client)  # asserts that a close frame came: never 1006
        if isinstance(reply, Close):
            return Outcome(close=(reply.code, reply.reason))
        return Outcome(message=reply)

    def session(self, target: Target) -> Session:
        """The session of *target*'s route."""
        return self.sessions.setdefault(target.path, Session(self.base + target.path))

    def invalid_utf8_outcome(self) -> Outcome:
        """A text frame of invalid UTF-8: uvicorn's websockets-sansio closes with 1007 itself;
        its wsproto sends no close frame (left to uvicorn, see README "Security")."""
        if self.ws == "websockets-sansio":
            return Outcome(close=(1007, ""))
        return Outcome(dropped=True)

    def check(self, target: Target, actual: Outcome, *, crash: bool) -> None:
        """The invariants of every answer: a close code from the table (1011 only from a
        handler that raised), a reason of at most 123 bytes quoting no input; an error reply
        likewise."""
        if actual.close is not None:
            code, reason = actual.close
            allowed = {*DEFAULT_CLOSE_CODES.values(), *([1011] if crash else [])}
            assert code in allowed, actual
            assert len(reason.encode()) <= 123
            assert_no_input(reason)
        if target.invalid is not None and isinstance(actual.message, str):
            reply = json.loads(actual.message)
            if "code" in reply:
                assert reply["code"] in DEFAULT_CLOSE_CODES.values()
                assert len(reply["reason"].encode()) <= 123
                assert_no_input(actual.message)

    def after_case(self, *, crash: bool = False, bad_utf8: bool = False) -> None:
        """The control connection still echoes, and the log is clean: one traceback when a
        handler raised (*crash*), none otherwise."""
        probe = f"control {self.cases}"
        self.control.send(probe)
        assert self.control.recv(timeout=10) == probe
        records = self.log.take(crashes=int(crash))
        assert sum(map(_is_crash, records)) == crash
        self.log.assert_clean(records, bad_utf8=bad_utf8 and self.ws == "websockets-sansio")

    def close(self) -> None:
        for session in self.sessions.values():
            session.close()


@contextmanager
def fuzzing(ws: str) -> Iterator[Fuzz]:
    """The app under uvicorn with *ws*, its log watched and its control connection open."""
    with (
        run_server(app, ws=ws) as base,  # first: it configures uvicorn's loggers
        LogWatch().installed() as log,
        connect(base + "/control") as control,
    ):
        fuzz = Fuzz(ws, base, control, log)
        try:
            yield fuzz
        finally:
            fuzz.close()
        fuzz.after_case()
