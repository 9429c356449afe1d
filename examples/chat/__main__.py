"""Run the chat demo: ``python -m examples.chat [--host HOST] [--port PORT]``, in one
process; or ``--redis redis://127.0.0.1:6379/0 [--workers N]`` for N uvicorn worker processes
(2 by default) sharing the room through that Redis."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
from typing import Any

import uvicorn

APP = "examples.chat.app:app"
"""The app, by import string: each worker process imports it."""

WS_MAX_SIZE = 64 * 1024
"""uvicorn's limit: a little above the chat's ``max_size`` (16 KiB), so that typedws answers
an oversize message with its own reason, and uvicorn refuses a larger one before it is read."""


def _reachable(url: str) -> bool:
    """Whether a Redis answers a PING at *url* within 3 seconds."""
    import redis.asyncio as aioredis
    from redis.exceptions import RedisError

    async def ping() -> bool:
        # redis-py leaves its keyword options untyped.
        client: Any = aioredis.from_url(url, socket_connect_timeout=3, socket_timeout=3)
        try:
            return bool(await client.ping())
        except (RedisError, OSError, ValueError):
            return False
        finally:
            await client.aclose()

    return asyncio.run(ping())


def main(argv: list[str] | None = None) -> None:
    """Serve the chat app under uvicorn, printing where to connect."""
    parser = argparse.ArgumentParser(prog="python -m examples.chat", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    parser.add_argument(
        "--redis",
        metavar="URL",
        help="share the room through this Redis (redis://host:6379/0), across processes",
    )
    parser.add_argument(
        "--workers",
        type=int,
        help="uvicorn worker processes (with --redis; default 2 with it, else 1)",
    )
    args = parser.parse_args(argv)
    workers: int = args.workers if args.workers is not None else (2 if args.redis else 1)
    if workers < 1:
        parser.error("--workers must be 1 or more")
    if workers > 1 and not args.redis:
        parser.error("several workers share the room through Redis: give --redis URL")
    if args.redis:
        if importlib.util.find_spec("redis") is None:
            parser.error("--redis needs the redis package: pip install 'typedws[redis]'")
        if not _reachable(args.redis):
            parser.error(f"no Redis answers at {args.redis}: start one, or check the URL")
        os.environ["TYPEDWS_CHAT_REDIS"] = args.redis  # read by each worker's app
    shared = f"; {workers} processes sharing {args.redis}" if args.redis else ""
    print(
        f"typedws chat demo: open http://{args.host}:{args.port}/ in a browser"
        f" (WebSocket at ws://{args.host}:{args.port}/ws){shared}; Ctrl+C stops it",
        flush=True,
    )
    uvicorn.run(
        APP,
        host=args.host,
        port=args.port,
        workers=workers,
        log_level="info",
        # The settings docs/security.md recommends.
        ws="websockets-sansio",
        ws_max_size=WS_MAX_SIZE,
        ws_ping_interval=20,
        ws_ping_timeout=20,
        # Above the 10 s send timeout: a handler stuck on a client that does not read ends by
        # it first, and Ctrl+C still stops the server within this bound.
        timeout_graceful_shutdown=15,
    )


if __name__ == "__main__":
    main()
