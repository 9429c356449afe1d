"""The examples of the README and of the documentation pages run as written, over a real
server (read in the order tests/docs_examples.py gives)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from websockets.exceptions import InvalidStatus

from tests.docs_examples import DOCS, EXAMPLES
from tests.server import close_of, connect, run_server

BLOCKS = [example.code for example in EXAMPLES]


def run_examples() -> dict[str, Any]:
    """Execute the route examples of the README and the pages, in reading order, in one
    namespace."""
    namespace: dict[str, Any] = {"__name__": "readme"}
    for example in EXAMPLES:
        block = example.code
        if ("@route(" in block or "Endpoint(" in block) and "a type error" not in block:
            exec(example.compiled(), namespace)
    return namespace


def test_quickstart_example() -> None:
    """The first example answers a say and closes 1008 on a message missing a field."""
    app = run_examples()["app"]
    with run_server(app) as base, connect(base + "/chat/lobby") as client:
        client.send('{"type": "say", "text": "hi"}')
        assert client.recv(timeout=10) == '{"name":"anonymous","text":"hi"}'
        client.send('{"type": "say"}')
        assert close_of(client) == (1008, "invalid message: say.text: Field required")


def test_reply_policy_example() -> None:
    """The on_invalid="reply" example answers an invalid message and keeps going."""
    namespace = run_examples()
    app = Starlette(routes=[namespace["say"]])
    with run_server(app) as base, connect(base + "/say") as client:
        client.send('{"type": "say"}')
        assert json.loads(client.recv(timeout=10)) == {
            "code": 1008,
            "detail": "invalid message: text: Field required",
        }
        client.send('{"type": "say", "text": "ok"}')
        assert json.loads(client.recv(timeout=10)) == {"name": "you", "text": "ok"}


def test_sending_to_many_example() -> None:
    """The sending-to-many example reaches every member, and the others go on once one left."""
    app = Starlette(routes=[run_examples()["room"]])
    with run_server(app) as base, connect(base + "/room") as a, connect(base + "/room") as b:
        with connect(base + "/room") as c:
            c.send('{"type": "say", "text": "c is here"}')
            for client in (a, b, c):
                assert json.loads(client.recv(timeout=10))["text"] == "c is here"
        b.send('{"type": "say", "text": "after c left"}')
        for client in (a, b):
            assert json.loads(client.recv(timeout=10))["text"] == "after c left"


def test_endpoint_example() -> None:
    """The endpoint example dispatches, answers requests by id, replies to errors, refuses."""
    namespace = run_examples()
    with run_server(namespace["rooms_app"]) as base:
        with connect(base + "/rooms/lobby") as client:
            client.send('{"type": "join", "name": "ann"}')
            client.send('{"type": "say", "text": "hi"}')
            assert json.loads(client.recv(timeout=10)) == {"name": "ann", "text": "hi (in lobby)"}
            client.send('{"type": "ask", "id": "q1", "question": "why"}')
            assert json.loads(client.recv(timeout=10)) == {
                "type": "answer",
                "id": "q1",
                "text": "WHY",
            }
            client.send('{"type": "say"}')
            error = json.loads(client.recv(timeout=10))
            assert (error["type"], error["kind"], error["code"], error["id"]) == (
                "error",
                "validation",
                1008,
                None,
            )
            client.close(4000)
        deadline = time.monotonic() + 10
        while not namespace["departures"] and time.monotonic() < deadline:
            time.sleep(0.01)
        assert namespace["departures"] == [("ann", 4000)]
        with pytest.raises(InvalidStatus) as refused:
            connect(base + "/rooms/closed")
        assert refused.value.response.status_code == 403


def test_every_test_the_guarantees_name_exists() -> None:
    """Each test file and test the Guarantees page names is there, so that no promise points
    at a test that was renamed or removed."""
    section = (DOCS / "guarantees.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(tests/\w+\.py)(?:::(\w+))?`", section))
    assert len(named) >= 10
    root = Path(__file__).resolve().parents[1]
    for path, test in sorted(named):
        source = (root / path).read_text(encoding="utf-8")
        assert "\ndef test_" in source, path
        assert not test or f"\ndef {test}(" in source, f"{path}::{test}"
