"""Options, checked when a WebSocket or a route is built: what the type checkers reject raises
ConfigurationError naming the option, and what they accept builds with its value types."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from pydantic import BaseModel, Field, TypeAdapter
from starlette.websockets import WebSocket as StarletteWebSocket

from tests.messages import Event, Ping, Post
from typedws import ConfigurationError, InvalidMessage, WebSocket, WebSocketRoute, route


class Said(BaseModel):
    text: str


ClientMsg = Annotated[Ping | Post, Field(discriminator="type")]


def scope() -> dict[str, Any]:
    return {"type": "websocket", "path": "/", "headers": []}


async def never(*_: Any) -> Any:
    raise AssertionError("not called")


async def handler(ws: Any) -> None:
    pass


def build_websocket(**options: Any) -> Any:
    return WebSocket(scope(), never, never, **options)


def build_wrapped(**options: Any) -> Any:
    return WebSocket(StarletteWebSocket(scope(), never, never), **options)


def build_route_class(**options: Any) -> Any:
    return WebSocketRoute("/x", handler, **options)


def build_route(**options: Any) -> Any:
    return route("/x", **options)(handler)


@pytest.fixture(
    params=[build_websocket, build_wrapped, build_route_class, build_route],
    ids=["WebSocket", "WebSocket(websocket)", "WebSocketRoute", "route"],
)
def build(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """Each way to build something from WebSocket options."""
    return request.param


def reply(error: InvalidMessage) -> str:
    return error.reason


def fails(options: dict[str, Any], match: str) -> Any:
    return pytest.param(options, match, id=",".join(options))


CONTRADICTIONS = [
    fails({"model": Ping, "receive_model": Ping}, "model= or receive_model=/send_model=, not both"),
    fails({"model": Ping, "send_model": Said}, "model= or receive_model=/send_model=, not both"),
    fails(
        {"receive_model": Ping, "receive_type": "text"},
        "receive_model is given, so receive_type must be 'model' \\(or left out\\), not 'text'",
    ),
    fails({"send_model": Said, "send_type": "json"}, "send_model is given, so send_type must be"),
    fails({"model": Ping, "value_type": "json"}, "model is given, so value_type must be 'model'"),
    fails({"model": Ping, "send_type": "bytes"}, "model is given, so send_type must be 'model'"),
    fails({"receive_model": Ping, "value_type": "text"}, "receive_model is given, so value_type"),
    fails(
        {"value_type": "bytes", "receive_type": "model", "receive_model": Ping},
        "receive_model is given, so value_type must be 'model' \\(or left out\\), not 'bytes'",
    ),
    fails({"value_type": "model"}, "value_type='model' needs model= or receive_model="),
    fails({"value_type": "model", "receive_model": Ping}, "needs model= or send_model="),
    fails({"receive_type": "model", "send_model": Said}, "receive_type='model' needs model="),
    fails({"send_type": "model"}, "send_type='model' needs model= or send_model="),
]

UNKNOWN_VALUE_TYPES = [
    fails({"value_type": "modle"}, "value_type must be one of 'text', 'bytes', 'json', 'model'"),
    fails({"receive_type": "xml"}, "receive_type must be one of .*, not 'xml'"),
    fails({"send_type": 5}, "send_type must be one of .*, not 5"),
    fails({"value_type": ["text"]}, "value_type must be one of .*, not \\['text'\\]"),
    fails({"value_type": ""}, "value_type must be one of .*, not ''"),
]

ILL_TYPED = [
    fails({"recieve_model": Ping}, "unknown option 'recieve_model': did you mean 'receive_model'"),
    fails({"on_invalid": "ignore"}, "unknown on_invalid 'ignore'"),
    fails({"on_invalid": "reply"}, "on_invalid='reply' needs invalid_reply="),
    fails({"max_size": "1k"}, "max_size must be a positive int"),
    fails({"max_size": 0}, "max_size must be a positive int"),
    fails({"max_invalid": -1}, "max_invalid must be an int of 0 or more, not -1"),
    fails({"max_invalid": "10"}, "max_invalid must be an int of 0 or more"),
    fails({"close_codes": {"validaton": 4422}}, "close_codes: unknown failure kind 'validaton'"),
    fails({"close_codes": {"validation": 1006}}, "close_codes: 1006 cannot be sent"),
    fails({"close_codes": 5}, "close_codes: "),
    fails({"catch_disconnect": "yes"}, "catch_disconnect must be True or False"),
    fails({"auto_accept": 1}, "auto_accept must be True or False"),
    fails({"show_validator_messages": None}, "show_validator_messages must be True or False"),
    fails({"invalid_reply": "oops", "on_invalid": "reply"}, "invalid_reply must be a function"),
    fails({"invalid_reply": 5}, "invalid_reply must be a function"),
    fails({"invalid_reply": reply}, "invalid_reply is used only with on_invalid='reply'"),
    fails(
        {"invalid_reply": reply, "on_invalid": "raise"},
        "invalid_reply is used only with on_invalid='reply', not 'raise'",
    ),
    fails({"caught_close_codes": 5}, "caught_close_codes must be a collection of close codes"),
    fails({"caught_close_codes": "1000"}, "caught_close_codes must be a collection of close"),
    fails({"caught_close_codes": any}, "caught_close_codes must be a collection of close codes"),
    fails({"allowed_origins": "https://app.example"}, "allowed_origins must be a collection"),
    fails({"allowed_origins": ["app.example"]}, "allowed_origins: 'app.example' is not an origin"),
    fails({"allowed_origins": ["https://a.example/x"]}, "allowed_origins: .* is not an origin"),
    fails({"allowed_origins": [5]}, "allowed_origins: not an origin: 5"),
    fails({"subprotocols": "chat"}, "subprotocols must be a list of names or None"),
    fails({"subprotocols": []}, "subprotocols must be a non-empty list"),
    fails({"subprotocols": ["a b"]}, "subprotocols must be a non-empty list"),
    fails({"idle_timeout": 0}, "idle_timeout must be a number of seconds over 0, or None"),
    fails({"idle_timeout": "5"}, "idle_timeout must be a number of seconds over 0"),
    fails({"send_timeout": -1.0}, "send_timeout must be a number of seconds over 0"),
    fails({"send_timeout": True}, "send_timeout must be a number of seconds over 0"),
    fails({"send_timeout": float("inf")}, "send_timeout must be a number of seconds over 0"),
    fails({"model": object()}, "model: not a message type"),
    fails({"receive_model": 5}, "receive_model: not a message type"),
]


@pytest.mark.parametrize(("options", "match"), CONTRADICTIONS)
def test_contradictions_are_refused(
    build: Callable[..., Any], options: dict[str, Any], match: str
) -> None:
    """Options that contradict each other are a type error, and refused when built."""
    with pytest.raises(ConfigurationError, match=match):
        build(**options)


@pytest.mark.parametrize(("options", "match"), [*CONTRADICTIONS[:3], *UNKNOWN_VALUE_TYPES])
def test_route_refuses_options_before_a_handler(options: dict[str, Any], match: str) -> None:
    """route(...) checks its options when called, before it decorates a handler."""
    with pytest.raises(ConfigurationError, match=match):
        route("/x", **options)


@pytest.mark.parametrize(("options", "match"), UNKNOWN_VALUE_TYPES)
def test_unknown_value_types_name_their_option(
    build: Callable[..., Any], options: dict[str, Any], match: str
) -> None:
    """An unknown value type is refused naming the option that gave it."""
    with pytest.raises(ConfigurationError, match=match):
        build(**options)


@pytest.mark.parametrize(("options", "match"), ILL_TYPED)
def test_ill_typed_options_are_refused(
    build: Callable[..., Any], options: dict[str, Any], match: str
) -> None:
    """A misspelled or ill-typed option is refused naming it, never as a plain TypeError."""
    with pytest.raises(ConfigurationError, match=match):
        build(**options)


said_adapter = TypeAdapter(Said)


@pytest.mark.parametrize(
    ("options", "types"),
    [
        ({}, ("text", "text")),
        ({"value_type": "text"}, ("text", "text")),
        ({"value_type": "text", "receive_type": "text"}, ("text", "text")),
        ({"value_type": "bytes"}, ("bytes", "bytes")),
        ({"value_type": "bytes", "send_type": "bytes"}, ("bytes", "bytes")),
        ({"value_type": "json", "receive_type": "json"}, ("json", "json")),
        ({"value_type": "text", "send_type": "bytes"}, ("text", "text")),
        ({"value_type": "bytes", "receive_type": "json"}, ("bytes", "bytes")),
        ({"value_type": "bytes", "receive_type": "text", "send_type": "json"}, ("bytes", "bytes")),
        ({"value_type": "json", "receive_type": "model", "send_type": "text"}, ("json", "json")),
        ({"value_type": "model", "receive_type": "text", "model": Said}, ("model", "model")),
        (
            {
                "value_type": "model",
                "send_type": "bytes",
                "receive_model": Ping,
                "send_model": Said,
            },
            ("model", "model"),
        ),
        ({"model": Said}, ("model", "model")),
        ({"model": said_adapter, "value_type": "model"}, ("model", "model")),
        ({"model": Event, "receive_type": "model", "send_type": "model"}, ("model", "model")),
        ({"receive_model": ClientMsg, "send_model": Said}, ("model", "model")),
        ({"receive_model": ClientMsg, "send_model": said_adapter}, ("model", "model")),
        ({"value_type": "model", "receive_model": Ping, "send_model": Said}, ("model", "model")),
        ({"receive_model": Ping}, ("model", "text")),
        ({"receive_model": Ping, "receive_type": "model"}, ("model", "text")),
        ({"send_model": said_adapter}, ("text", "model")),
        ({"receive_type": "json", "send_type": "model", "send_model": Said}, ("json", "model")),
        ({"receive_type": "json", "send_model": Said}, ("json", "model")),
        ({"receive_type": "text", "send_type": "bytes"}, ("text", "bytes")),
        ({"receive_type": "bytes", "send_model": ClientMsg}, ("bytes", "model")),
        ({"receive_model": ClientMsg, "send_type": "json"}, ("model", "json")),
        ({"receive_type": "bytes", "send_type": "bytes"}, ("bytes", "bytes")),
        ({"model": None, "receive_model": Ping, "send_model": None}, ("model", "text")),
        ({"model": None}, ("text", "text")),
        ({"value_type": None, "send_model": Said}, ("text", "model")),
        ({"receive_model": None, "send_model": said_adapter}, ("text", "model")),
        ({"value_type": None, "receive_type": "json", "send_type": None}, ("json", "text")),
        ({"on_invalid": "reply", "invalid_reply": reply}, ("text", "text")),
        ({"caught_close_codes": all}, ("text", "text")),
        ({"caught_close_codes": [1000, 4000]}, ("text", "text")),
        ({"close_codes": {"validation": 4422}, "max_size": 1024}, ("text", "text")),
        ({"max_size": None, "allowed_origins": ["https://*.example.com"]}, ("text", "text")),
        ({"subprotocols": ["chat.v1"], "allowed_origins": None}, ("text", "text")),
        ({"idle_timeout": 30, "send_timeout": None}, ("text", "text")),
        ({"idle_timeout": None, "send_timeout": 2.5}, ("text", "text")),
    ],
    ids=lambda value: ",".join(value) or "none" if isinstance(value, dict) else None,
)
def test_accepted_options_build(
    build: Callable[..., Any], options: dict[str, Any], types: tuple[str, str]
) -> None:
    """What the type checkers accept builds, with each direction's value type."""
    built = build(**options)
    assert (built.receive_type, built.send_type) == types


class AsyncCallable:
    async def __call__(self, ws: Any) -> None:
        pass


async def with_room(ws: Any, room: str) -> None:
    pass


def plain(ws: Any) -> None:
    pass


async def generator(ws: Any) -> Any:
    yield


def route_class(endpoint: Any) -> Any:
    return WebSocketRoute("/x", endpoint)


def route_function(endpoint: Any) -> Any:
    return route("/x")(endpoint)


ROUTE_BUILDERS = pytest.mark.parametrize(
    "build_route_for", [route_class, route_function], ids=["WebSocketRoute", "route"]
)


@ROUTE_BUILDERS
@pytest.mark.parametrize(
    "endpoint",
    [plain, generator, lambda ws: None, 5, None, AsyncCallable],
    ids=["def", "async generator", "lambda", "int", "None", "class"],
)
def test_handler_must_be_async(build_route_for: Callable[[Any], Any], endpoint: Any) -> None:
    """A handler that is not an async function is refused when the route is built."""
    with pytest.raises(ConfigurationError, match="handler must be an async function"):
        build_route_for(endpoint)


@ROUTE_BUILDERS
@pytest.mark.parametrize(
    "endpoint",
    [handler, AsyncCallable(), functools.partial(with_room, room="r")],
    ids=["async def", "async __call__", "partial"],
)
def test_async_handlers_are_accepted(build_route_for: Callable[[Any], Any], endpoint: Any) -> None:
    """An async function, an object with an async __call__ and a partial of one all work."""
    assert build_route_for(endpoint).receive_type == "text"


@pytest.mark.parametrize("field", [5, "", "not a name", b"id"])
def test_correlation_id_must_be_a_field_name(build: Callable[..., Any], field: object) -> None:
    with pytest.raises(ConfigurationError, match="correlation_id must be a field name or None"):
        build(model=Said, correlation_id=field)


def test_max_size_defaults_to_one_mebibyte_and_none_is_no_limit(build: Callable[..., Any]) -> None:
    """Left out, max_size is 1 MiB; an explicit None is no limit (not the option left out)."""
    assert build(model=Said).receive_model_codec.max_size == 1_048_576
    assert build(model=Said, max_size=None).receive_model_codec.max_size is None
