"""The options of a typed ``WebSocket``, checked once when it is built.

Pure: turns value types, message types and the close policy into codecs and settings, or
raises ``ConfigurationError``.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from typing_extensions import TypedDict

from typedws.codec import (
    VALUE_TYPES,
    BytesCodec,
    Codec,
    JSONCodec,
    ModelCodec,
    TextCodec,
    ValueType,
    adapter_for,
)
from typedws.codes import FailureKind, resolve_close_codes
from typedws.errors import ConfigurationError, InvalidMessage

__all__ = [
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
    "resolve_caught_close_codes",
]

S = TypeVar("S")

OnInvalid = Literal["close", "raise", "reply"]
"""What a receive does with a message that does not fit: see ``WebSocket``."""

CaughtCloseCodes = Collection[int] | Callable[[Iterable[object]], bool]
"""A collection of close codes, or the builtin ``all`` for every code."""


class SocketOptions(TypedDict, Generic[S], total=False):
    """The keyword options every ``WebSocket`` takes besides its value and message types."""

    catch_disconnect: bool
    caught_close_codes: CaughtCloseCodes | None
    auto_accept: bool
    on_invalid: OnInvalid
    invalid_reply: Callable[[InvalidMessage], S] | None
    close_codes: Mapping[FailureKind, int] | None
    max_size: int | None
    show_validator_messages: bool


@dataclass(frozen=True)
class Codecs:
    """The codecs of one ``WebSocket``: one per value type, and each direction's choice."""

    text: TextCodec
    bytes: BytesCodec
    json: JSONCodec
    receive_model: ModelCodec[Any] | None
    send_model: ModelCodec[Any] | None
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
) -> Codecs:
    """Return the codecs for these options; ``value_type`` overrides the per-direction types."""
    if max_size is not None and not _is_positive_int(max_size):
        raise ConfigurationError(f"max_size must be a positive int or None, not {max_size!r}")
    try:
        table = resolve_close_codes(close_codes)
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"close_codes: {exc}") from None
    receive_codec = _model_codec(
        model if receive_model is None else receive_model, max_size, table, show_validator_messages
    )
    send_codec = _model_codec(model if send_model is None else send_model, max_size, table, False)
    text = TextCodec(max_size=max_size, close_codes=table)
    binary = BytesCodec(max_size=max_size, close_codes=table)
    json = JSONCodec(max_size=max_size, close_codes=table)
    shared: dict[str, Codec[Any] | None] = {"text": text, "bytes": binary, "json": json}
    return Codecs(
        text=text,
        bytes=binary,
        json=json,
        receive_model=receive_codec,
        send_model=send_codec,
        receive=_choose({**shared, "model": receive_codec}, value_type or receive_type, "receive"),
        send=_choose({**shared, "model": send_codec}, value_type or send_type, "send"),
    )


TYPE_OPTIONS = ("value_type", "receive_type", "send_type", "model", "receive_model", "send_model")
"""The options that choose the value and message types."""

OPTION_NAMES = frozenset((*TYPE_OPTIONS, *SocketOptions.__optional_keys__))
"""Every keyword option a ``WebSocket`` (and so a route) takes."""


def check_option_names(options: Iterable[str], /) -> None:
    """Raise ``ConfigurationError`` naming the first option that is not a ``WebSocket``'s."""
    for name in options:
        if name not in OPTION_NAMES:
            close = difflib.get_close_matches(name, sorted(OPTION_NAMES), n=1)
            hint = f": did you mean {close[0]!r}?" if close else ""
            raise ConfigurationError(f"unknown option {name!r}{hint}")


def check_flags(**flags: object) -> None:
    """Raise ``ConfigurationError`` naming the first of *flags* that is not a bool."""
    for name, value in flags.items():
        if not isinstance(value, bool):
            raise ConfigurationError(f"{name} must be True or False, not {value!r}")


def check_policy(
    on_invalid: OnInvalid, invalid_reply: Callable[[InvalidMessage], Any] | None
) -> None:
    """Raise ``ConfigurationError`` unless *on_invalid* is a policy that can work."""
    if on_invalid not in ("close", "raise", "reply"):
        raise ConfigurationError(
            f"unknown on_invalid {on_invalid!r}: use 'close', 'raise' or 'reply'"
        )
    if on_invalid == "reply" and invalid_reply is None:
        raise ConfigurationError("on_invalid='reply' needs invalid_reply=")
    if invalid_reply is not None and not callable(invalid_reply):
        raise ConfigurationError(f"invalid_reply must be a function, not {invalid_reply!r}")


def resolve_caught_close_codes(
    catch_disconnect: bool, caught_close_codes: CaughtCloseCodes | None
) -> CaughtCloseCodes:
    """The codes silenced: ``caught_close_codes`` when given, else all or none."""
    if caught_close_codes is None:
        return all if catch_disconnect else frozenset()
    if caught_close_codes is all:
        return all
    if callable(caught_close_codes):
        raise ConfigurationError("caught_close_codes takes a collection of codes, or all")
    return frozenset(caught_close_codes)


def _is_positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _model_codec(
    message_type: Any,
    max_size: int | None,
    table: Mapping[FailureKind, int],
    show_validator_messages: bool,
) -> ModelCodec[Any] | None:
    if message_type is None:
        return None
    return ModelCodec(
        adapter_for(message_type),
        max_size=max_size,
        close_codes=table,
        show_validator_messages=show_validator_messages,
    )


def _choose(
    codecs: Mapping[str, Codec[Any] | None], value_type: ValueType | None, direction: str
) -> Codec[Any]:
    chosen = value_type or ("model" if codecs["model"] is not None else "text")
    if chosen not in codecs:
        raise ConfigurationError(
            f"unknown {direction} type {chosen!r}: use one of {', '.join(VALUE_TYPES)}"
        )
    codec = codecs[chosen]
    if codec is None:
        raise ConfigurationError(f"{direction} type 'model' needs model= or {direction}_model=")
    return codec
