from __future__ import annotations

import json
import re
import traceback
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, cast, get_args

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import (
    UUID4,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    HttpUrl,
    PlainSerializer,
    Tag,
    TypeAdapter,
)
from pydantic_core import ErrorDetails, PydanticKnownError
from pydantic_core.core_schema import ErrorType

from tests.marked import MARK, PAYLOADS, Marked, assert_no_input, profile
from tests.messages import Color, Event, Ping, Post, events
from typedws.codecs import BytesCodec, JSONCodec, ModelCodec, TextCodec, adapter_for
from typedws.codecs._redact import (
    INPUT_CONTEXT,
    SCHEMA_CONTEXT,
    parser_error,
    redact,
    schema_values,
)
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
    ],
)
def test_model_encode_refuses_other_types(value: Any) -> None:
    """A value that is not of the send type raises instead of sending something half-formed."""
    with pytest.raises(InvalidOutgoingMessage):
        ModelCodec(adapter_for(Ping)).encode(value)
    with pytest.raises(InvalidOutgoingMessage):
        ModelCodec(adapter_for(Ping), check_fields=True).encode(value)


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


# No client input in reasons or errors

marked_codec: ModelCodec[Any] = ModelCodec(adapter_for(Marked))


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
def test_no_client_input_in_reason_or_errors(payload: str) -> None:
    """Neither the reason, str(error) nor any of the errors quotes the client's input."""
    error = decode_error(marked_codec, text(payload))
    assert error.kind == "validation"
    assert_no_input(error.reason, str(error), repr(error.errors))


marked_keys = st.sampled_from(
    [
        *("kind", "id", "code", "email", "shout", "color", "nick", "scores", "slots"),
        *("command", "choice", "level", "handle", MARK),
    ]
)
marked_values = st.recursive(
    st.sampled_from(["profile", "leave", MARK, MARK + "!", None, 1, 2.5]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(marked_keys, inner, max_size=4),
    max_leaves=12,
)


@given(marked_values)
def test_no_client_input_in_any_failure(value: Any) -> None:
    """Whatever shape of JSON carries the marker, no failure repeats it."""
    try:
        marked_codec.decode(text(json.dumps(value)))
    except InvalidMessage as error:
        assert_no_input(error.reason, str(error), repr(error.errors))


def test_errors_mask_client_made_locations() -> None:
    """Extra keys and dict keys show as * in every error's loc, as in the reason."""
    error = decode_error(
        marked_codec, text(profile(**{MARK: 1}, scores={MARK: "x"}, slots={MARK: "x"}))
    )
    assert [e["loc"] for e in error.errors] == [
        ("profile", "scores", "*"),
        ("profile", "slots", "*", "[key]"),
        ("profile", "*"),
    ]
    assert error.reason == "invalid message: profile.scores.*: " + error.errors[0]["msg"]


def test_messages_quoting_input_are_cut_before_the_quote() -> None:
    """A message that quotes input keeps pydantic's words up to the quote, and no input context."""
    error = decode_error(marked_codec, text(profile(id=MARK)))
    assert error.reason == "invalid message: profile.id: Input should be a valid UUID"
    assert error.errors[0]["msg"] == "Input should be a valid UUID"
    assert "ctx" not in error.errors[0]


def test_unknown_tag_names_the_expected_tags() -> None:
    """An unknown tag's error keeps the discriminator and the expected tags, not the tag."""
    [tag] = decode_error(marked_codec, text(json.dumps({"kind": MARK}))).errors
    assert tag["msg"] == "Input tag does not match any of the expected tags: 'profile', 'leave'"
    assert tag.get("ctx") == {"discriminator": "'kind'", "expected_tags": "'profile', 'leave'"}


def test_pydantic_wording_for_json_is_kept() -> None:
    """pydantic's own words in place of a standard message (a union given no object) stay."""
    error = decode_error(marked_codec, text(json.dumps(MARK)))
    assert error.reason == "invalid message: Input should be an object"


def test_schema_context_is_kept() -> None:
    """Messages and context made only of the schema's words stay as pydantic wrote them."""
    [error] = decode_error(marked_codec, text(profile(nick=MARK))).errors
    assert error["msg"] == "String should have at most 4 characters"
    assert error.get("ctx") == {"max_length": 4}


@pytest.mark.parametrize(
    ("field", "msg"),
    [
        ("code", "Value error"),
        ("shout", "Assertion failed"),
        ("color", "color"),
        ("email", "value is not a valid email address"),
    ],
)
def test_validator_messages_are_hidden_by_default(field: str, msg: str) -> None:
    """An app validator's error shows its type only; an EmailStr-style one its fixed words."""
    [error] = decode_error(marked_codec, text(profile(**{field: MARK + "!"}))).errors
    assert error["msg"] == msg
    assert "ctx" not in error


def test_show_validator_messages_shows_the_apps_own_message() -> None:
    """show_validator_messages=True shows what the app's validators wrote, as they wrote it."""
    codec = ModelCodec(adapter_for(Marked), show_validator_messages=True)
    error = decode_error(codec, text(profile(code="ab!")))
    assert (
        error.reason == "invalid message: profile.code: Value error, code 'ab!' is not alphanumeric"
    )
    assert decode_error(codec, text(profile(color="x"))).errors[0]["msg"] == "x is not a hex color"


def test_show_validator_messages_keeps_pydantic_messages_cut() -> None:
    """Messages pydantic writes (UUID, EmailStr's form) stay cut when validator messages show."""
    codec = ModelCodec(adapter_for(Marked), show_validator_messages=True)
    error = decode_error(codec, text(profile(id=MARK, email=MARK)))
    assert_no_input(error.reason, repr(error.errors))


SCHEMA_MADE = frozenset({"Ab", "4"})
"""What ``known_error`` puts in schema-made context values, as the schema holds it."""


def known_error(error_type: str) -> PydanticKnownError:
    """pydantic's error of *error_type*, with the marker in each input-made context value."""
    context: dict[str, Any] = {}
    for _ in range(10):
        try:
            return PydanticKnownError(cast(ErrorType, error_type), context or None)
        except TypeError as exc:  # "'key' required in context" or "... must be a usize"
            problem = str(exc)
        found = re.search(r"'(\w+)'", problem)
        assert found is not None, problem
        key, number = found.group(1), "must be" in problem
        schema = key in SCHEMA_CONTEXT
        context[key] = (4 if schema else 987654321) if number else ("Ab" if schema else MARK)
    raise AssertionError(f"no context found for {error_type}")


def as_error(known: PydanticKnownError) -> ErrorDetails:
    """The error pydantic reports for *known*, without its input."""
    error = {"type": known.type, "loc": (), "msg": known.message()}
    return cast(ErrorDetails, {**error, "ctx": known.context} if known.context else error)


KNOWN_TYPES = get_args(ErrorType)


@pytest.mark.parametrize("error_type", KNOWN_TYPES)
def test_no_known_error_type_quotes_input(error_type: str) -> None:
    """For each of pydantic's error types, input-made context reaches neither msg nor ctx."""
    known = known_error(error_type)
    [error] = redact([as_error(known)], frozenset(), SCHEMA_MADE)
    assert_no_input(repr(error))
    assert "987654321" not in repr(error)
    if error["msg"] != known.message():  # cut: nothing left dangling
        assert re.fullmatch(r"[A-Z].*\w", error["msg"]), error["msg"]


@pytest.mark.parametrize("error_type", KNOWN_TYPES)
def test_schema_made_messages_are_kept_whole(error_type: str) -> None:
    """A message whose placeholders are all schema-made is pydantic's own, unchanged."""
    known = known_error(error_type)
    placeholders = set(re.findall(r"\{(\w+)\}", known.message_template))
    if placeholders <= SCHEMA_CONTEXT and error_type not in ("value_error", "assertion_error"):
        [error] = redact([as_error(known)], frozenset(), SCHEMA_MADE)
        assert error["msg"] == known.message()


def test_every_placeholder_is_classified() -> None:
    """Each placeholder of pydantic's messages is known as schema-made or input-made."""
    placeholders = {
        name
        for error_type in KNOWN_TYPES
        for name in re.findall(r"\{(\w+)\}", known_error(error_type).message_template)
    }
    assert placeholders <= SCHEMA_CONTEXT | INPUT_CONTEXT
    assert not SCHEMA_CONTEXT & INPUT_CONTEXT


def test_parser_diagnostics_are_kept_only_when_they_quote_nothing() -> None:
    """The JSON parser's fixed diagnostics show in the reason; one naming a key does not."""
    error = decode_error(marked_codec, text("{"))
    assert (
        error.reason == "invalid message: not JSON: EOF while parsing an object at line 1 column 1"
    )
    assert parser_error('Detected duplicate key "ZZMARKZZ" at line 1 column 9') is None


# The json value type: what decodes can be sent back


@pytest.mark.parametrize(
    "payload",
    [
        "1e400",
        "-1e400",
        "[1e400]",
        '{"a": 1e400}',
        "1.5E+400",
        "1" + "0" * 400 + ".0",
        "1" + "0" * 250 + "e99",
        '{"pad": "' + "x" * 300 + '", "n": [-1E+400]}',
    ],
)
def test_json_refuses_numbers_out_of_range(payload: str) -> None:
    """A number too large for a float is a json failure (1007), as too long an integer is."""
    error = decode_error(JSONCodec(), text(payload))
    assert error.kind == "json"
    assert error.close_code == 1007
    assert error.reason == "invalid message: not JSON: number out of range"


@pytest.mark.parametrize(
    "payload",
    [
        "1e-400",
        "1e308",
        "-1.7976931348623157e308",
        "1" + "0" * 400,
        '"1e400"',
        "0." + "0" * 400 + "1",
        "[" + "1e99," * 100 + "1E-400]",
    ],
)
def test_json_takes_large_finite_numbers(payload: str) -> None:
    """Numbers that fit (tiny, large, long integers, or 1e400 in a string) decode and encode."""
    codec = JSONCodec()
    value = codec.decode(text(payload))
    assert codec.decode(text(codec.encode(value)["text"])) == value


number_literals = st.builds(
    lambda digits, fraction, exponent: digits + fraction + exponent,
    st.from_regex(r"\A-?(0|[1-9][0-9]{0,320})\Z"),
    st.sampled_from(["", ".0", ".5"]),
    st.sampled_from(["", "e99", "E+99", "e-99"]) | st.integers(-999, 999).map("e{}".format),
)


@given(number_literals)
def test_json_numbers_decode_only_when_they_encode(literal: str) -> None:
    """Any JSON number decodes into a value that encodes back, or is a json failure."""
    codec = JSONCodec()
    try:
        value = codec.decode(text(f"[{literal}]"))
    except InvalidMessage as error:
        value = error
    if isinstance(value, InvalidMessage):
        assert value.kind == "json"
    else:
        codec.encode(value)  # raises InvalidOutgoingMessage when it cannot be sent back


def test_messages_set_in_place_of_standard_ones_are_the_apps() -> None:
    """A message set in place of a type's standard one shows only with the opt-in."""
    details = {"type": "string_too_short", "loc": (), "msg": f"{MARK} is short"}
    error = cast(ErrorDetails, {**details, "ctx": {"min_length": 3}})
    [hidden] = redact([error], frozenset(), frozenset({"3"}))
    assert hidden["msg"] == "String should have at least 3 characters"
    [shown] = redact([error], frozenset(), frozenset({"3"}), show_validator_messages=True)
    assert shown["msg"] == f"{MARK} is short"


# pydantic's own error types raised by the app


@pytest.mark.parametrize(
    ("field", "error_type"),
    [
        ("command", "literal_error"),
        ("choice", "literal_error"),
        ("level", "greater_than"),
        ("handle", "string_pattern_mismatch"),
    ],
)
def test_pydantic_types_with_context_the_schema_lacks_are_the_apps(
    field: str, error_type: str
) -> None:
    """An app validator raising one of pydantic's types, with the input as a value the schema
    would fill, shows as the app's error: its type, no ctx."""
    error = decode_error(marked_codec, text(profile(**{field: MARK})))
    assert error.reason == f"invalid message: profile.{field}: {error_type}"
    [details] = error.errors
    assert details["msg"] == error_type
    assert "ctx" not in details


def test_context_numbers_must_be_the_schemas() -> None:
    """A bound in ctx is kept only when the schema holds it."""
    bound = as_error(PydanticKnownError("greater_than", {"gt": 987654321}))
    [error] = redact([bound], frozenset(), frozenset({"3"}))
    assert error["msg"] == "greater_than"
    assert "ctx" not in error
    [kept] = redact([as_error(PydanticKnownError("greater_than", {"gt": 3}))], frozenset(), {"3"})
    assert kept["msg"] == "Input should be greater than 3"
    assert kept.get("ctx") == {"gt": 3}


def kind_of(value: Any) -> Any:
    return value.get("type") if isinstance(value, dict) else None


@pytest.mark.parametrize(
    ("message_type", "payload", "msg", "ctx"),
    [
        (
            Literal["it's", "a"],
            '"b"',
            "Input should be \"it's\" or 'a'",
            {"expected": "\"it's\" or 'a'"},
        ),
        (
            Color,
            '"pink"',
            "Input should be 'red', 'green' or 'blue'",
            {"expected": "'red', 'green' or 'blue'"},
        ),
        (Annotated[int, Field(gt=3)], "1", "Input should be greater than 3", {"gt": 3}),
        (
            Annotated[Decimal, Field(le=Decimal("0.1"))],
            "1",
            "Input should be less than or equal to 0.1",
            {"le": Decimal("0.1")},
        ),
        (
            Annotated[date, Field(gt=date(2020, 1, 1))],
            '"2019-01-01"',
            "Input should be greater than 2020-01-01",
            {"gt": "2020-01-01"},
        ),
        (
            Annotated[str, Field(pattern=r"^a, b$")],
            '"c"',
            "String should match pattern '^a, b$'",
            {"pattern": "^a, b$"},
        ),
        (
            Annotated[list[int], Field(max_length=1)],
            "[1, 2]",
            "List should have at most 1 item after validation",
            {"field_type": "List", "max_length": 1},
        ),
        (
            Annotated[Decimal, Field(max_digits=3)],
            '"1234"',
            "Decimal input should have no more than 3 digits in total",
            {"max_digits": 3},
        ),
        (
            Annotated[Decimal, Field(decimal_places=1)],
            '"1.23"',
            "Decimal input should have no more than 1 decimal place",
            {"decimal_places": 1},
        ),
        (
            Annotated[Decimal, Field(max_digits=3, decimal_places=1)],
            '"123"',
            "Decimal input should have no more than 2 digits before the decimal point",
            {"whole_digits": 2},
        ),
        (
            UUID4,
            '"a8098c1a-f86e-11da-bd1a-00112444be1e"',
            "UUID version 4 expected",
            {"expected_version": 4},
        ),
        (
            HttpUrl,
            '"ftp://example.com"',
            "URL scheme should be 'http' or 'https'",
            {"expected_schemes": "'http' or 'https'"},
        ),
        (
            TypeAdapter(bytes, config=ConfigDict(val_json_bytes="hex")),
            '"zz"',
            "Data should be valid hex",
            {"encoding": "hex"},
        ),
        (
            Annotated[
                Annotated[Ping, Tag("ping")] | Annotated[Post, Tag("post")], Discriminator(kind_of)
            ],
            '{"type": "pong"}',
            "Input tag does not match any of the expected tags: 'ping', 'post'",
            {"discriminator": "kind_of()", "expected_tags": "'ping', 'post'"},
        ),
    ],
)
def test_pydantic_errors_keep_what_the_schema_made(
    message_type: Any, payload: str, msg: str, ctx: dict[str, Any]
) -> None:
    """pydantic's own errors keep their schema-made words, also those JSON Schema lacks."""
    [error] = decode_error(ModelCodec(adapter_for(message_type)), text(payload)).errors
    assert error["msg"] == msg
    assert error.get("ctx") == ctx


def test_schema_values_are_built_once() -> None:
    """The schema's values are collected once per adapter."""
    assert schema_values(adapter_for(Marked)) is schema_values(adapter_for(Marked))


# Values the app sends that do not fit the send type


class Said(BaseModel):
    name: Annotated[str, Field(max_length=4)]
    count: int = 0


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({"name": MARK}, "dict: name: String should have at most 4 characters"),
        ({"name": "ok", "count": MARK}, "dict: count: Input should be a valid integer"),
        (MARK, "str: Input should be a valid dictionary or instance of Said"),
        (Said.model_construct(name="ok", count=MARK), "Said: count: Expected `int`"),
        (
            [Said.model_construct(name=MARK)],
            "list: Input should be a valid dictionary or instance of Said",
        ),
    ],
)
def test_outgoing_errors_quote_no_value(value: Any, message: str) -> None:
    """InvalidOutgoingMessage names the location and the problem, never the value, and its
    traceback holds no exception that does."""
    kind, detail = message.split(": ", 1)
    with pytest.raises(InvalidOutgoingMessage) as info:
        ModelCodec(adapter_for(Said), check_fields=True).encode(value)
    assert str(info.value) == f"{kind} does not fit the send type: {detail}"
    assert_no_input("".join(traceback.format_exception(info.value)))


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    type: Literal["aliased"] = "aliased"
    user_name: str = Field(alias="userName")


class Plain(BaseModel):
    type: Literal["plain"] = "plain"
    n: int


def test_encoding_a_union_member_writes_what_the_union_would() -> None:
    """A member model is written by its own serializer, exactly as by the union's."""
    adapter: TypeAdapter[Aliased | Plain] = TypeAdapter(
        Annotated[Aliased | Plain, Field(discriminator="type")]
    )
    codec = ModelCodec(adapter)
    for value in (Aliased(user_name="ann"), Plain(n=3)):
        assert codec.encode(value)["text"] == adapter.dump_json(value, by_alias=True).decode()


def test_a_member_with_its_own_serializer_in_the_union_keeps_it() -> None:
    """A member under Annotated (here a PlainSerializer) is serialized the union's way."""
    custom = Annotated[Plain, PlainSerializer(lambda value: {"custom": value.n})]
    codec = ModelCodec(TypeAdapter(custom | Aliased))
    assert json.loads(codec.encode(Plain(n=5))["text"]) == {"custom": 5}


def test_a_constructed_member_with_a_wrong_field_is_refused() -> None:
    codec = ModelCodec(TypeAdapter(Aliased | Plain), check_fields=True)
    with pytest.raises(InvalidOutgoingMessage, match="Plain does not fit the send type"):
        codec.encode(Plain.model_construct(n="three"))
