"""A rep's program report: page 1 at a glance, then one section per practised scenario."""

from __future__ import annotations

import copy
import functools
import io
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pypdf import PdfReader

from reporter.analytics.program import build_program
from reporter.cohort.snapshot import parse_snapshot
from reporter.console import Console
from reporter.render.options import PdfOptions
from reporter.render.pdf import PdfRenderer
from reporter.render.pool import PdfRenderPool, Renders, program_header
from reporter.render.rep_pdf import (
    program_summary,
    render_rep,
    rep_html,
    skill_change,
)
from reporter.views import ProgramReportView, ProgramRepView
from tests import program_factory as pf
from tests.sample_views import HOSTILE
from tests.support import (
    STRUCT_HEADING,
    scenario_rep_html,
    scenario_rep_pdf,
    structure_elements,
    unexplained,
)

GENERATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@functools.cache
def _renderer() -> PdfRenderer:
    return PdfRenderer(PdfOptions())


@functools.cache
def _report() -> ProgramReportView:
    return build_program(pf.program(), generated_at=GENERATED)


def _rep(name: str, report: ProgramReportView | None = None) -> ProgramRepView:
    return next(r for r in (report or _report()).reps if r.name == name)


@functools.cache
def _rendered(name: str) -> tuple[bytes, int]:
    return render_rep(_renderer(), _report(), _rep(name))


def _pages(pdf: bytes, tmp_path: Path, name: str) -> list[str]:
    """Each page's words, as pdftotext reads them (pypdf garbles WeasyPrint's subset fonts),
    with line breaks and runs of spaces folded."""
    assert shutil.which("pdftotext"), "poppler-utils is a test dependency (make test installs it)"
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    return [" ".join(subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), str(path), "-"],
        check=True, capture_output=True, text=True).stdout.split()) for n in range(1, pages + 1)]


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


# -- page 1 -------------------------------------------------------------------------------


def test_all_scenarios_page_one_has_a_row_each_the_skills_and_one_next_step(tmp_path):
    pdf, pages = _rendered("Ada Lovelace")
    first = _pages(pdf, tmp_path, "ada")[0]
    assert "Ada Lovelace" in first and "Core Sales Conversations" in first
    assert "October 2026" in first
    assert "Ada, you practised all 3 scenarios of Core Sales Conversations" in first
    rows = _between(first, "Your scenarios", "Your next step")
    for scenario, best in (("Procurement Discovery", "82.0"), ("Objection Handling", "71.0"),
                           ("Competitive Displacement", "88.0")):
        assert scenario in rows and best in rows
    assert rows.index("Procurement Discovery") < rows.index("Objection Handling") < rows.index(
        "Competitive Displacement")  # program order
    assert "+7.0" in rows and "New" in rows  # against September's best, and new since
    assert "Completed" in rows and "In progress" in rows and "Oct 30, 2026" in rows
    assert "Not practised" not in rows
    skills = first[first.index("Your skills"):]
    assert "Discovery Questions" in skills and "Proficient" in skills and "78.4" in skills
    assert "+7.4" in skills and "was developing" in skills
    assert skills.count("Not enough practice yet") == 2
    step = _between(first, "Your next step", "Your skills")
    # The focus is the most urgent scenario: Ada fell 16 points in Competitive Displacement.
    focus = _rep("Ada Lovelace").focus
    assert focus is not None and focus.rep is not None and focus.rep.verdict is not None
    assert "Competitive Displacement" in step
    assert " ".join(focus.rep.verdict.headline.split()) in step
    assert "YOUR ONE THING FOR NEXT TIME" in step.upper() and "Ask about the budget." in step
    assert pages == len(PdfReader(io.BytesIO(pdf)).pages)


def test_one_scenario_gets_page_one_and_one_section(tmp_path):
    pdf, pages = _rendered("Ben Okafor")
    text = _pages(pdf, tmp_path, "ben")
    first = text[0]
    assert "you practised 1 of 3 scenarios" in first and "1 open, 1 past due" in first
    rows = _between(first, "Your scenarios", "Your next step")
    assert "Procurement Discovery" in rows and "69.0" in rows
    assert rows.count("Not practised") == 2 and "No assignment" in rows
    assert "Past due since Oct 30, 2026 (target Silver)" in rows  # what is due, said
    step = _between(first, "Your next step", "Your skills")
    assert "From Competitive Displacement" in step
    assert "Complete one full, graded roleplay of “Competitive Displacement”" in step
    skills = first[first.index("Your skills"):]
    assert "Developing" in skills and "63.0" in skills and skills.count("Not practised") == 2
    # The one section: Procurement Discovery's own pages; no empty section for the others.
    rest = " ".join(text[1:])
    assert "1 OF 3 · CORE SALES CONVERSATIONS" in rest.upper() and "Where you stand" in rest
    assert "Objection Handling" not in rest and "Competitive Displacement" not in rest
    assert "Ben Okafor · Procurement Discovery" in text[1]  # the running header
    assert 1 < pages < _rendered("Ada Lovelace")[1]


def test_none_practised_is_one_clear_page_of_what_is_assigned_and_due(tmp_path):
    pdf, pages = _rendered("Cy Young")
    assert pages == 1
    [page] = _pages(pdf, tmp_path, "cy")
    assert "Cy, you did not practise any scenario of Core Sales Conversations" in page
    rows = _between(page, "Your scenarios", "Your next step")
    assert rows.count("Not practised") == 3
    assert "Not started" in rows and "Nov 15, 2026" in rows and "Silver" in rows
    assert "Complete one full, graded roleplay of “Objection Handling”" in page
    assert page[page.index("Your skills"):].count("Not practised") == 3
    for absent in ("Where you stand", "Progress", "Rubric", "1 OF 3"):
        assert absent not in page
    assert "<svg" not in rep_html(_renderer(), _report(), _rep("Cy Young"))


def test_page_one_stays_one_page_on_letter_with_the_longest_names():
    """Long scenario, program and rep names on the shorter paper: the rep who practised
    nothing still gets one page, and page 1 of the others holds all three tables."""
    data = copy.deepcopy(pf.program_snapshot())
    long_names = {"sc1": "Procurement Discovery with a Skeptical Chief Financial Officer "
                         "(Enterprise)",
                  "sc2": "Objection Handling: Pricing, Timing and the Incumbent Vendor's "
                         "Counter-Offer"}
    for part in data["scenarios"]:
        part["scenario"]["name"] = long_names.get(part["scenario"]["id"],
                                                  part["scenario"]["name"])
    data["program"]["name"] = "Q4 Enterprise Enablement Program for Strategic Account Executives"
    for rep in data["reps"]:
        rep["user"]["last_name"] = "Oyelaran-Vandenberghe Østergaard"
    report = build_program(parse_snapshot(data), generated_at=GENERATED)
    renderer = PdfRenderer(PdfOptions(paper="letter"))
    by_id = {r.user_id: r for r in report.reps}
    assert render_rep(renderer, report, by_id["u-cy"])[1] == 1
    ada, _ = render_rep(renderer, report, by_id["u-ada"])
    first = " ".join(PdfReader(io.BytesIO(ada)).pages[0].extract_text().split())
    assert "Value Articulation" in first  # the skills' last row, still on page 1


def test_each_section_is_the_scenarios_own_report_pages():
    """A practised scenario's section is its single-scenario report after the title block:
    the program report has page 1 plus exactly the pages those reports have."""
    report, ada = _report(), _rep("Ada Lovelace")
    alone = [scenario_rep_pdf(_renderer(), report.part(r.scenario.id), r.rep)[1]
             for r in ada.practised if r.rep]
    assert _rendered("Ada Lovelace")[1] == 1 + sum(alone)


def test_sessions_without_a_valid_attempt_get_the_no_attempt_pages(tmp_path):
    """Practised but nothing valid: a row with no best, and the scenario's own no-attempt
    page as its section (what was started, and the first step); the PDF counts as empty."""
    data = copy.deepcopy(pf.program_snapshot())
    for rep in data["reps"]:
        if rep["user"]["id"] == "u-ben":
            for session in rep["sessions"]:
                session["is_valid_attempt"] = False
    for part in data["scenarios"]:
        part["participants"] = [p for p in part["participants"]
                                if p["user"]["id"] != "u-ben"]
    report = build_program(parse_snapshot(data), generated_at=GENERATED)
    ben = next(r for r in report.reps if r.user_id == "u-ben")
    assert [r.practised for r in ben.rows] == [True, False, False]
    pdf, pages = render_rep(_renderer(), report, ben)
    text = _pages(pdf, tmp_path, "ben-invalid")
    assert pages == 2
    rows = _between(text[0], "Your scenarios", "Your next step")
    assert "0 of 3" in rows and "69.0" not in rows
    assert "No valid attempt in October 2026" in text[1]
    assert "Practice you started" in text[1]
    assert "Complete one full, graded roleplay" in text[1]  # the scenario's own step line
    assert "A graded attempt at “Procurement Discovery”" in text[1]
    renders = Renders(tmp_path, {"en": report}, [], PdfOptions(), jobs=1)
    renders.submit_reps([(report, ben)])
    [done], _ = renders.collect(Console(quiet=True))
    renders.close()
    assert done.empty and done.pages == 2


def test_hostile_names_and_quotes_stay_text(tmp_path):
    data = copy.deepcopy(pf.program_snapshot())
    for rep in data["reps"]:
        if rep["user"]["id"] == "u-ben":
            rep["user"]["first_name"] = "<b>Ben</b>"
            for session in rep["sessions"]:
                session["scenario"]["name"] = HOSTILE
    data["scenarios"][0]["scenario"]["name"] = HOSTILE
    data["program"]["name"] = "<script>alert(1)</script> Program"
    report = build_program(parse_snapshot(data), generated_at=GENERATED)
    ben = next(r for r in report.reps if r.user_id == "u-ben")
    renderer = PdfRenderer(PdfOptions())
    html = rep_html(renderer, report, ben)
    assert "<b>Ben</b>" not in html and "&lt;b&gt;Ben&lt;/b&gt;" in html
    assert "<script>" not in html and '<img src="file' not in html
    pdf, _ = render_rep(renderer, report, ben)
    text = " ".join(_pages(pdf, tmp_path, "hostile"))
    assert "<b>Ben</b>" in text and "<script>alert(1)</script> Program" in text
    assert '<img src="file:///etc/passwd">' in text
    assert renderer.fetcher.calls == []
    assert b"/EmbeddedFile" not in pdf


# -- rules the page reads ------------------------------------------------------------------


def test_summary_counts_scenarios_attempts_and_assignments():
    report = _report()
    assert program_summary(report, _rep("Ada Lovelace")) == (
        "Ada, you practised all 3 scenarios of Core Sales Conversations in October 2026, "
        "with 6 valid attempts. Assignments: 1 completed, 2 open.")
    assert program_summary(report, _rep("Cy Young")) == (
        "Cy, you did not practise any scenario of Core Sales Conversations in October 2026. "
        "Assignments: 1 open.")
    running = replace(report, period=replace(report.period, finished=False))
    assert "in October 2026 so far" in program_summary(running, _rep("Ben Okafor"))


def test_skill_change_against_the_previous_period():
    ada = {s.skill.name: s for s in _rep("Ada Lovelace").skills}
    assert skill_change(ada["Discovery Questions"]) == "+7.4"
    assert skill_change(ada["Objection Handling"]) == "New"  # observed now, not then
    cy = _rep("Cy Young").skills[0]
    assert skill_change(cy) == "–"
    assert skill_change(replace(ada["Discovery Questions"], compared=False)) == "–"


# -- the pool -------------------------------------------------------------------------------


def test_pool_draws_program_reports_as_in_process_and_names_them_by_slug(tmp_path):
    report = _report()
    serial = Renders(tmp_path / "serial", {"en": report}, [], PdfOptions(), jobs=1)
    serial.submit_reps([(report, r) for r in report.reps])
    done, failed = serial.collect(Console(quiet=True))
    serial.close()
    assert failed == [] and [r.email for r in done] == [r.email for r in report.reps]
    assert [r.empty for r in done] == [False, False, True]
    assert [r.pages for r in done] == [_rendered(r.name)[1] for r in report.reps]
    for rendered, rep in zip(done, report.reps, strict=True):
        assert rendered.path == (tmp_path / "serial" / "reps" / f"{rep.slug}.pdf").resolve()
    with PdfRenderPool(PdfOptions(), tmp_path / "pool", jobs=2) as pool:
        futures = [pool.submit(report, rep) for rep in report.reps]
        # Any other document goes through the same workers by its drawing function.
        ada = _rep("Ada Lovelace")
        other = pool.submit_document(render_rep, tmp_path / "other.pdf",
                                     program_header(report), ada, slug="other",
                                     email="m@example.com", empty=False)
        pooled = [f.result(timeout=180) for f in futures]
        drawn = other.result(timeout=180)
    assert [(r.slug, r.pages, r.sha256) for r in done] == [
        (r.slug, r.pages, r.sha256) for r in pooled]
    assert (drawn.sha256, drawn.pages) == (done[0].sha256, done[0].pages)
    assert (drawn.path, drawn.slug, drawn.email) == (tmp_path / "other.pdf", "other",
                                                     "m@example.com")


def test_skip_empty_and_unsafe_slugs(tmp_path):
    report = _report()
    renders = Renders(tmp_path, {"en": report}, [], PdfOptions(), jobs=1, skip_empty=True)
    bad = replace(_rep("Ben Okafor"), slug="../escape")
    # Cy has no valid attempt anywhere.
    renders.submit_reps([(report, _rep("Cy Young")), (report, bad)])
    done, failed = renders.collect(Console(quiet=True))
    renders.close()
    assert done == [] and [who for who, _ in failed] == ["ben@example.com"]
    assert "unsafe" in failed[0][1] or "escapes" in failed[0][1]
    assert not list(tmp_path.rglob("*.pdf"))


def test_the_pooled_header_leaves_every_rep_out():
    header = program_header(_report())
    assert header.reps == () and header.needs_attention == () and header.shortlist == ()
    assert all(p.reps == () and p.needs_attention == () for p in header.parts)
    assert [p.cohort for p in header.parts] == [p.cohort for p in _report().parts]


# -- accessibility ----------------------------------------------------------------------------


@pytest.mark.slow
def test_program_reports_pass_the_independent_checker(tmp_path):
    for name in ("Ada Lovelace", "Ben Okafor", "Cy Young"):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(_rendered(name)[0])
        assert unexplained(path) == [], name
        reader = PdfReader(path)
        elements = structure_elements(reader)
        levels = [int(m[1]) for e in elements if (m := STRUCT_HEADING.match(str(e["/S"])))]
        assert levels[0] == 1 and levels.count(1) == 1, (name, levels)
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
        scopes = [str(e["/A"]["/Scope"]) for e in elements if e["/S"] == "/TH"]
        assert "/Row" in scopes and "/Column" in scopes, name
        assert "Core Sales Conversations" in (reader.metadata.title or "")


def test_a_custom_partial_reads_the_same_names_in_a_program_and_a_single_scenario_run(tmp_path):
    """One rep template for both runs: a user's override of a scenario's partial reads the
    same names in each scenario of a program's report and in a single-scenario run's, where
    ``position`` is None and page 1 has no "Your scenarios" table."""
    from markupsafe import escape

    (tmp_path / "rep").mkdir()
    (tmp_path / "rep" / "latest.html").write_text(
        "<section><h2>Latest for {{ rep.first_name }} in {{ report.scenario.name }}: "
        "{{ position or 'the whole report' }}, {{ cohort_size }} took part</h2></section>")
    renderer = PdfRenderer(PdfOptions(templates_dir=tmp_path))
    report, ada = _report(), _rep("Ada Lovelace")
    html = rep_html(renderer, report, ada)
    assert "Your scenarios" in html
    assert html.count("Latest for Ada in ") == len(ada.practised) > 1
    for row in ada.practised:
        assert f"Latest for Ada in {escape(row.scenario.name)}: Scenario " in html
    first = ada.practised[0]
    assert first.rep is not None
    single = scenario_rep_html(renderer, report.part(first.scenario.id), first.rep)
    assert "Your scenarios" not in single and "Scenario 1 of" not in single
    assert f"Latest for Ada in {escape(first.scenario.name)}: the whole report" in single
