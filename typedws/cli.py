"""The ``typedws`` command.

::

    typedws schema export MODULE:APP [--out schemas]   write the app's schema files
    typedws schema check MODULE:APP [--dir schemas]    exit 1, with a diff, when they drifted
    typedws schema diff OLD_DIR NEW_DIR                exit 1 when a change breaks clients

Exit status 2, with a one-line message, for an import path that does not exist, an object
that is not an app, or an app with no typed routes.
"""

from __future__ import annotations

import argparse
import difflib
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from typedws.errors import ConfigurationError
from typedws.schema import ASYNCAPI_FILE, export
from typedws.schema_diff import diff_dirs

__all__ = ["main"]


class CommandError(Exception):
    """Raised when the command cannot do what it was asked; exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command with *argv* (default: ``sys.argv[1:]``); return the exit status."""
    args = _parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except CommandError as exc:
        print(f"typedws: error: {exc}", file=sys.stderr)
        return 2
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="typedws", description="typedws tools.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    schema = commands.add_parser("schema", help="export, check and compare message schemas")
    actions = schema.add_subparsers(required=True, metavar="ACTION")

    export_ = actions.add_parser("export", help="write the app's schema files")
    export_.add_argument("app", metavar="MODULE:APP", help="the app, as for uvicorn")
    export_.add_argument("--out", type=Path, default=Path("schemas"), help="default: schemas")
    export_.set_defaults(run=_export)

    check = actions.add_parser("check", help="exit 1 when the committed files drifted")
    check.add_argument("app", metavar="MODULE:APP", help="the app, as for uvicorn")
    check.add_argument("--dir", type=Path, default=Path("schemas"), help="default: schemas")
    check.set_defaults(run=_check)

    for action in (export_, check):
        action.add_argument("--title", help="AsyncAPI info.title (default: the app's title)")
        action.add_argument("--version", help="AsyncAPI info.version (default: the app's)")
        action.add_argument("--host", default="localhost:8000", help="AsyncAPI server host")

    diff = actions.add_parser("diff", help="exit 1 when NEW_DIR breaks clients of OLD_DIR")
    diff.add_argument("old", metavar="OLD_DIR", type=Path)
    diff.add_argument("new", metavar="NEW_DIR", type=Path)
    diff.set_defaults(run=_diff)
    return parser


def _export(args: argparse.Namespace) -> int:
    files = _files(args)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    for stale in sorted(set(_schema_files(out)) - set(files)):
        (out / stale).unlink()
        print(f"removed {out / stale}")
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")
    return 0


def _check(args: argparse.Namespace) -> int:
    files = _files(args)
    directory: Path = args.dir
    committed = _schema_files(directory)
    problems = 0
    for name in sorted(files.keys() | committed.keys()):
        path = directory / name
        if name not in committed:
            print(f"missing: {path}")
        elif name not in files:
            print(f"extra: {path} (no route makes it)")
        elif committed[name] != files[name]:
            print(f"changed: {path}")
            sys.stdout.writelines(
                difflib.unified_diff(
                    committed[name].splitlines(keepends=True),
                    files[name].splitlines(keepends=True),
                    fromfile=f"{path} (committed)",
                    tofile=f"{path} (from the code)",
                )
            )
        else:
            continue
        problems += 1
    if problems:
        print(
            f"{problems} schema file(s) out of date: run typedws schema export {args.app}"
            f" --out {directory}"
        )
        return 1
    print(f"{len(files)} schema files in {directory} are current")
    return 0


def _diff(args: argparse.Namespace) -> int:
    for directory in (args.old, args.new):
        if not directory.is_dir():
            raise CommandError(f"{directory} is not a directory")
    changes = diff_dirs(args.old, args.new)
    for change in changes:
        print(change)
    breaking = sum(change.breaking for change in changes)
    print(f"{breaking} breaking change(s), {len(changes) - breaking} compatible")
    return 1 if breaking else 0


def _files(args: argparse.Namespace) -> dict[str, str]:
    app = load_app(args.app)
    try:
        return export(app, title=args.title, version=args.version, host=args.host)
    except ConfigurationError as exc:
        raise CommandError(f"{args.app}: {_first_line(exc)}") from None


def _schema_files(directory: Path) -> dict[str, str]:
    """The schema files in *directory* that export writes, by name."""
    if not directory.is_dir():
        return {}
    paths = [*directory.glob("*.schema.json"), directory / ASYNCAPI_FILE]
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(paths) if p.is_file()}


def load_app(path: str) -> Any:
    """Import the object named by ``MODULE:ATTRIBUTE``, from the current directory too."""
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise CommandError(f"expected MODULE:APP (like examples.chat.app:app), got {path!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and module_name.startswith(exc.name):
            raise CommandError(f"no module named {module_name!r}") from None
        raise CommandError(f"importing {module_name!r} failed: {_first_line(exc)}") from None
    except Exception as exc:
        raise CommandError(
            f"importing {module_name!r} failed: {type(exc).__name__}: {_first_line(exc)}"
        ) from None
    app: Any = module
    for name in attribute.split("."):
        try:
            app = getattr(app, name)
        except AttributeError:
            raise CommandError(f"module {module_name!r} has no attribute {attribute!r}") from None
    return app


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
