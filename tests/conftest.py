from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, settings

from tests.redis_server import RedisServer

# hypothesis loads its own "ci" profile when it finds a CI environment (CI=true and the
# like): ours replaces it, and is loaded in the same case.
_ON_CI = settings.get_current_profile_name() == "ci"
# Examples that cross a real socket: no per-example deadline on a shared, noisy machine. A
# failure prints the blob that replays it (@reproduce_failure), the database saves it.
settings.register_profile(
    "typedws",
    parent=settings.get_profile("default"),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
# CI (.ci/run passes --hypothesis-profile=ci): the examples are drawn from a seed made of
# each test, the same on every run, and no database is read or written (derandomize implies
# it), so that a run's outcome depends on the code alone.
settings.register_profile("ci", parent=settings.get_profile("typedws"), derandomize=True)
settings.load_profile("ci" if _ON_CI else "typedws")


@pytest.fixture
def derandomized() -> Iterator[None]:
    """hypothesis seeded from each test function for the test's duration, whatever the
    profile: a test that must find a counterexample finds the same one on every run."""
    profile = settings.get_current_profile_name()
    settings.register_profile(
        "typedws-derandomized", parent=settings.get_profile(profile), derandomize=True
    )
    settings.load_profile("typedws-derandomized")
    try:
        yield
    finally:
        settings.load_profile(profile)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    """A ``redis-server`` of the test module's own (tests/redis_server.py)."""
    with RedisServer(tmp_path_factory.mktemp("redis")) as server:
        yield server
