"""The demo's command-line client, run as a subprocess against the demo under uvicorn."""

from __future__ import annotations

import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from examples.chat.app import app
from tests.server import WS_IMPLEMENTATIONS, run_server

ROOT = Path(__file__).resolve().parent.parent


class Chatter:
    """``python -m examples.chat.client`` with its output read line by line in a thread."""

    def __init__(self, name: str, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "examples.chat.client", "--name", name, "--url", url],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def type(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def expect(self, wanted: str, timeout: float = 15) -> None:
        """Wait for the line *wanted*, failing with everything seen after *timeout*."""
        deadline = time.monotonic() + timeout
        while wanted not in self.seen:
            try:
                self.seen.append(self.lines.get(timeout=max(0.0, deadline - time.monotonic())))
            except queue.Empty:
                raise AssertionError(f"never printed {wanted!r}; printed {self.seen}") from None

    def finish(self) -> int:
        """Wait for the process to end by itself; its exit status."""
        try:
            return self.process.wait(15)
        finally:
            self.close()

    def close(self) -> None:
        """End the process if it still runs, and close its pipes."""
        self.process.kill()
        self.process.wait(15)
        self.reader.join(15)
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None and not pipe.closed:
                pipe.close()


@pytest.mark.parametrize("ws", WS_IMPLEMENTATIONS)
def test_two_command_line_clients_see_each_others_lines(ws: str) -> None:
    """alice and bob, each a CLI client, see each other join and talk, ask who is here,
    and leave with /quit (the process ends with status 0)."""
    with run_server(app, ws=ws) as base:
        alice = Chatter("alice", base + "/ws")
        try:
            alice.expect("* welcome, alice; here: nobody yet")
            bob = Chatter("bob", base + "/ws")
            try:
                bob.expect("* welcome, bob; here: alice")
                alice.expect("* bob joined")
                alice.type("hello bob")
                bob.expect("alice: hello bob")
                bob.type("/who")
                bob.expect("* here: alice, bob")
                bob.type("/quit")
                assert bob.finish() == 0
            finally:
                bob.close()
            alice.expect("* bob left")
            assert alice.process.stdin is not None
            alice.process.stdin.close()  # the end of the input leaves too
            assert alice.finish() == 0
        finally:
            alice.close()
