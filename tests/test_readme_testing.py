"""The testing page's example, copied into a fresh project as a user would, finds the
round-trip bug of its model; with the fix the page gives, it passes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

PAGE = (Path(__file__).resolve().parents[1] / "docs" / "testing.md").read_text(encoding="utf-8")
SECTION = PAGE.split("## Testing your own message contract", 1)[1].split("\n## ", 1)[0]
EXAMPLE = re.findall(r"```python\n(.*?)```", SECTION, flags=re.DOTALL)[0]
FIX = "model_config = ConfigDict(validate_assignment=True)"


def run_pytest(project: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Write *source* as the project's only test file and run pytest there."""
    project.mkdir()
    (project / "test_contract.py").write_text(source, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_contract.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_example_finds_the_bug(tmp_path: Path) -> None:
    """pytest fails on the example, naming the model and the field that changed."""
    result = run_pytest(tmp_path / "project", EXAMPLE)
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "AssertionError: Signup does not survive a round trip through typedws "
        "(send, then receive): 1 change"
    ) in result.stdout
    assert re.search(r"\n\S*\s+handle: sent '[^']+', received ''\n", result.stdout)
    assert "1 failed" in result.stdout


def test_the_fix_passes(tmp_path: Path) -> None:
    """With the fix the README names, the same test passes."""
    assert f"`{FIX}`" in SECTION
    fixed = EXAMPLE.replace(
        "from pydantic import BaseModel,", "from pydantic import BaseModel, ConfigDict,"
    ).replace("class Signup(BaseModel):\n", f"class Signup(BaseModel):\n    {FIX}\n")
    assert FIX in fixed
    result = run_pytest(tmp_path / "project", fixed)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
