"""``from_type``: hypothesis strategies for message types, read from pydantic's core schema.

The strategy walks the schema pydantic validates with (``TypeAdapter(T).core_schema``), so
it honours what ``st.builds`` ignores: constraints, ``Literal`` and enum members,
discriminated unions, defaults, time zones, the string options of a class's config.

How values are made:

- A leaf (a number, string, date, ...) is drawn within its constraints, then checked by its
  own validator: a candidate it refuses is dropped, so no constraint is ever broken.
- A leaf is drawn as the type can send it: ``bytes`` the type writes as UTF-8 text
  (pydantic's default ``ser_json_bytes``) are UTF-8, others any bytes; a float that allows
  NaN and infinity gets one of them one draw in four, as JSON cannot carry them.
- A ``BaseModel`` is built with ``model_construct`` from valid field values, as an app holds
  it after building or assigning fields; a field whose default is valid is sometimes left
  out. A
  string field that strips whitespace or changes case may hold text that still needs it
  (as assigned, or in a dataclass or TypedDict): sending it is where such a type loses data.
  A model that is frozen, validates assignment, has its own ``__init__`` or model-level
  validators is validated from its field values instead, as the app can only build it so.
- Dataclasses are called with their field values; TypedDicts are dicts.
- Validator functions (field and model validators: before, after and wrap) get values of
  the type they wrap; a value they refuse is dropped (a filter: hypothesis reports a
  validator that refuses nearly everything), and what they return is used.
- A plain validator without ``json_schema_input_type``, an arbitrary class
  (``arbitrary_types_allowed``) and other types no value can be drawn for raise
  ``UnsupportedType`` when ``from_type`` is called, naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError
from pydantic_core import SchemaValidator
from typing_extensions import TypeForm

from typedws.codecs import adapter_for
from typedws.codecs._message_types import classes_of, is_struct_type, message_types
from typedws.errors import TypedWSError
from typedws.testing._scalars import LEAVES, sizes

__all__ = ["REJECTED", "UnsupportedType", "checked", "from_type", "name_of", "validator_of"]

T = TypeVar("T")
Strategy = st.SearchStrategy[Any]
Schema = Mapping[str, Any]

_KEEP_CANDIDATE = frozenset({"str"})
"""Leaves kept as drawn rather than as validated: a string before stripping or case change."""

REJECTED: Any = object()
"""Stands for a value a validator refused; ``checked`` drops it."""


class UnsupportedType(TypedWSError, TypeError):
    """Raised when ``from_type`` cannot draw values of a type: a plain validator function,
    an arbitrary class, a callable. The message names the field and says why."""


@overload
def from_type(message_type: TypeForm[T], /) -> st.SearchStrategy[T]: ...
@overload
def from_type(message_type: TypeAdapter[T], /) -> st.SearchStrategy[T]: ...
def from_type(message_type: Any, /) -> st.SearchStrategy[Any]:
    """A hypothesis strategy of valid values of *message_type*: anything the ``model`` value
    type takes (a model, dataclass, TypedDict, union, ``Annotated[A | B,
    Field(discriminator=...)]``, a ``TypeAdapter``), or ``msgspec.Struct`` types.

    Every value passes the type's own validation. Raises ``UnsupportedType`` when no value
    can be drawn for a part of the type (see this module's docstring).
    """
    if is_struct_type(message_type):
        from typedws.testing._structs import from_struct_type

        return from_struct_type(message_type)
    adapter = adapter_for(message_type)
    return _Walker().walk(adapter.core_schema, name_of(message_type), {})


def name_of(message_type: Any) -> str:
    """A short name for *message_type* in messages: its class name, its union's class names
    (``Join | Say``), else its repr."""
    if isinstance(message_type, type):
        return message_type.__name__
    classes = classes_of(message_type) or message_types(adapter_for(message_type))
    return " | ".join(cls.__name__ for cls in classes) or repr(message_type)


class _Walker:
    """Turns one core schema into a strategy, following its definitions."""

    def __init__(self) -> None:
        self.definitions: dict[str, Schema] = {}
        self.built: dict[str, Strategy] = {}

    def walk(self, schema: Schema, where: str, config: Schema) -> Strategy:
        """The strategy of *schema*; *where* names it in errors; *config* is the class's."""
        ref = schema.get("ref")
        if ref is not None and schema["type"] != "definition-ref":
            self.definitions.setdefault(ref, schema)
            return self._ref(ref, where, config)
        kind: str = schema["type"]
        if kind in LEAVES:
            return self._leaf(schema, config)
        method: Callable[[Schema, str, Schema], Strategy] | None = getattr(
            self, "_" + kind.replace("-", "_"), None
        )
        if method is None:
            raise UnsupportedType(f"{where}: typedws cannot draw values of a {kind!r} schema")
        return method(schema, where, config)

    def _leaf(self, schema: Schema, config: Schema) -> Strategy:
        keep = schema["type"] in _KEEP_CANDIDATE
        return checked(LEAVES[schema["type"]](schema, config), validator_of(schema, config), keep)

    def _ref(self, ref: str, where: str, config: Schema) -> Strategy:
        if ref not in self.built:
            # A recursive type meets its own ref while being built: defer to the result.
            self.built[ref] = st.deferred(lambda: self.built[ref])
            schema = {key: value for key, value in self.definitions[ref].items() if key != "ref"}
            self.built[ref] = self.walk(schema, where, config)
        return self.built[ref]

    def _validator(self, schema: Schema, config: Schema) -> SchemaValidator:
        """A validator of the part *schema*, with the definitions it may refer to."""
        definitions = [dict(definition) for definition in self.definitions.values()]
        return validator_of(
            {"type": "definitions", "schema": dict(schema), "definitions": definitions}, config
        )

    def _definitions(self, schema: Schema, where: str, config: Schema) -> Strategy:
        for definition in schema["definitions"]:
            self.definitions[definition["ref"]] = definition
        return self.walk(schema["schema"], where, config)

    def _definition_ref(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self._ref(schema["schema_ref"], where, config)

    # Wrappers

    def _nullable(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return st.none() | self.walk(schema["schema"], where, config)

    def _default(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self.walk(schema["schema"], where, config)

    def _custom_error(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self.walk(schema["schema"], where, config)

    def _json_or_python(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self.walk(schema["python_schema"], where, config)

    def _lax_or_strict(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self.walk(schema["strict_schema"], where, config)

    def _function_after(self, schema: Schema, where: str, config: Schema) -> Strategy:
        inner = self.walk(schema["schema"], where, config)
        return checked(inner, self._validator(schema, config))

    _function_before = _function_after
    _function_wrap = _function_after

    def _function_plain(self, schema: Schema, where: str, config: Schema) -> Strategy:
        accepted = schema.get("json_schema_input_schema")
        if accepted is None or accepted["type"] == "any":  # pydantic's default: anything
            function = schema["function"]["function"]
            name = getattr(function, "__qualname__", repr(function))
            raise UnsupportedType(
                f"{where}: the plain validator {name} alone decides what it accepts, so "
                "typedws cannot draw values for it; give it json_schema_input_type=..."
            )
        inner = self.walk(accepted, where, config)
        return checked(inner, self._validator(schema, config))

    def _chain(self, schema: Schema, where: str, config: Schema) -> Strategy:
        inner = self.walk(schema["steps"][0], where, config)
        return checked(inner, self._validator(schema, config))

    # Unions

    def _union(self, schema: Schema, where: str, config: Schema) -> Strategy:
        choices: list[Schema] = [
            choice[0] if isinstance(choice, tuple) else choice for choice in schema["choices"]
        ]
        return st.one_of([self.walk(choice, where, config) for choice in choices])

    def _tagged_union(self, schema: Schema, where: str, config: Schema) -> Strategy:
        members = st.one_of(
            [
                self.walk(choice, f"{where}[{tag!r}]", config)
                for tag, choice in schema["choices"].items()
            ]
        )
        if callable(schema["discriminator"]):
            # The function picks the member: keep the values it sends to the one drawn.
            return checked(members, self._validator(schema, config))
        return members

    # Containers

    def _list(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self._items(st.lists, schema, where, config)

    def _set(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self._items(st.sets, schema, where, config)

    def _frozenset(self, schema: Schema, where: str, config: Schema) -> Strategy:
        return self._items(st.frozensets, schema, where, config)

    def _items(
        self, collection: Callable[..., Strategy], schema: Schema, where: str, config: Schema
    ) -> Strategy:
        """*collection* (``st.lists``, ``st.sets``, ...) of *schema*'s items, in its sizes."""
        items = self.walk(schema.get("items_schema", {"type": "any"}), f"{where}[]", config)
        shortest, longest = sizes(schema.get("min_length"), schema.get("max_length"))
        return collection(items, min_size=shortest, max_size=longest)

    def _dict(self, schema: Schema, where: str, config: Schema) -> Strategy:
        keys = self.walk(schema.get("keys_schema", {"type": "str"}), f"{where}[key]", config)
        values = self.walk(schema.get("values_schema", {"type": "any"}), f"{where}[]", config)
        shortest, longest = sizes(schema.get("min_length"), schema.get("max_length"))
        return st.dictionaries(keys, values, min_size=shortest, max_size=longest)

    def _tuple(self, schema: Schema, where: str, config: Schema) -> Strategy:
        items: list[Strategy] = [
            self.walk(item, f"{where}[{index}]", config)
            for index, item in enumerate(schema["items_schema"])
        ]
        variadic: int | None = schema.get("variadic_item_index")
        if variadic is None:
            return st.tuples(*items)
        head, tail = items[:variadic], items[variadic + 1 :]
        repeated: Strategy = items[variadic]
        middle = st.lists(repeated, max_size=sizes(None, None)[1])
        parts = st.tuples(st.tuples(*head), middle, st.tuples(*tail))
        whole = parts.map(lambda part: (*part[0], *part[1], *part[2]))
        return checked(whole, self._validator(schema, config))

    # Classes

    def _fields(self, fields: Mapping[str, Schema], where: str, config: Schema) -> Strategy:
        """A dict of field values by name; a field with a default is sometimes left out."""
        required: dict[str, Strategy] = {}
        optional: dict[str, Strategy] = {}
        for name, field in fields.items():
            value = self.walk(field["schema"], f"{where}.{name}", config)
            omissible = field.get("required") is False or self._valid_default(
                field["schema"], config
            )
            (optional if omissible else required)[name] = value
        return st.fixed_dictionaries(required, optional=optional)

    def _valid_default(self, schema: Schema, config: Schema) -> bool:
        """Whether *schema* has a default that passes its validation (pydantic does not
        check defaults, and a field left out would hold it)."""
        if schema["type"] != "default" or schema.get("default_factory_takes_data"):
            return False
        factory = schema.get("default_factory")
        default = factory() if factory is not None else schema["default"]
        try:
            self._validator(schema["schema"], config).validate_python(default)
        except ValidationError:
            return False
        return True

    def _model(self, schema: Schema, where: str, config: Schema) -> Strategy:
        cls = schema["cls"]
        own = schema.get("config", {})
        inner = schema["schema"]
        if schema.get("root_model"):
            return self.walk(inner, cls.__name__, own).map(cls.model_construct)
        fields = _unwrapped(inner)
        values = self._fields(fields["fields"], cls.__name__, own)
        settings = getattr(cls, "model_config", {})  # the core schema's config omits these
        validated = (
            fields is not inner
            or schema.get("custom_init")
            or settings.get("frozen")
            or settings.get("validate_assignment")
        )
        if validated:
            return checked(values, self._validator(schema, config), by_name=True)
        return values.map(lambda kwargs: cls.model_construct(**kwargs))

    def _dataclass(self, schema: Schema, where: str, config: Schema) -> Strategy:
        cls = schema["cls"]
        own = schema.get("config", config)
        inner = schema["schema"]
        arguments = _unwrapped(inner)
        fields = {field["name"]: field for field in arguments["fields"] if field.get("init", True)}
        values = self._fields(fields, cls.__name__, own)
        if arguments is not inner:
            return checked(values, self._validator(schema, config), by_name=True)
        return checked(values.map(lambda kwargs: _call(cls, kwargs)), None)

    def _typed_dict(self, schema: Schema, where: str, config: Schema) -> Strategy:
        cls = schema.get("cls")
        own = schema.get("config", config)
        total = schema.get("total", True)
        fields = {
            name: {**field, "required": field.get("required", total)}
            for name, field in schema["fields"].items()
        }
        return self._fields(fields, getattr(cls, "__name__", where), own)


def validator_of(schema: Any, config: Any = None) -> SchemaValidator:
    """pydantic's validator of the core *schema*, with the class's *config*."""
    return SchemaValidator(schema, config)


def _unwrapped(schema: Schema) -> Schema:
    """The fields schema under a class's model validators (function schemas)."""
    while schema["type"].startswith("function-") and "schema" in schema:
        schema = schema["schema"]
    return schema


def _call(cls: Callable[..., Any], kwargs: Mapping[str, Any]) -> Any:
    """``cls(**kwargs)``, or ``REJECTED`` when a pydantic dataclass refuses them."""
    try:
        return cls(**kwargs)
    except ValidationError:
        return REJECTED


def checked(
    strategy: Strategy,
    validator: SchemaValidator | None,
    keep: bool = False,
    *,
    by_name: bool = False,
) -> Strategy:
    """*strategy*'s values that *validator* accepts, as it returns them (or as drawn, when
    *keep*); without a validator, those that are not ``REJECTED``."""

    def check(value: Any) -> Any:
        if validator is None or value is REJECTED:
            return value
        try:
            if by_name:  # field values by name, whatever their aliases
                valid = validator.validate_python(value, by_name=True)
            else:
                valid = validator.validate_python(value)
        except ValidationError:
            return REJECTED
        return value if keep else valid

    return strategy.map(check).filter(lambda value: value is not REJECTED)
