"""The README's examples type-check with their full types under mypy --strict and pyright.

The examples are put together in one module, in the README's order, as they run in
test_readme.py. A line the README marks "a type error" gets a ``# type: ignore``; both
checkers report an ignore that is not needed, so each marked line is shown to fail and
every other line to pass.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.DOTALL)
MARK = re.compile(r"  # a type error.*$", flags=re.MULTILINE)
BIN = Path(sys.executable).parent


def examples_module(tmp_path: Path) -> Path:
    """Write the README's examples (not the signature summary) as one checkable module."""
    examples = [block for block in BLOCKS if not block.startswith("WebSocket(scope")]
    source = "\n\n".join(MARK.sub("  # type: ignore", block) for block in examples)
    path = tmp_path / "readme_examples.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_the_readme_marks_type_errors() -> None:
    """The typing section shows errors for both checkers to find."""
    assert len(MARK.findall(README)) >= 4


def test_mypy_strict(tmp_path: Path) -> None:
    module = examples_module(tmp_path)
    config = tmp_path / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\nwarn_unused_ignores = True\n", encoding="utf-8")
    result = subprocess.run(
        [BIN / "mypy", "--config-file", config, "--cache-dir", tmp_path / "cache", module],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_pyright_strict(tmp_path: Path) -> None:
    module = examples_module(tmp_path)
    config = {
        "typeCheckingMode": "strict",
        "reportUnnecessaryTypeIgnoreComment": "error",
        "pythonVersion": "3.10",
    }
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config), encoding="utf-8")
    pyright = BIN / "pyright"
    if not pyright.exists():
        pytest.fail("pyright is not installed: pip install -e '.[dev]'")
    result = subprocess.run(
        [pyright, "--pythonpath", sys.executable, "--project", tmp_path, module],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
