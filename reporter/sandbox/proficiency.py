"""Skill proficiency computed from the sandbox's own sessions, by the documented definition.

The spec's words: time-decay weighted scoring across all observations (roleplay sessions and
calls combined), a 30-day half-life, at least 3 observations before a score is calculated,
tiers excellent >= 90, proficient >= 75, developing >= 50, needs_work below,
insufficient_data under 3 observations, ``end_date`` for "as of". The choices it leaves open,
which the sandbox makes and documents here:

- an observation of a skill is a valid, scored session on a scenario that evaluates the skill
  (archived scenarios too: they are history), created on or before the as-of moment; its score
  is the session's score. The sandbox has no calls, and its lookback window is its whole
  history (six months);
- a session ``d`` days before the as-of moment weighs ``0.5 ** (d / 30)`` (``d`` fractional);
  the score is the weighted mean, rounded to one decimal, and the tier is read from the rounded
  score (``reporter.ranks.tier_for``), so a shown 90.0 is excellent;
- the as-of moment is ``end_date`` (a bare date: the end of that day), by default the end of
  the workspace's today, so answers do not depend on the clock;
- per skill, entries are ordered by email (case-folded), then user id;
- the summary (``GET /skills?include=proficiency``) covers workspace members as of today:
  ``pct_proficient_plus`` is the share of scored members at proficient or excellent, rounded
  half up to a whole percent (0 with nobody scored), ``avg_score`` their mean score to one
  decimal (None with nobody scored).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from reporter.ranks import MIN_OBSERVATIONS, PROFICIENT_TIERS, Tier, tier_for
from reporter.sandbox.model import SandboxSession, SandboxSkill, SandboxWorkspace, iso

HALF_LIFE_DAYS = 30.0


@dataclass(frozen=True)
class Proficiency:
    user_id: str
    score: float | None
    tier: Tier
    observation_count: int
    last_practiced_at: dt.datetime

    def to_json(self, user_ref: dict[str, Any]) -> dict[str, Any]:
        return {"user": user_ref, "score": self.score, "tier": self.tier,
                "observation_count": self.observation_count,
                "last_practiced_at": iso(self.last_practiced_at)}


def decayed_score(observations: Iterable[tuple[dt.datetime, float]],
                  as_of: dt.datetime) -> float | None:
    """The time-decayed mean of (moment, score) pairs, one decimal; None without any."""
    total = weights = 0.0
    for moment, score in observations:
        age_days = (as_of - moment).total_seconds() / 86400
        weight = 0.5 ** (age_days / HALF_LIFE_DAYS)
        total += weight * score
        weights += weight
    return round(total / weights, 1) if weights else None


def observations(ws: SandboxWorkspace, skill: SandboxSkill,
                 as_of: dt.datetime) -> dict[str, list[SandboxSession]]:
    """user id -> the user's observations of ``skill`` up to ``as_of``, oldest first."""
    scenario_ids = {s.id for s in ws.scenarios if any(k.id == skill.id for k in s.skills)}
    found: dict[str, list[SandboxSession]] = {}
    for session in ws.sessions:
        if (session.scenario_id in scenario_ids and session.is_valid_attempt
                and session.score is not None and session.created_at <= as_of):
            found.setdefault(session.user_id, []).append(session)
    return found


def proficiency(ws: SandboxWorkspace, skill: SandboxSkill, as_of: dt.datetime,
                users: set[str] | None = None) -> list[Proficiency]:
    """One entry per user with an observation (among ``users``, or the workspace's members
    when None), ordered by email then id."""
    wanted = users if users is not None else {u.id for u in ws.members}
    entries = []
    for user_id, own in observations(ws, skill, as_of).items():
        if user_id not in wanted:
            continue
        count = len(own)
        score = (decayed_score(((s.created_at, s.score or 0.0) for s in own), as_of)
                 if count >= MIN_OBSERVATIONS else None)
        entries.append(Proficiency(user_id, score, tier_for(score, count), count,
                                   max(s.created_at for s in own)))
    entries.sort(key=lambda p: (ws.users_by_id[p.user_id].email.casefold(), p.user_id))
    return entries


def default_as_of(ws: SandboxWorkspace) -> dt.datetime:
    """The end of the workspace's today: the sandbox's "now"."""
    midnight = dt.datetime.combine(ws.today + dt.timedelta(days=1), dt.time(), dt.UTC)
    return midnight - dt.timedelta(microseconds=1)  # as ``end_date=<today>`` reads


def summary(entries: list[Proficiency]) -> dict[str, Any]:
    scored = [p for p in entries if p.score is not None]
    strong = sum(1 for p in scored if p.tier in PROFICIENT_TIERS)
    return {
        "participant_count": len(entries),
        "scored_participant_count": len(scored),
        "pct_proficient_plus": math.floor(100 * strong / len(scored) + 0.5) if scored else 0,
        "avg_score": (round(sum(p.score or 0.0 for p in scored) / len(scored), 1)
                      if scored else None),
    }
