"""The rubric: a heatmap row per item, and the strengths and focus areas read from it."""

from __future__ import annotations

from collections.abc import Sequence

from reporter.analytics.figures import MAX_PATTERNS, text
from reporter.analytics.sessions import Session, items
from reporter.views import ItemRow, Pattern


def build_rubric(columns: Sequence[Session]) -> tuple[ItemRow, ...]:
    """A row per (criterion, item) in first-seen order, its grade in each column.

    A grade is None where the item was absent or not graded; when a session lists
    the same item twice, its first graded occurrence counts. good_share =
    good / (good + mid + bad), None when the item was never graded one of those.
    latest_feedback: the item's most recent non-blank feedback.
    """
    keys: list[tuple[str, str]] = []
    grades: dict[tuple[str, str], list[str | None]] = {}
    feedback: dict[tuple[str, str], str | None] = {}
    for col, session in enumerate(columns):
        for key, item in items(session):
            if key not in grades:
                keys.append(key)
                grades[key] = [None] * len(columns)
                feedback[key] = None
            if grades[key][col] is None:
                grades[key][col] = item.grade
            if (said := text(item.feedback)) is not None:
                feedback[key] = said
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
        ))
    return tuple(rows)


def patterns(rows: Sequence[ItemRow]) -> tuple[tuple[Pattern, ...], tuple[Pattern, ...]]:
    """(strengths, focus areas), at most MAX_PATTERNS each, most consistent first.

    Strength: graded good in at least 2 sessions (in the one session, when the rep
    has a single graded session) and good_share >= 0.5. Its consistency is
    good / (good + mid + bad); ordered by consistency, then count, then rubric order.

    Focus area: graded mid or bad at least once. Its consistency is
    (mid + bad) / (good + mid + bad); ordered by severity, (2 * bad + mid) /
    (2 * graded), so a bad weighs twice a mid, then by recency (the item's latest
    mid or bad grade, newest first), then rubric order.

    An item that qualifies for both goes where its majority is: a strength only
    when good outnumbers mid + bad; on a tie it is something to work on.
    feedback: the item's latest feedback.
    """
    columns = max((len(r.grades) for r in rows), default=0)
    min_good = 1 if columns == 1 else 2
    strengths: list[tuple[tuple[float, ...], Pattern]] = []
    focus: list[tuple[tuple[float, ...], Pattern]] = []
    for order, row in enumerate(rows):
        graded = row.good + row.mid + row.bad
        if not graded:
            continue
        weak = row.mid + row.bad
        is_strength = row.good >= min_good and (row.good_share or 0.0) >= 0.5
        if is_strength and row.good > weak:
            pattern = Pattern(row.criterion, row.item, row.good, graded, row.good / graded,
                              row.latest_feedback)
            strengths.append(((-pattern.consistency, -pattern.count, order), pattern))
        elif weak:
            severity = (2 * row.bad + row.mid) / (2 * graded)
            recency = max(i for i, g in enumerate(row.grades) if g in ("mid", "bad"))
            pattern = Pattern(row.criterion, row.item, weak, graded, weak / graded,
                              row.latest_feedback)
            focus.append(((-severity, -recency, order), pattern))
    strengths.sort(key=lambda pair: pair[0])
    focus.sort(key=lambda pair: pair[0])
    return (tuple(p for _, p in strengths[:MAX_PATTERNS]),
            tuple(p for _, p in focus[:MAX_PATTERNS]))
