"""Setting up what is missing gets a clear answer: a Redis URL without the redis package,
and the demo pointed at a Redis that does not answer."""

from __future__ import annotations

import subprocess
import sys

import pytest

from typedws import Broadcast, ConfigurationError


def test_a_redis_url_without_the_redis_package_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "redis", None)
    monkeypatch.delitem(sys.modules, "typedws.broadcast.backends.redis", raising=False)
    with pytest.raises(ConfigurationError, match=r"pip install 'typedws\[redis\]'"):
        Broadcast("redis://127.0.0.1:6379/0")


def test_the_demo_refuses_a_redis_that_does_not_answer() -> None:
    """``--redis`` with no Redis there exits 2 with a one-line reason, before any worker."""
    done = subprocess.run(
        [sys.executable, "-m", "examples.chat", "--redis", "redis://127.0.0.1:1/0"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "no Redis answers at redis://127.0.0.1:1/0" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
