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
from reporter.i18n import gettext, ngettext
from reporter.i18n import sentences as join_sentences
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
    # Translators: a score with its rank, "76.0 (Silver)".
    return gettext("%(score)s (%(rank)s)", score=fmt_score(rep.best_score),
                   rank=fmt_rank(rep.best_rank))


def headline(rep: RepView, period: PeriodInfo, way: str | None, hint: RankGap | None,
             plan: CoachingPlan, with_percentile: bool) -> str:
    """Page 1's first sentence (and the email's): how the rep did, in the verdict's terms.

    Slipping leads with the fall and may still credit the best; "improved" is said only of
    an improving rep; one attempt gets no direction; the percentile closes the sentence only
    once there are two valid attempts; the next-rank hint is left to the target line when
    that line already says how far the required rank is.

    Each sentence is one message (``%(name)s`` is the rep's first name, ``%(best)s`` a score
    with its rank, "76.0 (Silver)"); the hint and the percentile are sentences of their own.
    """
    name = rep.first_name
    if not rep.has_valid_attempt:
        if period.finished:
            # Translators: %(period)s is the report's period ("October 2026", or "Oct 3, 2026
            # to Oct 20, 2026"), which has ended.
            return gettext("%(name)s, you have no valid attempt at this scenario in %(period)s.",
                           name=name, period=period.prose)
        # Translators: %(period)s is the report's period ("October 2026"), still running.
        return gettext("%(name)s, you have no valid attempt at this scenario in %(period)s yet.",
                       name=name, period=period.prose)
    first, best, latest = rep.first_score, rep.best_score, rep.latest_score
    lift = rep.lift or 0.0
    if way is None:
        text = gettext("%(name)s, your first valid attempt scored %(best)s. A second attempt "
                       "will show how you are progressing.", name=name, best=_best(rep))
    elif way == "slipping" and not fell_from_best(best or 0.0, latest or 0.0):
        compared = rep.comparison  # below the previous period's best (module docstring)
        assert compared is not None and compared.change is not None
        # Translators: %(period)s is the report's period, %(best)s the rep's best in it
        # ("68.0 (Bronze)"), %(fall)s how far below ("3.2 points"), %(previous)s the previous
        # period ("September 2026"), %(previous_best)s the best then, %(latest)s the latest score.
        text = gettext("%(name)s, your best in %(period)s, %(best)s, is %(fall)s below your "
                       "best in %(previous)s, %(previous_best)s; your latest scored %(latest)s.",
                       name=name, period=period.prose, best=_best(rep),
                       fall=fmt_point_count(-compared.change), previous=compared.period_title,
                       previous_best=fmt_score(compared.previous_best),
                       latest=fmt_score(latest))
    elif way == "slipping":
        assert best is not None and latest is not None
        fall = fmt_point_count(best - latest)
        if lift > 0:
            # Translators: %(lift)s and %(fall)s are distances ("4.0 points"), %(best)s a
            # score with its rank ("76.0 (Silver)"), %(latest)s a score.
            text = gettext("%(name)s, your best rose %(lift)s to %(best)s, but your latest, "
                           "%(latest)s, is %(fall)s below it.", name=name,
                           lift=fmt_point_count(lift), best=_best(rep),
                           latest=fmt_score(latest), fall=fall)
        else:
            text = gettext("%(name)s, your best of %(best)s came on your first valid attempt, "
                           "and your latest, %(latest)s, is %(fall)s below it.", name=name,
                           best=_best(rep), latest=fmt_score(latest), fall=fall)
    elif way == "improving":
        # Translators: %(lift)s is a distance ("4.0 points"), %(first)s the first score,
        # %(best)s the best with its rank ("76.0 (Silver)"), %(num)s the valid attempts.
        text = ngettext("%(name)s, you improved by %(lift)s, from %(first)s to a best of "
                        "%(best)s, over %(num)s valid attempt.",
                        "%(name)s, you improved by %(lift)s, from %(first)s to a best of "
                        "%(best)s, over %(num)s valid attempts.", rep.valid_count,
                        name=name, lift=fmt_point_count(lift), first=fmt_score(first),
                        best=_best(rep))
    elif lift > 0:
        text = gettext("%(name)s, you are holding steady: your best of %(best)s is %(lift)s "
                       "above your first valid attempt, and your latest scored %(latest)s.",
                       name=name, best=_best(rep), lift=fmt_point_count(lift),
                       latest=fmt_score(latest))
    else:
        text = gettext("%(name)s, you are holding steady: your best of %(best)s came on your "
                       "first valid attempt, and your latest scored %(latest)s.",
                       name=name, best=_best(rep), latest=fmt_score(latest))
    target = plan.target
    said_by_target = (hint is not None and target is not None and target.points_short is not None
                      and target.required_rank == hint.rank)
    sentences = [text]
    if hint is not None and not said_by_target:
        # Translators: %(gap)s is "0.4 points from Silver".
        sentences.append(gettext("Your best is %(gap)s.", gap=fmt_rank_gap(hint)))
    if with_percentile:
        # Translators: %(ordinal)s is an ordinal number ("62nd").
        sentences.append(gettext("That puts you in the %(ordinal)s percentile of the cohort.",
                                 ordinal=fmt_ordinal(rep.percentile)))
    return join_sentences(*sentences)


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
