from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, TypeAdapter

from tests.messages import Event, Ping, Post, events
from typedws.codec import BytesCodec, JSONCodec, ModelCodec, TextCodec, adapter_for
from typedws.codes import MAX_REASON_BYTES
from typedws.errors import ConfigurationError, InvalidMessage, InvalidOutgoingMessage

model_codec: ModelCodec[Any] = ModelCodec(adapter_for(Event))


def text(payload: str) -> dict[str, Any]:
    return {"type": "websocket.receive", "text": payload}


def binary(payload: bytes) -> dict[str, Any]:
    return {"type": "websocket.receive", "bytes": payload}


def decode_error(codec: Any, message: dict[str, Any]) -> InvalidMessage:
    with pytest.raises(InvalidMessage) as info:
        codec.decode(message)
    return info.value


@given(events)
def test_model_round_trip(event: Post | Ping) -> None:
    """decode(encode(x)) == x for generated messages of a nested, tagged union."""
    message = model_codec.encode(event)
    assert message["type"] == "websocket.send"
    assert isinstance(message["text"], str)
    assert model_codec.decode(text(message["text"])) == event


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=20,
)


@given(json_values)
def test_json_round_trip(value: Any) -> None:
    """The json value type round-trips any JSON value."""
    codec = JSONCodec()
    assert codec.decode(text(codec.encode(value)["text"])) == value


@given(st.text())
def test_text_round_trip(value: str) -> None:
    """The text value type round-trips any str in a text frame."""
    codec = TextCodec()
    assert codec.encode(value) == {"type": "websocket.send", "text": value}
    assert codec.decode(text(value)) == value


@given(st.binary())
def test_bytes_round_trip(value: bytes) -> None:
    """The bytes value type round-trips any bytes in a binary frame."""
    codec = BytesCodec()
    assert codec.encode(value) == {"type": "websocket.send", "bytes": value}
    assert codec.decode(binary(value)) == value


@pytest.mark.parametrize(
    ("codec", "message"),
    [
        (TextCodec(), binary(b"x")),
        (JSONCodec(), binary(b"{}")),
        (model_codec, binary(b'{"type":"ping","seq":1}')),
        (BytesCodec(), text("x")),
    ],
)
def test_wrong_frame_kind(codec: Any, message: dict[str, Any]) -> None:
    """A frame of the wrong kind is a frame_type failure, close code 1003."""
    error = decode_error(codec, message)
    assert error.kind == "frame_type"
    assert error.close_code == 1003
    assert "frame" in error.reason


@pytest.mark.parametrize("codec", [JSONCodec(), model_codec])
@pytest.mark.parametrize("payload", ["{", "", "nope", "[1,]", '{"a":1}x', '"\\ud800"'])
def test_not_json(codec: Any, payload: str) -> None:
    """Text that is not JSON is a json failure, close code 1007."""
    error = decode_error(codec, text(payload))
    assert error.kind == "json"
    assert error.close_code == 1007
    assert error.reason.startswith("invalid message: not JSON")


def test_validation_failure_names_the_first_error() -> None:
    """JSON the type rejects is a validation failure, 1008, naming location and message."""
    error = decode_error(model_codec, text('{"type":"post","body":"x","at":"2020-01-01T00:00Z"}'))
    assert error.kind == "validation"
    assert error.close_code == 1008
    assert error.reason == "invalid message: post.author: Field required"
    assert error.errors[0]["type"] == "missing"
    assert error.errors[0]["loc"] == ("post", "author")


def test_reason_does_not_repeat_the_tag() -> None:
    """An unknown tag is reported by the expected tags, never by the client's tag."""
    error = decode_error(model_codec, text('{"type":"SECRET-TAG"}'))
    assert error.close_code == 1008
    assert "SECRET" not in error.reason
    assert "'post', 'ping'" in error.reason


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str
    scores: dict[str, int] = {}


def test_reason_does_not_repeat_client_keys() -> None:
    """Extra keys and dict keys the client made up are not echoed in the reason."""
    codec = ModelCodec(adapter_for(Strict))
    extra = decode_error(codec, text('{"name":"a","SECRETKEY":1}'))
    assert "SECRETKEY" not in extra.reason
    assert extra.reason == "invalid message: *: Extra inputs are not permitted"
    key = decode_error(codec, text('{"name":"a","scores":{"SECRETKEY":"x"}}'))
    assert "SECRETKEY" not in key.reason
    assert key.reason.startswith("invalid message: scores.*: ")


def test_reason_is_cut_to_123_bytes() -> None:
    """A long message is cut so the reason fits a close frame."""
    codec = ModelCodec(TypeAdapter(Strict))
    long_key = "é" * 200
    error = decode_error(codec, text('{"name": 1, "' + long_key + '": 1}'))
    assert len(error.reason.encode()) <= MAX_REASON_BYTES


@pytest.mark.parametrize(
    ("codec", "message"),
    [
        (TextCodec(max_size=4), text("12345")),
        (TextCodec(max_size=4), text("éé€")),  # 3 characters, 7 bytes
        (BytesCodec(max_size=4), binary(b"12345")),
        (ModelCodec(adapter_for(Ping), max_size=8), text('{"type":"ping","seq":1}')),
    ],
)
def test_too_big(codec: Any, message: dict[str, Any]) -> None:
    """A message over max_size (bytes of UTF-8 for text) is a too_big failure, 1009."""
    error = decode_error(codec, message)
    assert error.kind == "too_big"
    assert error.close_code == 1009


def test_max_size_is_inclusive() -> None:
    """A message of exactly max_size bytes is accepted."""
    assert TextCodec(max_size=4).decode(text("éé")) == "éé"


def test_close_codes_override() -> None:
    """A per-codec table changes the code a kind maps to."""
    codec = ModelCodec(
        adapter_for(Ping), close_codes={**model_codec.close_codes, "validation": 4422}
    )
    assert decode_error(codec, text("{}")).close_code == 4422


@pytest.mark.parametrize(
    "value",
    [
        {"type": "ping", "seq": "1"},
        "ping",
        Post.model_construct(seq=1),
        Ping.model_construct(seq="1"),
    ],
)
def test_model_encode_refuses_other_types(value: Any) -> None:
    """A value that is not of the send type raises instead of sending something half-formed."""
    with pytest.raises(InvalidOutgoingMessage):
        ModelCodec(adapter_for(Ping)).encode(value)


def test_model_encode_uses_aliases() -> None:
    """Outgoing models are dumped by alias, and decode back by alias."""
    from pydantic import Field

    class Aliased(BaseModel):
        user_name: str = Field(alias="userName")

    codec = ModelCodec(adapter_for(Aliased))
    message = codec.encode(Aliased(userName="x"))
    assert message["text"] == '{"userName":"x"}'
    assert codec.decode(text(message["text"])) == Aliased(userName="x")


@pytest.mark.parametrize(
    ("codec", "value"),
    [(TextCodec(), b"x"), (BytesCodec(), "x"), (JSONCodec(), {1, 2}), (JSONCodec(), float("nan"))],
)
def test_plain_encode_refuses_other_types(codec: Any, value: Any) -> None:
    """text, bytes and json refuse values they cannot carry."""
    with pytest.raises(InvalidOutgoingMessage):
        codec.encode(value)


def test_json_refuses_nan() -> None:
    """The json value type takes RFC 8259 JSON only: NaN is not JSON."""
    assert decode_error(JSONCodec(), text("NaN")).kind == "json"


def test_adapters_are_built_once() -> None:
    """The same message type gives the same adapter; a TypeAdapter is used as it is."""
    assert adapter_for(Event) is adapter_for(Event)
    adapter = TypeAdapter(Ping)
    assert adapter_for(adapter) is adapter


def test_unbuildable_type_is_a_configuration_error() -> None:
    """A type pydantic cannot build an adapter for is refused up front."""

    class Opaque:
        pass

    with pytest.raises(ConfigurationError, match="not a message type"):
        adapter_for(Opaque)


def test_undefined_forward_reference_is_a_configuration_error() -> None:
    """A model whose annotations cannot be resolved is refused when the adapter is built."""

    class Node(BaseModel):
        child: Missing | None = None  # noqa: F821 - the name is never defined

    with pytest.raises(ConfigurationError, match="not a message type"):
        adapter_for(Node)
