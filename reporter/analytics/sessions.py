"""A rep's sessions as the analytics read them: each with its Attempt, oldest first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from reporter.analytics.figures import finite, text, utc
from reporter.exec_api.models import EvaluationItem, SessionDetail
from reporter.ranks import rank_for
from reporter.views import Attempt


@dataclass(frozen=True)
class Session:
    """One session of the snapshot, with its Attempt and its place in time order."""

    detail: SessionDetail
    attempt: Attempt
    order: int  # position after sorting: the tie-breaker for equal timestamps

    @property
    def valid(self) -> bool:
        return self.attempt.is_valid


def attempt_of(session: SessionDetail) -> Attempt:
    """A session as an Attempt.

    Valid: the API says ``is_valid_attempt`` AND the score is known (``is_graded``): a valid
    attempt without a score cannot be first, best or latest. The rank is the API's when it
    gave one (what the rep saw in the product), else derived from the score. A negative
    duration is unknown.
    """
    score = finite(session.score)
    duration = finite(session.duration_seconds)
    return Attempt(
        session_id=session.id,
        created_at=utc(session.created_at),
        score=score,
        rank=session.rank or rank_for(score),
        duration_minutes=duration / 60.0 if duration is not None and duration >= 0 else None,
        is_valid=session.is_graded,
        outcome=text(session.outcome_feedback),
        positive=text(session.positive_feedback),
        constructive=text(session.constructive_feedback),
    )


def in_time_order(sessions: Sequence[SessionDetail]) -> list[Session]:
    """The rep's sessions, oldest first (stable: the snapshot's order breaks ties)."""
    parsed = sorted(((attempt_of(s), s) for s in sessions), key=lambda p: p[0].created_at)
    return [Session(detail=s, attempt=a, order=i) for i, (a, s) in enumerate(parsed)]


def rubric_columns(sessions: Sequence[Session]) -> list[Session]:
    """Heatmap columns: the valid sessions that carry evaluations (non-empty), oldest first."""
    return [s for s in sessions if s.valid and s.detail.evaluations]


def items(session: Session) -> Iterator[tuple[tuple[str, str], EvaluationItem]]:
    """((criterion, item), item) for every evaluated item in the session, in order.

    A criterion or item without a name is shown as "(unnamed)": the row still holds real
    grades, and dropping it would hide them.
    """
    for criterion in session.detail.evaluations or ():
        cname = text(criterion.criterion_name) or "(unnamed)"
        for item in criterion.items:
            yield (cname, text(item.name) or "(unnamed)"), item
