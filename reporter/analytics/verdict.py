"""One verdict per rep: the progress, the target and the sentence page 1 leads with, decided
once, so that no tile, caption, column or email can tell a different story.

Progress has one rule, over the valid attempts (oldest first):

    fewer than two valid attempts          no direction (one score shows no progress)
    latest <= best - DECLINE_POINTS        slipping  (whatever the best did before)
    best - first >= IMPROVE_POINTS         improving
    best below the previous period's best  slipping  (``figures.below_last_period``: the
                                                      manager's list flags it; never "holding")
    otherwise                              holding

Each sentence names what its figure is: "x points from <rank>" is said of the best ("Your
best is 2.6 points from Gold"), never after the latest alone; a fall below the previous period
names both periods.

The target is Exec's: met only when the assignment's status is ``completed``
(``coaching.target_for``); its line says what is left otherwise. The next-rank hint is
dropped where the target already settles that rank (met in Exec at or above it). No I/O.
"""

from __future__ import annotations

from reporter.analytics.figures import IMPROVE_POINTS, below_last_period, fell_from_best
from reporter.format import (
    fmt_ordinal,
    fmt_point_count,
    fmt_rank,
    fmt_rank_gap,
    fmt_score,
    fmt_target,
)
from reporter.ranks import RANKS
from reporter.views import (
    CoachingPlan,
    Comparison,
    PeriodInfo,
    RankGap,
    RepView,
    Target,
    Verdict,
)


def direction(valid_count: int, first: float | None, best: float | None,
              latest: float | None, comparison: Comparison | None = None) -> str | None:
    """The rep's direction by the module's rule; None with fewer than two valid attempts."""
    if valid_count < 2 or first is None or best is None or latest is None:
        return None
    if fell_from_best(best, latest):
        return "slipping"
    if best - first >= IMPROVE_POINTS - 1e-9:
        return "improving"
    if below_last_period(comparison):
        return "slipping"
    return "holding"


def _at_or_below(rank: str, required: str | None) -> bool:
    """Whether ``rank`` is the required rank or a lower one (RANKS is best first)."""
    return required in RANKS and rank in RANKS and RANKS.index(rank) >= RANKS.index(required)


def rank_hint(gap: RankGap | None, target: Target | None) -> RankGap | None:
    """The next rank within reach, unless Exec already counts the target met at or above
    that rank ("met" beside "4.4 points from Silver" is a contradiction)."""
    if gap is None:
        return None
    if target is not None and target.met and _at_or_below(gap.rank, target.required_rank):
        return None
    return gap


def _best(rep: RepView) -> str:
    return f"{fmt_score(rep.best_score)} ({fmt_rank(rep.best_rank)})"


def headline(rep: RepView, period: PeriodInfo, way: str | None, hint: RankGap | None,
             plan: CoachingPlan, with_percentile: bool) -> str:
    """Page 1's first sentence (and the email's): how the rep did, in the verdict's terms.

    Slipping leads with the fall and may still credit the best; "improved" is said only of
    an improving rep; one attempt gets no direction; the percentile closes the sentence only
    once there are two valid attempts; the next-rank hint is left to the target line when
    that line already says how far the required rank is.
    """
    name = rep.first_name
    if not rep.has_valid_attempt:
        tail = "" if period.finished else " yet"
        return f"{name}, you have no valid attempt at this scenario in {period.prose}{tail}."
    first, best, latest = rep.first_score, rep.best_score, rep.latest_score
    lift = rep.lift or 0.0
    if way is None:
        text = (f"{name}, your first valid attempt scored {_best(rep)}. A second attempt will "
                f"show how you are progressing.")
    elif way == "slipping" and not fell_from_best(best or 0.0, latest or 0.0):
        compared = rep.comparison  # below the previous period's best (module docstring)
        assert compared is not None and compared.change is not None
        text = (f"{name}, your best in {period.prose}, {_best(rep)}, is "
                f"{fmt_point_count(-compared.change)} below your best in "
                f"{compared.period_title}, {fmt_score(compared.previous_best)}; your latest "
                f"scored {fmt_score(latest)}.")
    elif way == "slipping":
        assert best is not None and latest is not None
        fall = fmt_point_count(best - latest)
        if lift > 0:
            text = (f"{name}, your best rose {fmt_point_count(lift)} to {_best(rep)}, but your "
                    f"latest, {fmt_score(latest)}, is {fall} below it.")
        else:
            text = (f"{name}, your best of {_best(rep)} came on your first valid attempt, and "
                    f"your latest, {fmt_score(latest)}, is {fall} below it.")
    elif way == "improving":
        text = (f"{name}, you improved by {fmt_point_count(lift)}, from {fmt_score(first)} to "
                f"a best of {_best(rep)}, over {rep.valid_count} valid attempts.")
    elif lift > 0:
        text = (f"{name}, you are holding steady: your best of {_best(rep)} is "
                f"{fmt_point_count(lift)} above your first valid attempt, and your latest "
                f"scored {fmt_score(latest)}.")
    else:
        text = (f"{name}, you are holding steady: your best of {_best(rep)} came on your first "
                f"valid attempt, and your latest scored {fmt_score(latest)}.")
    target = plan.target
    said_by_target = (hint is not None and target is not None and target.points_short is not None
                      and target.required_rank == hint.rank)
    if hint is not None and not said_by_target:
        text += f" Your best is {fmt_rank_gap(hint)}."
    if with_percentile:
        text += f" That puts you in the {fmt_ordinal(rep.percentile)} percentile of the cohort."
    return text


def verdict_for(rep: RepView, period: PeriodInfo) -> Verdict:
    """The rep's verdict, from the figures and the coaching plan already in ``rep``."""
    plan = rep.coaching
    way = direction(rep.valid_count, rep.first_score, rep.best_score, rep.latest_score,
                    rep.comparison)
    hint = rank_hint(plan.rank_gap, plan.target)
    # On day one a low percentile reads as a verdict on the person: only with a direction.
    with_percentile = rep.percentile is not None and way is not None
    return Verdict(
        direction=way,
        headline=headline(rep, period, way, hint, plan, with_percentile),
        target_line=fmt_target(plan.target, rep.best_score),
        rank_hint=hint,
        percentile_in_headline=with_percentile,
    )
