"""Our figures against the participants endpoint's: a disagreement says which number to doubt.

The endpoint computes first, best and lift from the same sessions, so a disagreement means a
session is missing from the snapshot or the API's definition changed: the report is still
produced, with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from reporter.analytics.figures import CROSS_CHECK_TOLERANCE, finite
from reporter.exec_api.models import ScenarioParticipantEntry
from reporter.views import RepView


def participants_by_id(
    participants: Sequence[ScenarioParticipantEntry],
) -> dict[str, ScenarioParticipantEntry]:
    """The first entry of each user id."""
    out: dict[str, ScenarioParticipantEntry] = {}
    for p in participants:
        out.setdefault(p.user.id, p)
    return out


def _fmt(value: float | None) -> str:
    return "none" if value is None else f"{value:.2f}".rstrip("0").rstrip(".")


def rep_disagreements(rep: RepView, by_id: Mapping[str, ScenarioParticipantEntry]) -> list[str]:
    """Where the rep's first, best or lift differ from the participants endpoint by > 0.01.

    A figure known on one side and null on the other is a disagreement, except a
    lift of 0 from the API where we have none (one valid attempt: the API may
    report 0 where we say "needs two attempts"). A rep with valid attempts and no
    participants entry is a disagreement too; a rep with none and no entry is not.
    """
    who = f"{rep.name} <{rep.email}>" if rep.email and rep.email != rep.name else rep.name
    entry = by_id.get(rep.user_id)
    if entry is None:
        if rep.valid_count and by_id:
            return [f"{who}: has {rep.valid_count} valid attempt(s) but is missing from the "
                    "scenario's participants analytics"]
        return []
    out = []
    checks = (("first score", rep.first_score, finite(entry.first_score)),
              ("best score", rep.best_score, finite(entry.best_score)),
              ("lift", rep.lift, finite(entry.lift_percentage)))
    for figure, ours, theirs in checks:
        if ours is None and theirs is None:
            continue
        if figure == "lift" and ours is None and theirs is not None and abs(theirs) <= 0.01:
            continue
        if (ours is None or theirs is None
                or abs(ours - theirs) > CROSS_CHECK_TOLERANCE + 1e-9):
            out.append(f"{who}: {figure} is {_fmt(ours)} from the sessions but "
                       f"{_fmt(theirs)} from the participants analytics")
    return out
