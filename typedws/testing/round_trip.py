"""``assert_round_trips``: every value of a message type survives typedws' encode and decode."""

from __future__ import annotations

import re
from typing import Any, TypeVar, overload

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter
from typing_extensions import TypeForm

from typedws.codecs import MessageCodec, ModelCodec
from typedws.errors import InvalidMessage, InvalidOutgoingMessage
from typedws.options import build_codecs
from typedws.testing._diff import describe, differences
from typedws.testing._unsendable import unsendable_part
from typedws.testing.strategies import from_type, name_of

__all__ = ["assert_round_trips"]

T = TypeVar("T")

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")
"""A memory address in a repr, like ``<function shape_of at 0x7f1a55235bc0>``."""

_MOST_CHANGES = 10
"""The most changed fields one failure lists."""


@overload
def assert_round_trips(
    message_type: TypeForm[T],
    /,
    *,
    max_examples: int = 100,
    strategy: st.SearchStrategy[T] | None = None,
) -> None: ...
@overload
def assert_round_trips(
    message_type: TypeAdapter[T],
    /,
    *,
    max_examples: int = 100,
    strategy: st.SearchStrategy[T] | None = None,
) -> None: ...
def assert_round_trips(
    message_type: Any,
    /,
    *,
    max_examples: int = 100,
    strategy: st.SearchStrategy[Any] | None = None,
) -> None:
    """Check that values of *message_type* come back equal after typedws sends them and
    receives them: encoded by the codec a ``send_model=`` socket uses, decoded from that
    text frame by the codec a ``receive_model=`` socket uses.

    Draws *max_examples* values from ``from_type(message_type)``, or from *strategy* when
    given (for types ``from_type`` cannot draw). On failure raises ``AssertionError`` for
    the smallest failing value hypothesis finds, naming each field that changed (a path
    like ``items[2].price``) with what was sent and what came back, or the reason typedws
    refused to send (with the path of the part it cannot write) or to receive it. Call it
    from a test (not from inside ``@given``). It runs under the active hypothesis profile
    for all it does not set (the database, ``derandomize``).
    """
    codecs = build_codecs(
        value_type=None,
        receive_type=None,
        send_type=None,
        model=message_type,
        receive_model=None,
        send_model=None,
        max_size=None,
        close_codes=None,
        show_validator_messages=True,
    )
    sender, receiver = codecs.send_model, codecs.receive_model
    assert sender is not None
    assert receiver is not None
    name = name_of(message_type)
    values = from_type(message_type) if strategy is None else strategy

    @settings(max_examples=max_examples, deadline=None, report_multiple_bugs=False)
    @given(values)
    def round_trip(value: Any) -> None:
        __tracebackhide__ = True  # pytest shows the failure, not typedws' frames
        _check(name, sender, receiver, value)

    # One database key (and derandomized seed) per message type, not one for every call of
    # this function, the same in every process.
    inner = getattr(round_trip, "hypothesis").inner_test  # noqa: B009 - set by @given, untyped
    setattr(inner, "_hypothesis_internal_add_digest", _digest(message_type))  # noqa: B010 - hypothesis' own hook, not a typed attribute
    __tracebackhide__ = True
    round_trip()


def _digest(message_type: Any) -> bytes:
    """*message_type*'s repr without the memory addresses it may hold (a function's, say),
    which change from one process to the next."""
    return _ADDRESS.sub("", repr(message_type)).encode()


def _check(name: str, sender: MessageCodec[Any], receiver: MessageCodec[Any], value: Any) -> None:
    """Raise ``AssertionError`` unless *value* comes back equal through the codecs."""
    __tracebackhide__ = True
    header = f"{name} does not survive a round trip through typedws (send, then receive)"
    try:
        text = sender.encode(value)["text"]
    except InvalidOutgoingMessage as exc:
        lines = [f"{header}: typedws refuses to send it: {exc}"]
        part = unsendable_part(sender.adapter, value) if isinstance(sender, ModelCodec) else None
        if part is not None:
            lines.append(f"  {part[0]}: {part[1]}")
        lines.append(f"  sent: {value!r}")
        raise AssertionError("\n".join(lines)) from None
    try:
        received = receiver.decode({"type": "websocket.receive", "text": text})
    except InvalidMessage as exc:
        errors = [
            f"  {'.'.join(map(str, error['loc'])) or '(the whole message)'}: {error['msg']}"
            for error in exc.errors
        ] or [f"  {exc.reason}"]
        lines = [
            f"{header}: its JSON is refused on receipt ({exc.kind}, close code {exc.close_code})",
            *errors,
            f"  sent: {value!r}",
            f"  JSON: {text}",
        ]
        raise AssertionError("\n".join(lines)) from None
    if received == value:
        return
    # No field differs when only the whole does: private attributes, or its own __eq__.
    changed = list(differences(value, received)) or [("", value, received)]
    shown = [f"  {describe(*change)}" for change in changed[:_MOST_CHANGES]]
    if len(changed) > _MOST_CHANGES:
        shown.append(f"  ... and {len(changed) - _MOST_CHANGES} more")
    lines = [
        f"{header}: {len(changed)} change{'s' if len(changed) != 1 else ''}",
        *shown,
        f"  sent:     {value!r}",
        f"  JSON:     {text}",
        f"  received: {received!r}",
    ]
    raise AssertionError("\n".join(lines))
