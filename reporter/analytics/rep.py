"""One rep's view: every figure, the rubric, the moments and the transcript, built once."""

from __future__ import annotations

from dataclasses import dataclass, replace

from reporter.analytics.coaching import coaching_plan
from reporter.analytics.cohort import cohort_best_scores
from reporter.analytics.crosscheck import participants_by_id, rep_disagreements
from reporter.analytics.figures import (
    best_attempt,
    display_name,
    finite,
    first_attempt,
    last_practised,
    latest_attempt,
    lift,
    percentile,
    period_title,
    practice_minutes,
    text,
    utc,
)
from reporter.analytics.moments import choose_transcript, examples
from reporter.analytics.period import report_period
from reporter.analytics.rubric import build_rubric
from reporter.analytics.sessions import in_time_order, rubric_columns
from reporter.analytics.verdict import verdict_for
from reporter.cohort.snapshot import RepRecord, Snapshot, assignment_for
from reporter.exec_api.models import ScenarioParticipantEntry
from reporter.names import rep_slug
from reporter.ranks import RANKS, rank_for
from reporter.views import Comparison, PeriodInfo, RepView


@dataclass(frozen=True)
class RepContext:
    """What every rep's view needs from the snapshot's header (which may hold no reps yet):
    the scenario, the population for percentiles, the participants entries to cross-check
    with, and the previous period's (None when no comparison was made)."""

    scenario_id: str
    cohort_best_scores: tuple[float, ...]
    participants: dict[str, ScenarioParticipantEntry]
    previous: dict[str, ScenarioParticipantEntry] | None = None
    previous_period: tuple[str, str] | None = None  # (label, title)
    # The period the verdict's sentences speak of ("in October 2026", "yet" while it runs).
    period: PeriodInfo | None = None


def rep_context(snapshot: Snapshot, period: PeriodInfo | None = None) -> RepContext:
    """The context of a scenario run's snapshot (one scenario: a program's ``part``);
    ``period``: the report's (``analytics.report_period``), derived from the snapshot when
    not given."""
    part = snapshot.scenarios[0]
    previous = part.previous
    if period is None:
        period = report_period(snapshot)
    return RepContext(
        part.scenario.id,
        cohort_best_scores(part.participants), participants_by_id(part.participants),
        participants_by_id(previous.participants) if previous else None,
        (previous.period.label, period_title(previous.period.label, utc(previous.period.start),
                                             utc(previous.period.end))) if previous else None,
        period)


def comparison(best: float | None, rank: str | None,
               context: RepContext, user_id: str) -> Comparison | None:
    """The rep against the previous period: its best score from the participants endpoint.

    A rep with a best score now and none then is new (is_new), never compared with zero; a
    rep with a best then and none now is not new; a rep with none in either period is
    neither new nor compared (is_new None: nothing to call new or not). change: best - previous
    best; rank_change: how many ranks up (negative: down), both None when unknown.
    """
    if context.previous is None or context.previous_period is None:
        return None
    entry = context.previous.get(user_id)
    before = finite(entry.best_score) if entry else None
    before_rank = rank_for(before)
    change = best - before if best is not None and before is not None else None
    steps = None
    if rank in RANKS and before_rank in RANKS:
        steps = RANKS.index(before_rank) - RANKS.index(rank)
    label, title = context.previous_period
    return Comparison(period_label=label, period_title=title, previous_best=before,
                      previous_rank=before_rank, change=change, rank_change=steps,
                      is_new=(None if before is None and best is None
                              else before is None and best is not None),
                      current_title=context.period.prose if context.period else "")


def build_rep(rep: RepRecord, context: RepContext) -> RepView:
    """Every figure of one rep.

    Usable alone, so that a rep's PDF can render as soon as their sessions are in. The
    percentile is of the best score among the participants endpoint's best scores (None
    when the rep has no best score or the population is empty). The coaching plan is
    ``reporter.analytics.coaching``'s. The rep's warnings are the
    cross-check disagreements with the participants endpoint.
    """
    user = rep.user
    email = (user.email or "").strip()
    name, first_name = display_name(user)
    assignment = assignment_for(rep.assignments, context.scenario_id)
    sessions = in_time_order(rep.sessions)
    attempts = tuple(s.attempt for s in sessions)
    valid = [a for a in attempts if a.is_valid]
    first, best, latest = first_attempt(valid), best_attempt(valid), latest_attempt(valid)
    population = context.cohort_best_scores
    best_score = best.score if best else None
    columns = rubric_columns(sessions)
    rubric = build_rubric(columns)
    valid_examples = [m for s in sessions if s.valid for m in examples(s)]
    view = RepView(
        user_id=user.id,
        email=email,
        name=name,
        first_name=first_name,
        slug=rep_slug(name, email or user.id),
        is_member=rep.is_member,
        groups=tuple(g for g in (text(x) for x in rep.groups) if g),
        assignment_status=text(assignment.status) if assignment else None,
        attempts=attempts,
        session_count=len(attempts),
        valid_count=len(valid),
        first_score=first.score if first else None,
        first_rank=first.rank if first else None,
        best_score=best_score,
        best_rank=best.rank if best else None,
        latest_score=latest.score if latest else None,
        latest_rank=latest.rank if latest else None,
        lift=lift(first, best, len(valid)),
        practice_minutes=practice_minutes(attempts),
        last_practised=last_practised(attempts),
        percentile=(percentile(best_score, population)
                    if best_score is not None and population else None),
        rubric_sessions=tuple(s.attempt for s in columns),
        rubric=rubric,
        coaching=coaching_plan(rubric, valid_examples, best, latest, assignment,
                               tuple(s.attempt for s in columns), attempts),
        feedback_examples=tuple(m for s in sessions for m in examples(s)),
        latest=latest,
        transcript=choose_transcript(sessions, best),
    )
    warnings = rep_disagreements(view, context.participants)
    view = replace(view, warnings=tuple(warnings),
                   comparison=comparison(best_score, view.best_rank, context, user.id))
    assert context.period is not None
    return replace(view, verdict=verdict_for(view, context.period))
