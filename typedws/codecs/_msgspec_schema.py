"""JSON Schema of ``msgspec.Struct`` message types, as the schema export writes pydantic's:
a single Struct inline with its definitions in ``$defs``, a tagged union as ``oneOf`` with
its discriminator, every field the encoder always writes required in serialization mode, a
definition that differs between the modes written as ``Name-Input`` and ``Name-Output``, and
two different classes of one name refused."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Literal

import msgspec
import msgspec.inspect as mi
import msgspec.json

from typedws.codecs._json import as_dict, objects
from typedws.errors import ConfigurationError

__all__ = ["json_schema", "json_schemas", "nodes"]

_Mode = Literal["validation", "serialization"]
_DEFS = "#/$defs/"
_SUFFIX: dict[_Mode, str] = {"validation": "-Input", "serialization": "-Output"}


def json_schema(message_type: Any, mode: _Mode) -> dict[str, Any]:
    """The JSON Schema of *message_type* for *mode*, its definitions in ``$defs``."""
    (root,), defs = _generate([message_type], mode)
    name = _ref_name(root)
    if name is not None and not any(name in _refs(schema) for schema in defs.values()):
        root = defs.pop(name)  # one Struct, not recursive: inline, as pydantic writes it
    if defs:
        root["$defs"] = defs
    return root


def json_schemas(
    inputs: Sequence[tuple[str, _Mode, Any]], *, ref_template: str
) -> tuple[dict[tuple[str, _Mode], dict[str, Any]], dict[str, Any]]:
    """The JSON Schema of each ``(key, mode, message type)`` and their shared definitions,
    referred to as *ref_template* formatted with ``model=name``."""
    roots: dict[tuple[str, _Mode], dict[str, Any]] = {}
    by_mode: dict[_Mode, dict[str, Any]] = {}
    for mode in _SUFFIX:
        group = [(key, message_type) for key, own, message_type in inputs if own == mode]
        if group:
            found, by_mode[mode] = _generate([message_type for _, message_type in group], mode)
            roots.update(((key, mode), root) for (key, _), root in zip(group, found, strict=True))
    defs = _merge_modes(roots, by_mode)
    for schema in [*roots.values(), *defs.values()]:
        _rename(schema, lambda name: ref_template.format(model=name))
    return roots, defs


def nodes(infos: Iterable[mi.Type]) -> Iterator[mi.Type | mi.Field]:
    """Every node of the type trees *infos*, each class with fields visited once."""
    stack: list[mi.Type | mi.Field] = list(infos)
    seen: set[Any] = set()
    while stack:
        node = stack.pop()
        if hasattr(node, "fields"):
            cls = getattr(node, "cls", None)
            if cls in seen:
                continue
            seen.add(cls)
        yield node
        for name in node.__struct_fields__:
            value: Any = getattr(node, name)
            items = _as_tuple(value) if isinstance(value, tuple) else (value,)
            stack.extend(item for item in items if isinstance(item, (mi.Type, mi.Field)))


def _as_tuple(value: Any) -> tuple[Any, ...]:
    """*value*, a tuple, as a tuple of ``Any``."""
    return tuple(value)


def _generate(types: list[Any], mode: _Mode) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """msgspec's schemas of *types* and their definitions, refs under ``#/$defs/``."""
    try:
        found, defs = msgspec.json.schema_components(types, ref_template=_DEFS + "{name}")
        named = _named_classes(mi.multi_type_info(types))
    except (TypeError, ValueError) as exc:
        raise ConfigurationError(f"no JSON Schema for a message type: {exc}") from None
    roots = list(found)
    if mode == "serialization":
        for name, schema in defs.items():
            node = named.get(name)
            if isinstance(node, (mi.StructType, mi.DataclassType)):
                _require_written(as_dict(schema), node)
    for schema in objects([*roots, *defs.values()]):
        if "discriminator" in schema and "anyOf" in schema:  # a tagged union: one member fits
            items = [("oneOf" if key == "anyOf" else key, value) for key, value in schema.items()]
            schema.clear()
            schema.update(items)
    return roots, dict(defs)


def _require_written(schema: dict[str, Any], node: mi.StructType | mi.DataclassType) -> None:
    """Mark required every field the encoder always writes: all but those left out when
    ``UNSET``, or when equal to their default under ``omit_defaults``."""
    if schema.get("type") != "object":
        return  # array_like
    cls = getattr(node.cls, "__origin__", node.cls)  # Box for Box[int]
    omit_defaults = isinstance(node, mi.StructType) and bool(
        getattr(cls, "__struct_config__").omit_defaults  # noqa: B009 - cls is typed as any type
    )
    written = [
        field.encode_name
        for field in node.fields
        if field.required or (not omit_defaults and field.default is not msgspec.UNSET)
    ]
    tag = node.tag_field if isinstance(node, mi.StructType) else None
    schema["required"] = [*([tag] if tag is not None else []), *written]


def _named_classes(infos: Iterable[mi.Type]) -> dict[str, mi.Type]:
    """The classes msgspec names definitions after, by name; two classes of one name are
    refused, as for pydantic (msgspec would name them by their modules)."""
    named: dict[str, mi.Type] = {}
    for node in nodes(infos):
        cls = getattr(node, "cls", None)
        if cls is None or isinstance(node, mi.Field):
            continue
        name = _class_name(cls)
        other = named.setdefault(name, node)
        other_cls = getattr(other, "cls", None)
        if other_cls != cls:  # equal generic aliases are one class
            raise ConfigurationError(
                f"two different message types are named {name!r}: {_dotted(other_cls)} and "
                f"{_dotted(cls)}; rename one"
            )
    return named


def _class_name(cls: Any) -> str:
    """The name msgspec gives *cls*'s definition: ``Box_int_`` for ``Box[int]``."""
    origin = getattr(cls, "__origin__", None)
    if origin is None:
        name: str = cls.__name__
    else:
        args = ", ".join(getattr(arg, "__name__", repr(arg)) for arg in cls.__args__)
        name = f"{origin.__name__}[{args}]"
    return re.sub(r"[^a-zA-Z0-9.\-_]", "_", name)


def _dotted(cls: Any) -> str:
    cls = getattr(cls, "__origin__", cls)
    return f"{cls.__module__}.{cls.__qualname__}"


def _merge_modes(
    roots: dict[tuple[str, _Mode], dict[str, Any]], by_mode: dict[_Mode, dict[str, Any]]
) -> dict[str, Any]:
    """The definitions of both modes as one: those that differ (or refer to one that does)
    renamed ``Name-Input`` and ``Name-Output``, with the refs to them."""
    if len(by_mode) < 2:
        return next(iter(by_mode.values()), dict[str, Any]())
    validation, serialization = by_mode["validation"], by_mode["serialization"]
    shared = validation.keys() & serialization.keys()
    differ = {name for name in shared if validation[name] != serialization[name]}
    while more := {
        name
        for name in shared - differ
        if (_refs(validation[name]) | _refs(serialization[name])) & differ
    }:
        differ |= more
    merged: dict[str, Any] = {}
    for mode, defs in by_mode.items():
        suffix = _SUFFIX[mode]

        def renamed(name: str, suffix: str = suffix) -> str:
            return name + suffix if name in differ else name

        for schema in [*defs.values(), *(root for key, root in roots.items() if key[1] == mode)]:
            _rename(schema, lambda name: _DEFS + renamed(name))
        merged.update((renamed(name), schema) for name, schema in defs.items())
    return merged


def _rename(schema: Any, ref: Callable[[str], str]) -> None:
    """Point every ref to a definition in *schema* (``$ref``, a discriminator's mapping) at
    ``ref(name)``, in place."""
    for node in objects(schema):
        target = node.get("$ref")
        if isinstance(target, str) and target.startswith(_DEFS):
            node["$ref"] = ref(target[len(_DEFS) :])
        mapping = as_dict(as_dict(node.get("discriminator")).get("mapping"))
        for tag, target in mapping.items():
            if isinstance(target, str) and target.startswith(_DEFS):
                mapping[tag] = ref(target[len(_DEFS) :])


def _refs(schema: Any) -> set[str]:
    """The names of the definitions *schema* refers to."""
    found: set[str] = set()
    for node in objects(schema):
        name = _ref_name(node)
        if name is not None:
            found.add(name)
    return found


def _ref_name(node: dict[str, Any]) -> str | None:
    target = node.get("$ref")
    if isinstance(target, str) and target.startswith(_DEFS):
        return target[len(_DEFS) :]
    return None
