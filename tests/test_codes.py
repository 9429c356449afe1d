from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from typedws.codes import (
    DEFAULT_CLOSE_CODES,
    MAX_REASON_BYTES,
    CloseCode,
    check_close_code,
    resolve_close_codes,
    truncate_reason,
)


def test_close_codes_have_the_websockets_names() -> None:
    """CloseCode names and values match RFC 6455 as the websockets library spells them."""
    assert CloseCode.NORMAL_CLOSURE == 1000
    assert CloseCode.UNSUPPORTED_DATA == 1003
    assert CloseCode.INVALID_DATA == 1007
    assert CloseCode.POLICY_VIOLATION == 1008
    assert CloseCode.MESSAGE_TOO_BIG == 1009
    assert CloseCode.INTERNAL_ERROR == 1011


def test_default_table() -> None:
    """Each failure kind maps to the code in DESIGN.md's table."""
    assert dict(DEFAULT_CLOSE_CODES) == {
        "frame_type": 1003,
        "json": 1007,
        "validation": 1008,
        "too_big": 1009,
    }


def test_default_table_is_read_only() -> None:
    """The shared table cannot be changed by accident."""
    with pytest.raises(TypeError):
        DEFAULT_CLOSE_CODES["json"] = 4000  # type: ignore[index]


@pytest.mark.parametrize("code", [1000, 1003, 1007, 1011, 1014, 3000, 4422, 4999])
def test_sendable_codes_pass(code: int) -> None:
    """Codes RFC 6455 lets an endpoint send are accepted."""
    assert check_close_code(code) == code


@pytest.mark.parametrize("code", [0, 403, 999, 1004, 1005, 1006, 1015, 2999, 5000])
def test_unsendable_codes_fail(code: int) -> None:
    """Reserved and out-of-range codes are refused before they reach the wire."""
    with pytest.raises(ValueError, match=str(code)):
        check_close_code(code)


def test_overrides_replace_only_their_kinds() -> None:
    """A per-socket override changes its kind and keeps the others."""
    table = resolve_close_codes({"validation": 4422})
    assert table["validation"] == 4422
    assert table["json"] == 1007


def test_overrides_are_checked() -> None:
    """Unknown kinds and unsendable codes in an override are refused."""
    with pytest.raises(ValueError, match="unknown failure kind"):
        resolve_close_codes({"nope": 4000})
    with pytest.raises(ValueError, match="1006"):
        resolve_close_codes({"json": 1006})


@given(st.text())
def test_truncated_reason_fits_and_is_a_prefix(reason: str) -> None:
    """A reason is cut to at most 123 bytes of UTF-8, on a character boundary."""
    cut = truncate_reason(reason)
    assert len(cut.encode()) <= MAX_REASON_BYTES
    assert reason.startswith(cut)
    if len(reason.encode()) <= MAX_REASON_BYTES:
        assert cut == reason


def test_truncation_keeps_whole_characters() -> None:
    """A multi-byte character that does not fit is dropped whole."""
    cut = truncate_reason("€" * 100)  # 3 bytes each
    assert cut == "€" * 41
