"""Exec's ranks, grades and skill tiers: the one definition every stage (and the sandbox) uses.

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


Tier = Literal["excellent", "proficient", "developing", "needs_work", "insufficient_data"]

TIERS: tuple[Tier, ...] = ("excellent", "proficient", "developing", "needs_work",
                           "insufficient_data")
#: Skill proficiency tiers published by Exec (score >= threshold), best first; below the last
#: is ``needs_work``, and fewer than MIN_OBSERVATIONS observations is ``insufficient_data``.
TIER_THRESHOLDS: tuple[tuple[Tier, float], ...] = (("excellent", 90.0), ("proficient", 75.0),
                                                   ("developing", 50.0))
MIN_OBSERVATIONS = 3
PROFICIENT_TIERS: frozenset[Tier] = frozenset({"excellent", "proficient"})


def tier_for(score: float | None, observations: int) -> Tier:
    """Exec's proficiency tier: ``insufficient_data`` under MIN_OBSERVATIONS observations (or
    without a score), else excellent >= 90, proficient >= 75, developing >= 50, needs_work."""
    if score is None or observations < MIN_OBSERVATIONS:
        return "insufficient_data"
    for tier, threshold in TIER_THRESHOLDS:
        if score >= threshold:
            return tier
    return "needs_work"
