"""How a log line names a connection: the endpoint serving it, and the client's address."""

from __future__ import annotations

import ipaddress

from starlette.datastructures import Address
from starlette.types import Scope

__all__ = ["client_address", "endpoint_name"]


def endpoint_name(scope: Scope) -> str:
    """The name of the endpoint serving *scope*, or "an ASGI app"."""
    return str(getattr(scope.get("endpoint"), "__name__", "an ASGI app"))


def client_address(client: Address | None) -> str:
    """The client's address for a log line; never text a proxy header could have made up."""
    if client is None:
        return "an unknown client"
    try:
        host = ipaddress.ip_address(client.host)
    except ValueError:
        return "a client with an unreadable address"
    return f"{host}:{int(client.port)}"
