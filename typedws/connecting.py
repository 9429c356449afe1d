"""``typedws.connect``: open a typed ``Client`` over the ``websockets`` library.

The overloads that type it come from ``scripts/overloads.py`` (the same table as
``WebSocket``'s); the options are checked here, once, by ``client_settings`` (which
``typedws.testing.TestClient`` uses too).
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Generator, Mapping, Sequence
from types import TracebackType
from typing import Any, Generic, Literal, TypeVar, overload

from pydantic import TypeAdapter
from typing_extensions import TypedDict, TypeForm, Unpack

from typedws._client_settings import ClientSettings
from typedws._transport import Opener
from typedws.client import Client
from typedws.codes import FailureKind
from typedws.errors import ConfigurationError, InvalidMessage
from typedws.options import (
    DEFAULT_MAX_SIZE,
    TYPE_OPTIONS,
    OnInvalid,
    build_codecs,
    check_flags,
    check_option_names,
    check_policy,
    check_timeout,
    is_positive_int,
)
from typedws.reconnect import Reconnect, Resume

__all__ = ["ClientOptions", "Connecting", "client_settings", "connect"]

R = TypeVar("R")
S = TypeVar("S")
T = TypeVar("T")
RM = TypeVar("RM")
SM = TypeVar("SM")


class ClientOptions(TypedDict, Generic[R, S], total=False):
    """The keyword options of ``connect`` besides its value and message types."""

    on_invalid: OnInvalid
    invalid_reply: Callable[[InvalidMessage], S] | None
    close_codes: Mapping[FailureKind, int] | None
    max_size: int | None
    max_invalid: int
    show_validator_messages: bool
    correlation_id: str
    check_send_fields: bool
    subprotocols: Sequence[str] | None
    additional_headers: Mapping[str, str] | Sequence[tuple[str, str]] | None
    open_timeout: float | None
    close_timeout: float | None
    receive_timeout: float | None
    request_timeout: float | None
    reconnect: bool | Reconnect
    on_reconnect: Callable[[Client[R, S]], Awaitable[None]] | None
    queue_size: int
    resume: bool | Resume


CLIENT_OPTION_NAMES = frozenset((*TYPE_OPTIONS, *ClientOptions.__optional_keys__))
"""Every keyword option ``connect`` takes."""


class Connecting(Generic[R, S]):
    """What ``connect()`` returns: ``async with`` it, or ``await`` it, for the ``Client``.

    ``async with connect(...) as client:`` connects, and closes on exit (with 1000, or
    1011 when the block raised); ``client = await connect(...)`` connects, and the caller
    closes (``await client.close()``, or ``async with client:``).
    """

    def __init__(self, client: Client[R, S]) -> None:
        self._client = client

    def __await__(self) -> Generator[Any, None, Client[R, S]]:
        return self._client.open().__await__()

    async def __aenter__(self) -> Client[R, S]:
        return await self._client.open()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self._client.__aexit__(exc_type, exc, traceback)


# BEGIN OVERLOADS connect: written by scripts/overloads.py, edit the table there
@overload
def connect(
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
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
    url: str,
    *,
    value_type: Literal["model"],
    receive_type: Literal["text", "bytes", "json", "model"] | None = None,
    send_type: Literal["text", "bytes", "json", "model"] | None = None,
    model: TypeAdapter[T],
    receive_model: None = None,
    send_model: None = None,
    **options: Unpack[ClientOptions[T, T]],
) -> Connecting[T, T]: ...
# END OVERLOADS connect
def connect(url: str, **options: Any) -> Connecting[Any, Any]:
    """Connect to the WebSocket server at *url* (``ws://`` or ``wss://``) with a typed client.

    ``async with connect(url, receive_model=ServerMessage, send_model=ClientMessage) as
    client:`` gives a ``Client[ServerMessage, ClientMessage]``. The value and message type
    options are the server's, seen from the client: ``receive_model`` is what the server
    sends. So are ``on_invalid``, ``invalid_reply``, ``close_codes``, ``max_size``,
    ``max_invalid``, ``show_validator_messages`` and ``check_send_fields``;
    ``correlation_id`` (default ``"id"``) names the field requests carry their id in. The
    client's own: ``subprotocols``, ``additional_headers``, ``open_timeout`` (10 s),
    ``close_timeout`` (10 s), ``receive_timeout`` (``None``: wait as long as it takes),
    ``request_timeout`` (30 s), ``reconnect`` (``False``; ``True`` or a ``Reconnect``),
    ``on_reconnect`` (an ``async`` function of the client, run after each reconnect),
    ``queue_size`` (1024 messages received and not read yet) and ``resume`` (``False``;
    ``True`` or a ``Resume``: reconnect with the last offset received). Needs the ``websockets``
    library: ``pip install 'typedws[client]'``.
    """
    settings, transport = client_settings(options)
    try:
        from typedws._websockets_transport import WebsocketsOpener
    except ImportError as exc:  # pragma: no cover - the extra is installed in the tests
        raise ConfigurationError(
            "typedws.connect needs the websockets library: pip install 'typedws[client]'"
        ) from exc
    opener: Opener = WebsocketsOpener(url, max_size=settings.codecs.receive.max_size, **transport)
    return Connecting(Client(opener, settings))


def client_settings(options: dict[str, Any]) -> tuple[ClientSettings, dict[str, Any]]:
    """The settings of a client with *options*, and the options of its transport; raises
    ``ConfigurationError`` naming the first option that cannot work."""
    check_option_names(options, CLIENT_OPTION_NAMES)
    get = options.get
    on_invalid: OnInvalid = get("on_invalid") or "close"
    invalid_reply: Callable[[InvalidMessage], Any] | None = get("invalid_reply")
    max_invalid: int = _or_default(get("max_invalid"), 10)
    check_policy(on_invalid, invalid_reply, max_invalid)
    show_validator_messages: bool = get("show_validator_messages") or False
    check_send_fields: bool = get("check_send_fields") or False
    check_flags(
        show_validator_messages=show_validator_messages, check_send_fields=check_send_fields
    )
    correlation_id: str = get("correlation_id") or "id"
    codecs = build_codecs(
        value_type=get("value_type"),
        receive_type=get("receive_type"),
        send_type=get("send_type"),
        model=get("model"),
        receive_model=get("receive_model"),
        send_model=get("send_model"),
        max_size=options.get("max_size", DEFAULT_MAX_SIZE),
        close_codes=get("close_codes"),
        show_validator_messages=show_validator_messages,
        correlation_id=correlation_id,
        check_send_fields=check_send_fields,
    )
    timeouts = {
        name: check_timeout(name, options[name]) if name in options else default
        for name, default in (
            ("open_timeout", 10.0),
            ("close_timeout", 10.0),
            ("receive_timeout", None),
            ("request_timeout", 30.0),
        )
    }
    hook = get("on_reconnect")
    if hook is not None and not inspect.iscoroutinefunction(hook):
        raise ConfigurationError(f"on_reconnect must be an async function, not {hook!r}")
    queue_size: object = _or_default(get("queue_size"), 1024)
    if not is_positive_int(queue_size):
        raise ConfigurationError(f"queue_size must be a positive int, not {queue_size!r}")
    reconnect = _reconnect(get("reconnect"))
    resume = _resume(get("resume"), reconnect, codecs.receive.value_type)
    settings = ClientSettings(
        codecs=codecs,
        on_invalid=on_invalid,
        invalid_reply=invalid_reply,
        max_invalid=max_invalid,
        correlation_id=correlation_id,
        receive_timeout=timeouts["receive_timeout"],
        request_timeout=timeouts["request_timeout"],
        close_timeout=timeouts["close_timeout"],
        reconnect=reconnect,
        on_reconnect=hook,
        queue_size=queue_size,
        resume=resume,
    )
    transport = {
        "subprotocols": get("subprotocols"),
        "additional_headers": get("additional_headers"),
        "open_timeout": timeouts["open_timeout"],
        "close_timeout": timeouts["close_timeout"],
    }
    return settings, transport


def _or_default(value: Any, default: int) -> Any:
    return default if value is None else value


def _reconnect(value: object) -> Reconnect | None:
    if value is None or value is False:
        return None
    if value is True:
        return Reconnect()
    if isinstance(value, Reconnect):
        return value
    raise ConfigurationError(f"reconnect must be True, False or a Reconnect, not {value!r}")


def _resume(value: object, reconnect: Reconnect | None, receive_type: str) -> Resume | None:
    if value is None or value is False:
        return None
    resume = Resume() if value is True else value
    if not isinstance(resume, Resume):
        raise ConfigurationError(f"resume must be True, False or a Resume, not {value!r}")
    if reconnect is None:
        raise ConfigurationError("resume resumes after a reconnect: give reconnect= too")
    if receive_type not in ("model", "json"):
        raise ConfigurationError(
            f"resume reads an offset field of the messages received: it needs a receive"
            f" type of 'model' or 'json', not {receive_type!r}"
        )
    return resume
