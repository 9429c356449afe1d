"""The chat app: a page at ``/`` and a typed WebSocket at ``/ws``.

Clients send ``join`` / ``say`` / ``leave``, and the request ``who`` (answered by
``members`` with its ``id``); the server sends ``welcome`` / ``joined`` / ``said`` /
``left`` / ``error``. A message that does not fit closes the connection with the code of
typedws's table (1003, 1007, 1008 or 1009).
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from typedws import CloseCode, Endpoint, InvalidState, WebSocket

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
    """You joined: your name and who is here."""

    type: Literal["welcome"] = "welcome"
    name: str
    members: list[str]


class Joined(BaseModel):
    """Someone else joined."""

    type: Literal["joined"] = "joined"
    name: str


class Said(BaseModel):
    """Someone said something."""

    type: Literal["said"] = "said"
    name: str
    text: str
    at: datetime


class Left(BaseModel):
    """Someone left."""

    type: Literal["left"] = "left"
    name: str


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

names: dict[ChatSocket, str] = {}
"""The members of the room and their names: from a join to the end of the connection."""


async def broadcast(message: ServerMessage, *, but: ChatSocket | None = None) -> None:
    """Send *message* to every member but *but*, skipping those whose connection is ending."""
    for ws in list(names):
        if ws is not but:
            with suppress(WebSocketDisconnect, InvalidState):
                await ws.send(message)


@chat.on(Join)
async def join(message: Join, ws: ChatSocket) -> Error | None:
    if ws in names:
        return Error(detail=f"you already joined as {names[ws]}")
    if message.name in names.values():
        return Error(detail=f"the name {message.name} is taken")
    others = sorted(names.values())
    names[ws] = message.name  # before any await, so no other join takes the name
    await ws.send(Welcome(name=message.name, members=others))
    await broadcast(Joined(name=message.name), but=ws)
    return None


@chat.on(Say)
async def say(message: Say, ws: ChatSocket) -> Error | None:
    if ws not in names:
        return Error(detail="join before you say anything")
    await broadcast(Said(name=names[ws], text=message.text, at=datetime.now(timezone.utc)))
    return None


@chat.on(Leave)
async def leave(message: Leave, ws: ChatSocket) -> None:
    await ws.close(CloseCode.NORMAL_CLOSURE, "bye")


@chat.request(Who, reply=Members)
async def who(message: Who, ws: ChatSocket) -> Members:
    return Members(names=sorted(names.values()))


@chat.on_disconnect
async def disconnect(ws: ChatSocket) -> None:
    """However the connection ended, once: a member leaves the room, the others are told."""
    name = names.pop(ws, None)
    if name is not None:
        await broadcast(Left(name=name))


HERE = Path(__file__).parent
PAGE = (HERE / "page.html").read_text(encoding="utf-8")


async def page(request: Request) -> HTMLResponse:
    """The browser page that connects to ``/ws`` and shows the conversation.

    Its script, ``/static/chat.js``, is compiled from ``web/chat.ts``, whose message types
    are generated from the schemas this app exports.
    """
    return HTMLResponse(PAGE)


app = Starlette(routes=[Route("/", page), chat.route("/ws", name="chat")])
app.mount("/static", StaticFiles(directory=HERE / "static"))
