"""``python -m bench``: each contender under its own uvicorn, interleaved rounds, table and JSON."""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from bench import client, report, server


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
        "typedws_endpoint",
        "bench.apps:typedws_endpoint",
        True,
        "typedws Endpoint, one handler per variant",
    ),
)

DEFAULT_JSON = Path(__file__).resolve().parent / "results.json"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny counts: checks the suite runs")
    parser.add_argument("--rounds", type=int, help="rounds per mode (default 7, smoke 1)")
    parser.add_argument("--messages", type=int, help="messages per measurement (default 5000)")
    parser.add_argument(
        "--connections", type=int, help="connections in the concurrent mode (default 100)"
    )
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="where to write figures")
    args = parser.parse_args()
    args.rounds = args.rounds or (1 if args.smoke else 7)
    args.messages = args.messages or (50 if args.smoke else 5000)
    args.connections = args.connections or (10 if args.smoke else 100)
    return args


async def measure(
    servers: dict[str, server.Server], args: argparse.Namespace
) -> dict[str, dict[str, list[float]]]:
    for contender in CONTENDERS:
        outcome = await client.preflight(servers[contender.name].url, contender.validates)
        print(f"preflight {contender.name}: echoes the samples; an invalid message: {outcome}")
    for contender in CONTENDERS:  # warm up each server before the timed rounds
        await client.pipelined(servers[contender.name].url, min(args.messages, 500))
    rates: dict[str, dict[str, list[float]]] = {
        mode: {contender.name: [] for contender in CONTENDERS} for mode in client.MODES
    }
    for number in range(1, args.rounds + 1):
        for mode, run in client.MODES.items():
            for contender in CONTENDERS:
                rate = await run(servers[contender.name].url, args.messages, args.connections)
                rates[mode][contender.name].append(rate)
        print(f"round {number}/{args.rounds} done")
    return rates


def main() -> None:
    args = arguments()
    started = time.perf_counter()
    if importlib.util.find_spec("litestar") is None:
        print("skipped litestar: `import litestar` fails (not installed)")
    client_cpu, server_cpu = server.cpus()
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
        print(f"client pinned to CPU {client_cpu}, servers to CPU {server_cpu}")
    else:
        print("not pinned: fewer than two CPUs or no os.sched_setaffinity")
    servers: dict[str, server.Server] = {}
    try:
        for contender in CONTENDERS:
            servers[contender.name] = server.start(contender.name, contender.app, server_cpu)
        rates = asyncio.run(measure(servers, args))
    finally:
        for running in servers.values():
            running.stop()
    summary = report.summarize(rates)
    descriptions = {contender.name: contender.description for contender in CONTENDERS}
    print()
    print(report.table(summary, descriptions))
    document = {
        **report.environment(),
        "settings": {
            "rounds": args.rounds,
            "messages": args.messages,
            "connections": args.connections,
            "smoke": args.smoke,
            "client_cpu": client_cpu,
            "server_cpu": server_cpu,
        },
        "contenders": descriptions,
        "results": summary,
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, indent=2) + "\n")
    print(f"\nwrote {args.json} in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
