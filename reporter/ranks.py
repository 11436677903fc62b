"""Exec's ranks and grades: the one definition every stage (and the sandbox) uses.

The API publishes the thresholds (gold >= 90, silver >= 75, bronze >= 50, else unranked, by
score); wherever reporter computes a score itself (averages, the cohort distribution) or the
API gave a score without its rank, the rank comes from here.
"""

from __future__ import annotations

from typing import Literal

Rank = Literal["gold", "silver", "bronze", "unranked"]
Grade = Literal["good", "mid", "bad", "not_relevant"]

RANKS: tuple[Rank, ...] = ("gold", "silver", "bronze", "unranked")
GRADES: tuple[Grade, ...] = ("good", "mid", "bad", "not_relevant")
#: Rank thresholds published by Exec (score >= threshold), best first.
RANK_THRESHOLDS: tuple[tuple[Rank, float], ...] = (("gold", 90.0), ("silver", 75.0),
                                                   ("bronze", 50.0))


def rank_for(score: float | None) -> Rank | None:
    """Exec's rank for a score: gold >= 90, silver >= 75, bronze >= 50, else unranked.

    None for an unknown score.
    """
    if score is None:
        return None
    for rank, threshold in RANK_THRESHOLDS:
        if score >= threshold:
            return rank
    return "unranked"
