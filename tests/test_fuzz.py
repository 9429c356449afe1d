"""Hostile input from hypothesis over a real uvicorn and a real client, under both of its
WebSocket implementations: whatever arrives, the server answers as the route's codec says,
closes with a code from the table (1011 only for a handler that raised) and a reason of at
most 123 bytes quoting no input, logs no traceback but a handler's, and keeps serving a
control connection (see ``tests.fuzz_harness``).

Cases per run: 1,100 per implementation (model 250, json 200, bytes 100, text 100, reply
policy 250, endpoint 200), 2,200 in all, checked by ``test_every_case_was_answered``;
with the deterministic heavy cases of ``test_fuzz_heavy.py`` on top.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fuzz_app import (
    BAD_UTF8,
    BYTES,
    CHARS,
    ENDPOINT,
    JSON,
    MODEL,
    REPLY,
    TEXT,
    Case,
    Target,
    sized,
)
from tests.fuzz_harness import Fuzz, fuzzing
from tests.marked import MARK, PAYLOADS, profile
from tests.messages import events, pings
from tests.server import WS_IMPLEMENTATIONS
from typedws import DEFAULT_MAX_SIZE

pytestmark = pytest.mark.hardening

EXAMPLES = {"model": 250, "json": 200, "bytes": 100, "text": 100, "reply": 250, "endpoint": 200}

# Raw JSON put in place of a field: other types, markers, long and huge values.
TOKENS = [
    "null",
    "true",
    "0",
    "-1",
    "1.5",
    '""',
    "[]",
    "{}",
    json.dumps(MARK),
    json.dumps([MARK]),
    json.dumps({MARK: MARK}),
    json.dumps(MARK * 200),
    json.dumps("x" * 5000),
    json.dumps("\u20ac" * 2000),
    "1" + "0" * 9999,
    "-" + "9" * 400,
    "1e400",
    "-1e400",
    "1e-400",
    "[" * 1000 + "]" * 1000,
    '{"a":' * 1000 + "0" + "}" * 1000,
]
SENTINEL = "\x00fuzz\x00"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def _slots(document: Any) -> Iterator[tuple[Any, Any]]:
    """Every (container, key or index) in a JSON *document*."""
    nodes = [document]
    while nodes:
        node = nodes.pop()
        if isinstance(node, dict):
            keys: Any = list(node)
        elif isinstance(node, list):
            keys = range(len(node))
        else:
            continue
        for key in keys:
            yield node, key
            nodes.append(node[key])


@st.composite
def mutated(draw: st.DrawFn, valid: st.SearchStrategy[str]) -> str:
    """A valid message with one change: a field (or the tag) replaced by a token or random
    JSON, a field removed, or an extra key added (marked, or a second tag)."""
    document = json.loads(draw(valid))
    token = draw(st.sampled_from(TOKENS) | json_values.map(json.dumps))
    slots = list(_slots(document))
    if not slots:
        return token
    container, key = draw(st.sampled_from(slots))
    operation = draw(st.sampled_from(["replace", "replace", "tag", "remove", "extra"]))
    if operation == "tag" and isinstance(document, dict):
        container, key = document, "type" if "type" in document else "kind"
    if operation == "remove":
        del container[key]
    elif operation == "extra" and isinstance(container, dict):
        container[draw(st.sampled_from([MARK, MARK * 40, "type", "kind"]))] = SENTINEL
    else:
        container[key] = SENTINEL
    return json.dumps(document).replace(json.dumps(SENTINEL), token)


@st.composite
def truncated(draw: st.DrawFn, valid: st.SearchStrategy[str]) -> str:
    """A valid message cut short."""
    text = draw(valid)
    return text[: draw(st.integers(0, max(len(text) - 1, 0)))]


@st.composite
def near_limit(draw: st.DrawFn, target: Target) -> str:
    """A message for *target* of ``max_size`` bytes of UTF-8, give or take a few, most of it
    characters of 1 to 4 bytes."""
    char = draw(st.sampled_from(CHARS))
    return sized(target.template, char, DEFAULT_MAX_SIZE + draw(st.integers(-4, 4)))


invalid_utf8 = st.builds(
    lambda head, bad, tail: Case(head.encode() + bad + tail.encode(), raw_text=True),
    st.text(max_size=16),
    st.sampled_from(BAD_UTF8),
    st.text(max_size=16),
)


def framed(texts: st.SearchStrategy[str], binary: bool = False) -> st.SearchStrategy[Case]:
    """*texts* in text frames mostly, and in binary frames (or the other way round)."""
    as_text = texts.map(lambda text: Case(text))
    as_bytes = texts.map(lambda text: Case(text.encode()))
    usual, other = (as_bytes, as_text) if binary else (as_text, as_bytes)
    return st.one_of(usual, usual, usual, other)


def cases(
    target: Target,
    valid: st.SearchStrategy[str],
    *,
    binary: bool = False,
    structured: st.SearchStrategy[str] | None = None,
) -> st.SearchStrategy[Case]:
    """Hostile cases for *target*, whose valid messages are *valid*; *structured* (default:
    *valid*) are the JSON messages that are cut short or changed."""
    structured = valid if structured is None else structured
    return st.one_of(
        framed(valid, binary),
        framed(mutated(structured), binary),
        framed(mutated(structured), binary),
        framed(truncated(structured), binary),
        framed(json_values.map(json.dumps), binary),  # valid JSON of the wrong shape
        framed(near_limit(target), binary),
        st.text().map(Case),
        st.binary().map(Case),
        invalid_utf8,
    )


def _encoded(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[str]:
    return strategy.map(lambda value: MODEL.answer(value)).map(str)


marked_messages = st.one_of(
    st.just('{"kind": "leave"}'),
    st.builds(
        profile,
        nick=st.text(max_size=4),
        code=st.text("abc123", min_size=1, max_size=8),
        scores=st.dictionaries(st.text(max_size=6), st.integers(), max_size=3),
    ),
    st.sampled_from(list(PAYLOADS.values())),
)
asks = st.builds(
    lambda id, text: json.dumps({"type": "ask", "id": id, "text": text}), st.integers(), st.text()
)
endpoint_messages = st.one_of(
    _encoded(pings), _encoded(pings), asks, asks, st.just('{"type": "boom"}')
)
STRATEGIES: dict[str, st.SearchStrategy[Case]] = {
    "model": cases(MODEL, _encoded(events)),
    "json": cases(JSON, json_values.map(json.dumps)),
    "bytes": cases(BYTES, st.text(), binary=True, structured=_encoded(events)),
    "text": cases(TEXT, st.text(), structured=_encoded(events)),
    "reply": cases(REPLY, marked_messages),
    "endpoint": cases(ENDPOINT, endpoint_messages),
}


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def fuzz(request: pytest.FixtureRequest) -> Iterator[Fuzz]:
    """The fuzz app under uvicorn, once per WebSocket implementation."""
    with fuzzing(request.param) as server:
        yield server


@settings(max_examples=EXAMPLES["model"], database=None)
@given(case=STRATEGIES["model"])
def test_model_route(fuzz: Fuzz, case: Case) -> None:
    """Hostile frames to a model route (close policy) get the answer its codec gives."""
    fuzz.send(MODEL, case)


@settings(max_examples=EXAMPLES["json"], database=None)
@given(case=STRATEGIES["json"])
def test_json_route(fuzz: Fuzz, case: Case) -> None:
    """Hostile frames to a json route get the answer its codec gives."""
    fuzz.send(JSON, case)


@settings(max_examples=EXAMPLES["bytes"], database=None)
@given(case=STRATEGIES["bytes"])
def test_bytes_route(fuzz: Fuzz, case: Case) -> None:
    """Hostile frames to a bytes route, text frames above all, get the answer its codec gives."""
    fuzz.send(BYTES, case)


@settings(max_examples=EXAMPLES["text"], database=None)
@given(case=STRATEGIES["text"])
def test_text_route(fuzz: Fuzz, case: Case) -> None:
    """Hostile frames to a text route, binary frames above all, get the answer its codec
    gives."""
    fuzz.send(TEXT, case)


@settings(max_examples=EXAMPLES["reply"], database=None)
@given(case=STRATEGIES["reply"])
def test_reply_policy_route(fuzz: Fuzz, case: Case) -> None:
    """Hostile frames to a route under the reply policy get an error reply quoting no input,
    or the close after too many in a row, over one connection while it stays open."""
    fuzz.send(REPLY, case)


@settings(max_examples=EXAMPLES["endpoint"], database=None)
@given(case=STRATEGIES["endpoint"])
def test_endpoint_route(fuzz: Fuzz, case: Case) -> None:
    """Hostile frames to an endpoint with a request get the answer its codec gives; its
    handler's own error closes with 1011 and logs the traceback."""
    fuzz.send(ENDPOINT, case)


def test_every_case_was_answered(fuzz: Fuzz) -> None:
    """Each implementation answered every generated case: at least the examples asked for
    (run with the whole module)."""
    assert fuzz.cases >= sum(EXAMPLES.values())
