"""The manager's view across a program: the rep x scenario matrix, the rep x skill tiers, the
1:1 shortlist across scenarios and what to coach the team on, then the program team PDF read
back as a manager reads it."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from reporter.analytics.attention import attention_order, shortlist
from reporter.analytics.program import build_program
from reporter.analytics.team import (
    MAX_SKILL_THEMES,
    GroupInfo,
    build_team,
    build_teams,
    scenario_team,
)
from reporter.cohort.snapshot import Snapshot, parse_snapshot
from reporter.format import fmt_rank, fmt_score, fmt_tier
from reporter.names import team_slug
from reporter.render.options import PdfOptions
from reporter.render.pdf import PdfRenderer
from reporter.render.team_pdf import (
    CELL_LABELS,
    cell_status,
    render_team,
    team_html,
    team_summary,
)
from reporter.views import Manager, ProgramReportView, TeamView
from tests import program_factory as pf
from tests import snapshot_factory as f
from tests.support import pdftotext, structure_elements, unexplained

GENERATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
DANA = Manager("Dana Whitfield", "dana@acme.example")


def program(snapshot: Snapshot | None = None) -> ProgramReportView:
    return build_program(snapshot or pf.program(), generated_at=GENERATED)


def rows_by_name(team: TeamView) -> dict[str, Any]:
    return {row.name: row for row in team.matrix}


# -- analytics ---------------------------------------------------------------------------


def test_matrix_cells_give_best_rank_and_status_or_say_what_is_missing() -> None:
    report = program()
    team = build_team(report)
    rows = rows_by_name(team)
    ada, ben, cy = rows["Ada Lovelace"], rows["Ben Okafor"], rows["Cy Young"]
    assert [(c.state, c.best, c.rank, c.status) for c in ada.cells] == [
        ("practised", 82.0, "silver", "completed"), ("practised", 71.0, "bronze", "in_progress"),
        ("practised", 88.0, "silver", "in_progress")]
    # One practised, one neither practised nor assigned, one assigned and past due.
    assert [c.state for c in ben.cells] == ["practised", "not_assigned", "not_practised"]
    assert ben.cells[2].status == "past_due" and ben.cells[2].severity == 3
    assert ben.cells[1].status is None and ben.cells[1].best is None
    assert [(c.state, c.status) for c in cy.cells] == [
        ("not_assigned", None), ("not_practised", "not_started"), ("not_assigned", None)]
    # Each cell is the rep's own view of the scenario, not a second computation.
    for rep in report.reps:
        cells = rows[report.label(rep)].cells
        assert [c.best for c in cells] == [r.rep.best_score if r.rep else None for r in rep.rows]
    sc1 = team.columns[0]
    assert (sc1.practised, sc1.assigned, sc1.with_valid) == (2, 2, 2)
    assert sc1.average_best == pytest.approx((82.0 + 69.0) / 2)
    assert team.coverage == {"all": 1, "some": 1, "none": 1}
    # Every assignment of every rep, once: Ada 3, Ben 2, Cy 1.
    assert {s.status: s.count for s in team.statuses} == {
        "completed": 1, "in_progress": 3, "past_due": 1, "not_started": 1}


def test_skill_heatmap_tells_too_few_observations_from_none() -> None:
    team = build_team(program())
    assert [s.name for s in team.skills] == [
        "Discovery Questions", "Objection Handling", "Value Articulation"]
    tiers = {row.name: [(c.tier, c.score) for c in row.cells] for row in team.skill_heatmap}
    assert tiers["Ada Lovelace"] == [("proficient", 78.4), ("insufficient_data", None),
                                     ("insufficient_data", None)]
    assert tiers["Ben Okafor"] == [("developing", 63.0), (None, None), (None, None)]
    assert tiers["Cy Young"] == [(None, None)] * 3
    discovery = {c.tier: c.count for c in team.tiers[0]}
    assert (discovery["proficient"], discovery["developing"], discovery[None]) == (1, 1, 1)
    assert {c.tier: c.count for c in team.tiers[1]}["insufficient_data"] == 1
    assert fmt_tier("insufficient_data") == "Not enough practice yet"
    assert fmt_tier(None) != fmt_tier("insufficient_data")


def test_shortlist_runs_across_scenarios_in_the_attention_order() -> None:
    report = program()
    team = build_team(report, manager=DANA)
    # The whole selection is named by how it was selected, as in a single scenario's run.
    assert (team.name, team.slug, team.group) == ("Every participant", "team", None)
    # Ben is past due with no valid attempt (high, infinite points at stake); Ada fell 16
    # points (high); Cy has not started an assigned scenario (medium).
    assert [r.name for r in team.shortlist] == ["Ben Okafor", "Ada Lovelace", "Cy Young"]
    assert list(team.shortlist) == list(shortlist(attention_order(report.reps)))
    assert team.shortlist == report.shortlist and team.watchlist == ()
    assert team.shortlist[0].attention[0].text.startswith("Competitive Displacement: Past due")
    # The matrix and the heatmap read in the shortlist's order.
    assert [row.name for row in team.matrix] == [r.name for r in team.shortlist]
    assert [row.name for row in team.skill_heatmap] == [row.name for row in team.matrix]
    # Each next step is the focus scenario's, named by it.
    ben = team.shortlist[0]
    assert ben.step_text == ("Complete one full, graded roleplay of “Competitive "
                              "Displacement”")


def test_a_rubric_item_theme_names_its_scenario_by_the_team_reports_rule() -> None:
    report = program()
    team = build_team(report)
    assert team.themes == report.themes
    [theme] = report.themes
    assert (theme.kind, theme.name, theme.scenario) == (
        "item", "Discovery › Budget", "Procurement Discovery")
    assert (theme.reps_weak, theme.reps_seen) == (2, 2)
    assert theme.detail.startswith("Graded good 0 of 5 (0%)")
    # The same item the scenario's own team report picks for its team.
    part = report.part("sc1")
    assert theme.weak == scenario_team(part.reps).weakest[0]
    # Objection Handling and Competitive Displacement rest on Ada alone: not a team pattern.
    assert all(t.scenario == "Procurement Discovery" for t in report.themes)


def with_skill(index: int, entries: list[dict[str, Any]]) -> Snapshot:
    data = pf.program_snapshot()
    data["skills"][index]["proficiency"] = entries
    return parse_snapshot(data)


def test_a_skill_most_reps_are_developing_or_need_work_on_is_a_theme() -> None:
    snapshot = with_skill(1, [pf.proficiency(pf.ALL, 61.0, "developing", 4),
                              pf.proficiency(pf.ONE, 42.0, "needs_work", 3)])
    themes = program(snapshot).themes
    assert [t.kind for t in themes] == ["skill", "item"]  # skills first
    skill = themes[0]
    assert (skill.name, skill.scenario, skill.reps_weak, skill.reps_seen) == (
        "Objection Handling", None, 2, 2)
    assert skill.skill is not None and skill.skill.scenarios == ("Objection Handling",)
    assert skill.detail == "2 of 2 reps with a score at developing or needs work (1 at needs work)"
    # One rep developing Discovery Questions is that rep's 1:1, not a theme.
    assert "Discovery Questions" not in [t.name for t in themes]
    assert len([t for t in themes if t.kind == "skill"]) <= MAX_SKILL_THEMES


def test_per_team_views_follow_the_teams_groups() -> None:
    report = program()
    east, west, empty = GroupInfo("g1", "East"), GroupInfo("g2", "West"), GroupInfo("g3", "North")
    teams = build_teams(report, [(east, DANA), (west, Manager("Wes", "wes@x.example")),
                                         (empty, DANA)])
    assert [(t.name, t.slug) for t in teams] == [("East", team_slug("East", "g1")),
                                                 ("West", team_slug("West", "g2"))]
    east_team, west_team = teams
    assert [r.name for r in east_team.reps] == ["Ada Lovelace", "Ben Okafor"]
    assert east_team.manager == DANA and east_team.group == "East"
    assert [t.name for t in east_team.themes] == ["Discovery › Budget"]
    assert [r.name for r in west_team.reps] == ["Cy Young"] and west_team.themes == ()
    assert west_team.coverage == {"all": 0, "some": 0, "none": 1}


# -- the PDF ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(PdfOptions())


def pages(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each page's text in reading order, whitespace collapsed."""
    path = tmp_path / "team.pdf"
    path.write_bytes(pdf)
    return [" ".join(page.split()) for page in pdftotext(path, "-raw").split("\f")
            if page.strip()]


def row_text(team: TeamView, name: str) -> str:
    """A matrix row as the page prints it, from the view: best and rank, or what is missing,
    then the status line."""
    row = rows_by_name(team)[name]
    words = [name]
    for cell in row.cells:
        words.append(f"{fmt_score(cell.best)} {fmt_rank(cell.rank)}" if cell.state == "practised"
                     else CELL_LABELS[cell.state])
        words.append(cell_status(cell))
    return " ".join(w for w in words if w)


def test_program_team_pdf_reads_back_page_one_the_matrix_and_the_tiers(
        renderer: PdfRenderer, tmp_path: Path) -> None:
    report = program()
    team = build_team(report, manager=DANA)
    pdf, count = render_team(renderer, report, team)
    text = pages(pdf, tmp_path)
    assert count == len(text) == 2
    first = text[0]
    assert first.startswith("Globex TEAM REPORT Every participant Core Sales Conversations · "
                            "October 2026 · Globex · Manager: Dana Whitfield ")
    assert team_summary(team, report) in first
    assert first.count("1 of 3 reps has a valid attempt in all 3 scenarios") == 1
    assert "Book a 1:1 with 3 of 3" in first
    positions = [first.index(r.attention[0].text) for r in team.shortlist]
    assert positions == sorted(positions)
    assert "Next step: Complete one full, graded roleplay of “Competitive Displacement”" in first
    assert "1 completed 3 in progress 1 past due 1 not started" in first
    # The theme, with the scenario it comes from (the card's heading is set in capitals).
    assert "PROCUREMENT DISCOVERY: DISCOVERY › BUDGET" in first
    assert "Graded good 0 of 5 (0%); 2 of 2 reps graded mid or bad at least once" in first
    second = text[1]
    assert "Rep Procurement Discovery Objection Handling Competitive Displacement" in second
    assert row_text(team, "Ben Okafor") == ("Ben Okafor 69.0 Bronze In progress, due Oct 30 "
                                            "Not assigned Not practised Past due")
    for row in team.matrix:
        assert row_text(team, row.name) in second
    assert "Team 2 of 3 practised average best 75.5" in second
    # The tiers in words: too few observations and none at all told apart.
    assert "Rep Discovery Questions Objection Handling Value Articulation" in second
    assert ("Ada Lovelace Proficient 78.4 (+7.4) Not enough practice yet Not enough practice "
            "yet") in second
    assert "Ben Okafor Developing 63.0 Not practised Not practised" in second
    assert "Cy Young Not practised Not practised Not practised" in second
    assert renderer.fetcher.calls == []


def test_program_team_pdf_is_tagged_with_scoped_header_cells(
        renderer: PdfRenderer, tmp_path: Path) -> None:
    report = program()
    pdf, _ = render_team(renderer, report, build_team(report))
    path = tmp_path / "team.pdf"
    path.write_bytes(pdf)
    assert unexplained(path) == []
    cells = [e for e in structure_elements(PdfReader(io.BytesIO(pdf))) if e["/S"] == "/TH"]
    scopes = [str(e["/A"]["/Scope"]) for e in cells]
    assert scopes.count("/Row") >= 2 * len(report.reps) and "/Column" in scopes
    assert len(scopes) == len(cells)


def test_hostile_names_are_printed_as_text(renderer: PdfRenderer, tmp_path: Path) -> None:
    data = pf.program_snapshot()
    part = data["scenarios"][0]  # a copy: the factory's scenario dicts are shared
    part["scenario"] = {**part["scenario"], "name": '<img src="file:///etc/passwd">'}
    report = program(parse_snapshot(data))
    team = build_team(report, name='<b onload="x()">East</b>')
    html = team_html(renderer, report, team)
    assert "<img src=" not in html and "<b onload" not in html
    text = " ".join(pages(render_team(renderer, report, team)[0], tmp_path))
    assert '<img src="file:///etc/passwd">' in text and '<b onload="x()">East</b>' in text
    assert renderer.fetcher.calls == []


def crowd(n: int) -> Snapshot:
    """The factory's program with ``n`` reps practising none to all of its scenarios, and
    proficiency across the tiers."""
    data = pf.program_snapshot()
    tiers = [(93.0, "excellent", 6), (80.0, "proficient", 4), (60.0, "developing", 3),
             (40.0, "needs_work", 5), (None, "insufficient_data", 2)]
    reps = []
    for i in range(n):
        who = f.user(f"Rep{i:02d}", "Crowd", f"rep{i:02d}@example.com", id=f"u-c{i:02d}")
        practised = i % 4
        sessions = [s for j in range(practised)
                    for s in pf.sessions(who, j, [50.0 + i % 40, 55.0 + (7 * i) % 40], 2 + j)]
        reps.append({"user": who, "is_member": True, "groups": ["East"],
                     "assignments": [pf.assignment(who, j) for j in range(3) if (i + j) % 2],
                     "sessions": sorted(sessions, key=lambda s: s["created_at"])})
    data["reps"] = reps
    for part in data["scenarios"]:
        mine = [{"user": r["user"], "sessions": [s for s in r["sessions"]
                                                 if s["scenario"]["id"] == part["scenario"]["id"]]}
                for r in reps]
        part["participants"] = [f.participant_for(r) for r in mine if r["sessions"]]
        part["previous"]["participants"] = []
    for k, skill in enumerate(data["skills"]):
        skill["proficiency"] = [pf.proficiency(r["user"], *tiers[(i + k) % len(tiers)])
                                for i, r in enumerate(reps) if (i + k) % 6]
        skill["previous"] = []
    return parse_snapshot(data)


def test_a_large_team_breaks_the_tables_across_pages_with_their_header_rows(
        renderer: PdfRenderer, tmp_path: Path) -> None:
    report = program(crowd(40))
    team = build_team(report)
    pdf, count = render_team(renderer, report, team)
    text = pages(pdf, tmp_path)
    assert count == len(text)
    matrix_head = "Rep Procurement Discovery Objection Handling Competitive Displacement"
    skills_head = "Rep Discovery Questions Objection Handling Value Articulation"
    with_matrix = [p for p in text if matrix_head in p]
    with_skills = [p for p in text if skills_head in p]
    # Each table longer than a page repeats its header row on every page it reaches.
    assert len(with_matrix) >= 2 and len(with_skills) >= 2
    everything = " ".join(text[1:])
    for row in team.matrix:
        assert everything.count(f"{row.name} ") >= 2  # a matrix row and a heatmap row
    for tier in ("Excellent", "Proficient", "Developing", "Needs work",
                 "Not enough practice yet", "Not practised"):
        assert tier in everything
    path = tmp_path / "team.pdf"
    path.write_bytes(pdf)
    assert unexplained(path) == []


def test_the_pdf_reads_only_the_reports_header(renderer: PdfRenderer) -> None:
    """What a pool may send a worker: the report without its reps, attention lists or
    scenario parts (the team carries its reps) renders the same page."""
    report = program()
    team = build_team(report, manager=DANA)
    header = replace(report, reps=(), needs_attention=(), shortlist=(), parts=(), labels={})
    assert team_html(renderer, header, team) == team_html(renderer, report, team)
