"""The coaching plan: one next step by one rule, its fallback, targets, declines, rank gaps."""

from __future__ import annotations

from typing import Any

from reporter import analytics as an
from reporter.cohort.snapshot import parse_snapshot
from reporter.format import fmt_decline, fmt_rank_gap, fmt_target
from reporter.views import RepView
from tests import snapshot_factory as f


def build(sessions: list[dict[str, Any]], assignment: dict[str, Any] | None = None) -> RepView:
    who = f.user()
    for s in sessions:
        s["user"] = who
    snapshot = parse_snapshot(f.snapshot([f.rep(who, sessions, assignment=assignment)]))
    return an.build_rep(snapshot.reps[0], an.rep_context(snapshot))


def graded(day: int, score: float, *items: dict[str, Any]) -> dict[str, Any]:
    return f.session(score, f.at(day), evaluations=[f.criterion("Discovery", *items)])


def assignment(status: str, rank_min: str | None = "silver", due: str | None = None,
               best: float | None = None, count: int | None = None,
               minimum: int | None = None) -> dict[str, Any]:
    return {"id": "a1", "user": f.user(), "scenario": {"id": "sc1", "name": "x"},
            "status": status, "due_date": due or f.at(31), "best_score": best,
            "rank_min": rank_min, "attempt_count": count, "attempt_min": minimum}


def test_the_next_step_is_the_first_focus_area_with_its_suggested_phrasing():
    view = build([
        graded(1, 60, f.item("Budget", "bad", "Never asked about budget.", examples=[
            f.example("So, shall I send a quote?", grade="bad", salience="mid",
                      feedback="Ask about budget first.",
                      suggestion="What budget have you set aside for this?")]),
               f.item("Rapport", "good", "Warm opening.")),
    ])
    step = view.coaching.next_step
    assert step is not None and view.coaching.focus_areas[0].item == step.item == "Budget"
    assert (step.kind, step.source) == ("focus", "suggestion")
    assert step.said == "So, shall I send a quote?"
    assert step.try_instead == "What budget have you set aside for this?"
    assert step.why == "Ask about budget first."
    # Page 1 quotes the moment; "Moments that mattered" never says the same words again.
    assert step.said not in [m.quote for m in view.coaching.moments]


def test_without_a_suggested_phrasing_the_step_falls_back_to_the_feedback():
    view = build([
        graded(1, 60, f.item("Budget", "bad", "Ask what it costs them.", examples=[
            f.example("So, shall I send a quote?", grade="bad", feedback=None)])),
        graded(2, 62, f.item("Budget", "mid", "Closer, but still no number.")),
    ])
    step = view.coaching.next_step
    assert step is not None and (step.kind, step.source) == ("focus", "feedback")
    assert step.try_instead is None
    assert step.said == "So, shall I send a quote?"
    assert step.why == "Closer, but still no number."  # the item's latest weak feedback


def test_a_rep_with_nothing_graded_weak_keeps_doing_the_top_strength():
    view = build([graded(1, 95, f.item("Rapport", "good", "Warm.", examples=[
        f.example("Great to meet you.", grade="good", feedback="Lovely opener.")]))])
    step = view.coaching.next_step
    assert step is not None and (step.kind, step.item, step.why) == ("keep", "Rapport",
                                                                     "Lovely opener.")


def test_a_rep_whose_weak_grades_are_all_on_strengths_polishes_the_weakest():
    sessions = [graded(d, 85, f.item("A", "good"), f.item("B", "good"))
                for d in (1, 3, 4)]
    sessions.insert(1, graded(2, 80, f.item("A", "good"), f.item("B", "mid", "A bit rushed.")))
    view = build(sessions)
    assert view.coaching.focus_areas == ()
    step = view.coaching.next_step
    assert step is not None and (step.kind, step.item, step.why) == ("polish", "B",
                                                                     "A bit rushed.")


def test_only_a_rep_with_no_graded_item_gets_no_step():
    assert build([f.session(70, f.at(1), evaluations=None)]).coaching.next_step is None
    assert build([f.session(None, f.at(1), valid=False)]).coaching.next_step is None


def test_a_decline_is_said_plainly():
    view = build([graded(1, 74.6, f.item("A", "good")), graded(2, 70, f.item("A", "good")),
                  graded(3, 61.0, f.item("A", "mid"))])
    decline = view.coaching.decline
    assert decline is not None and round(decline.drop, 1) == 13.6
    assert fmt_decline(decline) == "61.0, 13.6 below your best"
    steady = build([graded(1, 74.6, f.item("A", "good")), graded(2, 70.0, f.item("A", "good"))])
    assert steady.coaching.decline is None  # 4.6 points: within DECLINE_POINTS


def test_a_rep_close_to_the_next_rank_is_told_how_far():
    view = build([graded(1, 74.6, f.item("A", "good"))])
    assert fmt_rank_gap(view.coaching.rank_gap) == "0.4 points from Silver"
    assert build([graded(1, 69.0, f.item("A", "good"))]).coaching.rank_gap is None
    assert build([graded(1, 96.0, f.item("A", "good"))]).coaching.rank_gap is None


def test_target_missed_met_and_past_due():
    missed = build([graded(1, 74.6, f.item("A", "good"))], assignment("in_progress"))
    assert fmt_target(missed.coaching.target) == "Target: Silver by Oct 31, 2026 — 0.4 points short"
    met = build([graded(1, 80.0, f.item("A", "good"))], assignment("completed"))
    assert fmt_target(met.coaching.target) == "Target: Silver by Oct 31, 2026 — met"
    # Only Exec's "completed" is met: a best that reaches the rank in progress is not.
    reached = build([graded(1, 80.0, f.item("A", "good"))],
                    assignment("in_progress", count=1, minimum=3))
    assert reached.coaching.target.met is False and reached.coaching.target.points_short is None
    assert fmt_target(reached.coaching.target, 80.0) == (
        "Target: Silver by Oct 31, 2026 — Silver reached; 2 more attempts required")
    # Exec's best for the assignment is its own labelled figure; points_short is the
    # threshold minus the best shown beside it (the period's).
    earlier = build([graded(1, 60.0, f.item("A", "good"))], assignment("in_progress", best=77.0))
    assert earlier.coaching.target.met is False
    assert earlier.coaching.target.points_short == 15.0
    assert fmt_target(earlier.coaching.target, 60.0) == (
        "Target: Silver by Oct 31, 2026 — 15.0 points short (best on this assignment 77.0)")
    # Completed in Exec, below the rank this period (reached earlier): one line, no "short".
    before = build([graded(1, 70.6, f.item("A", "good"))], assignment("completed", best=76.0))
    assert before.coaching.target.met and before.coaching.target.points_short is None
    assert fmt_target(before.coaching.target, 70.6) == (
        "Target met in Exec: Silver, best 76.0 on this assignment")
    assert before.verdict is not None and before.verdict.rank_hint is None
    assert "from Silver" not in before.verdict.headline
    failed = build([graded(1, 70.6, f.item("A", "good"))], assignment("did_not_pass"))
    assert fmt_target(failed.coaching.target, 70.6) == (
        "Did not pass Silver by Oct 31, 2026 — 4.4 points short")
    assert failed.coaching.target.state == "did_not_pass"
    overdue = build([f.session(None, f.at(2), valid=False)], assignment("past_due"))
    assert overdue.coaching.target.past_due
    assert (fmt_target(overdue.coaching.target)
            == "Past due since Oct 31, 2026 (target Silver) — no valid attempt yet")
    assert build([graded(1, 80.0, f.item("A", "good"))]).coaching.target is None


def test_one_attempt_has_no_lift_and_no_decline():
    view = build([graded(1, 64.0, f.item("A", "mid", "Slow down."))])
    assert view.lift is None and view.coaching.decline is None
    assert view.coaching.next_step is not None
