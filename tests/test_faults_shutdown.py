"""SIGINT to a uvicorn process whose handlers are blocked sending to clients that never
read: the process exits, with status 0 and no traceback, within a bound set by uvicorn's
``--timeout-graceful-shutdown``, and the send timeout ends every stuck handler before it.

What bounds the shutdown: uvicorn closes each connection on SIGINT (close code 1012), then
waits for its connections to close and its handlers to end. A connection whose client never
reads never closes, as its transport cannot flush, so without ``--timeout-graceful-shutdown``
uvicorn waits for ever; with it, uvicorn stops waiting after that many seconds and cancels
the handlers still running. ``send_timeout`` (here 1.5 s, below the graceful timeout of 3 s)
ends each handler blocked in a send first, so that none is cancelled mid-send (a cancelled
handler is logged by uvicorn as "Exception in ASGI application", with a traceback). The
documented bound is the graceful timeout plus one second (uvicorn's 0.1 s pause, then the
process's own end); the test allows three times that, for a loaded machine.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fault_app import FLOOD_SEND_TIMEOUT
from tests.raw_client import text_frame, upgraded
from tests.server import WS_IMPLEMENTATIONS, close_of, connect, free_port, wait_for_port

pytestmark = pytest.mark.hardening

ROOT = Path(__file__).resolve().parents[1]
GRACEFUL = 3
"""uvicorn's ``--timeout-graceful-shutdown``, in seconds: above ``FLOOD_SEND_TIMEOUT``."""
BOUND = GRACEFUL + 1.0
"""How long the process may take to exit after SIGINT: the stated guarantee."""
STUCK = 3
"""How many clients never read."""


def never_reading(port: int) -> socket.socket:
    """A client of ``/flood`` that completes the handshake, says go, and never reads."""
    sock = upgraded(f"ws://127.0.0.1:{port}", "/flood", receive_buffer=4096)
    sock.sendall(text_frame("go"))
    return sock


@pytest.mark.parametrize("ws", WS_IMPLEMENTATIONS)
def test_sigint_with_clients_that_never_read_exits_within_the_bound(ws: str) -> None:
    """Three handlers blocked sending to clients that never read, and one task-group handler
    whose client reads: after SIGINT the reading client gets 1012, the send timeout ends the
    three others (no handler is left for uvicorn to cancel), and the process exits with
    status 0 within ``BOUND`` seconds, with no traceback on stderr."""
    assert FLOOD_SEND_TIMEOUT < GRACEFUL
    port = free_port()
    stuck: list[socket.socket] = []
    with subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "tests.fault_app:app", "--host", "127.0.0.1",
         "--port", str(port), "--ws", ws, "--log-level", "warning",
         "--timeout-graceful-shutdown", str(GRACEFUL)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:  # fmt: skip
        try:
            assert process.stderr is not None
            wait_for_port(port, process)
            stuck = [never_reading(port) for _ in range(STUCK)]
            with connect(f"ws://127.0.0.1:{port}/group/reader") as reader:
                reader.send("ping")
                assert reader.recv(timeout=10) == "ping"
                lines = [process.stderr.readline() for _ in range(STUCK)]
                assert all("flood: a send is blocked" in line for line in lines), lines
                process.send_signal(signal.SIGINT)
                signalled = time.monotonic()
                assert close_of(reader) == (1012, "")
                status = process.wait(BOUND * 3)
                took = time.monotonic() - signalled
            rest = process.stderr.read()
        finally:
            for sock in stuck:
                sock.close()
            if process.poll() is None:
                process.kill()
    assert status == 0
    assert took < BOUND * 3, f"exited {took:.1f} s after SIGINT"
    assert "Traceback" not in rest, rest
    # No handler was still running when the graceful timeout ran out:
    assert "Cancel 0 running task(s), timeout graceful shutdown exceeded" in rest, rest
    assert rest.count("with 1013: a send did not complete") == STUCK, rest
