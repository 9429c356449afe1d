"""The typedws command: export, check (drift), diff (breaking changes), and its errors."""

from __future__ import annotations

import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from examples.chat.app import app as chat_app
from tests.frontend import ROOT
from typedws import __version__, cli
from typedws.cli import main
from typedws.schema import export

CHAT = "examples.chat.app:app"

APP_V1 = """
from typing import Annotated, Literal
from pydantic import BaseModel, Field
from starlette.applications import Starlette
from typedws import route

class Join(BaseModel):
    type: Literal["join"]
    name: str

class Say(BaseModel):
    type: Literal["say"]
    text: str

class Said(BaseModel):
    name: str
    text: str
    mood: str | None = None

@route("/ws", receive_model=Annotated[Join | Say, Field(discriminator="type")], send_model=Said)
async def chat(ws):
    pass

app = Starlette(routes=[chat])
"""


def typedws(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed command, as a user would, in *cwd*."""
    return subprocess.run(
        [sys.executable, "-m", "typedws", *args], cwd=cwd, capture_output=True, text=True
    )


def write_app(directory: Path, source: str) -> None:
    (directory / "chatapp.py").write_text(textwrap.dedent(source))


def assert_export_refuses(capsys: pytest.CaptureFixture[str], out: Path, name: str) -> None:
    """Export exits 2 with one line naming *name*, and nothing in *out* changes."""
    before = snapshot(out)
    capsys.readouterr()
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert str(out / name) in captured.err
    assert snapshot(out) == before


def test_export_then_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """export writes the files; check passes on them and exits 0."""
    out = tmp_path / "schemas"
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "asyncapi.json",
        "chat.client.schema.json",
        "chat.server.schema.json",
    ]
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 0
    assert "3 schema files" in capsys.readouterr().out


def test_the_repo_schemas_are_current() -> None:
    """The committed schemas/ are current: `typedws schema check` exits 0."""
    result = typedws("schema", "check", CHAT, cwd=ROOT)
    assert result.returncode == 0, result.stdout


def test_check_fails_after_a_model_change_and_passes_after_export(tmp_path: Path) -> None:
    """A model change makes check exit 1 with a readable diff; re-export makes it pass."""
    write_app(tmp_path, APP_V1)
    assert typedws("schema", "export", "chatapp:app", cwd=tmp_path).returncode == 0
    assert typedws("schema", "check", "chatapp:app", cwd=tmp_path).returncode == 0
    write_app(
        tmp_path,
        APP_V1.replace(
            "    name: str\n    text: str\n    mood",
            "    name: str\n    text: str\n    at: int\n    mood",
        ),
    )
    result = typedws("schema", "check", "chatapp:app", cwd=tmp_path)
    assert result.returncode == 1
    assert "changed: schemas/chat.server.schema.json" in result.stdout
    added = [line[1:].strip() for line in result.stdout.splitlines() if line.startswith("+ ")]
    assert '"at": {' in added
    assert "run typedws schema export chatapp:app --out schemas" in result.stdout
    assert typedws("schema", "export", "chatapp:app", cwd=tmp_path).returncode == 0
    assert typedws("schema", "check", "chatapp:app", cwd=tmp_path).returncode == 0


def test_check_reports_missing_and_stale_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Missing and stale generated files are drift too; export removes what no route makes."""
    out = tmp_path / "schemas"
    main(["schema", "export", CHAT, "--out", str(out)])
    shutil.copy(out / "chat.server.schema.json", out / "gone.server.schema.json")
    (out / "chat.client.schema.json").unlink()
    capsys.readouterr()
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 1
    printed = capsys.readouterr().out
    assert f"missing: {out / 'chat.client.schema.json'}" in printed
    assert f"stale: {out / 'gone.server.schema.json'}" in printed
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    assert not (out / "gone.server.schema.json").exists()
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 0


FOREIGN = {
    "user.schema.json": b'{"title": "User", "type": "object"}',
    "legacy.client.schema.json": (
        b'{\r\n  "$comment": "Written by hand for the v1 client.",\r\n'
        b'  "title": "L\xc3\xa9gacy"\r\n}\r\n'
    ),
    "notes.txt": b"which schemas the mobile app pins\n",
}


def mixed_folder(tmp_path: Path) -> Path:
    """A folder holding foreign files, the generated files of a route that no longer
    exists (lobby), and the current generated files of the chat app."""
    out = tmp_path / "schemas"
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    for direction in ("client", "server"):
        shutil.copy(out / f"chat.{direction}.schema.json", out / f"lobby.{direction}.schema.json")
    for name, content in FOREIGN.items():
        (out / name).write_bytes(content)
    return out


def snapshot(directory: Path) -> dict[str, tuple[object, ...]]:
    """Every entry in *directory*, following no link: a file's bytes, mode and modification
    time, a link's target, the kind of anything else."""
    entries: dict[str, tuple[object, ...]] = {}
    for path in directory.iterdir():
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            entries[path.name] = (path.read_bytes(), stat.S_IMODE(info.st_mode), info.st_mtime_ns)
        elif stat.S_ISLNK(info.st_mode):
            entries[path.name] = ("link", os.readlink(path))
        else:
            entries[path.name] = ("other", stat.S_IFMT(info.st_mode))
    return entries


def contents(directory: Path) -> dict[str, tuple[object, ...]]:
    """What *directory* holds, as in ``snapshot`` but without modification times."""
    return {name: entry[:2] for name, entry in snapshot(directory).items()}


def edited(text: str) -> str:
    """A generated file's text with one more key: still marked, no longer what export writes."""
    return text.removesuffix("\n}\n") + ',\n  "x-project": "other"\n}\n'


def other_project(tmp_path: Path) -> Path:
    """Another project's folder of generated schema files, named as the chat app's and
    marked, but with other contents."""
    other = tmp_path / "other"
    other.mkdir()
    for name, text in export(chat_app).items():
        (other / name).write_text(edited(text), encoding="utf-8")
    return other


def test_export_keeps_foreign_files_and_removes_only_stale_generated_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """export removes the generated files no route makes, writes the current ones and leaves
    files it did not generate byte-for-byte as they were."""
    out = mixed_folder(tmp_path)
    (out / "chat.client.schema.json").unlink()
    capsys.readouterr()
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"removed {out / 'lobby.client.schema.json'}" in printed
    assert f"removed {out / 'lobby.server.schema.json'}" in printed
    assert sorted(p.name for p in out.iterdir()) == sorted([*export(chat_app), *FOREIGN])
    for name, content in FOREIGN.items():
        assert (out / name).read_bytes() == content
        assert name not in printed
    for name, text in export(chat_app).items():
        assert (out / name).read_text(encoding="utf-8") == text
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 0


@pytest.mark.parametrize("name", ["chat.server.schema.json", "asyncapi.json"])
def test_export_refuses_to_overwrite_a_foreign_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A file export did not write at a name export wants: exit 2, one line naming it, and
    nothing written or removed in that run."""
    out = mixed_folder(tmp_path)
    (out / name).write_text('{"title": "mine"}\n')
    (out / "chat.client.schema.json").unlink()
    assert_export_refuses(capsys, out, name)


def test_the_installed_command_refuses_too(tmp_path: Path) -> None:
    """The real `typedws` script refuses a foreign file at a target name: exit 2, one line
    on stderr that says how to go on, and the folder untouched."""
    script = Path(sys.executable).with_name("typedws")
    assert script.exists(), f"{script} is missing: pip install -e ."
    out = mixed_folder(tmp_path)
    (out / "chat.server.schema.json").write_text('{"title": "mine"}\n')
    before = snapshot(out)
    result = subprocess.run(
        [str(script), "schema", "export", CHAT, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("typedws: error: ")
    assert result.stderr.count("\n") == 1
    assert str(out / "chat.server.schema.json") in result.stderr
    assert "delete" in result.stderr
    assert snapshot(out) == before


def test_check_reports_stale_generated_files_and_touches_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check names the stale generated files, exits 1, ignores foreign files and changes
    nothing in the folder."""
    out = mixed_folder(tmp_path)
    before = snapshot(out)
    capsys.readouterr()
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 1
    assert capsys.readouterr().out.splitlines() == [
        f"stale: {out / 'lobby.client.schema.json'} (no route makes it)",
        f"stale: {out / 'lobby.server.schema.json'} (no route makes it)",
        f"2 schema file(s) out of date: run typedws schema export {CHAT} --out {out}",
    ]
    assert snapshot(out) == before


def test_check_reports_a_foreign_file_at_a_target_name(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file export did not write, at a name export wants, is a problem for check too, and
    its advice says to move it before exporting."""
    out = tmp_path / "schemas"
    main(["schema", "export", CHAT, "--out", str(out)])
    (out / "chat.server.schema.json").write_text('{"title": "mine"}\n')
    before = snapshot(out)
    capsys.readouterr()
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 1
    printed = capsys.readouterr().out
    assert f"not generated by typedws: {out / 'chat.server.schema.json'}" in printed
    assert "move or delete the files typedws did not generate, then run" in printed
    assert snapshot(out) == before


@pytest.mark.parametrize("name", ["chat.client.schema.json", "asyncapi.json"])
def test_a_link_at_a_target_name_is_not_exports_own(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    """A symbolic link at a name export writes is in the way, even when it points to a
    generated file: export exits 2 and writes nothing, through the link or anywhere else;
    check reports it and changes nothing."""
    other = other_project(tmp_path)
    out = tmp_path / "schemas"
    out.mkdir()
    (out / name).symlink_to(other / name)
    before, elsewhere = snapshot(out), snapshot(other)
    assert_export_refuses(capsys, out, name)
    assert snapshot(other) == elsewhere
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 1
    assert f"not generated by typedws: {out / name}" in capsys.readouterr().out
    assert snapshot(out) == before
    assert snapshot(other) == elsewhere


def test_a_link_named_like_a_stale_file_is_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A user's link named like a generated file that no route makes, pointing to a
    generated file, is not export's to remove, nor stale for check."""
    other = other_project(tmp_path)
    out = tmp_path / "schemas"
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    link = out / "legacy.client.schema.json"
    link.symlink_to(other / "chat.client.schema.json")
    elsewhere = snapshot(other)
    capsys.readouterr()
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 0
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    assert "legacy" not in capsys.readouterr().out
    assert link.is_symlink()
    assert os.readlink(link) == str(other / "chat.client.schema.json")
    assert snapshot(other) == elsewhere


def test_export_replaces_a_hard_linked_file_instead_of_writing_through_it(
    tmp_path: Path,
) -> None:
    """A generated file that another folder links to (a hard link) is replaced by the new
    one: the other folder's file keeps its contents."""
    other = other_project(tmp_path)
    out = tmp_path / "schemas"
    out.mkdir()
    os.link(other / "chat.client.schema.json", out / "chat.client.schema.json")
    elsewhere = snapshot(other)
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    assert snapshot(other) == elsewhere
    expected = export(chat_app)["chat.client.schema.json"]
    assert (out / "chat.client.schema.json").read_text(encoding="utf-8") == expected


def test_export_keeps_the_mode_of_the_files_it_replaces(tmp_path: Path) -> None:
    """A generated file made read-only is replaced by the new one with the same mode; new
    files get the usual mode."""
    out = tmp_path / "schemas"
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    usual = stat.S_IMODE((out / "asyncapi.json").stat().st_mode)
    target = out / "chat.server.schema.json"
    target.write_text(edited(target.read_text(encoding="utf-8")), encoding="utf-8")
    target.chmod(0o444)
    (out / "chat.client.schema.json").unlink()
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    assert target.read_text(encoding="utf-8") == export(chat_app)["chat.server.schema.json"]
    assert stat.S_IMODE((out / "chat.client.schema.json").stat().st_mode) == usual


def typedws_bounded(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the command with at most 30 seconds and 1 GiB of memory: for folders that could
    make it wait or read forever."""

    def limit_memory() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [sys.executable, "-m", "typedws", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        preexec_fn=limit_memory,
    )


SPECIAL_FILES: dict[str, Callable[[Path], None]] = {
    "fifo": os.mkfifo,
    "link to /dev/zero": lambda path: path.symlink_to("/dev/zero"),
}


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev/zero")
@pytest.mark.parametrize("kind", list(SPECIAL_FILES))
def test_special_files_are_never_opened(tmp_path: Path, kind: str) -> None:
    """A FIFO or a link to a device, named like a schema file, is never read (no waiting,
    no reading forever): under a name no route makes it is left alone; at a name export
    writes it is in the way."""
    make = SPECIAL_FILES[kind]
    out = tmp_path / "schemas"
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    make(out / "pipe.schema.json")
    for action, option in (("check", "--dir"), ("export", "--out")):
        result = typedws_bounded("schema", action, CHAT, option, str(out), cwd=ROOT)
        assert result.returncode == 0, result.stderr
    assert (out / "pipe.schema.json").is_symlink() or stat.S_ISFIFO(
        (out / "pipe.schema.json").lstat().st_mode
    )
    (out / "chat.server.schema.json").unlink()
    make(out / "chat.server.schema.json")
    before = snapshot(out)
    result = typedws_bounded("schema", "check", CHAT, "--dir", str(out), cwd=ROOT)
    assert result.returncode == 1, result.stderr
    assert f"not generated by typedws: {out / 'chat.server.schema.json'}" in result.stdout
    result = typedws_bounded("schema", "export", CHAT, "--out", str(out), cwd=ROOT)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1
    assert snapshot(out) == before


def test_a_file_too_big_to_be_generated_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A marked file larger than export reads (``cli.READ_LIMIT``, far above any file it
    writes) is not export's own: left alone under a name no route makes, in the way at a
    name export writes."""
    out = tmp_path / "schemas"
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    text = (out / "chat.server.schema.json").read_text(encoding="utf-8")
    padding = " " * (cli.READ_LIMIT + 1 - len(text))
    big = text.removesuffix("}\n") + padding + "}\n"
    assert len(big) > cli.READ_LIMIT
    (out / "big.server.schema.json").write_text(big, encoding="utf-8")
    capsys.readouterr()
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 0
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 0
    assert (out / "big.server.schema.json").read_text(encoding="utf-8") == big
    (out / "chat.server.schema.json").write_text(big, encoding="utf-8")
    before = snapshot(out)
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 2
    assert snapshot(out) == before


def failing_once(call: int, real: Callable[..., None]) -> Callable[..., None]:
    """*real*, except that its *call*-th call raises PermissionError instead."""
    calls = 0

    def maybe(*args: str | Path) -> None:
        nonlocal calls
        calls += 1
        if calls == call:
            raise PermissionError(errno.EACCES, "Permission denied", str(args[-1]))
        real(*args)

    return maybe


@pytest.mark.parametrize("call", [1, 2, 3])
def test_export_is_all_or_nothing_when_moving_a_file_into_place_fails(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    call: int,
) -> None:
    """When moving a new file into place fails (the first, second or third of three),
    export puts back every file it had replaced, removes no stale file and leaves no
    temporary file: exit 2 and one line naming the file and the reason."""
    out = mixed_folder(tmp_path)
    for name in export(chat_app):
        path = out / name
        path.write_text(edited(path.read_text(encoding="utf-8")), encoding="utf-8")
    (out / "chat.client.schema.json").unlink()
    before = contents(out)
    monkeypatch.setattr(os, "replace", failing_once(call, os.replace))
    capsys.readouterr()
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert captured.err.startswith(f"typedws: error: could not write {out}")
    assert "Permission denied" in captured.err
    assert contents(out) == before


def test_a_stale_file_that_cannot_be_removed_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stale files are removed only once the current files are in place; one that cannot
    be removed is exit 2 and one line naming it."""
    out = mixed_folder(tmp_path)
    stale = out / "lobby.client.schema.json"
    real_unlink = os.unlink

    def unlink(path: str | Path, *args: object, **kwargs: object) -> None:
        if Path(path) == stale:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        real_unlink(path)

    monkeypatch.setattr(os, "unlink", unlink)
    capsys.readouterr()
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1
    assert str(stale) in captured.err
    assert "Permission denied" in captured.err
    assert stale.exists()
    for name, text in export(chat_app).items():
        assert (out / name).read_text(encoding="utf-8") == text


def test_a_route_name_that_is_not_a_file_name_is_refused(tmp_path: Path) -> None:
    """A route named ``../escaped`` would write outside --out: exit 2, one line naming the
    route and asking for a name=, and nothing written anywhere."""
    write_app(tmp_path, APP_V1.replace('@route("/ws",', '@route("/ws", name="../escaped",'))
    out = tmp_path / "deep" / "schemas"
    out.mkdir(parents=True)
    result = typedws("schema", "export", "chatapp:app", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "'../escaped'" in result.stderr
    assert "name=" in result.stderr
    assert not list(tmp_path.rglob("*.json"))


APP_TWICE = """
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel
from typedws import WebSocket, route
from typedws.fastapi import add_typed_route

class Say(BaseModel):
    text: str

@route("/chat", model=Say)
async def chat(ws: WebSocket[Say, Say]) -> None:
    pass

shared = APIRouter()
add_typed_route(shared, chat)
app = FastAPI()
app.include_router(shared, prefix="/v1")
app.include_router(shared, prefix="/v2")
"""


def test_a_router_included_twice_exports_once_per_prefix(tmp_path: Path) -> None:
    """One router included under /v1 and /v2 serves its route at both addresses; export
    names them after their prefixes, and check passes."""
    write_app(tmp_path, APP_TWICE)
    result = typedws("schema", "export", "chatapp:app", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == [
        "asyncapi.json",
        "chat_v1.client.schema.json",
        "chat_v1.server.schema.json",
        "chat_v2.client.schema.json",
        "chat_v2.server.schema.json",
    ]
    document = json.loads((tmp_path / "schemas" / "asyncapi.json").read_text(encoding="utf-8"))
    addresses = {name: channel["address"] for name, channel in document["channels"].items()}
    assert addresses == {"chat_v1": "/v1/chat", "chat_v2": "/v2/chat"}
    assert typedws("schema", "check", "chatapp:app", cwd=tmp_path).returncode == 0


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """typedws --version prints the package version and exits 0."""
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0
    assert capsys.readouterr().out == f"typedws {__version__}\n"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("nowhere.at.all:app", "no module named 'nowhere.at.all'"),
        ("examples.chat.app:nope", "module 'examples.chat.app' has no attribute 'nope'"),
        ("examples.chat.app", "expected MODULE:APP"),
        ("json:dumps", "json:dumps: function is not a Starlette or FastAPI app"),
        ("starlette.applications:Starlette", "type is not a Starlette or FastAPI app"),
        ("tests.test_websocket:app", "the app has no typed routes"),
    ],
)
def test_bad_targets_exit_2_with_one_line(target: str, message: str) -> None:
    """Import paths that do not exist, non-apps and apps without typed routes: exit 2, one line."""
    result = typedws("schema", "check", target, cwd=ROOT)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("typedws: error: ")
    assert message in result.stderr


def test_import_error_inside_the_module_is_one_line(tmp_path: Path) -> None:
    """A module that fails while importing is reported in one line, not a traceback."""
    (tmp_path / "broken.py").write_text("import not_installed_anywhere\n")
    result = typedws("schema", "export", "broken:app", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "typedws: error: importing 'broken' failed: No module named 'not_installed_anywhere'\n"
    )


def export_to(directory: Path, source: str, tmp_path: Path) -> Path:
    """Export the schemas of the app *source* into *directory*; return it."""
    work = tmp_path / directory.name
    work.mkdir()
    write_app(work, source)
    result = typedws("schema", "export", "chatapp:app", "--out", str(directory), cwd=work)
    assert result.returncode == 0, result.stderr
    return directory


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("    text: str\n\nclass Said", "    text: str\n    lang: str\n\nclass Said"),
            "BREAKING chat client->server: Say.lang: required field added",
        ),
        (
            ("Join | Say", "Join"),
            "BREAKING chat client->server: removed message type 'say'",
        ),
        (
            (
                'class Join(BaseModel):\n    type: Literal["join"]\n    name: str',
                'class Join(BaseModel):\n    type: Literal["join"]\n    name: int',
            ),
            "BREAKING chat client->server: Join.name: type narrowed",
        ),
        (
            ("    mood: str | None = None\n", ""),
            "BREAKING chat server->client: Said.mood: field removed",
        ),
        (
            (
                "    name: str\n    text: str\n    mood",
                "    name: str | None = None\n    text: str\n    mood",
            ),
            "BREAKING chat server->client: Said.name: type widened",
        ),
    ],
)
def test_diff_reports_breaking_changes(
    tmp_path: Path, change: tuple[str, str], expected: str
) -> None:
    """schema diff names each breaking change per direction and exits 1."""
    old, new = change
    assert old in APP_V1
    before = export_to(tmp_path / "old", APP_V1, tmp_path)
    after = export_to(tmp_path / "new", APP_V1.replace(old, new), tmp_path)
    result = typedws("schema", "diff", str(before), str(after), cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert expected in result.stdout.splitlines()


def test_diff_passes_compatible_changes(tmp_path: Path) -> None:
    """An optional client field and a new server field are compatible: exit 0."""
    compatible = APP_V1.replace(
        "    text: str\n\nclass Said", "    text: str\n    lang: str = 'en'\n\nclass Said"
    ).replace("    mood: str | None = None\n", "    mood: str | None = None\n    seq: int = 0\n")
    before = export_to(tmp_path / "old", APP_V1, tmp_path)
    after = export_to(tmp_path / "new", compatible, tmp_path)
    result = typedws("schema", "diff", str(before), str(after), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "compatible chat client->server: Say.lang: optional field added" in result.stdout
    assert "compatible chat server->client: Said.seq: required field added" in result.stdout
    assert result.stdout.endswith("0 breaking change(s), 2 compatible\n")


def test_diff_needs_directories(tmp_path: Path) -> None:
    """schema diff on a path that is not a directory exits 2."""
    result = typedws("schema", "diff", str(tmp_path / "no"), str(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "is not a directory" in result.stderr


def test_diff_ignores_the_generated_marker(tmp_path: Path) -> None:
    """Files exported before the marker existed diff cleanly against marked ones."""
    new = export_to(tmp_path / "new", APP_V1, tmp_path)
    old = tmp_path / "unmarked"
    old.mkdir()
    for path in new.glob("*.schema.json"):
        schema = json.loads(path.read_text())
        assert schema.pop("$comment").startswith("Generated by typedws")
        (old / path.name).write_text(json.dumps(schema, indent=2) + "\n")
    result = typedws("schema", "diff", str(old), str(new), cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "0 breaking change(s), 0 compatible\n"
