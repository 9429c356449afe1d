"""The chat app: a page at ``/`` and a typed WebSocket at ``/ws``.

Clients send ``join`` / ``say`` / ``leave``; the server sends ``welcome`` / ``joined`` /
``said`` / ``left`` / ``error``. A message that does not fit closes the connection with
the code of typedws's table (1003, 1007, 1008 or 1009).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocketDisconnect

from typedws import CloseCode, InvalidState, WebSocket, route

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


ClientMessage = Annotated[Join | Say | Leave, Field(discriminator="type")]


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


class Error(BaseModel):
    """Your last message could not be carried out; the connection stays open."""

    type: Literal["error"] = "error"
    detail: str


ServerMessage = Annotated[Welcome | Joined | Said | Left | Error, Field(discriminator="type")]

ChatSocket = WebSocket[ClientMessage, ServerMessage]


class Room:
    """The members of the chat, by name."""

    def __init__(self) -> None:
        self.members: dict[str, ChatSocket] = {}

    async def broadcast(self, message: ServerMessage, *, but: str | None = None) -> None:
        """Send *message* to every member (except *but*); members that are gone, or that
        their own handler just closed, are dropped."""
        for name, ws in list(self.members.items()):
            if name == but:
                continue
            try:
                await ws.send(message)
            except (WebSocketDisconnect, InvalidState):
                self.members.pop(name, None)


room = Room()


@route("/ws", receive_model=ClientMessage, send_model=ServerMessage, max_size=16 * 1024)
async def chat(ws: ChatSocket) -> None:
    """Join, say and leave; every member sees what the others say."""
    name: str | None = None
    try:
        async for message in ws:
            if isinstance(message, Join):
                if name is not None:
                    await ws.send(Error(detail=f"you already joined as {name}"))
                elif message.name in room.members:
                    await ws.send(Error(detail=f"the name {message.name} is taken"))
                else:
                    name = message.name
                    await ws.send(Welcome(name=name, members=sorted(room.members)))
                    room.members[name] = ws
                    await room.broadcast(Joined(name=name), but=name)
            elif isinstance(message, Say):
                if name is None:
                    await ws.send(Error(detail="join before you say anything"))
                else:
                    said = Said(name=name, text=message.text, at=datetime.now(timezone.utc))
                    await room.broadcast(said)
            else:
                await ws.close(CloseCode.NORMAL_CLOSURE, "bye")
                break
    finally:
        if name is not None and room.members.get(name) is ws:
            del room.members[name]
            await room.broadcast(Left(name=name))


HERE = Path(__file__).parent
PAGE = (HERE / "page.html").read_text(encoding="utf-8")


async def page(request: Request) -> HTMLResponse:
    """The browser page that connects to ``/ws`` and shows the conversation.

    Its script, ``/static/chat.js``, is compiled from ``web/chat.ts``, whose message types
    are generated from the schemas this app exports.
    """
    return HTMLResponse(PAGE)


app = Starlette(
    routes=[Route("/", page), chat, Mount("/static", StaticFiles(directory=HERE / "static"))]
)
