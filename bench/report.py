"""The figures: medians, ratios against the expert loop, the table and the JSON document."""

from __future__ import annotations

import os
import platform
import statistics
from importlib.metadata import PackageNotFoundError, version
from typing import Any

BASELINE = "expert"


def environment() -> dict[str, Any]:
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for package in ("typedws", "pydantic", "starlette", "fastapi", "uvicorn", "websockets"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {"versions": versions, "platform": platform.platform(), "cpu_count": os.cpu_count()}


def summarize(rates: dict[str, dict[str, list[float]]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per mode and contender: the rates of each round, their median and its ratio to expert's."""
    summary: dict[str, dict[str, dict[str, Any]]] = {}
    for mode, by_contender in rates.items():
        baseline = statistics.median(by_contender[BASELINE])
        summary[mode] = {
            name: {
                "rounds": [round(rate, 1) for rate in values],
                "median_messages_per_second": round(statistics.median(values), 1),
                "ratio_to_expert": round(statistics.median(values) / baseline, 3),
            }
            for name, values in by_contender.items()
        }
    return summary


def table(summary: dict[str, dict[str, dict[str, Any]]], descriptions: dict[str, str]) -> str:
    modes = list(summary)
    header = ["contender"]
    for mode in modes:
        header += [f"{mode} msg/s", f"x {BASELINE}"]
    rows = [header, ["---"] * len(header)]
    for name, description in descriptions.items():
        cells = [description]
        for mode in modes:
            figures = summary[mode][name]
            cells.append(f"{figures['median_messages_per_second']:,.0f}")
            cells.append(f"{figures['ratio_to_expert']:.2f}")
        rows.append(cells)
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)
