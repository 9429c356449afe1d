"""``python -m bench``: codec micro-benchmarks, then each contender under its own uvicorn in
interleaved rounds (throughput and server CPU per message), then memory per idle connection."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import client, codec, memory, report, server


@dataclass(frozen=True)
class Contender:
    name: str
    app: str
    validates: bool
    description: str


CONTENDERS = (
    Contender("bare", "bench.apps:bare", False, "bare ASGI echo (no validation, the floor)"),
    Contender("raw", "bench.apps:raw", False, "raw Starlette text echo (no validation)"),
    Contender(
        "expert",
        "bench.apps:expert",
        True,
        "expert: Starlette receive_text + validate_json + dump_json + send_text",
    ),
    Contender(
        "fastapi_naive",
        "bench.apps:fastapi_naive",
        True,
        "naive FastAPI: receive_json + validate_python + send_json(model_dump)",
    ),
    Contender("typedws_route", "bench.apps:typedws_route", True, "typedws @route, async for echo"),
    Contender(
        "typedws_websocket",
        "bench.apps:typedws_websocket",
        True,
        "typedws WebSocket(starlette_ws) in a Starlette route, async with + async for",
    ),
    Contender(
        "typedws_endpoint",
        "bench.apps:typedws_endpoint",
        True,
        "typedws Endpoint, one handler per variant",
    ),
)
LITESTAR = Contender(
    "litestar",
    "bench.apps_litestar:app",
    True,
    "Litestar websocket_listener: validates via TypeAdapter in the handler: Litestar DTOs "
    "take no union",
)
#: Measured for memory per idle connection; the ratio reported is the first's to the last's.
MEMORY = ("typedws_route", "expert", "raw")

DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks the suite runs")
    parser.add_argument("--rounds", type=int, help="rounds per mode (default 7, smoke 1)")
    parser.add_argument("--messages", type=int, help="messages per measurement (default 5000)")
    parser.add_argument(
        "--connections", type=int, help="connections in the concurrent mode (default 100)"
    )
    parser.add_argument("--idle", type=int, help="idle connections for memory (default 1000)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write figures")
    args = parser.parse_args()
    args.rounds = args.rounds or (1 if args.smoke else 7)
    args.messages = args.messages or (50 if args.smoke else 5000)
    args.connections = args.connections or (10 if args.smoke else 100)
    args.idle = args.idle or (20 if args.smoke else 1000)
    args.settle = 0.2 if args.smoke else 1.0
    args.codec_repeats = 11 if args.smoke else 101
    args.codec_seconds = 0.0005 if args.smoke else 0.002
    return args


MSGSPEC = (
    Contender(
        "expert_msgspec",
        "bench.msgspec_apps:expert_msgspec",
        True,
        "expert with msgspec: Starlette receive_text + Decoder.decode + Encoder.encode",
    ),
    Contender(
        "typedws_msgspec",
        "bench.msgspec_apps:typedws_msgspec",
        True,
        "typedws @route typed by msgspec Structs (StructCodec), async for echo",
    ),
)
#: The optional contenders: each group runs when its library imports.
OPTIONAL = {"litestar": (LITESTAR,), "msgspec": MSGSPEC}


def contenders() -> tuple[Contender, ...]:
    """The contenders, with the optional ones whose library imports (else say why not)."""
    chosen = CONTENDERS
    for library, group in OPTIONAL.items():
        try:
            importlib.import_module(library)
        except ImportError as exc:
            print(f"skipped {library}: `import {library}` fails ({exc})")
        else:
            chosen += group
    return chosen


async def measure(
    servers: dict[str, server.Server], chosen: tuple[Contender, ...], args: argparse.Namespace
) -> dict[str, dict[str, list[report.Measurement]]]:
    for contender in chosen:
        outcome = await client.preflight(servers[contender.name].url, contender.validates)
        print(f"preflight {contender.name}: echoes the samples; an invalid message: {outcome}")
    for contender in chosen:  # warm up each server before the timed rounds
        running = servers[contender.name]
        await client.pipelined(running.url, min(args.messages, 500), running.cpu_seconds)
    results: dict[str, dict[str, list[report.Measurement]]] = {
        mode: {contender.name: [] for contender in chosen} for mode in client.MODES
    }
    for number in range(1, args.rounds + 1):
        for mode, run in client.MODES.items():
            for contender in chosen:
                running = servers[contender.name]
                measured = await run(
                    running.url, args.messages, args.connections, running.cpu_seconds
                )
                results[mode][contender.name].append(measured)
        print(f"round {number}/{args.rounds} done")
    return results


def main() -> None:
    args = arguments()
    started = time.perf_counter()
    chosen = contenders()
    print(f"open-file limit raised to {server.raise_fd_limit()}")
    client_cpu, server_cpu = server.cpus()
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
        print(f"client pinned to CPU {client_cpu}, servers to CPU {server_cpu}")
    else:
        print("not pinned: fewer than two CPUs or no os.sched_setaffinity")
    codec_figures = codec.run(args.codec_repeats, args.codec_seconds)
    servers = server.start({contender.name: contender.app for contender in chosen}, server_cpu)
    try:
        summary = report.summarize(asyncio.run(measure(servers, chosen, args)))
    finally:
        for running in servers.values():
            running.stop()
    apps = {contender.name: contender.app for contender in chosen if contender.name in MEMORY}
    idle = memory.measure(apps, args.idle, args.settle, server_cpu)
    descriptions = {contender.name: contender.description for contender in chosen}
    print()
    print(report.table(summary, descriptions))
    print()
    print(report.memory_table(idle, MEMORY[-1]))
    print()
    print(codec.table(codec_figures))
    memory_ratio = idle[MEMORY[0]]["kib_per_connection"] / idle[MEMORY[-1]]["kib_per_connection"]
    document: dict[str, Any] = {
        **report.environment(),
        "settings": {
            "rounds": args.rounds,
            "messages": args.messages,
            "connections": args.connections,
            "idle_connections": args.idle,
            "codec_repeats": args.codec_repeats,
            "smoke": args.smoke,
            "client_cpu": client_cpu,
            "server_cpu": server_cpu,
        },
        "contenders": descriptions,
        "results": summary,
        "memory": {
            "per_server": idle,
            f"{MEMORY[0]}_over_{MEMORY[-1]}": round(memory_ratio, 3),
        },
        "codec": codec_figures,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwrote {args.json} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
