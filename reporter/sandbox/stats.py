"""Scenario analytics computed from the sandbox's own sessions, by the documented definitions.

Definitions (the spec's, plus the choices it leaves open, which the sandbox documents here):

- Only valid attempts count (``is_valid_attempt``); filters (users, groups, dates, system users)
  apply first, so "first score" is the earliest valid attempt *within the filtered window*.
- Per participant: ``first_score`` is the earliest valid attempt's score (ties broken by session
  id), ``best_score`` the highest, ``lift_percentage`` = best - first in points,
  ``session_count`` the number of valid attempts, ``total_duration_seconds`` their summed
  duration. Ranks come from scores: gold >= 90, silver >= 75, bronze >= 50, else unranked.
- Summary: ``participant_count`` users with a valid attempt, ``total_sessions`` valid attempts,
  averages over participants (best score, lift) or valid attempts (duration), rounded to one
  decimal; ``total_practice_minutes`` = round(total seconds / 60); ``average_best_rank`` is the
  rank of the rounded average best score; the distribution counts participants by best rank, in
  the order gold, silver, bronze, unranked, with percentages of participants to one decimal.
  With no participants every number is 0 and the average rank is "unranked".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reporter.ranks import RANKS, rank_for
from reporter.sandbox.model import SandboxSession


@dataclass(frozen=True)
class Participant:
    user_id: str
    session_count: int
    first_score: float
    best_score: float
    total_duration_seconds: float

    @property
    def lift(self) -> float:
        return round(self.best_score - self.first_score, 1)

    def to_json(self, user_ref: dict[str, Any]) -> dict[str, Any]:
        return {
            "user": user_ref,
            "session_count": self.session_count,
            "first_score": self.first_score,
            "first_rank": rank_for(self.first_score),
            "best_score": self.best_score,
            "best_rank": rank_for(self.best_score),
            "lift_percentage": self.lift,
            "total_duration_seconds": self.total_duration_seconds,
        }

def participants(sessions: Iterable[SandboxSession]) -> list[Participant]:
    """One entry per user with at least one valid, scored attempt, in first-seen order."""
    by_user: dict[str, list[SandboxSession]] = {}
    for session in sessions:
        if session.is_valid_attempt and session.score is not None:
            by_user.setdefault(session.user_id, []).append(session)
    result = []
    for user_id, own in by_user.items():
        own.sort(key=lambda s: (s.created_at, s.id))
        result.append(Participant(
            user_id=user_id,
            session_count=len(own),
            first_score=own[0].score or 0.0,
            best_score=max(s.score or 0.0 for s in own),
            total_duration_seconds=sum(s.duration_seconds or 0 for s in own),
        ))
    return result

def summary(sessions: Iterable[SandboxSession]) -> dict[str, Any]:
    valid = [s for s in sessions if s.is_valid_attempt and s.score is not None]
    people = participants(valid)
    count = len(people)
    seconds = sum(s.duration_seconds or 0 for s in valid)
    average_best = round(sum(p.best_score for p in people) / count, 1) if count else 0.0
    distribution = []
    for rank in RANKS:
        at_rank = sum(1 for p in people if rank_for(p.best_score) == rank)
        distribution.append({"rank": rank, "count": at_rank,
                             "percentage": round(100 * at_rank / count, 1) if count else 0.0})
    return {
        "participant_count": count,
        "total_sessions": len(valid),
        "average_best_score": average_best,
        "average_best_rank": rank_for(average_best) if count else "unranked",
        "average_lift_percentage": (
            round(sum(p.best_score - p.first_score for p in people) / count, 1) if count else 0.0
        ),
        "total_practice_minutes": round(seconds / 60),
        "average_session_duration_seconds": round(seconds / len(valid), 1) if valid else 0.0,
        "score_distribution": distribution,
    }
