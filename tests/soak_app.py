"""A typed echo for the soak test (tests/test_soak.py), served by uvicorn in a process of its
own.

A client connects to ``/soak/{client}``, sends ``Ping`` messages and gets one ``Pong`` per
``Ping``, carrying the client id of its URL and the ``Ping``'s sequence number and text. A
message that does not fit closes the connection with the code of the close-code table (the
default ``on_invalid="close"``). ``GET /state`` reports the connections open right now,
the most open at once and how many have ended, so the test knows that they were all open
together and when the server has let every one go.
"""

from __future__ import annotations

from pydantic import BaseModel
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from typedws import WebSocket, route


class Ping(BaseModel):
    client: int
    seq: int
    text: str


class Pong(BaseModel):
    client: int
    seq: int
    text: str


counts = {"open": 0, "most_open": 0, "ended": 0}


@route("/soak/{client:int}", receive_model=Ping, send_model=Pong)
async def soak(ws: WebSocket[Ping, Pong], client: int) -> None:
    """Answer each Ping with a Pong naming this URL's client and the Ping's seq."""
    counts["open"] += 1
    counts["most_open"] = max(counts["most_open"], counts["open"])
    try:
        async for ping in ws:
            await ws.send(Pong(client=client, seq=ping.seq, text=ping.text))
    finally:
        counts["open"] -= 1
        counts["ended"] += 1


async def state(request: Request) -> JSONResponse:
    """The connections open now, the most open at once, and the number that have ended."""
    return JSONResponse(counts)


app = Starlette(routes=[soak, Route("/state", state)])
