"""The msgspec contenders, echoing the message mix of ``bench.msgspec_messages`` at ``/``:
a typedws route typed by the Struct union, and an expert's hand-written Starlette loop."""

from __future__ import annotations

import msgspec
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketDisconnect

from bench.msgspec_messages import DECODER, ENCODER, Ack, Chat, Join, Message, Move, Presence
from typedws import WebSocket, route

Union = Chat | Join | Move | Ack | Presence
POLICY_VIOLATION = 1008


@route("/", model=Message)
async def _typedws_msgspec(ws: WebSocket[Union, Union]) -> None:
    async for message in ws:
        await ws.send(message)


typedws_msgspec = Starlette(routes=[_typedws_msgspec])
"""typedws @route typed by the Struct union (``StructCodec``), async for echo."""


async def _expert_msgspec(ws: StarletteWebSocket) -> None:
    await ws.accept()
    try:
        while True:
            try:
                message = DECODER.decode(await ws.receive_text())
            except msgspec.ValidationError:
                await ws.close(POLICY_VIOLATION)
                return
            await ws.send_text(ENCODER.encode(message).decode())
    except WebSocketDisconnect:
        pass


expert_msgspec = Starlette(routes=[WebSocketRoute("/", _expert_msgspec)])
"""An expert's Starlette loop: receive_text + Decoder.decode + Encoder.encode + send_text."""
