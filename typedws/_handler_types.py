"""The shapes of an endpoint's handlers and hooks, as mypy and pyright check them.

Each is a callback protocol with two call signatures. The first is what the endpoint takes:
the client message type, the endpoint's ``WebSocket[R, S]``, then any path parameters, and
what it may return. The second is the function's own, ``(**P) -> T``: a function fits only
when it has both, so the checkers hold it against the endpoint, and the decorators
(``Endpoint.on`` and the others) hand it back as ``Callable[P, T]``, as it was declared.

``T`` and ``P`` default to ``Awaitable[Any]`` and "any parameters": ``MessageHandler[V, R,
S]`` alone is the shape a handler of *V* has on an ``Endpoint[R, S]``. ``P`` comes last, as
CPython 3.13.0 cannot subscript a class whose defaulted ``ParamSpec`` has a defaulted
parameter after it.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, Protocol, overload

from typing_extensions import ParamSpec, TypeVar

if TYPE_CHECKING:
    from typedws.websocket import WebSocket

__all__ = ["ConnectHook", "DisconnectHook", "MessageHandler", "RequestHandler"]

R = TypeVar("R")
S = TypeVar("S")
V_contra = TypeVar("V_contra", contravariant=True)
Reply_co = TypeVar("Reply_co", covariant=True)
P = ParamSpec("P", default=...)
T_co = TypeVar("T_co", covariant=True, default=Awaitable[Any])


class MessageHandler(Protocol[V_contra, R, S, T_co, P]):
    """``async def handler(message: V, ws: WebSocket[R, S], **path_params) -> S | None``:
    what it returns, unless ``None``, is sent."""

    @overload
    def __call__(
        self, message: V_contra, ws: WebSocket[R, S], /, *args: Any, **kwargs: Any
    ) -> Awaitable[S | None]: ...
    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T_co: ...


class RequestHandler(Protocol[V_contra, R, S, Reply_co, T_co, P]):
    """``async def handler(request: V, ws: WebSocket[R, S], **path_params) -> Reply``: its
    reply, sent with the request's correlation id."""

    @overload
    def __call__(
        self, request: V_contra, ws: WebSocket[R, S], /, *args: Any, **kwargs: Any
    ) -> Awaitable[Reply_co]: ...
    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T_co: ...


class ConnectHook(Protocol[R, S, T_co, P]):
    """``async def on_connect(ws: WebSocket[R, S], **path_params) -> None``: runs before
    accept; may refuse."""

    @overload
    def __call__(self, ws: WebSocket[R, S], /, *args: Any, **kwargs: Any) -> Awaitable[None]: ...
    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T_co: ...


class DisconnectHook(Protocol[R, S, T_co, P]):
    """``async def on_disconnect(ws: WebSocket[R, S], **path_params) -> None``: runs once the
    connection is over; ``ws.close_code`` says how it ended."""

    @overload
    def __call__(self, ws: WebSocket[R, S], /, *args: Any, **kwargs: Any) -> Awaitable[None]: ...
    @overload
    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> T_co: ...
