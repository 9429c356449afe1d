"""What a connection tells about itself: the Starlette attributes a typed ``WebSocket`` shows."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import URL, Address, Headers, QueryParams, State
from starlette.types import Scope
from starlette.websockets import WebSocket as StarletteWebSocket
from starlette.websockets import WebSocketState

__all__ = ["ConnectionAttributes"]


class ConnectionAttributes:
    """The handshake's attributes and the connection states, read from Starlette's ``WebSocket``."""

    __slots__ = ()

    connection: StarletteWebSocket
    """The Starlette ``WebSocket`` this one wraps: headers, URL, state and the rest."""

    @property
    def scope(self) -> Scope:
        """The ASGI scope."""
        return self.connection.scope

    @property
    def app(self) -> Any:
        """The ASGI app serving the connection."""
        return self.connection.app

    @property
    def url(self) -> URL:
        """The URL the client connected to."""
        return self.connection.url

    @property
    def base_url(self) -> URL:
        """The URL of the app's root."""
        return self.connection.base_url

    @property
    def headers(self) -> Headers:
        """The handshake request's headers."""
        return self.connection.headers

    @property
    def query_params(self) -> QueryParams:
        """The URL's query parameters."""
        return self.connection.query_params

    @property
    def path_params(self) -> dict[str, Any]:
        """The route's path parameters."""
        return self.connection.path_params

    @property
    def cookies(self) -> dict[str, str]:
        """The handshake request's cookies."""
        return self.connection.cookies

    @property
    def client(self) -> Address | None:
        """The client's host and port."""
        return self.connection.client

    @property
    def state(self) -> State:
        """Per-connection state, as in Starlette."""
        return self.connection.state

    @property
    def session(self) -> dict[str, Any]:
        """The session (needs Starlette's ``SessionMiddleware``)."""
        return self.connection.session

    @property
    def client_state(self) -> WebSocketState:
        """Where the client side of the connection is: connecting, connected, disconnected."""
        return self.connection.client_state

    @property
    def application_state(self) -> WebSocketState:
        """Where the app side of the connection is: connecting, connected, disconnected."""
        return self.connection.application_state
