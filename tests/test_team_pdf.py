"""The team report PDF as a manager reads it: page 1's numbers and needs-attention list in
the rule's order with each rep's next step, then the leaderboard, the rubric across reps,
the weakest items and the distribution; hostile text printed, never fetched."""

from __future__ import annotations

import html
import io
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from reporter.render.options import PdfOptions
from reporter.render.pdf import PdfRenderer
from reporter.render.team_pdf import (
    render_team,
    share_band,
    team_html,
    team_summary,
    vs_previous,
)
from reporter.views import Comparison, Manager, TeamCell
from tests.sample_views import FORMULAS, sample_report
from tests.support import pdftotext, scenario_run_team, team_report_view


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
    run, team = scenario_run_team(team_report_view({"Ana": 88.0, "Ben": 85.0}), name="North",
                                  slug="north",
                                  manager=Manager("Dana Whitfield", "dana@acme.example"))
    pdf, count = render_team(renderer, run, team)
    text = pages(pdf, tmp_path, "-raw")
    assert count == len(text) >= 2
    first = text[0]
    # The header as a manager reads it: the workspace, what this is, the team, then the
    # scenario, month and manager.
    assert first.startswith("Globex TEAM REPORT North Procurement Discovery · October 2026 · "
                            "Globex · Manager: Dana Whitfield ")
    assert " ".join(team_summary(team, run).split()) in first
    assert "Average best vs September" not in first  # the tile says "+0.0 vs Sep..."
    # The shortlist, in the rule's order, each with its talking point and next step.
    assert team.shortlist and f"Book a 1:1 with {len(team.shortlist)} of 4" in first
    positions = [first.index(r.name) for r in team.shortlist]
    assert positions == sorted(positions)
    for rep in team.shortlist:
        assert rep.attention[0].text in first
    ben = next(r for r in team.reps if r.name == "Ben Rep")
    step = ben.step_text
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
    everything = " ".join(text)
    for heading in ("Leaderboard", "Rubric across the team", "Score distribution"):
        assert heading in everything
    assert "Everyone who practised" in everything
    assert "Rubric across the team" in text[-1]  # the heatmap on a page of its own


def test_hostile_names_and_quotes_are_printed_as_text_and_nothing_is_fetched(
        renderer: PdfRenderer, tmp_path: Path) -> None:
    report = sample_report()
    hostile = '<img src="file:///etc/passwd">'
    reps = [replace(report.reps[0], name=hostile), *report.reps[1:]]
    run, team = scenario_run_team(report, reps, name='<b onload="x()">Team</b>')
    html = team_html(renderer, run, team)
    assert hostile not in html and "&lt;img src=" in html and "<b onload" not in html
    pdf, _ = render_team(renderer, run, team)
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
    run, team = scenario_run_team(report, [r for r in report.reps if r.has_valid_attempt][:2])
    first = pages(render_team(renderer, run, team)[0], tmp_path)[0]
    assert re.search(r"Book a 1:1 with 0 of 2", first)
    assert "Nobody needs attention" in first


# -- on seeded workspaces --------------------------------------------------------------------


def compact(text: str) -> str:
    """Text without whitespace: a wrapped line breaks words apart, never drops a letter."""
    return "".join(text.split())


@pytest.mark.parametrize("name", ["demo", "seed42"])
def test_page_one_shows_the_shortlist_and_the_coaching_theme(
        renderer: PdfRenderer, tmp_path: Path, seeded_reports, name: str) -> None:
    run, team = scenario_run_team(seeded_reports[name])
    assert team.single is not None
    pdf, _ = render_team(renderer, run, team)
    first = compact(pages(pdf, tmp_path, "-raw")[0])
    assert compact(f"Book a 1:1 with {len(team.shortlist)} of {len(team.reps)}") in first
    for rep in team.shortlist:
        assert compact(team.label(rep)) in first and compact(rep.attention[0].text) in first
    assert compact("What to coach the team on") in first
    for item in team.single.weakest:  # the card's heading is set in capitals
        assert compact(f"{item.criterion} › {item.item}").casefold() in first.casefold()
        assert item.quote is not None and compact(item.quote.quote)[:40] in first
    if any(r.severity == 3 for r in team.watchlist):  # the cap, said where it bites
        assert compact("head “Keep an eye on”: the shortlist holds 5") in first


def _bbox_words(pdf: Path, first: int, last: int
                ) -> list[list[tuple[float, float, float, str]]]:
    """Per page: (xMin, xMax, yMin, text) of each word, in the order the page draws them."""
    out = subprocess.run(["pdftotext", "-bbox", "-f", str(first), "-l", str(last), str(pdf),
                          "-"], capture_output=True, text=True, check=True).stdout
    pages_out = []
    for page in out.split("<page ")[1:]:
        pages_out.append([(float(a), float(b), float(y), html.unescape(t))
                          for a, y, b, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>',
            page)])
    return pages_out


def test_the_heatmap_of_forty_reps_with_the_longest_names_fits_two_pages_uncut(
        renderer: PdfRenderer, tmp_path: Path, seeded_reports) -> None:
    report = seeded_reports["seed42"]
    reps = list(report.reps)
    # A 40th rep with the longest plain name the sandbox can draw, beside the data's own
    # longest: the formula surname, two reps sharing a name (their email added), a former
    # member, and right-to-left and CJK names.
    base = next(r for r in reps if r.rubric)
    reps.append(replace(base, user_id="u-long", email="mohammed.patel@northwind.example",
                        name="Mohammed Patel-Øvergaard Fernández", slug="mohammed-patel"))
    run, team = scenario_run_team(report, reps)
    part = team.single
    assert len(team.reps) == 40 and part is not None
    labels = [row.name for row in part.heatmap]
    assert any("=HYPERLINK" in n for n in labels) and any("(former member)" in n for n in labels)
    assert sum("@" in n for n in labels) >= 2
    # Shortlist first, in its order.
    assert labels[:len(team.shortlist)] == [team.label(r) for r in team.shortlist]
    pdf, count = render_team(renderer, run, team)
    path = tmp_path / "team.pdf"
    path.write_bytes(pdf)
    texts = pages(pdf, tmp_path, "-raw")
    start = next(i for i, t in enumerate(texts) if "Rubric across the team" in t)
    heat = texts[start:]
    assert len(heat) <= 2  # 40 reps on two pages at most
    items = len(part.items)
    team_rows = [line for t in heat for line in
                 re.findall(r"(?:^|\s)Team((?:\s+(?:\d+%|–)){" + str(items) + "})", t)]
    assert len(team_rows) == 1  # once, at the foot: not repeated at the page break
    assert compact(heat[-1]).rfind("Team") > compact(heat[-1]).rfind(compact(labels[-1]))
    # No name cut: every word left of the first share column ends before it, and each name
    # is there whole, in the order of the rows.
    drawn = ""
    tokens = {w for label in labels for w in label.split()}
    for words in _bbox_words(path, start + 1, count):
        shares = [(x0, y) for x0, _, y, t in words if re.fullmatch(r"\d+%", t)]
        assert shares
        edge = min(x for x, _ in shares)
        # The table's rows, below its "Rep" heading (repeated on each page), not the lede.
        top = min(y for x0, _, y, t in words if t == "Rep" and x0 < edge) + 1
        names = sorted((round(y, 1), x0, x1, t) for x0, x1, y, t in words
                       if x0 < edge - 1 and y >= top)  # line by line, left to right
        whole = [(x1, t) for _, _, x1, t in names if t in tokens]
        assert all(x1 <= edge for x1, _ in whole), [t for x1, t in whole if x1 > edge]
        drawn += "".join(t for _, _, _, t in names)
    position = 0
    for label in labels:  # a right-to-left name comes out in visual order, right to left
        found = max(drawn.find(compact(label), position),
                    drawn.find(compact(label)[::-1], position))
        assert found >= 0, label
        position = found


def test_the_team_report_links_back_to_exec_and_fetches_nothing(
        renderer: PdfRenderer, tmp_path: Path) -> None:
    report = team_report_view()
    url = "https://globex.app.exec.com/scenarios/procurement-discovery"
    report = replace(report, scenario=replace(report.scenario, url=url))
    pdf, _ = render_team(renderer, *scenario_run_team(report))
    links = [annot.get_object()["/A"]["/URI"]
             for page in PdfReader(io.BytesIO(pdf)).pages
             for annot in page.get("/Annots") or () if "/A" in annot.get_object()]
    assert links == [url]  # page 1's header, nothing else
    assert "Open the scenario in Exec" in " ".join(pages(pdf, tmp_path))
    assert renderer.fetcher.calls == []
