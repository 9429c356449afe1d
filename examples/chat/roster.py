"""Who is in the chat room: in this process, or in Redis for every process sharing it.

A room's messages reach every process through ``typedws.Broadcast``; its members' names
must be shared too, or ``who`` and the "name taken" check would only see this process.
``MemoryRoster`` keeps them in a set; ``RedisRoster`` in a Redis hash of name -> the
process that holds it, where a name counts only while its process is alive: each process
refreshes a key that expires ``ALIVE_FOR`` seconds after its last refresh, so the names of a
process that died without shutting down are free again soon after.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncGenerator
from typing import Any, Protocol, cast

__all__ = [
    "ALIVE_FOR",
    "MemoryRoster",
    "RedisRoster",
    "Roster",
    "RosterUnavailable",
    "roster_for",
]

logger: logging.Logger = logging.getLogger("examples.chat")

ALIVE_FOR = 15
"""Seconds a process's names outlive its last sign of life (it refreshes every third)."""


class RosterUnavailable(Exception):
    """The roster cannot be read or changed now (Redis cannot be reached)."""


class Roster(Protocol):
    """The names of the room's members, in every process that shares the room."""

    async def add(self, name: str) -> bool:
        """Take *name* for a member of this process; ``False`` when someone has it."""
        ...

    async def remove(self, name: str) -> None:
        """Free *name*, taken by a member of this process."""
        ...

    async def names(self) -> list[str]:
        """Every member's name, sorted."""
        ...

    async def close(self) -> None:
        """Free every name of this process and stop."""
        ...


class MemoryRoster:
    """The names of one process's members."""

    def __init__(self) -> None:
        self._names: set[str] = set()

    async def add(self, name: str) -> bool:
        if name in self._names:
            return False
        self._names.add(name)
        return True

    async def remove(self, name: str) -> None:
        self._names.discard(name)

    async def names(self) -> list[str]:
        return sorted(self._names)

    async def close(self) -> None:
        self._names.clear()


# KEYS[1] the hash of names; ARGV: name, this process, the prefix of the alive keys.
_ADD = """
local owner = redis.call('HGET', KEYS[1], ARGV[1])
if owner and owner ~= ARGV[2] and redis.call('EXISTS', ARGV[3] .. owner) == 1 then
  return 0
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
return 1
"""

_REMOVE = """
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then
  redis.call('HDEL', KEYS[1], ARGV[1])
end
return 1
"""


class RedisRoster:
    """The names of the members of every process sharing the Redis at *url*."""

    def __init__(self, url: str, *, key: str = "typedws-chat:members") -> None:
        import redis.asyncio as aioredis  # only with --redis: the demo needs no Redis else

        self._client: Any = aioredis.from_url(url, decode_responses=True)
        self._errors: tuple[type[Exception], ...] = (aioredis.RedisError, OSError)
        self._key = key
        self._alive_prefix = f"{key}:alive:"
        self._me = uuid.uuid4().hex
        self._add = self._client.register_script(_ADD)
        self._remove = self._client.register_script(_REMOVE)
        self._heartbeat: asyncio.Task[None] | None = None

    async def add(self, name: str) -> bool:
        async with self._reaching():
            await self._alive()
            return bool(
                await self._add(keys=[self._key], args=[name, self._me, self._alive_prefix])
            )

    async def remove(self, name: str) -> None:
        async with self._reaching():
            await self._remove(keys=[self._key], args=[name, self._me])

    async def names(self) -> list[str]:
        async with self._reaching():
            owners = cast("dict[str, str]", await self._client.hgetall(self._key))
            processes = sorted(set(owners.values()))
            alive = await self._client.mget([self._alive_prefix + p for p in processes])
            living = {p for p, flag in zip(processes, alive, strict=True) if flag is not None}
            return sorted(name for name, owner in owners.items() if owner in living)

    async def close(self) -> None:
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._heartbeat
            self._heartbeat = None
        with contextlib.suppress(*self._errors):
            await self._client.delete(self._alive_prefix + self._me)  # its names are free
        await self._client.aclose()

    async def _alive(self) -> None:
        """Say this process is alive, and keep saying it while it holds names."""
        if self._heartbeat is None or self._heartbeat.done():
            await self._client.set(self._alive_prefix + self._me, "1", ex=ALIVE_FOR)
            self._heartbeat = asyncio.create_task(self._beat(), name="chat roster heartbeat")

    async def _beat(self) -> None:
        while True:
            await asyncio.sleep(ALIVE_FOR / 3)
            try:
                await self._client.set(self._alive_prefix + self._me, "1", ex=ALIVE_FOR)
            except self._errors as exc:
                logger.warning("roster: cannot reach Redis: %r", exc)

    @contextlib.asynccontextmanager
    async def _reaching(self) -> AsyncGenerator[None, None]:
        try:
            yield
        except self._errors as exc:
            raise RosterUnavailable(f"cannot reach Redis: {exc!r}") from exc


def roster_for(url: str | None) -> Roster:
    """A ``RedisRoster`` for a Redis *url*, else a ``MemoryRoster``."""
    return MemoryRoster() if not url else RedisRoster(url)
