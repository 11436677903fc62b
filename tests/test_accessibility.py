"""Accessibility of what a rep and a manager receive, checked by a checker we did not write.

``reporter demo`` runs once for the session (conftest's ``demo_run``). Every PDF it writes (the
reps' reports, team.pdf and the teams' reports) goes through pdfua (PyPI: the machine-checkable
part of PDF/UA-1), and any finding fails the test unless docs/accessibility.md lists its rule
among the known gaps, with the upstream issue that causes it. What pdfua cannot run on these
files (its heading rule) is checked here on the structure tree: one H1, no heading level
skipped, no empty heading. The emails' HTML parts must name their language and title and mark
layout tables as such."""

from __future__ import annotations

import io
import json
from datetime import datetime
from email import policy
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from pdfua import validate
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from reporter import i18n
from reporter.analytics.localized import build_views
from reporter.analytics.team import build_team
from reporter.cohort.snapshot import read_snapshot
from reporter.languages import OutputLanguages
from reporter.render.options import PdfOptions
from reporter.render.pdf import PdfRenderer
from reporter.render.pool import program_header
from reporter.render.rep_pdf import render_rep
from reporter.render.team_pdf import render_team
from tests.sample_views import sample_report
from tests.support import (
    STRUCT_HEADING,
    DemoRun,
    scenario_rep_pdf,
    structure_elements,
    unexplained,
)

pytestmark = pytest.mark.slow


@pytest.fixture
def demo(demo_run: DemoRun) -> Path:
    return demo_run.folder


def pdfs(demo: Path) -> list[Path]:
    found = sorted(demo.glob("reps/*.pdf")) + sorted(demo.rglob("team.pdf"))
    assert len(found) > 30 and demo / "team.pdf" in found
    return found


def test_every_report_of_the_demo_passes_the_independent_checker(demo: Path) -> None:
    problems = [p for pdf in pdfs(demo) for p in unexplained(pdf)]
    assert not problems, "\n".join(problems)


def test_the_checker_catches_what_the_reports_avoid(tmp_path: Path) -> None:
    """The gate is live: a layout table and an element painted with ``opacity`` (which
    WeasyPrint draws as a group outside any marked content) are each reported."""
    renderer = PdfRenderer(PdfOptions())
    html = ('<html lang="en"><head><title>t</title></head><body><h1>t</h1>'
            '<table><tr><td>Best score</td><td>71.2</td></tr></table>'
            '<p style="opacity: 0.5">faded</p></body></html>')
    pdf, _ = renderer.pdf(html)
    (tmp_path / "bad.pdf").write_bytes(pdf)
    rules = {f.rule_id for f in validate(str(tmp_path / "bad.pdf")).findings}
    assert {"UA-15-003", "UA-01-003"} <= rules


def _marks_content(node: Any) -> bool:
    node = node.get_object()
    if isinstance(node, int):
        return True
    if isinstance(node, ArrayObject):
        return any(_marks_content(k) for k in node)
    return isinstance(node, DictionaryObject) and "/K" in node and _marks_content(node["/K"])


def test_headings_one_h1_in_order_none_empty(demo: Path) -> None:
    """What pdfua's UA-14-001 would check and more: a reader's heading list starts at the
    one H1 (the rep's or team's name) and goes down one level at a time."""
    for pdf in pdfs(demo):
        reader = PdfReader(pdf)
        headings = [(int(m[1]), e) for e in structure_elements(reader)
                    if (m := STRUCT_HEADING.match(str(e["/S"])))]
        levels = [level for level, _ in headings]
        assert levels[0] == 1 and levels.count(1) == 1, (pdf.name, levels)
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), (pdf.name, levels)
        assert all(_marks_content(e["/K"]) for _, e in headings if "/K" in e), pdf.name
        root = reader.trailer["/Root"]
        assert str(root["/Lang"]) == "en" and root["/ViewerPreferences"]["/DisplayDocTitle"]
        assert reader.metadata and reader.metadata.title


def test_header_cells_say_whether_they_head_a_row_or_a_column() -> None:
    """WeasyPrint 70 writes no /Scope (Kozea/WeasyPrint#2508); the renderer's finisher adds it
    from the HTML: the rubric's items are row headers, its sessions column headers."""
    report = sample_report()
    rep = next(r for r in report.reps if r.email == "amelie@acme.test")
    pdf, _ = scenario_rep_pdf(PdfRenderer(PdfOptions()), report, rep)
    cells = [e for e in structure_elements(PdfReader(io.BytesIO(pdf))) if e["/S"] == "/TH"]
    scopes = [str(e["/A"]["/Scope"]) for e in cells]
    assert "/Row" in scopes and "/Column" in scopes and len(scopes) == len(cells)


class _Html(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.lang: str | None = None
        self.title = ""
        self.in_title = False
        self.tables: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        self.in_title = tag == "title"
        if tag == "table":
            self.tables.append({"role": a.get("role"), "th": []})
        if tag == "th" and self.tables:
            self.tables[-1]["th"].append(a.get("scope"))

    def handle_endtag(self, tag: str) -> None:
        self.in_title = self.in_title and tag != "title"

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title += data


def test_email_html_names_its_language_and_title_and_marks_layout_tables(demo: Path) -> None:
    """A layout table is role=presentation with no header cell; a data table (the digest's
    needs-attention list) has header cells with a scope."""
    emails = sorted((demo / "outbox").rglob("*.eml"))
    assert any("teams" in e.parts for e in emails) and len(emails) > 30
    for eml in emails:
        msg = BytesParser(policy=policy.default).parsebytes(eml.read_bytes())
        part = msg.get_body(preferencelist=("html",))
        assert part is not None, eml.name
        page = _Html()
        page.feed(part.get_content())
        assert page.lang == "en" and page.title.strip(), eml.name
        for table in page.tables:
            if table["role"] == "presentation":
                assert not table["th"], eml.name
            else:
                assert table["th"] and all(table["th"]), eml.name


@pytest.mark.parametrize("tag", ["es", "de"])
def test_the_demo_runs_in_spanish_and_german_pass_the_checker(demo_run: DemoRun,
                                                              tag: str) -> None:
    """The demo's Spanish and German scenarios: every rep's report, in the rep's language
    (its /Lang says so), and the manager's team report pass pdfua as the English ones do."""
    folder = demo_run.spoken[tag]
    reps = sorted(folder.glob("reps/*.pdf"))
    assert len(reps) >= 8 and (folder / "team.pdf").is_file()
    assert {str(PdfReader(p).trailer["/Root"]["/Lang"]) for p in reps} == {tag}
    problems = [p for pdf in [*reps, folder / "team.pdf"] for p in unexplained(pdf)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("tag", ["fr", "pt-BR", "ja"])
def test_the_demo_drawn_in_the_other_languages_passes_the_checker(
        demo_run: DemoRun, tag: str, tmp_path: Path) -> None:
    """The languages no demo scenario is in: the demo's scenario and program runs drawn again
    in ``tag`` (four reps' reports and the team report of each) pass pdfua too."""
    renderer = PdfRenderer(PdfOptions())
    written = []
    for folder in (demo_run.folder, demo_run.program):
        manifest = json.loads((folder / "manifest.json").read_text())
        views = build_views(read_snapshot(folder / "snapshot.json"),
                            OutputLanguages(default=tag),
                            generated_at=datetime.fromisoformat(manifest["run"]["generated_at"]))
        with i18n.use(tag):
            drawn = [render_rep(renderer, program_header(report), rep)[0]
                     for report, rep in list(views.own())[:4]]
            drawn.append(render_team(renderer, program_header(views.default),
                                     build_team(views.default))[0])
        for n, pdf in enumerate(drawn):
            path = tmp_path / f"{folder.parent.name}-{n}.pdf"
            path.write_bytes(pdf)
            assert PdfReader(path).trailer["/Root"]["/Lang"] == tag
            written.append(path)
    problems = [p for pdf in written for p in unexplained(pdf)]
    assert len(written) == 10 and not problems, "\n".join(problems)
