"""Needs attention: one rule set, reps ordered by severity then distance to target; the
previous period compared rep by rep, a new rep marked new, not compared with zero."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from reporter import analytics as an
from reporter.analytics import attention
from reporter.cohort.snapshot import parse_snapshot
from reporter.views import ReportView
from tests import snapshot_factory as f

GENERATED = datetime(2026, 11, 2, tzinfo=UTC)


def person(name: str) -> dict[str, Any]:
    return f.user(name, "Rep", f"{name.lower()}@acme.example", id=f"u-{name.lower()}")


def graded(who: dict[str, Any], day: int, score: float) -> dict[str, Any]:
    return f.session(score, f.at(day), who=who,
                     evaluations=[f.criterion("Discovery", f.item("Budget", "mid", "More."))])


def assignment(who: dict[str, Any], status: str) -> dict[str, Any]:
    return {"id": f"a-{who['id']}", "user": who, "scenario": {"id": "sc1", "name": "x"},
            "status": status, "due_date": f.at(15), "rank_min": "silver"}


def report(previous_best: dict[str, float] | None = None) -> ReportView:
    late, faller, once, steady, fine = (person(n) for n in
                                        ("Late", "Faller", "Once", "Steady", "Fine"))
    reps = [
        f.rep(late, [f.session(None, f.at(3), who=late, valid=False)],
              assignment=assignment(late, "past_due")),
        f.rep(faller, [graded(faller, 2, 80.0), graded(faller, 20, 68.0)]),
        f.rep(once, [graded(once, 25, 60.0)]),
        f.rep(steady, [graded(steady, 20, 70.0), graded(steady, 28, 71.0)],
              assignment=assignment(steady, "in_progress")),
        f.rep(fine, [graded(fine, 20, 91.0), graded(fine, 29, 92.0)]),
    ]
    data = f.snapshot(reps)
    if previous_best is not None:
        f.with_previous(data, reps, previous_best)
    return an.build_report(parse_snapshot(data), generated_at=GENERATED)


def test_reps_are_ordered_by_severity_then_distance_to_target():
    got = report()
    order = [r.name for r in got.needs_attention]
    # Past due with nothing valid, then a 12-point fall, then below target, then one attempt.
    assert order == ["Late Rep", "Faller Rep", "Steady Rep", "Once Rep"]
    late, faller, steady, once = got.needs_attention
    assert [r.code for r in late.attention] == ["past_due_no_attempt", "inactive"]
    assert late.attention[0].text == "Past due since Oct 15, 2026, no valid attempt"
    assert (faller.attention[0].code, faller.severity) == ("declined", 3)
    assert steady.attention[0].text == "4.0 points short of Silver"
    assert faller.attention[0].text == "Fell 12.0 points from a best of 80.0 (latest 68.0)"
    assert [r.code for r in once.attention] == ["one_attempt"]
    assert "Fine Rep" not in order  # nothing to say about a gold rep who practised lately


def test_a_rep_who_stopped_practising_is_flagged_low():
    """No session in the last 14 days of the period: low severity; 11 days is not."""
    by_name = {r.name: r for r in report().reps}
    assert ("inactive", 1, "No practice since Oct 3, 2026") in [
        (r.code, r.severity, r.text) for r in by_name["Late Rep"].attention]
    assert "inactive" not in [r.code for r in by_name["Faller Rep"].attention]


def test_month_over_month_compares_each_rep_and_marks_the_new_ones():
    got = report({"Steady": 78.0, "Fine": 90.0})
    by_name = {r.name: r for r in got.reps}
    assert got.previous_period is not None and got.previous_period.title == "September 2026"
    steady = by_name["Steady Rep"].comparison
    assert steady is not None and steady.previous_best == 78.0
    assert round(steady.change or 0, 1) == -7.0 and steady.rank_change == -1  # silver->bronze
    assert ("below_last_period", 2) in [(r.code, r.severity)
                                        for r in by_name["Steady Rep"].attention]
    fine = by_name["Fine Rep"].comparison
    assert fine is not None and round(fine.change or 0, 1) == 2.0 and fine.rank_change == 0
    once = by_name["Once Rep"].comparison
    assert once is not None and once.is_new and once.change is None  # new, not "+60 from 0"
    assert all(r.comparison is None for r in report().reps)  # no comparison made: none shown


def crowd(specs: list[tuple[str, list[float], str | None]]) -> ReportView:
    """Reps named by ``specs``: (name, valid scores on Oct 20.., assignment status or None)."""
    reps = []
    for name, scores, status in specs:
        who = person(name)
        sessions = ([graded(who, 20 + i, s) for i, s in enumerate(scores)] if scores
                    else [f.session(None, f.at(20), who=who, valid=False)])
        reps.append(f.rep(who, sessions,
                          assignment=assignment(who, status) if status else None))
    return an.build_report(parse_snapshot(f.snapshot(reps)), generated_at=GENERATED)


def test_did_not_pass_is_said_in_words_and_is_as_urgent_as_past_due():
    got = crowd([("Failed", [70.0, 71.0], "did_not_pass"), ("Never", [], "did_not_pass"),
                 ("Late", [], "past_due")])
    by_name = {r.name: r for r in got.reps}
    failed = by_name["Failed Rep"].attention[0]
    assert (failed.code, failed.severity) == ("did_not_pass", 3)
    assert failed.text == "Did not pass Silver by Oct 15, 2026, 4.0 points short"
    never = by_name["Never Rep"].attention[0]
    assert never.text == "Did not pass Silver by Oct 15, 2026, no valid attempt"
    assert never.severity == by_name["Late Rep"].severity == 3
    # No valid attempt on an overdue assignment comes first, whichever of the two it is.
    assert [r.name for r in got.needs_attention][:2] == ["Late Rep", "Never Rep"]


def test_a_big_fall_outranks_a_small_gap_to_target():
    got = crowd([("Gap", [73.0, 73.5], "past_due"), ("Fall", [90.0, 74.7], None)])
    assert [r.name for r in got.needs_attention] == ["Fall Rep", "Gap Rep"]
    assert got.needs_attention[0].attention[0].points == pytest.approx(15.3)


def test_the_shortlist_is_capped_and_never_holds_a_low_severity_only_rep():
    specs: list[tuple[str, list[float], str | None]] = [
        (f"Fall{i}", [95.0, 80.0 - i], None) for i in range(7)]
    specs += [("Once", [60.0], None), ("Slip", [80.0, 73.0], None)]
    got = crowd(specs)
    ordered = got.needs_attention
    short = attention.shortlist(ordered)
    assert len(short) == attention.MAX_SHORTLIST == 5 and got.shortlist == short
    assert [r.name for r in short] == [f"Fall{i} Rep" for i in range(6, 1, -1)]  # biggest falls
    rest = attention.watchlist(ordered)
    assert {r.name for r in rest} == {"Fall0 Rep", "Fall1 Rep", "Once Rep", "Slip Rep"}
    # Every high-severity rep left off is left off by the cap: the shortlist is full of reps
    # at least as severe.
    for rep in rest:
        if rep.severity == 3:
            assert len(short) == attention.MAX_SHORTLIST
            assert all(s.severity >= rep.severity for s in short)
    alone = crowd([("Once", [60.0], None), ("Twice", [70.0, 71.0], None)])
    assert [r.name for r in alone.needs_attention] == ["Once Rep"]
    assert attention.shortlist(alone.needs_attention) == ()
    assert attention.talking_point(alone.needs_attention[0]) == "Only one valid attempt"
