"""A program's views: each scenario as its own run computes it, side by side per rep."""

from __future__ import annotations

from datetime import UTC, datetime

from reporter.analytics import build_report
from reporter.analytics.program import build_program
from tests import program_factory as pf

GENERATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_each_scenario_reads_the_same_as_in_its_own_run():
    snapshot = pf.program()
    report = build_program(snapshot, generated_at=GENERATED)
    for scenario in snapshot.scenarios:
        alone = build_report(snapshot.part(scenario.scenario.id), generated_at=GENERATED)
        assert report.part(scenario.scenario.id) == alone
    ada = next(r for r in report.reps if r.name == "Ada Lovelace")
    assert [row.rep.best_score for row in ada.rows if row.rep] == [82.0, 71.0, 88.0]


def test_a_row_per_scenario_whether_practised_assigned_or_neither():
    report = build_program(pf.program(), generated_at=GENERATED)
    by_name = {r.name: r for r in report.reps}
    assert by_name["Ada Lovelace"].coverage == "all"
    ben, cy = by_name["Ben Okafor"], by_name["Cy Young"]
    assert ben.coverage == "some" and [r.practised for r in ben.rows] == [True, False, False]
    # Assigned and not practised: a view with no session, its target and reasons.
    assert ben.rows[2].rep is not None and ben.rows[2].rep.session_count == 0
    assert ben.rows[2].target is not None and ben.rows[2].target.status == "past_due"
    assert ben.rows[1].rep is None  # neither assigned nor practised
    assert cy.coverage == "none" and cy.focus is cy.rows[1]


def test_the_focus_is_the_most_urgent_scenario():
    report = build_program(pf.program(), generated_at=GENERATED)
    ben = next(r for r in report.reps if r.name == "Ben Okafor")
    # Past due with no valid attempt outranks a practised scenario in progress.
    assert ben.focus is ben.rows[2]
    assert ben.attention[0].text.startswith("Competitive Displacement: Past due since")
    ada = next(r for r in report.reps if r.name == "Ada Lovelace")
    # Ada fell 16 points in Competitive Displacement: the fall is her most urgent.
    assert ada.focus is ada.rows[2] and ada.attention[0].code == "declined"


def test_skills_with_tiers_and_change_against_the_previous_period():
    report = build_program(pf.program(), generated_at=GENERATED)
    ada = next(r for r in report.reps if r.name == "Ada Lovelace")
    rows = {s.skill.name: s for s in ada.skills}
    assert list(rows) == ["Discovery Questions", "Objection Handling", "Value Articulation"]
    dq = rows["Discovery Questions"]
    assert (dq.tier, dq.score, dq.observations, dq.previous_tier) == (
        "proficient", 78.4, 4, "developing")
    assert dq.change is not None and round(dq.change, 1) == 7.4
    assert rows["Objection Handling"].tier == "insufficient_data"
    assert rows["Objection Handling"].score is None
    cy = next(r for r in report.reps if r.name == "Cy Young")
    assert all(s.tier is None and s.observations == 0 for s in cy.skills)
    assert report.skills[0].scenarios == ("Procurement Discovery", "Objection Handling")
