"""The demo page's tooling for the tests: node packages from `npm ci`, Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "examples" / "chat" / "web"
NODE_BIN = ROOT / "node_modules" / ".bin"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def node_tool(name: str) -> str:
    """The path of an npm-installed tool; fails (never skips) when `npm ci` was not run."""
    path = NODE_BIN / name
    assert path.exists(), f"{path} is missing: run `npm ci` (scripts/test does)"
    return str(path)


def run(*command: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run *command*, capturing its output as text."""
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300)


def chromium() -> str:
    """Debian's Chromium; fails (never skips) when it is not installed."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(path).exists(), "Chromium is missing: apt-get install chromium (scripts/test does)"
    return path
