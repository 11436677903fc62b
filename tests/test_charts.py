"""The report's inline SVG charts: what a rep sees (readable labels, a useful score axis) and
what a screen reader hears (a one-sentence description), with untrusted text kept inert."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timedelta

import pytest

from reporter.format import RANK_LABELS, fmt_score
from reporter.ranks import RANK_THRESHOLDS
from reporter.render.charts import (
    POINT_GAP,
    ScorePoint,
    cohort_histogram,
    histogram_description,
    score_chart_description,
    score_over_time,
    spread,
    text_width,
)

SVG = "{http://www.w3.org/2000/svg}"
START = datetime(2026, 10, 1)
END = datetime(2026, 10, 31, 23, 59)
ACCENT = "#1f6feb"
HOSTILE = "<script>alert('x')</script> & \"quoted\""

Box = tuple[float, float, float, float]


def _points(scores: Sequence[float], first: datetime, step: timedelta) -> list[ScorePoint]:
    return [ScorePoint(first + step * i, s) for i, s in enumerate(scores)]


def _alternating(first_score: float) -> list[ScorePoint]:
    other = 71.0 if first_score == 70.0 else 70.0
    return _points([first_score if i % 2 == 0 else other for i in range(12)],
                   datetime(2026, 10, 14, 9), timedelta(hours=4))


_rng = random.Random(7)
CROWDED = {
    "12 in two days, 70/71": _alternating(70.0),
    "12 in two days, 71/70": _alternating(71.0),
    "same day, minutes apart": _points([60, 85, 62, 88, 61, 87.5, 59],
                                       datetime(2026, 10, 9, 10), timedelta(minutes=7)),
    "same moment": _points([55, 56, 57, 58], datetime(2026, 10, 9, 10), timedelta(0)),
    "busy month": _points([_rng.uniform(45, 99) for _ in range(45)],
                          datetime(2026, 10, 1, 8), timedelta(hours=16)),
    "first and last day": _points([100, 99.5, 99, 98], datetime(2026, 10, 1), timedelta(0))
    + _points([100, 99.9], datetime(2026, 10, 31, 23, 58), timedelta(minutes=1)),
}


def _root(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def _texts(root: ET.Element, cls: str) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if t.get("class") == cls]


def _box(text: ET.Element) -> Box:
    """Where the glyphs of a label are: advance width across, cap height above the baseline."""
    content = text.text or ""
    size = float(text.get("font-size", "0"))
    x, y = float(text.get("x", "0")), float(text.get("y", "0"))
    width = text_width(content, size)
    anchor = text.get("text-anchor", "start")
    x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return (x0, y - 0.72 * size, x0 + width, y)


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _plot_x(root: ET.Element) -> tuple[float, float]:
    band = next(r for r in root.iter(f"{SVG}rect") if r.get("class") == "band")
    x = float(band.get("x", "0"))
    return x, x + float(band.get("width", "0"))


def _circles(root: ET.Element) -> list[tuple[float, float]]:
    return [(float(c.get("cx", "0")), float(c.get("cy", "0")))
            for c in root.iter(f"{SVG}circle") if c.get("class") == "point"]


def _score_to_y(root: ET.Element):
    """The score axis as a reader sees it: from the positions of its labelled grid lines."""
    ticks = sorted((float(t.text or ""), float(t.get("y", "0")) - 3)
                   for t in _texts(root, "y-tick"))
    (s0, y0), (s1, y1) = ticks[0], ticks[-1]
    return lambda score: y0 + (score - s0) * (y1 - y0) / (s1 - s0), ticks


def _label_next_to(root: ET.Element, text: str, point: tuple[float, float]) -> bool:
    """Whether a point label reading `text` sits next to (over, under or beside) the point."""
    x, y = point
    for t in _texts(root, "point-label"):
        x0, y0, x1, y1 = _box(t)
        if t.text == text and max(x0 - x, x - x1, y0 - y, y - y1) < 10:
            return True
    return False


@pytest.mark.parametrize("height", [150, 190])
@pytest.mark.parametrize("points", CROWDED.values(), ids=CROWDED.keys())
def test_point_labels_never_overlap_and_keep_best_and_latest(points: list[ScorePoint],
                                                             height: int) -> None:
    root = _root(score_over_time(points, START, END, ACCENT, height=height))
    labels = [_box(t) for t in _texts(root, "point-label")]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not _overlap(a, b), (a, b)
    for band in _texts(root, "band-label"):
        assert not any(_overlap(_box(band), label) for label in labels)
    lo, hi = _plot_x(root)
    assert all(lo <= box[0] and box[2] <= hi for box in labels)
    assert all(box[1] >= 0 for box in labels)  # nothing cut off at the top

    circles = _circles(root)
    assert len(circles) == len(points)
    best = max(p.score for p in points)
    # The latest: the last of the latest moment, as analytics' latest_attempt has it.
    latest = [p for p in points if p.at == max(q.at for q in points)][-1].score
    last_x = max(x for x, _ in circles)
    assert any(_label_next_to(root, fmt_score(best), c) for c in circles)
    assert any(_label_next_to(root, fmt_score(latest), c) for c in circles if c[0] == last_x)
    # The best label is the one set in bold, so it reads as the headline.
    assert any(t.get("font-weight") == "bold" and t.text == fmt_score(best)
               for t in _texts(root, "point-label"))


def test_attempts_an_hour_apart_are_two_points_with_two_labels() -> None:
    # Two attempts an hour apart, half a point apart: side by side their labels would touch.
    points = [ScorePoint(datetime(2026, 10, 5, 9), 60.0),
              ScorePoint(datetime(2026, 10, 5, 10), 60.5),
              ScorePoint(datetime(2026, 10, 20, 9), 64.0)]
    root = _root(score_over_time(points, START, END, ACCENT))
    texts = {t.text: t for t in _texts(root, "point-label")}
    assert set(texts) == {fmt_score(60.0), fmt_score(64.0), fmt_score(60.5)}
    (x60, _), (x605, _) = sorted(_circles(root))[:2]
    assert x605 - x60 >= POINT_GAP - 0.01  # an hour apart, still two points
    assert not _overlap(_box(texts[fmt_score(60.0)]), _box(texts[fmt_score(60.5)]))


def test_spaced_out_attempts_are_all_labelled() -> None:
    points = _points([62, 70.5, 68, 81, 77.2, 93], datetime(2026, 10, 2), timedelta(days=5))
    root = _root(score_over_time(points, START, END, ACCENT))
    assert sorted(t.text or "" for t in _texts(root, "point-label")) == sorted(
        fmt_score(p.score) for p in points)


@pytest.mark.parametrize("height", [150, 190])
@pytest.mark.parametrize("scores", [[80, 86.5, 95, 91], [20, 24.5, 30, 27], [3, 9.5], [100]])
def test_score_axis_fits_the_data_and_keeps_the_bands(scores: list[float], height: int) -> None:
    points = _points(scores, datetime(2026, 10, 3), timedelta(days=6))
    root = _root(score_over_time(points, START, END, ACCENT, height=height))
    y_of, ticks = _score_to_y(root)
    values = [s for s, _ in ticks]
    bottom, top = values[0], values[-1]
    assert top == 100
    assert bottom % 10 == 0 and bottom <= 40
    # At least AXIS_MARGIN below the lowest score, unless the axis already starts at 0.
    assert bottom <= min(scores) - 8 if min(scores) >= 8 else bottom == 0
    assert {*(t for _, t in RANK_THRESHOLDS)} <= set(values)  # the 50 line shows
    # Each point reads correctly against the labelled grid and sits inside the plot.
    ordered = sorted(points, key=lambda p: p.at)
    for (_, cy), point in zip(sorted(_circles(root)), ordered, strict=True):
        assert cy == pytest.approx(y_of(point.score), abs=0.6)
        assert y_of(top) <= cy < y_of(bottom)
    # The grid labels stay readable.
    boxes = [_box(t) for t in _texts(root, "y-tick")]
    assert not any(_overlap(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # Every rank band is named inside its own band.
    names = {t.text: t for t in _texts(root, "band-label")}
    upper = 100.0
    for rank, threshold in RANK_THRESHOLDS:
        label = names[f"{RANK_LABELS[rank]} {threshold:g}+"]
        box = _box(label)
        assert y_of(upper) <= box[1] and box[3] <= y_of(threshold)
        upper = threshold


def test_high_scores_use_the_height_of_the_chart() -> None:
    points = _points([80, 95], datetime(2026, 10, 3), timedelta(days=6))
    root = _root(score_over_time(points, START, END, ACCENT))
    y_of, ticks = _score_to_y(root)
    plot_height = y_of(ticks[0][0]) - y_of(100)
    (_, y80), (_, y95) = sorted(_circles(root))
    assert y80 - y95 > 0.2 * plot_height  # on a 0-100 axis 15 points would be 15%


@pytest.mark.parametrize("empty_text", [None, "No valid attempt in October 2026"])
def test_no_attempt_says_so(empty_text: str | None) -> None:
    kwargs = {} if empty_text is None else {"empty_text": empty_text}
    root = _root(score_over_time([], START, END, ACCENT, **kwargs))
    expected = empty_text or "No valid attempt yet"
    assert expected in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert not _circles(root)
    assert root[0].text == f"{expected}."


def test_untrusted_text_cannot_become_markup() -> None:
    score_svg = score_over_time([], START, END, '"/><script>x</script>', empty_text=HOSTILE)
    histogram = cohort_histogram([50.0], 50.0, '"/><script>x</script>')
    for svg in (score_svg, histogram):
        assert "<script" not in svg
        root = _root(svg)  # still well-formed
        assert not list(root.iter(f"{SVG}script"))
    root = _root(score_svg)
    assert root.get("aria-label") == f"{HOSTILE}."
    assert root[0].text == f"{HOSTILE}."
    assert HOSTILE in ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_score_chart_describes_itself() -> None:
    points = _points([78.7, 82.1, 90.4, 88, 94.9], datetime(2026, 10, 2), timedelta(days=7.25))
    sentence = score_chart_description(points)
    assert sentence == (f"Score of each valid attempt: 5 attempts from Oct 2 to Oct 31, first "
                        f"{fmt_score(78.7)}, best {fmt_score(94.9)}, latest {fmt_score(94.9)}.")
    root = _root(score_over_time(points, START, END, ACCENT))
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == sentence
    assert root.get("aria-label") == sentence
    single = score_chart_description(points[:1])
    assert single == f"Score of each valid attempt: 1 attempt on Oct 2, scoring {fmt_score(78.7)}."
    assert score_chart_description([]) == "No valid attempt yet."


def test_histogram_describes_itself() -> None:
    scores = [50.0 + i * 1.7 for i in range(27)]
    sentence = histogram_description(scores, 94.9)
    assert sentence == (f"Best scores of 27 participants in 10-point bins; yours, "
                        f"{fmt_score(94.9)}, is in the 90-100 bin.")
    root = _root(cohort_histogram(scores, 94.9, ACCENT))
    assert root.get("role") == "img"
    assert root[0].tag == f"{SVG}title" and root[0].text == sentence
    assert root.get("aria-label") == sentence
    assert histogram_description(scores, None) == "Best scores of 27 participants in 10-point bins."
    assert histogram_description([61.0], 61.0).startswith("Best scores of 1 participant in")
    assert _root(cohort_histogram([], None, ACCENT))[0].text == "No cohort scores yet."


def test_three_attempts_on_one_day_are_three_labelled_points() -> None:
    """Nov 28 three times, minutes apart: three circles apart and three readable labels."""
    points = _points([61.0, 66.5, 72.0], datetime(2026, 10, 28, 9), timedelta(minutes=20))
    root = _root(score_over_time(points, START, END, ACCENT, height=150))
    xs = sorted(x for x, _ in _circles(root))
    assert all(b - a >= POINT_GAP - 0.01 for a, b in zip(xs, xs[1:], strict=False))
    labels = {t.text for t in _texts(root, "point-label")}
    assert labels == {fmt_score(p.score) for p in points}


def test_spread_keeps_time_order_and_the_plot() -> None:
    assert spread([10.0, 10.0, 10.0], 0.0, 100.0, 20.0) == [10.0, 30.0, 50.0]
    assert spread([100.0, 100.0], 0.0, 100.0, 20.0) == [80.0, 100.0]  # pushed back from the edge
    assert spread([0.0, 50.0], 0.0, 100.0, 20.0) == [0.0, 50.0]  # far apart: untouched
    assert spread([5.0] * 6, 0.0, 50.0, 20.0) == [0.0, 10.0, 20.0, 30.0, 40.0, 50.0]  # by order


def test_two_hundred_attempts_never_overprint_a_label_or_a_marker() -> None:
    """Issue 30: with 200 attempts in a month, every drawn point label overprinted the next
    point. Now no drawn label touches another label or any drawn marker, drawn markers stand
    apart, and the first, best and latest are still marked and labelled."""
    scores = [55.0 + (i * 37 % 45) for i in range(200)]
    points = _points(scores, datetime(2026, 10, 1), timedelta(days=30) / 200)
    root = _root(score_over_time(points, START, END, ACCENT, height=125))
    labels = [_box(t) for t in _texts(root, "point-label")]
    radius = {(float(c.get("cx", "0")), float(c.get("cy", "0"))): float(c.get("r", "0")) + 1
              for c in root.iter(f"{SVG}circle") if c.get("class") == "point"}
    markers = [(x - r, y - r, x + r, y + r) for (x, y), r in radius.items()]
    for i, a in enumerate(labels):
        assert not any(_overlap(a, b) for b in labels[i + 1:]), a
        assert not any(_overlap(a, m) for m in markers), a
    for i, a in enumerate(markers):
        assert not any(_overlap(a, b) for b in markers[i + 1:]), a
    circles = sorted(_circles(root))
    assert {fmt_score(points[0].score), fmt_score(max(scores)), fmt_score(scores[-1])} <= {
        t.text for t in _texts(root, "point-label")}
    assert _label_next_to(root, fmt_score(scores[-1]), circles[-1])
    assert _label_next_to(root, fmt_score(scores[0]), circles[0])
