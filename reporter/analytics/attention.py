"""Who needs a 1:1 and why: one rule set, defined once, read by the team report, the workbook
and the manager's digest.

Each rule gives a rep zero or one reason with a severity (3 high, 2 medium, 1 low):

    past_due_no_attempt  3  the assignment is past due and the rep has no valid attempt
    below_target         2  below the assignment's required rank (3 once it is past due)
    declined             2  latest valid score DECLINE_POINTS (figures) or more below the best
                            (3 from BIG_DROP_POINTS: a fall a manager should hear about)
    below_last_period    1  best below the previous period's best (2 from DECLINE_POINTS)
    no_session           2  no session at all in the period
    inactive             1  sessions, but none in the last INACTIVE_DAYS of the period
    one_attempt          1  only one valid attempt: no progress to read yet

Reps are ordered by their most severe reason, then by how far below target they are
(points short, then no valid attempt counts as furthest), then by the number of reasons,
then by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from reporter.analytics.figures import DECLINE_POINTS
from reporter.format import fmt_day, fmt_point_count, fmt_rank, fmt_score
from reporter.views import AttentionReason, Comparison, PeriodInfo, RepView

#: A fall from the best this large is high severity.
BIG_DROP_POINTS = 10.0
#: No practice in this many days before the period's end (or today, if sooner) is inactive.
INACTIVE_DAYS = 14

REASONS: dict[str, str] = {
    "past_due_no_attempt": "past due, no valid attempt",
    "below_target": "below the required rank",
    "declined": "latest well below best",
    "below_last_period": "best below last period's",
    "no_session": "no session",
    "inactive": "no recent practice",
    "one_attempt": "one valid attempt",
}


def reasons_for(rep: RepView, period: PeriodInfo, now: datetime) -> tuple[AttentionReason, ...]:
    """The rep's reasons, most severe first (see the module docstring for the rules)."""
    out: list[AttentionReason] = []
    plan = rep.coaching
    target = plan.target
    if target is not None and target.past_due and not rep.has_valid_attempt:
        due = f" since {fmt_day(target.due)}" if target.due else ""
        out.append(AttentionReason("past_due_no_attempt", 3,
                                   f"Past due{due}, no valid attempt"))
    elif target is not None and target.points_short is not None and rep.has_valid_attempt:
        short = (f", {fmt_point_count(target.points_short)} short"
                 if target.points_short is not None else "")
        out.append(AttentionReason(
            "below_target", 3 if target.past_due else 2,
            f"Below {fmt_rank(target.required_rank)}{short}"
            + (" (past due)" if target.past_due else "")))
    if plan.decline is not None:
        out.append(AttentionReason(
            "declined", 3 if plan.decline.drop >= BIG_DROP_POINTS - 1e-9 else 2,
            f"Latest {fmt_score(plan.decline.latest)}, {fmt_score(plan.decline.drop)} "
            "below best"))
    if _below_last_period(rep.comparison):
        assert rep.comparison is not None and rep.comparison.change is not None
        out.append(AttentionReason(
            "below_last_period", 2 if -rep.comparison.change >= DECLINE_POINTS - 1e-9 else 1,
            f"Best {fmt_score(rep.best_score)}, {fmt_score(-rep.comparison.change)} below "
            f"{rep.comparison.period_title}"))
    if rep.session_count == 0:
        out.append(AttentionReason("no_session", 2, "No session in the period"))
    elif rep.last_practised is not None:
        until = min(period.end, now)
        if rep.last_practised < until - timedelta(days=INACTIVE_DAYS):
            out.append(AttentionReason(
                "inactive", 1, f"No practice since {fmt_day(rep.last_practised)}"))
    if rep.valid_count == 1:
        out.append(AttentionReason("one_attempt", 1, "Only one valid attempt"))
    out.sort(key=lambda r: -r.severity)
    return tuple(out)


def _below_last_period(comparison: Comparison | None) -> bool:
    """Below by at least the 0.1 point a score is written with, so a "−0.0" never counts."""
    return (comparison is not None and comparison.change is not None
            and comparison.change <= -0.05)


def attention_order(reps: Sequence[RepView]) -> tuple[RepView, ...]:
    """The reps with at least one reason, most urgent first."""
    def short(rep: RepView) -> float:
        target = rep.coaching.target
        if target is None:
            return 0.0
        if target.past_due and not rep.has_valid_attempt:
            return float("inf")
        return target.points_short or 0.0

    listed = [r for r in reps if r.attention]
    return tuple(sorted(listed, key=lambda r: (-r.severity, -short(r), -len(r.attention),
                                               r.name.casefold(), r.email)))
