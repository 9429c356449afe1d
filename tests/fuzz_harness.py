"""The fuzz harness: it sends one case over a real uvicorn to a route of ``tests.fuzz_app``
and checks the answer, the log and the control connection.

``fuzzing(ws)`` runs the app under uvicorn with the WebSocket implementation *ws*; each
``Fuzz.send`` checks that the answer is what the route's codec says, that a close has a code
from the table (1011 only for a handler that raised) and a reason of at most 123 bytes
quoting no input, that the log shows no traceback but a handler's, and that the control
connection still echoes.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import pytest
from websockets.frames import Close
from websockets.sync.client import ClientConnection

from tests.fuzz_app import Case, Crash, Outcome, Target, app, expected
from tests.marked import assert_no_input
from tests.server import connect, reply_or_close, run_server
from typedws import DEFAULT_CLOSE_CODES


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
        its wsproto sends no close frame (left to uvicorn, see docs/security.md)."""
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
