"""Who needs a 1:1 and why: one rule set, defined once, read by the team report, the workbook
and the manager's digest.

Each rule gives a rep zero or one reason with a severity (3 high, 2 medium, 1 low) and the
points at stake (how far below the target, how far the rep fell), in plain words a manager
can say in a 1:1:

    past_due_no_attempt  3  Exec says past due or did not pass, and no valid attempt
    did_not_pass         3  Exec says the rep did not pass ("did not pass Silver by Nov 30")
    below_target         2  best below the assignment's required rank (3 once past due)
    past_due             3  Exec says past due, though the best reaches the required rank
    declined             2  latest valid score DECLINE_POINTS (figures) or more below the best
                            (3 from BIG_DROP_POINTS: a fall a manager should hear about)
    below_last_period    1  best below the previous period's best (2 from DECLINE_POINTS)
    no_session           2  no session at all in the period, unless the assignment is completed
                            (nothing more is asked) or past_due_no_attempt already says it
    inactive             1  sessions, but none in the last INACTIVE_DAYS of the period
    one_attempt          1  only one valid attempt: no progress to read yet

One fact gives one reason: a rep with no session on an overdue assignment is told
"Past due since Nov 30, 2026, no valid attempt", never that and "No session in November 2026"
as well, so the count of reasons that breaks ties counts facts, not phrasings.

Reps are ordered by their most severe reason, then by the most points at stake in any reason
(no valid attempt on an overdue assignment counts as the most), so a 15-point fall comes
before a 2-point gap to target of the same severity, then by the number of reasons, then by
name. The first MAX_SHORTLIST reps with a reason of at least SHORTLIST_SEVERITY are the 1:1
shortlist; everyone else with a reason is on the "keep an eye on" list, of which the team
report and the digest name the first MAX_WATCHLIST (the rest counted; the workbook lists them
all). A rep whose reasons are all low (one attempt, a quiet fortnight) is never on the
shortlist.

Exec's status string is the source of truth for the deadline: ``past_due`` and
``did_not_pass`` are both overdue, and neither is ever "met".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from reporter.analytics.figures import DECLINE_POINTS, below_last_period
from reporter.format import fmt_day, fmt_point_count, fmt_rank, fmt_score
from reporter.i18n import gettext
from reporter.views import AttentionReason, Comparison, Manager, PeriodInfo, RepView, Target

#: A fall from the best this large is high severity.
BIG_DROP_POINTS = 10.0
#: No practice in this many days before the period's end (or today, if sooner) is inactive.
INACTIVE_DAYS = 14
#: The 1:1 shortlist holds at most this many reps: the few a manager books this month.
MAX_SHORTLIST = 5
#: A rep is shortlisted only for a reason at least this severe (medium).
SHORTLIST_SEVERITY = 2
#: "Keep an eye on" names at most this many reps in the team report and the digest.
MAX_WATCHLIST = 10
#: Exec's assignment statuses whose deadline has gone by.
OVERDUE_STATUSES = ("past_due", "did_not_pass")

REASONS: dict[str, str] = {
    "past_due_no_attempt": "overdue, no valid attempt",
    "did_not_pass": "did not pass",
    "below_target": "below the required rank",
    "past_due": "past due",
    "declined": "latest well below best",
    "below_last_period": "best below last period's",
    "no_session": "no session",
    "inactive": "no recent practice",
    "one_attempt": "one valid attempt",
}


def _target_reason(rep: RepView, target: Target) -> AttentionReason | None:
    """The assignment's reason, from Exec's status and the points still short."""
    status = target.status
    if status == "completed":
        return None
    short = (target.points_short
             if target.points_short is not None and target.points_short > 0 else None)
    if status in OVERDUE_STATUSES and not rep.has_valid_attempt:
        text = (_did_not_pass(target, None, attempted=False) if status == "did_not_pass"
                else _past_due(target, "no_attempt"))
        return AttentionReason("past_due_no_attempt", 3, text, math.inf)
    if status == "did_not_pass":
        return AttentionReason("did_not_pass", 3, _did_not_pass(target, short, attempted=True),
                               short or 0.0)
    if short is not None and rep.has_valid_attempt:
        overdue = status == "past_due"
        return AttentionReason("below_target", 3 if overdue else 2,
                               _short_of(target, short, overdue=overdue), short)
    if status == "past_due":
        return AttentionReason("past_due", 3, _past_due(target, "not_completed"), 0.0)
    return None


def _did_not_pass(target: Target, short: float | None, *, attempted: bool) -> str:
    """ "Did not pass Silver by Nov 30, 2026, 0.4 points short", and each variant: the
    required rank (or the assignment), the due day, the points short or no valid attempt."""
    values = {"rank": fmt_rank(target.required_rank) if target.required_rank else "",
              "day": fmt_day(target.due) if target.due else "",
              "gap": fmt_point_count(short) if short is not None else ""}
    if not attempted:
        if target.required_rank:
            if target.due:
                # Translators: an attention reason; %(rank)s is a rank (Gold, Silver...),
                # %(day)s a date like Nov 30, 2026.
                return gettext("Did not pass %(rank)s by %(day)s, no valid attempt", **values)
            return gettext("Did not pass %(rank)s, no valid attempt", **values)
        if target.due:
            return gettext("Did not pass the assignment by %(day)s, no valid attempt", **values)
        return gettext("Did not pass the assignment, no valid attempt")
    if target.required_rank:
        if target.due:
            if short is not None:
                # Translators: %(gap)s is a distance in points, like "0.4 points".
                return gettext("Did not pass %(rank)s by %(day)s, %(gap)s short", **values)
            return gettext("Did not pass %(rank)s by %(day)s", **values)
        if short is not None:
            return gettext("Did not pass %(rank)s, %(gap)s short", **values)
        return gettext("Did not pass %(rank)s", **values)
    if target.due:
        return gettext("Did not pass the assignment by %(day)s", **values)
    return gettext("Did not pass the assignment")


def _short_of(target: Target, short: float, *, overdue: bool) -> str:
    """ "0.4 points short of Silver", ", past due since Nov 30, 2026" when it is."""
    rank = fmt_rank(target.required_rank) if target.required_rank else ""
    gap = fmt_point_count(short)
    if not overdue:
        # Translators: an attention reason; %(gap)s is a distance like "0.4 points",
        # %(rank)s a rank (Gold, Silver...).
        return gettext("%(gap)s short of %(rank)s", gap=gap, rank=rank)
    if target.due:
        return gettext("%(gap)s short of %(rank)s, past due since %(day)s", gap=gap, rank=rank,
                       day=fmt_day(target.due))
    return gettext("%(gap)s short of %(rank)s, past due", gap=gap, rank=rank)


def _past_due(target: Target, why: str) -> str:
    """ "Past due since Nov 30, 2026, no valid attempt" (or "not completed in Exec")."""
    if why == "no_attempt":
        if target.due:
            # Translators: an attention reason; %(day)s is a date like Nov 30, 2026.
            return gettext("Past due since %(day)s, no valid attempt", day=fmt_day(target.due))
        return gettext("Past due, no valid attempt")
    if target.due:
        return gettext("Past due since %(day)s, not completed in Exec", day=fmt_day(target.due))
    return gettext("Past due, not completed in Exec")


def reasons_for(rep: RepView, period: PeriodInfo, now: datetime) -> tuple[AttentionReason, ...]:
    """The rep's reasons, most severe first (see the module docstring for the rules)."""
    out: list[AttentionReason] = []
    plan = rep.coaching
    target = plan.target
    if target is not None and (reason := _target_reason(rep, target)) is not None:
        out.append(reason)
    if plan.decline is not None:
        drop = plan.decline.drop
        out.append(AttentionReason(
            "declined", 3 if drop >= BIG_DROP_POINTS - 1e-9 else 2,
            # Translators: an attention reason; %(drop)s is a distance like "8.0 points",
            # %(best)s and %(latest)s scores like 76.0.
            gettext("Fell %(drop)s from a best of %(best)s (latest %(latest)s)",
                    drop=fmt_point_count(drop), best=fmt_score(plan.decline.best),
                    latest=fmt_score(plan.decline.latest)), drop))
    if _below_last_period(rep.comparison):
        assert rep.comparison is not None and rep.comparison.change is not None
        fall = -rep.comparison.change
        out.append(AttentionReason(
            "below_last_period", 2 if fall >= DECLINE_POINTS - 1e-9 else 1,
            # Translators: an attention reason; %(best)s is a score like 68.5, %(fall)s a
            # distance like "3.0 points", %(period)s the previous period, like October 2026.
            gettext("Best %(best)s, %(fall)s below %(period)s", best=fmt_score(rep.best_score),
                    fall=fmt_point_count(fall), period=rep.comparison.period_title), fall))
    if rep.session_count == 0:
        said = any(r.code == "past_due_no_attempt" for r in out)  # the same fact, said once
        if not said and not (target is not None and target.status == "completed"):
            # Translators: an attention reason; %(period)s is the report's period, like
            # "November 2026" or "Nov 3, 2026 to Nov 20, 2026".
            out.append(AttentionReason("no_session", 2, gettext("No session in %(period)s",
                                                                 period=period.prose)))
    elif rep.last_practised is not None:
        until = min(period.end, now)
        if rep.last_practised < until - timedelta(days=INACTIVE_DAYS):
            out.append(AttentionReason(
                # Translators: an attention reason; %(day)s is a date like Nov 30, 2026.
                "inactive", 1, gettext("No practice since %(day)s",
                                       day=fmt_day(rep.last_practised))))
    if rep.valid_count == 1:
        out.append(AttentionReason("one_attempt", 1, gettext("Only one valid attempt")))
    out.sort(key=lambda r: (-r.severity, -r.points))
    return tuple(out)


def _below_last_period(comparison: Comparison | None) -> bool:
    """``figures.below_last_period``: one rule with the verdict's direction."""
    return below_last_period(comparison)


class Attentive(Protocol):
    """Whoever the rules order: a rep in one scenario, or a rep across a program."""

    @property
    def name(self) -> str: ...
    @property
    def email(self) -> str: ...
    @property
    def slug(self) -> str: ...
    @property
    def attention(self) -> tuple[AttentionReason, ...]: ...
    @property
    def severity(self) -> int: ...


A = TypeVar("A", bound=Attentive)


def at_stake(rep: Attentive) -> float:
    """The most points any of the rep's reasons puts at stake (infinite: no valid attempt on
    an overdue assignment)."""
    return max((r.points for r in rep.attention), default=0.0)


def attention_order(reps: Sequence[A]) -> tuple[A, ...]:
    """The reps with at least one reason, most urgent first."""
    listed = [r for r in reps if r.attention]
    return tuple(sorted(listed, key=lambda r: (-r.severity, -at_stake(r), -len(r.attention),
                                               r.name.casefold(), r.email)))


def shortlist(ordered: Sequence[A]) -> tuple[A, ...]:
    """The 1:1 shortlist of reps already in ``attention_order``: the first MAX_SHORTLIST with a
    reason of at least SHORTLIST_SEVERITY. A high-severity rep left off is left off by the cap
    alone: the list is then full of reps at least as urgent."""
    return tuple(r for r in ordered if r.severity >= SHORTLIST_SEVERITY)[:MAX_SHORTLIST]


def watchlist(ordered: Sequence[A]) -> tuple[A, ...]:
    """Everyone in ``ordered`` (attention order) not on the shortlist: "keep an eye on"."""
    chosen = {id(r) for r in shortlist(ordered)}
    return tuple(r for r in ordered if id(r) not in chosen)


def watch_named(watch: Sequence[A]) -> tuple[A, ...]:
    """The reps "keep an eye on" names in the team report and the digest: the first
    MAX_WATCHLIST of the watchlist (the most urgent); ``watch_unnamed`` counts the rest."""
    return tuple(watch[:MAX_WATCHLIST])


def watch_unnamed(watch: Sequence[Attentive]) -> int:
    """How many reps to keep an eye on the team report and the digest count without naming
    ("and 12 more, listed in the workbook")."""
    return max(0, len(watch) - MAX_WATCHLIST)


def left_off(team: Attending) -> int:
    """Reps to keep an eye on with a reason severe enough for the shortlist (at least
    SHORTLIST_SEVERITY): left off it by its cap alone, said under it."""
    return sum(1 for r in team.watchlist if r.severity >= SHORTLIST_SEVERITY)


class Attending(Protocol):
    """What the attention rules give a team, a scenario's or a program's alike: its reps in
    attention order, the 1:1 shortlist and the rest to keep an eye on (``attention_order``,
    ``shortlist``, ``watchlist``), each named as the team's lists name them. The team report's
    page 1 and the manager's digest read a team through this alone, so both kinds of team
    share one attention sentence, one talking point and one count of who was left off."""

    @property
    def name(self) -> str: ...
    @property
    def manager(self) -> Manager | None: ...
    @property
    def needs_attention(self) -> Sequence[Attentive]: ...
    @property
    def shortlist(self) -> Sequence[Attentive]: ...
    @property
    def watchlist(self) -> Sequence[Attentive]: ...
    def label(self, rep: Any, /) -> str: ...


def talking_point(rep: Attentive) -> str | None:
    """What to open a 1:1 with: the rep's most urgent reason, in plain words."""
    return rep.attention[0].text if rep.attention else None
