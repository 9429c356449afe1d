"""How the suite runs hypothesis (tests/conftest.py): random with a database locally,
derandomized without one on CI, and every CI pass asks for the CI profile."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]
PROFILE_NAME = "import tests.conftest; from hypothesis import settings as s; " + (
    "print(s.get_current_profile_name())"
)


def test_the_ci_profile_is_derandomized_without_a_database() -> None:
    """On CI the same examples are drawn on every run, nothing is read from or saved to a
    database, and a failure prints the blob that reproduces it; locally a database is kept."""
    ci = settings.get_profile("ci")
    assert ci.derandomize is True
    assert ci.database is None
    assert ci.print_blob is True
    assert ci.deadline is None
    local = settings.get_profile("typedws")
    assert local.derandomize is False
    assert local.database is not None
    assert local.print_blob is True


def profile_loaded(environment: dict[str, str]) -> str:
    """The profile tests/conftest.py loads in a process with *environment*."""
    return subprocess.run(
        [sys.executable, "-c", PROFILE_NAME],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()


def test_a_ci_environment_loads_the_ci_profile() -> None:
    """Where hypothesis finds a CI environment (``CI=true``) the suite's ci profile is
    loaded, as hypothesis would load its own; elsewhere the local one."""
    local = {"PATH": os.environ.get("PATH", "")}  # none of the variables that say CI
    assert profile_loaded(local) == "typedws"
    assert profile_loaded({**local, "CI": "true"}) == "ci"


def test_every_ci_pass_runs_the_ci_profile() -> None:
    """Each test run in .ci/run (scripts/test) passes --hypothesis-profile=ci."""
    script = (ROOT / ".ci/run").read_text(encoding="utf-8")
    # A run: scripts/test with its arguments, over continued lines, outside comments/echo.
    lines = script.replace("\\\n", " ").splitlines()
    runs = [line for line in lines if re.search(r"(^|\s)scripts/test(\s|$)", line.split("#")[0])]
    runs = [line for line in runs if not line.lstrip().startswith("echo")]
    assert len(runs) == 2, runs
    assert all("--hypothesis-profile=ci" in line for line in runs), runs
