"""The manager's team view: leaderboard, statuses, the rubric across reps, the weakest items,
month over month, and how [teams] entries find their groups and reps."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from reporter.analytics.attention import MAX_SHORTLIST
from reporter.analytics.moments import is_speech
from reporter.analytics.program import of_scenario
from reporter.analytics.team import (
    MIN_THEME_REPS,
    MIN_THEME_SESSIONS,
    GroupInfo,
    TeamSpec,
    UnknownGroup,
    build_team,
    build_teams,
    leaderboard_positions,
    resolve_teams,
    scenario_team,
    team_part,
)
from reporter.views import Manager
from tests.support import team_report_view

DANA = Manager("Dana Whitfield", "dana@acme.example")


def test_the_team_in_numbers_and_its_leaderboard():
    report = team_report_view({"Ana": 88.0, "Ben": 85.0})
    team = scenario_team(report.reps)
    assert [r.name for r in team.leaderboard] == ["Ana Rep", "Ben Rep", "Cy Rep", "Dee Rep"]
    assert (len(team.reps), team.with_valid, team.sessions, team.valid_attempts) == (4, 3, 7, 5)
    assert team.best_scores == (77.0, 81.0, 92.0)
    assert round(team.average_best or 0, 2) == round((92 + 81 + 77) / 3, 2)
    # Ana +4.0, Ben -4.0: the mean change of the reps who practised in both months.
    assert team.average_change == pytest.approx(0.0) and team.compared == 2
    # Cy is new (a best now, none in September); Dee has a best in neither month: not new.
    assert team.new_reps == 1
    assert [(s.status, s.count) for s in team.statuses] == [
        ("completed", 1), ("in_progress", 1), ("past_due", 1), ("not_started", 0), ("none", 1)]
    assert [(d.rank, d.count) for d in team.distribution] == [
        ("gold", 1), ("silver", 2), ("bronze", 0), ("unranked", 0)]
    # The run's team analysis holds this as its one scenario's section, named as the run's
    # whole selection is ("Every participant"), drawn in place of a program's matrix.
    whole = build_team(of_scenario(report))
    assert whole.single == replace(team, name=whole.name)
    assert whole.name == "Every participant" and whole.parts == (whole.single,)


def test_needs_attention_is_the_reps_own_order_and_reasons():
    report = team_report_view()
    team = scenario_team(report.reps)
    assert team.needs_attention == tuple(r for r in report.needs_attention)
    cy = next(r for r in team.reps if r.name == "Cy Rep")
    # Past due in Exec though the best reaches Silver: Exec's status decides, never "met".
    assert cy in team.needs_attention
    assert [r.code for r in cy.attention] == ["past_due", "one_attempt"]
    assert cy.attention[0].text == "Past due since Oct 15, 2026, not completed in Exec"
    assert team.shortlist == tuple(r for r in team.needs_attention if r.severity >= 2)[:5]


def test_the_rubric_across_reps_greys_thin_cells_and_totals_each_item():
    report = team_report_view()
    team = scenario_team(report.reps)
    assert team.items == (("Qualification", "Budget"), ("Qualification", "Timeline"))
    rows = {row.name: row for row in team.heatmap}
    ana_budget = rows["Ana Rep"].cells[0]
    assert ana_budget is not None and (ana_budget.good, ana_budget.graded) == (1, 2)
    assert not ana_budget.thin
    cy_budget = rows["Cy Rep"].cells[0]
    assert cy_budget is not None and cy_budget.thin  # one session: not yet a pattern
    assert rows["Dee Rep"].cells == (None, None)  # never graded: no cell, not 0%
    budget = team.item_good_share[0]
    assert budget is not None
    good = sum(c.good for r in team.heatmap if (c := r.cells[0]) is not None)
    graded = sum(c.graded for r in team.heatmap if (c := r.cells[0]) is not None)
    assert budget == pytest.approx(good / graded)


def test_the_weakest_item_quotes_a_valid_session_with_a_phrasing_to_try():
    report = team_report_view()
    team = scenario_team(report.reps)
    assert [(w.criterion, w.item) for w in team.weakest] == [("Qualification", "Budget")]
    weakest = team.weakest[0]
    assert weakest.quote is not None and weakest.quote_by == "Ana Rep"
    assert weakest.quote.quote == "Skip the budget."
    assert weakest.quote.suggestion == "What would fixing this be worth to you?"
    assert (weakest.reps_weak, weakest.reps_graded) == (2, 3)  # Timeline: always good, not listed


def test_teams_match_groups_by_id_or_name_and_keep_only_their_reps():
    report = team_report_view()
    groups = [GroupInfo("g-north", "North"), GroupInfo("g-south", "South"),
              GroupInfo("g-west", "West")]
    resolved = resolve_teams([TeamSpec("g-north", DANA), TeamSpec("south", DANA),
                              TeamSpec("West", DANA)], groups)
    assert [g.name for g, _ in resolved] == ["North", "South", "West"]
    teams = build_teams(of_scenario(report), resolved)
    # West has none of the selected reps: no team (the pipeline says so).
    assert [(t.name, t.slug, len(t.reps)) for t in teams] == [("North", "north", 3),
                                                              ("South", "south", 1)]
    assert teams[0].manager == DANA
    with pytest.raises(UnknownGroup, match="names group 'Nowhere', which the workspace does "
                                           "not have; groups: North, South, West"):
        resolve_teams([TeamSpec("Nowhere", DANA)], groups)


def test_two_groups_with_the_same_folder_name_get_different_folders():
    report = team_report_view()
    resolved = [(GroupInfo("g-1", "North"), DANA), (GroupInfo("g-2", "North"), DANA)]
    slugs = [t.slug for t in build_teams(of_scenario(report), resolved)]
    assert slugs[0] == "north" and slugs[1].startswith("north-") and len(set(slugs)) == 2


def test_a_teams_workbook_report_holds_only_its_reps():
    report = team_report_view()
    (team,) = build_teams(of_scenario(report), [(GroupInfo("g-south", "South"), DANA)])
    assert team.single is not None
    narrowed = team_part(report, team.single)
    assert [r.name for r in narrowed.reps] == ["Cy Rep"]
    assert narrowed.selection_text == "group South"
    assert sum(w.sessions for w in narrowed.cohort.weekly) == 1
    assert narrowed.cohort.best_scores == report.cohort.best_scores  # everyone's, as labelled


# -- on seeded workspaces --------------------------------------------------------------------


@pytest.mark.parametrize("name", ["demo", "seed42"])
def test_the_shortlist_holds_the_few_a_manager_should_see(seeded_reports, name):
    report = seeded_reports[name]
    team = scenario_team(report.reps)
    assert len(team.reps) >= 30 and len(team.needs_attention) > MAX_SHORTLIST
    assert 0 < len(team.shortlist) <= MAX_SHORTLIST
    assert team.shortlist == team.needs_attention[:len(team.shortlist)]  # most urgent first
    assert set(map(id, team.shortlist)) | set(map(id, team.watchlist)) == set(
        map(id, team.needs_attention))
    assert all(r.severity >= 2 for r in team.shortlist)  # low-only reps: never shortlisted
    # Every high-severity rep not on it is left off by the cap: it is full of reps at least
    # as severe.
    for rep in team.watchlist:
        if rep.severity == 3:
            assert len(team.shortlist) == MAX_SHORTLIST
            assert all(s.severity == 3 for s in team.shortlist)
    # Each has a talking point and a next step of their own.
    for rep in team.shortlist:
        assert rep.attention[0].text and rep.attention[0].text[0].isupper()
    # What to coach the team on: one or two items that are a pattern, quoting speech.
    assert 1 <= len(team.weakest) <= 2
    for item in team.weakest:
        assert item.graded >= MIN_THEME_SESSIONS and item.reps_graded >= MIN_THEME_REPS
        assert item.quote is not None and is_speech(item.quote.quote)
    assert report.shortlist == team.shortlist


DOCS_COUNTS = re.compile(
    r"On the demo \(30 reps, November 2026\) (\d+) reps have a reason: (\d+) on the shortlist, "
    r"(\d+) to keep an\seye on; on sandbox seed 42 \(40 reps, October 2026\) (\d+): (\d+) and "
    r"(\d+)\.")


def test_the_docs_count_the_lists_as_they_are(seeded_reports):
    """docs/reports.md's figures for the two seeded workspaces (the demo's at its fixed moment)
    are what the team analysis gives: the same on any day."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "reports.md").read_text(
        encoding="utf-8")
    [figures] = DOCS_COUNTS.findall(page)
    counted = []
    for name in ("demo", "seed42"):
        team = scenario_team(seeded_reports[name].reps)
        counted += [len(team.needs_attention), len(team.shortlist), len(team.watchlist)]
    assert tuple(map(int, figures)) == tuple(counted)


def test_equal_bests_share_a_place_and_equal_names_carry_their_email(seeded_reports):
    report = seeded_reports["seed42"]
    team = scenario_team(report.reps)
    names = [r.name for r in team.reps]
    twins = [r for r in team.reps if names.count(r.name) > 1]
    assert len(twins) >= 2  # seed 42 has two Emma Parks
    for rep in twins:
        assert team.label(rep) == f"{rep.name} ({rep.email})"
    former = [r for r in team.reps if not r.is_member]
    assert former and all(team.label(r).endswith("(former member)") for r in former)
    others = [r for r in team.reps if r not in twins and r.is_member]
    assert all(team.label(r) == r.name for r in others)
    board = [(f"{r.best_score:.1f}" if r.best_score is not None else None, p)
             for r, p in zip(team.leaderboard, team.positions, strict=True)]
    for (score, pos), (before, pos_before) in zip(board[1:], board, strict=False):
        if score is None:
            assert pos is None
        elif score == before:
            assert pos == pos_before
    assert [p for p in team.positions if p is not None][0] == 1


def test_leaderboard_positions_share_equal_bests():
    report = team_report_view()
    ana, ben, cy, dee = report.reps
    tied = [replace(ana, best_score=80.0), replace(ben, best_score=75.0),
            replace(cy, best_score=75.04), replace(dee, best_score=70.0)]
    assert leaderboard_positions(tied) == (1, 2, 2, 4)
    assert leaderboard_positions([*tied[:3], replace(dee, best_score=None)]) == (1, 2, 2, None)
