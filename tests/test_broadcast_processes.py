"""Broadcast across OS processes: two uvicorn servers sharing one Redis, real clients (the
``websockets`` library) on each; and rooms that leak nothing when their members leave."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter
from websockets.sync.client import ClientConnection

from tests.broadcast_app import Failed, Said, Say, ServerMessage, Welcome
from tests.redis_server import RedisServer
from tests.server import connect, uvicorn_process

ROOT = Path(__file__).resolve().parents[1]
SERVER_MESSAGE: TypeAdapter[Said | Welcome | Failed] = TypeAdapter(ServerMessage)
HISTORY = 300


@contextmanager
def broadcast_server(broadcast_url: str, *, history: int = HISTORY) -> Iterator[str]:
    """``tests.broadcast_app`` served by uvicorn in an OS process of its own; yields its
    http:// base URL."""
    env = {"TYPEDWS_TEST_BROADCAST": broadcast_url, "TYPEDWS_TEST_HISTORY": str(history)}
    with uvicorn_process("tests.broadcast_app:app", env=env) as (base, _):
        yield base


def state(base: str) -> dict[str, Any]:
    """What the server's /state reports."""
    with urllib.request.urlopen(base + "/state", timeout=5) as response:
        return dict(json.loads(response.read()))


@pytest.fixture(scope="module")
def servers(redis: RedisServer) -> Iterator[tuple[str, str]]:
    """Two uvicorn processes sharing one Redis."""
    with broadcast_server(redis.url) as one, broadcast_server(redis.url) as two:
        yield one, two


def room_name() -> str:
    return uuid.uuid4().hex[:10]


@contextmanager
def member(base: str, room: str, sender: str, since: str | None = None) -> Iterator[Client]:
    """A client in *room* on the server *base*, its welcome read."""
    url = base.replace("http", "ws", 1) + f"/room/{room}?as={sender}"
    if since is not None:
        url += f"&since={since}"
    # Unbounded: a client that leaves messages unread still reads the server's close.
    with connect(url, max_queue=None) as connection:
        client = Client(connection)
        client.welcome = client.receive(Welcome)
        yield client


class Client:
    """A test client reading typed messages."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.welcome = Welcome(recovered=False)

    def say(self, text: str, seq: int = 0) -> None:
        self.connection.send(Say(text=text, seq=seq).model_dump_json())

    def receive(self, kind: type[Any] = Said, timeout: float = 10) -> Any:
        message = SERVER_MESSAGE.validate_json(self.connection.recv(timeout=timeout))
        assert isinstance(message, kind), message
        return message

    def nothing(self, wait: float = 0.3) -> None:
        with pytest.raises(TimeoutError):
            self.connection.recv(timeout=wait)


def test_a_client_on_one_process_gets_what_one_on_the_other_sends(
    servers: tuple[str, str],
) -> None:
    """A Say on one process reaches, typed, the members on both, with its offset."""
    one, two = servers
    room = room_name()
    with member(one, room, "ada") as ada, member(two, room, "bob") as bob:
        assert ada.welcome.recovered
        assert bob.welcome.recovered
        ada.say("hello bob ✓")
        for client in (ada, bob):
            said = client.receive()
            assert (said.sender, said.text) == ("ada", "hello bob ✓")
            assert said.offset
        bob.nothing()


def test_per_publisher_order_over_1000_messages(servers: tuple[str, str]) -> None:
    """1,000 messages from one client reach the members on both processes in order, once."""
    one, two = servers
    room = room_name()
    with member(one, room, "ada") as ada, member(two, room, "bob") as bob:
        for seq in range(1000):
            ada.say("x", seq)
        for client in (bob, ada):
            assert [client.receive().seq for _ in range(1000)] == list(range(1000))
            client.nothing()


def test_garbage_on_the_channel_reaches_no_one(
    redis: RedisServer, servers: tuple[str, str]
) -> None:
    """Garbage published straight to the room's Redis channel reaches no member, and the
    servers go on delivering."""
    one, two = servers
    room = room_name()
    channel = f"typedws:room:{room}"
    with member(one, room, "ada") as ada, member(two, room, "bob") as bob:
        for garbage in (
            "nonsense",
            "\xff\x00 not utf-8",
            "1\n1-0\n{not json",
            '1\n1-0\n{"type": "said", "text": 1}',
            "1\n1-0\n" + Said(sender="x", text="y", seq=1).model_dump_json()[:-2],
        ):
            assert redis.command("PUBLISH", channel, garbage).startswith(b":")
        ada.say("after", 7)
        for client in (ada, bob):
            said = client.receive()
            assert (said.text, said.seq) == ("after", 7)
            client.nothing()
    assert state(one)["members"] == {}
    assert state(two)["members"] == {}


def test_resume_after_200_missed_messages(servers: tuple[str, str]) -> None:
    """A client away while 200 messages were sent comes back (to the other process) with
    its last offset and gets all 200, in order, without duplicates, then live ones."""
    one, two = servers
    room = room_name()
    with member(one, room, "ada") as ada:
        with member(two, room, "bob") as bob:
            ada.say("before", -1)
            last = bob.receive().offset
            assert ada.receive().offset == last
        for seq in range(200):
            ada.say("missed", seq)
        assert [ada.receive().seq for _ in range(200)] == list(range(200))
        with member(one, room, "bob", since=last) as back:
            assert back.welcome.recovered
            missed = [back.receive() for _ in range(200)]
            assert [said.seq for said in missed] == list(range(200))
            assert len({said.offset for said in missed}) == 200
            ada.say("live", 200)
            assert back.receive().seq == 200
            back.nothing()


def test_offset_out_of_history_is_told(servers: tuple[str, str]) -> None:
    """A client whose offset fell out of history is told so (recovered false) and gets live
    messages only."""
    one, two = servers
    room = room_name()
    with member(one, room, "ada") as ada:
        ada.say("first", -1)
        old = ada.receive().offset
        for seq in range(3 * HISTORY):
            ada.say("x", seq)
        for _ in range(3 * HISTORY):
            ada.receive()
        with member(two, room, "bob", since=old) as bob:
            assert not bob.welcome.recovered
            bob.nothing()
            ada.say("live", 1)
            assert bob.receive().text == "live"


def test_redis_restarted_mid_test(tmp_path: Path) -> None:
    """Redis stopped and started again: senders are told their message failed while it is
    away, members stay connected, and delivery across processes resumes."""
    redis = RedisServer(tmp_path)
    redis.start()
    room = room_name()
    with ExitStack() as stack:
        stack.callback(redis.stop)
        one = stack.enter_context(broadcast_server(redis.url))
        two = stack.enter_context(broadcast_server(redis.url))
        ada = stack.enter_context(member(one, room, "ada"))
        bob = stack.enter_context(member(two, room, "bob"))
        ada.say("before", 0)
        assert bob.receive().text == "before"
        assert ada.receive().text == "before"
        redis.stop()
        ada.say("away", 1)
        assert ada.receive(Failed, timeout=30).seq == 1
        redis.start()
        deadline = time.monotonic() + 30
        seq = 1
        while True:  # until both processes are back on Redis: publish, and bob gets it
            seq += 1
            ada.say("after", seq)
            try:
                said = bob.receive(timeout=0.5)
            except TimeoutError:
                assert time.monotonic() < deadline, "delivery never resumed"
                continue
            assert said.text == "after"
            break
        for later in range(seq + 1, seq + 51):
            ada.say("later", later)
        assert [bob.receive().seq for _ in range(50)] == list(range(seq + 1, seq + 51))


@pytest.mark.parametrize("backend", ["memory", "redis"])
def test_members_leave_every_room_on_disconnect(backend: str, redis: RedisServer) -> None:
    """Clients that disconnect leave their rooms: no member, no topic subscription and no
    room task is left in the server process."""
    url = "memory://" if backend == "memory" else redis.url
    rooms = [room_name() for _ in range(3)]
    with broadcast_server(url) as base:
        with ExitStack() as stack:
            clients = [
                stack.enter_context(member(base, room, f"m{i}")) for i in range(4) for room in rooms
            ]
            clients[0].say("hi")
            seen = state(base)
            assert seen["members"] == {f"room:{room}": 4 for room in rooms}
            assert seen["topics"] == sorted(f"room:{room}" for room in rooms)
            assert seen["room_tasks"] == 12
        deadline = time.monotonic() + 10
        while state(base) != {"members": {}, "topics": [], "room_tasks": 0}:
            assert time.monotonic() < deadline, state(base)
            time.sleep(0.05)
