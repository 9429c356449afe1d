"""Load: 1,000 concurrent typed connections to one uvicorn process (``tests.soak_app``).

Each client sends 100 ``Ping`` messages (``WINDOW`` of them in flight) and checks every
``Pong``: its client id, sequence number and text, in order, none missing, none extra. One
client in 20 (5%) sends an invalid message after its 50th ``Ping`` and must get the 50 replies
before it, in order, then a close with the code the close-code table gives for what it sent (1008,
1007 or 1003). All 1,000 connections are open at once before any sends (the server counts
them); handshakes go ``HANDSHAKES`` at a time so that uvicorn's accept backlog is not overrun.

The server's RSS (``VmRSS`` of ``/proc/<pid>/status``) is read after a warm-up round of the
same 1,000 connections (10 messages each, the same 5% invalid), so that imports, allocator
pools and the per-connection high-water mark are counted; it is sampled during the soak, and
read again once the server has let every connection go: it must then be at most ``RSS_BOUND``
(16 MiB) above the warmed-up baseline. Measured on the shared 2-core development machine over
eight runs: baseline 70.5-71.5 MiB, growth 1.8-4.4 MiB (peak = after, 72.4-75.1 MiB); eight
soak rounds back to back (800,000 messages) level off 2.5 MiB above the first. A leak of 170
bytes per message or 16 KiB per connection fails it; an app that keeps every Ping grows it by
56 MiB.

The clients offer no compression: with permessage-deflate the server's RSS after all close
moves by 20 MiB from round to round (zlib's buffers fragment the C heap, while the memory
Python traces is back to its baseline), which would hide a leak of typedws's own.

Nothing here checks a wall-clock time. ``TIMEOUT`` (240 s) and ``CLIENT_TIMEOUT`` only keep
a hung run from hanging CI; the whole test, server start included, takes 19-37 s on the
shared, busy 2-core machine (the soak round 14-30 s of it).
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import uvloop
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from tests.server import uvicorn_process
from tests.soak_app import Ping, Pong

pytestmark = pytest.mark.hardening

ROOT = Path(__file__).resolve().parents[1]

CLIENTS = 1000
MESSAGES = 100
INVALID_EVERY = 20  # clients 0, 20, 40, ...: 50 of 1,000
INVALID_AFTER = 50  # the invalid message follows the 50th Ping (seq 49)
WINDOW = 8  # Pings in flight per connection
HANDSHAKES = 50  # handshakes in flight at once (uvicorn's accept backlog is 2048)
WARM_UP_MESSAGES = 10
MiB = 1024 * 1024
RSS_BOUND = 16 * MiB  # server RSS after the soak, above the warmed-up baseline
TIMEOUT = 240  # seconds, the whole run; only so that a hung run fails instead of hanging
CLIENT_TIMEOUT = 180  # seconds, one client's messages; it then reports where it got stuck

# What an invalid client sends, and the close code docs/close-codes.md gives for it.
INVALID: list[tuple[str, str | bytes, int]] = [
    ("a field of the wrong type", '{"client": 0, "seq": "fifty", "text": "x"}', 1008),
    ("a missing field", '{"client": 0, "seq": 50}', 1008),
    ("JSON of the wrong shape", '["client", 0, "seq", 50]', 1008),
    ("text that is not JSON", '{"client": 0, "seq": 5', 1007),
    ("a binary frame", b'{"client": 0, "seq": 50, "text": "x"}', 1003),
]


@dataclass
class Outcome:
    """What one client saw."""

    client: int
    replies: list[tuple[int, int, str]] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""
    error: str | None = None


def invalid_kind(client: int) -> tuple[str, str | bytes, int] | None:
    """What *client* sends after its 50th Ping, or None when it sends only valid ones."""
    if client % INVALID_EVERY:
        return None
    return INVALID[client // INVALID_EVERY % len(INVALID)]


def valid_count(client: int, messages: int) -> int:
    return messages if invalid_kind(client) is None else min(messages, INVALID_AFTER)


def text_of(client: int, seq: int) -> str:
    return f"c{client}-s{seq}-✓"


def expected_replies(client: int, messages: int) -> list[tuple[int, int, str]]:
    return [(client, seq, text_of(client, seq)) for seq in range(valid_count(client, messages))]


def rss(pid: int) -> tuple[int, int]:
    """The process's resident set size and its peak so far (VmRSS, VmHWM), in bytes."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    fields = dict(line.split(":", 1) for line in lines)
    return int(fields["VmRSS"].split()[0]) * 1024, int(fields["VmHWM"].split()[0]) * 1024


def cpu_seconds(pid: int) -> float:
    """The process's CPU time so far (user and system), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def state(base: str) -> dict[str, int]:
    """What the server's /state reports."""
    with urllib.request.urlopen(base + "/state", timeout=5) as response:
        return dict(json.loads(response.read()))


def enough_file_descriptors() -> None:
    """1,000 connections need 1,000 descriptors in each process (the server inherits ours)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * CLIENTS
    if soft != resource.RLIM_INFINITY and soft < wanted:
        if hard != resource.RLIM_INFINITY and hard < wanted:
            pytest.fail(f"the soak needs {wanted} file descriptors; the hard limit is {hard}")
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


async def talk(ws: ClientConnection, outcome: Outcome, messages: int) -> None:
    """Send *messages* Pings (or the first INVALID_AFTER, then the invalid message) with
    WINDOW in flight, reading every reply; then close, or read the server's close."""
    client = outcome.client
    invalid = invalid_kind(client)
    count = valid_count(client, messages)
    sent = 0

    async def send_next() -> None:
        nonlocal sent
        if sent < count:
            ping = Ping(client=client, seq=sent, text=text_of(client, sent))
            await ws.send(ping.model_dump_json())
        elif sent == count and invalid is not None:
            await ws.send(invalid[1])
        sent += 1

    for _ in range(WINDOW):
        await send_next()
    try:
        for _ in range(count):
            pong = Pong.model_validate_json(await ws.recv())
            outcome.replies.append((pong.client, pong.seq, pong.text))
            await send_next()
        if invalid is not None:
            extra = await ws.recv()
            outcome.error = f"a message after the last valid reply: {extra!r:.80}"
        await ws.close()
    except ConnectionClosed as exc:
        if exc.rcvd is None:
            outcome.error = f"the connection dropped without a close frame: {exc!r}"
    outcome.close_code = ws.close_code
    outcome.close_reason = ws.close_reason or ""


async def run_round(base: str, messages: int) -> list[Outcome]:
    """CLIENTS connections, all open at once before any sends, each talking *messages*."""
    url = base.replace("http", "ws", 1) + "/soak/"
    handshakes = asyncio.Semaphore(HANDSHAKES)
    all_open = asyncio.Event()
    opened = 0

    async def one(client: int) -> Outcome:
        nonlocal opened
        outcome = Outcome(client)
        async with handshakes:
            ws = await connect(
                url + str(client), open_timeout=60, close_timeout=30, proxy=None,
                ping_interval=None, compression=None,
            )  # fmt: skip
        async with ws:
            opened += 1
            if opened == CLIENTS:
                all_open.set()
            await all_open.wait()
            try:
                await asyncio.wait_for(talk(ws, outcome, messages), CLIENT_TIMEOUT)
            except asyncio.TimeoutError:
                outcome.error = f"stuck after {len(outcome.replies)} replies"
        return outcome

    return await asyncio.gather(*(one(client) for client in range(CLIENTS)))


def check(outcomes: list[Outcome], messages: int) -> None:
    """Every client got exactly its replies, in order, and the close it should have."""
    assert [o.client for o in outcomes] == list(range(CLIENTS))
    errors = {o.client: o.error for o in outcomes if o.error is not None}
    assert errors == {}
    wrong: dict[int, str] = {}
    for o in outcomes:
        want = expected_replies(o.client, messages)
        if o.replies != want:
            pairs = enumerate(zip(o.replies, want, strict=False))
            i = next((i for i, (got, w) in pairs if got != w), min(len(o.replies), len(want)))
            wrong[o.client] = (
                f"{len(o.replies)} replies of {len(want)}; at {i}: "
                f"{o.replies[i : i + 1]} instead of {want[i : i + 1]}"
            )
    assert wrong == {}, f"{len(wrong)} clients got wrong replies"
    codes = {o.client: o.close_code for o in outcomes}
    assert codes == {
        client: 1000 if (kind := invalid_kind(client)) is None else kind[2]
        for client in range(CLIENTS)
    }
    reasons = {o.client: o.close_reason for o in outcomes if invalid_kind(o.client) is not None}
    assert len(reasons) == CLIENTS // INVALID_EVERY
    bad_reasons = {c: r for c, r in reasons.items() if not r.startswith("invalid message: ")}
    assert bad_reasons == {}


async def settled(base: str, ended: int) -> dict[str, int]:
    """What /state reports once the server has ended *ended* connections and has none open
    (or after 30 s)."""
    now = await asyncio.to_thread(state, base)
    for _ in range(600):
        if (now["open"], now["ended"]) == (0, ended):
            break
        await asyncio.sleep(0.05)
        now = await asyncio.to_thread(state, base)
    return now


async def soak(base: str, pid: int) -> dict[str, float]:
    """The warm-up round, then the soak; the RSS numbers (MiB) and the soak's times."""
    numbers: dict[str, float] = {"started": rss(pid)[0] / MiB}

    check(await run_round(base, WARM_UP_MESSAGES), WARM_UP_MESSAGES)
    assert await settled(base, CLIENTS) == {"open": 0, "most_open": CLIENTS, "ended": CLIENTS}
    baseline = rss(pid)[0]
    numbers["baseline"] = baseline / MiB

    peak = baseline
    sampling = True

    async def sample() -> None:
        nonlocal peak
        while sampling:
            peak = max(peak, rss(pid)[0])
            await asyncio.sleep(0.1)

    sampler = asyncio.create_task(sample())
    began = time.monotonic(), cpu_seconds(pid), cpu_seconds(os.getpid())
    outcomes = await run_round(base, MESSAGES)
    numbers["soak_s"] = time.monotonic() - began[0]
    numbers["server_cpu_s"] = cpu_seconds(pid) - began[1]
    numbers["client_cpu_s"] = cpu_seconds(os.getpid()) - began[2]
    sampling = False
    await sampler
    check(outcomes, MESSAGES)
    ended = 2 * CLIENTS
    assert await settled(base, ended) == {"open": 0, "most_open": CLIENTS, "ended": ended}

    after, high_water = rss(pid)
    numbers.update(
        peak=max(peak, after) / MiB, high_water=high_water / MiB, after=after / MiB,
        growth=(after - baseline) / MiB,
    )  # fmt: skip
    print("soak:", ", ".join(f"{k}={v:.1f}" for k, v in numbers.items()))
    assert after - baseline <= RSS_BOUND, numbers
    return numbers


def test_soak_1000_connections_100_messages_each(
    record_property: Callable[[str, object], None],
) -> None:
    """1,000 concurrent connections to one uvicorn process, 100 typed messages each, every
    reply checked in order; 5% send an invalid message after 50 and are closed with its code;
    the server's RSS once all have closed is at most 16 MiB above its warmed-up baseline."""
    enough_file_descriptors()
    with uvicorn_process("tests.soak_app:app") as (base, process):
        pid = process.pid  # the server's, for its memory
        loop = uvloop.new_event_loop()
        try:
            numbers = loop.run_until_complete(asyncio.wait_for(soak(base, pid), TIMEOUT))
        finally:
            loop.close()
    for name, value in numbers.items():
        record_property(name, round(value, 1))
