"""Test your own message contract: hypothesis strategies that draw valid messages of a
message type, a check that every such message survives typedws' encode and decode, and
``TestClient``, which talks to an ASGI app's typed routes in the test's own event loop.

Needs hypothesis (``pip install 'typedws[testing]'``); ``import typedws`` never imports it.
"""

from typedws.testing.client import DEFAULT_TEST_TIMEOUT, TestClient
from typedws.testing.round_trip import assert_round_trips
from typedws.testing.strategies import UnsupportedType, from_type

__all__ = [
    "DEFAULT_TEST_TIMEOUT",
    "TestClient",
    "UnsupportedType",
    "assert_round_trips",
    "from_type",
]
