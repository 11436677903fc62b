"""The team report PDF as a manager reads it: page 1's numbers and needs-attention list in
the rule's order with each rep's next step, then the leaderboard, the rubric across reps,
the weakest items and the distribution; hostile text printed, never fetched."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from reporter.analytics.team import build_team
from reporter.render.pdf import PdfOptions, PdfRenderer
from reporter.render.team_pdf import (
    render_team,
    share_band,
    step_text,
    team_html,
    team_summary,
    vs_previous,
)
from reporter.views import Comparison, Manager, TeamCell
from tests.sample_views import FORMULAS, sample_report
from tests.test_demo import pdftotext
from tests.test_team import team_report_view


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(PdfOptions())


def pages(pdf: bytes, tmp_path: Path, *args: str) -> list[str]:
    """The text of each page, whitespace collapsed (``-layout`` unless other options are
    given: reading order keeps a wrapped table cell's lines together)."""
    path = tmp_path / "team.pdf"
    path.write_bytes(pdf)
    text = pdftotext(path, *(args or ("-layout",)))
    return [" ".join(page.split()) for page in text.split("\f") if page.strip()]


def test_page_one_is_the_team_in_numbers_the_shortlist_and_the_coaching_theme(
        renderer: PdfRenderer, tmp_path: Path) -> None:
    report = team_report_view({"Ana": 88.0, "Ben": 85.0})
    team = build_team(report.reps, name="North", slug="north",
                      manager=Manager("Dana Whitfield", "dana@acme.example"))
    pdf, count = render_team(renderer, report, team)
    text = pages(pdf, tmp_path, "-raw")
    assert count == len(text) >= 2
    first = text[0]
    assert first.startswith("Acme") or "TEAM REPORT" in first
    assert "North" in first and "Manager: Dana Whitfield" in first
    assert " ".join(team_summary(team, report).split()) in first
    assert "Average best vs September" not in first  # the tile says "+0.0 vs Sep..."
    # The shortlist, in the rule's order, each with its talking point and next step.
    assert team.shortlist and f"Book a 1:1 with {len(team.shortlist)} of 4" in first
    positions = [first.index(r.name) for r in team.shortlist]
    assert positions == sorted(positions)
    for rep in team.shortlist:
        assert rep.attention[0].text in first
    ben = next(r for r in team.reps if r.name == "Ben Rep")
    step = step_text(ben)
    assert ben in team.shortlist and step is not None and step.split(":")[0] in first
    # What to coach the team on, with its moment, on page 1.
    assert "What to coach the team on" in first
    assert "“Skip the budget.”" in first and "Ana Rep, Oct 2, graded bad" in first
    assert "Try instead: What would fixing this be worth to you?" in first
    assert "INVALID QUOTE" not in " ".join(text)  # a quote from an invalid session: never
    # Everyone else with a reason: "Keep an eye on", one line each.
    assert team.watchlist and "Keep an eye on" in " ".join(text)
    for rep in team.watchlist:
        assert f"{rep.name}: {rep.attention[0].text}" in " ".join(text)
    rest = " ".join(text[1:])
    for heading in ("Leaderboard", "Rubric across the team", "Score distribution"):
        assert heading in rest
    assert "Everyone who practised" in rest


def test_hostile_names_and_quotes_are_printed_as_text_and_nothing_is_fetched(
        renderer: PdfRenderer, tmp_path: Path) -> None:
    report = sample_report()
    hostile = '<img src="file:///etc/passwd">'
    reps = [replace(report.reps[0], name=hostile), *report.reps[1:]]
    team = build_team(reps, name='<b onload="x()">Team</b>')
    html = team_html(renderer, report, team)
    assert hostile not in html and "&lt;img src=" in html and "<b onload" not in html
    pdf, _ = render_team(renderer, report, team)
    text = " ".join(pages(pdf, tmp_path))
    assert hostile in text and FORMULAS[0] in text and '<b onload="x()">Team</b>' in text
    assert renderer.fetcher.calls == []


def test_heatmap_cells_are_coloured_by_share_and_greyed_when_thin() -> None:
    assert share_band(None) == "none"
    assert share_band(TeamCell(1, 1, thin=True)) == "thin"
    assert share_band(TeamCell(2, 3, thin=False)) == "good"  # two thirds is mostly good
    assert share_band(TeamCell(1, 3, thin=False)) == "mid"
    assert share_band(TeamCell(0, 4, thin=False)) == "bad"


def test_change_against_last_period_never_compares_with_zero() -> None:
    cmp = Comparison("2026-09", "September 2026", 70.0, "bronze", 3.04, 0, False)
    assert vs_previous(cmp) == "+3.0"
    assert vs_previous(replace(cmp, previous_best=None, change=None, is_new=True)) == "New"
    assert vs_previous(None) == "–"


def test_a_team_with_nobody_to_flag_says_so(renderer: PdfRenderer, tmp_path: Path) -> None:
    report = sample_report()
    team = build_team([r for r in report.reps if r.has_valid_attempt][:2])
    first = pages(render_team(renderer, report, team)[0], tmp_path)[0]
    assert re.search(r"Book a 1:1 with 0 of 2", first)
    assert "Nobody needs attention" in first
