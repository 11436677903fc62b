"""The rubric: a heatmap row per item, and the strengths and focus areas read from it."""

from __future__ import annotations

from collections.abc import Sequence

from reporter.analytics.figures import MAX_PATTERNS, text
from reporter.analytics.sessions import Session, items
from reporter.views import GradedFeedback, ItemRow, Pattern

WEAK_GRADES = ("mid", "bad")


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


def latest_grade(row: ItemRow) -> str | None:
    """The item's grade in the most recent session that graded it good, mid or bad."""
    return next((g for g in reversed(row.grades) if g in ("good", *WEAK_GRADES)), None)


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
    good and mid + bad it is something to work on). Ordered by severity,
    (2 * bad + mid) / (2 * graded), so a bad weighs twice a mid, then by recency (the
    item's latest mid or bad grade, newest first), then rubric order. Its feedback is
    the latest from a session that graded it mid or bad.
    """
    columns = max((len(r.grades) for r in rows), default=0)
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
            recency = max(i for i, g in enumerate(row.grades) if g in WEAK_GRADES)
            pattern = Pattern(row.criterion, row.item, row.good, graded, row.weak_feedback)
            focus.append(((-severity(row), -recency, order), pattern))
    strengths.sort(key=lambda pair: pair[0])
    focus.sort(key=lambda pair: pair[0])
    return (tuple(p for _, p in strengths[:limit]), tuple(p for _, p in focus[:limit]))
