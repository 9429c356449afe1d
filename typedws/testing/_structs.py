"""``from_type`` for ``msgspec.Struct`` message types, read from ``msgspec.inspect``.

Imported, with msgspec, only for a message type made of Structs. A leaf's constraints
(bounds, lengths, patterns, time zones) mean what they mean in pydantic, so its candidates
come from ``typedws.testing._scalars`` and are checked by pydantic's validator of the same
leaf. Structs, dataclasses and named tuples are called with their field values (a field
with a default is sometimes left out); a ``__post_init__`` that refuses them drops them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec.inspect as mi
from hypothesis import strategies as st

from typedws.testing._scalars import LEAVES, sizes
from typedws.testing.strategies import REJECTED, UnsupportedType, checked, validator_of

__all__ = ["from_struct_type"]

Strategy = st.SearchStrategy[Any]


_LEAF_SCHEMAS: dict[type[mi.Type], tuple[str, tuple[str, ...]]] = {
    mi.IntType: ("int", ("gt", "ge", "lt", "le", "multiple_of")),
    mi.FloatType: ("float", ("gt", "ge", "lt", "le", "multiple_of")),
    mi.StrType: ("str", ("min_length", "max_length", "pattern")),
    mi.BytesType: ("bytes", ("min_length", "max_length")),
    mi.DecimalType: ("decimal", ()),
    mi.DateType: ("date", ()),
    mi.TimeDeltaType: ("timedelta", ()),
    mi.UUIDType: ("uuid", ()),
    mi.BoolType: ("bool", ()),
    mi.NoneType: ("none", ()),
    mi.AnyType: ("any", ()),
}
"""Each msgspec leaf as a pydantic leaf schema type, with the constraints it carries."""

_CONFIG = {"ser_json_bytes": "base64"}
"""What msgspec writes as pydantic's config would say it: bytes as base64."""


def from_struct_type(message_type: Any) -> Strategy:
    """Valid values of a Struct type (a Struct, a union of Structs, under ``Annotated``)."""
    return _Walker().walk(mi.type_info(message_type), getattr(message_type, "__name__", "type"))


class _Walker:
    def __init__(self) -> None:
        self.built: dict[type[Any], Strategy] = {}

    def walk(self, info: mi.Type, where: str) -> Strategy:
        """The strategy of the msgspec type *info*; *where* names it in errors."""
        schema = _leaf_schema(info)
        if schema is not None:
            candidates = LEAVES[schema["type"]](schema, _CONFIG)
            return checked(candidates, validator_of(schema), keep=schema["type"] == "str")
        if isinstance(info, mi.UnionType):
            return st.one_of([self.walk(member, where) for member in info.types])
        if isinstance(info, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
            return self._collection(info, where)
        if isinstance(info, mi.TupleType):
            return st.tuples(*(self.walk(item, f"{where}[]") for item in info.item_types))
        if isinstance(info, mi.DictType):
            shortest, longest = sizes(info.min_length, info.max_length)
            return st.dictionaries(
                self.walk(info.key_type, f"{where}[key]"),
                self.walk(info.value_type, f"{where}[]"),
                min_size=shortest,
                max_size=longest,
            )
        if isinstance(info, (mi.StructType, mi.DataclassType, mi.NamedTupleType)):
            return self._class(info.cls, info.fields, lambda cls, kwargs: cls(**kwargs))
        if isinstance(info, mi.TypedDictType):
            return self._class(info.cls, info.fields, lambda cls, kwargs: dict(kwargs))
        raise UnsupportedType(f"{where}: typedws cannot draw values of {info!r}")

    def _collection(
        self, info: mi.ListType | mi.SetType | mi.FrozenSetType | mi.VarTupleType, where: str
    ) -> Strategy:
        items = self.walk(info.item_type, f"{where}[]")
        shortest, longest = sizes(info.min_length, info.max_length)
        if isinstance(info, mi.SetType):
            return st.sets(items, min_size=shortest, max_size=longest)
        if isinstance(info, mi.FrozenSetType):
            return st.frozensets(items, min_size=shortest, max_size=longest)
        found = st.lists(items, min_size=shortest, max_size=longest)
        return found.map(tuple) if isinstance(info, mi.VarTupleType) else found

    def _class(
        self,
        cls: type[Any],
        fields: tuple[mi.Field, ...],
        make: Callable[[type[Any], dict[str, Any]], Any],
    ) -> Strategy:
        if cls not in self.built:
            # A recursive type meets itself while being built: defer to the result.
            self.built[cls] = st.deferred(lambda: self.built[cls])
            required = {
                f.name: self.walk(f.type, f"{cls.__name__}.{f.name}") for f in fields if f.required
            }
            optional = {
                f.name: self.walk(f.type, f"{cls.__name__}.{f.name}")
                for f in fields
                if not f.required
            }
            values = st.fixed_dictionaries(required, optional=optional)
            self.built[cls] = checked(values.map(lambda kwargs: _make(make, cls, kwargs)), None)
        return self.built[cls]


def _make(
    make: Callable[[type[Any], dict[str, Any]], Any], cls: type[Any], kwargs: dict[str, Any]
) -> Any:
    """``make(cls, kwargs)``, or ``REJECTED`` when the class's ``__post_init__`` refuses them."""
    try:
        return make(cls, kwargs)
    except (ValueError, TypeError):
        return REJECTED


def _leaf_schema(info: mi.Type) -> dict[str, Any] | None:
    """The pydantic leaf schema of the msgspec leaf *info*; ``None`` for other types."""
    if isinstance(info, (mi.DateTimeType, mi.TimeType)):
        tz = {True: "aware", False: "naive", None: None}[info.tz]
        kind = "datetime" if isinstance(info, mi.DateTimeType) else "time"
        return {"type": kind} if tz is None else {"type": kind, "tz_constraint": tz}
    if isinstance(info, mi.LiteralType):
        return {"type": "literal", "expected": list(info.values)}
    if isinstance(info, mi.EnumType):
        return {"type": "enum", "cls": info.cls, "members": list(info.cls)}
    known = _LEAF_SCHEMAS.get(type(info))
    if known is None:
        return None
    kind, constraints = known
    schema: dict[str, Any] = {"type": kind}
    for name in constraints:
        if getattr(info, name) is not None:
            schema[name] = getattr(info, name)
    return schema
