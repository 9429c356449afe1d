"""The checks of a handshake before it is accepted: its Origin, and its subprotocols.

Pure: parses the ``allowed_origins`` and ``subprotocols`` options once, and answers for
one handshake's headers whether it may be accepted, and with which subprotocol.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import cast

from typedws.errors import ConfigurationError

__all__ = ["OriginPolicy", "negotiate", "parse_origins", "parse_subprotocols"]

_ORIGIN = re.compile(
    r"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>(\*\.)?[a-z0-9.-]+|\[[0-9a-f:.]+\])(:[0-9]{1,5})?$"
)
_LABELS = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@dataclass(frozen=True)
class OriginPolicy:
    """The origins a handshake may come from: exact ones, and ``scheme://*.domain[:port]``."""

    exact: frozenset[str]
    patterns: tuple[tuple[str, str], ...]  # (scheme://, .domain[:port])

    def allows(self, origin: str | None) -> bool:
        """Whether a handshake with this Origin header (``None``: none) may be accepted.

        No Origin header at all is allowed: browsers always send one, so such a client is
        not a browser page, and a non-browser client can send any Origin it likes anyway.
        """
        if origin is None:
            return True
        origin = origin.lower()
        if origin in self.exact:
            return True
        for prefix, suffix in self.patterns:
            if origin.startswith(prefix) and origin.endswith(suffix):
                labels = origin[len(prefix) : len(origin) - len(suffix)]
                if _LABELS.match(labels):
                    return True
        return False


def parse_origins(value: object) -> OriginPolicy | None:
    """The policy of the ``allowed_origins`` option, or ``ConfigurationError`` naming it."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Collection):
        raise ConfigurationError(
            f"allowed_origins must be a collection of origins or None, not {value!r}"
        )
    exact: set[str] = set()
    patterns: list[tuple[str, str]] = []
    for item in cast("Collection[object]", value):
        if not isinstance(item, str):
            raise ConfigurationError(f"allowed_origins: not an origin: {item!r}")
        origin = item.lower()
        if origin == "null":
            exact.add(origin)
            continue
        match = _ORIGIN.match(origin)
        if match is None:
            raise ConfigurationError(
                f"allowed_origins: {item!r} is not an origin like 'https://app.example' "
                "or 'https://*.example.com' (a scheme, a host, a port if any; no path)"
            )
        if match["host"].startswith("*."):
            prefix = f"{match['scheme']}://"
            patterns.append((prefix, origin[len(prefix) + 1 :]))
        else:
            exact.add(origin)
    return OriginPolicy(frozenset(exact), tuple(patterns))


def parse_subprotocols(value: object) -> tuple[str, ...] | None:
    """The ``subprotocols`` option as a tuple, or ``ConfigurationError`` naming it."""
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise ConfigurationError(f"subprotocols must be a list of names or None, not {value!r}")
    names = tuple(cast("Sequence[object]", value))
    if not names or not all(isinstance(name, str) and _TOKEN.match(name) for name in names):
        raise ConfigurationError(
            f"subprotocols must be a non-empty list of subprotocol names, not {value!r}"
        )
    return cast("tuple[str, ...]", names)


def negotiate(ours: Sequence[str], offered: Sequence[str]) -> str | None:
    """The first subprotocol the client offered that the server speaks, if any."""
    for name in offered:
        if name in ours:
            return name
    return None
