"""Inline SVG charts for the PDF report, built in Python.

Why Python and not a charting library: the charts are small, must look identical in every
worker, must not pull fonts or files from anywhere, and every piece of text inside them comes
from untrusted data. Building the SVG by hand keeps all three under our control: every text
node and attribute goes through :func:`_esc`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from reporter.format import fmt_score, fmt_short_day

# Rank thresholds (score >= threshold) as the Exec API defines them, highest first.
RANK_BANDS: tuple[tuple[str, float, float], ...] = (
    ("Gold", 90.0, 100.0),
    ("Silver", 75.0, 90.0),
    ("Bronze", 50.0, 75.0),
)
# Soft fills: the bands must stay behind the data and still separate in greyscale.
BAND_FILL = {"Gold": "#f6e7b0", "Silver": "#e3e7ec", "Bronze": "#f1dcc8"}
BAND_INK = {"Gold": "#8a6d00", "Silver": "#56606b", "Bronze": "#8a4f1d"}
FONT = "Noto Sans, DejaVu Sans, sans-serif"
INK = "#1b1f24"
MUTED = "#6b7280"
GRID = "#d8dde3"


def _esc(text: object) -> str:
    """Escape text for an SVG text node or a double-quoted attribute."""
    return escape(str(text), {'"': "&quot;", "'": "&#39;"})


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ScorePoint:
    """One valid attempt on the score chart."""

    at: datetime
    score: float


def _svg_open(width: int, height: int, label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_esc(label)}" '
        f'font-family="{FONT}">'
    )


def _text(x: float, y: float, content: object, *, size: float = 9, anchor: str = "start",
          fill: str = MUTED, weight: str = "normal") -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" text-anchor="{anchor}" '
        f'fill="{fill}" font-weight="{weight}">{_esc(content)}</text>'
    )


def _date_ticks(start: datetime, end: datetime, max_ticks: int = 6) -> list[datetime]:
    """Evenly spaced whole days between start and end (inclusive), at most max_ticks."""
    span_days = max((end - start).days, 0)
    if span_days == 0:
        return [start]
    step = max(1, -(-span_days // (max_ticks - 1)))
    day0 = start.replace(hour=0, minute=0, second=0, microsecond=0)
    ticks = [day0 + timedelta(days=step * k) for k in range(max_ticks)]
    return [t for t in ticks if t <= end]


def score_over_time(points: Sequence[ScorePoint], start: datetime, end: datetime,
                    accent: str, *, width: int = 640, height: int = 190) -> str:
    """Score per valid attempt against time, over the shaded 50/75/90 rank bands.

    The x axis spans the reporting period (widened to fit the points) so a rep sees *when*
    they practised, not only in what order; with no point the chart says so instead of
    drawing an empty frame that looks like a score of zero.
    """
    left, right, top, bottom = 34, 64, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_svg_open(width, height, "Score over time")]

    def y_of(score: float) -> float:
        return top + plot_h * (1 - max(0.0, min(100.0, score)) / 100.0)

    for name, low, high in RANK_BANDS:
        y_hi, y_lo = y_of(high), y_of(low)
        parts.append(
            f'<rect x="{left}" y="{_num(y_hi)}" width="{plot_w}" height="{_num(y_lo - y_hi)}" '
            f'fill="{BAND_FILL[name]}"/>'
        )
        parts.append(_text(left + plot_w + 6, (y_hi + y_lo) / 2 + 3, f"{name} {low:.0f}+",
                           size=8.5, fill=BAND_INK[name], weight="bold"))
    for tick in (0, 25, 50, 75, 90, 100):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" '
                     f'stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(_text(left - 5, y + 3, tick, size=8, anchor="end"))

    first = min([start, *(p.at for p in points)])
    last = max([end, *(p.at for p in points)])
    span = max((last - first).total_seconds(), 1.0)

    inset = 12  # keeps a point on the first or last day clear of the axes and its label

    def x_of(moment: datetime) -> float:
        return left + inset + (plot_w - 2 * inset) * (moment - first).total_seconds() / span

    axis_y = top + plot_h
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{axis_y}" y2="{axis_y}" '
                 f'stroke="{MUTED}" stroke-width="0.8"/>')
    for day in _date_ticks(first, last):
        x = x_of(day)
        parts.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{axis_y}" y2="{axis_y + 4}" '
                     f'stroke="{MUTED}" stroke-width="0.8"/>')
        parts.append(_text(x, axis_y + 15, fmt_short_day(day), size=8, anchor="middle"))

    if not points:
        parts.append(_text(left + plot_w / 2, top + plot_h / 2, "No valid attempt yet",
                           size=11, anchor="middle", fill=INK))
        parts.append("</svg>")
        return "".join(parts)

    ordered = sorted(points, key=lambda p: p.at)
    coords = [(x_of(p.at), y_of(p.score)) for p in ordered]
    if len(coords) > 1:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{accent}" '
                     f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>')
    label_every = 1 if len(ordered) <= 14 else 2
    best = max(p.score for p in ordered)
    for index, ((x, y), point) in enumerate(zip(coords, ordered, strict=True)):
        is_best = point.score == best
        radius = 4.2 if is_best else 3.2
        parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="{radius}" fill="#ffffff" '
                     f'stroke="{accent}" stroke-width="2"/>')
        if is_best:
            parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2" fill="{accent}"/>')
        if index % label_every == 0 or index == len(ordered) - 1 or is_best:
            parts.append(_text(x, y - 8, fmt_score(point.score), size=8.5, anchor="middle",
                               fill=INK, weight="bold" if is_best else "normal"))
    parts.append("</svg>")
    return "".join(parts)


def cohort_histogram(best_scores: Sequence[float], rep_best: float | None, accent: str, *,
                     width: int = 300, height: int = 130) -> str:
    """Best scores of everyone in the cohort in 10-point bins, the rep's bin in the accent.

    A histogram rather than a rank pie because it shows distance: 74 and 51 are both bronze,
    but one is a step from silver.
    """
    left, right, top, bottom = 22, 8, 20, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    parts = [_svg_open(width, height, "Cohort best scores")]
    if not best_scores:
        parts.append(_text(width / 2, height / 2, "No cohort scores yet", size=10,
                           anchor="middle", fill=INK))
        parts.append("</svg>")
        return "".join(parts)

    bins = [0] * 10
    for score in best_scores:
        bins[min(9, max(0, int(score // 10)))] += 1
    rep_bin = None if rep_best is None else min(9, max(0, int(rep_best // 10)))
    tallest = max(bins) or 1
    bar_w = plot_w / 10
    base_y = top + plot_h
    for ticks in range(0, tallest + 1, max(1, -(-tallest // 4))):
        y = base_y - plot_h * ticks / tallest
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" '
                     f'stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(_text(left - 4, y + 3, ticks, size=7.5, anchor="end"))
    for index, count in enumerate(bins):
        x = left + index * bar_w
        h = plot_h * count / tallest
        mine = index == rep_bin
        fill = accent if mine else "#aeb6c1"
        if count:
            parts.append(f'<rect x="{_num(x + 2)}" y="{_num(base_y - h)}" '
                         f'width="{_num(bar_w - 4)}" height="{_num(h)}" rx="1.5" fill="{fill}"/>')
        if index % 2 == 0:
            parts.append(_text(x, base_y + 12, index * 10, size=7.5, anchor="middle"))
    parts.append(_text(left + plot_w, base_y + 12, 100, size=7.5, anchor="middle"))
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base_y}" y2="{base_y}" '
                 f'stroke="{MUTED}" stroke-width="0.8"/>')
    parts.append(_text(left + plot_w / 2, height - 2, "best score", size=7.5, anchor="middle"))
    if rep_best is not None:
        x = left + plot_w * max(0.0, min(100.0, rep_best)) / 100
        parts.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{top - 4}" y2="{base_y}" '
                     f'stroke="{INK}" stroke-width="1.2" stroke-dasharray="3 2"/>')
        anchor = "end" if x > left + plot_w * 0.8 else "start"
        offset = -4 if anchor == "end" else 4
        parts.append(_text(x + offset, top - 7, f"You: {fmt_score(rep_best)}", size=8.5,
                           anchor=anchor, fill=INK, weight="bold"))
    parts.append("</svg>")
    return "".join(parts)
