"""The code blocks of the README and of the documentation site's pages, in reading order.

The rule the tests rely on: the examples are one program, read in one order, README.md's
blocks first, then each page's in the order of mkdocs.yml's nav. A block may use what any
block before it declared, on its page or on an earlier one (the pages build on the README's
first example: `Join`, `Say`, `ClientMessage`, `Said`, `chat`). test_readme.py runs the route
and endpoint examples in that order in one namespace; test_readme_types.py type-checks every
Python block but the signature summaries, in that order, as one module; test_docs_site.py
fails when a page holds a Python block that is not collected here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from types import CodeType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"

# A fenced block: its opening fence (``` or ~~~, maybe indented in a list), its info string
# (the language first), its body, and the same fence closing it.
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)"
    r"^(?P=indent)(?P=fence)[ \t]*$",
    flags=re.MULTILINE | re.DOTALL,
)

# Blocks that show a signature, not code to run or check (a call with `*, ...`), by how
# they begin. Nothing else is left out of the type check.
SIGNATURES = ("WebSocket(scope, receive, send, *,",)


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page: where it is, its language and its code."""

    page: str  # the page's path from the repository root: README.md, docs/typing.md
    line: int  # the page's line number of the block's first line of code
    language: str  # the first word of the fence's info string; "" when it names none
    code: str

    @property
    def is_signature(self) -> bool:
        """Whether the block is a signature summary, left out of the type check."""
        return self.code.startswith(SIGNATURES)

    def compiled(self) -> CodeType:
        """The block compiled so that a traceback names the page and its line numbers."""
        source = "\n" * (self.line - 1) + self.code
        return compile(source, self.page, "exec", dont_inherit=True)


def nav_pages() -> list[str]:
    """The pages of mkdocs.yml's nav, in order, as paths under docs/."""
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    pages: list[str] = []

    def walk(item: Any) -> None:
        if isinstance(item, str):
            pages.append(item)
        elif isinstance(item, list):
            for child in item:
                walk(child)
        elif isinstance(item, dict):
            for child in item.values():
                walk(child)

    walk(config["nav"])
    return pages


def reading_order() -> list[str]:
    """The README, then the documentation pages in the nav's order, from the repository root."""
    return ["README.md", *(f"docs/{page}" for page in nav_pages())]


def blocks_of(page: str) -> list[Block]:
    """Every fenced code block of *page* (a path from the repository root), in order."""
    text = (ROOT / page).read_text(encoding="utf-8")
    blocks = []
    for match in FENCE.finditer(text):
        indent = match["indent"]
        lines = match["body"].splitlines(keepends=True)
        code = "".join(line.removeprefix(indent) for line in lines)
        info = match["info"].strip().lstrip("{").strip()
        language = info.split()[0].lstrip(".") if info else ""
        line = text.count("\n", 0, match.start()) + 2
        blocks.append(Block(page, line, language, code))
    return blocks


def python_blocks() -> list[Block]:
    """The Python blocks of the README and of every page, in reading order."""
    return [
        block for page in reading_order() for block in blocks_of(page) if block.language == "python"
    ]


EXAMPLES = python_blocks()
