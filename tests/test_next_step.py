"""The next step is about now, said once; the claims beside it agree (issue 32, items 1 and 3).

Each rule on built snapshots here; on two sandbox workspaces, both kinds of run, in
``test_next_step_sandbox.py``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

from reporter import analytics
from reporter.analytics.coaching import COMPLETE_ONE
from reporter.analytics.program import build_program
from reporter.cohort.snapshot import parse_snapshot
from reporter.format import fmt_comparison, fmt_target
from reporter.views import Comparison, RepView, Target
from tests import program_factory as pf
from tests import snapshot_factory as f

GENERATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _session(day: int, grades: dict[str, str], *, hour: int = 9, score: float = 70.0,
             suggestion: str | None = None) -> dict[str, Any]:
    """A session grading items of "Discovery"; each weak item quotes the rep with a phrasing
    to try when ``suggestion`` is given."""
    items = [f.item(name, grade, f"{name}: feedback.", examples=[
        f.example(f"What I said about {name.lower()} on day {day}.", grade=grade,
                  feedback=f"{name} needs work.",
                  suggestion=suggestion if grade != "good" else None)])
        for name, grade in grades.items()]
    return f.session(score, f.at(day, hour), evaluations=[f.criterion("Discovery", *items)])


def _rep(*sessions: dict[str, Any], previous_best: float | None = None) -> RepView:
    who = f.user("Jo", "Lee", "jo@example.com", id="u-jo")
    reps = [f.rep(who, [dict(s, user=who) for s in sessions])]
    data = f.snapshot(reps=reps)
    if previous_best is not None:
        data = f.with_previous(data, reps, {"Jo": previous_best})
    return analytics.build_report(parse_snapshot(data), generated_at=GENERATED).reps[0]


# -- the next step is about now --------------------------------------------------------------


def test_an_item_the_latest_session_graded_good_is_never_the_step():
    """The issue's case: Budget ✗ ✗ ✓ ✓ (bad most of the period, fixed lately) and Timeline
    ✓ ✓ ✓ ~ (mid in the latest session): the step is Timeline, and so is the first card."""
    rep = _rep(*(_session(day, {"Budget": b, "Timeline": t}, suggestion="Ask it plainly.")
                 for day, b, t in ((1, "bad", "good"), (2, "bad", "good"),
                                   (3, "good", "good"), (4, "good", "mid"))))
    step = rep.coaching.next_step
    assert step is not None and step.item == "Timeline" and step.kind == "focus"
    assert rep.coaching.focus_areas[0].item == "Timeline"
    assert rep.coaching.step_text == "Discovery › Timeline (Oct 4): try “Ask it plainly.”"
    assert rep.coaching.step_kind == "coach"


def test_a_bad_grade_lately_outranks_a_worse_period():
    """Pain: bad once long ago, mid since, bad in the latest session; Budget: bad three times,
    then mid in the latest: both are weak lately, and the latest grade weighs most."""
    rep = _rep(*(_session(day, {"Budget": b, "Pain": p})
                 for day, b, p in ((1, "bad", "bad"), (2, "bad", "mid"), (3, "bad", "mid"),
                                   (4, "mid", "bad"))))
    assert [p.item for p in rep.coaching.focus_areas] == ["Pain", "Budget"]
    assert rep.coaching.next_step is not None and rep.coaching.next_step.item == "Pain"


def test_the_steps_session_has_its_ordinal_when_the_day_had_two():
    rep = _rep(_session(9, {"Budget": "good"}, hour=9),
               _session(9, {"Budget": "mid"}, hour=15, suggestion="Which budget is set?"))
    step = rep.coaching.next_step
    assert step is not None and step.session == "Oct 9, 2nd session"
    assert rep.coaching.step_text == ("Discovery › Budget (Oct 9, 2nd session): try “Which "
                                      "budget is set?”")


def test_a_step_without_a_phrasing_is_an_action_not_the_feedback():
    rep = _rep(_session(3, {"Budget": "bad"}))
    text = rep.coaching.step_text
    assert text == "Discovery › Budget (Oct 3): replay that call in Exec and rework this part"
    assert "needs work" not in text and "feedback" not in text


def test_the_steps_grade_is_the_items_grade_in_that_session_as_its_card_says():
    """The example quoted is graded bad, the item in that session mid: page 1 says mid, as
    the focus card (the item's feedback with its grade) does."""
    who = f.user("Jo", "Lee", "jo@example.com", id="u-jo")
    session = f.session(70, f.at(5), who=who, evaluations=[f.criterion("Discovery", f.item(
        "Budget", "mid", "Partly there.", examples=[
            f.example("No budget yet?", grade="bad", suggestion="What budget is set?")]))])
    rep = analytics.build_report(parse_snapshot(f.snapshot(reps=[f.rep(who, [session])])),
                                 generated_at=GENERATED).reps[0]
    step, card = rep.coaching.next_step, rep.coaching.focus_areas[0]
    assert step is not None and card.feedback is not None
    assert step.grade == card.feedback.grade == "mid"


def test_no_valid_attempt_is_complete_one_unless_the_assignment_is_completed():
    who = f.user("Jo", "Lee", "jo@example.com", id="u-jo")

    def rep(status: str) -> RepView:
        assignment = pf.assignment(who, 0, status, best_score=80 if status == "completed"
                                   else None)
        data = f.snapshot(reps=[f.rep(who, [f.session(None, f.at(2), who=who, valid=False)],
                                      assignment=assignment)])
        return analytics.build_report(parse_snapshot(data), generated_at=GENERATED).reps[0]

    assert rep("in_progress").coaching.step_text == COMPLETE_ONE
    assert rep("in_progress").coaching.step_kind == "complete"
    assert rep("completed").coaching.step_text is None


# -- a program: the step from where the need is most urgent and actionable -------------------


def _program(reps: list[dict[str, Any]]) -> Any:
    data = pf.program_snapshot()
    data["reps"] = reps
    return build_program(parse_snapshot(data), generated_at=GENERATED)


def test_a_never_attempted_past_due_assignment_is_complete_one_of_it():
    report = build_program(pf.program(), generated_at=GENERATED)
    ben = next(r for r in report.reps if r.name == "Ben Okafor")
    assert ben.focus is ben.rows[2]
    assert ben.step_text == f"{COMPLETE_ONE} of “Competitive Displacement”"


def test_a_completed_assignment_is_never_complete_one():
    """The issue's case: the scenario's assignment is completed in Exec (best 97.6 on it),
    nothing valid in the period; another scenario has coaching: that coaching is the step."""
    who = pf.ALL
    sessions = (pf.sessions(who, 1, [66, 71], 3)
                + [f.session(None, f.at(4), who=who, valid=False, scenario=pf.scenario_ref(0))])
    report = _program([{
        "user": who, "is_member": True, "groups": ["East"],
        "assignments": [pf.assignment(who, 0, "completed", best_score=97.6, attempt_count=3),
                        pf.assignment(who, 1)],
        "sessions": sorted(sessions, key=lambda s: s["created_at"])}])
    ada = report.reps[0]
    assert ada.focus is ada.rows[1]
    assert ada.step_text is not None and ada.step_text.startswith("Objection Handling: ")
    assert "Complete one" not in ada.step_text
    assert ada.rows[0].rep is not None and ada.rows[0].rep.coaching.step_text is None


def test_the_top_scorer_gets_coaching_and_an_attempted_assignment_is_not_complete_one():
    """Every scenario practised, or the one without a valid attempt this period has a best on
    its assignment from before (attempted): the step is a practised scenario's coaching."""
    who = pf.ALL
    report = _program([{
        "user": who, "is_member": True, "groups": ["East"],
        "assignments": [pf.assignment(who, 0), pf.assignment(who, 2, "past_due",
                                                              best_score=72.4,
                                                              attempt_count=2)],
        "sessions": pf.sessions(who, 0, [91, 96])}])
    ada = report.reps[0]
    assert ada.focus is ada.rows[0]
    assert ada.step_text is not None
    assert ada.step_text.startswith("Procurement Discovery: Discovery › Budget (")
    # and the past-due line beside it says when that best was made
    line = ada.rows[2].rep.verdict.target_line if ada.rows[2].rep else None
    assert line == ("Past due since Oct 30, 2026 (target Silver) — no valid attempt this "
                    "period (best on this assignment 72.4, before this period)")


# -- claims agree ----------------------------------------------------------------------------


def test_no_valid_attempt_beside_a_best_says_when_that_best_was_made():
    target = Target(status="past_due", required_rank="silver",
                    due=datetime(2026, 11, 30, tzinfo=UTC), met=False, points_short=None,
                    past_due=True, assignment_best=72.4)
    assert fmt_target(target, None) == ("Past due since Nov 30, 2026 (target Silver) — no "
                                        "valid attempt this period (best on this assignment "
                                        "72.4, before this period)")
    never = dataclasses.replace(target, assignment_best=None)
    assert fmt_target(never, None) == ("Past due since Nov 30, 2026 (target Silver) — no valid "
                                       "attempt yet")


def test_the_month_comparison_names_both_months():
    line = fmt_comparison(Comparison("2026-10", "October 2026", 77.2, "silver", -5.1, 0, False,
                                     current_title="November 2026"))
    assert line == "October 2026: best 77.2; November 2026: −5.1"


def test_a_best_below_last_month_is_never_holding_steady():
    """The issue's case: within the month the rep holds (best 72.1, latest 71.0), but the
    best is 5.9 below September's, which the manager's list flags."""
    rep = _rep(_session(2, {"Budget": "mid"}, score=70.0),
               _session(5, {"Budget": "mid"}, score=72.1),
               _session(8, {"Budget": "mid"}, score=71.0), previous_best=78.0)
    assert rep.verdict is not None
    assert any(r.code == "below_last_period" for r in rep.attention)
    assert "holding" not in rep.verdict.headline and rep.verdict.direction == "slipping"
    assert rep.verdict.headline.startswith(
        "Jo, your best in October 2026, 72.1 (Bronze), is 5.9 points below your best in "
        "September 2026, 78.0; your latest scored 71.0. Your best is 2.9 points from Silver.")


def test_points_from_a_rank_are_said_of_the_best_not_after_the_latest():
    """The issue's case: "You are 2.6 points from Gold" right after "your latest, 62.9"."""
    rep = _rep(_session(2, {"Budget": "mid"}, score=80.0),
               _session(5, {"Budget": "mid"}, score=87.4),
               _session(8, {"Budget": "mid"}, score=62.9))
    assert rep.verdict is not None and rep.verdict.rank_hint is not None
    headline = rep.verdict.headline
    assert "your latest, 62.9, is 24.5 points below it. Your best is 2.6 points from Gold." \
        in headline
    assert "You are" not in headline
