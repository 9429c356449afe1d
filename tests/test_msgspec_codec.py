"""``StructCodec`` in-process: decode and encode, the failure kinds, reasons and errors
without the input, the configuration it refuses, the round-trip property, msgspec imported
only when used, and the schema export of Struct types."""

from __future__ import annotations

import datetime
import enum
import json
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Annotated, Any, Literal

import jsonschema
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel
from starlette.applications import Starlette

from tests.msgspec_app import MARKER, Answer, Ask, Checked, ClientMessage, Join, Move, Say, app
from tests.test_schema import ASYNCAPI_SPEC
from typedws import (
    ConfigurationError,
    Endpoint,
    ErrorReply,
    InvalidMessage,
    InvalidOutgoingMessage,
    WebSocket,
    route,
)
from typedws.cli import main
from typedws.msgspec_codec import ErrorReply as StructErrorReply
from typedws.msgspec_codec import StructCodec
from typedws.schema import ASYNCAPI_FILE, asyncapi, export, json_schema, typed_routes

ROOT = Path(__file__).resolve().parent.parent


def text(payload: str) -> dict[str, Any]:
    return {"type": "websocket.receive", "text": payload}


def rejection(codec: StructCodec[Any], payload: str) -> InvalidMessage:
    with pytest.raises(InvalidMessage) as caught:
        codec.decode(text(payload))
    return caught.value


codec = StructCodec[Any](ClientMessage)


# Decode and encode


def test_decode_returns_the_variant_and_encode_writes_msgspec_json() -> None:
    value = codec.decode(text('{"type": "say", "text": "hi", "seq": 2}'))
    assert value == Say(text="hi", seq=2)
    assert codec.encode(value) == {
        "type": "websocket.send",
        "text": msgspec.json.encode(value).decode(),
    }


def test_the_codec_reads_its_message_type() -> None:
    """members are the union's classes (for dispatch); a Struct type has no TypeAdapter."""
    assert codec.members == (Join, Say, Move, Checked)
    assert codec.value_type == "model"
    assert codec.field_key(Ask, "id", "validation") == "id"
    assert codec.field_key(Ask, "nope", "validation") is None
    assert codec.replace(Answer(answer="a"), id=3) == Answer(answer="a", id=3)


class Renamed(msgspec.Struct, rename="camel", tag="renamed"):
    request_id: int


def test_field_key_is_the_renamed_key() -> None:
    assert StructCodec[Any](Renamed).field_key(Renamed, "request_id", "validation") == "requestId"


def test_a_binary_frame_is_frame_type() -> None:
    with pytest.raises(InvalidMessage) as caught:
        codec.decode({"type": "websocket.receive", "bytes": b"{}"})
    assert (caught.value.kind, caught.value.close_code) == ("frame_type", 1003)


def test_max_size_and_close_code_overrides_hold() -> None:
    small = StructCodec[Any](ClientMessage, max_size=10, close_codes={"too_big": 4009})
    error = rejection(small, '{"type": "say", "text": "long enough"}')
    assert (error.kind, error.close_code, error.reason) == (
        "too_big",
        4009,
        "message too big: over 10 bytes",
    )


def test_lone_surrogates_are_not_json() -> None:
    error = rejection(codec, '{"type": "say", "text": "\ud800"}')
    assert (error.kind, error.close_code) == ("json", 1007)
    assert error.reason == "invalid message: not JSON: Invalid UTF-8 encoded string"


def test_the_correlation_id_of_an_invalid_message_is_kept() -> None:
    """With correlation_id set, a well-formed id in that field is kept, as for pydantic."""
    with_ids = StructCodec[Any](Ask, correlation_id="id")
    assert rejection(with_ids, '{"type": "ask", "id": 5, "question": 1}').correlation_id == 5
    assert rejection(with_ids, '{"type": "ask", "id": "a b", "question": 1}').correlation_id is None
    assert rejection(codec, '{"type": "ask", "id": 5}').correlation_id is None


# Reasons and errors without the input


class Color(enum.Enum):
    RED = "red"


class Inner(msgspec.Struct, forbid_unknown_fields=True):
    level: Annotated[int, msgspec.Meta(ge=0, le=10, multiple_of=2)]


class Point(msgspec.Struct, array_like=True):
    x: int
    y: int


class Wide(msgspec.Struct, tag="wide"):
    inner: Inner | None = None
    color: Color = Color.RED
    when: datetime.datetime | None = None
    ident: uuid.UUID | None = None
    blob: bytes = b""
    pair: tuple[int, int] = (0, 0)
    point: Point | None = None
    items: Annotated[list[int], msgspec.Meta(min_length=0, max_length=3)] = []
    keyed: Annotated[dict[str, int], msgspec.Meta(max_length=1)] = {}
    unique: frozenset[int] = frozenset()


class Tricky(msgspec.Struct, tag="tricky"):
    """A __post_init__ whose messages imitate msgspec's, with the input in them."""

    text: str

    def __post_init__(self) -> None:
        raise ValueError(self.text)


wide = StructCodec[Any](Wide | Tricky)

REDACTED = [
    ('{"type": "wide", "inner": {"level": 11}}', "inner.level: Expected `int` <= 10"),
    (
        '{"type": "wide", "inner": {"level": 3}}',
        "inner.level: Expected `int` that's a multiple of 2",
    ),
    (
        '{"type": "wide", "inner": {"level": 2, "SECRET": 1}}',
        "inner: Object contains unknown field",
    ),
    ('{"type": "wide", "inner": {}}', "inner: Object missing required field `level`"),
    ('{"type": "wide", "color": "SECRET"}', "color: Invalid enum value"),
    ('{"type": "wide", "when": "SECRET"}', "when: Invalid RFC3339 encoded datetime"),
    ('{"type": "wide", "ident": "SECRET"}', "ident: Invalid UUID"),
    ('{"type": "wide", "blob": "SECRET!"}', "blob: Invalid base64 encoded string"),
    ('{"type": "wide", "pair": [1, 2, 3]}', "pair: Expected `array` of length 2"),
    ('{"type": "wide", "point": [1]}', "point: Expected `array` of at least length 2"),
    ('{"type": "wide", "items": [1, 2, 3, 4]}', "items: Expected `array` of length <= 3"),
    ('{"type": "wide", "keyed": {"SECRET": 1, "b": 2}}', "keyed: Expected `object` of length <= 1"),
    ('{"type": "wide", "items": ["SECRET"]}', "items.0: Expected `int`, got `str`"),
    ('{"type": "wide", "unique": [[1]]}', "unique.0: Expected `int`, got `array`"),
    ('{"type": "wide", "inner": {"level": 1e999}}', "inner.level: Number out of range"),
    ('{"type": "SECRET"}', "type: Invalid tag value, expected one of: 'wide', 'tricky'"),
    ('{"type": 5}', "type: Expected `str`"),
    ("[]", "Expected `object`, got `array`"),
    ('{"type": "tricky", "text": "Expected `SECRET`"}', "Value error"),
    ('{"type": "tricky", "text": "Expected `int` <= SECRET"}', "Expected `int`"),
    (
        '{"type": "tricky", "text": "Object missing required field `SECRET`"}',
        "Object missing required field",
    ),
    ('{"type": "tricky", "text": "Expected `str` matching regex SECRET"}', "Expected `str`"),
    ('{"type": "tricky", "text": "Expected `array` of length 99, got 3"}', "Expected `array`"),
    ('{"type": "tricky", "text": "Expected `int`, got `SECRET`"}', "Expected `int`"),
]


@pytest.mark.parametrize(("payload", "detail"), REDACTED)
def test_reasons_keep_what_the_schema_says_and_nothing_of_the_input(
    payload: str, detail: str
) -> None:
    """Each of msgspec's message forms keeps its schema-made words (types, bounds, lengths,
    declared fields, tags) and loses the input's; messages that only look like msgspec's
    (an app's __post_init__) keep no value the schema does not hold."""
    error = rejection(wide, payload)
    assert error.reason == f"invalid message: {detail}"
    assert error.kind == "validation"
    assert error.close_code == 1008
    assert "SECRET" not in json.dumps(error.errors)
    assert [set(item) for item in error.errors] == [{"type", "loc", "msg"}]


def test_an_apps_message_shows_when_the_app_says_so() -> None:
    shown = StructCodec[Any](Wide | Tricky, show_validator_messages=True)
    assert rejection(shown, '{"type": "tricky", "text": "mine"}').reason == "invalid message: mine"
    assert (
        rejection(wide, '{"type": "tricky", "text": "mine"}').reason
        == "invalid message: Value error"
    )


@pytest.mark.parametrize(
    "payload",
    ["", "{", '{"type": "say"', "nope", '{"type": "say", "text": ""} x', '{"a" 1}', '{"a": 1,}'],
)
def test_text_that_is_not_json_is_the_json_kind(payload: str) -> None:
    error = rejection(codec, payload)
    assert (error.kind, error.close_code) == ("json", 1007)
    assert error.reason.startswith("invalid message: not JSON: ")
    assert error.errors[0]["type"] == "json_invalid"


def test_a_long_reason_is_cut_to_123_bytes() -> None:
    class Many(msgspec.Struct, tag="a-rather-long-tag-name-number-one"):
        pass

    class More(msgspec.Struct, tag="another-rather-long-tag-name-number-two"):
        pass

    class Most(msgspec.Struct, tag="the-third-rather-long-tag-name-with-ünïcödé"):
        pass

    error = rejection(StructCodec[Any](Many | More | Most), '{"type": "x"}')
    assert len(error.reason.encode()) <= 123
    assert error.reason.startswith("invalid message: type: Invalid tag value")


# Sending


def test_a_value_of_another_class_is_refused() -> None:
    class LoudSay(Say, tag="loud-say"):
        pass

    for value in (LoudSay(text="x"), Ask(id=1, question="q"), {"type": "say", "text": "x"}, None):
        with pytest.raises(InvalidOutgoingMessage, match="does not fit the send type"):
            codec.encode(value)


def test_none_is_sent_when_the_type_takes_it() -> None:
    optional = StructCodec[Any](Say | None)
    assert optional.encode(None)["text"] == "null"
    assert optional.decode(text("null")) is None


def test_a_field_msgspec_cannot_encode_is_refused_without_its_value() -> None:
    with pytest.raises(InvalidOutgoingMessage) as caught:
        codec.encode(Say(text=object()))  # type: ignore[arg-type]
    assert str(caught.value) == (
        "Say does not fit the send type: Encoding objects of type object is unsupported"
    )


def test_fields_are_written_as_they_are_unless_check_fields() -> None:
    """msgspec does not check a Struct's fields when it is built; neither does encode,
    unless check_fields, which refuses a wrong field without quoting it."""
    wrong = Say(text=MARKER, seq=MARKER)  # type: ignore[arg-type]
    assert json.loads(codec.encode(wrong)["text"])["seq"] == MARKER
    with pytest.raises(InvalidOutgoingMessage) as caught:
        StructCodec[Any](ClientMessage, check_fields=True).encode(wrong)
    assert str(caught.value) == "Say does not fit the send type: seq: Expected `int`, got `str`"


def test_the_check_send_fields_option_reaches_the_struct_codec() -> None:
    """check_send_fields=True makes a Struct route refuse a Struct with a wrong field."""

    @route("/checked", model=Say, check_send_fields=True)
    async def checked(ws: WebSocket[Say, Say]) -> None:
        pass

    send_codec = checked.send_model_codec
    assert isinstance(send_codec, StructCodec)
    with pytest.raises(InvalidOutgoingMessage, match="seq: Expected `int`, got `str`"):
        send_codec.encode(Say(text="x", seq=MARKER))  # type: ignore[arg-type]


# The round-trip property

names = st.from_regex(r"[A-Za-z -]{1,20}", fullmatch=True)
ints = st.integers(min_value=-(2**63), max_value=2**64 - 1)
floats = st.floats(allow_nan=False, allow_infinity=False)
messages = st.one_of(
    st.builds(Join, name=names),
    st.builds(
        Say,
        text=st.text(),
        seq=ints,
        mood=st.sampled_from(["calm", "loud"]),
        scores=st.dictionaries(st.text(), ints, max_size=3),
        tags=st.lists(st.text(), max_size=3),
    ),
    st.builds(Move, x=floats, y=st.floats(min_value=-1000.0, max_value=1000.0)),
)


@given(messages)
def test_decode_of_encode_is_the_value(value: Join | Say | Move) -> None:
    """Every Struct value the type takes comes back equal, and as the same JSON."""
    message = codec.encode(value)
    assert codec.decode(text(message["text"])) == value
    assert message["text"] == msgspec.json.encode(value).decode()


# What the codec refuses when built


class Model(BaseModel):
    type: Literal["model"] = "model"


class Untagged(msgspec.Struct):
    a: int


class AlsoUntagged(msgspec.Struct):
    b: int


@pytest.mark.parametrize(
    ("message_type", "match"),
    [
        (Say | Model, "receive_model: not a message type"),
        (Say | int, "a Struct class or a union of Struct classes"),
        (Untagged | AlsoUntagged, "receive_model: not a message type"),
    ],
)
def test_a_type_msgspec_or_the_codec_cannot_take_is_a_configuration_error(
    message_type: Any, match: str
) -> None:
    with pytest.raises(ConfigurationError, match=match):
        route("/x", receive_model=message_type)


def test_a_route_reads_the_codec_and_has_no_adapter() -> None:
    @route("/x", receive_model=ClientMessage, send_model=Say)
    async def handler(ws: WebSocket[Join | Say | Move, Say]) -> None:
        pass

    assert handler.receive_adapter is None
    assert handler.send_adapter is None
    assert isinstance(handler.receive_model_codec, StructCodec)
    assert isinstance(handler.send_model_codec, StructCodec)


def test_an_endpoint_replying_to_errors_needs_the_struct_error_reply() -> None:
    """typedws.ErrorReply is a pydantic model, which a Struct union cannot hold: an endpoint
    typed by msgspec puts typedws.msgspec_codec.ErrorReply in its send union."""
    with pytest.raises(ConfigurationError, match=r"typedws\.msgspec_codec\.ErrorReply"):
        Endpoint(receive_model=Say, send_model=Answer, on_invalid="reply")
    with pytest.raises(ConfigurationError, match="send_model: not a message type"):
        Endpoint(receive_model=Say, send_model=Answer | ErrorReply, on_invalid="reply")
    endpoint = Endpoint(receive_model=Say, send_model=Answer | StructErrorReply, on_invalid="reply")
    assert endpoint.receive_adapter is None
    assert endpoint.send_model_codec.error_reply is StructErrorReply


def test_an_endpoint_checks_struct_request_fields() -> None:
    endpoint = Endpoint(receive_model=Ask | Say, send_model=Answer)
    with pytest.raises(ConfigurationError, match="Say has no correlation id field 'id'"):
        endpoint.request(Say, reply=Answer)

    async def on_move(message: Move, ws: WebSocket[Any, Any]) -> None:
        pass

    with pytest.raises(ConfigurationError, match="Move is not one of the client's messages"):
        endpoint.on(Move)(on_move)


def test_the_struct_error_reply_writes_what_typedws_error_reply_writes() -> None:
    error = InvalidMessage("validation", 1008, "invalid message: x", [], correlation_id=4)
    assert json.loads(msgspec.json.encode(StructErrorReply.of(error))) == json.loads(
        ErrorReply.of(error).model_dump_json()
    )


def test_msgspec_is_imported_only_for_struct_types() -> None:
    """typedws, and a pydantic-typed route, import neither msgspec nor the codec module."""
    code = """
import sys
from pydantic import BaseModel
from starlette.applications import Starlette
import typedws, typedws.cli, typedws.schema

class Ping(BaseModel):
    n: int

@typedws.route("/", model=Ping)
async def ping(ws: typedws.WebSocket[Ping, Ping]) -> None:
    pass

typedws.schema.export(Starlette(routes=[ping]))
assert "msgspec" not in sys.modules
assert "typedws.msgspec_codec" not in sys.modules
assert "typedws.codecs._msgspec_codec" not in sys.modules
"""
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


# Schema export


def schema_of(name: str, direction: Literal["client", "server"]) -> dict[str, Any]:
    (typed,) = [r for r in typed_routes(app) if r.name == name]
    return json_schema(typed, direction)


def test_route_schemas_are_valid_and_validate_real_messages() -> None:
    """Each exported JSON Schema is valid 2020-12, takes what the Structs write, and refuses
    what the decoder refuses."""
    for typed in typed_routes(app):
        for direction in ("client", "server"):
            jsonschema.Draft202012Validator.check_schema(json_schema(typed, direction))
    client = jsonschema.Draft202012Validator(schema_of("echo", "client"))
    server = jsonschema.Draft202012Validator(schema_of("echo", "server"))
    for value in (Join(name="Ann"), Say(text="x"), Move(x=1.0, y=2.0)):
        written = json.loads(msgspec.json.encode(value))
        client.validate(written)
        server.validate(written)
    assert not client.is_valid({"type": "say"})
    assert not client.is_valid({"type": "join", "name": "Ann!"})
    assert not client.is_valid({"type": "nope"})
    assert client.is_valid({"type": "say", "text": "x"})  # defaults may be left out ...
    assert not server.is_valid({"type": "say", "text": "x"})  # ... the server always writes them


def test_a_single_struct_is_inline_and_a_union_is_one_of_as_for_pydantic() -> None:
    said = schema_of("wrong_send", "server")
    assert said["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert said["title"] == "Said"
    assert said["required"] == ["type", "text", "seq"]
    assert "$defs" not in said
    union = schema_of("echo", "client")
    assert union["title"] == "EchoClientMessage"
    assert [member["$ref"] for member in union["oneOf"]] == [
        "#/$defs/Join",
        "#/$defs/Say",
        "#/$defs/Move",
        "#/$defs/Checked",
    ]
    assert union["discriminator"]["propertyName"] == "type"
    assert list(union["$defs"]) == sorted(union["$defs"])


def test_asyncapi_of_struct_routes_passes_the_official_schema() -> None:
    """The AsyncAPI document validates against AsyncAPI 3.0.0's own JSON Schema; requests
    have their reply and correlationId; a Struct that differs between the directions is
    Name-Input and Name-Output, as pydantic names it."""
    spec = json.loads(ASYNCAPI_SPEC.read_text())
    document = asyncapi(app)
    assert not [
        e.message for e in jsonschema.validators.validator_for(spec)(spec).iter_errors(document)
    ]
    messages = document["components"]["messages"]
    assert messages["Ask"]["correlationId"] == {"location": "$message.payload#/id"}
    assert messages["Answer"]["correlationId"] == {"location": "$message.payload#/id"}
    assert document["operations"]["receiveApiAskRequest"]["reply"]["messages"] == [
        {"$ref": "#/channels/api/messages/Answer"}
    ]
    schemas = document["components"]["schemas"]
    assert {"Say-Input", "Say-Output", "ErrorReply", "ErrorItem"} <= set(schemas)
    assert schemas["Say-Input"]["required"] == ["type", "text"]
    assert schemas["Say-Output"]["required"] == ["type", "text", "seq", "mood", "scores", "tags"]
    assert schemas["ApiServerMessage"]["discriminator"] == "type"
    assert not [ref for ref in _refs(document) if not ref.startswith("#/")]


def _refs(document: Any) -> list[str]:
    if isinstance(document, dict):
        own = [document["$ref"]] if isinstance(document.get("$ref"), str) else []
        return own + [ref for value in document.values() for ref in _refs(value)]
    if isinstance(document, list):
        return [ref for value in document for ref in _refs(value)]
    return []


def test_the_correlation_id_is_where_a_renamed_field_writes_it() -> None:
    class Req(msgspec.Struct, rename="camel", tag="req"):
        request_id: int

    class Rep(msgspec.Struct, rename="camel", tag="rep"):
        request_id: int = 0

    endpoint = Endpoint(receive_model=Req, send_model=Rep)

    @endpoint.request(Req, reply=Rep, correlation_id="request_id")
    async def answer(request: Req, ws: WebSocket[Req, Rep]) -> Rep:
        return Rep()

    document = asyncapi(Starlette(routes=[endpoint.route("/r")]))
    location = {"location": "$message.payload#/requestId"}
    assert document["components"]["messages"]["Req"]["correlationId"] == location
    assert document["components"]["messages"]["Rep"]["correlationId"] == location


def test_pydantic_and_struct_routes_export_together_and_names_must_differ() -> None:
    """An app may mix both libraries; a pydantic class and a Struct of one name are
    refused, as are two Structs of one name."""

    class Ping(BaseModel):
        n: int

    @route("/p", model=Ping)
    async def pydantic_route(ws: WebSocket[Ping, Ping]) -> None:
        pass

    class Said(BaseModel):  # the Struct in tests.msgspec_app has this name
        text: str

    @route("/q", model=Said)
    async def clashing(ws: WebSocket[Said, Said]) -> None:
        pass

    mixed = Starlette(routes=[*app.routes, pydantic_route])
    assert {"Ping", "Say-Input", "Said"} <= set(asyncapi(mixed)["components"]["schemas"])
    with pytest.raises(ConfigurationError, match="two different message types are named 'Said'"):
        asyncapi(Starlette(routes=[*app.routes, clashing]))

    def other_say() -> type[Any]:
        class Say(msgspec.Struct, tag="other-say"):
            n: int

        return Say

    @route("/s", receive_model=Say | other_say())
    async def same_name(ws: WebSocket[Any, str]) -> None:
        pass

    with pytest.raises(ConfigurationError, match="two different message types are named 'Say'"):
        asyncapi(Starlette(routes=[same_name]))


def test_schema_export_writes_the_files_of_struct_routes(tmp_path: Path) -> None:
    """`typedws schema export` writes JSON Schema and AsyncAPI for Struct routes, and
    `schema check` finds them current."""
    out = tmp_path / "schemas"
    assert main(["schema", "export", "tests.msgspec_app:app", "--out", str(out)]) == 0
    written = {path.name: path.read_text() for path in out.iterdir()}
    assert written == export(app)
    assert ASYNCAPI_FILE in written
    assert "echo.client.schema.json" in written
    assert main(["schema", "check", "tests.msgspec_app:app", "--dir", str(out)]) == 0
