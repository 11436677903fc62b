"""Single figures of a rep, each defined once: the function's docstring is its definition.

No I/O. Scores are floats 0-100; ranks and their thresholds come from ``reporter.ranks``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from urllib.parse import urlsplit

from reporter.exec_api.models import User
from reporter.format import fmt_day, fmt_month
from reporter.i18n import gettext
from reporter.ranks import rank_for
from reporter.views import Attempt, Comparison, last_day

__all__ = ["rank_for"]

#: Best minus first this many points or more, with no fall from the best, is improving
#: (``reporter.analytics.verdict``).
IMPROVE_POINTS = 3.0
#: Strengths and focus areas shown per rep.
MAX_PATTERNS = 3
#: Moments worth quoting: what fits on one page (the PDF shows them all, or fewer when the
#: quotes are long), and what the email picks its suggestion from.
MAX_MOMENTS = 4
#: A latest valid score this many points or more below the best is a decline, said plainly
#: (page 1, a tile, the email, the workbook).
DECLINE_POINTS = 5.0
#: A best score within this many points of the next rank's threshold: the rep is told how far.
NEAR_RANK_POINTS = 5.0
#: Tolerance when comparing our figures with the participants endpoint's.
CROSS_CHECK_TOLERANCE = 0.01
#: A transcript line shorter than this (in words) is not highlighted merely for
#: being contained in a quote: "Yes." occurs in half the quotes of a session.
MIN_WORDS_CONTAINED = 3

_PUNCT_CATEGORIES = ("P", "S")
#: A workspace's own host in Exec: the scenario's url must be on it to be linked.
EXEC_APP_HOST = "{slug}.app.exec.com"
_HOST_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def text(value: str | None) -> str | None:
    """Text as given (never escaped here: that is the renderer's job); blank counts as absent,
    since an empty feedback box says nothing."""
    return value if value is not None and value.strip() else None


def exec_link(url: str | None, workspace_slug: str | None) -> str | None:
    """The scenario's url from the API when it is safe to print as a link, else None.

    Like any text from the API it is untrusted: it is linked only when it is https, on the
    workspace's own host (EXEC_APP_HOST, from the workspace's ``url_slug``), with no user,
    password or port, and no whitespace or control character; it is never fetched.
    """
    raw = text(url)
    slug = (text(workspace_slug) or "").strip().lower()
    if raw is None or not _HOST_LABEL.fullmatch(slug):
        return None
    if any(ch.isspace() or unicodedata.category(ch)[0] == "C" for ch in raw):
        return None
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return None
    if (parts.scheme != "https" or parts.username is not None or parts.password is not None
            or port is not None or (parts.hostname or "") != EXEC_APP_HOST.format(slug=slug)):
        return None
    return raw


def utc(moment: datetime) -> datetime:
    """An aware UTC datetime; a naive one (no offset in the data) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def mean(values: Sequence[float]) -> float | None:
    """The arithmetic mean; None for no values (an average of nothing is unknown, not 0)."""
    return sum(values) / len(values) if values else None


def finite(value: float | None) -> float | None:
    """A number, or None: the snapshot reader refuses NaN, this keeps the rule local too."""
    return value if value is not None and math.isfinite(value) else None


def percentile(value: float, population: Sequence[float]) -> float:
    """Mid-rank percentile of ``value`` in ``population``: 100 * (below + 0.5 * equal) / n.

    Mid-rank so that a cohort where everyone scored the same puts everyone at 50,
    not at 100 or 0, and the top of a cohort of one is 50 (alone, not ahead).
    ``value`` need not belong to the population. Raises ValueError on an empty
    population: there is no answer, and callers show "not enough data".
    """
    if not population:
        raise ValueError("percentile of an empty population")
    below = sum(1 for p in population if p < value and not math.isclose(p, value, abs_tol=1e-9))
    equal = sum(1 for p in population if math.isclose(p, value, abs_tol=1e-9))
    return 100.0 * (below + 0.5 * equal) / len(population)


def normalise_quote(value: str | None) -> str:
    """Text for comparing quotes: casefolded, punctuation and symbols dropped, spaces collapsed.

    Symbols go too, so that curly quotes, dashes and emoji do not make the same
    sentence look like two.
    """
    if not value:
        return ""
    kept = "".join(
        " " if unicodedata.category(ch)[0] in _PUNCT_CATEGORIES else ch
        for ch in unicodedata.normalize("NFKC", value).casefold()
    )
    return " ".join(kept.split())


def period_title(label: str, start: datetime, end: datetime) -> str:
    """The period as people read it: "October 2026" for a month label ("2026-10"), else
    "Oct 3, 2026 to Oct 20, 2026" (the end is exclusive when it falls on midnight); in the
    active language ("octubre de 2026")."""
    if re.fullmatch(r"\d{4}-\d{2}", label):
        return fmt_month(start)
    last = last_day(start, end)
    if start.date() == last:
        return fmt_day(start)
    # Translators: a report's period: %(start)s and %(end)s are dates ("Oct 3, 2026").
    return gettext("%(start)s to %(end)s", start=fmt_day(start), end=fmt_day(last))


def first_attempt(valid: Sequence[Attempt]) -> Attempt | None:
    """First: the earliest valid attempt by ``created_at`` (``valid`` is oldest first)."""
    return valid[0] if valid else None


def best_attempt(valid: Sequence[Attempt]) -> Attempt | None:
    """Best: the valid attempt with the highest score; the earliest of equal scores.

    The earliest, because that is when the rep first reached that level.
    """
    best: Attempt | None = None
    for a in valid:
        if a.score is not None and (best is None or best.score is None or a.score > best.score):
            best = a
    return best


def latest_attempt(valid: Sequence[Attempt]) -> Attempt | None:
    """Latest: the most recent valid attempt (the last of equal timestamps, in snapshot order)."""
    return valid[-1] if valid else None


def fell_from_best(best: float, latest: float) -> bool:
    """A decline: the latest valid score is DECLINE_POINTS or more below the best. One rule
    for the coaching plan's Decline and the verdict's "slipping"."""
    return best - latest >= DECLINE_POINTS - 1e-9


def below_last_period(comparison: Comparison | None) -> bool:
    """The best is below the previous period's best, by at least the 0.1 point a score is
    written with (so a "−0.0" never counts). One rule for the manager's "below last period"
    reason and the verdict's direction."""
    return (comparison is not None and comparison.change is not None
            and comparison.change <= -0.05)


def lift(first: Attempt | None, best: Attempt | None, valid_count: int) -> float | None:
    """Lift: best score minus first score, in points; None with fewer than two valid attempts.

    With one attempt the lift would always be 0, which reads as "no progress" when
    the truth is "no second try yet".
    """
    if valid_count < 2 or first is None or best is None:
        return None
    if first.score is None or best.score is None:
        return None
    return best.score - first.score


def practice_minutes(attempts: Sequence[Attempt]) -> float | None:
    """Practice minutes: sum of duration_seconds / 60 over every session with a duration.

    Every session, valid or not: an abandoned session was practice too. None (unknown, never
    0) when there are sessions and none of them has a duration; 0 with no session at all.
    """
    known = [a.duration_minutes for a in attempts if a.duration_minutes is not None]
    if attempts and not known:
        return None
    return sum(known)


def last_practised(attempts: Sequence[Attempt]) -> datetime | None:
    """The most recent session of any kind, valid or not."""
    return max((a.created_at for a in attempts), default=None)


def display_name(user: User) -> tuple[str, str]:
    """(name, first_name) for a User.

    name: "first last" with surrounding and doubled spaces removed, falling back to
    the email, then the user id, then "Unknown rep". first_name: the first name,
    falling back to the name (a greeting must never be "Hi ,").
    """
    first = " ".join((user.first_name or "").split())
    last = " ".join((user.last_name or "").split())
    name = f"{first} {last}".strip()
    name = name or (user.email or "").strip() or user.id.strip() or "Unknown rep"
    return name, first or name
