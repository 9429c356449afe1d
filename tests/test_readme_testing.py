"""The testing page's examples run as written in a fresh project, with only what the page
says to install (``pip install 'typedws[testing]' pytest``, from this checkout until the
first release) in a new virtual environment: the test client's examples pass, and the
message contract example finds the round-trip bug of its model; with the fix the page
gives, it passes."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_readme import BLOCKS

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "docs" / "testing.md").read_text(encoding="utf-8")
SECTION = PAGE.split("## Testing your own message contract", 1)[1].split("\n## ", 1)[0]
EXAMPLE = re.findall(r"```python\n(.*?)```", SECTION, flags=re.DOTALL)[0]
FIX = "model_config = ConfigDict(validate_assignment=True)"
CLIENT_SECTION = PAGE.split("## Testing with the in-process client", 1)[1].split("\n## ", 1)[0]
INSTALL = "pip install 'typedws[testing]' pytest"


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a new virtual environment holding what the page says to install."""
    assert f"`{INSTALL}`" in CLIENT_SECTION
    venv = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True, timeout=300)
    interpreter = venv / "bin" / "python"
    # INSTALL, with this checkout for typedws (the README's Install says so until it is
    # published).
    subprocess.run(
        [interpreter, "-m", "pip", "install", "-q", f"{ROOT}[testing]", "pytest"],
        check=True,
        timeout=600,
        env=clean_environment(),
    )
    return interpreter


def clean_environment() -> dict[str, str]:
    """This process's environment without what would lead a child to this test suite's
    packages instead of the new environment's."""
    return {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    }


def run_pytest(python: Path, project: Path, files: dict[str, str]) -> str:
    """Write *files* into a new *project* directory, run pytest there, return its output."""
    project.mkdir()
    for name, source in files.items():
        (project / name).write_text(source, encoding="utf-8")
    result = subprocess.run(
        [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=clean_environment(),
    )
    return f"exit code {result.returncode}\n{result.stdout}{result.stderr}"


def test_the_test_client_examples_pass(python: Path, tmp_path: Path) -> None:
    """The test client's examples, against the docs' rooms endpoint and Broadcast room (and
    the README's first example they build on, written into the project's own app module),
    pass under plain pytest."""
    tests = re.findall(r"```python\n(.*?)```", CLIENT_SECTION, flags=re.DOTALL)
    assert len(tests) == 2
    app = [next(block for block in BLOCKS if "@route(" in block)] + [
        block for block in BLOCKS if "rooms_app = " in block or "live_app = " in block
    ]
    output = run_pytest(
        python,
        tmp_path / "project",
        {
            "readme_app.py": "\n\n".join(app),
            "test_app.py": "from readme_app import *  # noqa: F403\n\n" + "\n\n".join(tests),
        },
    )
    assert output.startswith("exit code 0\n"), output
    assert "2 passed" in output


def test_the_contract_example_finds_the_bug(python: Path, tmp_path: Path) -> None:
    """pytest fails on the contract example, naming the model and the field that changed."""
    output = run_pytest(python, tmp_path / "project", {"test_contract.py": EXAMPLE})
    assert output.startswith("exit code 1\n"), output
    assert (
        "AssertionError: Signup does not survive a round trip through typedws "
        "(send, then receive): 1 change"
    ) in output
    assert re.search(r"\n\S*\s+handle: sent '[^']+', received ''\n", output)
    assert "1 failed" in output


def test_the_fix_passes(python: Path, tmp_path: Path) -> None:
    """With the fix the page names, the same test passes."""
    assert f"`{FIX}`" in SECTION
    fixed = EXAMPLE.replace(
        "from pydantic import BaseModel,", "from pydantic import BaseModel, ConfigDict,"
    ).replace("class Signup(BaseModel):\n", f"class Signup(BaseModel):\n    {FIX}\n")
    assert FIX in fixed
    output = run_pytest(python, tmp_path / "project", {"test_contract.py": fixed})
    assert output.startswith("exit code 0\n"), output
    assert "1 passed" in output
