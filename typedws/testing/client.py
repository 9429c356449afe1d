"""``TestClient``: the typed client on an ASGI app in the same event loop, for tests.

No server, no thread, no socket: ``TestClient(app).connect(path, ...)`` runs the app's real
routes and endpoints (Starlette routing, FastAPI, path parameters) as a task of the test's
own event loop, and gives the same ``typedws.Client`` as ``typedws.connect``, with a
default receive timeout so that a test waiting for a message that never comes fails in
seconds instead of hanging.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import TracebackType
from typing import Any, Literal, TypeVar, overload

from pydantic import TypeAdapter
from starlette.types import ASGIApp
from typing_extensions import Self, TypeForm, Unpack

from typedws.client import Client
from typedws.connecting import ClientOptions, Connecting, client_settings
from typedws.errors import InvalidState
from typedws.testing._asgi_transport import ASGIOpener
from typedws.testing._lifespan import Lifespan

__all__ = ["DEFAULT_TEST_TIMEOUT", "TestClient"]

T = TypeVar("T")
RM = TypeVar("RM")
SM = TypeVar("SM")

DEFAULT_TEST_TIMEOUT = 5.0
"""The test client's default receive, request, open and close timeout, in seconds."""


class TestClient:
    """Connect typed clients to an ASGI *app* in the test's own event loop.

    ``base_url`` gives the host, port and scheme the app sees; ``headers`` go with every
    connection (before each ``connect``'s ``additional_headers``)::

        async with TestClient(app).connect("/ws", receive_model=Server, send_model=Chat) as ws:
            await ws.send(Chat(text="hi"))
            assert await ws.receive() == Echo(text="hi")

    ``connect`` takes ``typedws.connect``'s options; ``receive_timeout``,
    ``request_timeout``, ``open_timeout`` and ``close_timeout`` default to
    ``DEFAULT_TEST_TIMEOUT`` (5 s) here. What the app raised (not what a typedws route
    turned into a close code) is raised again when the client closes.

    ``async with TestClient(app) as client`` runs the app's lifespan, as Starlette's
    ``TestClient`` does when used as a context manager: startup on entry (what it raised
    is raised there), shutdown on exit, and the state it yields is in each connection's
    scope (``ws.state``). ``connect`` outside ``async with`` runs no lifespan. Startup and
    shutdown each wait at most ``lifespan_timeout`` seconds.
    """

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        app: ASGIApp,
        *,
        base_url: str = "ws://testserver",
        headers: Mapping[str, str] | None = None,
        lifespan_timeout: float | None = DEFAULT_TEST_TIMEOUT,
    ) -> None:
        #: The app each connection runs.
        self.app: ASGIApp = app
        #: The scheme, host and port the app sees.
        self.base_url: str = base_url.rstrip("/")
        #: Headers sent with every connection.
        self.headers: dict[str, str] = dict(headers or {})
        #: How long the lifespan's startup and shutdown may each take, in seconds.
        self.lifespan_timeout: float | None = lifespan_timeout
        self._state: dict[str, Any] = {}  # the lifespan's state, copied into each scope
        self._lifespan: Lifespan | None = None

    async def __aenter__(self) -> Self:
        """Run the app's lifespan startup."""
        if self._lifespan is not None:
            raise InvalidState("the test client's lifespan is running already")
        lifespan = Lifespan(self.app, self._state, self.lifespan_timeout)
        self._lifespan = lifespan
        try:
            await lifespan.startup()
        except BaseException:
            self._lifespan = None
            raise
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Run the app's lifespan shutdown."""
        lifespan, self._lifespan = self._lifespan, None
        if lifespan is not None:
            await lifespan.shutdown()

    # BEGIN OVERLOADS TestClient.connect: written by scripts/overloads.py, edit the table there
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[str, str]],
    ) -> Connecting[str, str]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[str, bytes]],
    ) -> Connecting[str, bytes]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[str, Any]],
    ) -> Connecting[str, Any]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[ClientOptions[str, SM]],
    ) -> Connecting[str, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["text"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[ClientOptions[str, SM]],
    ) -> Connecting[str, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[bytes, str]],
    ) -> Connecting[bytes, str]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[bytes, bytes]],
    ) -> Connecting[bytes, bytes]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[bytes, Any]],
    ) -> Connecting[bytes, Any]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[ClientOptions[bytes, SM]],
    ) -> Connecting[bytes, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["bytes"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[ClientOptions[bytes, SM]],
    ) -> Connecting[bytes, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[Any, str]],
    ) -> Connecting[Any, str]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[Any, bytes]],
    ) -> Connecting[Any, bytes]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["json"],
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[Any, Any]],
    ) -> Connecting[Any, Any]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeForm[SM],
        **options: Unpack[ClientOptions[Any, SM]],
    ) -> Connecting[Any, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["json"],
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: TypeAdapter[SM],
        **options: Unpack[ClientOptions[Any, SM]],
    ) -> Connecting[Any, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[ClientOptions[RM, str]],
    ) -> Connecting[RM, str]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[ClientOptions[RM, bytes]],
    ) -> Connecting[RM, bytes]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: None = None,
        **options: Unpack[ClientOptions[RM, Any]],
    ) -> Connecting[RM, Any]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeForm[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["text"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[ClientOptions[RM, str]],
    ) -> Connecting[RM, str]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["bytes"],
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[ClientOptions[RM, bytes]],
    ) -> Connecting[RM, bytes]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["json"],
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: None = None,
        **options: Unpack[ClientOptions[RM, Any]],
    ) -> Connecting[RM, Any]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeForm[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["text"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[str, str]],
    ) -> Connecting[str, str]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["bytes"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[bytes, bytes]],
    ) -> Connecting[bytes, bytes]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["json"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[Any, Any]],
    ) -> Connecting[Any, Any]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeForm[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeForm[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeForm[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: None = None,
        receive_model: TypeAdapter[RM],
        send_model: TypeAdapter[SM],
        **options: Unpack[ClientOptions[RM, SM]],
    ) -> Connecting[RM, SM]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: TypeForm[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[T, T]],
    ) -> Connecting[T, T]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: None = None,
        receive_type: Literal["model"] | None = None,
        send_type: Literal["model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[T, T]],
    ) -> Connecting[T, T]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeForm[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[T, T]],
    ) -> Connecting[T, T]: ...
    @overload
    def connect(
        self,
        path: str,
        *,
        value_type: Literal["model"],
        receive_type: Literal["text", "bytes", "json", "model"] | None = None,
        send_type: Literal["text", "bytes", "json", "model"] | None = None,
        model: TypeAdapter[T],
        receive_model: None = None,
        send_model: None = None,
        **options: Unpack[ClientOptions[T, T]],
    ) -> Connecting[T, T]: ...
    # END OVERLOADS TestClient.connect
    def connect(self, path: str, **options: Any) -> Connecting[Any, Any]:
        """Connect to the app at *path* (with its query string, if any): ``async with`` the
        result, or ``await`` it, for a ``typedws.Client``."""
        for name in ("receive_timeout", "request_timeout", "open_timeout", "close_timeout"):
            options.setdefault(name, DEFAULT_TEST_TIMEOUT)
        settings, transport = client_settings(options)
        headers: list[tuple[str, str]] = list(self.headers.items())
        extra: Mapping[str, str] | Sequence[tuple[str, str]] = (
            transport.pop("additional_headers") or ()
        )
        headers += extra.items() if isinstance(extra, Mapping) else extra
        opener = ASGIOpener(
            self.app,
            self.base_url + path,
            additional_headers=headers,
            state=self._state,
            **transport,
        )
        return Connecting(Client(opener, settings))
