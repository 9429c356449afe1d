"""The options of a typed ``WebSocket``, checked once when it is built.

Pure: turns value types, message types and the close policy into codecs and settings, or
raises ``ConfigurationError``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeGuard, TypeVar, cast

from typing_extensions import TypedDict

from typedws.codecs import (
    VALUE_TYPES,
    BytesCodec,
    Codec,
    JSONCodec,
    MessageCodec,
    ModelCodec,
    TextCodec,
    ValueType,
    adapter_for,
)
from typedws.codecs._message_types import is_struct_type
from typedws.codes import FailureKind, resolve_close_codes
from typedws.errors import ConfigurationError, InvalidMessage

__all__ = [
    "DEFAULT_MAX_SIZE",
    "DEFAULT_SEND_TIMEOUT",
    "OPTION_NAMES",
    "TYPE_OPTIONS",
    "CaughtCloseCodes",
    "Codecs",
    "OnInvalid",
    "SocketOptions",
    "build_codecs",
    "check_flags",
    "check_option_names",
    "check_policy",
    "check_timeout",
    "is_positive_int",
    "needs_model",
    "resolve_caught_close_codes",
]

S = TypeVar("S")
T = TypeVar("T")

OnInvalid = Literal["close", "raise", "reply"]
"""What a receive does with a message that does not fit: see ``WebSocket``."""

CaughtCloseCodes = Collection[int] | Callable[[Iterable[object]], bool]
"""A collection of close codes, or the builtin ``all`` for every code."""

DEFAULT_MAX_SIZE = 1_048_576
"""The ``max_size`` of a socket that leaves it out: 1 MiB (``max_size=None``: no limit)."""

DEFAULT_SEND_TIMEOUT = 10.0
"""The ``send_timeout`` of a socket that leaves it out, in seconds (``None``: no limit)."""


class SocketOptions(TypedDict, Generic[S], total=False):
    """The keyword options every ``WebSocket`` takes besides its value and message types."""

    catch_disconnect: bool
    caught_close_codes: CaughtCloseCodes | None
    auto_accept: bool
    on_invalid: OnInvalid
    invalid_reply: Callable[[InvalidMessage], S] | None
    close_codes: Mapping[FailureKind, int] | None
    max_size: int | None
    max_invalid: int
    show_validator_messages: bool
    correlation_id: str | None
    check_send_fields: bool
    allowed_origins: Collection[str] | None
    subprotocols: Sequence[str] | None
    idle_timeout: float | None
    send_timeout: float | None


@dataclass(frozen=True)
class Codecs:
    """The codecs of one ``WebSocket``: one per value type, and each direction's choice."""

    text: TextCodec
    bytes: BytesCodec
    json: JSONCodec
    receive_model: MessageCodec[Any] | None
    send_model: MessageCodec[Any] | None
    receive: Codec[Any]
    send: Codec[Any]


def build_codecs(
    *,
    value_type: ValueType | None,
    receive_type: ValueType | None,
    send_type: ValueType | None,
    model: Any,
    receive_model: Any,
    send_model: Any,
    max_size: int | None,
    close_codes: Mapping[FailureKind, int] | None,
    show_validator_messages: bool = False,
    correlation_id: object = None,
    check_send_fields: bool = False,
) -> Codecs:
    """Return the codecs for these options, or raise ``ConfigurationError`` naming the option.

    ``value_type`` sets both directions and overrides ``receive_type`` / ``send_type`` when
    those are given too; ``model`` excludes ``receive_model`` and ``send_model``.
    """
    if max_size is not None and not is_positive_int(max_size):
        raise ConfigurationError(f"max_size must be a positive int or None, not {max_size!r}")
    try:
        table = resolve_close_codes(close_codes)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"close_codes: {exc}") from None
    _check_value_types(value_type=value_type, receive_type=receive_type, send_type=send_type)
    if model is not None and (receive_model is not None or send_model is not None):
        raise ConfigurationError("give model= or receive_model=/send_model=, not both")
    receive_option = _model_option("receive", model, receive_model)
    send_option = _model_option("send", model, send_model)
    receive = _direction_type("receive", value_type, receive_type, receive_option)
    send = _direction_type("send", value_type, send_type, send_option)
    if correlation_id is not None and not (
        isinstance(correlation_id, str) and correlation_id.isidentifier()
    ):
        raise ConfigurationError(
            f"correlation_id must be a field name or None, not {correlation_id!r}"
        )
    field = correlation_id if isinstance(correlation_id, str) else None
    receive_codec = _model_codec(
        receive_option,
        model if receive_model is None else receive_model,
        max_size,
        table,
        show_validator_messages,
        field,
    )
    send_codec = _model_codec(
        send_option,
        model if send_model is None else send_model,
        max_size,
        table,
        False,
        None,
        check_fields=check_send_fields,
    )
    text = TextCodec(max_size=max_size, close_codes=table)
    binary = BytesCodec(max_size=max_size, close_codes=table)
    json = JSONCodec(max_size=max_size, close_codes=table)
    shared: dict[str, Codec[Any]] = {"text": text, "bytes": binary, "json": json}
    return Codecs(
        text=text,
        bytes=binary,
        json=json,
        receive_model=receive_codec,
        send_model=send_codec,
        receive=_chosen(receive, shared, receive_codec),
        send=_chosen(send, shared, send_codec),
    )


def _check_value_types(**options: object) -> None:
    """Raise ``ConfigurationError`` naming the first of *options* that is not a value type."""
    for name, value in options.items():
        if value is not None and value not in VALUE_TYPES:
            known = ", ".join(repr(known) for known in VALUE_TYPES)
            raise ConfigurationError(f"{name} must be one of {known}, not {value!r}")


TYPE_OPTIONS = ("value_type", "receive_type", "send_type", "model", "receive_model", "send_model")
"""The options that choose the value and message types."""

OPTION_NAMES = frozenset((*TYPE_OPTIONS, *SocketOptions.__optional_keys__))
"""Every keyword option a ``WebSocket`` (and so a route) takes."""


def check_option_names(options: Iterable[str], /, known: frozenset[str] = OPTION_NAMES) -> None:
    """Raise ``ConfigurationError`` naming the first option not in *known* (a ``WebSocket``'s
    by default), with the likely name suggested."""
    for name in options:
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f": did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(f"unknown option {name!r}{hint}")


def check_flags(**flags: object) -> None:
    """Raise ``ConfigurationError`` naming the first of *flags* that is not a bool."""
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise ConfigurationError(f"{name} must be True or False, not {value!r}")


def check_policy(
    on_invalid: OnInvalid,
    invalid_reply: Callable[[InvalidMessage], Any] | None,
    max_invalid: object,
) -> None:
    """Raise ``ConfigurationError`` unless *on_invalid* is a policy that can work."""
    if not isinstance(max_invalid, int) or isinstance(max_invalid, bool) or max_invalid < 0:
        raise ConfigurationError(f"max_invalid must be an int of 0 or more, not {max_invalid!r}")
    if on_invalid not in ("close", "raise", "reply"):
        raise ConfigurationError(
            f"unknown on_invalid {on_invalid!r}: use 'close', 'raise' or 'reply'"
        )
    if on_invalid == "reply" and invalid_reply is None:
        raise ConfigurationError("on_invalid='reply' needs invalid_reply=")
    if invalid_reply is not None and not callable(invalid_reply):
        raise ConfigurationError(f"invalid_reply must be a function, not {invalid_reply!r}")
    if invalid_reply is not None and on_invalid != "reply":
        raise ConfigurationError(
            f"invalid_reply is used only with on_invalid='reply', not {on_invalid!r}"
        )


def check_timeout(name: str, value: object) -> float | None:
    """*value* as seconds, or ``ConfigurationError`` naming the option *name*."""
    if value is None:
        return None
    if (
        not isinstance(value, (int, float))
        or isinstance(value, bool)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigurationError(
            f"{name} must be a number of seconds over 0, or None, not {value!r}"
        )
    return float(value)


def needs_model(codec: MessageCodec[T] | None, direction: str) -> MessageCodec[T]:
    """*codec*, the model codec of *direction* (``"receive"`` or ``"send"``), or
    ``ConfigurationError`` when the socket was given no message type for it."""
    if codec is None:
        raise ConfigurationError(f"{direction}_model() needs model= or {direction}_model=")
    return codec


def resolve_caught_close_codes(
    catch_disconnect: bool, caught_close_codes: CaughtCloseCodes | None
) -> CaughtCloseCodes:
    """The codes silenced: ``caught_close_codes`` when given, else all or none."""
    if caught_close_codes is None:
        return all if catch_disconnect else frozenset()
    if caught_close_codes is all:
        return all
    if not _is_codes(caught_close_codes):
        raise ConfigurationError(
            f"caught_close_codes must be a collection of close codes, or all, not "
            f"{caught_close_codes!r}"
        )
    return frozenset(caught_close_codes)


def is_positive_int(value: object) -> TypeGuard[int]:
    """Whether *value* is an ``int`` of 1 or more (``True`` is not)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_codes(value: object) -> TypeGuard[Collection[int]]:
    if not isinstance(value, Collection):
        return False
    return all(isinstance(code, int) for code in cast("Collection[object]", value))


def _model_option(direction: str, model: Any, own_model: Any) -> str | None:
    """The option that gives *direction* its message type, if one does."""
    if own_model is not None:
        return f"{direction}_model"
    return None if model is None else "model"


def _direction_type(
    direction: str, value_type: ValueType | None, own_type: ValueType | None, model: str | None
) -> ValueType:
    """The value type of *direction*, given its options; *model* names its model's option."""
    type_option, chosen = _type_option(direction, value_type, own_type)
    if model is not None:
        if chosen not in (None, "model"):
            raise ConfigurationError(
                f"{model} is given, so {type_option} must be 'model' (or left out), not {chosen!r}"
            )
        return "model"
    if chosen == "model":
        raise ConfigurationError(f"{type_option}='model' needs model= or {direction}_model=")
    return chosen or "text"


def _type_option(
    direction: str, value_type: ValueType | None, own_type: ValueType | None
) -> tuple[str, ValueType | None]:
    """The option that sets the value type of *direction*, and its value: ``value_type``
    when given, whatever ``receive_type`` / ``send_type`` say (as in the seed), else the
    direction's own."""
    if value_type is None:
        return f"{direction}_type", own_type
    return "value_type", value_type


def _model_codec(
    option: str | None,
    message_type: Any,
    max_size: int | None,
    table: Mapping[FailureKind, int],
    show_validator_messages: bool,
    correlation_id: str | None,
    *,
    check_fields: bool = False,
) -> MessageCodec[Any] | None:
    """The codec of *message_type*: ``StructCodec`` for ``msgspec.Struct`` types (imported
    only then), else ``ModelCodec``."""
    if option is None:
        return None
    try:
        if is_struct_type(message_type):
            from typedws.codecs._msgspec_codec import StructCodec

            return StructCodec(
                message_type,
                max_size=max_size,
                close_codes=table,
                show_validator_messages=show_validator_messages,
                correlation_id=correlation_id,
                check_fields=check_fields,
            )
        adapter = adapter_for(message_type)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{option}: {exc}") from exc
    return ModelCodec(
        adapter,
        max_size=max_size,
        close_codes=table,
        show_validator_messages=show_validator_messages,
        correlation_id=correlation_id,
        check_fields=check_fields,
    )


def _chosen(
    value_type: ValueType, shared: Mapping[str, Codec[Any]], model: MessageCodec[Any] | None
) -> Codec[Any]:
    """The codec of *value_type*: the direction's model codec for "model", else a shared one."""
    if value_type == "model" and model is not None:
        return model
    return shared[value_type]
