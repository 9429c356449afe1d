"""AsyncAPI request/reply for an endpoint's requests: each request is a ``receive`` operation
with a ``reply`` on the route's channel, and both messages carry the correlation id's place."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import jsonschema
import pytest
from pydantic import BaseModel, ConfigDict, Field
from starlette.applications import Starlette

from tests.test_schema import ASYNCAPI_SPEC, refs, resolve
from tests.test_schema import app as plain_app
from typedws import ConfigurationError, Endpoint, ErrorReply, WebSocket, route
from typedws.cli import main
from typedws.schema import ASYNCAPI_FILE, asyncapi, export, json_schema, typed_routes


class Ask(BaseModel):
    """A question, answered with an Answer."""

    type: Literal["ask"] = "ask"
    id: int
    question: str


class Lookup(BaseModel):
    type: Literal["lookup"] = "lookup"
    lookup_id: str = Field(alias="lookupId")
    key: str


class Say(BaseModel):
    type: Literal["say"] = "say"
    text: str


class Answer(BaseModel):
    type: Literal["answer"] = "answer"
    id: int = 0
    text: str


class Found(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    type: Literal["found"] = "found"
    lookup_id: str = Field(default="", alias="lookupId")
    value: str | None


class Said(BaseModel):
    type: Literal["said"] = "said"
    text: str


ClientMessage = Annotated[Ask | Lookup | Say, Field(discriminator="type")]
ServerMessage = Annotated[Answer | Found | Said | ErrorReply, Field(discriminator="type")]

rpc = Endpoint(receive_model=ClientMessage, send_model=ServerMessage, on_invalid="reply")


@rpc.request(Ask, reply=Answer)
async def ask(request: Ask, ws: WebSocket[Any, Any]) -> Answer:
    return Answer(text=request.question)


@rpc.request(Lookup, reply=Found, correlation_id="lookup_id")
async def lookup(request: Lookup, ws: WebSocket[Any, Any]) -> Found:
    return Found(value=None)


@rpc.on(Say)
async def say(message: Say, ws: WebSocket[Any, Any]) -> Said:
    return Said(text=message.text)


app = Starlette(routes=[rpc.route("/rpc/{room}", name="rpc")])


def official_errors(document: dict[str, Any]) -> list[str]:
    """What AsyncAPI 3.0.0's own JSON Schema (@asyncapi/specs) finds wrong in *document*."""
    spec = json.loads(ASYNCAPI_SPEC.read_text())
    validator = jsonschema.validators.validator_for(spec)(spec)
    return [error.message for error in validator.iter_errors(document)]


def names(references: list[dict[str, str]]) -> list[str]:
    return [reference["$ref"].rsplit("/", 1)[-1] for reference in references]


def test_the_document_passes_the_official_schema() -> None:
    """The document of an endpoint with requests is valid AsyncAPI 3.0.0, exported too."""
    assert not official_errors(asyncapi(app))
    assert not official_errors(json.loads(export(app)[ASYNCAPI_FILE]))
    mixed = Starlette(routes=[*plain_app.routes, *app.routes])
    assert not official_errors(asyncapi(mixed))


def test_each_request_is_an_operation_with_its_reply() -> None:
    """A request is a receive operation of its own message, whose reply is the reply
    message on the same channel; the other client messages keep the plain operation."""
    operations = asyncapi(app)["operations"]
    assert list(operations) == [
        "receiveRpcAskRequest",
        "receiveRpcClientMessage",
        "receiveRpcLookupRequest",
        "sendRpcServerMessage",
    ]
    assert operations["receiveRpcAskRequest"] == {
        "action": "receive",
        "channel": {"$ref": "#/channels/rpc"},
        "summary": "Ask requests clients send to /rpc/{room}, each answered with Answer",
        "messages": [{"$ref": "#/channels/rpc/messages/Ask"}],
        "reply": {
            "channel": {"$ref": "#/channels/rpc"},
            "messages": [{"$ref": "#/channels/rpc/messages/Answer"}],
        },
    }
    lookup_op = operations["receiveRpcLookupRequest"]
    assert names(lookup_op["messages"]) == ["Lookup"]
    assert names(lookup_op["reply"]["messages"]) == ["Found"]
    assert lookup_op["reply"]["channel"] == {"$ref": "#/channels/rpc"}


def test_non_request_messages_have_no_reply() -> None:
    """Plain messages stay in the route's receive operation, which has no reply; what the
    server sends, error replies included, is one send operation without reply."""
    operations = asyncapi(app)["operations"]
    plain = operations["receiveRpcClientMessage"]
    assert names(plain["messages"]) == ["Say"]
    assert "reply" not in plain
    send = operations["sendRpcServerMessage"]
    assert "reply" not in send
    assert names(send["messages"]) == ["Answer", "Found", "Said", "ErrorReply"]


def test_request_and_reply_messages_carry_the_correlation_id() -> None:
    """Both messages of a request say where the correlation id is: the payload field, by
    the name it has on the wire (its alias); other messages have no correlationId."""
    messages = asyncapi(app)["components"]["messages"]
    assert messages["Ask"]["correlationId"] == {"location": "$message.payload#/id"}
    assert messages["Answer"]["correlationId"] == {"location": "$message.payload#/id"}
    assert messages["Lookup"]["correlationId"] == {"location": "$message.payload#/lookupId"}
    assert messages["Found"]["correlationId"] == {"location": "$message.payload#/lookupId"}
    for name in ("Say", "Said", "ErrorReply"):
        assert "correlationId" not in messages[name]
    for name in ("Ask", "Lookup"):
        payload = resolve(asyncapi(app), messages[name]["payload"]["$ref"])
        field = messages[name]["correlationId"]["location"].rsplit("/", 1)[-1]
        assert field in payload["properties"]


def test_every_reference_resolves_and_replies_stay_on_the_channel() -> None:
    """Operations and their replies reference messages of their own channel, and every
    $ref resolves."""
    document = asyncapi(app)
    for ref in refs(document):
        resolve(document, ref)
    for operation in document["operations"].values():
        channel = operation["channel"]["$ref"]
        reply = operation.get("reply", {"channel": operation["channel"], "messages": []})
        assert reply["channel"]["$ref"] == channel
        for message in operation["messages"] + reply["messages"]:
            assert message["$ref"].startswith(channel + "/messages/")


def test_the_document_is_deterministic() -> None:
    """The same app exports the same bytes."""
    assert export(app) == export(app)


def test_json_schema_files_are_unchanged_in_shape() -> None:
    """Requests do not show in the per-direction JSON Schema files: the client's union, and
    the server's with ErrorReply as one of its members."""
    (typed,) = typed_routes(app)
    client, server = json_schema(typed, "client"), json_schema(typed, "server")
    assert sorted(client["$defs"]) == ["Ask", "Lookup", "Say"]
    assert sorted(server["$defs"]) == ["Answer", "ErrorItem", "ErrorReply", "Found", "Said"]
    text = json.dumps([client, server])
    assert '"correlationId"' not in text
    assert '"reply"' not in text


def test_plain_routes_are_unchanged() -> None:
    """Next to an endpoint, plain routes document exactly as they do alone: no reply, no
    correlationId; and an endpoint without requests documents like a plain route."""
    alone = asyncapi(plain_app)
    together = asyncapi(Starlette(routes=[*plain_app.routes, *app.routes]))
    for name, channel in alone["channels"].items():
        assert together["channels"][name] == channel
    for name, operation in alone["operations"].items():
        assert together["operations"][name] == operation
    for name, message in alone["components"]["messages"].items():
        assert together["components"]["messages"][name] == message
    text = json.dumps(alone)
    assert '"reply"' not in text
    assert "correlationId" not in text

    quiet = Endpoint(receive_model=ClientMessage, send_model=ServerMessage)
    for variant in (Ask, Lookup, Say):
        quiet.on(variant)(say)

    @route("/rpc/{room}", name="rpc", receive_model=ClientMessage, send_model=ServerMessage)
    async def plain(ws: WebSocket[Any, Any]) -> None:
        pass

    assert asyncapi(Starlette(routes=[quiet.route("/rpc/{room}", name="rpc")])) == asyncapi(
        Starlette(routes=[plain])
    )


def test_a_route_of_requests_only_and_one_type_both_ways() -> None:
    """When every client message is a request there is no plain receive operation; one
    type sent both ways is two messages (pydantic's -Input and -Output), each referenced."""

    class Echo(BaseModel):
        type: Literal["echo"] = "echo"
        id: int

    echo_endpoint = Endpoint(model=Echo)

    @echo_endpoint.request(Echo, reply=Echo)
    async def echo(request: Echo, ws: WebSocket[Any, Any]) -> Echo:
        return request

    document = asyncapi(Starlette(routes=[echo_endpoint.route("/echo")]))
    assert not official_errors(document)
    operations = document["operations"]
    assert list(operations) == ["receiveEchoEchoRequest", "sendEchoServerMessage"]
    request = operations["receiveEchoEchoRequest"]
    assert names(request["messages"]) == ["Echo-Input"]
    assert names(request["reply"]["messages"]) == ["Echo-Output"]
    for name in ("Echo-Input", "Echo-Output"):
        message = document["components"]["messages"][name]
        assert message["correlationId"] == {"location": "$message.payload#/id"}


def test_a_request_type_the_server_sends_too_stays_in_the_send_operation() -> None:
    """A type of one schema both ways is one message: its request operation takes it out of
    the plain receive operation only, never out of what the server sends."""

    class Ping(BaseModel):
        id: int

    pinger = Endpoint(model=Ping)

    @pinger.request(Ping, reply=Ping)
    async def pong(request: Ping, ws: WebSocket[Any, Any]) -> Ping:
        return request

    document = asyncapi(Starlette(routes=[pinger.route("/ping")]))
    assert not official_errors(document)
    operations = document["operations"]
    assert list(operations) == ["receivePingPingRequest", "sendPingServerMessage"]
    assert names(operations["receivePingPingRequest"]["reply"]["messages"]) == ["Ping"]
    assert names(operations["sendPingServerMessage"]["messages"]) == ["Ping"]


def test_a_type_with_two_correlation_fields_is_an_error() -> None:
    """One message type asked to hold its correlation id in two fields (by two endpoints)
    cannot be described by one message: refused, naming the type and the fields."""

    class Both(BaseModel):
        type: Literal["both"] = "both"
        id: int
        ref: str

    first = Endpoint(model=Both)
    second = Endpoint(model=Both)

    @first.request(Both, reply=Both)
    @second.request(Both, reply=Both, correlation_id="ref")
    async def echo(request: Both, ws: WebSocket[Any, Any]) -> Both:
        return request

    two = Starlette(routes=[first.route("/one"), second.route("/two")])
    with pytest.raises(ConfigurationError, match=r"Both.*'id'.*'ref'"):
        asyncapi(two)


def test_the_command_exports_the_replies(tmp_path: Path) -> None:
    """``typedws schema export`` writes the document with its replies."""
    out = tmp_path / "schemas"
    assert main(["schema", "export", f"{__name__}:app", "--out", str(out)]) == 0
    document = json.loads((out / ASYNCAPI_FILE).read_text(encoding="utf-8"))
    assert document == json.loads(export(app)[ASYNCAPI_FILE])
    assert "reply" in document["operations"]["receiveRpcAskRequest"]
    assert main(["schema", "check", f"{__name__}:app", "--dir", str(out)]) == 0
