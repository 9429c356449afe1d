"""The ``typedws`` command.

::

    typedws schema export MODULE:APP [--out schemas]   write the app's schema files
    typedws schema check MODULE:APP [--dir schemas]    exit 1, with a diff, when they drifted
    typedws schema diff OLD_DIR NEW_DIR                exit 1 when a change breaks clients
    typedws --version

export and check touch only files that export wrote: regular files (not links, FIFOs or
devices, which are never opened) of at most ``READ_LIMIT`` bytes that carry its marker (see
``typedws.schema.is_generated``). export removes such a file when no route makes it any more,
and never overwrites, removes or reports any other file. It writes all or nothing, as far as
the file system allows: every new file goes to a temporary file in the folder first, then
each is moved into place (the files it replaced are put back when a move fails), and only
then are stale files removed.

Exit status 2, with a one-line message, for an import path that does not exist, an object
that is not an app, an app with no typed routes, anything in the way of export that export
did not write (delete or move it by hand), or a file that cannot be written or removed.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import importlib
import os
import secrets
import stat
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from typedws import __version__
from typedws.errors import ConfigurationError
from typedws.schema import ASYNCAPI_FILE, export, is_generated
from typedws.schema_diff import diff_dirs

__all__ = ["main"]

READ_LIMIT = 8 * 1024 * 1024
"""The most bytes read of a file in the schema folder: far more than export ever writes, so
a larger file is not export's own."""


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
    except OSError as exc:
        where = "" if exc.filename is None else f"{exc.filename}: "
        print(f"typedws: error: {where}{_os_error(exc)}", file=sys.stderr)
        return 2
    return status


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="typedws", description="typedws tools.")
    parser.add_argument("--version", action="version", version=f"typedws {__version__}")
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
    if out.exists() and not out.is_dir():
        raise CommandError(f"{out} is not a directory")
    generated = _generated_files(out)
    foreign = _foreign_files(out, files.keys() - generated.keys())
    if foreign:
        them = "it" if len(foreign) == 1 else "them"
        raise CommandError(
            f"refusing to overwrite {', '.join(map(str, foreign))}: typedws did not generate"
            f" {them}; delete or move {them} by hand, then export again"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CommandError(f"could not create {out}: {_os_error(exc)}") from None
    _write_all(out, {name: text.encode() for name, text in files.items()}, generated)
    for name in files:
        print(f"wrote {out / name}")
    for stale in sorted(generated.keys() - files.keys()):
        try:
            os.unlink(out / stale)
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise CommandError(
                f"could not remove the stale {out / stale}: {_os_error(exc)};"
                " the current files are written"
            ) from None
        print(f"removed {out / stale}")
    return 0


def _write_all(out: Path, files: dict[str, bytes], old: dict[str, bytes]) -> None:
    """Put *files* in *out*, all or nothing as far as the file system allows: write each to
    a temporary file in *out*, then move each into place; when a move fails, put back the
    files replaced so far (*old* holds their contents) and remove the new ones.

    A replaced file's mode is kept. Raises ``CommandError`` when a file cannot be written.
    """
    modes = {name: _mode(out / name) for name in files}
    temporary: dict[str, Path] = {}
    moved: list[str] = []
    current = ""
    try:
        for current, data in files.items():
            temporary[current] = _write_temporary(out / current, data, modes[current])
        for current in files:
            os.replace(temporary[current], out / current)
            del temporary[current]
            moved.append(current)
    except OSError as exc:
        undone = _undo(out, moved, old, modes)
        state = f"{out} is as it was" if undone else f"{out} holds new and old files"
        raise CommandError(f"could not write {out / current}: {_os_error(exc)}; {state}") from None
    finally:
        for path in temporary.values():
            with contextlib.suppress(OSError):
                os.unlink(path)


def _undo(out: Path, moved: list[str], old: dict[str, bytes], modes: dict[str, int | None]) -> bool:
    """Put back what *out* held before *moved* files replaced it; whether that worked."""
    undone = True
    for name in reversed(moved):
        try:
            if name in old:
                _put(out / name, old[name], modes[name])
            else:
                os.unlink(out / name)
        except OSError:
            undone = False
    return undone


def _put(target: Path, data: bytes, mode: int | None) -> None:
    """Replace *target* by a file holding *data*, through a temporary file."""
    path = _write_temporary(target, data, mode)
    try:
        os.replace(path, target)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise


def _write_temporary(target: Path, data: bytes, mode: int | None) -> Path:
    """Write *data* to a new hidden file next to *target*; give it *mode*, if any."""
    path = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    descriptor = os.open(path, flags, 0o666)
    try:
        with open(descriptor, "wb", closefd=True) as file:
            file.write(data)
        if mode is not None:
            os.chmod(path, mode)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(path)
        raise
    return path


def _mode(path: Path) -> int | None:
    """The permission bits of the regular file at *path*, or None when there is none."""
    try:
        info = path.lstat()
    except OSError:
        return None
    return stat.S_IMODE(info.st_mode) if stat.S_ISREG(info.st_mode) else None


def _check(args: argparse.Namespace) -> int:
    files = _files(args)
    directory: Path = args.dir
    generated = _generated_files(directory)
    foreign = _foreign_files(directory, files.keys() - generated.keys())
    problems = 0
    for name in sorted(files.keys() | generated.keys()):
        path = directory / name
        if path in foreign:
            print(f"not generated by typedws: {path} (export will not overwrite it)")
        elif name not in generated:
            print(f"missing: {path}")
        elif name not in files:
            print(f"stale: {path} (no route makes it)")
        elif (committed := _text(generated[name])) != files[name]:
            print(f"changed: {path}")
            sys.stdout.writelines(
                difflib.unified_diff(
                    committed.splitlines(keepends=True),
                    files[name].splitlines(keepends=True),
                    fromfile=f"{path} (committed)",
                    tofile=f"{path} (from the code)",
                )
            )
        else:
            continue
        problems += 1
    if problems:
        first = "move or delete the files typedws did not generate, then " if foreign else ""
        print(
            f"{problems} schema file(s) out of date: {first}run typedws schema export"
            f" {args.app} --out {directory}"
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


def _generated_files(directory: Path) -> dict[str, bytes]:
    """The files in *directory* that export wrote, by name, with their contents: regular
    files, not larger than ``READ_LIMIT``, carrying its marker."""
    if not directory.is_dir():
        return {}
    paths = [*directory.glob("*.schema.json"), directory / ASYNCAPI_FILE]
    found = {path.name: _read(path) for path in sorted(paths)}
    return {
        name: data for name, data in found.items() if data is not None and is_generated(_text(data))
    }


def _foreign_files(directory: Path, names: Iterable[str]) -> list[Path]:
    """The paths of *names* in *directory* where something other than export's output is."""
    paths = [directory / name for name in sorted(names)]
    return [path for path in paths if path.exists() or path.is_symlink()]


def _read(path: Path) -> bytes | None:
    """The contents of the regular file at *path*, or None for anything else: nothing, a
    link, a folder, a FIFO, a device, a file larger than ``READ_LIMIT`` or one that cannot
    be read. Opens nothing but a regular file, so that reading never waits or runs on."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return None
        descriptor = os.open(path, flags | getattr(os, "O_BINARY", 0))
        with open(descriptor, "rb", closefd=True) as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):  # replaced since lstat
                return None
            data = file.read(READ_LIMIT + 1)
    except OSError:
        return None
    return data if len(data) <= READ_LIMIT else None


def _text(data: bytes) -> str:
    """*data* as text, newlines as ``\\n`` (as when a file is read in text mode), or an
    empty string when it is not UTF-8."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return ""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _os_error(exc: OSError) -> str:
    """What went wrong, in a few words: ``Permission denied``."""
    return exc.strerror or str(exc) or type(exc).__name__


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
