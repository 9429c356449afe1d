"""JSON Schema of pydantic message types, as the schema export writes it: every field the
server always sends is required, and two different classes of one name are refused."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import TypeAdapter
from pydantic.json_schema import GenerateJsonSchema
from pydantic_core import core_schema

from typedws.codecs._json import objects
from typedws.errors import ConfigurationError

__all__ = ["check_names", "json_schema", "json_schemas"]

_Mode = Literal["validation", "serialization"]


class _Generator(GenerateJsonSchema):
    """Pydantic's generator, marking every field the server always sends as required."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization" and field["type"] != "typed-dict-field":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)


def json_schema(adapter: TypeAdapter[Any], mode: _Mode) -> dict[str, Any]:
    """The JSON Schema of *adapter*'s type for *mode*, its definitions in ``$defs``."""
    check_names([adapter])
    return adapter.json_schema(mode=mode, schema_generator=_Generator)


def json_schemas(
    inputs: Sequence[tuple[str, _Mode, TypeAdapter[Any]]], *, ref_template: str
) -> tuple[dict[tuple[str, _Mode], dict[str, Any]], dict[str, Any]]:
    """The JSON Schema of each ``(key, mode, adapter)``, generated together, and their
    shared definitions by name."""
    check_names([adapter for *_, adapter in inputs])
    roots, defs = TypeAdapter.json_schemas(
        inputs, ref_template=ref_template, schema_generator=_Generator
    )
    return dict(roots), dict(defs.get("$defs", {}))


def check_names(adapters: Iterable[TypeAdapter[Any]]) -> None:
    """Refuse two different classes of one name: pydantic would rename one silently."""
    seen: dict[str, type] = {}
    for adapter in adapters:
        for node in objects(adapter.core_schema):
            cls = node.get("cls")
            if not isinstance(cls, type) or node.get("type") == "is-instance":
                continue
            other = seen.setdefault(cls.__name__, cls)
            if other is not cls:
                raise ConfigurationError(
                    f"two different message types are named {cls.__name__!r}: "
                    f"{other.__module__}.{other.__qualname__} and "
                    f"{cls.__module__}.{cls.__qualname__}; rename one"
                )
