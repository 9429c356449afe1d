"""A room chat on Broadcast, for the tests to serve under uvicorn, one or more processes.

``TYPEDWS_TEST_BROADCAST`` is the broadcast URL (``memory://`` when unset) and
``TYPEDWS_TEST_HISTORY`` the history kept per topic. A client connects to
``/room/{name}?as=SENDER&since=OFFSET``, gets a ``Welcome`` saying whether what it missed
was recovered, then what it missed, then every ``Said`` of the room, each with its offset;
each ``Say`` it sends is published to the room (``Failed`` when Redis cannot be reached).
``GET /state`` reports this process's rooms, topics and room tasks, for leak checks.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from typedws import WebSocket, route
from typedws.broadcast import Broadcast, BroadcastUnavailable, Topic


class Say(BaseModel):
    type: Literal["say"] = "say"
    text: str
    seq: int = 0


class Said(BaseModel):
    type: Literal["said"] = "said"
    sender: str
    text: str
    seq: int
    offset: str = ""


class Welcome(BaseModel):
    type: Literal["welcome"] = "welcome"
    recovered: bool


class Failed(BaseModel):
    type: Literal["failed"] = "failed"
    seq: int


ServerMessage = Annotated[Said | Welcome | Failed, Field(discriminator="type")]

broadcast = Broadcast(
    os.environ.get("TYPEDWS_TEST_BROADCAST", "memory://"),
    history=int(os.environ.get("TYPEDWS_TEST_HISTORY", "1000")),
)


@route("/room/{name}", receive_model=Say, send_model=ServerMessage)
async def chat(ws: WebSocket[Say, Said | Welcome | Failed], name: str) -> None:
    """A member of the room *name*; what it says is published to the room."""
    sender = ws.query_params.get("as", "anonymous")
    room = broadcast.room(Topic(f"room:{name}", Said), offset_field="offset")

    async def welcome(recovered: bool) -> None:
        await ws.send(Welcome(recovered=recovered))

    async with room.joined(ws, since=ws.query_params.get("since"), on_joined=welcome):
        async for message in ws:
            try:
                await room.publish(Said(sender=sender, text=message.text, seq=message.seq))
            except BroadcastUnavailable:
                await ws.send(Failed(seq=message.seq))


async def state(request: Request) -> JSONResponse:
    """This process's rooms, subscribed topics and room tasks."""
    tasks = [t for t in asyncio.all_tasks() if t.get_name().startswith("typedws room")]
    members = {name: len(room) for name, room in broadcast.rooms.items()}
    return JSONResponse(
        {"members": members, "topics": sorted(broadcast.topics), "room_tasks": len(tasks)}
    )


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncGenerator[None, None]:
    async with broadcast:
        yield


app = Starlette(routes=[chat, Route("/state", state)], lifespan=lifespan)
