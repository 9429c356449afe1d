"""How many examples a property draws: all of them, or a fifth on CI's second pass
(``TYPEDWS_QUICK=1``, on the oldest Python), which checks the same properties for what
differs between Python versions."""

from __future__ import annotations

import os

QUICK = os.environ.get("TYPEDWS_QUICK") == "1"


def examples(count: int) -> int:
    """*count*, or a fifth of it (at least 20) when ``TYPEDWS_QUICK=1``."""
    return max(20, count // 5) if QUICK else count
