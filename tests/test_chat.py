"""The demo chat app, served by uvicorn and used by several real clients."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import ClientConnection

from examples.chat.app import app
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, demo_command, run_server

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def base(request: pytest.FixtureRequest) -> Iterator[str]:
    with run_server(app, ws=request.param) as url:
        yield url


def receive(client: ClientConnection) -> dict[str, Any]:
    message = json.loads(client.recv(timeout=10))
    assert isinstance(message, dict)
    return message


def room_event(client: ClientConnection) -> dict[str, Any]:
    """The next message, a room's: its offset checked and taken out."""
    message = receive(client)
    assert isinstance(message.pop("offset"), str)
    return message


@contextmanager
def join(base: str, name: str) -> Iterator[ClientConnection]:
    """A client connected to the chat and joined under *name*."""
    with connect(base + "/ws") as client:
        client.send(json.dumps({"type": "join", "name": name}))
        welcome = receive(client)
        assert welcome["type"] == "welcome"
        assert welcome["name"] == name
        yield client


def test_two_clients_chat(base: str) -> None:
    """Members see each other join, speak and leave, in order."""
    with join(base, "ada") as ada:
        with join(base, "bob") as bob:
            assert room_event(ada) == {"type": "joined", "name": "bob"}
            bob.send('{"type": "say", "text": "hi ada ✓"}')
            for client in (ada, bob):
                said = receive(client)
                assert (said["type"], said["name"], said["text"]) == ("said", "bob", "hi ada ✓")
                assert said["at"].endswith("Z")
            bob.send('{"type": "leave"}')
            assert close_of(bob) == (1000, "bye")
        assert room_event(ada) == {"type": "left", "name": "bob"}


def test_dropped_client_is_announced(base: str) -> None:
    """A member whose connection goes away is announced as left."""
    with join(base, "cy") as cy:
        with join(base, "dee"):
            assert room_event(cy) == {"type": "joined", "name": "dee"}
        assert room_event(cy) == {"type": "left", "name": "dee"}


def test_errors_are_typed_replies(base: str) -> None:
    """Saying before joining, or a taken name, gets an error message; the connection stays."""
    with join(base, "eve") as eve, connect(base + "/ws") as other:
        other.send('{"type": "say", "text": "hello?"}')
        assert receive(other) == {"type": "error", "detail": "join before you say anything"}
        other.send('{"type": "join", "name": "eve"}')
        assert receive(other) == {"type": "error", "detail": "the name eve is taken"}
        eve.send('{"type": "say", "text": "still here"}')
        assert receive(eve)["text"] == "still here"


@pytest.mark.parametrize(
    ("frame", "code"),
    [
        (b"\x00", 1003),
        ("hello", 1007),
        ('{"type": "join", "name": ""}', 1008),
        ('{"type": "shout"}', 1008),
        ('{"type": "say", "text": "' + "x" * 20000 + '"}', 1009),
    ],
)
def test_bad_input_closes_with_the_table(base: str, frame: str | bytes, code: int) -> None:
    """Bad input closes with the documented code; other members are not disturbed."""
    with join(base, f"f{code}") as bystander, connect(base + "/ws") as client:
        client.send(frame)
        assert close_of(client)[0] == code
        bystander.send('{"type": "say", "text": "ok"}')
        assert receive(bystander)["text"] == "ok"


def test_page_and_script_are_served(base: str) -> None:
    """The page at / loads the compiled script, which connects to /ws."""
    http = base.replace("ws://", "http://")
    with urllib.request.urlopen(http + "/", timeout=10) as response:
        assert response.status == 200
        assert '<script type="module" src="/static/chat.js">' in response.read().decode()
    with urllib.request.urlopen(http + "/static/chat.js", timeout=10) as response:
        assert response.status == 200
        script = response.read().decode()
    assert "new WebSocket(" in script
    assert "/ws`" in script


def test_demo_command_serves_and_says_where() -> None:
    """python -m examples.chat --port N serves the demo and prints where to connect."""
    with demo_command() as (port, process, first):
        assert f"http://127.0.0.1:{port}/" in first
        assert f"ws://127.0.0.1:{port}/ws" in first
        assert process.stdout is not None
        for line in process.stdout:
            if "Uvicorn running" in line:
                break
        with join(f"ws://127.0.0.1:{port}", "gus") as client:
            client.send('{"type": "say", "text": "from the command"}')
            assert receive(client)["text"] == "from the command"
