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
async def bob_and_a_newcomer() -> AsyncIterator[tuple[Client[Any, Any], Client[Any, Any]]]:
    """Two demo clients: the first joined as bob, the second not joined yet."""
    testing = TestClient(chat_app)
    options: dict[str, Any] = {"receive_model": ServerMessage, "send_model": ClientMessage}
    async with (
        testing.connect("/ws", **options) as old,
        testing.connect("/ws", **options) as new,
    ):
        await old.send(Join(type="join", name="bob"))
        assert isinstance(await old.receive(), Welcome)
        yield old, new


def test_a_rejoin_refused_for_a_held_name_is_tried_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def main() -> None:
        async with bob_and_a_newcomer() as (old, new):
            session = Session(new, "bob", rejoin_delay=0.05)
            await session.rejoin(new)  # as after a reconnect: the name is still held
            printer = asyncio.ensure_future(session.show())
            await asyncio.sleep(0.3)
            assert "still held; joining again" in capsys.readouterr().out
            await old.close()  # the holder goes: the next join takes the name
            for _ in range(100):
                if "* welcome, bob" in capsys.readouterr().out:
                    break
                await asyncio.sleep(0.05)
            else:
                raise AssertionError("the client never joined again")
            await new.close()
            await printer

    asyncio.run(asyncio.wait_for(main(), 30))


def test_a_first_join_for_a_taken_name_is_not_tried_again(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def main() -> None:
        async with bob_and_a_newcomer() as (_holder, new):
            session = Session(new, "bob", rejoin_delay=0.05)
            await new.send(Join(type="join", name="bob"))
            printer = asyncio.ensure_future(session.show())
            await asyncio.sleep(0.3)
            assert capsys.readouterr().out == "! the name bob is taken\n"
            await new.close()
            await printer

    asyncio.run(asyncio.wait_for(main(), 30))
