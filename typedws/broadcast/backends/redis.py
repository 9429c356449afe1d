"""``redis://host:port/db``: the backend for several processes or machines (redis-py).

Each publish runs one Lua script, atomically: ``XADD`` to the topic's stream, capped at
about ``history`` entries (``MAXLEN ~``), then ``PUBLISH`` of the entry (its epoch, its
stream id and its JSON) to the topic's channel. So live delivery (pub/sub) and history
(the stream) hold the same messages in the same order. A topic's epoch, in a key beside
its stream, is made afresh whenever the script finds the stream or the epoch missing
(history lost: Redis restarted without persistence, the key deleted or evicted), so that
offsets of the old history are never taken for offsets of the new one.

One pub/sub connection per process listens to every subscribed topic. When it drops, it
reconnects with exponential back-off (jittered, up to ``max_delay``), subscribes again, and
reads from each topic's history what was published since the last message it delivered.
This module is the only one that imports redis-py (``pip install 'typedws[redis]'``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from typing import Any, cast

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError

from typedws.broadcast.backends.base import Backend, Deliver, Entry, History, parse_offset
from typedws.broadcast.errors import BroadcastUnavailable

__all__ = ["RedisBackend"]

logger: logging.Logger = logging.getLogger("typedws.broadcast")

_PUBLISH = """
local epoch = redis.call('GET', KEYS[2])
if (not epoch) or redis.call('EXISTS', KEYS[1]) == 0 then
  local now = redis.call('TIME')
  epoch = string.format('%s%06d', now[1], tonumber(now[2]))
  redis.call('SET', KEYS[2], epoch)
end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'd', ARGV[2])
redis.call('PUBLISH', ARGV[3], epoch .. '\\n' .. id .. '\\n' .. ARGV[2])
return {epoch, id}
"""

_Key = tuple[str, tuple[int, ...]]


class RedisBackend(Backend):
    """Topics shared by every process using one Redis: live messages over pub/sub, history
    in a Redis stream per topic.

    Keys are ``{prefix}:stream:{topic}`` and ``{prefix}:epoch:{topic}``, the channel
    ``{prefix}:{topic}``. A publish or history read that cannot reach Redis is retried
    *retries* times with back-off (``timeout`` seconds per attempt), then raises
    ``BroadcastUnavailable``. Commands share at most *max_connections* connections; the
    subscriber's connection, made again after a loss, waits at most *max_delay* seconds
    between attempts.
    """

    def __init__(
        self,
        url: str,
        *,
        history: int = 1000,
        prefix: str = "typedws",
        timeout: float = 5.0,
        retries: int = 2,
        max_delay: float = 2.0,
        max_connections: int = 50,
    ) -> None:
        self.url = url
        self.history_size = history
        self.prefix = prefix
        self.timeout = timeout
        self.retries = retries
        self.max_delay = max_delay
        self.max_connections = max_connections
        self._deliver: Deliver | None = None
        self._client: Any = None
        self._listen_client: Any = None
        self._script: Any = None
        self._pubsub: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._topics: set[str] = set()
        self._cursors: dict[str, _Key] = {}
        self._last: dict[str, str] = {}
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}
        self._listening = False
        self._tried = asyncio.Event()
        #: How many times the pub/sub connection was made again after a loss.
        self.reconnects: int = 0

    def channel(self, topic: str) -> str:
        """The pub/sub channel of *topic*."""
        return f"{self.prefix}:{topic}"

    def _keys(self, topic: str) -> list[str]:
        return [f"{self.prefix}:stream:{topic}", f"{self.prefix}:epoch:{topic}"]

    async def connect(self, deliver: Deliver, /) -> None:
        """Make the clients and start listening: return once the listening connection is
        made, or could not be (Redis need not be up: it listens once Redis is)."""
        self._deliver = deliver
        retry = Retry(ExponentialBackoff(cap=0.5, base=0.05), self.retries)
        # Publishers beyond max_connections wait for a connection (up to timeout).
        pool = cast(Any, aioredis.BlockingConnectionPool).from_url(
            self.url,
            max_connections=self.max_connections,
            timeout=self.timeout,
            socket_connect_timeout=self.timeout,
            socket_timeout=self.timeout,
            retry=retry,
        )
        self._client = aioredis.Redis.from_pool(pool)
        self._listen_client = aioredis.from_url(
            self.url, socket_connect_timeout=self.timeout, retry=Retry(NoBackoff(), 0)
        )
        self._script = self._client.register_script(_PUBLISH)
        self._tried = asyncio.Event()
        self._reader = asyncio.create_task(self._read(), name="typedws broadcast redis")
        await self._tried.wait()  # listening, or Redis is away: then it listens when back

    async def disconnect(self) -> None:
        """Stop listening and close every connection."""
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader
        for client in (self._client, self._listen_client):
            if client is not None:
                with contextlib.suppress(RedisError, OSError):
                    await client.aclose()
        self._client = self._listen_client = self._deliver = None
        self._topics.clear()
        self._cursors.clear()
        self._last.clear()

    async def publish(self, topic: str, data: str, /) -> str:
        """Append *data* to *topic*'s stream and publish it, in one script."""
        if self._script is None:
            raise BroadcastUnavailable("the Redis backend is not connected")
        try:
            epoch, entry_id = await self._script(
                keys=self._keys(topic), args=[self.history_size, data, self.channel(topic)]
            )
        except (RedisError, OSError) as exc:
            raise BroadcastUnavailable(f"cannot publish to Redis: {_describe(exc)}") from exc
        return f"{_text(epoch)}:{_text(entry_id)}"

    async def subscribe(self, topic: str, /) -> None:
        """Subscribe *topic*'s channel and wait until Redis confirms it; while Redis is
        away, the topic is subscribed when it returns."""
        self._topics.add(topic)
        pubsub = self._pubsub
        if pubsub is None or not self._listening:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(topic, []).append(waiter)
        try:
            await pubsub.subscribe(self.channel(topic))
            await asyncio.wait_for(asyncio.shield(waiter), self.timeout)
        except (RedisError, OSError, asyncio.TimeoutError):
            logger.warning("broadcast: Redis did not confirm %r yet; it will", topic)
        finally:
            waiters = self._waiters.get(topic, [])
            if waiter in waiters:
                waiters.remove(waiter)
            if not waiters:
                self._waiters.pop(topic, None)

    async def unsubscribe(self, topic: str, /) -> None:
        """Unsubscribe *topic*'s channel."""
        self._topics.discard(topic)
        self._cursors.pop(topic, None)
        self._last.pop(topic, None)
        pubsub = self._pubsub
        if pubsub is not None and self._listening:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.unsubscribe(self.channel(topic))

    async def history(self, topic: str, since: str, /) -> History:
        """The stream's entries after *since*, when the epoch is *since*'s and the stream
        still holds the entry *since* itself."""
        parsed = parse_offset(since)
        if parsed is None or len(parsed[1]) != 2 or self._client is None:
            return History([], False)
        epoch, (ms, seq) = parsed
        stream, epoch_key = self._keys(topic)
        since_id = f"{ms}-{seq}"
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.get(epoch_key)
                pipe.xrange(stream, min=since_id, max="+")
                current, entries = await pipe.execute()
        except (RedisError, OSError) as exc:
            raise BroadcastUnavailable(f"cannot read history from Redis: {_describe(exc)}") from exc
        rows = cast("list[tuple[bytes, dict[bytes, bytes]]]", entries)
        if current is None or _text(current) != epoch or not rows or _text(rows[0][0]) != since_id:
            return History([], False)
        return History(
            [Entry(f"{epoch}:{_text(entry_id)}", _data(fields)) for entry_id, fields in rows[1:]],
            True,
        )

    # The reader: one pub/sub connection, made again when lost.

    async def _read(self) -> None:
        delay = 0.05
        while True:
            pubsub = self._listen_client.pubsub()
            self._pubsub = pubsub
            connected = False
            try:
                await pubsub.connect()
                connected = True
                topics = list(self._topics)
                if topics:
                    await pubsub.subscribe(*(self.channel(topic) for topic in topics))
                self._listening = True
                self._tried.set()
                delay = 0.05
                await self._listen(pubsub)
            except (RedisError, OSError) as exc:
                if connected:
                    logger.warning("broadcast: lost Redis (%s); reconnecting", _describe(exc))
            finally:
                self._tried.set()
                self._listening = False
                self._pubsub = None
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
            await asyncio.sleep(delay * (0.5 + random.random()))
            delay = min(delay * 2, self.max_delay)
            self.reconnects += 1

    async def _listen(self, pubsub: Any) -> None:
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message is None:
                continue
            kind = message["type"]
            topic = _text(message["channel"])[len(self.prefix) + 1 :]
            if kind == "message":
                if topic in self._topics:
                    self._on_message(topic, message["data"])
            elif kind == "subscribe":
                await self._confirmed(topic)

    async def _confirmed(self, topic: str) -> None:
        """*topic* is subscribed: wake its subscribers; after a reconnect, deliver what it
        missed from history."""
        since = self._last.get(topic)
        if since is not None:
            history = await self.history(topic, since)
            if history.recovered:
                for entry in history.entries:
                    self._emit(topic, entry)
            else:
                logger.warning(
                    "broadcast: history of %r was lost while Redis was away; messages may be "
                    "missing",
                    topic,
                )
        for waiter in self._waiters.pop(topic, []):
            if not waiter.done():
                waiter.set_result(None)

    def _on_message(self, topic: str, payload: bytes) -> None:
        parts = payload.split(b"\n", 2)
        entry = None
        if len(parts) == 3:
            with contextlib.suppress(UnicodeDecodeError):
                entry = Entry(f"{parts[0].decode()}:{parts[1].decode()}", parts[2].decode())
        if entry is None or parse_offset(entry.offset) is None:
            logger.warning("broadcast: dropped a malformed message on %r", topic)
            return
        self._emit(topic, entry)

    def _emit(self, topic: str, entry: Entry) -> None:
        """Deliver *entry* unless it is at or before the last one delivered (a replay)."""
        key = cast(_Key, parse_offset(entry.offset))
        cursor = self._cursors.get(topic)
        if cursor is not None and cursor[0] == key[0] and key[1] <= cursor[1]:
            return
        self._cursors[topic] = key
        self._last[topic] = entry.offset
        if self._deliver is not None:
            self._deliver(topic, entry)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _data(fields: dict[bytes, bytes]) -> str:
    """An entry's JSON; text that is not UTF-8 is kept replaced, for validation to refuse."""
    return fields.get(b"d", b"").decode("utf-8", "replace")


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
