"""The documentation site builds with `mkdocs build --strict`, fetches nothing from the
network, documents every public name in its API reference, and holds no code example the
tests do not run or type-check."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.docs_examples import (
    DOCS,
    EXAMPLES,
    ROOT,
    blocks_of,
    nav_pages,
    reading_order,
)

BIN = Path(sys.executable).parent

# The modules the API reference must document, whatever its pages say.
REQUIRED_MODULES = {"typedws", "typedws.testing", "typedws.broadcast"}

# Languages a fenced block of the README or a page may name. Python is "python" alone, so
# that every Python block is collected (tests/docs_examples.py) and run or type-checked.
LANGUAGES = {"python", "sh", "text", "json"}

# The attributes by which a page makes the browser load something: none may point outside.
LOADING = {
    "script": "src",
    "link": "href",
    "img": "src",
    "iframe": "src",
    "source": "src",
    "audio": "src",
    "video": "src",
}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site as `mkdocs build --strict` writes it, into a folder of the test's own."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}  # Material's banner about MkDocs 2.0
    result = subprocess.run(
        [BIN / "mkdocs", "build", "--strict", "--site-dir", out],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return out


class Loads(HTMLParser):
    """The addresses an HTML page makes the browser load (scripts, stylesheets, images)."""

    def __init__(self) -> None:
        super().__init__()
        self.addresses: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        name = LOADING.get(tag)
        for key, value in attrs:
            if key == name and value is not None:
                self.addresses.append(value)


def reference_modules() -> set[str]:
    """The modules the API reference pages document (their `::: module` lines)."""
    text = "\n".join(path.read_text(encoding="utf-8") for path in DOCS.glob("reference/*.md"))
    return set(re.findall(r"^::: ([\w.]+)$", text, flags=re.MULTILINE))


def test_the_site_builds_strictly(site: Path) -> None:
    """`mkdocs build --strict` builds every page of the nav, without a warning."""
    for page in nav_pages():
        html = site / page.removesuffix(".md") / "index.html"
        if page == "index.md":
            html = site / "index.html"
        assert html.is_file(), page


def test_the_site_loads_nothing_from_the_network(site: Path) -> None:
    """No page or stylesheet of the built site loads anything from another host (no web
    fonts, no scripts or styles from a CDN): the site works offline."""
    remote = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", flags=re.IGNORECASE)
    for path in site.rglob("*.html"):
        parser = Loads()
        parser.feed(path.read_text(encoding="utf-8"))
        outside = [address for address in parser.addresses if remote.match(address)]
        assert not outside, (path.relative_to(site), outside)
    for path in site.rglob("*.css"):
        css = path.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import", css), path


def test_the_api_reference_names_every_public_name(site: Path) -> None:
    """The API reference documents typedws, typedws.testing and typedws.broadcast, and every
    name in the __all__ of each module it documents has its entry there."""
    modules = reference_modules()
    assert modules >= REQUIRED_MODULES
    html = "\n".join(path.read_text(encoding="utf-8") for path in site.glob("reference/**/*.html"))
    missing = [
        f"{module}.{name}"
        for module in sorted(modules)
        for name in importlib.import_module(module).__all__
        if f'id="{module}.{name}"' not in html
    ]
    assert not missing


def test_the_readme_links_to_pages_that_exist(site: Path) -> None:
    """Each relative link of the README names a file of the repository, and a link into a
    docs page's section names an anchor the built page has (GitHub renders these links)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    links = re.findall(r"\]\(([^)\s]+)\)", readme)
    relative = [link for link in links if not re.match(r"[a-z]+:", link)]
    assert len(relative) >= 20
    for link in relative:
        path, _, anchor = link.partition("#")
        assert (ROOT / path).is_file(), link
        if anchor:
            page = Path(path).relative_to("docs").with_suffix("")
            html = site / ("" if page.name == "index" else page) / "index.html"
            assert f'id="{anchor}"' in html.read_text(encoding="utf-8"), link


def test_every_docs_page_is_in_the_nav() -> None:
    """Each Markdown file under docs/ is a page of mkdocs.yml's nav, so its examples are
    collected in reading order (and the site links it)."""
    files = {path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md")}
    assert files == set(nav_pages())


def test_every_python_block_is_run_or_type_checked() -> None:
    """Every fenced block of the README and the pages names a known language, and every
    Python one is an example the tests run or type-check: all are type-checked but the
    signature summaries, which are only the WebSocket constructor's."""
    collected = {(example.page, example.line) for example in EXAMPLES}
    for page in reading_order():
        for block in blocks_of(page):
            where = f"{page}, line {block.line}"
            assert block.language in LANGUAGES, f"{where}: name the language (```python)"
            if block.language == "python":
                assert (block.page, block.line) in collected, where
    signatures = [example.page for example in EXAMPLES if example.is_signature]
    assert signatures == ["docs/websocket.md"]


def test_snippets_include_only_the_readme_and_the_changelog() -> None:
    """The pages include other files only where their examples are collected already (the
    README) or where there are none (the CHANGELOG), so no included example goes untested."""
    included = set()
    for page in nav_pages():
        text = (DOCS / page).read_text(encoding="utf-8")
        included |= set(re.findall(r'^--8<-- "([^":]+)', text, flags=re.MULTILINE))
    assert included <= {"README.md", "CHANGELOG.md"}
    assert not [block for block in blocks_of("CHANGELOG.md") if block.language == "python"]
