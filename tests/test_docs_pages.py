"""Each documentation page whose examples use what an earlier page declared says so, with a
link to that page: a reader who lands on a page and copies its example knows where the
rest of the program is."""

from __future__ import annotations

import ast
import builtins
import re

import pytest

from tests.docs_examples import ROOT, Block, blocks_of, reading_order

# A Markdown link to a page of the site: [text](page.md) or [text](page.md#anchor).
PAGE_LINK = re.compile(r"\]\(([\w./-]+\.md)(?:#[\w-]*)?\)")
CODE_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,}).*?^[ \t]*\1[ \t]*$", flags=re.MULTILINE | re.DOTALL)
BUILDS_ON = re.compile(r"\bbuilds? on\b")
BUILTINS = frozenset(dir(builtins))


def _examples(page: str) -> list[Block]:
    return [b for b in blocks_of(page) if b.language == "python" and not b.is_signature]


def _declared(tree: ast.Module) -> set[str]:
    """The names a block binds at its top level (imports, classes, functions, assignments)."""
    names: set[str] = set()
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
            continue
        for node in ast.walk(statement):
            if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
    return names


def _bound_anywhere(tree: ast.Module) -> set[str]:
    """Every name a block binds at any depth: its own declarations, parameters, locals."""
    names = _declared(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.alias):
            names.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


def borrowed_names() -> dict[str, dict[str, list[str]]]:
    """For each page, the names its examples use but do not declare, by the page (as the site
    names it: the README's first example is the home page, index.md) that declares each first."""
    first_page: dict[str, str] = {}
    borrowed: dict[str, dict[str, list[str]]] = {}
    for page in reading_order():
        trees = [ast.parse(block.code) for block in _examples(page)]
        bound = set().union(*map(_bound_anywhere, trees)) if trees else set()
        used = {
            node.id
            for tree in trees
            for node in ast.walk(tree)
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load)
        }
        by_page: dict[str, list[str]] = {}
        for name in sorted(used - bound - BUILTINS):
            by_page.setdefault(first_page.get(name, "(nowhere)"), []).append(name)
        if by_page:
            borrowed[page] = by_page
        site_page = "index.md" if page == "README.md" else page.removeprefix("docs/")
        for tree in trees:
            for name in _declared(tree):
                first_page.setdefault(name, site_page)
    return borrowed


BORROWED = borrowed_names()


def _builds_on_paragraph(page: str) -> str:
    """The page's first paragraph (outside code blocks) that says what its examples build on."""
    text = CODE_FENCE.sub("", (ROOT / page).read_text(encoding="utf-8"))
    for paragraph in re.split(r"\n\s*\n", text):
        if BUILDS_ON.search(paragraph):
            return paragraph
    return ""


def test_pages_borrow_names_only_from_earlier_pages() -> None:
    """Every name a page's examples use is declared by the page or by an earlier one."""
    assert {page: by for page, by in BORROWED.items() if "(nowhere)" in by} == {}


@pytest.mark.parametrize("page", sorted(BORROWED))
def test_a_page_says_which_pages_its_examples_build_on(page: str) -> None:
    """A page whose examples use another page's declarations has a paragraph saying that its
    examples build on it, linking each page they take names from."""
    linked = set(PAGE_LINK.findall(_builds_on_paragraph(page)))
    missing = {source: names for source, names in BORROWED[page].items() if source not in linked}
    assert missing == {}, f"{page} uses, without saying where they come from: {missing}"
