"""The demo page's TypeScript: types generated from the committed schemas, compiled with
tsc --strict to the committed script, and wrong message shapes refused at compile time."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.frontend import ROOT, WEB, node_tool, run

STRICT = ["--strict", "--noEmit", "--target", "ES2020", "--module", "ES2020"]
STRICT += ["--moduleResolution", "bundler", "--lib", "ES2020,DOM"]


def test_generated_types_match_the_schemas(tmp_path: Path) -> None:
    """The committed types are what json-schema-to-typescript makes of schemas/ today."""
    result = run("node", str(WEB / "generate-types.mjs"), str(tmp_path))
    assert result.returncode == 0, result.stderr
    for direction in ("client", "server"):
        generated = (tmp_path / f"{direction}.d.ts").read_text()
        assert generated == (WEB / "generated" / f"{direction}.d.ts").read_text()
    client = (tmp_path / "client.d.ts").read_text()
    assert "export type ChatClientMessage = Join | Say | Leave | Who;" in client
    server = (tmp_path / "server.d.ts").read_text()
    assert (
        "export type ChatServerMessage = Welcome | Joined | Said | Left | Members | Error;"
        in server
    )


def test_page_compiles_to_the_committed_script(tmp_path: Path) -> None:
    """tsc --strict compiles the page without errors, to exactly the script the app serves."""
    result = run(node_tool("tsc"), "-p", str(WEB), "--outDir", str(tmp_path))
    assert result.returncode == 0, result.stdout
    committed = ROOT / "examples" / "chat" / "static" / "chat.js"
    assert (tmp_path / "chat.js").read_text() == committed.read_text()


def test_every_wrong_message_is_expected_to_fail() -> None:
    """Each wrong shape in negative/ is a compile error (an unused @ts-expect-error fails)."""
    result = run(node_tool("tsc"), "-p", str(WEB / "negative"))
    assert result.returncode == 0, result.stdout


def test_wrong_messages_are_compile_errors(tmp_path: Path) -> None:
    """Without the @ts-expect-error directives, tsc refuses every wrong message shape."""
    shutil.copytree(WEB / "generated", tmp_path / "generated")
    source = (WEB / "negative" / "wrong-messages.ts").read_text()
    expected = source.count("@ts-expect-error")
    (tmp_path / "negative").mkdir()
    stripped = tmp_path / "negative" / "wrong-messages.ts"
    stripped.write_text(re.sub(r"^\s*// @ts-expect-error.*\n", "", source, flags=re.M))
    result = run(node_tool("tsc"), *STRICT, str(stripped))
    assert result.returncode != 0
    errors = re.findall(r"wrong-messages\.ts\(\d+,\d+\): error TS\d+", result.stdout)
    assert len(errors) == expected == 5, result.stdout
