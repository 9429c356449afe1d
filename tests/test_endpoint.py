"""Endpoints over a real uvicorn server: dispatch by message type, order, requests, the
reply policy's ErrorReply, on_connect and on_disconnect; and the errors raised when built."""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal, get_origin

import pytest
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from websockets.exceptions import InvalidStatus

from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from typedws import ConfigurationError, Endpoint, ErrorReply, WebSocket

# Messages


class Join(BaseModel):
    type: Literal["join"] = "join"
    name: str


class Say(BaseModel):
    type: Literal["say"] = "say"
    text: str
    seq: int = 0


class Whoami(BaseModel):
    type: Literal["whoami"] = "whoami"


class Leave(BaseModel):
    type: Literal["leave"] = "leave"


class Ask(BaseModel):
    type: Literal["ask"] = "ask"
    id: int
    question: str


class Boom(BaseModel):
    type: Literal["boom"] = "boom"
    id: int


class Quit(BaseModel):
    type: Literal["quit"] = "quit"


class Crash(BaseModel):
    type: Literal["crash"] = "crash"


class Seen(BaseModel):
    """What a handler saw: its name, the message, the path parameters it was given."""

    type: Literal["seen"] = "seen"
    handler: str
    message: dict[str, Any]
    params: dict[str, str]
    websocket: bool


class Said(BaseModel):
    type: Literal["said"] = "said"
    text: str
    seq: int


class Answer(BaseModel):
    type: Literal["answer"] = "answer"
    answer: str
    id: int | None = None


class Untracked(BaseModel):
    """A model without the correlation field."""

    type: Literal["untracked"] = "untracked"
    question: str


RoomIn = Annotated[Join | Say | Whoami | Leave, Field(discriminator="type")]
RoomOut = Annotated[Seen | Said, Field(discriminator="type")]
ApiIn = Annotated[Say | Ask | Boom, Field(discriminator="type")]
ApiOut = Annotated[Said | Answer | ErrorReply, Field(discriminator="type")]
LifeIn = Annotated[Say | Quit | Crash, Field(discriminator="type")]


# Dispatch: each handler names the path parameters it wants, or none, or all

left: list[str] = []
"""The users whose Leave was handled (its handler sends nothing)."""

room = Endpoint(receive_model=RoomIn, send_model=RoomOut)


@room.on(Join)
async def join(message: Join, ws: WebSocket[Any, Any], room: str) -> Seen:
    assert isinstance(message, Join)
    return Seen(
        handler="join",
        message=message.model_dump(),
        params={"room": room},
        websocket=isinstance(ws, WebSocket),
    )


@room.on(Say)
async def say(message: Say, ws: WebSocket[Any, Any]) -> Said:
    assert isinstance(message, Say)
    if message.seq % 3 == 0:  # slower now and then: handled one at a time, still in order
        await asyncio.sleep(0.001)
    return Said(text=message.text, seq=message.seq)


@room.on(Whoami)
async def whoami(message: Whoami, ws: WebSocket[Any, Any], **params: str) -> Seen:
    assert isinstance(message, Whoami)
    return Seen(
        handler="whoami",
        message=message.model_dump(),
        params=params,
        websocket=isinstance(ws, WebSocket),
    )


@room.on(Leave)
async def leave(message: Leave, ws: WebSocket[Any, Any], *, user: str) -> None:
    assert isinstance(message, Leave)
    left.append(user)


# Requests and the reply policy: the same handlers, with and without on_invalid="reply"


def api_endpoint(**options: Any) -> Endpoint[Any, Any]:
    endpoint: Endpoint[Any, Any] = Endpoint(receive_model=ApiIn, send_model=ApiOut, **options)

    @endpoint.on(Say)
    async def echo(message: Say, ws: WebSocket[Any, Any]) -> Said:
        return Said(text=message.text, seq=message.seq)

    @endpoint.request(Ask, reply=Answer)
    async def ask(request: Ask, ws: WebSocket[Any, Any]) -> Answer:
        return Answer(answer=request.question.upper())  # no id: the endpoint puts it in

    @endpoint.request(Boom, reply=Answer)
    async def boom(request: Boom, ws: WebSocket[Any, Any]) -> Answer:
        raise RuntimeError("request handler bug")

    return endpoint


api = api_endpoint(on_invalid="reply")
api_closing = api_endpoint()


# on_connect


disconnected: list[tuple[str, int | None]] = []
"""(tag, ws.close_code) for each call of an on_disconnect hook."""

refused_before = Endpoint(receive_model=Say, send_model=Said)
refused_after = Endpoint(receive_model=Say, send_model=Said)
stateful = Endpoint(receive_model=Whoami, send_model=Seen)


@refused_before.on_connect
async def refuse_before_accept(ws: WebSocket[Say, Said]) -> None:
    await ws.reject()


@refused_after.on_connect
async def refuse_after_accept(ws: WebSocket[Say, Said]) -> None:
    await ws.accept()
    await ws.close(4003, "no")


@refused_before.on_disconnect
@refused_after.on_disconnect
async def record_refused(ws: WebSocket[Say, Said], tag: str) -> None:
    disconnected.append((tag, ws.close_code))


@refused_before.on(Say)
@refused_after.on(Say)
async def never_reached(message: Say, ws: WebSocket[Say, Said]) -> Said:
    return Said(text="should not be reached", seq=-1)


accepted_then_failed = Endpoint(receive_model=Say, send_model=Said)


@accepted_then_failed.on_connect
async def accept_then_fail(ws: WebSocket[Say, Said]) -> None:
    await ws.accept()
    raise RuntimeError("on_connect bug")


@accepted_then_failed.on_disconnect
async def record_accepted_then_failed(ws: WebSocket[Say, Said], tag: str) -> None:
    disconnected.append((tag, ws.close_code))


@accepted_then_failed.on(Say)
async def not_reached_either(message: Say, ws: WebSocket[Say, Said]) -> None:
    raise AssertionError("not reached")


@stateful.on_connect
async def remember(ws: WebSocket[Whoami, Seen], user: str) -> None:
    ws.state.user = user.upper()
    ws.state.connected_at = time.monotonic()


@stateful.on(Whoami)
async def read_state(message: Whoami, ws: WebSocket[Whoami, Seen]) -> Seen:
    return Seen(
        handler="read_state",
        message=message.model_dump(),
        params={"user": ws.state.user},
        websocket=isinstance(ws.state.connected_at, float),
    )


# on_disconnect: the four ways a connection ends

life = Endpoint(receive_model=LifeIn, send_model=Said)


@life.on(Say)
async def life_say(message: Say, ws: WebSocket[Any, Said]) -> Said:
    return Said(text=message.text, seq=message.seq)


@life.on(Quit)
async def life_quit(message: Quit, ws: WebSocket[Any, Said]) -> None:
    await ws.close(4001)


@life.on(Crash)
async def life_crash(message: Crash, ws: WebSocket[Any, Said]) -> None:
    raise RuntimeError("message handler bug")


@life.on_disconnect
async def record_life(ws: WebSocket[Any, Said], tag: str) -> None:
    disconnected.append((tag, ws.close_code))


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    app = Starlette(
        routes=[
            room.route("/room/{room}/{user}"),
            api.route("/api"),
            api_closing.route("/api-closing"),
            refused_before.route("/refused-before/{tag}"),
            refused_after.route("/refused-after/{tag}"),
            accepted_then_failed.route("/accepted-then-failed/{tag}"),
            stateful.route("/state/{user}"),
            life.route("/life/{tag}"),
        ]
    )
    with run_server(app, ws=request.param) as base:
        yield base


def wait_until(condition: Callable[[], bool], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def calls_of(tag: str) -> list[int | None]:
    """The close codes on_disconnect saw for *tag*, once it ran, and a moment for a second."""
    wait_until(lambda: any(t == tag for t, _ in disconnected))
    time.sleep(0.2)
    return [code for t, code in disconnected if t == tag]


def receive(client: Any) -> Any:
    return json.loads(client.recv(timeout=10))


# 1. Dispatch


def test_every_variant_reaches_its_handler_with_the_params_it_names(url: str) -> None:
    with connect(url + "/room/lobby/ann") as client:
        client.send(Join(name="ann").model_dump_json())
        assert receive(client) == {
            "type": "seen",
            "handler": "join",
            "message": {"type": "join", "name": "ann"},
            "params": {"room": "lobby"},
            "websocket": True,
        }
        client.send(Say(text="hi", seq=5).model_dump_json())
        assert receive(client) == {"type": "said", "text": "hi", "seq": 5}
        client.send(Whoami().model_dump_json())
        assert receive(client) == {
            "type": "seen",
            "handler": "whoami",
            "message": {"type": "whoami"},
            "params": {"room": "lobby", "user": "ann"},
            "websocket": True,
        }


def test_a_handler_returning_none_sends_nothing(url: str) -> None:
    user = uuid.uuid4().hex
    with connect(f"{url}/room/lobby/{user}") as client:
        client.send(Leave().model_dump_json())
        client.send(Say(text="after leave", seq=1).model_dump_json())
        # The next message is Say's reply: Leave's handler ran and sent nothing.
        assert receive(client) == {"type": "said", "text": "after leave", "seq": 1}
        assert left.count(user) == 1
        with pytest.raises(TimeoutError):
            client.recv(timeout=0.2)


# 2. Order


def test_a_burst_of_pipelined_messages_is_answered_in_order(url: str) -> None:
    count = 1000
    with connect(url + "/room/lobby/burst") as client:
        for seq in range(count):
            client.send(Say(text=f"m{seq}", seq=seq).model_dump_json())
        replies = [receive(client) for _ in range(count)]
    assert [reply["seq"] for reply in replies] == list(range(count))
    assert [reply["text"] for reply in replies] == [f"m{seq}" for seq in range(count)]


# 3. Errors when built


class Stranger(BaseModel):
    type: Literal["stranger"] = "stranger"


def test_a_variant_without_a_handler_fails_at_route() -> None:
    endpoint = Endpoint(receive_model=RoomIn, send_model=RoomOut)

    @endpoint.on(Join)
    async def only_join(message: Join, ws: WebSocket[Any, Any]) -> None:
        pass

    @endpoint.on(Whoami)
    async def only_whoami(message: Whoami, ws: WebSocket[Any, Any]) -> None:
        pass

    with pytest.raises(ConfigurationError, match=r"^no handler for Say, Leave$"):
        endpoint.route("/incomplete")


def test_a_handler_for_a_type_not_in_the_union_fails() -> None:
    endpoint = Endpoint(receive_model=RoomIn, send_model=RoomOut)
    register = endpoint.on(Stranger)

    async def stranger(message: Stranger, ws: WebSocket[Any, Any]) -> None:
        pass

    with pytest.raises(ConfigurationError, match=r"^Stranger is not one of the client's messages$"):
        register(stranger)


def test_two_handlers_for_one_variant_fail() -> None:
    endpoint = Endpoint(receive_model=RoomIn, send_model=RoomOut)

    @endpoint.on(Join)
    async def first(message: Join, ws: WebSocket[Any, Any]) -> None:
        pass

    async def second(message: Join, ws: WebSocket[Any, Any]) -> None:
        pass

    with pytest.raises(ConfigurationError, match=r"^Join has a handler already$"):
        endpoint.on(Join)(second)
    with pytest.raises(ConfigurationError, match=r"^Join has a handler already$"):
        endpoint.request(Join, reply=Seen, correlation_id="type")(second)


def test_a_request_whose_models_lack_the_correlation_field_fails() -> None:
    endpoint = Endpoint(receive_model=Ask | Untracked, send_model=Answer | Untracked)
    with pytest.raises(ConfigurationError, match=r"^Untracked has no correlation id field 'id'$"):
        endpoint.request(Untracked, reply=Answer)
    with pytest.raises(ConfigurationError, match=r"^Untracked has no correlation id field 'id'$"):
        endpoint.request(Ask, reply=Untracked)
    with pytest.raises(ConfigurationError, match=r"^Ask has no correlation id field 'ref'$"):
        endpoint.request(Ask, reply=Answer, correlation_id="ref")


def test_a_reply_type_not_among_the_messages_sent_fails() -> None:
    endpoint = Endpoint(receive_model=ApiIn, send_model=Said | ErrorReply)
    with pytest.raises(ConfigurationError, match=r"^Answer is not one of the messages sent$"):
        endpoint.request(Ask, reply=Answer)


@pytest.mark.parametrize(
    "options",
    [
        {"receive_model": Say},
        {"send_model": Said},
        {"receive_model": Say, "send_type": "json"},
        {"value_type": "text"},
    ],
)
def test_an_endpoint_without_a_message_type_in_one_direction_fails(
    options: dict[str, Any],
) -> None:
    with pytest.raises(
        ConfigurationError, match=r"^an endpoint needs a message type in each direction$"
    ):
        Endpoint(**options)


# 4. The reply policy


def test_an_invalid_message_gets_an_error_reply_and_the_connection_goes_on(url: str) -> None:
    with connect(url + "/api") as client:
        client.send('{"type": "say", "text": ["secret-input-7731"]}')
        raw = client.recv(timeout=10)
        assert isinstance(raw, str)
        assert "secret-input-7731" not in raw
        reply = json.loads(raw)
        assert reply == {
            "type": "error",
            "kind": "validation",
            "code": 1008,
            "reason": "invalid message: say.text: Input should be a valid string",
            "errors": [
                {
                    "type": "string_type",
                    "loc": ["say", "text"],
                    "msg": "Input should be a valid string",
                }
            ],
            "id": None,
        }

        client.send("not json")
        assert receive(client) == {
            "type": "error",
            "kind": "json",
            "code": 1007,
            "reason": "invalid message: not JSON: expected ident at line 1 column 2",
            "errors": [
                {
                    "type": "json_invalid",
                    "loc": [],
                    "msg": "Invalid JSON: expected ident at line 1 column 2",
                }
            ],
            "id": None,
        }

        client.send(b'{"type": "say", "text": "binary"}')
        assert receive(client) == {
            "type": "error",
            "kind": "frame_type",
            "code": 1003,
            "reason": "invalid message: expected a text frame, got a binary frame",
            "errors": [],
            "id": None,
        }

        client.send(Say(text="still here", seq=3).model_dump_json())
        assert receive(client) == {"type": "said", "text": "still here", "seq": 3}


def test_more_than_ten_invalid_in_a_row_close_with_1008(url: str) -> None:
    with connect(url + "/api") as client:
        for _ in range(10):
            client.send('{"type": "nothing"}')
            assert receive(client)["kind"] == "validation"
        client.send('{"type": "nothing"}')
        assert close_of(client) == (1008, "too many invalid messages")


# 5. Requests


def test_pipelined_requests_are_answered_with_their_own_ids(url: str) -> None:
    with connect(url + "/api") as client:
        client.send(Ask(id=7, question="seven").model_dump_json())
        client.send(Say(text="between", seq=1).model_dump_json())
        client.send(Ask(id=3, question="three").model_dump_json())
        client.send(Ask(id=42, question="forty-two").model_dump_json())
        client.send(Say(text="after", seq=2).model_dump_json())
        replies = [receive(client) for _ in range(5)]
    assert replies == [
        {"type": "answer", "answer": "SEVEN", "id": 7},
        {"type": "said", "text": "between", "seq": 1},
        {"type": "answer", "answer": "THREE", "id": 3},
        {"type": "answer", "answer": "FORTY-TWO", "id": 42},
        {"type": "said", "text": "after", "seq": 2},
    ]


@pytest.mark.parametrize(
    ("payload", "echoed"),
    [
        ('{"type": "ask", "id": 11}', 11),
        ('{"type": "ask", "id": "r-11", "question": 5}', "r-11"),
        ('{"type": "ask", "id": 12, "question": ["x"]}', 12),
        ('{"type": "nope", "id": 13}', 13),
        ('{"type": "ask", "id": "<script>"}', None),
        ('{"type": "ask", "id": ' + str(2**60) + "}", None),
        ('{"type": "ask", "id": true}', None),
        ("[13]", None),
    ],
)
def test_an_invalid_request_gets_its_id_back_when_well_formed(
    url: str, payload: str, echoed: object
) -> None:
    """The error reply to an invalid message carries its id, only a well-formed one."""
    with connect(url + "/api") as client:
        client.send(payload)
        reply = receive(client)
        assert (reply["type"], reply["code"], reply["id"]) == ("error", 1008, echoed)
        client.send(Ask(id=1, question="still").model_dump_json())
        assert receive(client) == {"type": "answer", "answer": "STILL", "id": 1}


def test_a_failed_request_gets_an_error_reply_with_its_id(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="typedws"), connect(url + "/api") as client:
        client.send(Boom(id=9).model_dump_json())
        client.send(Ask(id=10, question="still there?").model_dump_json())
        assert receive(client) == {
            "type": "error",
            "kind": "handler",
            "code": 1011,
            "reason": "internal error",
            "errors": [],
            "id": 9,
        }
        assert receive(client) == {"type": "answer", "answer": "STILL THERE?", "id": 10}
    [record] = [r for r in caplog.records if r.name == "typedws"]
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError
    assert "request handler api raised" in record.getMessage()


def test_a_failed_request_closes_with_1011_without_the_reply_policy(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="typedws"), connect(url + "/api-closing") as c:
        c.send(Ask(id=1, question="fine").model_dump_json())
        assert receive(c) == {"type": "answer", "answer": "FINE", "id": 1}
        c.send(Boom(id=2).model_dump_json())
        assert close_of(c) == (1011, "")
    wait_until(lambda: any(r.name == "typedws" for r in caplog.records))
    [record] = [r for r in caplog.records if r.name == "typedws"]
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError


# 6. on_connect


def test_on_connect_refusing_before_accept_gives_http_403(url: str) -> None:
    tag = uuid.uuid4().hex
    with pytest.raises(InvalidStatus) as info:
        connect(f"{url}/refused-before/{tag}")
    assert info.value.response.status_code == 403
    time.sleep(0.2)
    assert [t for t, _ in disconnected if t == tag] == []


def test_on_connect_closing_after_accept_gives_its_close_code(url: str) -> None:
    tag = uuid.uuid4().hex
    with connect(f"{url}/refused-after/{tag}") as client:
        assert close_of(client) == (4003, "no")
    time.sleep(0.2)
    assert [t for t, _ in disconnected if t == tag] == []


def test_on_disconnect_runs_when_on_connect_accepted_then_raised(url: str) -> None:
    tag = uuid.uuid4().hex
    with connect(f"{url}/accepted-then-failed/{tag}") as client:
        assert close_of(client) == (1011, "")
    assert calls_of(tag) == [1011]


def test_the_reply_policy_needs_error_reply_among_the_messages_sent() -> None:
    with pytest.raises(ConfigurationError, match=r"answers with typedws\.ErrorReply"):
        Endpoint(receive_model=Say, send_model=Said, on_invalid="reply")


def test_on_connect_state_is_read_by_the_handlers(url: str) -> None:
    with connect(url + "/state/zoe") as client:
        client.send(Whoami().model_dump_json())
        assert receive(client) == {
            "type": "seen",
            "handler": "read_state",
            "message": {"type": "whoami"},
            "params": {"user": "ZOE"},
            "websocket": True,
        }


# 7. on_disconnect


def test_on_disconnect_runs_once_when_the_client_leaves(url: str) -> None:
    tag = uuid.uuid4().hex
    with connect(f"{url}/life/{tag}") as client:
        client.send(Say(text="hello", seq=1).model_dump_json())
        assert receive(client) == {"type": "said", "text": "hello", "seq": 1}
        client.close(4000, "bye")
    assert calls_of(tag) == [4000]


def test_on_disconnect_runs_once_when_the_server_closes(url: str) -> None:
    tag = uuid.uuid4().hex
    with connect(f"{url}/life/{tag}") as client:
        client.send(Quit().model_dump_json())
        assert close_of(client) == (4001, "")
    assert calls_of(tag) == [4001]


def test_a_handler_closing_the_connection_is_not_logged_as_a_crash(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    tag = uuid.uuid4().hex
    with caplog.at_level(logging.ERROR, logger="typedws"), connect(f"{url}/life/{tag}") as client:
        client.send(Quit().model_dump_json())
        assert close_of(client) == (4001, "")
    assert calls_of(tag) == [4001]  # runs after any error is logged
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_on_disconnect_runs_once_after_an_invalid_message(url: str) -> None:
    tag = uuid.uuid4().hex
    with connect(f"{url}/life/{tag}") as client:
        client.send('{"type": "say"}')
        assert close_of(client) == (1008, "invalid message: say.text: Field required")
    assert calls_of(tag) == [1008]


def test_on_disconnect_runs_once_after_a_handler_crash(
    url: str, caplog: pytest.LogCaptureFixture
) -> None:
    tag = uuid.uuid4().hex
    with caplog.at_level(logging.ERROR, logger="typedws"), connect(f"{url}/life/{tag}") as client:
        client.send(Crash().model_dump_json())
        assert close_of(client) == (1011, "")
    assert calls_of(tag) == [1011]  # on_disconnect runs after the traceback is logged
    [record] = [r for r in caplog.records if r.name == "typedws"]
    assert record.getMessage() == "WebSocket handler life raised; closed with 1011"
    assert record.exc_info is not None
    assert record.exc_info[0] is RuntimeError


def plain_handler(message: Any, ws: Any) -> None:
    pass


@pytest.mark.parametrize(
    "register",
    [
        lambda endpoint: endpoint.on(Say),
        lambda endpoint: endpoint.request(Ask, reply=Answer),
        lambda endpoint: endpoint.on_connect,
        lambda endpoint: endpoint.on_disconnect,
    ],
    ids=["on", "request", "on_connect", "on_disconnect"],
)
def test_a_handler_that_is_not_async_is_refused_when_registered(register: Any) -> None:
    endpoint = api_endpoint()
    fresh = Endpoint(receive_model=endpoint.receive_adapter, send_model=endpoint.send_adapter)
    with pytest.raises(ConfigurationError, match=r"must be an async function \(async def\)"):
        register(fresh)(plain_handler)


def test_the_decorators_return_the_function_itself() -> None:
    """on, request, on_connect and on_disconnect hand back the very function, as their types
    say (Callable[P, T], the function as declared)."""
    endpoint = api_endpoint()
    fresh = Endpoint(receive_model=endpoint.receive_adapter, send_model=endpoint.send_adapter)

    async def handler(message: Any, ws: Any) -> None:
        pass

    async def hook(ws: Any) -> None:
        pass

    assert fresh.on(Say)(handler) is handler
    assert fresh.request(Ask, reply=Answer)(handler) is handler
    assert fresh.on_connect(hook) is hook
    assert fresh.on_disconnect(hook) is hook


def test_the_handler_shapes_take_their_first_parameters_at_run_time() -> None:
    """MessageHandler[V, R, S] and the other shapes subscript at run time with their last
    parameters left out, as an annotation evaluated at run time (pydantic, FastAPI) does."""
    from typedws.endpoint import ConnectHook, DisconnectHook, MessageHandler, RequestHandler

    shapes = {
        MessageHandler: MessageHandler[Say, Any, Said],
        RequestHandler: RequestHandler[Ask, Any, Said, Answer],
        ConnectHook: ConnectHook[Any, Said],
        DisconnectHook: DisconnectHook[Any, Said],
    }
    assert all(get_origin(shape) is protocol for protocol, shape in shapes.items())
