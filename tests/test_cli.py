"""The typedws command: export, check (drift), diff (breaking changes), and its errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from examples.chat.app import app as chat_app
from tests.frontend import ROOT
from typedws import __version__
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


def snapshot(directory: Path) -> dict[str, tuple[bytes, int]]:
    """Every file in *directory*: its bytes and modification time."""
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in directory.iterdir()}


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
    before = snapshot(out)
    capsys.readouterr()
    assert main(["schema", "export", CHAT, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert str(out / name) in captured.err
    assert snapshot(out) == before


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
    """A file export did not write, at a name export wants, is a problem for check too."""
    out = tmp_path / "schemas"
    main(["schema", "export", CHAT, "--out", str(out)])
    (out / "chat.server.schema.json").write_text('{"title": "mine"}\n')
    before = snapshot(out)
    capsys.readouterr()
    assert main(["schema", "check", CHAT, "--dir", str(out)]) == 1
    printed = capsys.readouterr().out
    assert f"not generated by typedws: {out / 'chat.server.schema.json'}" in printed
    assert snapshot(out) == before


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
