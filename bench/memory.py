"""Memory per idle connection: a fresh server's resident memory before and after many connections.

Each connection exchanges one message, so that its handler waits in its receive loop; the
figure is the growth of ``VmRSS`` after a short settle, divided by the connections.
"""

from __future__ import annotations

import asyncio
from typing import Any

from websockets.asyncio.client import ClientConnection

from bench import server
from bench.client import open_connection
from bench.messages import TEXTS

BATCH = 50


async def _connected(url: str) -> ClientConnection:
    ws = await open_connection(url)
    await ws.send(TEXTS[0])
    await asyncio.wait_for(ws.recv(), 10)
    return ws


async def _measure(running: server.Server, connections: int, settle: float) -> dict[str, Any]:
    await (await _connected(running.url)).close()  # the first connection's one-off costs
    before = running.rss_kib()
    sockets: list[ClientConnection] = []
    try:
        for start in range(0, connections, BATCH):
            count = min(BATCH, connections - start)
            sockets += await asyncio.gather(*(_connected(running.url) for _ in range(count)))
        opened = running.rss_kib()
        await asyncio.sleep(settle)
        settled = running.rss_kib()
    finally:
        await asyncio.gather(*(ws.close() for ws in sockets))
    return {
        "connections": connections,
        "rss_kib": {"before": before, "opened": opened, "settled": settled},
        "kib_per_connection": round((settled - before) / connections, 2),
    }


def measure(
    apps: dict[str, str], connections: int, settle: float, cpu: int | None
) -> dict[str, Any]:
    """Start a fresh server for each ``name: module:attribute``, and measure each in turn."""
    servers = server.start(apps, cpu)
    figures = {}
    try:
        for name, running in servers.items():
            figures[name] = asyncio.run(_measure(running, connections, settle))
            print(f"memory {name}: {figures[name]['kib_per_connection']} KiB per idle connection")
    finally:
        for running in servers.values():
            running.stop()
    return figures
