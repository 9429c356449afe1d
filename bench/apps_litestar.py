"""The Litestar contender, apart from ``bench.apps`` so that the others run without Litestar.

Litestar's DTOs take no union, so the listener takes the frame's text and validates it with
the same ``TypeAdapter`` as the other contenders; a ``WebSocketException`` closes with 1008.
"""

from __future__ import annotations

from litestar import Litestar, websocket_listener
from litestar.exceptions import WebSocketException
from pydantic import ValidationError

from bench.messages import ADAPTER

POLICY_VIOLATION = 1008


@websocket_listener("/")
async def _echo(data: str) -> str:
    try:
        message = ADAPTER.validate_json(data)
    except ValidationError:
        raise WebSocketException(detail="invalid message", code=POLICY_VIOLATION) from None
    return ADAPTER.dump_json(message).decode()


app = Litestar(route_handlers=[_echo])
