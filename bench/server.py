"""Each contender's app under its own uvicorn process on 127.0.0.1, pinned to its own CPU.

A server's CPU time and resident memory are read from ``/proc/<pid>`` (Linux).
"""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: The CPUs servers start on, read on import (before the client pins itself): all it may use.
STARTUP_CPUS = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set()


def raise_fd_limit() -> int:
    """Raise this process's open-file limit (and so its servers') to the hard limit; return it."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


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

    def cpu_seconds(self) -> float:
        """The server's CPU time so far: the nanoseconds on CPU of each of its threads."""
        tasks = Path(f"/proc/{self.process.pid}/task").glob("*/schedstat")
        return sum(int(path.read_text().split()[0]) for path in tasks) / 1e9

    def rss_kib(self) -> int:
        """The server's resident memory (``VmRSS``) in KiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise RuntimeError(f"no VmRSS for {self.name}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def _launch(name: str, app: str) -> Server:
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
    if STARTUP_CPUS:
        os.sched_setaffinity(process.pid, STARTUP_CPUS)
    return Server(name, app, process, port)


def _ready(server: Server) -> bool:
    deadline = time.monotonic() + 30
    while server.process.poll() is None and time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
        except OSError:
            time.sleep(0.05)
        else:
            return True
    server.stop()  # the port was taken meanwhile, or it never came up
    return False


def start(apps: dict[str, str], cpu: int | None) -> dict[str, Server]:
    """Start ``uvicorn app`` for each ``name: module:attribute`` at once, on every CPU, wait
    until each accepts connections, then pin them to *cpu*."""
    servers = {name: _launch(name, app) for name, app in apps.items()}
    try:
        for name, app in apps.items():
            tries = 1
            while not _ready(servers[name]):
                if tries == 5:
                    raise RuntimeError(f"uvicorn did not start {app}")
                servers[name] = _launch(name, app)
                tries += 1
            if cpu is not None:
                os.sched_setaffinity(servers[name].process.pid, {cpu})
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers
