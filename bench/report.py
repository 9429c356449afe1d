"""The figures: medians, ratios against the expert loop, the tables and the JSON document."""

from __future__ import annotations

import os
import platform
import statistics
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

BASELINE = "expert"
PACKAGES = (
    "typedws",
    "pydantic",
    "pydantic-core",
    "starlette",
    "fastapi",
    "litestar",
    "msgspec",
    "uvicorn",
    "websockets",
)

#: A measurement of one contender in one mode: messages per second, server CPU seconds/message.
Measurement = tuple[float, float]


def _cpu_model() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return None
    return next((line.split(":", 1)[1].strip() for line in lines if "model name" in line), None)


def environment() -> dict[str, Any]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "versions": versions,
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
    }


def summarize(
    measurements: dict[str, dict[str, list[Measurement]]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Per mode and contender: each round's figures, their medians, and the median of each
    round's ratio to expert's in the same round (paired, so a load that drifts between
    rounds on a shared machine moves both sides of a ratio alike)."""
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for mode, by_contender in measurements.items():
        rate = {name: statistics.median(m[0] for m in runs) for name, runs in by_contender.items()}
        cpu = {name: statistics.median(m[1] for m in runs) for name, runs in by_contender.items()}
        base = by_contender[BASELINE]
        summary[mode] = {
            name: {
                "rounds": [round(m[0], 1) for m in runs],
                "median_messages_per_second": round(rate[name], 1),
                "ratio_to_expert": _paired(runs, base, 0),
                "server_cpu_us_per_message_rounds": [round(m[1] * 1e6, 2) for m in runs],
                "median_server_cpu_us_per_message": round(cpu[name] * 1e6, 2),
                "server_cpu_ratio_to_expert": _paired(runs, base, 1),
            }
            for name, runs in by_contender.items()
        }
    return summary


def _paired(runs: list[Measurement], base: list[Measurement], field: int) -> float:
    """The median over rounds of *runs*' figure *field* divided by *base*'s in that round."""
    return round(statistics.median(m[field] / b[field] for m, b in zip(runs, base, strict=True)), 3)


def _markdown(rows: list[list[str]]) -> str:
    rows = [rows[0], ["---"] * len(rows[0]), *rows[1:]]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def table(summary: dict[str, dict[str, dict[str, Any]]], descriptions: dict[str, str]) -> str:
    """Throughput and server CPU per message, each beside its ratio to expert's."""
    header = ["contender"]
    for mode in summary:
        header += [f"{mode} msg/s", f"x {BASELINE}", "server µs/msg", f"x {BASELINE}"]
    rows = [header]
    for name, description in descriptions.items():
        cells = [description]
        for by_contender in summary.values():
            figures = by_contender[name]
            cells.append(f"{figures['median_messages_per_second']:,.0f}")
            cells.append(f"{figures['ratio_to_expert']:.2f}")
            cells.append(f"{figures['median_server_cpu_us_per_message']:.1f}")
            cells.append(f"{figures['server_cpu_ratio_to_expert']:.2f}")
        rows.append(cells)
    return _markdown(rows)


def memory_table(memory: dict[str, dict[str, Any]], baseline: str) -> str:
    """Server memory per idle connection, beside its ratio to *baseline*'s."""
    rows = [["server memory", "idle connections", "KiB/connection", f"x {baseline}"]]
    base = memory[baseline]["kib_per_connection"]
    for name, figures in memory.items():
        per = figures["kib_per_connection"]
        rows.append([name, str(figures["connections"]), f"{per:.1f}", f"{per / base:.2f}"])
    return _markdown(rows)
