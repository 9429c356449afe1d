"""The examples of the README and of the documentation pages type-check with their full
types under mypy --strict and pyright.

The examples are put together in one module, in reading order (tests/docs_examples.py), as
they run in test_readme.py. A line the README marks "a type error" gets a ``# type: ignore``; both
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

from tests.docs_examples import EXAMPLES

MARK = re.compile(r"  # a type error.*$", flags=re.MULTILINE)
BIN = Path(sys.executable).parent


def examples_module(tmp_path: Path) -> Path:
    """Write the examples (not the signature summaries) as one checkable module, each block
    under a comment naming its page and line."""
    source = "\n\n".join(
        f"# {example.page}, line {example.line}\n" + MARK.sub("  # type: ignore", example.code)
        for example in EXAMPLES
        if not example.is_signature
    )
    path = tmp_path / "readme_examples.py"
    path.write_text(source, encoding="utf-8")
    return path


def test_the_readme_marks_type_errors() -> None:
    """The typing page shows errors for both checkers to find."""
    assert len(MARK.findall("\n".join(example.code for example in EXAMPLES))) >= 4


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
