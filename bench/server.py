"""Each contender's app under its own uvicorn process on 127.0.0.1, pinned to its own CPU."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpus() -> tuple[int | None, int | None]:
    """The (client, server) CPUs, or ``None`` each where pinning is not possible."""
    if not hasattr(os, "sched_setaffinity"):
        return None, None
    allowed = sorted(os.sched_getaffinity(0))
    if len(allowed) < 2:
        return None, None
    return allowed[0], allowed[1]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    app: str
    process: subprocess.Popen[bytes]
    port: int

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start(name: str, app: str, cpu: int | None) -> Server:
    """Start ``uvicorn app`` (``module:attribute``) and wait until it accepts connections."""
    for _ in range(5):
        port = free_port()
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--app-dir",
            str(ROOT),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--ws",
            "websockets-sansio",
            "--lifespan",
            "off",
            "--log-level",
            "warning",
        ]
        process = subprocess.Popen(command, cwd=ROOT)
        if cpu is not None:
            os.sched_setaffinity(process.pid, {cpu})
        server = Server(name, app, process, port)
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
            except OSError:
                time.sleep(0.05)
            else:
                return server
        server.stop()  # the port was taken meanwhile, or it never came up: try again
    raise RuntimeError(f"uvicorn did not start {app}")
