"""Write the typed overloads of ``WebSocket``, ``WebSocketRoute``, ``route``, ``Endpoint``,
``connect`` and ``TestClient.connect`` from one table.

Each direction of a socket is one of five kinds: a message type given as a ``TypeForm`` or
as a ``TypeAdapter`` (value type "model"), or the value type "text", "bytes" or "json".
Without ``value_type``, every pair of kinds gets an overload, and so does ``model=``. An
explicit ``value_type`` overrides ``receive_type`` and ``send_type``, as in the seed: its
overloads take any value type for those two and type the socket by ``value_type`` alone
("text", "bytes", "json"; "model" with ``model=`` or a message type for each direction).
Any other mix of options is a type error (and a ``ConfigurationError`` at runtime). That
is 36 overloads: mypy and pyright pick one by trying each in turn, so keep the table
small. (One ``TypeForm[T] | TypeAdapter[T]`` parameter per message type would nearly halve
it, but mypy then infers ``Never`` from a union given as a ``TypeForm``, ``A | B`` or an
``Annotated`` one.)

The overloads go between marker comments in the modules; ``--check`` fails when a module
differs from what this script writes (run in ``.ci/run``).

    python scripts/overloads.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN = "# BEGIN OVERLOADS {key}: written by scripts/overloads.py, edit the table there"
END = "# END OVERLOADS {key}"


@dataclass(frozen=True)
class Kind:
    """How one direction is typed: its value type, and its message type parameter if any."""

    literal: str
    model: str | None = None  # "TypeForm" or "TypeAdapter"
    value: str = ""  # the type of a value, for the kinds without a model

    @property
    def optional(self) -> bool:
        """Whether the value type may be left out ("model" with a model, and "text")."""
        return self.model is not None or self.literal == "text"


KINDS = (
    Kind("text", value="str"),
    Kind("bytes", value="bytes"),
    Kind("json", value="Any"),
    Kind("model", model="TypeForm"),
    Kind("model", model="TypeAdapter"),
)
"""The kinds without a model come first: ``receive_model=None`` is text, not ``TypeForm[None]``."""

_NO_MODELS = ("model: None = None", "receive_model: None = None", "send_model: None = None")

_OVERRIDDEN = tuple(
    f'{direction}_type: Literal["text", "bytes", "json", "model"] | None = None'
    for direction in ("receive", "send")
)
"""``receive_type`` and ``send_type`` beside an explicit ``value_type``: any, it wins."""


@dataclass(frozen=True)
class Overload:
    """One overload: its keyword parameters, and the types ``R`` and ``S`` it gives."""

    params: tuple[str, ...]
    receive: str
    send: str
    models: bool = True  # whether both directions have a message type


def _literal(literal: str, optional: bool) -> str:
    return f'Literal["{literal}"] | None = None' if optional else f'Literal["{literal}"]'


def _message_types(receive: Kind, send: Kind) -> tuple[str, ...]:
    """The three model options of a pair of kinds: ``model`` left out, one per direction."""
    params = ["model: None = None"]
    for direction, kind, var in (("receive", receive, "RM"), ("send", send, "SM")):
        typed = f"{kind.model}[{var}]" if kind.model else "None = None"
        params.append(f"{direction}_model: {typed}")
    return tuple(params)


def _pair(receive: Kind, send: Kind) -> Overload:
    """No ``value_type``: each direction typed by its own value type and message type."""
    params = (
        "value_type: None = None",
        f"receive_type: {_literal(receive.literal, receive.optional)}",
        f"send_type: {_literal(send.literal, send.optional)}",
        *_message_types(receive, send),
    )
    models = receive.model is not None and send.model is not None
    return Overload(params, receive.value or "RM", send.value or "SM", models)


def _given(kind: Kind) -> Overload:
    """An explicit ``value_type`` without a model: both directions are its value."""
    params = (f"value_type: {_literal(kind.literal, False)}", *_OVERRIDDEN, *_NO_MODELS)
    return Overload(params, kind.value, kind.value, models=False)


def _given_models(receive: Kind, send: Kind) -> Overload:
    """``value_type="model"`` with a message type for each direction."""
    params = (
        f"value_type: {_literal('model', False)}",
        *_OVERRIDDEN,
        *_message_types(receive, send),
    )
    return Overload(params, "RM", "SM")


def _model(model: str, *, given: bool) -> Overload:
    """``model=``: with ``value_type="model"`` (*given*), whatever the other two say."""
    types = (
        (f"value_type: {_literal('model', False)}", *_OVERRIDDEN)
        if given
        else (
            "value_type: None = None",
            f"receive_type: {_literal('model', True)}",
            f"send_type: {_literal('model', True)}",
        )
    )
    params = (*types, f"model: {model}[T]", "receive_model: None = None", "send_model: None = None")
    return Overload(params, "T", "T")


_MODELS = tuple(kind for kind in KINDS if kind.model)
_MESSAGE_TYPES = ("TypeForm", "TypeAdapter")

OVERLOADS = (
    *(_pair(receive, send) for receive in KINDS for send in KINDS),
    *(_given(kind) for kind in KINDS if not kind.model),
    *(_given_models(receive, send) for receive in _MODELS for send in _MODELS),
    *(_model(model, given=given) for given in (False, True) for model in _MESSAGE_TYPES),
)
"""In order: an explicit ``None`` for a message type meets the overloads without one first."""


def _signature(
    name: str,
    head: tuple[str, ...],
    overload: Overload,
    returns: str,
    options: str = "SocketOptions[{send}]",
) -> str:
    lines = ["@overload", f"def {name}("]
    lines += [f"    {param}," for param in head]
    lines += [f"    {param}," for param in overload.params]
    typed = options.format(receive=overload.receive, send=overload.send)
    lines.append(f"    **options: Unpack[{typed}],")
    lines.append(f") -> {returns}: ...")
    return "\n".join(lines)


def _websocket(overload: Overload) -> list[str]:
    self = f"self: WebSocket[{overload.receive}, {overload.send}]"
    forms = (
        (self, "scope: Scope", "receive: Receive", "send: Send", "*"),
        (self, "websocket: StarletteWebSocket", "/", "*"),
    )
    return [_signature("__init__", form, overload, "None") for form in forms]


def _route_class(overload: Overload) -> list[str]:
    types = f"{overload.receive}, {overload.send}"
    head = (
        f"self: WebSocketRoute[{types}]",
        "path: str",
        f"endpoint: Handler[{types}]",
        "*",
        "name: str | None = None",
        "middleware: Sequence[Middleware] | None = None",
    )
    return [_signature("__init__", head, overload, "None")]


def _route_function(overload: Overload) -> list[str]:
    types = f"{overload.receive}, {overload.send}"
    head = (
        "path: str",
        "*",
        "name: str | None = None",
        "middleware: Sequence[Middleware] | None = None",
    )
    returns = f"Callable[[Handler[{types}]], WebSocketRoute[{types}]]"
    return [_signature("route", head, overload, returns)]


def _endpoint(overload: Overload) -> list[str]:
    if not overload.models:
        return []
    head = (f"self: Endpoint[{overload.receive}, {overload.send}]", "*")
    return [_signature("__init__", head, overload, "None")]


def _connect(overload: Overload) -> list[str]:
    types = f"{overload.receive}, {overload.send}"
    head = ("url: str", "*")
    options = "ClientOptions[{receive}, {send}]"
    return [_signature("connect", head, overload, f"Connecting[{types}]", options)]


def _test_connect(overload: Overload) -> list[str]:
    types = f"{overload.receive}, {overload.send}"
    head = ("self", "path: str", "*")
    options = "ClientOptions[{receive}, {send}]"
    return [_signature("connect", head, overload, f"Connecting[{types}]", options)]


TARGETS = {
    "WebSocket": ("typedws/websocket.py", _websocket),
    "WebSocketRoute": ("typedws/routing.py", _route_class),
    "route": ("typedws/routing.py", _route_function),
    "Endpoint": ("typedws/endpoint.py", _endpoint),
    "connect": ("typedws/connecting.py", _connect),
    "TestClient.connect": ("typedws/testing/client.py", _test_connect),
}


def render(key: str, indent: str) -> str:
    """The block between the markers of *key*, indented like its first marker."""
    _, write = TARGETS[key]
    signatures = [text for overload in OVERLOADS for text in write(overload)]
    body = "\n".join(signatures)
    return "\n".join(indent + line if line else line for line in body.splitlines())


def rewrite(text: str, key: str) -> str:
    """*text* with the block of *key* replaced by what ``render`` writes."""
    begin, end = BEGIN.format(key=key), END.format(key=key)
    start = text.index(begin)
    line_start = text.rindex("\n", 0, start) + 1
    indent = text[line_start:start]
    body_start = text.index("\n", start) + 1
    body_end = text.index(indent + end, body_start)
    return text[:body_start] + render(key, indent) + "\n" + text[body_end:]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a module is out of date")
    args = parser.parse_args()
    stale: list[str] = []
    for key, (module, _) in TARGETS.items():
        path = ROOT / module
        text = path.read_text(encoding="utf-8")
        new = rewrite(text, key)
        if new != text:
            stale.append(f"{module} ({key})")
            if not args.check:
                path.write_text(new, encoding="utf-8")
    if args.check and stale:
        print("out of date, run scripts/overloads.py:", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
