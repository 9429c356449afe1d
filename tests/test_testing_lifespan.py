"""``async with TestClient(app) as client`` runs the app's lifespan as a server does
(startup on entry, shutdown on exit, its state in each connection's scope), as Starlette's
``TestClient`` does when used as a context manager; ``connect`` alone does not."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.types import Receive, Scope, Send

from tests.server import run
from tests.test_readme import run_examples
from typedws import InvalidState, WebSocket, route
from typedws.testing import TestClient


class Note(BaseModel):
    text: str


events: list[str] = []


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
    events.append("startup")
    yield {"greeting": "hello"}
    events.append("shutdown")


@route("/state", send_model=Note)
async def state(ws: WebSocket[str, Note]) -> None:
    await ws.send(Note(text=f"{ws.state.greeting} ({', '.join(events)})"))


def app_with(lifespan: Any) -> Starlette:
    return Starlette(routes=[state], lifespan=lifespan)


def test_async_with_runs_startup_and_shutdown() -> None:
    """Startup has run when ``async with`` has entered, each connection's scope holds the
    state the lifespan yielded, and shutdown has run when it has exited."""
    events.clear()

    async def main() -> None:
        async with TestClient(app_with(lifespan)) as client:
            assert events == ["startup"]
            async with client.connect("/state", receive_model=Note) as ws:
                assert await ws.receive() == Note(text="hello (startup)")
            assert events == ["startup"]
        assert events == ["startup", "shutdown"]

    run(main())


def test_connect_alone_does_not_run_the_lifespan() -> None:
    """Outside ``async with``, as with Starlette's TestClient, connections run without the
    lifespan: no startup, and no state (the route fails, which closes with 1011)."""
    events.clear()

    async def main() -> None:
        client = TestClient(app_with(lifespan))
        async with client.connect("/state", receive_model=Note) as ws:
            await ws.expect_close(1011)
        assert events == []

    run(main())


class StartupFailed(Exception):
    pass


def test_a_failing_startup_is_raised_on_entry() -> None:
    """What the lifespan raised in startup is raised by ``async with``; the body never runs."""

    @asynccontextmanager
    async def failing(app: Starlette) -> AsyncIterator[None]:
        raise StartupFailed("no database")
        yield

    async def main() -> None:
        with pytest.raises(StartupFailed, match="no database"):
            async with TestClient(app_with(failing)):
                pytest.fail("the body ran")

    run(main())


def test_a_failing_shutdown_is_raised_on_exit() -> None:
    """What the lifespan raised in shutdown is raised when ``async with`` exits."""

    @asynccontextmanager
    async def failing(app: Starlette) -> AsyncIterator[None]:
        yield
        raise RuntimeError("could not flush")

    async def main() -> None:
        with pytest.raises(RuntimeError, match="could not flush"):
            async with TestClient(app_with(failing)):
                pass

    run(main())


def test_a_startup_that_never_completes_fails_in_seconds() -> None:
    """A startup that never completes raises TimeoutError after ``lifespan_timeout``."""

    @asynccontextmanager
    async def hanging(app: Starlette) -> AsyncIterator[None]:
        await asyncio.Event().wait()
        yield

    async def main() -> None:
        with pytest.raises(TimeoutError, match=r"lifespan startup did not complete within 0\.1 s"):
            async with TestClient(app_with(hanging), lifespan_timeout=0.1):
                pytest.fail("the body ran")

    run(main())


@route("/hello", send_model=Note)
async def hello(ws: WebSocket[str, Note]) -> None:
    await ws.send(Note(text="hi"))


async def websocket_only(scope: Scope, receive: Receive, send: Send) -> None:
    """A bare ASGI app that speaks no lifespan: it fails on any other scope."""
    assert scope["type"] == "websocket"
    await receive()
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "hi"})
    await send({"type": "websocket.close", "code": 1000})


def test_apps_without_a_lifespan_work_in_async_with() -> None:
    """A Starlette app without a lifespan, and an app that fails on the lifespan scope (as
    uvicorn's default lifespan="auto" takes it: no lifespan), work in ``async with``."""

    async def main() -> None:
        async with (
            TestClient(Starlette(routes=[hello])) as client,
            client.connect("/hello", receive_model=Note) as ws,
        ):
            assert await ws.receive() == Note(text="hi")
        async with TestClient(websocket_only) as bare, bare.connect("/") as raw:
            assert await raw.receive() == "hi"
            await raw.expect_close(1000)

    run(main())


def test_entering_twice_at_once_is_refused() -> None:
    """A test client's lifespan runs once at a time: entering it again inside raises
    InvalidState; after it exited, it can be entered again."""
    events.clear()

    async def main() -> None:
        client = TestClient(app_with(lifespan))
        async with client:
            with pytest.raises(InvalidState, match="running already"):
                async with client:
                    pytest.fail("the body ran")
        async with client:
            pass
        assert events == ["startup", "shutdown", "startup", "shutdown"]

    run(main())


def test_a_room_without_the_lifespan_says_how_to_run_it(caplog: pytest.LogCaptureFixture) -> None:
    """The README's Broadcast room connected to outside ``async with`` (no lifespan, so no
    broadcast) closes with 1011, and the error logged says what runs the lifespan."""
    namespace = run_examples()

    async def main() -> None:
        client = TestClient(namespace["live_app"])
        connecting = client.connect(
            "/live/news", receive_model=namespace["Posted"], send_model=namespace["Say"]
        )
        async with connecting as ws:
            await ws.expect_close(1011)

    run(main())
    assert "connect the broadcast first" in caplog.text
    assert "`async with TestClient(app)` in tests" in caplog.text
