"""The demo's command-line client joins again after a reconnect while its name is still
held (a server process that went away holds its members' names for a few seconds)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest

from examples.chat.app import ClientMessage, Join, ServerMessage, Welcome
from examples.chat.app import app as chat_app
from examples.chat.client import Session
from typedws import Client
from typedws.testing import TestClient


@contextlib.asynccontextmanager
async def bob_and_a_newcomer() -> AsyncIterator[tuple[Client[Any, Any], Client[Any, Any], Session]]:
    """Two demo clients: the first joined as bob, the second not joined yet, with a session
    for the name bob (rejoin delay 50 ms) printing what the second receives until it closes."""
    testing = TestClient(chat_app)
    options: dict[str, Any] = {"receive_model": ServerMessage, "send_model": ClientMessage}
    async with (
        testing.connect("/ws", **options) as old,
        testing.connect("/ws", **options) as new,
    ):
        await old.send(Join(type="join", name="bob"))
        assert isinstance(await old.receive(), Welcome)
        session = Session(new, "bob", rejoin_delay=0.05)
        printer = asyncio.ensure_future(session.show())
        try:
            yield old, new, session
        finally:
            await new.close()
            await printer


async def printed(capsys: pytest.CaptureFixture[str], text: str) -> None:
    """Wait (5 s at most) until the output printed since the last read holds *text*."""
    for _ in range(100):
        if text in capsys.readouterr().out:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never printed {text!r}")


def test_a_rejoin_refused_for_a_held_name_is_tried_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def main() -> None:
        async with bob_and_a_newcomer() as (old, new, session):
            await session.rejoin(new)  # as after a reconnect: the name is still held
            await printed(capsys, "still held; joining again")
            await old.close()  # the holder goes: the next join takes the name
            await printed(capsys, "* welcome, bob")

    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_first_join_for_a_taken_name_is_not_tried_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def main() -> None:
        async with bob_and_a_newcomer() as (_holder, new, _session):
            await new.send(Join(type="join", name="bob"))
            await asyncio.sleep(0.3)  # time for several rejoin delays
            assert capsys.readouterr().out == "! the name bob is taken\n"

    asyncio.run(asyncio.wait_for(main(), 30))
