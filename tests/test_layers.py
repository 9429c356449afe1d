"""The package's layers: each top-level module or package of typedws imports only from its own
layer and the layers below it (imports under ``TYPE_CHECKING`` and in functions count too)."""

from __future__ import annotations

import ast
from pathlib import Path

import typedws

PACKAGE = Path(typedws.__file__).resolve().parent

LAYERS: list[list[set[str]]] = [
    # From the bottom. A layer is a list of groups: a module may import its own group and
    # the layers below; groups of one layer do not import each other. Each name is a
    # top-level module or package of typedws; names not in the package are left out.
    [{"codes"}],
    [{"errors"}],
    [{"error_reply"}],
    [
        {  # the codecs (pure value types, no I/O) and the public modules re-exporting them
            "codecs",
            "codec",
            "pydantic_codec",
            "msgspec_codec",
        }
    ],
    [{"options"}],
    [
        {  # the server side
            "server",
            "websocket",
            "_connection",
            "_lifecycle",
            "_incoming",
            "_attributes",
            "_handshake",
            "_log_names",
            "routing",
            "endpoint",
            "_handler_types",
            "_solved",
            "fastapi",
        },
        {  # the client side
            "client",
            "_client_reader",
            "_client_settings",
            "_requests",
            "_transport",
            "_websockets_transport",
            "connecting",
            "reconnect",
        },
    ],
    [{"schema", "schema_diff", "discovery", "_replies"}, {"broadcast"}, {"testing"}],
    [{"cli"}],
    [{"__main__"}],
    [{"typedws"}],  # typedws/__init__.py: the public names
]

ALLOWED_UPWARD = {
    ("cli", "typedws"),  # `from typedws import __version__`: the package is imported already
}


def module_names() -> set[str]:
    """The top-level modules and packages of typedws; ``typedws`` is its ``__init__.py``."""
    names = {"typedws"}
    for path in PACKAGE.iterdir():
        if path.suffix == ".py" and path.name != "__init__.py":
            names.add(path.stem)
        elif (path / "__init__.py").is_file():
            names.add(path.name)
    return names


def import_graph() -> dict[str, set[str]]:
    """Which top-level modules each one imports, read from the source (a package's modules
    count as the package)."""
    names = module_names()
    graph: dict[str, set[str]] = {name: set() for name in names}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        here = "typedws" if parts == ("__init__",) else parts[0]
        package = ["typedws", *parts[:-1]]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join([*base, *([node.module] if node.module else [])])
                # `from typedws import x` imports module x, or a name of the __init__.
                targets = (
                    [f"typedws.{alias.name}" for alias in node.names]
                    if module == "typedws"
                    else [module]
                )
            else:
                continue
            for target in targets:
                dotted = target.split(".")
                if dotted[0] != "typedws":
                    continue
                imported = dotted[1] if len(dotted) > 1 and dotted[1] in names else "typedws"
                if imported != here:
                    graph[here].add(imported)
    return graph


def placement() -> dict[str, tuple[int, int]]:
    """Each module's layer and group, among the modules the package has."""
    present = module_names()
    return {
        name: (layer, group)
        for layer, groups in enumerate(LAYERS)
        for group, names in enumerate(groups)
        for name in names & present
    }


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """The imports of *graph* that go up a layer or across to another group of the same one."""
    where = placement()
    return sorted(
        f"{importer} -> {imported}"
        for importer, imports in graph.items()
        for imported in imports
        if (importer, imported) not in ALLOWED_UPWARD
        and (
            where[imported][0] > where[importer][0]
            or (where[imported][0] == where[importer][0] and where[imported] != where[importer])
        )
    )


def test_every_module_has_its_layer() -> None:
    """Each top-level module and package is in one layer, and each group holds a module."""
    listed = [name for groups in LAYERS for names in groups for name in names]
    assert len(listed) == len(set(listed))
    assert module_names() <= set(listed)
    assert all(names & module_names() for groups in LAYERS for names in groups)


def test_modules_import_only_their_layer_and_those_below() -> None:
    """No module imports a layer above its own, nor another group of its own layer: the
    codes and errors import nothing above them, the codecs no server, client, schema,
    broadcast or testing module, the server and client sides not each other, and nothing
    but ``python -m typedws`` imports the command line."""
    assert upward_imports(import_graph()) == []


def test_an_upward_import_is_caught() -> None:
    """An import from a lower layer into a higher one, or across groups, is reported."""
    graph = import_graph()
    graph["errors"].add("websocket")
    graph["client"].add("routing")
    graph["broadcast"].add("testing")
    assert upward_imports(graph) == [
        "broadcast -> testing",
        "client -> routing",
        "errors -> websocket",
    ]
