"""Codec micro-benchmarks, in process: typedws's ``ModelCodec`` against the pydantic calls it wraps.

Each operation runs over the message mix under ``timeit`` (garbage collector off); the
operations take turns in every repeat, and the median time per message of each is kept.
The goals are printed beside the ratios; missing one fails nothing.
"""

from __future__ import annotations

import statistics
import timeit
from typing import Any

from pydantic import ValidationError

from bench.messages import ADAPTER, INVALID_KINDS, TEXTS
from typedws.codecs import ModelCodec
from typedws.errors import InvalidMessage

#: (name, typedws's operation, the baseline it is divided by, goal for the ratio)
RATIOS = (
    ("decode", "codec.decode", "ADAPTER.validate_json", 1.05),
    ("encode", "codec.encode", "model_dump_json", 1.15),
    ("rejection", "rejection", "valid codec.decode", 1.5),
)

_LOOP = "for item in items: {call}"
_CATCHING = """\
for item in items:
    try:
        decode(item)
    except InvalidMessage:
        pass"""
_UNSEEN = """\
for item in items:
    forget()
    try:
        decode(item)
    except InvalidMessage:
        pass"""
"""A rejection as if the failure were new: the codec forgets the failures it has worded."""
_BARE = """\
for item in items:
    try:
        validate_json(item)
    except ValidationError:
        pass"""
"""pydantic's own failure on the same messages: the floor under any rejection."""

#: Figures shown beside the goals: what the options and a first failure cost.
EXTRAS = (
    ("encode, check_send_fields", "codec.encode (check_fields)", "model_dump_json"),
    ("rejection, failure not seen before", "unseen rejection", "valid codec.decode"),
    ("pydantic's own failure (the floor)", "bare failure", "valid codec.decode"),
)


def _received(text: str) -> dict[str, Any]:
    return {"type": "websocket.receive", "text": text}


def _timers() -> dict[str, tuple[timeit.Timer, int]]:
    """Each operation's timer and how many messages one pass of it handles."""
    codec = ModelCodec(ADAPTER)
    checking = ModelCodec(ADAPTER, check_fields=True)
    values = [ADAPTER.validate_json(text) for text in TEXTS]
    received = [_received(text) for text in TEXTS]
    for value in values:
        if codec.encode(value)["text"] != value.model_dump_json():
            raise AssertionError(f"codec.encode and model_dump_json differ on {value!r}")
    for kind, text in INVALID_KINDS.items():
        try:
            codec.decode(_received(text))
        except InvalidMessage:
            continue
        raise AssertionError(f"codec.decode took the {kind} message")

    def timer(statement: str, items: list[Any]) -> tuple[timeit.Timer, int]:
        names = {
            "items": items,
            "InvalidMessage": InvalidMessage,
            "ValidationError": ValidationError,
            **calls,
        }
        return timeit.Timer(statement, globals=names), len(items)

    calls = {
        "validate_json": ADAPTER.validate_json,
        "decode": codec.decode,
        "encode": codec.encode,
        "encode_checked": checking.encode,
        "forget": codec._rejections.clear,  # pyright: ignore[reportPrivateUsage]
    }

    timers = {
        "ADAPTER.validate_json": timer(_LOOP.format(call="validate_json(item)"), list(TEXTS)),
        "codec.decode": timer(_LOOP.format(call="decode(item)"), received),
        "model_dump_json": timer(_LOOP.format(call="item.model_dump_json()"), values),
        "codec.encode": timer(_LOOP.format(call="encode(item)"), values),
        "codec.encode (check_fields)": timer(_LOOP.format(call="encode_checked(item)"), values),
        "valid codec.decode": timer(_CATCHING, received),
    }
    for kind, text in INVALID_KINDS.items():
        timers[f"rejection: {kind}"] = timer(_CATCHING, [_received(text)])
    invalid = [_received(text) for text in INVALID_KINDS.values()]
    timers["unseen rejection"] = timer(_UNSEEN, invalid)
    timers["bare failure"] = timer(_BARE, list(INVALID_KINDS.values()))
    return timers


def _number(timer: timeit.Timer, seconds: float) -> int:
    """The passes one timing makes: enough to last *seconds*."""
    number = 1
    while timer.timeit(number) < seconds:
        number *= 2
    return number


def run(repeats: int, seconds: float) -> dict[str, Any]:
    """Time every operation *repeats* times in turn: nanoseconds per message and the ratios."""
    timers = _timers()
    numbers = {name: _number(timer, seconds) for name, (timer, _) in timers.items()}
    samples: dict[str, list[float]] = {name: [] for name in timers}
    for _ in range(repeats):
        for name, (timer, size) in timers.items():
            samples[name].append(timer.timeit(numbers[name]) / (numbers[name] * size) * 1e9)
    ns = {name: statistics.median(values) for name, values in samples.items()}
    kinds = {kind: ns[f"rejection: {kind}"] for kind in INVALID_KINDS}
    ns["rejection"] = statistics.mean(kinds.values())
    ratios = {
        name: {
            "of": f"{subject} / {baseline}",
            "ratio": round(ns[subject] / ns[baseline], 3),
            "goal": goal,
            "met": ns[subject] / ns[baseline] <= goal,
        }
        for name, subject, baseline, goal in RATIOS
    }
    by_kind = {kind: round(value / ns["valid codec.decode"], 3) for kind, value in kinds.items()}
    extras = {
        name: {"of": f"{subject} / {baseline}", "ratio": round(ns[subject] / ns[baseline], 3)}
        for name, subject, baseline in EXTRAS
    }
    return {
        "repeats": repeats,
        "ns_per_message": {name: round(value, 1) for name, value in ns.items()},
        "ratios": ratios,
        "rejection_by_kind": by_kind,
        "extras": extras,
    }


def table(figures: dict[str, Any]) -> str:
    ns = figures["ns_per_message"]
    rows = [["codec, per message", "ns", "divided by", "ns", "ratio", "goal"], ["---"] * 6]
    for name, subject, baseline, goal in RATIOS:
        ratio = figures["ratios"][name]
        label = "mean of the kinds below" if name == "rejection" else subject
        met = "met" if ratio["met"] else "missed"
        cells = [f"{ns[subject]:,.0f}", baseline, f"{ns[baseline]:,.0f}", f"{ratio['ratio']:.2f}"]
        rows.append([f"{name}: {label}", *cells, f"<= {goal} {met}"])
    for kind, ratio in figures["rejection_by_kind"].items():
        subject = f"rejection: {kind}"
        valid = ns["valid codec.decode"]
        rows.append([subject, f"{ns[subject]:,.0f}", "valid codec.decode", f"{valid:,.0f}"])
        rows[-1] += [f"{ratio:.2f}", ""]
    for name, subject, baseline in EXTRAS:
        ratio = figures["extras"][name]["ratio"]
        rows.append([name, f"{ns[subject]:,.0f}", baseline, f"{ns[baseline]:,.0f}"])
        rows[-1] += [f"{ratio:.2f}", ""]
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)
