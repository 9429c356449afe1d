"""Typed views of untyped JSON documents (schemas): the few helpers the schema code shares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast


def as_dict(value: Any) -> dict[str, Any]:
    """*value* if it is a JSON object, else an empty one."""
    return cast(dict[str, Any], value) if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    """*value* if it is a JSON array, else an empty one."""
    return _as_any_list(value) if isinstance(value, list) else []


def _as_any_list(value: Any) -> list[Any]:
    return cast(list[Any], value)  # from Any, so no checker sees list[Unknown]


def objects(document: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in *document*, itself included, parents before children."""
    nodes: list[Any] = [document]
    while nodes:
        node = nodes.pop()
        if isinstance(node, dict):
            mapping = as_dict(node)
            yield mapping
            nodes.extend(mapping.values())
        elif isinstance(node, list):
            nodes.extend(as_list(node))
