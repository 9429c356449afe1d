"""The app of the fault tests (tests/test_faults*.py): routes made with ``@route``, an
``Endpoint`` and a wrapped Starlette ``WebSocket``, whose handlers get stuck in sends, await
other things, and send to other connections, while their clients vanish.

Handlers report what happened to them on ``reports``; ``/control`` opens the gates handlers
wait at. It runs in the tests' own uvicorn thread and, for the SIGINT test, under
``python -m uvicorn tests.fault_app:app``.
"""

from __future__ import annotations

import asyncio
import logging
import queue
from typing import Any

import anyio
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect

from typedws import Endpoint, WebSocket, route

logger = logging.getLogger("tests.fault_app")
reports: queue.Queue[tuple[Any, ...]] = queue.Queue()
gates: dict[str, asyncio.Event] = {}
members: dict[str, WebSocket[Any, Any]] = {}

CHUNK = "x" * 65_536
BLOCKED = 0.2
"""After this many seconds in one send, a handler reports that it is blocked."""

FLOOD_SEND_TIMEOUT = 1.5
"""The ``send_timeout`` of ``/flood``, the route the SIGINT test fills."""


def gate(name: str) -> asyncio.Event:
    """The gate *name*, which ``/control``'s ``open NAME`` opens."""
    return gates.setdefault(name, asyncio.Event())


def describe(exc: BaseException, ws: WebSocket[Any, Any]) -> tuple[str, int | None, bool]:
    """An exception a send raised: its class, its close code, whether it is *ws*'s own end."""
    return (type(exc).__name__, getattr(exc, "code", None), ws.owns(exc))


async def flood(ws: WebSocket[Any, Any], name: str, value: Any) -> tuple[str, int | None, bool]:
    """Send *value* until a send fails, reporting ``(name, "blocked")`` (and logging a warning,
    which a server process prints) once a send has waited for ``BLOCKED`` seconds; return how
    the last send failed (see ``describe``)."""
    loop = asyncio.get_running_loop()
    blocked = False

    def report_blocked() -> None:
        nonlocal blocked
        if not blocked:
            blocked = True
            reports.put((name, "blocked"))
            logger.warning("%s: a send is blocked", name)

    while True:
        timer = loop.call_later(BLOCKED, report_blocked)
        try:
            await ws.send(value)
        except Exception as exc:
            return describe(exc, ws)
        finally:
            timer.cancel()


@route("/echo")
async def echo(ws: WebSocket[str, str]) -> None:
    async for text in ws:
        await ws.send(text)


@route("/control")
async def control(ws: WebSocket[str, str]) -> None:
    """``open NAME`` opens the gate NAME; ``kick NAME`` closes the member NAME with 1001."""
    async for text in ws:
        command, _, name = text.partition(" ")
        if command == "open":
            gate(name).set()
        elif command == "kick":
            await members[name].close(1001, "kicked")
        await ws.send(f"{command} {name}: done")


@route("/listen")
async def listen(ws: WebSocket[str, str]) -> None:
    """Echoes; reports the messages it got and its close code when its client is gone."""
    got: list[str] = []
    try:
        async for text in ws:
            got.append(text)
            await ws.send(text)
    finally:
        reports.put(("listen", got, ws.close_code))


@route("/flood", send_timeout=FLOOD_SEND_TIMEOUT)
async def flooding(ws: WebSocket[str, str]) -> None:
    """Sends to a client that never reads until the send times out (the SIGINT test)."""
    await ws.receive()
    reports.put(("flood", *await flood(ws, "flood", CHUNK)))


@route("/member/{name}")
async def member(ws: WebSocket[str, str], name: str) -> None:
    """Registers as *name*, receives, and reports its close code when it ends."""
    members[name] = ws
    try:
        async for _ in ws:
            pass
    finally:
        reports.put(("member", name, ws.close_code))


@route("/relay")
async def relay(ws: WebSocket[str, str]) -> None:
    """``tell NAME`` sends to the member NAME and answers ``told`` or ``gone``, reporting the
    disconnect the send raised."""
    async for text in ws:
        name = text.removeprefix("tell ")
        try:
            await members[name].send("hello")
        except WebSocketDisconnect as exc:
            reports.put(("relay", *describe(exc, ws)))
            await ws.send("gone")
        else:
            await ws.send("told")


@route("/pending/{name}", send_timeout=0.5)
async def pending(ws: WebSocket[str, str], name: str) -> None:
    """Registers as *name*, then sends from four tasks at once to a client that never reads;
    reports how each send ended once ``/control`` kicked it."""
    members[name] = ws
    await ws.receive()
    ends = await asyncio.gather(*(flood(ws, f"{name} {i}", CHUNK) for i in range(4)))
    reports.put(("pending", sorted(ends)))


@route("/patient")
async def patient(ws: WebSocket[str, str]) -> None:
    """Receives with a short timeout over and over, so that most receives are cancelled;
    echoes what it gets."""
    while True:
        try:
            text = await asyncio.wait_for(ws.receive(), 0.005)
        except asyncio.TimeoutError:
            continue
        await ws.send(text)


async def reader_and_waiter(ws: WebSocket[str, str], name: str) -> None:
    """An anyio task group, as Starlette apps use: one task receives, the other awaits the
    gate *name*, then sends. The client vanishing ends the reader, and the group cancels
    the waiter."""

    async def read() -> None:
        while True:
            await ws.send(await ws.receive())

    async def wait() -> None:
        await gate(name).wait()
        await ws.send("opened")

    async with anyio.create_task_group() as group:
        group.start_soon(read)
        group.start_soon(wait)


@route("/group/{name}")
async def grouped(ws: WebSocket[str, str], name: str) -> None:
    try:
        await reader_and_waiter(ws, name)
    finally:
        reports.put(("group", name, ws.close_code))


async def wrapped(websocket: StarletteWebSocket) -> None:
    """A plain Starlette route wrapping its WebSocket in ``async with``. The first message
    picks what it does:

    - ``flood``: sends to a client that never reads (``send_timeout`` 30 s), then calls
      ``ensure_closed()`` twice;
    - ``give up``: the same flood, cancelled by the handler after ``BLOCKED`` seconds, then
      ``ensure_closed(1001)``;
    - ``group NAME``: ``reader_and_waiter``.

    With ``?hold=NAME``, it first waits at the gate NAME, before ``async with`` accepts.
    Reports ``("wrapped", mode, close code, what escaped async with)``.
    """
    mode = "?"
    escaped: BaseException | None = None
    ws: WebSocket[str, str] = WebSocket(websocket, send_timeout=30)
    try:
        hold = websocket.query_params.get("hold")
        if hold is not None:
            reports.put(("holding", hold))
            await gate(hold).wait()
        async with ws:
            mode = await ws.receive()
            if mode == "flood":
                reports.put(("wrapped flood", *await flood(ws, "wrapped", CHUNK)))
                await ws.ensure_closed()
                await ws.ensure_closed(1011)
            elif mode == "give up":
                try:
                    await asyncio.wait_for(flood(ws, "give up", CHUNK), BLOCKED * 2)
                except asyncio.TimeoutError:
                    reports.put(("gave up", ws.closed))
                await ws.ensure_closed(1001)
            elif mode.startswith("group "):
                await reader_and_waiter(ws, mode.removeprefix("group "))
    except BaseException as exc:
        escaped = exc
        raise
    finally:
        reports.put(("wrapped", mode, ws.close_code, repr(escaped) if escaped else None))


class Ask(BaseModel):
    id: int
    flood: bool = False


class Answer(BaseModel):
    id: int
    text: str


endpoint: Endpoint[Ask, Answer] = Endpoint(receive_model=Ask, send_model=Answer)


@endpoint.on_connect
async def hello(ws: WebSocket[Ask, Answer], name: str) -> None:
    """Holds the handshake at the gate NAME when the name starts with ``held``."""
    if name.startswith("held"):
        reports.put(("holding", name))
        await gate(name).wait()


@endpoint.request(Ask, reply=Answer)
async def ask(message: Ask, ws: WebSocket[Ask, Answer], name: str) -> Answer:
    """Answers; a flood request first sends answers to a client that does not read them."""
    if message.flood:
        reports.put(("ask flood", *await flood(ws, "ask", Answer(id=0, text=CHUNK))))
    return Answer(id=message.id, text=name)


@endpoint.on_disconnect
async def bye(ws: WebSocket[Ask, Answer], name: str) -> None:
    reports.put(("endpoint", name, ws.close_code))


app = Starlette(
    routes=[
        echo,
        control,
        listen,
        flooding,
        member,
        relay,
        pending,
        patient,
        grouped,
        StarletteWebSocketRoute("/wrapped", wrapped),
        endpoint.route("/ask/{name}"),
    ]
)
