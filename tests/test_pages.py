"""Every page of the demo's PDFs carries more than a lone block, and no heading ends a page.

``reporter demo`` runs once for the session (conftest's ``demo_run``); this reads every page of
every PDF it wrote: the rep reports and team reports of its scenario run and of its program
run, and each manager's team report.

How a page is read. The reports are tagged PDFs (PDF/UA-1): each run of text on a page sits in
marked content whose structure element says what it is (H2, P, Table > TBody > TR > TD,
Figure, L > LI, ...). The running header and footer are not in the structure tree, so they are
left out; so are a table's column headers (THead), which WeasyPrint repeats on every page a
table continues on. What remains is the page's *body*, each text run with its position and its
chain of structure elements from the document's root down.

A page fails when:

- **a heading is printed last on it**: the lowest text run of its body is part of a heading
  (H1 ... H6), so the heading's content starts on the next page;
- **it holds a lone block**: the page has no heading of its own (it continues the section
  above) and either all its body lies inside ONE table row, list item or figure (a skill row,
  a table's footer row such as the team's total, a chart), or, when its body is not the rows
  of one table or list (two rows or more of a long table may end it on a page of their own),
  its body is shorter than a quarter of the page's body height (one card, a line or two: what
  keep-with-next, orphans and widows should have kept with the rest). The body height is
  measured between the running header and footer of that page.

Nor is the month-comparison note beside a target broken mid-phrase ("New since October /
2026"): it reads on one line."""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from reporter.render.options import PdfOptions
from reporter.render.pdf import PdfRenderer
from tests.support import DemoRun

pytestmark = pytest.mark.slow

#: Structure types that hold one block each: a table row, a list item, a chart.
BLOCKS = {"/TR", "/LI", "/Figure"}
#: Structure types whose rows continue from page to page: two rows or more of one are no lone block.
ROWS = {"/Table", "/L"}
HEADING = re.compile(r"^/H[1-6]$")
#: A continuation page whose body is shorter than this share of the page's body is a lone block.
MIN_SHARE = 0.25
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December|Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec")
#: The comparison note beside the target ("New since October 2026: no valid attempt then",
#: "October 2026: best 77.2 (now -5.1)"), with any white space where it has a space.
NOTE = re.compile(rf"New\s+since\s+(?:{MONTHS})\s+\d{{4}}:\s+no\s+valid\s+attempt\s+then"
                  rf"|\b(?:{MONTHS})\s+\d{{4}}:\s+best\s+[\d.]+(?:\s+\(now\s+[^)\s]+\))?")


@dataclass(frozen=True)
class Run:
    """One run of text of a page's body: its top (points from the page's top) and the
    structure elements it belongs to, from the root down (their types and identities)."""

    text: str
    top: float
    types: tuple[str, ...]
    elements: tuple[int, ...]


@dataclass(frozen=True)
class Page:
    number: int
    body: list[Run]
    height: float  # between the running header and footer


def _marked(reader: PdfReader) -> dict[tuple[int, int], tuple[tuple[str, int], ...]]:
    """(page index, MCID) -> the chain of (structure type, element id) above that content."""
    index = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)
             if page.indirect_reference is not None}
    out: dict[tuple[int, int], tuple[tuple[str, int], ...]] = {}

    def walk(node: Any, chain: tuple[tuple[str, int], ...], page: Any) -> None:
        node = node.get_object()
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid, chain, page)
        elif isinstance(node, DictionaryObject) and "/S" in node:
            page = node.get("/Pg", page)
            if "/K" in node:
                walk(node["/K"], (*chain, (str(node["/S"]), id(node))), page)
        elif isinstance(node, DictionaryObject) and "/MCID" in node:
            owner = node.get("/Pg", page)
            out[(index[owner.idnum], int(cast(Any, node["/MCID"])))] = chain
        elif isinstance(node, int) and page is not None:
            out[(index[page.idnum], int(node))] = chain

    root: Any = reader.trailer["/Root"]
    walk(root["/StructTreeRoot"]["/K"], (), None)
    return out


def _page(page: Any, n: int, marked: dict[tuple[int, int], tuple[tuple[str, int], ...]]
          ) -> Page:
    height = float(page.mediabox.height)
    body: list[Run] = []
    margins: list[float] = []
    stack: list[int | None] = []

    def before(op: bytes, args: Any, cm: Any, tm: Any) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 else None
            stack.append(props.get("/MCID") if isinstance(props, DictionaryObject) else None)
        elif op == b"BMC":
            stack.append(None)
        elif op == b"EMC" and stack:
            stack.pop()

    def text(content: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        if not content.strip():
            return
        top = height - (tm[5] * cm[3] + cm[5])  # the baseline, from the page's top
        mcid = next((m for m in reversed(stack) if m is not None), None)
        chain = marked.get((n, int(mcid))) if mcid is not None else None
        if not chain:
            margins.append(top)  # the running header or footer
        elif not any(kind == "/THead" for kind, _ in chain):
            body.append(Run(content.strip(), top, tuple(k for k, _ in chain),
                            tuple(e for _, e in chain)))

    page.extract_text(visitor_text=text, visitor_operand_before=before)
    above = [t for t in margins if t < height / 2]
    below = [t for t in margins if t > height / 2]
    span = (min(below) if below else height) - (max(above) if above else 0)
    return Page(n + 1, body, span)


def read_pages(pdf: Path | bytes) -> list[Page]:
    """Every page of ``pdf`` as its body runs (see the module's docstring)."""
    reader = PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
    marked = _marked(reader)
    return [_page(page, n, marked) for n, page in enumerate(reader.pages)]


def _common(runs: list[Run]) -> tuple[int, ...]:
    """The elements every run lies in (the deepest common ancestor last)."""
    common = runs[0].elements
    for run in runs[1:]:
        k = 0
        while k < min(len(common), len(run.elements)) and common[k] == run.elements[k]:
            k += 1
        common = common[:k]
    return common


def page_problems(name: str, pages: list[Page]) -> list[str]:
    """What is wrong with each page of one PDF, one line per finding."""
    out = []
    total = len(pages)
    for page in pages:
        where = f"{name} page {page.number} of {total}"
        if not page.body:
            out.append(f"{where}: an empty page")
            continue
        last = max(page.body, key=lambda r: r.top)
        if any(HEADING.match(t) for t in last.types):
            out.append(f"{where}: ends with the heading {last.text!r}")
        if any(HEADING.match(t) for run in page.body for t in run.types):
            continue
        common = _common(page.body)
        types = page.body[0].types[:len(common)]
        extent = max(r.top for r in page.body) - min(r.top for r in page.body)
        first = page.body[0].text[:40]
        if BLOCKS & set(types):
            kind = next(t for t in reversed(types) if t in BLOCKS)
            out.append(f"{where}: holds one {kind[1:]} alone ({first!r} ...)")
        elif not ROWS & set(types) and extent < MIN_SHARE * page.height:
            out.append(f"{where}: holds a lone block, {extent:.0f} pt of {page.height:.0f} "
                       f"({first!r} ...)")
    return out


def broken_notes(name: str, pdf: Path) -> list[str]:
    """The month-comparison notes of ``pdf`` that pdftotext reads across two lines."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    return [f"{name}: a note broken across lines: {m.group(0)!r}"
            for m in NOTE.finditer(text) if "\n" in m.group(0)]


def demo_pdfs(demo_run: DemoRun) -> list[Path]:
    found = sorted(demo_run.out.rglob("*.pdf"))
    kinds = {demo_run.folder / "team.pdf", demo_run.program / "team.pdf"}
    assert kinds <= set(found) and len(found) > 60, found
    assert any(p.parent.parent.name == "teams" for p in found)
    return found


def test_no_page_of_the_demo_holds_a_lone_block_or_ends_with_a_heading(
        demo_run: DemoRun) -> None:
    problems = []
    for pdf in demo_pdfs(demo_run):
        name = str(pdf.relative_to(demo_run.out))
        problems += page_problems(name, read_pages(pdf))
        problems += broken_notes(name, pdf)
    assert not problems, "\n".join(problems)


# -- the check is live ------------------------------------------------------------------------

def _render(body: str) -> list[Page]:
    html = f'<html lang="en"><head><title>t</title></head><body><h1>t</h1>{body}</body></html>'
    pdf, _ = PdfRenderer(PdfOptions()).pdf(html)
    return read_pages(pdf)


def test_the_check_finds_a_lone_row_a_lone_line_and_a_heading_left_last() -> None:
    """Forced page breaks (which the stylesheet's keep rules cannot undo) leave each case on a
    page of its own: each is found, and a full page is not."""
    rows = "".join(f"<tr><td>Rep {n}</td><td>{n}</td></tr>" for n in range(60))
    pages = _render(
        f'<section><h2>Full</h2><table class="people"><tbody>{rows}</tbody></table></section>'
        '<table class="people" style="break-before: page"><tbody>'
        '<tr><td>Team</td><td>61%</td></tr></tbody></table>'
        '<p style="break-before: page">A line left alone.</p>'
        '<h2 style="break-before: page">Left last</h2>'
        '<p style="break-before: page">Its content, a page later.</p>')
    problems = page_problems("t", pages)
    assert len(pages) == 6 and not [p for p in problems if " page 1 " in p], problems
    found = "\n".join(problems)
    assert "holds one TR alone ('Team'" in found, found
    assert "holds a lone block" in found and "'A line left alone.'" in found, found
    assert "ends with the heading 'Left last'" in found, found


def test_the_check_finds_a_note_broken_across_lines(tmp_path: Path) -> None:
    pdf, _ = PdfRenderer(PdfOptions()).pdf(
        '<html lang="en"><head><title>t</title></head><body><h1>t</h1>'
        '<p>New since October<br>2026: no valid attempt then</p>'
        '<p>New since<br>October 2026: no valid attempt then</p>'
        '<p>October<br>2026: best 77.2 (now −5.1)</p>'
        '<p>New since October 2026: no valid<br>attempt then</p>'
        '<p>October 2026: best 70.9 (now<br>−1.1)</p>'
        '<p>New since October 2026: no valid attempt then; October 2026: best 77.2</p>'
        '</body></html>')
    (tmp_path / "t.pdf").write_bytes(pdf)
    found = broken_notes("t", tmp_path / "t.pdf")
    assert len(found) == 5, found


# -- a second workspace -----------------------------------------------------------------------

def test_no_page_of_another_workspace_holds_a_lone_block(seeded_reports: dict[str, Any]) -> None:
    """The same check on the seeded workspace of 40 members (seed 42, October 2026), rendered in
    process: its team report (longer leaderboard and rubric than the demo's) and every rep's
    report."""
    from reporter.analytics.program import of_scenario
    from reporter.analytics.team import build_team
    from reporter.render.rep_pdf import render_rep
    from reporter.render.team_pdf import render_team

    run = of_scenario(seeded_reports["seed42"])
    renderer = PdfRenderer(PdfOptions())
    problems = page_problems("team.pdf", read_pages(
        render_team(renderer, run, build_team(run))[0]))
    for rep in run.reps:
        problems += page_problems(f"{rep.slug}.pdf", read_pages(render_rep(renderer, run, rep)[0]))
    assert len(run.reps) > 30
    assert not problems, "\n".join(problems)
