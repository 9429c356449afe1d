from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.redis_server import RedisServer

# Examples that cross a real socket: no per-example deadline on a shared, noisy machine.
settings.register_profile("typedws", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("typedws")


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A ``redis-server`` of the test module's own (tests/redis_server.py)."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server
