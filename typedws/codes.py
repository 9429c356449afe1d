"""Close codes (RFC 6455, section 7.4) and the table from failure kind to close code."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

__all__ = [
    "DEFAULT_CLOSE_CODES",
    "MAX_REASON_BYTES",
    "CloseCode",
    "FailureKind",
    "check_close_code",
    "is_sendable",
    "resolve_close_codes",
    "truncate_reason",
]


class CloseCode(enum.IntEnum):
    """Close codes defined by RFC 6455 and the IANA registry, named as in websockets."""

    #: The purpose for which the connection was established has been fulfilled.
    NORMAL_CLOSURE = 1000
    #: The endpoint is going away: a server going down, a browser leaving the page.
    GOING_AWAY = 1001
    #: The endpoint received a frame that breaks the protocol.
    PROTOCOL_ERROR = 1002
    #: The endpoint received a kind of data it cannot accept (binary where text is expected).
    UNSUPPORTED_DATA = 1003
    #: Reserved: no status code was present. Never sent in a close frame.
    NO_STATUS_RCVD = 1005
    #: Reserved: the connection dropped without a close frame. Never sent in a close frame.
    ABNORMAL_CLOSURE = 1006
    #: The endpoint received data that is not consistent with the message type (not JSON).
    INVALID_DATA = 1007
    #: The endpoint received a message that violates its policy (fails validation).
    POLICY_VIOLATION = 1008
    #: The endpoint received a message that is too big to process.
    MESSAGE_TOO_BIG = 1009
    #: The client expected the server to negotiate an extension that it did not.
    MANDATORY_EXTENSION = 1010
    #: The server met an unexpected condition that kept it from fulfilling the request.
    INTERNAL_ERROR = 1011
    #: The server is restarting.
    SERVICE_RESTART = 1012
    #: The server is overloaded: try again later.
    TRY_AGAIN_LATER = 1013
    #: The server, acting as a gateway, received an invalid response.
    BAD_GATEWAY = 1014
    #: Reserved: the TLS handshake failed. Never sent in a close frame.
    TLS_HANDSHAKE = 1015


FailureKind = Literal["frame_type", "json", "validation", "too_big"]
"""What was wrong with an incoming message."""

DEFAULT_CLOSE_CODES: Mapping[FailureKind, int] = MappingProxyType(
    {
        "frame_type": CloseCode.UNSUPPORTED_DATA,
        "json": CloseCode.INVALID_DATA,
        "validation": CloseCode.POLICY_VIOLATION,
        "too_big": CloseCode.MESSAGE_TOO_BIG,
    }
)
"""The close code each failure kind maps to unless a socket overrides it."""

_SENDABLE_RANGES = (range(1000, 1004), range(1007, 1015), range(3000, 5000))


def check_close_code(code: int, /) -> int:
    """Return *code* if an endpoint may send it in a close frame, else raise ``ValueError``.

    RFC 6455 allows 1000-1003 and 1007-1014 from the registry, and 3000-4999 for
    libraries, frameworks and applications; 1005, 1006 and 1015 are never sent.
    """
    if isinstance(code, bool) or not isinstance(code, int):  # pyright: ignore[reportUnnecessaryIsInstance] - untyped callers
        raise TypeError(f"a close code is an int, not {type(code).__name__}")
    if not any(code in sendable for sendable in _SENDABLE_RANGES):
        raise ValueError(
            f"{code} cannot be sent in a close frame: use 1000-1003, 1007-1014 or 3000-4999"
        )
    return code


def is_sendable(code: int, /) -> bool:
    """Whether an endpoint may send *code* in a close frame (see ``check_close_code``)."""
    try:
        check_close_code(code)
    except (TypeError, ValueError):
        return False
    return True


def resolve_close_codes(
    overrides: Mapping[FailureKind, int] | None, /
) -> Mapping[FailureKind, int]:
    """Return the default table updated with *overrides*, checking every kind and code."""
    if not overrides:
        return DEFAULT_CLOSE_CODES
    unknown = sorted(set(overrides) - set(DEFAULT_CLOSE_CODES))
    if unknown:
        known = ", ".join(sorted(DEFAULT_CLOSE_CODES))
        raise ValueError(f"unknown failure kind {unknown[0]!r}: use one of {known}")
    table: dict[FailureKind, int] = dict(DEFAULT_CLOSE_CODES)
    for kind in DEFAULT_CLOSE_CODES:
        if kind in overrides:
            table[kind] = check_close_code(overrides[kind])
    return MappingProxyType(table)


MAX_REASON_BYTES = 123
"""The longest close reason RFC 6455 allows, in bytes of UTF-8."""


def truncate_reason(reason: str, /) -> str:
    """Cut *reason* to at most 123 bytes of UTF-8, on a character boundary."""
    if len(reason) * 4 <= MAX_REASON_BYTES:
        return reason
    encoded = reason.encode("utf-8", "replace")
    if len(encoded) <= MAX_REASON_BYTES:
        return reason
    return encoded[:MAX_REASON_BYTES].decode("utf-8", "ignore")
