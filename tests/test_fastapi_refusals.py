"""The FastAPI forms that would skip dependencies or a router's prefix are refused: a typed
route put in a FastAPI router's routes as a Starlette route (appended, ``routes=``, the app's
own routes) is never served, and schema export and ``add_typed_route`` raise
``ConfigurationError`` naming the form; a Starlette app mounted in FastAPI still serves its
typed routes."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

import pytest
from fastapi import APIRouter, Depends, FastAPI, Query, WebSocketException
from starlette.applications import Starlette
from starlette.routing import Mount
from starlette.routing import WebSocketRoute as StarletteWebSocketRoute
from websockets.exceptions import InvalidStatus

from tests.server import WS_IMPLEMENTATIONS, connect, run_server
from typedws import ConfigurationError, WebSocket, route
from typedws.fastapi import add_typed_route
from typedws.schema import typed_routes


def check_token(token: Annotated[str | None, Query()] = None) -> None:
    """Refuses every connection without the token "good"."""
    if token != "good":
        raise WebSocketException(code=1008)


@route("/echo")
async def echo(ws: WebSocket[str, str]) -> None:
    """Echoes text."""
    async for text in ws:
        await ws.send(text)


@route("/mounted")
async def mounted(ws: WebSocket[str, str]) -> None:
    """Sends one text."""
    await ws.send("served")


def guarded_include() -> FastAPI:
    """A typed route appended to a router included with a token dependency."""
    router = APIRouter()
    router.routes.append(echo)
    api = FastAPI()
    api.include_router(router, prefix="/v1", dependencies=[Depends(check_token)])
    return api


def prefixed_router() -> FastAPI:
    """A typed route appended to a router with its own prefix."""
    router = APIRouter(prefix="/v2")
    router.routes.append(echo)
    api = FastAPI()
    api.include_router(router)
    return api


def routes_argument() -> FastAPI:
    """A typed route given to a guarded router as routes=."""
    api = FastAPI()
    api.include_router(APIRouter(routes=[echo], dependencies=[Depends(check_token)]))
    return api


def app_routes() -> FastAPI:
    """A typed route appended to a guarded app's own routes."""
    api = FastAPI(dependencies=[Depends(check_token)])
    api.router.routes.append(echo)
    return api


def starlette_inside() -> FastAPI:
    """A Starlette app with a typed route, mounted in a FastAPI app."""
    api = FastAPI()
    api.router.routes.append(Mount("/starlette", app=Starlette(routes=[mounted])))
    return api


REFUSED = {
    "guarded include": (guarded_include(), "/v1/echo"),
    "prefixed router": (prefixed_router(), "/echo"),
    "routes=": (routes_argument(), "/echo"),
    "app routes": (app_routes(), "/echo"),
}


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def urls(request: pytest.FixtureRequest) -> Iterator[dict[str, str]]:
    """Each app under uvicorn, once per WebSocket implementation."""
    apps: dict[str, Any] = {name: api for name, (api, _) in REFUSED.items()}
    apps["starlette inside"] = starlette_inside()
    with (
        run_server(apps["guarded include"], ws=request.param) as a,
        run_server(apps["prefixed router"], ws=request.param) as b,
        run_server(apps["routes="], ws=request.param) as c,
        run_server(apps["app routes"], ws=request.param) as d,
        run_server(apps["starlette inside"], ws=request.param) as e,
    ):
        yield dict(zip(apps, (a, b, c, d, e), strict=True))


@pytest.mark.parametrize("form", list(REFUSED))
def test_a_starlette_typed_route_in_fastapis_routing_is_refused(
    form: str, urls: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """A typed route FastAPI reaches as a Starlette route is refused before accept (HTTP
    403), even with the token its dependency wants, and the log says how to add it."""
    _, path = REFUSED[form]
    with caplog.at_level(logging.ERROR, logger="typedws"), pytest.raises(InvalidStatus) as info:
        connect(f"{urls[form]}{path}?token=good")
    assert info.value.response.status_code == 403
    assert "add_typed_route" in caplog.text


def test_the_prefix_a_router_would_drop_is_not_served(urls: dict[str, str]) -> None:
    """The appended route is not served under its router's prefix either."""
    with pytest.raises(InvalidStatus) as info:
        connect(f"{urls['prefixed router']}/v2/echo")
    assert info.value.response.status_code == 403


def test_a_starlette_app_mounted_in_fastapi_serves_its_typed_routes(
    urls: dict[str, str],
) -> None:
    """A Starlette app mounted in a FastAPI app keeps Starlette's routing: served."""
    with connect(f"{urls['starlette inside']}/starlette/mounted") as client:
        assert client.recv(timeout=10) == "served"
    assert [r.address for r in typed_routes(starlette_inside())] == ["/starlette/mounted"]


@pytest.mark.parametrize("form", list(REFUSED))
def test_schema_export_refuses_the_form(form: str) -> None:
    """Schema discovery raises ConfigurationError naming the route and add_typed_route."""
    api, _ = REFUSED[form]
    with pytest.raises(ConfigurationError, match=r"'echo'.*add_typed_route"):
        typed_routes(api)


def test_add_typed_route_refuses_a_positional_only_parameter() -> None:
    """A handler parameter FastAPI cannot pass by name is refused when the route is added."""

    async def handler(ws: WebSocket[str, str], room: str, /) -> None: ...

    with pytest.raises(ConfigurationError, match=r"'room' of .*handler is positional-only"):
        add_typed_route(APIRouter(), route("/r/{room}")(handler))


def test_add_typed_route_refuses_an_annotation_it_cannot_evaluate() -> None:
    """A handler annotation that names nothing is refused when the route is added."""

    async def handler(ws: WebSocket[str, str], user: Missing) -> None: ...  # noqa: F821

    with pytest.raises(ConfigurationError, match="cannot be evaluated"):
        add_typed_route(APIRouter(), route("/r")(handler))


def test_add_typed_route_refuses_what_is_not_a_typed_route() -> None:
    """A FastAPI or Starlette route of another kind is refused, named."""
    with pytest.raises(ConfigurationError, match="takes a typedws route"):
        add_typed_route(APIRouter(), StarletteWebSocketRoute("/x", echo.handler_app))  # type: ignore[arg-type]
