"""The rubric: a heatmap row per item, and the strengths and focus areas read from it."""

from __future__ import annotations

from collections.abc import Sequence

from reporter.analytics.figures import MAX_PATTERNS, text
from reporter.analytics.sessions import Session, items
from reporter.views import GradedFeedback, ItemRow, Pattern

WEAK_GRADES = ("mid", "bad")
GRADED = ("good", *WEAK_GRADES)
_BADNESS = {"good": 0.0, "mid": 0.5, "bad": 1.0}


def build_rubric(columns: Sequence[Session]) -> tuple[ItemRow, ...]:
    """A row per (criterion, item) in first-seen order, its grade in each column.

    A grade is None where the item was absent or not graded; when a session lists
    the same item twice, its first graded occurrence counts. good_share =
    good / (good + mid + bad), None when the item was never graded one of those.
    latest_feedback: the item's most recent non-blank feedback, whatever its grade;
    good_feedback / weak_feedback: the most recent from a session that graded the item
    good / mid or bad (the grade counted for that column).
    """
    keys: list[tuple[str, str]] = []
    grades: dict[tuple[str, str], list[str | None]] = {}
    feedback: dict[tuple[str, str], str | None] = {}
    good_fb: dict[tuple[str, str], GradedFeedback] = {}
    weak_fb: dict[tuple[str, str], GradedFeedback] = {}
    for col, session in enumerate(columns):
        for key, item in items(session):
            if key not in grades:
                keys.append(key)
                grades[key] = [None] * len(columns)
                feedback[key] = None
            if grades[key][col] is not None:
                continue
            grades[key][col] = item.grade
            if (said := text(item.feedback)) is None:
                continue
            feedback[key] = said
            if item.grade == "good":
                good_fb[key] = GradedFeedback(said, item.grade, session.attempt.created_at)
            elif item.grade in WEAK_GRADES:
                weak_fb[key] = GradedFeedback(said, item.grade, session.attempt.created_at)
    rows = []
    for key in keys:
        g = grades[key]
        good, mid, bad = g.count("good"), g.count("mid"), g.count("bad")
        graded = good + mid + bad
        rows.append(ItemRow(
            criterion=key[0], item=key[1], grades=tuple(g), good=good, mid=mid, bad=bad,
            not_relevant=g.count("not_relevant"),
            good_share=good / graded if graded else None,
            latest_feedback=feedback[key],
            good_feedback=good_fb.get(key),
            weak_feedback=weak_fb.get(key),
        ))
    return tuple(rows)


def severity(row: ItemRow) -> float:
    """How badly an item goes, 0..1: (2 * bad + mid) / (2 * graded), so a bad weighs twice a
    mid; 0 for an item never graded good, mid or bad."""
    return (2 * row.bad + row.mid) / (2 * row.graded) if row.graded else 0.0


#: How much less each session back weighs in ``recent_severity``: the latest session counts
#: once, the one before half as much, and so on.
RECENCY_DECAY = 0.5
#: An item's standing in the rep's latest graded session (``recency_tier``): graded mid or
#: bad there, not graded there, graded good there.
_TIERS = {"mid": 0, "bad": 0, None: 1, "good": 2}


def latest_column(rows: Sequence[ItemRow]) -> int | None:
    """The index of the rep's latest session that graded any item good, mid or bad."""
    columns = max((len(r.grades) for r in rows), default=0)
    return next((c for c in range(columns - 1, -1, -1)
                 if any(c < len(r.grades) and r.grades[c] in GRADED for r in rows)), None)


def recency_tier(row: ItemRow, latest: int | None) -> int:
    """0: the latest session graded the item mid or bad; 1: it did not grade it; 2: it graded
    it good (``latest``: ``latest_column`` of the rep's rubric)."""
    if latest is None or latest >= len(row.grades):
        return 1
    grade = row.grades[latest]
    return _TIERS.get(grade if grade in GRADED else None, 1)


def recent_severity(row: ItemRow) -> float:
    """How badly an item goes lately, 0..1: each graded session's badness (bad 1, mid 1/2,
    good 0), the latest session weighing 1 and each one before it RECENCY_DECAY times the
    next; 0 for an item never graded good, mid or bad."""
    total = weight = 0.0
    w = 1.0
    for grade in reversed(row.grades):
        if grade in GRADED:
            total += w * _BADNESS[grade]
            weight += w
        w *= RECENCY_DECAY
    return total / weight if weight else 0.0


def need(row: ItemRow, latest: int | None) -> tuple[float, ...]:
    """The one order of what to work on, most needed first (sort ascending): the item's
    ``recency_tier`` in the rep's latest session (so an item that session graded good never
    comes before one it graded mid or bad), then ``recent_severity``, then the whole period's
    ``severity``, then how recently it was last graded mid or bad."""
    weak = [i for i, g in enumerate(row.grades) if g in WEAK_GRADES]
    return (recency_tier(row, latest), -recent_severity(row), -severity(row),
            -(max(weak) if weak else -1))


def latest_grade(row: ItemRow) -> str | None:
    """The item's grade in the most recent session that graded it good, mid or bad."""
    return next((g for g in reversed(row.grades) if g in GRADED), None)


def patterns(rows: Sequence[ItemRow], limit: int | None = MAX_PATTERNS,
             ) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...]]:
    """(strengths, focus areas), at most ``limit`` each (all of them with None).

    Strength: graded good in at least 2 sessions (in the one session, when the rep
    has a single graded session), good outnumbers mid + bad, and the latest session that
    graded it graded it good: "keep doing" an item the last call got wrong would undercut
    the page. Ordered by good share,
    then count, then rubric order. Its feedback is the latest from a session that graded
    it good.

    Focus area: graded mid or bad at least once, and not a strength (on a tie between
    good and mid + bad it is something to work on). Ordered by ``need``: what the rep's
    latest session graded mid or bad first, then what it did not grade, then what it graded
    good; within each, the recent severity (the latest session weighing most), then the
    period's, then the latest mid or bad grade, then rubric order. Its feedback is the latest
    from a session that graded it mid or bad.
    """
    columns = max((len(r.grades) for r in rows), default=0)
    latest = latest_column(rows)
    min_good = 1 if columns == 1 else 2
    strengths: list[tuple[tuple[float, ...], Pattern]] = []
    focus: list[tuple[tuple[float, ...], Pattern]] = []
    for order, row in enumerate(rows):
        graded = row.graded
        if not graded:
            continue
        weak = row.mid + row.bad
        if row.good >= min_good and row.good > weak and latest_grade(row) == "good":
            pattern = Pattern(row.criterion, row.item, row.good, graded, row.good_feedback)
            strengths.append(((-pattern.good_share, -row.good, order), pattern))
        elif weak:
            pattern = Pattern(row.criterion, row.item, row.good, graded, row.weak_feedback)
            focus.append(((*need(row, latest), order), pattern))
    strengths.sort(key=lambda pair: pair[0])
    focus.sort(key=lambda pair: pair[0])
    return (tuple(p for _, p in strengths[:limit]), tuple(p for _, p in focus[:limit]))
