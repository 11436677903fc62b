"""Cohort figures: the whole scenario's (summary and participants endpoints) and the selected
reps' weekly activity and rubric."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from reporter.analytics.figures import finite, mean
from reporter.exec_api.models import ScenarioAnalyticsSummary, ScenarioParticipantEntry
from reporter.ranks import RANKS, rank_for
from reporter.views import Attempt, CohortFigures, CohortView, RankCount, RepView, WeekPoint


def api_figures(summary: ScenarioAnalyticsSummary | None) -> CohortFigures:
    """The analytics summary endpoint's figures as reported (each None when null)."""
    s = summary or ScenarioAnalyticsSummary()
    return CohortFigures(
        participant_count=s.participant_count,
        total_sessions=s.total_sessions,
        average_best_score=finite(s.average_best_score),
        average_best_rank=s.average_best_rank,
        average_lift=finite(s.average_lift_percentage),
        total_practice_minutes=finite(s.total_practice_minutes),
        average_session_duration_seconds=finite(s.average_session_duration_seconds),
    )


def _unique(participants: Sequence[ScenarioParticipantEntry]) -> list[ScenarioParticipantEntry]:
    """Each user id once (its first entry)."""
    seen: set[str] = set()
    out = []
    for p in participants:
        if p.user.id not in seen:
            seen.add(p.user.id)
            out.append(p)
    return out


def computed_figures(participants: Sequence[ScenarioParticipantEntry]) -> CohortFigures:
    """The summary's figures recomputed from the participants endpoint (whole scenario).

    From participants rather than the snapshot's sessions, because the snapshot
    holds only the selected reps' sessions while the summary covers everyone:
    comparing like with like. participant_count: distinct user ids.
    average_best_score / average_lift: mean of the non-null best scores / lifts.
    total_sessions: sum of session counts. total_practice_minutes: total duration / 60.
    average_session_duration_seconds: total duration / total sessions. Each None when
    nothing to compute it from.
    """
    unique = _unique(participants)
    bests = [b for p in unique if (b := finite(p.best_score)) is not None]
    lifts = [v for p in unique if (v := finite(p.lift_percentage)) is not None]
    counts = [p.session_count for p in unique if p.session_count is not None]
    durations = [d for p in unique if (d := finite(p.total_duration_seconds)) is not None]
    total_sessions = sum(counts) if counts else None
    total_seconds = sum(durations) if durations else None
    avg_best = mean(bests)
    return CohortFigures(
        participant_count=len(unique),
        total_sessions=total_sessions,
        average_best_score=avg_best,
        average_best_rank=rank_for(avg_best),
        average_lift=mean(lifts),
        total_practice_minutes=total_seconds / 60.0 if total_seconds is not None else None,
        average_session_duration_seconds=(total_seconds / total_sessions
                                          if total_seconds is not None and total_sessions
                                          else None),
    )


def cohort_best_scores(participants: Sequence[ScenarioParticipantEntry]) -> tuple[float, ...]:
    """Every participant's best score (participants endpoint, non-null), ascending."""
    return tuple(sorted(b for p in _unique(participants)
                        if (b := finite(p.best_score)) is not None))


def _round_to_total(shares: Sequence[float], total: float, digits: int = 1) -> list[float]:
    """Round shares to ``digits`` decimals so that they add up to ``total`` exactly
    (largest remainder), so a distribution's percentages sum to 100.0, not 99.9."""
    unit = 10 ** digits
    scaled = [s * unit for s in shares]
    floors = [math.floor(s) for s in scaled]
    missing = round(total * unit) - sum(floors)
    order = sorted(range(len(shares)), key=lambda i: (-(scaled[i] - floors[i]), i))
    for i in order[:max(missing, 0)]:
        floors[i] += 1
    return [f / unit for f in floors]


def distribution(best_scores: Sequence[float]) -> tuple[RankCount, ...]:
    """Participants by the rank of their best score (rank_for), gold first, every rank
    listed; percentages to one decimal summing to exactly 100 (0 each when empty)."""
    counts = {rank: 0 for rank in RANKS}
    for score in best_scores:
        counts[rank_for(score) or "unranked"] += 1
    n = len(best_scores)
    if not n:
        return tuple(RankCount(rank, 0, 0.0) for rank in RANKS)
    pct = _round_to_total([100.0 * counts[r] / n for r in RANKS], 100.0)
    return tuple(RankCount(rank, counts[rank], p) for rank, p in zip(RANKS, pct, strict=True))


def week_start(moment: datetime) -> datetime:
    """The Monday 00:00 UTC that starts ``moment``'s ISO week."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly(reps: Sequence[RepView]) -> tuple[WeekPoint, ...]:
    """The selected reps' sessions per ISO week (Monday UTC), oldest first.

    sessions: every session that week; average_score: mean of that week's valid
    scores (None without one). Weeks with no session between the first and the
    last are included with 0 sessions, so a chart's x axis is time, not an index.
    """
    buckets: dict[datetime, list[Attempt]] = {}
    for rep in reps:
        for a in rep.attempts:
            buckets.setdefault(week_start(a.created_at), []).append(a)
    if not buckets:
        return ()
    out = []
    week, last = min(buckets), max(buckets)
    while week <= last:
        attempts = buckets.get(week, [])
        scores = [a.score for a in attempts if a.is_valid and a.score is not None]
        out.append(WeekPoint(week, len(attempts), mean(scores)))
        week += timedelta(days=7)
    return tuple(out)


def rubric_good_share(reps: Sequence[RepView]) -> dict[tuple[str, str], float]:
    """(criterion, item) -> good / (good + mid + bad) over all the selected reps' graded
    sessions, in first-seen order; items never graded good, mid or bad are left out."""
    totals: dict[tuple[str, str], list[int]] = {}
    for rep in reps:
        for row in rep.rubric:
            t = totals.setdefault((row.criterion, row.item), [0, 0])
            t[0] += row.good
            t[1] += row.good + row.mid + row.bad
    return {key: good / graded for key, (good, graded) in totals.items() if graded}


def build_cohort(summary: ScenarioAnalyticsSummary | None,
                 participants: Sequence[ScenarioParticipantEntry],
                 reps: Sequence[RepView]) -> CohortView:
    """Cohort figures: the whole scenario's plus the selected reps' weekly activity and rubric.

    average_best_score: the mean of the participants' best scores, falling back to
    the summary's figure when no participant has one.
    """
    api = api_figures(summary)
    computed = computed_figures(participants)
    best_scores = cohort_best_scores(participants)
    return CohortView(
        api=api,
        computed=computed,
        distribution=distribution(best_scores),
        best_scores=best_scores,
        average_best_score=(computed.average_best_score
                            if computed.average_best_score is not None
                            else api.average_best_score),
        weekly=weekly(reps),
        rubric_good_share=rubric_good_share(reps),
    )
