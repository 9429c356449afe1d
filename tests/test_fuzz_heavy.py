"""The heavy hostile inputs, each sent once per uvicorn WebSocket implementation over a
real client, through the checks of ``tests.fuzz_harness`` (a code from the table, a short reason
quoting no input, no traceback but a handler's, the control connection still echoing):
deep nesting, huge numbers, sizes on either side of ``max_size`` in bytes of UTF-8, frames
of the wrong kind, text frames of invalid UTF-8, and compressed messages that inflate past
the limits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from websockets.extensions.permessage_deflate import PerMessageDeflate

from tests.fuzz_app import (
    BAD_UTF8,
    BYTES,
    CHARS,
    ENDPOINT,
    JSON,
    JSON_TARGETS,
    MODEL,
    REPLY,
    TARGETS,
    Case,
    Outcome,
    Target,
    sized,
)
from tests.fuzz_harness import Fuzz, fuzzing
from tests.server import WS_IMPLEMENTATIONS
from typedws import DEFAULT_MAX_SIZE

pytestmark = pytest.mark.hardening

UVICORN_MAX_SIZE = 16 * 1024 * 1024
"""uvicorn's own ``ws_max_size`` default, which ``tests.server.run_server`` keeps."""


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def fuzz(request: pytest.FixtureRequest) -> Iterator[Fuzz]:
    """The fuzz app under uvicorn, once per WebSocket implementation."""
    with fuzzing(request.param) as server:
        yield server


@pytest.fixture(autouse=True)
def fresh(fuzz: Fuzz) -> None:
    """Each test starts on new connections: no invalid messages in a row before it."""
    fuzz.close()


def code_of(outcome: Outcome) -> int | None:
    """The close code, or the code an error reply names; ``None`` for any other message."""
    if outcome.close is not None:
        return outcome.close[0]
    if isinstance(outcome.message, str) and outcome.message.startswith('{"code":'):
        return int(json.loads(outcome.message)["code"])
    return None


def nested(shape: str, depth: int) -> str:
    if shape == "open arrays":
        return "[" * depth
    if shape == "arrays":
        return "[" * depth + "]" * depth
    return '{"a":' * depth + "0" + "}" * depth


@pytest.mark.parametrize("target", JSON_TARGETS, ids=lambda t: t.path)
@pytest.mark.parametrize("depth", [1_000, 100_000, 1_000_000])
@pytest.mark.parametrize("shape", ["open arrays", "arrays", "objects"])
@pytest.mark.parametrize("where", ["whole", "in a field"])
def test_deep_nesting(fuzz: Fuzz, target: Target, depth: int, shape: str, where: str) -> None:
    """JSON nested 1,000 to 1,000,000 levels deep, as a whole message or in a field of an
    otherwise valid one, is not JSON to the parser (1007), or too big (1009) past 1 MiB;
    never a crash."""
    payload = nested(shape, depth)
    if where == "in a field":
        prefix, suffix = target.template
        payload = prefix[:-1] + payload + suffix[1:]  # in place of the long string
    outcome = fuzz.send(target, Case(payload))
    assert code_of(outcome) == (1007 if len(payload) <= DEFAULT_MAX_SIZE else 1009)


NUMBERS = ["1" + "0" * 9_999, "-1" + "0" * 9_999, "1e400", "-1e400", "1" + "0" * 400 + ".5"]


@pytest.mark.parametrize(
    "number", NUMBERS, ids=["10k digits", "-10k digits", "1e400", "-1e400", "401 digits"]
)
@pytest.mark.parametrize(
    ("target", "message"),
    [
        (JSON, "N"),
        (JSON, '[0, N, "x"]'),
        (MODEL, '{"type": "ping", "seq": N}'),
        (
            MODEL,
            '{"type": "post", "author": {"name": "a"}, "body": "", "score": N,'
            ' "at": "2024-01-01T00:00:00+00:00"}',
        ),
        (REPLY, '{"kind": "profile", "scores": {"a": N}}'),
        (ENDPOINT, '{"type": "ask", "id": N, "text": ""}'),
    ],
    ids=["json", "json in array", "int field", "float field", "dict value", "request id"],
)
def test_huge_numbers(fuzz: Fuzz, target: Target, message: str, number: str) -> None:
    """A 10,000-digit integer, or a number out of float range, is refused with 1007 or 1008
    (or taken, when the type takes it), never a crash."""
    payload = message.replace("N", number)
    outcome = fuzz.send(target, Case(payload))
    assert code_of(outcome) in (None, 1007, 1008)
    if target is JSON:
        assert code_of(outcome) == 1007  # past the largest float


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.path)
@pytest.mark.parametrize("char", CHARS, ids=["1 byte", "2 bytes", "3 bytes", "4 bytes"])
@pytest.mark.parametrize("over", [-1, 0, 1])
def test_sizes_around_max_size(fuzz: Fuzz, target: Target, char: str, over: int) -> None:
    """A message of ``max_size`` bytes of UTF-8 is taken, one byte more is closed (or
    answered) with 1009, however few characters it has."""
    text = sized(target.template, char, DEFAULT_MAX_SIZE + over)
    assert len(text.encode()) == DEFAULT_MAX_SIZE + over
    outcome = fuzz.send(target, Case(text.encode() if target is BYTES else text))
    assert code_of(outcome) == (1009 if over > 0 else None)


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.path)
def test_frames_of_the_wrong_kind(fuzz: Fuzz, target: Target) -> None:
    """A text frame to the bytes route, and a binary frame to the others, get 1003."""
    message = sized(target.template, "x", 100)
    frame = message if target is BYTES else message.encode()
    assert code_of(fuzz.send(target, Case(frame))) == 1003


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.path)
@pytest.mark.parametrize("bad", BAD_UTF8)
def test_text_frames_of_invalid_utf8(fuzz: Fuzz, target: Target, bad: bytes) -> None:
    """A text frame that is not UTF-8 never reaches typedws: uvicorn's websockets-sansio
    closes with 1007, its wsproto drops the connection (left to uvicorn); either way the
    server goes on serving."""
    prefix, suffix = target.template
    outcome = fuzz.send(target, Case(prefix.encode() + bad + suffix.encode(), raw_text=True))
    if fuzz.ws == "websockets-sansio":
        assert outcome.close == (1007, "")
    else:
        assert outcome.dropped


@pytest.mark.parametrize("target", TARGETS, ids=lambda t: t.path)
def test_deflate_bomb_past_max_size(fuzz: Fuzz, target: Target) -> None:
    """A compressed message that inflates to 4 MiB (a few KiB on the wire) is closed (or
    answered) by typedws with 1009: uvicorn's own limit is 16 MiB."""
    text = sized(target.template, "0", 4 * 1024 * 1024)
    frame = text.encode() if target is BYTES else text
    assert _compresses(fuzz, target)
    outcome = fuzz.send(target, Case(frame))
    assert code_of(outcome) == 1009
    if outcome.close is not None:
        assert outcome.close == (1009, f"message too big: over {DEFAULT_MAX_SIZE} bytes")


UVICORN_TOO_BIG = {
    "websockets-sansio": f"frame exceeds limit of {UVICORN_MAX_SIZE} bytes",
    "wsproto": f"Message exceeds the maximum size ({UVICORN_MAX_SIZE} bytes)",
}


def test_deflate_bomb_past_uvicorns_limit(fuzz: Fuzz) -> None:
    """A compressed message that inflates to 32 MiB, past uvicorn's own 16 MiB, is closed by
    uvicorn with 1009 before any route sees it (websockets-sansio stops inflating at the
    limit; wsproto inflates what arrived before it checks)."""
    text = sized(MODEL.template, "0", 32 * 1024 * 1024)
    expected = Outcome(close=(1009, UVICORN_TOO_BIG[fuzz.ws]))
    assert _compresses(fuzz, MODEL)
    assert fuzz.send(MODEL, Case(text), expected) == expected


def _compresses(fuzz: Fuzz, target: Target) -> bool:
    """Whether the connection the next case to *target* goes over compresses messages."""
    extensions = fuzz.session(target).open().protocol.extensions
    return any(isinstance(extension, PerMessageDeflate) for extension in extensions)
