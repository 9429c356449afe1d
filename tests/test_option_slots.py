"""A route's WebSocket for each connection copies its template's options slot by slot
(``WebSocket.for_connection``): every slot is either such an option or the connection's own."""

from __future__ import annotations

from typing import Any, cast

from typedws import WebSocket
from typedws._connection import OPTION_SLOTS


def scope() -> dict[str, Any]:
    return {"type": "websocket", "path": "/", "headers": []}


async def never(*_: Any) -> Any:
    raise AssertionError("not called")


def slots_of(cls: type) -> set[str]:
    """Every slot the class and its bases declare."""
    names: set[str] = set()
    for base in cls.__mro__:
        declared = base.__dict__.get("__slots__", ())
        names.update((declared,) if isinstance(declared, str) else declared)
    return names


def set_slots(ws: WebSocket[Any, Any]) -> set[str]:
    return {name for name in slots_of(WebSocket) if hasattr(ws, name)}


def test_every_slot_is_an_option_or_the_connections_own() -> None:
    """The option slots and the slots a connection sets for itself (``_attach``) are apart and
    together every slot of WebSocket's hierarchy, so a slot added to neither list fails here."""
    template = WebSocket(scope(), never, never, model=dict[str, int], value_type="model")
    fresh = cast("WebSocket[Any, Any]", object.__new__(WebSocket))
    fresh._attach(template.connection, never, never)  # pyright: ignore[reportPrivateUsage]
    own = set_slots(fresh)
    assert not own & set(OPTION_SLOTS)
    assert own | set(OPTION_SLOTS) == slots_of(WebSocket)
    assert set_slots(template) == slots_of(WebSocket)  # built: every slot holds a value


def test_a_copy_shares_the_options_and_not_the_connection() -> None:
    """for_connection() gives the copy every option of its template, and a connection of its own."""
    template = WebSocket(scope(), never, never, model=dict[str, int], value_type="model")
    copy = template.for_connection(scope(), never, never)
    for name in OPTION_SLOTS:
        assert getattr(copy, name) is getattr(template, name), name
    assert copy.connection is not template.connection
