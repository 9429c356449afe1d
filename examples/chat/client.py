"""A command-line chat client for the demo, built on ``typedws.connect``.

    python -m examples.chat.client --name alice [--url ws://127.0.0.1:8000/ws]

Each line read from standard input is said to the room; ``/who`` asks who is here (a
request, answered by id), ``/quit`` (or the end of the input) leaves. What the room says is
printed as it arrives. When the connection drops (the server restarts, the network goes),
the client reconnects by itself, joins again, and gets what the room said meanwhile
(``resume``: the server's offsets), or is told that some of it was lost.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

import typedws
from examples.chat.app import (
    ClientMessage,
    Error,
    Join,
    Joined,
    Leave,
    Left,
    Members,
    Said,
    Say,
    ServerMessage,
    Welcome,
    Who,
)

ServerMessages = Welcome | Joined | Said | Left | Members | Error
ChatClient = typedws.Client[ServerMessages, Join | Say | Leave | Who]


def describe(message: ServerMessages) -> str:
    """One line for a message from the room."""
    if isinstance(message, Welcome):
        here = ", ".join(message.members) or "nobody yet"
        lost = "" if message.recovered else "; some messages were lost while you were away"
        return f"* welcome, {message.name}; here: {here}{lost}"
    if isinstance(message, Joined):
        return f"* {message.name} joined"
    if isinstance(message, Said):
        return f"{message.name}: {message.text}"
    if isinstance(message, Left):
        return f"* {message.name} left"
    if isinstance(message, Members):
        return f"* here: {', '.join(message.names)}"
    return f"! {message.detail}"


REJOIN_DELAY = 2.0
"""Seconds between joins while the name is still held after a reconnect."""

REJOINS = 10
"""Joins tried after a reconnect while the name is held: a server process that crashed
holds its members' names for up to ``examples.chat.roster.ALIVE_FOR`` (15) seconds."""


class Session:
    """What the room says, printed, and the join again after each reconnect."""

    def __init__(self, client: ChatClient, name: str, *, rejoin_delay: float = REJOIN_DELAY):
        self.client = client
        self.name = name
        self.rejoin_delay = rejoin_delay
        self._rejoins_left = 0

    async def rejoin(self, client: ChatClient) -> None:
        """``on_reconnect``: join again, before anything else is sent."""
        self._rejoins_left = REJOINS
        await client.send(Join(type="join", name=self.name))

    async def show(self) -> None:
        """Print what the room says until the server closes the connection."""
        try:
            async for message in self.client:
                if isinstance(message, Welcome):
                    self._rejoins_left = 0
                elif self._held(message):
                    # The process that had this connection went away without leaving.
                    self._rejoins_left -= 1
                    print(f"! the name {self.name} is still held; joining again", flush=True)
                    await asyncio.sleep(self.rejoin_delay)
                    await self.client.send(Join(type="join", name=self.name))
                    continue
                print(describe(message), flush=True)
        except typedws.Disconnected as exc:
            print(f"! disconnected: {exc.code} {exc.reason}", flush=True)

    def _held(self, message: ServerMessages) -> bool:
        taken = f"the name {self.name} is taken"
        return self._rejoins_left > 0 and isinstance(message, Error) and message.detail == taken


async def lines() -> asyncio.StreamReader:
    """Standard input as a stream, read without a thread."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def talk(client: ChatClient, stdin: asyncio.StreamReader) -> None:
    """Send each line of *stdin* until ``/quit`` or its end; then leave."""
    while raw := await stdin.readline():
        line = raw.decode().strip()
        if not line:
            continue
        if line == "/quit":
            break
        if line == "/who":
            members = await client.request(Who(type="who", id="who"), reply=Members)
            print(describe(members), flush=True)
        else:
            await client.send(Say(type="say", text=line))
    await client.send(Leave(type="leave"))


async def main(name: str, url: str) -> int:
    """Join the room at *url* as *name*, and chat until the input ends or says ``/quit``."""

    session: Session | None = None

    async def rejoin(client: ChatClient) -> None:
        assert session is not None
        await session.rejoin(client)

    connecting = typedws.connect(
        url,
        receive_model=ServerMessage,
        send_model=ClientMessage,
        reconnect=True,
        on_reconnect=rejoin,
        resume=typedws.Resume(field="offset", param="since"),  # ?since=<last offset seen>
    )
    async with connecting as client:
        session = Session(client, name)
        await client.send(Join(type="join", name=name))
        printer = asyncio.ensure_future(session.show())
        with contextlib.suppress(typedws.Disconnected):  # the printer says why
            await talk(client, await lines())
        await printer  # the server closes after the leave
    return 0


def cli(argv: list[str] | None = None) -> int:
    """Parse the command line and run the client."""
    parser = argparse.ArgumentParser(prog="python -m examples.chat.client", description=__doc__)
    parser.add_argument("--name", required=True, help="your name in the room")
    parser.add_argument("--url", default="ws://127.0.0.1:8000/ws", help="the demo's WebSocket")
    args = parser.parse_args(argv)
    try:
        return asyncio.run(main(args.name, args.url))
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        print(f"cannot connect to {args.url}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(cli())
