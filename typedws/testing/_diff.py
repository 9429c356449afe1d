"""Where two values differ: the paths of the fields that changed, like ``items[2].price``."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from typing import Any, TypeGuard, cast

__all__ = ["MISSING", "describe", "differences", "parts"]


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()
"""Stands for a key or field one side does not have."""


def differences(before: Any, after: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """The ``(path, before, after)`` of each part of *before* that differs in *after*,
    descending into models, dataclasses, Structs, dicts, lists and tuples."""
    same_type = type(before) is type(after)
    if same_type and before == after:
        return
    fields = _fields(before) if same_type else None
    if fields is not None:
        for name in fields:
            yield from differences(
                getattr(before, name, MISSING), getattr(after, name, MISSING), _attr(path, name)
            )
        return
    if _is_mapping(before) and _is_mapping(after):
        for key in dict.fromkeys([*before, *after]):
            yield from differences(
                before.get(key, MISSING), after.get(key, MISSING), f"{path}[{key!r}]"
            )
        return
    if same_type and _is_sequence(before) and _is_sequence(after) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from differences(old, new, f"{path}[{index}]")
        return
    yield path, before, after


def parts(value: Any, path: str = "") -> list[tuple[str, Any, Any]]:
    """The ``(path, key, part)`` of each field of a model, dataclass or Struct, and of each
    entry of a dict, list or tuple (none for other values); *key* is the field name, dict
    key or index."""
    fields = _fields(value)
    if fields is not None:
        return [(_attr(path, name), name, getattr(value, name, MISSING)) for name in fields]
    if _is_mapping(value):
        return [(f"{path}[{key!r}]", key, part) for key, part in value.items()]
    if _is_sequence(value):
        return [(f"{path}[{index}]", index, part) for index, part in enumerate(value)]
    return []


def describe(path: str, before: Any, after: Any) -> str:
    """One line: the path, what was sent and what came back."""
    line = f"{path or '(the whole value)'}: sent {_show(before)}, received {_show(after)}"
    if _is_nan(before) and _is_nan(after):
        line += " (NaN is never equal to itself)"
    return line


def _fields(value: object) -> list[str] | None:
    """The field names of a model, dataclass or Struct instance (``None`` for other values)."""
    cls: type[object] = type(value)
    model_fields: Any = getattr(cls, "model_fields", None)
    if isinstance(model_fields, dict):
        extra: Any = getattr(value, "__pydantic_extra__", None) or {}
        return [*cast("dict[str, Any]", model_fields), *cast("dict[str, Any]", extra)]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [field.name for field in dataclasses.fields(value)]
    struct_fields: Any = getattr(cls, "__struct_fields__", None)
    if isinstance(struct_fields, tuple):
        return list(cast("tuple[str, ...]", struct_fields))
    return None


def _is_mapping(value: object) -> TypeGuard[Mapping[Any, Any]]:
    return isinstance(value, Mapping)


def _is_sequence(value: object) -> TypeGuard[list[Any] | tuple[Any, ...]]:
    return isinstance(value, (list, tuple))


def _attr(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _show(value: Any) -> str:
    """*value*'s repr, with its type when the repr does not say it."""
    shown = repr(value)
    if value is MISSING or value is None or isinstance(value, (str, bool, int, float)):
        return shown
    name = type(value).__name__
    return shown if shown.startswith(name) else f"{shown} ({name})"


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)
