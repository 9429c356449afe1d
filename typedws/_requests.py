"""A client's pending requests: fresh correlation ids, and replies matched to them by id."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast

from typedws.codecs import MessageCodec, SchemaMode
from typedws.errors import ConfigurationError, InvalidMessage, RequestFailed

__all__ = ["PendingRequests", "check_request", "field_of"]


@dataclass(frozen=True)
class _Pending:
    reply: type[Any]
    future: asyncio.Future[Any]


class PendingRequests:
    """The requests a client sent and waits for, by correlation id."""

    def __init__(self, field: str, error_reply: type[Any] | None) -> None:
        self.field = field
        self._error_reply = error_reply
        self._pending: dict[str | int, _Pending] = {}
        self._ids = itertools.count(1)

    def __bool__(self) -> bool:
        return bool(self._pending)

    def fresh_id(self, current: object) -> str | int:
        """A new id, an int when the request's *current* id is one, else a str."""
        number = next(self._ids)
        return number if isinstance(current, int) and not isinstance(current, bool) else str(number)

    def add(self, correlation_id: str | int, reply: type[Any]) -> asyncio.Future[Any]:
        """Wait for the reply of type *reply* to the request *correlation_id*."""
        future = asyncio.get_running_loop().create_future()
        self._pending[correlation_id] = _Pending(reply, future)
        return future

    def discard(self, correlation_id: str | int) -> None:
        """Stop waiting for the reply to *correlation_id*."""
        self._pending.pop(correlation_id, None)

    def answer(self, value: Any) -> bool:
        """Give *value* to the request it answers, if any: a value of its reply type or an
        error reply with its id. Returns whether *value* was a reply."""
        key = _field_value(value, self.field)
        if key is None:
            return False
        pending = self._pending.get(key)
        if pending is None:
            return False
        if isinstance(value, pending.reply):
            del self._pending[key]
            _settle(pending.future, result=value)
            return True
        if self._error_reply is not None and isinstance(value, self._error_reply):
            del self._pending[key]
            _settle(pending.future, error=RequestFailed(value))
            return True
        return False

    def answer_invalid(self, error: InvalidMessage) -> bool:
        """Fail the request an invalid message answered (by its well-formed id), if any."""
        key = error.correlation_id
        pending = None if key is None else self._pending.pop(key, None)
        if pending is None:
            return False
        _settle(pending.future, error=error)
        return True

    def fail_all(self, error: BaseException) -> None:
        """Fail every pending request with *error*."""
        pending, self._pending = self._pending, {}
        for entry in pending.values():
            _settle(entry.future, error=error)


def check_request(
    send: MessageCodec[Any],
    receive: MessageCodec[Any],
    request: type[Any],
    reply: type[Any],
    field: str,
) -> None:
    """Raise ``ConfigurationError`` unless *request* is sent and *reply* received, both with
    the correlation id *field*."""
    if request not in send.members:
        raise ConfigurationError(f"{request.__name__} is not one of the messages sent")
    if reply not in receive.members:
        raise ConfigurationError(f"{reply.__name__} is not one of the messages received")
    sides: tuple[tuple[type[Any], MessageCodec[Any], SchemaMode], ...] = (
        (request, send, "serialization"),
        (reply, receive, "validation"),
    )
    for model, codec, mode in sides:
        if codec.field_key(model, field, mode) is None:
            raise ConfigurationError(f"{model.__name__} has no correlation id field {field!r}")


def field_of(value: Any, field: str) -> object:
    """What *field* holds in a message received: a ``json`` value's item, or a model's
    attribute; ``None`` when it has none."""
    if isinstance(value, Mapping):
        return cast("Mapping[str, object]", value).get(field)
    return getattr(value, field, None)


def _field_value(value: Any, field: str) -> str | int | None:
    found = field_of(value, field)
    if isinstance(found, (str, int)) and not isinstance(found, bool):
        return found
    return None


def _settle(
    future: asyncio.Future[Any], *, result: Any = None, error: BaseException | None = None
) -> None:
    if future.done():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)
