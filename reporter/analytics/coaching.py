"""The coaching plan: the one next step, strengths, focus areas, moments, target and decline.

Computed once per rep, here; the PDF's first and second pages, the workbook, the CSV files and
the email all read the same ``CoachingPlan``, so no two of them can advise different things.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from reporter.analytics import figures
from reporter.analytics.figures import DECLINE_POINTS, NEAR_RANK_POINTS, normalise_quote
from reporter.analytics.moments import moments_worth_quoting
from reporter.analytics.rubric import WEAK_GRADES, patterns
from reporter.exec_api.models import Assignment
from reporter.ranks import RANK_THRESHOLDS
from reporter.views import (
    Attempt,
    CoachingPlan,
    Decline,
    ItemRow,
    Moment,
    NextStep,
    Pattern,
    RankGap,
    Target,
)

_SALIENCE_ORDER = {"high": 0, "mid": 1, "low": 2}
_THRESHOLD: dict[str, float] = dict(RANK_THRESHOLDS)


def best_example(examples: Sequence[Moment], grades: tuple[str, ...]) -> Moment | None:
    """The example to build the step on: one with a suggested phrasing first, then the most
    salient, then bad before mid, then the newest."""
    def key(pair: tuple[int, Moment]) -> tuple[Any, ...]:
        index, m = pair
        return (0 if m.suggestion else 1, _SALIENCE_ORDER.get(m.salience or "", 3),
                0 if m.grade == "bad" else 1, -m.created_at.timestamp(), index)

    fitting = [(i, m) for i, m in enumerate(examples) if m.grade in grades]
    return min(fitting, key=key)[1] if fitting else None


def _step_item(rubric: Sequence[ItemRow], strengths: Sequence[Pattern],
               focus: Sequence[Pattern]) -> tuple[str, tuple[str, str]] | None:
    """(kind, (criterion, item)) the next step is about; see ``next_step``."""
    if focus:
        return "focus", (focus[0].criterion, focus[0].item)
    weak = [(row.mid + row.bad, row.bad, -order, row) for order, row in enumerate(rubric)
            if row.mid + row.bad]
    if weak:
        row = max(weak, key=lambda t: t[:3])[3]
        return "polish", (row.criterion, row.item)
    if strengths:
        return "keep", (strengths[0].criterion, strengths[0].item)
    return None


def next_step(rubric: Sequence[ItemRow], strengths: Sequence[Pattern],
              focus: Sequence[Pattern], examples: Sequence[Moment]) -> NextStep | None:
    """The one thing for next time, by one rule.

    The item: the first focus area ("focus"); with none, the item graded mid or bad most
    often (then bad most often, then first in the rubric: "polish"); when nothing was ever
    graded mid or bad, the top strength ("keep"). Only a rep with no graded item gets none.

    On that item, the feedback example (valid sessions only) whose grade fits the kind
    (mid or bad; good for "keep") with a suggested phrasing, else the most salient, bad
    before mid, newest. With a suggestion, the step is said / try instead / why. Without
    one (source "feedback") it falls back to the evaluator's feedback: the example's, else
    the item's latest feedback from a session with a fitting grade.
    """
    chosen = _step_item(rubric, strengths, focus)
    if chosen is None:
        return None
    kind, key = chosen
    grades: tuple[str, ...] = ("good",) if kind == "keep" else WEAK_GRADES
    row = next(r for r in rubric if (r.criterion, r.item) == key)
    example = best_example([m for m in examples if (m.criterion, m.item) == key], grades)
    fallback = row.good_feedback if kind == "keep" else row.weak_feedback
    why = (example.feedback if example else None) or (fallback.text if fallback else None)
    at: datetime | None = example.created_at if example else (fallback.at if fallback else None)
    return NextStep(
        kind=kind,
        source="suggestion" if example and example.suggestion else "feedback",
        criterion=key[0], item=key[1],
        grade=example.grade if example else (fallback.grade if fallback else None),
        said=example.quote if example else None,
        try_instead=example.suggestion if example else None,
        why=why, at=at,
        session_id=example.session_id if example else None,
    )


def quoted_moments(step: NextStep | None, examples: Sequence[Moment]) -> tuple[Moment, ...]:
    """The moments for "Moments that mattered": the next step's own moment first, then
    ``moments_worth_quoting`` of the rest, MAX_MOMENTS in all, no quote twice."""
    lead = next((m for m in examples if step and step.said is not None
                 and m.session_id == step.session_id and m.quote == step.said
                 and (m.criterion, m.item) == (step.criterion, step.item)), None)
    rest = moments_worth_quoting(examples)
    if lead is None:
        return rest
    seen = normalise_quote(lead.quote)
    others = [m for m in rest if normalise_quote(m.quote) != seen]
    return (lead, *others)[:figures.MAX_MOMENTS]


def target_for(assignment: Assignment | None, best: float | None) -> Target | None:
    """The assignment's target, as the API tracks it.

    The assignment's best is the higher of the API's ``best_score`` for the assignment (it
    may come from before the period) and the rep's best in the period. met: the API says
    "completed", or that best reaches the required rank's threshold (None when no rank is
    required and the assignment is not completed); points_short: threshold - best when not
    met (None without a best). past_due: the API says "past_due".
    """
    if assignment is None:
        return None
    required = assignment.rank_min
    threshold = _THRESHOLD.get(required or "")
    known = [b for b in (figures.finite(assignment.best_score), best) if b is not None]
    top = max(known, default=None)
    met: bool | None = None
    if assignment.status == "completed":
        met = True
    elif threshold is not None:
        met = top is not None and top >= threshold
    short = (threshold - top if met is False and threshold is not None and top is not None
             else None)
    return Target(status=assignment.status, required_rank=required,
                  due=figures.utc(assignment.due_date) if assignment.due_date else None,
                  met=met, points_short=short, past_due=assignment.status == "past_due",
                  earlier_best=top if top is not None and top != best else None)


def decline_for(best: Attempt | None, latest: Attempt | None) -> Decline | None:
    """A decline: the latest valid score is DECLINE_POINTS or more below the best."""
    if best is None or latest is None or best.score is None or latest.score is None:
        return None
    drop = best.score - latest.score
    return Decline(best.score, latest.score, drop) if drop >= DECLINE_POINTS - 1e-9 else None


def rank_gap(best: float | None) -> RankGap | None:
    """The next rank up, when the best score is within NEAR_RANK_POINTS of its threshold."""
    if best is None:
        return None
    above = [(rank, t) for rank, t in RANK_THRESHOLDS if t > best]
    if not above:
        return None
    rank, threshold = above[-1]
    gap = threshold - best
    return RankGap(rank, gap) if gap <= NEAR_RANK_POINTS + 1e-9 else None


def coaching_plan(rubric: Sequence[ItemRow], examples: Sequence[Moment],
                  best: Attempt | None, latest: Attempt | None,
                  assignment: Assignment | None) -> CoachingPlan:
    """The rep's coaching plan. ``examples``: the valid sessions' feedback examples."""
    strengths, focus = patterns(rubric)
    step = next_step(rubric, strengths, focus, examples)
    best_score = best.score if best else None
    return CoachingPlan(
        next_step=step,
        strengths=strengths,
        focus_areas=focus,
        moments=quoted_moments(step, examples),
        target=target_for(assignment, best_score),
        decline=decline_for(best, latest),
        rank_gap=rank_gap(best_score),
    )
