"""The README, CONTRIBUTING.md, CHANGELOG.md and docs/*.md link to what is there: every relative
link and picture names a file of the repository, every ``#anchor`` a heading of the page it
points into, and every docs page is reachable from the README."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", ROOT / "CHANGELOG.md",
         *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```.*?^```[ \t]*$", re.M | re.S)
CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.M)


def prose(text: str) -> str:
    """The page without its code: a link written inside a code block or span is an example."""
    return CODE.sub("", FENCE.sub("", text))


def links(page: Path) -> list[str]:
    return LINK.findall(prose(page.read_text(encoding="utf-8")))


def anchors(page: Path) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as
    hyphens, a repeated heading numbered."""
    seen: dict[str, int] = {}
    out = set()
    for title in HEADING.findall(prose(page.read_text(encoding="utf-8"))):
        slug = re.sub(r"[^\w\- ]", "", CODE.sub(lambda m: m.group(0).strip("`"), title).lower())
        slug = slug.replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        out.add(slug if n == 0 else f"{slug}-{n}")
    return out


def broken(page: Path, root: Path = ROOT) -> list[str]:
    found = []
    for target in links(page):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            found.append(f"{target}: no such file")
        elif not file.resolve().is_relative_to(root):
            found.append(f"{target}: outside the repository")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            found.append(f"{target}: no heading #{anchor} in {file.relative_to(root)}")
    return found


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_and_picture_points_at_something(page: Path) -> None:
    assert page.is_file()
    assert broken(page) == []


def test_the_checker_finds_a_broken_link_picture_and_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n![a](missing.png) [b](page.md#nowhere) [c](page.md#title)\n"
                    "`[not a link](gone.md)`\n\n```\n[neither](gone.md)\n```\n",
                    encoding="utf-8")
    assert links(page) == ["missing.png", "page.md#nowhere", "page.md#title"]
    assert [b.split(":")[0] for b in broken(page, tmp_path)] == ["missing.png", "page.md#nowhere"]
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "inside.md").write_text("[out](../page.md)\n", encoding="utf-8")
    assert broken(tmp_path / "repo" / "inside.md", tmp_path / "repo") == [
        "../page.md: outside the repository"]


def test_the_readme_links_every_docs_page_and_shows_the_two_commands() -> None:
    readme = ROOT / "README.md"
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in links(readme)}
    for page in (ROOT / "docs").glob("*.md"):
        assert page.resolve() in linked, f"README.md does not link {page.relative_to(ROOT)}"
    for page in ("CONTRIBUTING.md", "CHANGELOG.md"):
        assert (ROOT / page).resolve() in linked, f"README.md does not link {page}"
    text = readme.read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text
    assert len(text.splitlines()) < 200


def _update_docs() -> Any:
    """scripts/update_docs.py as a module (it is a script, not part of the package)."""
    spec = importlib.util.spec_from_file_location("update_docs",
                                                  ROOT / "scripts" / "update_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("update_docs", module)
    spec.loader.exec_module(module)
    return module


def test_the_generated_pages_are_current() -> None:
    """docs/cli.md and docs/templates.md say what `make docs` writes today."""
    check = subprocess.run([sys.executable, str(ROOT / "scripts" / "update_docs.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def test_the_templates_page_lists_every_template_and_every_field_with_what_it_is() -> None:
    """Each bundled template is on the page with what it draws, and each field of each
    documented context with a description, so none ships undocumented."""
    from reporter.render.templates import BUNDLED_TEMPLATES

    docs = _update_docs()
    page = (ROOT / "docs" / "templates.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([^`]+)` \| (.*) \|$", page, re.M))
    for path in BUNDLED_TEMPLATES.rglob("*.*"):
        name = path.relative_to(BUNDLED_TEMPLATES).as_posix()
        assert rows.get(name, "").strip(), f"docs/templates.md says nothing of {name}"
    for context in docs.contexts():
        if context.view is None:
            assert context.keys and all(f"`{key}`" in page for key in context.keys)
            continue
        described = docs.field_docs(context.view)
        for f in dataclasses.fields(context.view):
            assert described.get(f.name, "").strip(), f"{context.view.__name__}.{f.name}"
            row = f"| `{f.name}` | `{docs.table_cell(str(f.type))}` | "
            assert row + docs.table_cell(described[f.name]) + " |" in page


def test_a_field_is_described_by_the_string_after_it_or_the_comment_on_its_line() -> None:
    docs = _update_docs()

    @dataclasses.dataclass(frozen=True)
    class Example:
        said: str
        """What the string after it says."""
        noted: int  # what the comment says
        bare: bool
        # a comment of its own line describes no field
        last: str = ""

    assert docs.field_docs(Example) == {"said": "What the string after it says.",
                                        "noted": "what the comment says"}
