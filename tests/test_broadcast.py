"""Broadcast, subscriptions and rooms: one behavioural suite, run against the memory backend
and against a real Redis (a ``redis-server`` of the tests' own)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Literal, TypeVar, cast

import pytest
from pydantic import BaseModel, TypeAdapter
from starlette.websockets import WebSocketDisconnect

from tests.redis_server import RedisServer
from typedws import ConfigurationError, InvalidOutgoingMessage, InvalidState
from typedws.broadcast import (
    TOO_SLOW,
    Broadcast,
    BroadcastUnavailable,
    Delivery,
    SlowConsumer,
    Subscription,
    Topic,
)

T = TypeVar("T")

SECRET = "s3cr3t-payload"
"""Text put in invalid messages: it must never reach a log line."""


class Said(BaseModel):
    type: Literal["said"] = "said"
    text: str
    seq: int = 0
    offset: str = ""


class Renamed(BaseModel):
    """A publisher's newer shape of the same topic: what an old subscriber cannot read."""

    type: Literal["said"] = "said"
    words: str


@pytest.fixture(params=["memory", "redis"])
def url(request: pytest.FixtureRequest) -> str:
    """The URL of each backend."""
    if request.param == "memory":
        return "memory://"
    server: RedisServer = request.getfixturevalue("redis")  # tests use topics of their own
    return server.url


@pytest.fixture
def topic() -> Topic[Said]:
    """A topic of this test's own."""
    return Topic(f"t-{uuid.uuid4().hex[:10]}", Said)


def run(test: Callable[[], Awaitable[T]], timeout: float = 30) -> T:
    """Run an async test body, bounded."""

    async def bounded() -> T:
        return await asyncio.wait_for(test(), timeout)

    return asyncio.run(bounded())


async def take(stream: Subscription[T], count: int, timeout: float = 10) -> list[Delivery[T]]:
    """The next *count* deliveries of *stream*."""

    async def collect() -> list[Delivery[T]]:
        got: list[Delivery[T]] = []
        async for delivery in stream:
            got.append(delivery)
            if len(got) == count:
                break
        return got

    return await asyncio.wait_for(collect(), timeout)


async def nothing_from(stream: Subscription[Any], wait: float = 0.3) -> None:
    """Fail if *stream* yields anything within *wait* seconds."""
    with pytest.raises(asyncio.TimeoutError):
        await take(stream, 1, timeout=wait)


def test_subscriber_gets_the_type_it_declared(url: str, topic: Topic[Said]) -> None:
    """A subscriber gets validated messages of its type, with increasing offsets, in order."""

    async def body() -> None:
        async with Broadcast(url) as broadcast, broadcast.subscribe(topic) as stream:
            offsets = [await broadcast.publish(topic, Said(text=f"m{i}", seq=i)) for i in range(5)]
            got = await take(stream, 5)
            assert [d.message for d in got] == [Said(text=f"m{i}", seq=i) for i in range(5)]
            assert all(isinstance(d.message, Said) for d in got)
            assert [d.offset for d in got] == offsets
            assert {d.topic for d in got} == {topic.name}
            assert stream.offset == offsets[-1]
            assert len(set(offsets)) == 5

    run(body)


def test_publish_by_name_and_subscribe_by_name(url: str) -> None:
    """A topic given by name takes its message type at subscribe, and the message's own
    class (or type=) at publish; other message types validate the same JSON."""

    async def body() -> None:
        name = f"n-{uuid.uuid4().hex[:8]}"
        async with Broadcast(url) as broadcast, broadcast.subscribe(name, Said) as stream:
            await broadcast.publish(name, Said(text="a"))
            await broadcast.publish(name, {"type": "said", "text": "b"}, type=Said)
            got = await take(stream, 2)
            assert [d.message.text for d in got] == ["a", "b"]

    run(body)


def test_a_type_adapter_is_a_message_type(url: str) -> None:
    """A TypeAdapter is a topic's message type, as the checkers type it: in Topic, in
    subscribe by name and in room by name, its messages are validated by that adapter."""

    async def body() -> None:
        adapter: TypeAdapter[Said] = TypeAdapter(Said)
        topic = Topic(f"a-{uuid.uuid4().hex[:8]}", adapter)
        async with (
            Broadcast(url) as broadcast,
            broadcast.subscribe(topic) as stream,
            broadcast.subscribe(topic.name, adapter) as by_name,
        ):
            member = FakeMember()
            assert await broadcast.room(topic.name, adapter).join(member)
            await broadcast.publish(topic, Said(text="a"))
            assert [d.message for d in await take(stream, 1)] == [Said(text="a")]
            assert [d.message for d in await take(by_name, 1)] == [Said(text="a")]
            await settle(lambda: member.sent == [Said(text="a")])
            await broadcast.leave_all(member)

    run(body)


def test_invalid_messages_are_logged_and_skipped(
    url: str, topic: Topic[Said], caplog: pytest.LogCaptureFixture
) -> None:
    """Garbage and a stale publisher's shape reach no subscriber, are logged without their
    content, and the subscriber goes on with the next valid message."""

    async def body() -> None:
        async with Broadcast(url) as broadcast, broadcast.subscribe(topic) as stream:
            await broadcast.backend.publish(topic.name, f"not json {SECRET}")
            await broadcast.backend.publish(topic.name, f'{{"text": 1, "x": "{SECRET}"}}')
            await broadcast.publish(topic.name, Renamed(words=SECRET))
            await broadcast.publish(topic, Said(text="fine"))
            got = await take(stream, 1)
            assert got[0].message.text == "fine"
            await nothing_from(stream)

    with caplog.at_level(logging.WARNING, logger="typedws.broadcast"):
        run(body)
    dropped = [r for r in caplog.records if "dropped a message" in r.getMessage()]
    assert len(dropped) == 3
    assert SECRET not in caplog.text


def test_resume_since_an_offset(url: str, topic: Topic[Said]) -> None:
    """since=offset yields every later message from history, in order, then live ones."""

    async def body() -> None:
        async with Broadcast(url) as broadcast:
            offsets = [await broadcast.publish(topic, Said(text="", seq=i)) for i in range(30)]
            async with broadcast.subscribe(topic, since=offsets[9]) as stream:
                assert stream.recovered
                await broadcast.publish(topic, Said(text="", seq=30))
                got = await take(stream, 21)
                assert [d.message.seq for d in got] == list(range(10, 31))
                assert [d.offset for d in got[:20]] == offsets[10:]
                await nothing_from(stream)
            async with broadcast.subscribe(topic, since=stream.offset) as again:
                assert again.recovered
                await nothing_from(again)

    run(body)


def test_resume_while_publishing_has_no_gap_and_no_duplicate(url: str, topic: Topic[Said]) -> None:
    """Subscribing since= while another task publishes: the switch from history to live
    messages loses none and repeats none."""

    async def body() -> None:
        async with Broadcast(url) as broadcast:
            first = await broadcast.publish(topic, Said(text="", seq=0))

            async def publish() -> None:
                for seq in range(1, 400):
                    await broadcast.publish(topic, Said(text="", seq=seq))
                    if seq % 7 == 0:
                        await asyncio.sleep(0)

            publisher = asyncio.create_task(publish())
            await asyncio.sleep(0.005)
            async with broadcast.subscribe(topic, since=first) as stream:
                assert stream.recovered
                got = await take(stream, 399)
            await publisher
            assert [d.message.seq for d in got] == list(range(1, 400))

    run(body)


def test_offset_out_of_history_is_not_recovered(url: str) -> None:
    """An offset older than history, of another epoch, or not an offset at all: recovered is
    false and only live messages come."""

    async def body() -> None:
        topic = Topic(f"h-{uuid.uuid4().hex[:8]}", Said)
        async with Broadcast(url, history=10) as broadcast:
            old = await broadcast.publish(topic, Said(text="old"))
            for seq in range(400):
                await broadcast.publish(topic, Said(text="", seq=seq))
            epoch, _, position = old.partition(":")
            for since in (old, f"x{epoch}:{position}", "garbage", ""):
                async with broadcast.subscribe(topic, since=since) as stream:
                    assert not stream.recovered, since
                    await broadcast.publish(topic, Said(text="live"))
                    got = await take(stream, 1)
                    assert got[0].message.text == "live"

    run(body)


def test_another_broadcast_epoch_is_not_recovered(
    url: str, topic: Topic[Said], request: pytest.FixtureRequest
) -> None:
    """A memory broadcast's offsets are its own: another one never recovers them; a Redis
    topic whose history was deleted gets a new epoch."""

    async def body() -> None:
        async with Broadcast(url) as one:
            offset = await one.publish(topic, Said(text="a"))
        async with Broadcast(url) as two:
            if url.startswith("redis"):
                async with two.subscribe(topic, since=offset) as stream:
                    assert stream.recovered  # the same Redis: the same history
                server: RedisServer = request.getfixturevalue("redis")
                server.command("DEL", f"typedws:stream:{topic.name}")
                await two.publish(topic, Said(text="b"))
            async with two.subscribe(topic, since=offset) as stream:
                assert not stream.recovered

    run(body)


def test_slow_subscriber_drops_oldest_and_counts(url: str, topic: Topic[Said]) -> None:
    """A full queue drops its oldest message and counts it; the subscriber then gets the
    newest max_queue messages."""

    async def body() -> None:
        broadcast = Broadcast(url)
        async with broadcast, broadcast.subscribe(topic, max_queue=5) as stream:
            for seq in range(20):
                await broadcast.publish(topic, Said(text="", seq=seq))
            await settle(lambda: stream.dropped == 15)  # Redis: every message arrived
            got = await take(stream, 5)
            assert [d.message.seq for d in got] == list(range(15, 20))

    run(body)


def test_slow_subscriber_closed(url: str, topic: Topic[Said]) -> None:
    """Under on_overflow="close" a subscriber that falls behind ends with SlowConsumer."""

    async def body() -> None:
        async with Broadcast(url) as broadcast:
            async with broadcast.subscribe(topic, max_queue=3, on_overflow="close") as stream:
                for seq in range(5):
                    await broadcast.publish(topic, Said(text="", seq=seq))
                await settle(lambda: stream.dropped == 5)  # Redis: every message arrived
                with pytest.raises(SlowConsumer, match="over 3 messages"):
                    await take(stream, 1)
                assert stream.dropped == 5  # 3 queued, the one too many, and one more
            assert broadcast.topics == frozenset()

    run(body)


def test_per_publisher_order(url: str, topic: Topic[Said]) -> None:
    """1,000 messages from one publisher arrive in publish order at every subscriber."""

    async def body() -> None:
        broadcast = Broadcast(url)
        async with broadcast, broadcast.subscribe(topic) as one, broadcast.subscribe(topic) as two:
            for seq in range(1000):
                await broadcast.publish(topic, Said(text="", seq=seq))
            for stream in (one, two):
                got = await take(stream, 1000)
                assert [d.message.seq for d in got] == list(range(1000))

    run(body)


def test_subscriptions_end_with_the_broadcast(url: str, topic: Topic[Said]) -> None:
    """Disconnecting the broadcast ends its subscribers' iteration."""

    async def body() -> None:
        broadcast = Broadcast(url)
        await broadcast.connect()
        async with broadcast.subscribe(topic) as stream:
            waiting = asyncio.create_task(take(stream, 1))
            await asyncio.sleep(0.05)
            await broadcast.disconnect()
            assert await waiting == []

    run(body)


class FakeMember:
    """A connection that records what it is sent; ``gone`` makes its sends raise as a peer
    that left, ``stuck`` makes them wait forever."""

    def __init__(self, *, gone: bool = False, stuck: bool = False) -> None:
        self.sent: list[Said] = []
        self.closed: tuple[int, str | None] | None = None
        self.gone = gone
        self.stuck = stuck

    async def send(self, value: Said, /) -> None:
        if self.gone:
            raise WebSocketDisconnect(1001)
        if self.stuck:
            await asyncio.Event().wait()
        self.sent.append(value)

    async def close(self, code: int = 1000, reason: str | None = None) -> None:
        self.closed = (code, reason)


async def settle(condition: Callable[[], bool], timeout: float = 10) -> None:
    """Wait until *condition* holds."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


def room_tasks() -> list[asyncio.Task[Any]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("typedws room")]


def test_room_fans_out_once_to_every_member(url: str, topic: Topic[Said]) -> None:
    """Every member gets every message once, in order; a gone member leaves by itself and
    never makes publish raise; leaving and leave_all leak no subscription and no task."""

    async def body() -> None:
        async with Broadcast(url) as broadcast:
            room = broadcast.room(topic)
            assert broadcast.room(topic) is room
            members = [FakeMember() for _ in range(5)]
            gone = FakeMember(gone=True)
            for member in [*members, gone]:
                assert await room.join(member)
            assert len(room) == 6
            assert broadcast.topics == {topic.name}
            for seq in range(10):
                await room.publish(Said(text="", seq=seq))
            await settle(lambda: all(len(m.sent) == 10 for m in members))
            await settle(lambda: gone not in room)
            for member in members:
                assert [s.seq for s in member.sent] == list(range(10))
            assert broadcast.rooms_of(gone) == []
            await room.leave(members[0])
            for member in members[1:]:
                await broadcast.leave_all(member)
            assert len(room) == 0
            assert broadcast.topics == frozenset()
            await asyncio.sleep(0)
            assert room_tasks() == []

    run(body)


def test_room_closes_a_slow_member(url: str, topic: Topic[Said]) -> None:
    """Under on_overflow="close" a member that falls behind is closed with the room's close
    code (1013 by default); the others get everything."""

    async def body() -> None:
        async with Broadcast(url) as broadcast:
            room = broadcast.room(topic, max_queue=3, on_overflow="close")
            fast, slow = FakeMember(), FakeMember(stuck=True)
            await room.join(fast)
            await room.join(slow)
            for seq in range(10):
                await room.publish(Said(text="", seq=seq))
                await asyncio.sleep(0.01)  # the fast member keeps up
            await settle(lambda: slow.closed is not None and len(fast.sent) == 10)
            assert slow.closed == (1013, TOO_SLOW)
            assert slow not in room
            assert room.dropped >= 4  # 3 queued, then one too many
            await room.leave(fast)
            assert room_tasks() == []

    run(body)


def test_room_drops_oldest_for_a_slow_member(url: str, topic: Topic[Said]) -> None:
    """The default policy keeps a slow member and counts what it missed."""

    async def body() -> None:
        async with Broadcast(url) as broadcast:
            room = broadcast.room(topic, max_queue=2)
            slow = FakeMember(stuck=True)
            await room.join(slow)
            for seq in range(10):
                await room.publish(Said(text="", seq=seq))
            await settle(lambda: room.dropped >= 7)
            assert slow in room
            assert slow.closed is None

    run(body)


def test_room_member_resumes_with_offsets_in_messages(url: str, topic: Topic[Said]) -> None:
    """With offset_field each message carries its offset; a member joining since= one gets
    what it missed, in order, then live messages; an unknown offset is not recovered."""

    async def body() -> None:
        async with Broadcast(url) as broadcast:
            room = broadcast.room(topic, offset_field="offset")
            first = FakeMember()
            await room.join(first)
            for seq in range(5):
                await room.publish(Said(text="", seq=seq))
            await settle(lambda: len(first.sent) == 5)
            assert all(s.offset for s in first.sent)
            last_seen = first.sent[1].offset
            again = FakeMember()
            assert await room.join(again, since=last_seen)
            await room.publish(Said(text="", seq=5))
            await settle(lambda: len(again.sent) == 4)
            assert [s.seq for s in again.sent] == [2, 3, 4, 5]
            assert [s.offset for s in again.sent[:3]] == [s.offset for s in first.sent[2:5]]
            lost = FakeMember()
            assert not await room.join(lost, since="nope:1")
            async with room.joined(FakeMember()) as recovered:
                assert recovered
                assert len(room) == 4

    run(body)


def test_redis_outage(tmp_path: Path) -> None:
    """With Redis down a publish raises BroadcastUnavailable; a subscriber reconnects by
    itself and gets what is published once Redis is back."""
    server = RedisServer(tmp_path)
    server.start()
    topic = Topic(f"o-{uuid.uuid4().hex[:8]}", Said)

    async def body() -> None:
        async with Broadcast(server.url) as broadcast, broadcast.subscribe(topic) as stream:
            await broadcast.publish(topic, Said(text="before"))
            assert (await take(stream, 1))[0].message.text == "before"
            server.stop()
            with pytest.raises(BroadcastUnavailable, match="cannot publish"):
                await broadcast.publish(topic, Said(text="lost"))
            server.start()
            deadline = asyncio.get_running_loop().time() + 15
            seq = 0
            while True:  # publish until the subscriber is back
                seq += 1
                with_error = False
                try:
                    await broadcast.publish(topic, Said(text="after", seq=seq))
                except BroadcastUnavailable:
                    with_error = True
                if not with_error:
                    try:
                        got = await take(stream, 1, timeout=0.2)
                    except asyncio.TimeoutError:
                        got = []
                    if got:
                        assert got[0].message.text == "after"
                        break
                assert asyncio.get_running_loop().time() < deadline
                await asyncio.sleep(0.05)

    try:
        run(body)
    finally:
        server.stop()


def test_configuration_errors() -> None:
    """Options that cannot work are refused when given."""

    async def body() -> None:
        with pytest.raises(ConfigurationError, match="unknown broadcast URL"):
            Broadcast("kafka://x")
        with pytest.raises(ConfigurationError, match="history"):
            Broadcast(history=0)
        async with Broadcast() as broadcast:
            topic = Topic("x", Said)
            with pytest.raises(ConfigurationError, match="max_queue"):
                broadcast.subscribe(topic, max_queue=0)
            with pytest.raises(ConfigurationError, match="on_overflow"):
                cast(Any, broadcast).subscribe(topic, on_overflow="block")
            with pytest.raises(ConfigurationError, match="message type"):
                broadcast.subscribe("x", None)
            room = broadcast.room(topic)
            await room.join(FakeMember())
            with pytest.raises(ConfigurationError, match="already exists"):
                broadcast.room("x", Renamed)
            with pytest.raises(InvalidOutgoingMessage):
                await cast(Any, broadcast).publish(topic, Renamed(words="x"))
        with pytest.raises(InvalidState, match="connect"):
            await Broadcast().publish(topic, Said(text="x"))
        with pytest.raises(ConfigurationError):
            Topic("y", cast(Any, object()))

    run(body)
