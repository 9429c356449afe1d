"""The test client's lifespan: an ASGI app's startup and shutdown, run in the test's own
event loop as servers run them.

As uvicorn's default (``lifespan="auto"``), an app that ends or raises before it answers
the startup speaks no lifespan, and is served without one; a startup or shutdown the app
reports failed raises what the app raised.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import ASGIApp

from typedws.codecs import Message
from typedws.testing._tasks import end

__all__ = ["Lifespan"]


class Lifespan:
    """Runs *app*'s lifespan with *state* as its scope's state; each step waits at most
    *timeout* seconds (``None``: no limit)."""

    def __init__(self, app: ASGIApp, state: dict[str, Any], timeout: float | None) -> None:
        self._app = app
        self._state = state
        self._timeout = timeout
        self._to_app: asyncio.Queue[Message] = asyncio.Queue()
        self._from_app: asyncio.Queue[Message | None] = asyncio.Queue()  # None: it ended
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        """Start the app's lifespan and wait for its startup to complete."""
        self._to_app.put_nowait({"type": "lifespan.startup"})
        self._task = asyncio.ensure_future(self._run())
        answer = await self._answer("startup")
        if answer is None:  # ended without answering: the app speaks no lifespan
            await self._ended(quiet=True)
            return
        if answer["type"] == "lifespan.startup.failed":
            await self._failed("startup", answer)

    async def shutdown(self) -> None:
        """Ask the app to shut down and wait until it has."""
        if self._task is None:
            return
        self._to_app.put_nowait({"type": "lifespan.shutdown"})
        answer = await self._answer("shutdown")
        if answer is None or answer["type"] == "lifespan.shutdown.failed":
            await self._failed("shutdown", answer)
        await self._ended()

    async def _run(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self._state}
        try:
            await self._app(scope, self._to_app.get, self._app_send)
        finally:
            self._from_app.put_nowait(None)

    async def _app_send(self, message: Message) -> None:
        self._from_app.put_nowait(message)

    async def _answer(self, step: str) -> Message | None:
        """The app's next lifespan message, or ``None`` when it ended first."""
        try:
            return await asyncio.wait_for(self._from_app.get(), self._timeout)
        except asyncio.TimeoutError:
            await self._cancel()
            raise TimeoutError(
                f"the app's lifespan {step} did not complete within {self._timeout} s"
            ) from None

    async def _failed(self, step: str, answer: Message | None) -> None:
        """Raise what the app raised in *step*, or that it said *step* failed."""
        await self._ended()
        message = "" if answer is None else f": {answer.get('message', '')}"
        raise RuntimeError(f"the app's lifespan {step} failed{message}")

    async def _ended(self, *, quiet: bool = False) -> None:
        """Wait for the app's lifespan to end (within the timeout); raise what it raised,
        unless *quiet*."""
        task, self._task = self._task, None
        error = None if task is None else await end(task, self._timeout)
        if error is not None and not quiet:
            raise error

    async def _cancel(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            await end(task, 0)
