"""Which part of a value pydantic cannot write as JSON: the path of the field, like
``attachments[1].blob``, and pydantic's reason."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter
from pydantic_core import PydanticSerializationError

from typedws.testing._diff import parts

__all__ = ["unsendable_part"]


def unsendable_part(adapter: TypeAdapter[Any], value: Any) -> tuple[str, str] | None:
    """The path and the reason of the deepest part of *value* that *adapter* fails to
    serialize on its own (each part is tried alone with ``include=``); ``None`` when no
    single part fails alone (a serializer of the whole failed, or nothing did)."""
    found: tuple[str, str] | None = None
    keys: list[Any] = []
    node = value
    while True:
        for path, key, part in parts(node, found[0] if found else ""):
            reason = _failure(adapter, value, [*keys, key])
            if reason is not None:
                found, node = (path, reason), part
                keys.append(key)
                break
        else:
            return found


def _failure(adapter: TypeAdapter[Any], value: Any, keys: list[Any]) -> str | None:
    """pydantic's reason for failing to serialize only the part of *value* at *keys*."""
    include: Any = True
    for key in reversed(keys):
        include = {key: include}
    try:
        adapter.dump_json(value, by_alias=True, include=include)
    except PydanticSerializationError as exc:
        return str(exc)
    return None
