"""How every figure is written, once: PDF, charts, emails, workbook and CSV all use these.

A score reads "68.5" or "91.0" (always one decimal, so a column of scores lines up and "91"
never looks rounder than "90.6"), points carry their sign ("+4.0", "−2.5", "±0.0"), ranks and
grades have one label each, dates read "Oct 3, 2026", months "October 2026". The
workbook keeps numbers as numbers with the Excel formats below; CSV writes plain numbers
rounded to CSV_DECIMALS. Pure functions: no I/O, no locale.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from reporter.views import Comparison, Decline, Pattern, RankGap, Target, WeakItem

RANK_LABELS = {"gold": "Gold", "silver": "Silver", "bronze": "Bronze", "unranked": "Unranked"}
GRADE_SYMBOLS = {"good": "✓", "mid": "~", "bad": "✗", "not_relevant": "–"}
GRADE_LABELS = {"good": "Good", "mid": "Mid", "bad": "Bad", "not_relevant": "Not relevant"}
#: Exec's skill proficiency tiers in words; under three observations Exec gives no score.
TIER_LABELS = {"excellent": "Excellent", "proficient": "Proficient",
               "developing": "Developing", "needs_work": "Needs work",
               "insufficient_data": "Not enough practice yet"}
#: A program's scenario without a session, and a skill with no observation at all (no tier,
#: told apart from too few).
NOT_PRACTISED = "Not practised"

#: Excel number formats for the workbook's columns.
XLSX_SCORE = "0.0"
XLSX_INT = "0"
XLSX_MINUTES = "0.0"
XLSX_POINTS = "+0.0;-0.0;0.0"
XLSX_PERCENT = "0%"
XLSX_PERCENT1 = "0.0%"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"
#: Decimals a CSV number keeps.
CSV_DECIMALS = 2
#: Decimals each Excel number format shows: a cell's value is rounded to them, so the formula
#: bar shows the figure the cell shows (72.9, not 72.89999999999999).
XLSX_DECIMALS: dict[str, int] = {
    XLSX_SCORE: 1, XLSX_INT: 0, XLSX_MINUTES: 1, XLSX_POINTS: 1,
    XLSX_PERCENT: 2, XLSX_PERCENT1: 3,
}
#: How urgent a rep's attention reason is (AttentionReason.severity), as a word.
SEVERITY_LABELS = {3: "High", 2: "Medium", 1: "Low"}
#: A rep with a best score this period and none the last, where a change would be shown.
NEW_REP_LABEL = "New"
#: The verdict's direction in words (tiles, chart captions, the workbook, the email).
DIRECTION_LABELS = {"improving": "Improving", "holding": "Holding steady",
                    "slipping": "Slipping"}
#: The report's colours, one definition: report.css's variables and the email's inline styles
#: are both filled from here. (text, background) per tone.
TONES: dict[str, tuple[str, str]] = {
    "good": ("#1a7f37", "#d5eedb"), "mid": ("#8a5a00", "#fbe9bd"),
    "bad": ("#b4261b", "#f7d0cb"), "nr": ("#6b7480", "#eceff3"),
}
#: A target's state (``Target.state``) and the tone it is shown in, PDF and email alike.
TARGET_TONES = {"met": "good", "open": "mid", "past_due": "bad", "did_not_pass": "bad"}
ASSIGNMENT_STATUS_LABELS = {
    "not_started": "Not started", "in_progress": "In progress", "completed": "Completed",
    "past_due": "Past due", "did_not_pass": "Did not pass", "none": "No assignment",
}
#: Whether a rep has a session in a scenario of a program (the workbook's Scenarios sheet).
PRACTISED_LABELS = {True: "Practised", False: NOT_PRACTISED}


def fmt_score(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}"


def fmt_points(value: float | None) -> str:
    if value is None:
        return "–"
    shown = fmt_score(abs(value))
    sign = "±" if shown == fmt_score(0.0) else "+" if value > 0 else "−"
    return f"{sign}{shown}"


def fmt_point_count(value: float) -> str:
    """A distance in points, for prose: "0.4 points", "1.0 point"."""
    shown = fmt_score(abs(value))
    return f"{shown} point" if shown == "1.0" else f"{shown} points"


def fmt_share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def fmt_ordinal(value: float | None) -> str:
    if value is None:
        return "–"
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fmt_day(value: date | None) -> str:
    return "–" if value is None else f"{value:%b} {value.day}, {value:%Y}"


def fmt_short_day(value: datetime | None) -> str:
    return "–" if value is None else f"{value:%b} {value.day}"


def fmt_minutes(value: float | None) -> str:
    if value is None:
        return "–"
    minutes = int(round(value))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def fmt_attempt_days(moments: Sequence[datetime]) -> list[str]:
    """Column headings for attempts in time order: "Nov 28" for the day's only attempt,
    "Nov 28, 2nd" when the day had several, so three attempts on one day are told apart."""
    per_day: dict[tuple[int, int, int], int] = {}
    for m in moments:
        per_day[(m.year, m.month, m.day)] = per_day.get((m.year, m.month, m.day), 0) + 1
    seen: dict[tuple[int, int, int], int] = {}
    out = []
    for m in moments:
        day = (m.year, m.month, m.day)
        seen[day] = seen.get(day, 0) + 1
        label = fmt_short_day(m)
        out.append(label if per_day[day] == 1 else f"{label}, {fmt_ordinal(seen[day])}")
    return out


def fmt_session(at: datetime, moments: Sequence[datetime]) -> str:
    """A session named by its day, "Nov 9", and by its place in that day when the day had
    several sessions among ``moments`` (the rep's sessions): "Nov 9, 2nd session"."""
    same = sorted(m for m in moments if (m.year, m.month, m.day) == (at.year, at.month, at.day))
    if len(same) < 2 or at not in same:
        return fmt_short_day(at)
    return f"{fmt_short_day(at)}, {fmt_ordinal(same.index(at) + 1)} session"


def fmt_clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def fmt_direction(direction: str | None) -> str | None:
    """ "Improving", "Holding steady", "Slipping"; None without a direction."""
    return DIRECTION_LABELS.get(direction or "")


def fmt_rank(rank: str | None) -> str:
    return RANK_LABELS.get(rank or "", "No rank")


def fmt_tier(tier: str | None) -> str:
    """ "Needs work" for "needs_work", "Not enough practice yet" for "insufficient_data",
    NOT_PRACTISED for no observation; an unknown tier as the API wrote it."""
    return NOT_PRACTISED if tier is None else TIER_LABELS.get(tier, tier)


def fmt_severity(severity: int) -> str:
    """ "High", "Medium", "Low"; "" when nothing needs attention (severity 0)."""
    return SEVERITY_LABELS.get(severity, "")


def fmt_assignment_status(status: str | None) -> str | None:
    """ "In progress" for "in_progress"; an unknown status as the API wrote it."""
    return None if status is None else ASSIGNMENT_STATUS_LABELS.get(status, status)


def fmt_practised(practised: bool) -> str:
    """ "Practised" or "Not practised": a rep's session in one scenario of a program."""
    return PRACTISED_LABELS[practised]


def fmt_grade_symbol(grade: str | None) -> str:
    return GRADE_SYMBOLS.get(grade or "", "")


def fmt_grade(grade: str | None) -> str:
    return GRADE_LABELS.get(grade or "", "Not graded")


def fmt_item(criterion: str, item: str) -> str:
    """A rubric item with its criterion, the same in every output: "Discovery › Budget"."""
    return f"{criterion} › {item}"


def fmt_top_item(patterns: Sequence[Pattern]) -> str | None:
    """The first pattern's item ("Discovery › Budget"), None when there is none."""
    return fmt_item(patterns[0].criterion, patterns[0].item) if patterns else None


def fmt_graded_good(good: int, graded: int) -> str:
    """How an item was graded, one way everywhere (rubric column, pattern cards, workbook)."""
    return f"{good} of {graded}"


def fmt_weak_item(item: WeakItem) -> str:
    """A team's weak item in figures, one way in the team report and a program's theme:
    "Graded good 12 of 40 (30%); 9 of 12 reps graded mid or bad at least once"."""
    return (f"Graded good {fmt_graded_good(item.good, item.graded)} "
            f"({fmt_share(item.good_share)}); {item.reps_weak} of {item.reps_graded} reps "
            "graded mid or bad at least once")


def fmt_attempts_left(count: int) -> str:
    """ "1 more attempt required", "2 more attempts required"."""
    return f"{count} more attempt{'' if count == 1 else 's'} required"


def fmt_target(target: Target | None, best: float | None = None) -> str | None:
    """The assignment in one line, as Exec has it; ``best`` is the period's best shown beside.

    "met" only when Exec says completed: "Target: Silver by Oct 31, 2026 — met", or, when the
    period's best is below the required rank (it was reached earlier), "Target met in Exec:
    Silver, best 76.0 on this assignment". Otherwise what is left, the rank and the attempts:
    "Target: Silver by Oct 31, 2026 — 4.4 points short; 2 more attempts required", "Past due
    since Oct 31, 2026 (target Silver) — ...", "Did not pass Silver by Oct 31, 2026 — ...".
    Exec's best on the assignment, when it differs from the period's, is labelled as such.
    """
    if target is None or (target.required_rank is None and target.due is None
                          and target.status is None):
        return None
    rank = fmt_rank(target.required_rank) if target.required_rank else None
    due = f" by {fmt_day(target.due)}" if target.due else ""
    if target.met:
        if target.required_rank and target.reached is not True:
            line = f"Target met in Exec: {rank}"
            if target.assignment_best is not None:
                line += f", best {fmt_score(target.assignment_best)} on this assignment"
            return line
        return f"Target: {rank or 'complete the assignment'}{due} — met"
    if target.did_not_pass:
        line = f"Did not pass {rank or 'the assignment'}{due}"
    elif target.past_due:
        line = "Past due" + (f" since {fmt_day(target.due)}" if target.due else "")
        if rank:
            line += f" (target {rank})"
    else:
        line = f"Target: {rank or 'complete the assignment'}{due}"
    left: list[str] = []
    if target.points_short is not None:
        left.append(f"{fmt_point_count(target.points_short)} short")
    elif target.reached and rank:
        left.append(f"{rank} reached")
    elif best is None and target.required_rank:
        # A best on the assignment without a valid attempt here was made before the period.
        left.append("no valid attempt yet" if target.assignment_best is None
                    else "no valid attempt this period")
    if target.attempts_left:
        left.append(fmt_attempts_left(target.attempts_left))
    if not left and not target.did_not_pass and not target.past_due:
        left.append("not yet marked complete in Exec")
    if left:
        line += " — " + "; ".join(left)
    if target.assignment_best is not None:
        when = ", before this period" if best is None else ""
        line += f" (best on this assignment {fmt_score(target.assignment_best)}{when})"
    return line


def fmt_decline(decline: Decline | None) -> str | None:
    """The latest score against the best, for "Your latest scored ...": "61.0, 13.6 below
    your best"."""
    if decline is None:
        return None
    return f"{fmt_score(decline.latest)}, {fmt_score(decline.drop)} below your best"


def fmt_comparison(comparison: Comparison | None) -> str | None:
    """The rep against the previous period in one line, each figure named by its period (page
    1 speaks of this period beside it): "September 2026: best 71.2; October 2026: +3.0", or
    "New since September 2026" for a rep with no best score then."""
    if comparison is None or (comparison.previous_best is None and not comparison.is_new):
        return None
    if comparison.is_new:
        return f"New since {comparison.period_title}: no valid attempt then"
    line = f"{comparison.period_title}: best {fmt_score(comparison.previous_best)}"
    if comparison.change is not None:
        now = comparison.current_title or "now"
        line += f"; {now}: {fmt_points(comparison.change)}"
    return line


def fmt_rank_gap(gap: RankGap | None) -> str | None:
    """ "0.4 points from Silver" """
    if gap is None:
        return None
    return f"{fmt_point_count(gap.points)} from {fmt_rank(gap.rank)}"


def clip(text: str | None, limit: int) -> str:
    """Shorten long API text at a word boundary so one answer cannot push a section over."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.") + "…"


#: A phrasing longer than its room is shortened at a sentence end; the sentences kept fill at
#: least this share of the room, so "Understood." never stands alone for a longer phrasing.
PHRASING_MIN_SHARE = 0.5
#: ... and a phrasing is given up to this many times its room to end a sentence, before it is
#: clipped at a word like any other text (an endless one-sentence text from the API).
PHRASING_ROOM = 2
#: A sentence: up to its end mark (and a closing quote or bracket) before a space and a word
#: that does not start in lower case ("e.g. this" goes on), or up to the end of the text.
_SENTENCE = re.compile(r"\S.*?(?:[.!?…]+[\"'”’)\]]*(?=\s+(?![a-z])|$)|$)")


def clip_phrasing(text: str | None, limit: int) -> str:
    """A phrasing to try, shortened only at a sentence end, never mid-sentence: whole when it
    fits in ``limit``; else its first sentences, as many as fit (at least PHRASING_MIN_SHARE
    of ``limit``, a longer first sentence given the room), then " …"; a sentence longer than
    PHRASING_ROOM times ``limit`` is clipped at a word (``clip``)."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in _SENTENCE.findall(text):
        longer = f"{kept} {sentence}".strip()
        if len(longer) > limit and len(kept) >= limit * PHRASING_MIN_SHARE:
            break
        kept = longer
    if len(kept) > limit * PHRASING_ROOM:
        return clip(text, limit)
    return kept if kept == text else f"{kept} …"


def csv_number(value: float) -> str:
    """A computed number for a CSV field: plain, rounded to CSV_DECIMALS, never a formula."""
    return repr(round(value, CSV_DECIMALS))
