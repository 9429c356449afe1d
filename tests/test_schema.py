"""JSON Schema and AsyncAPI export: what consumers need fixed in pydantic's output, the
official AsyncAPI 3.0.0 schema, and real messages validating against the exported schemas."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import jsonschema
import pytest
from hypothesis import given
from pydantic import BaseModel, Field, TypeAdapter
from starlette.applications import Starlette
from starlette.routing import Mount
from typing_extensions import NotRequired, TypedDict

from examples.chat.app import app as chat_app
from tests.frontend import ROOT
from tests.messages import Event, Ping, Post, events
from typedws import ConfigurationError, WebSocket, route
from typedws.schema import ASYNCAPI_FILE, asyncapi, export, is_generated, json_schema, typed_routes

ASYNCAPI_SPEC = ROOT / "node_modules" / "@asyncapi" / "specs" / "schemas" / "3.0.0-without-$id.json"


class Cat(BaseModel):
    """A cat."""

    kind: Literal["cat"] = "cat"
    lives: int = 9
    name: str = Field(title="Pet name")


class Dog(BaseModel):
    kind: Literal["dog"] = "dog"
    good: bool = True


Pet = Annotated[Cat | Dog, Field(discriminator="kind")]


class Envelope(TypedDict):
    pet: Pet
    note: NotRequired[str]


@route("/pets/{owner}/{age:int}", receive_model=Pet, send_model=Envelope)
async def pets(ws: WebSocket[Cat | Dog, Envelope], owner: str, age: int) -> None:
    pass


@route("/events", model=Event)
async def feed(ws: WebSocket[Post | Ping, Post | Ping]) -> None:
    pass


@route("/mixed", receive_model=Cat | Dog, send_model=int | Cat)
async def mixed(ws: WebSocket[Cat | Dog, int | Cat]) -> None:
    pass


@route("/plain", receive_type="json", send_type="bytes")
async def plain(ws: WebSocket[Any, bytes]) -> None:
    pass


app = Starlette(routes=[Mount("/api", routes=[pets]), feed, mixed, plain])


def schema_of(name: str, direction: Literal["client", "server"]) -> dict[str, Any]:
    (typed,) = [r for r in typed_routes(app) if r.name == name]
    return json_schema(typed, direction)


def refs(document: Any) -> list[str]:
    """Every $ref in *document*."""
    if isinstance(document, dict):
        own = [document["$ref"]] if isinstance(document.get("$ref"), str) else []
        return own + [ref for value in document.values() for ref in refs(value)]
    if isinstance(document, list):
        return [ref for value in document for ref in refs(value)]
    return []


def resolve(document: dict[str, Any], ref: str) -> Any:
    node: Any = document
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def test_routes_are_found_with_mount_prefixes() -> None:
    """Typed routes are found in mounts, with their full paths."""
    found = {r.name: (r.path, r.address) for r in typed_routes(app)}
    assert found == {
        "pets": ("/api/pets/{owner}/{age:int}", "/api/pets/{owner}/{age}"),
        "feed": ("/events", "/events"),
        "mixed": ("/mixed", "/mixed"),
        "plain": ("/plain", "/plain"),
    }


def test_discriminator_tag_with_a_default_is_required() -> None:
    """Clients must send the tag, so it is required even though the model defaults it."""
    client = schema_of("pets", "client")
    assert client["$defs"]["Cat"]["required"] == ["kind", "name"]
    assert client["$defs"]["Dog"]["required"] == ["kind"]


def test_server_schema_requires_what_the_server_always_sends() -> None:
    """In serialization mode every model field is sent, so every one is required; a
    TypedDict key that may be missing stays optional."""
    server = schema_of("pets", "server")
    assert server["required"] == ["pet"]
    assert server["$defs"]["Cat"]["required"] == ["kind", "lives", "name"]
    assert server["$defs"]["Dog"]["required"] == ["kind", "good"]


def test_mapping_points_into_defs() -> None:
    """The discriminator mapping of a JSON Schema file points at its own $defs."""
    client = schema_of("pets", "client")
    assert client["discriminator"] == {
        "mapping": {"cat": "#/$defs/Cat", "dog": "#/$defs/Dog"},
        "propertyName": "kind",
    }
    for ref in refs(client):
        resolve(client, ref)


def test_field_titles_are_dropped_and_model_titles_kept() -> None:
    """Field titles only repeat names in generated code; model titles name the types."""
    client = schema_of("pets", "client")
    assert client["title"] == "PetsClientMessage"
    assert client["$defs"]["Cat"]["title"] == "Cat"
    for definition in client["$defs"].values():
        for field in definition["properties"].values():
            assert "title" not in field


def test_value_types_without_models() -> None:
    """Routes of plain value types get a schema of their frames."""
    assert schema_of("plain", "client") == {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "PlainClientMessage",
        "description": "Any JSON value, in a text frame.",
    }
    assert schema_of("plain", "server")["format"] == "binary"


@pytest.mark.parametrize(
    ("name", "direction"), [(n, d) for n in ("pets", "feed") for d in ("client", "server")]
)
def test_json_schemas_are_valid_2020_12(name: str, direction: Literal["client", "server"]) -> None:
    """Every exported JSON Schema is itself a valid 2020-12 schema."""
    jsonschema.Draft202012Validator.check_schema(schema_of(name, direction))


@given(events)
def test_sent_messages_validate_against_the_server_schema(event: Post | Ping) -> None:
    """Whatever the server sends validates against its schema, required fields included."""
    sent = json.loads(TypeAdapter(Event).dump_json(event, by_alias=True))
    jsonschema.Draft202012Validator(schema_of("feed", "server")).validate(sent)


@given(events)
def test_accepted_messages_validate_against_the_client_schema(event: Post | Ping) -> None:
    """A message the server accepts validates against the client schema."""
    sent = json.loads(TypeAdapter(Event).dump_json(event, by_alias=True))
    jsonschema.Draft202012Validator(schema_of("feed", "client")).validate(sent)


def test_client_schema_rejects_a_message_without_its_tag() -> None:
    """A message the server would refuse (no tag) fails the client schema too."""
    validator = jsonschema.Draft202012Validator(schema_of("pets", "client"))
    assert not validator.is_valid({"name": "Tom"})
    assert validator.is_valid({"kind": "cat", "name": "Tom"})


def test_asyncapi_passes_the_official_schema() -> None:
    """The AsyncAPI document validates against AsyncAPI 3.0.0's own JSON Schema
    (@asyncapi/specs, pinned by package-lock.json), and that validator does bite."""
    assert ASYNCAPI_SPEC.exists(), f"{ASYNCAPI_SPEC} is missing: run `npm ci`"
    spec = json.loads(ASYNCAPI_SPEC.read_text())
    validator = jsonschema.validators.validator_for(spec)(spec)
    exported = json.loads(export(app)[ASYNCAPI_FILE])
    for document in (asyncapi(app), asyncapi(chat_app), exported):
        assert not [error.message for error in validator.iter_errors(document)]
    broken = asyncapi(app)
    broken["operations"]["receivePetsClientMessage"]["action"] = "publish"
    assert not validator.is_valid(broken)


def test_asyncapi_structure() -> None:
    """Channels, parameters, operations, messages and the ws binding are where AsyncAPI 3.0
    wants them, $defs have moved to components, and every $ref resolves."""
    document = asyncapi(app, title="Pets", version="1.2.3", host="127.0.0.1:9000")
    assert document["asyncapi"] == "3.0.0"
    assert document["info"] == {"title": "Pets", "version": "1.2.3"}
    assert document["servers"] == {"local": {"host": "127.0.0.1:9000", "protocol": "ws"}}
    channel = document["channels"]["pets"]
    assert channel["address"] == "/api/pets/{owner}/{age}"
    assert set(channel["parameters"]) == {"owner", "age"}
    assert channel["bindings"] == {"ws": {"method": "GET", "bindingVersion": "0.1.0"}}
    receive = document["operations"]["receivePetsClientMessage"]
    assert receive["action"] == "receive"
    assert receive["channel"] == {"$ref": "#/channels/pets"}
    send = document["operations"]["sendPetsServerMessage"]
    assert send["action"] == "send"
    union = document["components"]["schemas"]["PetsClientMessage"]
    assert union["discriminator"] == "kind"
    text = json.dumps(document)
    assert "#/$defs/" not in text
    assert '"mapping"' not in text
    for ref in refs(document):
        resolve(document, ref)
    for operation in document["operations"].values():
        for message in operation["messages"]:
            assert message["$ref"].startswith(operation["channel"]["$ref"] + "/messages/")


def test_plain_unions_become_messages() -> None:
    """A union of models without a discriminator gives one message per model; a union
    with a non-model member gives one message of the whole union."""
    document = asyncapi(app)
    receive = document["operations"]["receiveMixedClientMessage"]["messages"]
    assert [m["$ref"].rsplit("/", 1)[-1] for m in receive] == ["Cat-Input", "Dog-Input"]
    send = document["operations"]["sendMixedServerMessage"]["messages"]
    assert [m["$ref"].rsplit("/", 1)[-1] for m in send] == ["MixedServerMessage"]
    assert "anyOf" in document["components"]["schemas"]["MixedServerMessage"]
    payload = document["components"]["messages"]["MixedServerMessage"]["payload"]
    assert payload == {"$ref": "#/components/schemas/MixedServerMessage"}


def test_same_name_different_models_is_an_error() -> None:
    """Two different models of one name are refused, not silently renamed."""

    class Said(BaseModel):
        words: int

    @route("/a", model=Said)
    async def a(ws: WebSocket[Any, Any]) -> None:
        pass

    other = Starlette(routes=[a, Mount("/chat", app=chat_app)])
    with pytest.raises(ConfigurationError, match="two different message types are named 'Said'"):
        export(other)


def test_duplicate_route_names_are_an_error() -> None:
    """Two different typed routes of one name would write one file: refused."""

    @route("/again", name="feed", model=Event)
    async def again(ws: WebSocket[Post | Ping, Post | Ping]) -> None:
        pass

    with pytest.raises(ConfigurationError, match="two typed routes are named 'feed'"):
        typed_routes(Starlette(routes=[feed, again]))


def test_one_route_at_several_addresses_is_named_per_address() -> None:
    """One route served at several addresses (mounted twice) is listed at each, named after
    the part of its address that tells it apart; the same address twice is listed once."""
    twice = Starlette(routes=[feed, Mount("/again", routes=[feed]), Mount("/", routes=[feed])])
    assert [(r.name, r.address) for r in typed_routes(twice)] == [
        ("feed", "/events"),
        ("feed_again", "/again/events"),
    ]


def test_a_router_included_under_two_prefixes_is_named_per_prefix() -> None:
    """A FastAPI router included under /api/v1 and /api/v2 gives ``pets_v1`` and
    ``pets_v2``: two channels in a valid AsyncAPI document, and a file pair each."""
    from fastapi import APIRouter, FastAPI

    from typedws.fastapi import add_typed_route

    router = APIRouter()
    add_typed_route(router, pets)
    api = FastAPI()
    api.include_router(router, prefix="/api/v1")
    api.include_router(router, prefix="/api/v2")
    assert [(r.name, r.address) for r in typed_routes(api)] == [
        ("pets_v1", "/api/v1/pets/{owner}/{age}"),
        ("pets_v2", "/api/v2/pets/{owner}/{age}"),
    ]
    files = export(api)
    assert sorted(files) == [
        "asyncapi.json",
        "pets_v1.client.schema.json",
        "pets_v1.server.schema.json",
        "pets_v2.client.schema.json",
        "pets_v2.server.schema.json",
    ]
    document = json.loads(files[ASYNCAPI_FILE])
    assert document["channels"]["pets_v2"]["address"] == "/api/v2/pets/{owner}/{age}"
    spec = json.loads(ASYNCAPI_SPEC.read_text())
    validator = jsonschema.validators.validator_for(spec)(spec)
    assert not [error.message for error in validator.iter_errors(document)]


def test_addresses_that_name_alike_are_numbered() -> None:
    """When the parts that tell the addresses apart give no distinct file names, the
    route's name is numbered in routing order."""
    twice = Starlette(routes=[Mount("/v-1~", routes=[feed]), Mount("/v-1~~", routes=[feed])])
    assert [r.name for r in typed_routes(twice)] == ["feed", "feed_2"]


@pytest.mark.parametrize(
    "name", ["../escaped", "a/b", "..", ".hidden", "", "<lambda>", "a..b", "chat room", "-x"]
)
def test_route_names_must_be_file_names(name: str) -> None:
    """A route name becomes a file name: one that is not a plain file-name stem is refused,
    naming the route and asking for a name=."""

    @route("/odd", name=name, model=Event)
    async def odd(ws: WebSocket[Post | Ping, Post | Ping]) -> None:
        pass

    with pytest.raises(ConfigurationError) as raised:
        typed_routes(Starlette(routes=[feed, odd]))
    message = str(raised.value)
    assert repr(name) in message
    assert "/odd" in message
    assert "name=" in message


@pytest.mark.parametrize("name", ["chat", "chat-v2", "chat.v2", "Chat_2", "2fa"])
def test_plain_route_names_are_kept(name: str) -> None:
    """Letters, digits, '_', '-' and '.' make file names as they are."""

    @route("/plain-name", name=name, model=Event)
    async def plain_name(ws: WebSocket[Post | Ping, Post | Ping]) -> None:
        pass

    assert [r.name for r in typed_routes(Starlette(routes=[plain_name]))] == [name]


def test_export_is_deterministic_and_matches_the_committed_files() -> None:
    """Exporting twice gives the same bytes: 2-space indent, newline at the end; and the
    committed schemas/ are what the demo app exports."""
    files = export(chat_app)
    assert files == export(chat_app)
    for name, text in files.items():
        assert text.endswith("}\n")
        assert text.startswith('{\n  "')
        assert (ROOT / "schemas" / name).read_text() == text


def test_exported_files_say_that_typedws_generated_them() -> None:
    """Every exported file carries the marker is_generated looks for: $comment in JSON
    Schema, x-generator in AsyncAPI; a file written by hand does not."""
    for name, text in export(app).items():
        document = json.loads(text)
        if name == ASYNCAPI_FILE:
            assert document["x-generator"] == "typedws"
        else:
            assert document["$comment"].startswith("Generated by typedws schema export")
            jsonschema.Draft202012Validator.check_schema(document)
        assert is_generated(text)
    for text in ('{"$comment": "Written by hand."}', '["Generated by typedws"]', "{", ""):
        assert not is_generated(text)


def test_not_an_app_and_no_routes() -> None:
    """Objects that are not apps, and apps with no typed routes, are clear errors."""
    with pytest.raises(ConfigurationError, match="not a Starlette or FastAPI app"):
        typed_routes(object())
    with pytest.raises(ConfigurationError, match="no typed routes"):
        export(Starlette())


def test_fastapi_apps_are_read_too() -> None:
    """A FastAPI app's typed routes are exported, with its title and version."""
    from fastapi import FastAPI

    from typedws.fastapi import add_typed_route

    api = FastAPI(title="Pets API", version="2.0.0")
    add_typed_route(api, feed)
    document = asyncapi(api)
    assert document["info"] == {"title": "Pets API", "version": "2.0.0"}
    assert list(document["channels"]) == ["feed"]


def test_schema_file_names() -> None:
    """export() names files <route>.<direction>.schema.json and asyncapi.json."""
    assert sorted(export(app)) == [
        "asyncapi.json",
        "feed.client.schema.json",
        "feed.server.schema.json",
        "mixed.client.schema.json",
        "mixed.server.schema.json",
        "pets.client.schema.json",
        "pets.server.schema.json",
        "plain.client.schema.json",
        "plain.server.schema.json",
    ]
