"""FastAPI's dependencies and prefixes for typed routes and endpoints added with
``add_typed_route``: router, include and route ``dependencies=``, ``Depends``, ``Query``,
``Header`` and ``Cookie`` parameters, both prefix forms, over a real uvicorn, and found by
schema export at their real addresses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Literal

import pytest
from fastapi import (
    APIRouter,
    Cookie,
    Depends,
    FastAPI,
    Header,
    HTTPException,
    Query,
    WebSocketException,
)
from pydantic import BaseModel
from starlette.middleware import Middleware
from websockets.exceptions import InvalidStatus

from tests.messages import Ping
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, run_server
from tests.test_readme import run_examples
from tests.test_routing import Tagging
from typedws import Endpoint, WebSocket, WebSocketRoute, route
from typedws.cli import main
from typedws.fastapi import add_typed_route
from typedws.schema import typed_routes

calls: list[str] = []


def check_token(token: Annotated[str | None, Query()] = None) -> str:
    """Admits the token "good"; refuses no token with close code 4401 (WebSocketException)
    and another token with HTTP 401 (HTTPException)."""
    calls.append(f"token {token}")
    if token is None:
        raise WebSocketException(code=4401, reason="no token")
    if token != "good":
        raise HTTPException(status_code=401, detail="bad token")
    return token


def current_user(x_user: Annotated[str, Header()]) -> str:
    """The user the x-user header names."""
    return x_user


def audit() -> None:
    """Records that the route's own dependency ran."""
    calls.append("audit")


@route("/echo", model=Ping)
async def echo(ws: WebSocket[Ping, Ping]) -> None:
    """Echoes pings."""
    async for ping in ws:
        await ws.send(ping)


@route("/whoami")
async def whoami(
    ws: WebSocket[str, str],
    user: Annotated[str, Depends(current_user)],
    lang: Annotated[str, Query()] = "en",
    session: Annotated[str | None, Cookie()] = None,
) -> None:
    """Sends what FastAPI solved: the user a dependency returned, a query parameter and a
    cookie."""
    await ws.send(f"{user} {lang} {session}")


@route("/rooms/{room}")
async def room_number(ws: WebSocket[str, str], room: int) -> None:
    """Sends the room number, doubled: FastAPI validated the path parameter as an int."""
    await ws.send(str(room * 2))


@route("/tagged", middleware=[Middleware(Tagging)])
async def tagged(ws: WebSocket[str, str], user: Annotated[str, Depends(current_user)]) -> None:
    """Sends the header its middleware added and the user its dependency returned."""
    await ws.send(f"{ws.headers['x-tag']} {user}")


class Hello(BaseModel):
    type: Literal["hello"]


class Greeting(BaseModel):
    type: Literal["greeting"] = "greeting"
    text: str


desk = Endpoint(receive_model=Hello, send_model=Greeting)


@desk.on_connect
async def connected(
    ws: WebSocket[Hello, Greeting], user: Annotated[str, Depends(current_user)]
) -> None:
    """Keeps the user a dependency returned for the handlers."""
    ws.state.user = user


@desk.on(Hello)
async def hello(message: Hello, ws: WebSocket[Hello, Greeting], org: str) -> Greeting:
    """Greets the user on_connect kept, in the org of the path."""
    return Greeting(text=f"hello {ws.state.user} of {org}")


def build_app() -> FastAPI:
    """Typed routes and an endpoint added to routers with their own prefix and dependencies,
    included with prefixes and dependencies, nested, and added to the app itself."""
    guarded = APIRouter(prefix="/v2", dependencies=[Depends(check_token)])
    add_typed_route(guarded, echo)
    add_typed_route(guarded, tagged)

    people = APIRouter()
    add_typed_route(people, whoami, dependencies=[Depends(audit)])
    inner = APIRouter(prefix="/inner")
    add_typed_route(inner, room_number)
    people.include_router(inner, prefix="/nested")

    orgs = APIRouter(prefix="/orgs/{org}")
    add_typed_route(orgs, desk.route("/desk", name="desk"))

    api = FastAPI()
    api.include_router(guarded, prefix="/v1")
    api.include_router(people, prefix="/people", dependencies=[Depends(check_token)])
    api.include_router(orgs)
    add_typed_route(api, WebSocketRoute("/plain", echo.handler_app, name="plain"))
    return api


app = build_app()


@pytest.fixture(scope="module", params=WS_IMPLEMENTATIONS)
def url(request: pytest.FixtureRequest) -> Iterator[str]:
    """The FastAPI app under uvicorn, once per WebSocket implementation."""
    with run_server(app, ws=request.param) as base:
        yield base


def refusal(address: str, **options: object) -> tuple[int, bytes]:
    """The HTTP status and body a refused handshake to *address* got."""
    with pytest.raises(InvalidStatus) as refused:
        connect(address, **options)
    response = refused.value.response
    return response.status_code, bytes(response.body or b"")


def test_a_routers_dependency_admits_a_good_token_under_both_prefixes(url: str) -> None:
    """A dependency of the router the typed route was added to runs and admits: the route
    is served under the router's own prefix and the include's (/v1/v2/echo)."""
    calls.clear()
    with connect(f"{url}/v1/v2/echo?token=good") as client:
        client.send('{"type":"ping","seq":3}')
        assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 3}
    assert calls == ["token good"]


def test_a_routers_dependency_refuses_before_accept(url: str) -> None:
    """The router's dependency refuses the handshake: HTTPException is its HTTP status,
    WebSocketException a 403, before accept, as for @router.websocket."""
    assert refusal(f"{url}/v1/v2/echo?token=bad") == (401, b'{"detail":"bad token"}')
    assert refusal(f"{url}/v1/v2/echo") == (403, b"")


def test_the_router_prefix_alone_is_not_served(url: str) -> None:
    """The typed route is not served without the router's own prefix (/v1/echo)."""
    assert refusal(f"{url}/v1/echo?token=good")[0] == 403


def test_an_include_dependency_runs_and_its_results_reach_the_handler(url: str) -> None:
    """include_router(dependencies=...) runs for a typed route, with the route's own
    dependencies=; a Depends, a Query, a Header and a Cookie parameter reach the handler."""
    calls.clear()
    headers = {"x-user": "ann", "cookie": "session=s1"}
    with connect(f"{url}/people/whoami?token=good&lang=fr", additional_headers=headers) as client:
        assert client.recv(timeout=10) == "ann fr s1"
    assert calls == ["token good", "audit"]
    assert refusal(f"{url}/people/whoami?token=bad", additional_headers=headers)[0] == 401


def test_a_missing_header_refuses_the_handshake(url: str) -> None:
    """A required Header parameter that is missing refuses the handshake, before accept."""
    assert refusal(f"{url}/people/whoami?token=good")[0] == 403


def test_nested_routers_keep_prefixes_dependencies_and_path_types(url: str) -> None:
    """A typed route in a router nested in an included router gets every prefix and the
    outer include's dependency; FastAPI validates its path parameter as the handler types
    it."""
    with connect(f"{url}/people/nested/inner/rooms/21?token=good") as client:
        assert client.recv(timeout=10) == "42"
    assert refusal(f"{url}/people/nested/inner/rooms/21")[0] == 403
    assert refusal(f"{url}/people/nested/inner/rooms/lobby?token=good")[0] == 403


def test_route_middleware_runs_after_the_dependencies(url: str) -> None:
    """A typed route's middleware= still runs, and its handler gets its dependency's value."""
    with connect(f"{url}/v1/v2/tagged?token=good", additional_headers={"x-user": "bo"}) as c:
        assert c.recv(timeout=10) == "tagged bo"


def test_an_endpoints_on_connect_gets_its_dependencies(url: str) -> None:
    """An endpoint's on_connect receives what its Depends parameter returned; a missing
    header refuses the handshake before on_connect runs."""
    with connect(f"{url}/orgs/acme/desk", additional_headers={"x-user": "cy"}) as client:
        client.send('{"type": "hello"}')
        assert json.loads(client.recv(timeout=10)) == {
            "type": "greeting",
            "text": "hello cy of acme",
        }
    assert refusal(f"{url}/orgs/acme/desk")[0] == 403


def test_a_typed_route_added_to_the_app_is_typed(url: str) -> None:
    """A typed route added to the app itself keeps the close-code table."""
    with connect(f"{url}/plain") as client:
        client.send('{"type":"ping"}')
        assert close_of(client) == (1008, "invalid message: seq: Field required")


def test_schema_export_finds_each_route_at_its_real_address(tmp_path: Path) -> None:
    """Schema export lists the typed routes added with add_typed_route at the addresses
    they are served at, and writes their files."""
    assert {typed.name: typed.address for typed in typed_routes(app)} == {
        "echo": "/v1/v2/echo",
        "tagged": "/v1/v2/tagged",
        "whoami": "/people/whoami",
        "room_number": "/people/nested/inner/rooms/{room}",
        "desk": "/orgs/{org}/desk",
        "plain": "/plain",
    }
    module = "tests.test_fastapi_dependencies:app"
    assert main(["schema", "export", module, "--out", str(tmp_path)]) == 0
    asyncapi = json.loads((tmp_path / "asyncapi.json").read_text(encoding="utf-8"))
    assert asyncapi["channels"]["echo"]["address"] == "/v1/v2/echo"
    assert asyncapi["channels"]["desk"]["address"] == "/orgs/{org}/desk"
    assert (tmp_path / "echo.client.schema.json").is_file()


@pytest.mark.parametrize("ws", WS_IMPLEMENTATIONS)
def test_an_apps_own_dependencies_run(ws: str) -> None:
    """FastAPI(dependencies=...) runs for a typed route added to the app itself."""
    guarded = FastAPI(dependencies=[Depends(check_token)])
    add_typed_route(guarded, echo)
    with run_server(guarded, ws=ws) as base:
        assert refusal(f"{base}/echo")[0] == 403
        with connect(f"{base}/echo?token=good") as client:
            client.send('{"type":"ping","seq":1}')
            assert json.loads(client.recv(timeout=10)) == {"type": "ping", "seq": 1}


@pytest.mark.parametrize("ws", WS_IMPLEMENTATIONS)
def test_the_readme_fastapi_example(ws: str) -> None:
    """The README's FastAPI example: the router's token check refuses and admits under both
    prefixes, the signed chat gets the user its header dependency returned, and the route
    added to the app itself is served at its own path."""
    api = run_examples()["api"]
    with run_server(api, ws=ws) as base:
        assert refusal(f"{base}/v1/v2/chat/lobby")[0] == 403
        with connect(f"{base}/v1/v2/chat/lobby?token=secret") as client:
            client.send('{"type": "say", "text": "hi"}')
            assert json.loads(client.recv(timeout=10)) == {"name": "anonymous", "text": "hi"}
        address = f"{base}/v1/v2/signed/lobby?token=secret"
        with connect(address, additional_headers={"x-user": "ann"}) as client:
            client.send('{"type": "say", "text": "hi"}')
            assert json.loads(client.recv(timeout=10)) == {"name": "ann in lobby", "text": "hi"}
        with connect(f"{base}/chat/lobby") as client:
            client.send('{"type": "join", "name": "bo"}')
            client.send('{"type": "say", "text": "hi"}')
            assert json.loads(client.recv(timeout=10)) == {"name": "bo", "text": "hi"}
