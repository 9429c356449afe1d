"""The public surface: a sorted, complete __all__, a version, and typing markers."""

from __future__ import annotations

import importlib.metadata
import inspect
import re
import types
from pathlib import Path
from typing import get_origin

import typedws
import typedws.codec
import typedws.codecs
import typedws.codecs._codec
import typedws.codecs._msgspec_codec
import typedws.codecs._pydantic_codec
import typedws.msgspec_codec
import typedws.pydantic_codec


def test_all_is_sorted_and_complete() -> None:
    """__all__ is sorted (constants, classes, the rest, as isort and ruff sort it) and names
    every public object the package exposes."""

    def kind(name: str) -> tuple[int, str]:
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert typedws.__all__ == sorted(typedws.__all__, key=kind)
    public = {
        name
        for name, value in vars(typedws).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public | {"__version__"} == set(typedws.__all__)


def test_every_public_name_is_documented() -> None:
    """Every public class and function carries a docstring."""
    for name in typedws.__all__:
        value = getattr(typedws, name)
        if get_origin(value) is not None:
            continue  # a type alias such as Handler (a class on Python 3.10), documented in source
        if isinstance(value, type) or inspect.isfunction(value):
            assert value.__doc__, name


def test_the_codec_modules_re_export_the_codecs_package() -> None:
    """typedws.codec, typedws.pydantic_codec and typedws.msgspec_codec keep their names, each
    the very object of the typedws.codecs module it now lives in, and typedws.codecs re-exports
    the first two's."""
    implementations = {
        typedws.codec: typedws.codecs._codec,
        typedws.pydantic_codec: typedws.codecs._pydantic_codec,
        typedws.msgspec_codec: typedws.codecs._msgspec_codec,
    }
    for module, implementation in implementations.items():
        for name in module.__all__:
            assert getattr(module, name) is getattr(implementation, name), name
    for name in typedws.codecs.__all__:
        public = typedws.codec if name in typedws.codec.__all__ else typedws.pydantic_codec
        assert name in public.__all__
        assert getattr(typedws.codecs, name) is getattr(public, name), name


def test_version_matches_the_distribution() -> None:
    """__version__ is the installed distribution's version."""
    assert typedws.__version__ == importlib.metadata.version("typedws")


def test_ships_py_typed() -> None:
    """The package is marked as typed (PEP 561)."""
    assert (Path(typedws.__file__).parent / "py.typed").is_file()


def test_ci_tests_the_oldest_and_newest_supported_pythons() -> None:
    """The classifiers list every Python from requires-python's minimum on, with no gap, and
    .ci/run tests the oldest and the newest of them."""
    root = Path(__file__).resolve().parent.parent
    pyproject = (root / "pyproject.toml").read_text()
    minimum = re.search(r'^requires-python = ">=3\.(\d+)"$', pyproject, re.M)
    assert minimum is not None
    minors = sorted(
        map(int, re.findall(r'"Programming Language :: Python :: 3\.(\d+)"', pyproject))
    )
    assert minors == list(range(int(minimum.group(1)), minors[-1] + 1))
    tested = re.search(r"^other_pythons=\((.*)\)$", (root / ".ci/run").read_text(), re.M)
    assert tested is not None
    assert tested.group(1).split() == [f"3.{minors[0]}", f"3.{minors[-1]}"]
