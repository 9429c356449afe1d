"""typedws.connect against real uvicorn servers: a typed conversation on the demo app,
requests matched by id, the server's close codes, invalid server messages, timeouts."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any, Literal

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute as StarletteRoute
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect

import typedws
from examples.chat.app import (
    ClientMessage,
    Join,
    Joined,
    Left,
    Members,
    Said,
    Say,
    ServerMessage,
    Welcome,
    Who,
)
from examples.chat.app import app as chat_app
from tests.marked import PAYLOADS, Marked, assert_no_input
from tests.server import WS_IMPLEMENTATIONS, ASGIEndpoint, run, run_server
from tests.typing.messages import Answer, Ask
from typedws import (
    DEFAULT_MAX_SIZE,
    ConfigurationError,
    Disconnected,
    Endpoint,
    ErrorReply,
    HandshakeRejected,
    InvalidMessage,
    ReceiveTimeout,
    RequestFailed,
    RequestTimeout,
    WebSocket,
)

pytestmark = pytest.mark.parametrize("ws", WS_IMPLEMENTATIONS)


def chat(base: str, **options: Any) -> typedws.Connecting[Any, Any]:
    options.setdefault("receive_timeout", 10)
    return typedws.connect(
        base + "/ws", receive_model=ServerMessage, send_model=ClientMessage, **options
    )


def same(message: object, expected: Joined | Left) -> bool:
    """Whether *message* is *expected* but for the offset the room gave it."""
    return (
        isinstance(message, type(expected))
        and bool(message.offset)
        and message.model_copy(update={"offset": ""}) == expected
    )


def test_typed_conversation_between_two_clients(ws: str) -> None:
    """Two clients join the demo, see each other join, say, and leave, as typed values."""

    async def main(base: str) -> None:
        async with chat(base) as alice:
            await alice.send(Join(type="join", name="alice"))
            assert await alice.receive() == Welcome(name="alice", members=[])
            async with chat(base) as bob:
                await bob.send(Join(type="join", name="bob"))
                assert await bob.receive() == Welcome(name="bob", members=["alice"])
                assert same(await alice.receive(), Joined(name="bob"))
                await bob.send(Say(type="say", text="hi alice"))
                for client in (alice, bob):
                    said = await client.receive()
                    assert isinstance(said, Said)
                    assert (said.name, said.text) == ("bob", "hi alice")
            assert same(await alice.receive(), Left(name="bob"))
            await alice.send_json({"type": "leave"})
            assert [message async for message in alice] == []  # 1000 ends the loop
            assert alice.close_code == 1000

    with run_server(chat_app, ws=ws) as base:
        run(main(base))


def test_requests_are_answered_by_id_while_broadcasts_arrive(ws: str) -> None:
    """Replies are matched by id among broadcast messages, which still reach receive()."""

    async def main(base: str) -> None:
        async with chat(base) as alice, chat(base) as bob:
            await alice.send(Join(type="join", name="alice"))
            assert await alice.receive() == Welcome(name="alice", members=[])
            await bob.send(Join(type="join", name="bob"))
            assert isinstance(await bob.receive(), Welcome)

            async def chatter() -> None:
                for number in range(20):
                    await bob.send(Say(type="say", text=f"line {number}"))

            requests = [alice.request(Who(type="who", id="x"), reply=Members) for _ in range(5)]
            replies = await asyncio.gather(*requests, chatter())
            assert replies[:5] == [Members(id=str(n), names=["alice", "bob"]) for n in range(1, 6)]
            seen = [await alice.receive() for _ in range(21)]
            assert same(seen[0], Joined(name="bob"))
            assert [m.text for m in seen[1:] if isinstance(m, Said)] == [
                f"line {n}" for n in range(20)
            ]

    with run_server(chat_app, ws=ws) as base:
        run(main(base))


async def close_with(websocket: StarletteWebSocket) -> None:
    await websocket.accept()
    await websocket.close(int(websocket.path_params["code"]), "closing on purpose")


closing_app = Starlette(routes=[StarletteRoute("/close/{code}", close_with)])


@pytest.mark.parametrize("code", [1000, 1001, 1003, 1007, 1008, 1009, 1011, 4000])
def test_the_server_closing_raises_disconnected_with_its_code(ws: str, code: int) -> None:
    """Each close code of the table reaches the client as Disconnected (a Starlette
    WebSocketDisconnect) with its code and reason; async for ends only on 1000 and 1001."""

    async def main(base: str) -> None:
        async with typedws.connect(f"{base}/close/{code}", receive_timeout=10) as client:
            with pytest.raises(WebSocketDisconnect) as caught:
                await client.receive()
            assert isinstance(caught.value, Disconnected)
            assert (caught.value.code, caught.value.reason) == (code, "closing on purpose")
            assert caught.value.websocket is client
            assert client.close_code == code
            with pytest.raises(Disconnected):
                await client.send("after the close")
        async with typedws.connect(f"{base}/close/{code}", receive_timeout=10) as client:
            if code in (1000, 1001):
                assert [message async for message in client] == []
            else:
                with pytest.raises(Disconnected):
                    async for _ in client:
                        pass

    with run_server(closing_app, ws=ws) as base:
        run(main(base))


class Reading(BaseModel):
    type: Literal["reading"]
    value: int


seen_codes: list[int | None] = []


async def send_what_path_says(scope: Any, receive: Any, send: Any) -> None:
    """Send one message of the kind the path names, then record how the client closed."""
    websocket = WebSocket(scope, receive, send)
    await websocket.accept()
    kind = websocket.path_params["kind"]
    if kind == "binary":
        await websocket.send_bytes(b"\x00")
    elif kind == "text":
        await websocket.send_text("not json")
    elif kind == "shape":
        await websocket.send_text('{"type": "reading", "value": "high"}')
    elif kind == "over-a-mebibyte":
        reading = '{"type": "reading", "value": 1}'
        await websocket.send_text(reading + " " * (DEFAULT_MAX_SIZE + 1 - len(reading)))
    else:
        await websocket.send_text('{"type": "reading", "value": ' + "1" * 100 + "}")
    with contextlib.suppress(WebSocketDisconnect):
        await websocket.receive_text()
    seen_codes.append(websocket.close_code)


invalid_app = Starlette(routes=[StarletteRoute("/send/{kind}", ASGIEndpoint(send_what_path_says))])


@pytest.mark.parametrize(
    ("kind", "failure", "code"),
    [
        ("binary", "frame_type", 1003),
        ("text", "json", 1007),
        ("shape", "validation", 1008),
        ("big", "too_big", 1009),
    ],
)
def test_a_server_message_that_does_not_fit_closes_with_its_code(
    ws: str, kind: str, failure: str, code: int
) -> None:
    """A message that does not fit the client's receive type closes the connection with the
    table's code, seen by the server, and raises InvalidMessage."""

    async def main(base: str) -> None:
        seen_codes.clear()
        async with typedws.connect(
            f"{base}/send/{kind}", receive_model=Reading, send_type="text", max_size=64
        ) as client:
            with pytest.raises(InvalidMessage) as caught:
                await client.receive()
            assert (caught.value.kind, caught.value.close_code) == (failure, code)
            assert client.close_code == code
        for _ in range(100):
            if seen_codes:
                break
            await asyncio.sleep(0.05)
        assert seen_codes == [code]

    with run_server(invalid_app, ws=ws) as base:
        run(main(base))


MARKED = list(PAYLOADS.items())
client_closes: list[tuple[int, str]] = []


async def send_a_marked_payload(websocket: StarletteWebSocket) -> None:
    """Send the marked payload the path's index names; note the close the client sends."""
    await websocket.accept()
    await websocket.send_text(MARKED[int(websocket.path_params["index"])][1])
    try:
        await websocket.receive_text()
    except WebSocketDisconnect as exc:
        client_closes.append((exc.code, exc.reason))


marked_app = Starlette(routes=[StarletteRoute("/marked/{index:int}", send_a_marked_payload)])


@pytest.mark.parametrize("index", range(len(MARKED)), ids=[name for name, _ in MARKED])
def test_a_marked_server_message_is_quoted_nowhere(
    ws: str, index: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A server message carrying the marker where an error can quote it (tests/marked.py)
    closes the client with 1008: the close reason the server gets, the InvalidMessage's
    text, reason and errors, and typedws's log lines hold no part of it."""

    async def main(base: str) -> None:
        client_closes.clear()
        async with typedws.connect(
            f"{base}/marked/{index}", receive_model=Marked, send_type="text"
        ) as client:
            with pytest.raises(InvalidMessage) as caught:
                await client.receive()
        for _ in range(100):
            if client_closes:
                break
            await asyncio.sleep(0.05)
        ((code, reason),) = client_closes
        assert (caught.value.kind, caught.value.close_code, code) == ("validation", 1008, 1008)
        assert reason == caught.value.reason
        assert reason.startswith("invalid message: ")
        assert_no_input(str(caught.value), reason, repr(caught.value.errors))
        logged = [r.getMessage() for r in caplog.records if r.name.startswith("typedws")]
        assert_no_input(*logged)

    with caplog.at_level(logging.DEBUG, logger="typedws"), run_server(marked_app, ws=ws) as base:
        run(main(base))


def test_the_default_max_size_is_one_mebibyte_and_none_is_no_limit(ws: str) -> None:
    """Left out, max_size is the server's default (1 MiB): a larger message closes with 1009.
    ``max_size=None`` reads it."""

    async def main(base: str) -> None:
        url = f"{base}/send/over-a-mebibyte"
        async with typedws.connect(url, receive_model=Reading, send_type="text") as client:
            with pytest.raises(InvalidMessage) as caught:
                await client.receive()
            assert (caught.value.kind, client.close_code) == ("too_big", 1009)
        async with typedws.connect(
            url, receive_model=Reading, send_type="text", max_size=None
        ) as client:
            assert await client.receive() == Reading(type="reading", value=1)

    with run_server(invalid_app, ws=ws) as base:
        run(main(base))


answers = Endpoint(receive_model=Ask, send_model=Answer | ErrorReply, on_invalid="reply")


@answers.request(Ask, reply=Answer)
async def answer(message: Ask, ws: WebSocket[Ask, Answer | ErrorReply]) -> Answer:
    if message.question == "fail":
        raise RuntimeError("a failing handler")
    if message.question == "wait":
        await asyncio.sleep(5)
    return Answer(text=message.question.upper())


answers_app = Starlette(routes=[answers.route("/ask")])


def ask(base: str, **options: Any) -> typedws.Connecting[Answer | ErrorReply, Ask]:
    return typedws.connect(
        base + "/ask", receive_model=Answer | ErrorReply, send_model=Ask, **options
    )


def test_request_timeout_and_error_replies(ws: str) -> None:
    """A request without a reply in time raises RequestTimeout; one answered with an
    ErrorReply of its id raises RequestFailed carrying it; the connection goes on."""

    async def main(base: str) -> None:
        async with ask(base) as client:
            question = Ask(type="ask", id="", question="hi")
            assert await client.request(question, reply=Answer) == Answer(id="1", text="HI")
            waiting = question.model_copy(update={"question": "wait"})
            with pytest.raises(RequestTimeout) as timed_out:  # the answer takes 5 s
                await client.request(waiting, reply=Answer, timeout=0.3)
            assert isinstance(timed_out.value, TimeoutError)
            assert timed_out.value.correlation_id == "2"
            failing = question.model_copy(update={"question": "fail"})
            with pytest.raises(RequestFailed) as failed:
                await client.request(failing, reply=Answer)
            assert failed.value.error.kind == "handler"
            assert failed.value.error.id == "3"

    with run_server(answers_app, ws=ws) as base:
        run(main(base))


def test_receive_timeout(ws: str) -> None:
    """receive() with nothing coming raises ReceiveTimeout after receive_timeout, and the
    connection stays usable."""

    async def main(base: str) -> None:
        async with chat(base, receive_timeout=0.3) as client:
            sooner = asyncio.Event()  # a timer of 0.1 s, set before the receive's 0.3 s
            asyncio.get_running_loop().call_later(0.1, sooner.set)
            with pytest.raises(ReceiveTimeout):
                await client.receive()  # nothing comes: only the timeout ends it
            assert sooner.is_set()  # it did not fire before its time (timers fire in order)
            await client.send(Join(type="join", name="late"))
            assert await client.receive() == Welcome(name="late", members=[])

    with run_server(chat_app, ws=ws) as base:
        run(main(base))


def test_reconnect_after_a_restart_of_the_server(ws: str) -> None:
    """With reconnect, a client whose server restarts on the same port connects to the new
    one, and on_reconnect joins again before anything else is sent."""
    rejoins: list[typedws.Client[Any, Any]] = []

    async def rejoin(client: typedws.Client[Any, Any]) -> None:
        rejoins.append(client)
        await client.send(Join(type="join", name="phoenix"))

    async def main() -> None:
        first = run_server(chat_app, ws=ws)
        base = first.__enter__()
        try:
            policy = typedws.Reconnect(initial_delay=0.05, max_delay=0.2, max_attempts=100)
            client = await chat(base, reconnect=policy, on_reconnect=rejoin)
            await client.send(Join(type="join", name="phoenix"))
            assert await client.receive() == Welcome(name="phoenix", members=[])
        finally:
            await asyncio.to_thread(first.__exit__, None, None, None)
        second = run_server(chat_app, ws=ws, port=int(base.rsplit(":", 1)[1]))
        await asyncio.to_thread(second.__enter__)
        try:
            await client.send(Say(type="say", text="back"))  # waits for the rejoin
            assert await client.receive() == Welcome(name="phoenix", members=[])
            said = await client.receive()
            assert isinstance(said, Said)
            assert (said.name, said.text) == ("phoenix", "back")
            assert rejoins == [client]
            await client.close()
        finally:
            await asyncio.to_thread(second.__exit__, None, None, None)

    run(main())


def test_reconnect_gives_up_after_its_attempts(ws: str) -> None:
    """With the server gone for good, the attempts run out and receive() raises
    Disconnected with the code the server left with."""

    async def main() -> None:
        server = run_server(chat_app, ws=ws)
        base = server.__enter__()
        try:
            policy = typedws.Reconnect(initial_delay=0.01, max_delay=0.02, max_attempts=3)
            client = await chat(base, reconnect=policy)
        finally:
            await asyncio.to_thread(server.__exit__, None, None, None)
        with pytest.raises(Disconnected) as caught:
            await client.receive()
        assert caught.value.code in (1001, 1012)  # uvicorn's shutdown: service restart
        await client.close()

    run(main())


def test_a_pending_request_fails_when_the_connection_drops(ws: str) -> None:
    """A request waiting when the server goes away raises Disconnected, also when the
    client reconnects."""

    async def main() -> None:
        server = run_server(answers_app, ws=ws)
        base = server.__enter__()
        policy = typedws.Reconnect(initial_delay=0.01, max_delay=0.02, max_attempts=2)
        client = await ask(base, reconnect=policy)
        waiting = asyncio.ensure_future(
            client.request(Ask(type="ask", id="", question="wait"), reply=Answer)
        )
        await asyncio.sleep(0.2)
        await asyncio.to_thread(server.__exit__, None, None, None)
        with pytest.raises(Disconnected):
            await waiting
        await client.close()

    run(main())


def test_options_are_checked_when_called(ws: str) -> None:
    """An unknown or ill-typed option is a ConfigurationError naming it, before any I/O."""
    with pytest.raises(ConfigurationError, match="did you mean 'receive_model'"):
        typedws.connect("ws://127.0.0.1:9", recieve_model=Said)
    with pytest.raises(ConfigurationError, match="receive_timeout"):
        typedws.connect("ws://127.0.0.1:9", receive_timeout="1s")
    with pytest.raises(ConfigurationError, match="reconnect"):
        typedws.connect("ws://127.0.0.1:9", reconnect="yes")


async def refuse(websocket: StarletteWebSocket) -> None:
    if websocket.headers.get("authorization") != "Bearer sesame":
        await websocket.close()
        return
    await websocket.accept(subprotocol=websocket.scope["subprotocols"][-1])
    await websocket.send_text(websocket.headers["authorization"])
    await websocket.close()


guarded_app = Starlette(routes=[StarletteRoute("/guarded", refuse)])


def test_headers_subprotocols_and_a_refused_handshake(ws: str) -> None:
    """additional_headers and subprotocols reach the server; a refusal is HandshakeRejected."""

    async def main(base: str) -> None:
        with pytest.raises(HandshakeRejected) as caught:
            await typedws.connect(base + "/guarded")
        assert caught.value.status == 403
        async with typedws.connect(
            base + "/guarded",
            additional_headers={"Authorization": "Bearer sesame"},
            subprotocols=["v1", "v2"],
        ) as client:
            assert client.subprotocol == "v2"
            assert await client.receive() == "Bearer sesame"

    with run_server(guarded_app, ws=ws) as base:
        run(main(base))


class Tick(BaseModel):
    type: Literal["tick"] = "tick"
    n: int
    offset: str = ""


class Hello(BaseModel):
    type: Literal["hello"] = "hello"
    since: str | None


Ticks = Tick | Hello
seen_queries: list[str] = []


async def ticks(websocket: StarletteWebSocket) -> None:
    """Say which ``since`` it was given, send the next three ticks after it (each with its
    offset, the tick's number), then close as a restarting server does, until tick 9."""
    await websocket.accept()
    seen_queries.append(websocket.url.query)
    since = websocket.query_params.get("since")
    await websocket.send_text(Hello(since=since).model_dump_json())
    start = int(since or 0) + 1
    for n in range(start, start + 3):
        await websocket.send_text(Tick(n=n, offset=str(n)).model_dump_json())
    if start + 2 < 9:
        await websocket.send_text('{"type": "hello", "since": "no offset field here"}')
        await websocket.close(1012, "restarting")
    else:
        await websocket.close(1000)


ticks_app = Starlette(routes=[StarletteRoute("/ticks", ticks)])


@pytest.mark.parametrize("receive", ["model", "json"])
def test_resume_reconnects_after_the_last_offset(ws: str, receive: str) -> None:
    """With resume, each reconnect adds since=<the last offset received> to the URL (in
    place of the one it had): the ticks go on without a gap or a repeat, and messages
    without the field leave the offset as it was."""
    seen_queries.clear()

    async def main(base: str) -> None:
        policy = typedws.Reconnect(initial_delay=0.01, max_delay=0.02)
        options: dict[str, Any] = {"receive_model": Ticks} if receive == "model" else {}
        async with typedws.connect(
            base + "/ticks?room=a&since=0",
            receive_type="model" if receive == "model" else "json",
            reconnect=policy,
            resume=typedws.Resume(),
            receive_timeout=10,
            **options,
        ) as client:
            assert client.last_offset is None
            got = [message async for message in client]
            assert client.last_offset == "9"
        if receive == "model":
            numbers = [message.n for message in got if isinstance(message, Tick)]
        else:
            numbers = [message["n"] for message in got if message["type"] == "tick"]
        assert numbers == list(range(1, 10))
        assert seen_queries == ["room=a&since=0", "room=a&since=3", "room=a&since=6"]

    with run_server(ticks_app, ws=ws) as base:
        run(main(base))


def test_resume_options_are_checked(ws: str) -> None:
    """resume needs reconnect, a message or JSON receive type, and a Resume or a bool."""
    with pytest.raises(ConfigurationError, match="give reconnect= too"):
        typedws.connect("ws://127.0.0.1:9", model=Said, resume=True)
    with pytest.raises(ConfigurationError, match="'model' or 'json', not 'text'"):
        typedws.connect("ws://127.0.0.1:9", reconnect=True, resume=True)
    with pytest.raises(ConfigurationError, match="resume must be"):
        typedws.connect("ws://127.0.0.1:9", model=Said, reconnect=True, resume="offset")  # type: ignore[call-overload]
    with pytest.raises(ConfigurationError, match="non-empty str"):
        typedws.Resume(field="")
