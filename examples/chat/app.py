"""The chat app: a page at ``/`` and a typed WebSocket at ``/ws``.

Clients send ``join`` / ``say`` / ``leave``, and the request ``who`` (answered by
``members`` with its ``id``); the server sends ``welcome`` / ``joined`` / ``said`` /
``left`` / ``error``. A message that does not fit closes the connection with the code of
typedws's table (1003, 1007, 1008 or 1009).

The room is a ``typedws.broadcast`` room: in this process by default, or shared by every
process using the Redis named by ``TYPEDWS_CHAT_REDIS`` (``python -m examples.chat --redis
URL`` sets it for its workers), the members' names too (``examples.chat.roster``). Each
``joined`` / ``said`` / ``left`` carries its ``offset``; a client that connects to
``/ws?since=OFFSET`` and joins first gets what the room said after that offset, and its
``welcome`` says whether all of it was still there (``recovered``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles

from examples.chat.roster import RosterUnavailable, roster_for
from typedws import Broadcast, BroadcastUnavailable, CloseCode, Endpoint, InvalidState, WebSocket
from typedws.broadcast import DEFAULT_HISTORY, Room, Topic

logger: logging.Logger = logging.getLogger("examples.chat")

Name = Annotated[str, Field(min_length=1, max_length=32)]


class Join(BaseModel):
    """Join the room under a name."""

    type: Literal["join"]
    name: Name


class Say(BaseModel):
    """Say something to the room."""

    type: Literal["say"]
    text: Annotated[str, Field(min_length=1, max_length=2000)]


class Leave(BaseModel):
    """Leave the room."""

    type: Literal["leave"]


RequestId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._:-]+$")]


class Who(BaseModel):
    """Ask who is in the room: a request, answered by ``members`` with the same ``id``."""

    type: Literal["who"]
    id: RequestId


ClientMessage = Annotated[Join | Say | Leave | Who, Field(discriminator="type")]


class Welcome(BaseModel):
    """You joined: your name, who else is here, and whether what the room said since the
    ``since`` you connected with was all still there (always true without ``since``)."""

    type: Literal["welcome"] = "welcome"
    name: str
    members: list[str]
    recovered: bool = True


Offset = Annotated[str, Field(description="The room's offset of this message: resume after it.")]


class Joined(BaseModel):
    """Someone joined."""

    type: Literal["joined"] = "joined"
    name: str
    offset: Offset = ""


class Said(BaseModel):
    """Someone said something."""

    type: Literal["said"] = "said"
    name: str
    text: str
    at: datetime
    offset: Offset = ""


class Left(BaseModel):
    """Someone left."""

    type: Literal["left"] = "left"
    name: str
    offset: Offset = ""


RoomMessage = Annotated[Joined | Said | Left, Field(discriminator="type")]
"""What the room says, to every member in every process, each with its offset."""


class Members(BaseModel):
    """The reply to ``who``: the names of the members, sorted."""

    type: Literal["members"] = "members"
    id: str = ""
    names: list[str]


class Error(BaseModel):
    """Your last message could not be carried out; the connection stays open."""

    type: Literal["error"] = "error"
    detail: str


ServerMessage = Annotated[
    Welcome | Joined | Said | Left | Members | Error, Field(discriminator="type")
]

ChatSocket = WebSocket[ClientMessage, ServerMessage]

chat = Endpoint(receive_model=ClientMessage, send_model=ServerMessage, max_size=16 * 1024)

REDIS_URL = os.environ.get("TYPEDWS_CHAT_REDIS") or None
"""The Redis the room is shared through, if any (``--redis``, for every worker)."""

broadcast = Broadcast(
    REDIS_URL or "memory://",
    history=int(os.environ.get("TYPEDWS_CHAT_HISTORY", DEFAULT_HISTORY)),
)
ROOM = Topic("chat:room", RoomMessage)
roster = roster_for(REDIS_URL)
UNAVAILABLE = "the room cannot be reached right now; try again"

names: dict[ChatSocket, str] = {}
"""The members connected to this process and their names: from a join to the end of the
connection."""


async def room() -> Room[Joined | Said | Left]:
    """The room, the broadcast connected first (when no lifespan did it: the tests' servers)."""
    await broadcast.connect()
    return broadcast.room(ROOM, offset_field="offset")


@chat.on(Join)
async def join(message: Join, ws: ChatSocket) -> Error | None:
    if ws in names:
        return Error(detail=f"you already joined as {names[ws]}")
    try:
        if not await roster.add(message.name):
            return Error(detail=f"the name {message.name} is taken")
        names[ws] = message.name
        others = [name for name in await roster.names() if name != message.name]
    except RosterUnavailable:
        logger.warning("chat: the roster cannot be reached")
        if names.pop(ws, None) is not None:
            await _free(message.name)
        return Error(detail=UNAVAILABLE)
    chat_room = await room()
    since = ws.query_params.get("since")  # set by a client coming back after a drop
    try:
        offset = await chat_room.publish(Joined(name=message.name))
    except BroadcastUnavailable:
        offset = None
    if since is None:
        since = offset  # not the member's own Joined, but anything said after it

    async def welcome(recovered: bool) -> None:
        await ws.send(Welcome(name=message.name, members=others, recovered=recovered))

    try:
        await chat_room.join(ws, since=since, on_joined=welcome)
    except BroadcastUnavailable:
        await chat_room.join(ws, on_joined=welcome)  # no history now: live messages only
    return None


@chat.on(Say)
async def say(message: Say, ws: ChatSocket) -> Error | None:
    if ws not in names:
        return Error(detail="join before you say anything")
    said = Said(name=names[ws], text=message.text, at=datetime.now(timezone.utc))
    try:
        await (await room()).publish(said)
    except BroadcastUnavailable:
        return Error(detail=UNAVAILABLE)
    return None


@chat.on(Leave)
async def leave(message: Leave, ws: ChatSocket) -> None:
    await ws.close(CloseCode.NORMAL_CLOSURE, "bye")


@chat.request(Who, reply=Members)
async def who(message: Who, ws: ChatSocket) -> Members:
    try:
        return Members(names=await roster.names())
    except RosterUnavailable:
        return Members(names=sorted(names.values()))  # this process's, the best known


@chat.on_disconnect
async def disconnect(ws: ChatSocket) -> None:
    """However the connection ended, once: a member leaves the room, the others are told."""
    await broadcast.leave_all(ws)
    name = names.pop(ws, None)
    if name is not None:
        await _free(name)
        try:
            await (await room()).publish(Left(name=name))
        except (BroadcastUnavailable, InvalidState):  # Redis away, or the app stopping
            logger.warning("chat: could not tell the room that %s left", name)


async def _free(name: str) -> None:
    try:
        await roster.remove(name)
    except RosterUnavailable:
        logger.warning("chat: could not free the name %s", name)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncGenerator[None, None]:
    """Connected to the broadcast while the app runs; this process's names freed at the end."""
    try:
        async with broadcast:
            yield
    finally:
        await roster.close()


HERE = Path(__file__).parent
PAGE = (HERE / "page.html").read_text(encoding="utf-8")


async def page(request: Request) -> HTMLResponse:
    """The browser page that connects to ``/ws`` and shows the conversation.

    Its script, ``/static/chat.js``, is compiled from ``web/chat.ts``, whose message types
    are generated from the schemas this app exports.
    """
    return HTMLResponse(PAGE)


app = Starlette(routes=[Route("/", page), chat.route("/ws", name="chat")], lifespan=lifespan)
app.mount("/static", StaticFiles(directory=HERE / "static"))
