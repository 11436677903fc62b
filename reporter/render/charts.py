"""Inline SVG charts for the PDF report, built in Python.

Why Python and not a charting library: the charts are small, must look identical in every
worker, must not pull fonts or files from anywhere, and every piece of text inside them comes
from untrusted data. Building the SVG by hand keeps all three under our control: every text
node and attribute goes through :func:`_esc`.

Each chart is an ``role="img"`` SVG whose ``aria-label`` and first-child ``<title>`` carry a
one-sentence description of the data; :func:`score_chart_description` and
:func:`histogram_description` build that sentence so the template can print it as well.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from xml.sax.saxutils import escape

from reporter.format import RANK_LABELS, fmt_day, fmt_score, fmt_share, fmt_short_day
from reporter.i18n import N_, gettext, ngettext
from reporter.ranks import RANK_THRESHOLDS, Rank

#: Rank bands (rank, low, high) drawn behind the scores, best first: derived from Exec's
#: thresholds in :mod:`reporter.ranks` so they are defined once.
RANK_BANDS: tuple[tuple[Rank, float, float], ...] = tuple(
    (rank, low, high)
    for (rank, low), high in zip(
        RANK_THRESHOLDS, (100.0, *(t for _, t in RANK_THRESHOLDS[:-1])), strict=True)
)
# Soft fills: the bands must stay behind the data and still separate in greyscale.
BAND_FILL: dict[Rank, str] = {"gold": "#f6e7b0", "silver": "#e3e7ec", "bronze": "#f1dcc8"}
BAND_INK: dict[Rank, str] = {"gold": "#8a6d00", "silver": "#56606b", "bronze": "#8a4f1d"}
FONT = "Noto Sans, DejaVu Sans, sans-serif"
INK = "#1b1f24"
MUTED = "#6b7280"
GRID = "#d8dde3"
#: What an empty chart says (translated where drawn).
EMPTY_SCORE_TEXT = N_("No valid attempt yet")
EMPTY_COHORT_TEXT = N_("No cohort scores yet")

# Score axis: the bottom is a multiple of 10 at least this far below the lowest score, and
# never above AXIS_MIN_CAP so the lowest band's bottom edge (bronze at 50) always shows.
AXIS_MARGIN = 8.0
AXIS_MIN_CAP = 40.0
# Point labels: font size, gap between the point's centre and the label, padding kept clear.
LABEL_SIZE = 8.5
LABEL_GAP = 8.0
LABEL_PAD = 1.5
# Vertical extent of a line of text around its baseline, in em (cap height ~0.71 plus margin).
ASCENT = 0.78
DESCENT = 0.22

Box = tuple[float, float, float, float]  # x0, y0, x1, y1

# Advance widths in em, rounded up from Noto Sans Bold (the wider weight).
_NARROW = dict.fromkeys(".,:;!'|ijl ", 0.32)
_WIDE = dict.fromkeys("mwMW@%", 0.9)
_EM_WIDTHS: dict[str, float] = {
    **dict.fromkeys("0123456789+=<>#$", 0.6), **_NARROW, **_WIDE, "r": 0.46, "t": 0.44, "f": 0.44,
    "-": 0.4,
    "–": 0.5, "—": 1.0, "−": 0.6, "(": 0.34, ")": 0.34, "/": 0.4,
}


def text_width(text: str, size: float) -> float:
    """Estimated advance width of ``text`` set in the chart font at ``size`` (SVG units).

    An estimate, not a measurement: a per-character table in em, rounded up from Noto Sans
    Bold (the wider weight; digits 0.6 em, '.' 0.32, capitals 0.72, other letters 0.6). That is
    enough because it only decides whether short labels (scores such as "94.9", band names)
    would touch, and the layout keeps LABEL_PAD clear on each side of every label; measuring
    with the real font would mean reading font files, which this module deliberately avoids.
    """
    em = 0.0
    for char in text:
        width = _EM_WIDTHS.get(char)
        if width is None:
            width = 0.72 if char.isupper() else 0.6
        em += width
    return em * size


def _esc(text: object) -> str:
    """Escape text for an SVG text node or a double-quoted attribute."""
    return escape(str(text), {'"': "&quot;", "'": "&#39;"})


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text if not text or text[-1] in ".!?…" else f"{text}."


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _text_box(x: float, y: float, text: str, size: float, anchor: str) -> Box:
    width = text_width(text, size)
    x0 = x - width / 2 if anchor == "middle" else x - width if anchor == "end" else x
    return (x0 - LABEL_PAD, y - ASCENT * size, x0 + width + LABEL_PAD, y + DESCENT * size)


#: The score chart's point markers: the best score's, and every other's.
BEST_RADIUS = 4.2
POINT_RADIUS = 3.2

#: The least horizontal room between two attempts on the score chart, in chart units: three
#: attempts on one day stay three points with readable labels, not one blot.
POINT_GAP = 26.0


def spread(xs: Sequence[float], low: float, high: float, gap: float) -> list[float]:
    """Positions in time order moved apart to at least ``gap``, as little as possible, inside
    [low, high]; evenly spaced by order when even that cannot fit them all."""
    if len(xs) < 2:
        return list(xs)
    if gap * (len(xs) - 1) > high - low:
        step = (high - low) / (len(xs) - 1)
        return [low + step * i for i in range(len(xs))]
    out = [max(low, xs[0])]
    for x in xs[1:]:
        out.append(max(x, out[-1] + gap))
    out[-1] = min(out[-1], high)
    for i in range(len(out) - 2, -1, -1):
        out[i] = min(out[i], out[i + 1] - gap)
    return out


@dataclass(frozen=True)
class ScorePoint:
    """One valid attempt on the score chart."""

    at: datetime
    score: float


def _svg_open(width: int, height: int, description: str) -> str:
    """The root element, described by its aria-label and a first-child <title>."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{_esc(description)}" '
        f'font-family="{FONT}"><title>{_esc(description)}</title>'
    )


def _text(x: float, y: float, content: object, *, size: float = 9, anchor: str = "start",
          fill: str = MUTED, weight: str = "normal", cls: str = "") -> str:
    klass = f' class="{_esc(cls)}"' if cls else ""
    return (
        f'<text{klass} x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" '
        f'text-anchor="{anchor}" fill="{_esc(fill)}" font-weight="{weight}">'
        f'{_esc(content)}</text>'
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


def score_axis_min(scores: Sequence[float]) -> float:
    """Bottom of the score axis: a multiple of 10 at least AXIS_MARGIN below the lowest score,
    never above AXIS_MIN_CAP (so the bronze band's lower edge shows) and never below 0."""
    if not scores:
        return AXIS_MIN_CAP
    lowest = max(0.0, min(100.0, min(scores)))
    return max(0.0, min(AXIS_MIN_CAP, math.floor((lowest - AXIS_MARGIN) / 10) * 10))


def score_chart_description(points: Sequence[ScorePoint], *,
                            empty_text: str | None = None) -> str:
    """One sentence saying what the score chart shows, for its <title> and for screen readers.
    ``empty_text`` (already in the output's language) replaces "No valid attempt yet"."""
    if not points:
        return _sentence(gettext(EMPTY_SCORE_TEXT) if empty_text is None else empty_text)
    ordered = sorted(points, key=lambda p: p.at)
    first, last = ordered[0], ordered[-1]
    day = fmt_short_day if first.at.year == last.at.year else fmt_day
    if len(ordered) == 1:
        # Translators: a chart's description for screen readers: %(day)s is a date like
        # "Nov 30", %(score)s a score like "78.4".
        return gettext("Score of each valid attempt: 1 attempt on %(day)s, scoring %(score)s.",
                       day=day(first.at), score=fmt_score(first.score))
    scores = {"first": fmt_score(first.score), "best": fmt_score(max(p.score for p in ordered)),
              "latest": fmt_score(last.score)}
    if first.at.date() == last.at.date():
        # Translators: a chart's description for screen readers: %(num)s attempts on one
        # day, %(day)s a date like "Nov 30"; %(first)s, %(best)s and %(latest)s are scores.
        return ngettext("Score of each valid attempt: %(num)s attempt on %(day)s, "
                        "first %(first)s, best %(best)s, latest %(latest)s.",
                        "Score of each valid attempt: %(num)s attempts on %(day)s, "
                        "first %(first)s, best %(best)s, latest %(latest)s.",
                        len(ordered), day=day(first.at), **scores)
    # Translators: a chart's description for screen readers: %(num)s attempts between two
    # dates like "Nov 3" and "Nov 30"; %(first)s, %(best)s and %(latest)s are scores.
    return ngettext("Score of each valid attempt: %(num)s attempt from %(start)s to %(end)s, "
                    "first %(first)s, best %(best)s, latest %(latest)s.",
                    "Score of each valid attempt: %(num)s attempts from %(start)s to %(end)s, "
                    "first %(first)s, best %(best)s, latest %(latest)s.",
                    len(ordered), start=day(first.at), end=day(last.at), **scores)


@dataclass(frozen=True)
class _Label:
    x: float
    y: float
    anchor: str
    box: Box


def score_over_time(points: Sequence[ScorePoint], start: datetime, end: datetime,
                    accent: str, *, width: int = 640, height: int = 160,
                    empty_text: str | None = None) -> str:
    """Score per valid attempt against time, over the shaded rank bands.

    The x axis spans the reporting period (widened to fit the points) so a rep sees *when*
    they practised, not only in what order; with no point the chart says ``empty_text``
    instead of drawing an empty frame that looks like a score of zero. The score axis runs
    from :func:`score_axis_min` to 100 so the points use the height while every rank band
    stays in view. Point labels never overlap: a crowded label moves to the other side of its
    point or is left out, except the best and the latest score's, which are kept (the best's
    alone when even they would touch). Attempts too many for their markers to stand apart
    (200 in a month) are the line's vertices, with markers and labels on the first, the best
    and the latest only.
    """
    left, right, top, bottom = 34, 64, 10, 28
    plot_w, plot_h = width - left - right, height - top - bottom
    plot_right, axis_y = left + plot_w, top + plot_h
    accent = _esc(accent)
    empty_text = gettext(EMPTY_SCORE_TEXT) if empty_text is None else empty_text
    parts = [_svg_open(width, height, score_chart_description(points, empty_text=empty_text))]
    y_min, y_max = score_axis_min([p.score for p in points]), 100.0

    def y_of(score: float) -> float:
        return top + plot_h * (y_max - max(y_min, min(y_max, score))) / (y_max - y_min)

    obstacles: list[Box] = []  # boxes a point label must stay clear of
    parts.append('<g class="bands">')
    band_labels: list[str] = []
    for rank, low, high in RANK_BANDS:
        if high <= y_min or low >= y_max:
            continue  # off-range: not drawn
        y_hi, y_lo = y_of(high), y_of(low)
        parts.append(
            f'<rect class="band" x="{left}" y="{_num(y_hi)}" width="{plot_w}" '
            f'height="{_num(y_lo - y_hi)}" fill="{BAND_FILL[rank]}"/>'
        )
        # Translators: a rank band's label on the score chart: a rank ("Gold") and the
        # lowest score in it ("85+").
        name = gettext("%(rank)s %(score)s+", rank=gettext(RANK_LABELS[rank]), score=_num(low))
        size = 8.5
        band_x, band_y = plot_right + 6.0, (y_hi + y_lo) / 2 + (ASCENT - DESCENT) * size / 2
        box = _text_box(band_x, band_y, name, size, "start")
        if not any(_overlaps(box, other) for other in obstacles):
            obstacles.append(box)
            band_labels.append(_text(band_x, band_y, name, size=size, fill=BAND_INK[rank],
                                     weight="bold", cls="band-label"))
    parts.append("</g>")
    parts.extend(band_labels)

    # Grid at the rank thresholds, the axis bottom and 100; a label that would touch one
    # already placed is left out (its line stays).
    ticks = [y_min, y_max, *(t for _, t in RANK_THRESHOLDS if y_min < t < y_max)]
    tick_boxes: list[Box] = []
    parts.append('<g class="y-grid">')
    for tick in sorted(set(ticks), key=ticks.index):
        y = y_of(tick)
        parts.append(f'<line x1="{left}" x2="{plot_right}" y1="{_num(y)}" y2="{_num(y)}" '
                     f'stroke="{GRID}" stroke-width="0.6"/>')
        box = _text_box(left - 5, y + 3, _num(tick), 8, "end")
        if not any(_overlaps(box, other) for other in tick_boxes):
            tick_boxes.append(box)
            parts.append(_text(left - 5, y + 3, _num(tick), size=8, anchor="end", cls="y-tick"))
    parts.append("</g>")
    obstacles.extend(tick_boxes)

    first = min([start, *(p.at for p in points)])
    last = max([end, *(p.at for p in points)])
    span = max((last - first).total_seconds(), 1.0)

    inset = 12  # keeps a point on the first or last day clear of the axes and its label

    def x_of(moment: datetime) -> float:
        return left + inset + (plot_w - 2 * inset) * (moment - first).total_seconds() / span

    parts.append(f'<line x1="{left}" x2="{plot_right}" y1="{axis_y}" y2="{axis_y}" '
                 f'stroke="{MUTED}" stroke-width="0.8"/>')
    for day in _date_ticks(first, last):
        x = x_of(day)
        parts.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{axis_y}" y2="{axis_y + 4}" '
                     f'stroke="{MUTED}" stroke-width="0.8"/>')
        parts.append(_text(x, axis_y + 15, fmt_short_day(day), size=8, anchor="middle"))

    if not points:
        parts.append(_text(left + plot_w / 2, top + plot_h / 2, empty_text,
                           size=11, anchor="middle", fill=INK))
        parts.append("</svg>")
        return "".join(parts)

    ordered = sorted(points, key=lambda p: p.at)
    xs = spread([x_of(p.at) for p in ordered], left + inset, plot_right - inset, POINT_GAP)
    coords = [(x, y_of(p.score)) for x, p in zip(xs, ordered, strict=True)]
    if len(coords) > 1:
        path = " ".join(f"{_num(x)},{_num(y)}" for x, y in coords)
        parts.append(f'<polyline points="{path}" fill="none" stroke="{accent}" '
                     f'stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>')
    best = max(p.score for p in ordered)
    best_index = max(i for i, p in enumerate(ordered) if p.score == best)
    # Markers that would touch their neighbours' (about 60 attempts or more in a period) are
    # left to the line: only the first, the best and the latest keep a marker and a label, so
    # nothing overprints however many attempts there are.
    step = min((b - a for a, b in zip(xs, xs[1:], strict=False)), default=POINT_GAP)
    marked = (set(range(len(ordered))) if step >= 2 * (BEST_RADIUS + 1)
              else {0, best_index, len(ordered) - 1})
    for index, ((x, y), point) in enumerate(zip(coords, ordered, strict=True)):
        if index not in marked:
            continue
        is_best = point.score == best
        radius = BEST_RADIUS if is_best else POINT_RADIUS
        parts.append(f'<circle class="point" cx="{_num(x)}" cy="{_num(y)}" r="{radius}" '
                     f'fill="#ffffff" stroke="{accent}" stroke-width="2"/>')
        if is_best:
            parts.append(f'<circle cx="{_num(x)}" cy="{_num(y)}" r="2" fill="{accent}"/>')
        reach = radius + 1  # the stroke
        obstacles.append((x - reach, y - reach, x + reach, y + reach))

    texts = [fmt_score(p.score) for p in ordered]

    def label(index: int, side: str) -> _Label:
        px, py = coords[index]
        w = text_width(texts[index], LABEL_SIZE)
        if side in ("left", "right"):  # beside the point, for the two labels always kept
            anchor = "end" if side == "left" else "start"
            x = px - LABEL_GAP if side == "left" else px + LABEL_GAP
            y = py + (ASCENT - DESCENT) * LABEL_SIZE / 2
        else:  # centred over or under the point, held inside the plot
            if px - w / 2 < left:
                anchor, x = "start", float(left)
            elif px + w / 2 > plot_right:
                anchor, x = "end", float(plot_right)
            else:
                anchor, x = "middle", px
            y = py - LABEL_GAP if side == "above" else py + LABEL_GAP + ASCENT * LABEL_SIZE
        return _Label(x, y, anchor, _text_box(x, y, texts[index], LABEL_SIZE, anchor))

    def fits(lab: _Label) -> bool:
        """Inside the plot across, inside the chart and above the x axis up and down."""
        x0, y0, x1, y1 = lab.box
        return left <= x0 + LABEL_PAD and x1 - LABEL_PAD <= plot_right and y0 >= 0 and y1 <= axis_y

    def sides(index: int, choices: tuple[str, ...] = ("above", "below")) -> list[str]:
        """The choices the label fits on, preferred first: above, or below a high point."""
        return [s for s in choices if fits(label(index, s))]

    # The best score's label (its latest occurrence) and the latest score's are always kept:
    # choose their places so they clear each other first, then everything else.
    keys = sorted({best_index, len(ordered) - 1})
    options = [sides(i, ("above", "below", "right", "left")) or ["above"] for i in keys]
    chosen: tuple[_Label, ...] = ()
    rating: tuple[int, int, int] | None = None
    for combo in itertools.product(*options):
        labels = tuple(label(i, s) for i, s in zip(keys, combo, strict=True))
        clash = sum(_overlaps(a.box, b.box) for a, b in itertools.combinations(labels, 2))
        hits = sum(_overlaps(lab.box, o) for lab in labels for o in obstacles)
        moved = sum(opts.index(s) for opts, s in zip(options, combo, strict=True))
        if rating is None or (clash, hits, moved) < rating:
            chosen, rating = labels, (clash, hits, moved)
    placed: dict[int, _Label] = dict(zip(keys, chosen, strict=True))
    if rating is not None and rating[0]:  # the two cannot both be read: the best's stays
        placed = {best_index: placed[best_index]}
    for index in sorted(marked):
        if index in placed:
            continue
        for side in sides(index):
            candidate = label(index, side)
            if not any(_overlaps(candidate.box, o)
                       for o in (*obstacles, *(lab.box for lab in placed.values()))):
                placed[index] = candidate
                break
    parts.append('<g class="point-labels">')
    for index in sorted(placed):
        lab = placed[index]
        parts.append(_text(lab.x, lab.y, texts[index], size=LABEL_SIZE, anchor=lab.anchor,
                           fill=INK, weight="bold" if ordered[index].score == best else "normal",
                           cls="point-label"))
    parts.append("</g></svg>")
    return "".join(parts)


def _bin_of(score: float) -> int:
    return min(9, max(0, int(score // 10)))


def histogram_description(best_scores: Sequence[float], rep_best: float | None) -> str:
    """One sentence saying what the cohort histogram shows, for its <title> and screen readers."""
    if not best_scores:
        return _sentence(gettext(EMPTY_COHORT_TEXT))
    count = len(best_scores)
    if rep_best is None:
        # Translators: a histogram's description for screen readers.
        return ngettext("Best scores of %(num)s participant in 10-point bins.",
                        "Best scores of %(num)s participants in 10-point bins.", count)
    low = _bin_of(rep_best) * 10
    # Translators: a histogram's description for screen readers: %(score)s is the reader's
    # best score, in the bin of scores from %(low)s to %(high)s.
    return ngettext("Best scores of %(num)s participant in 10-point bins; yours, %(score)s, "
                    "is in the %(low)s-%(high)s bin.",
                    "Best scores of %(num)s participants in 10-point bins; yours, %(score)s, "
                    "is in the %(low)s-%(high)s bin.",
                    count, score=fmt_score(rep_best), low=low, high=low + 10)


def _score_bins_axis(parts: list[str], left: float, plot_w: float, bar_w: float,
                     base_y: float, height: float) -> None:
    """The 0-100 axis under a histogram of 10-point bins: a label every 20 points, the base
    line and the axis title, the same on every histogram."""
    for index in range(0, 10, 2):
        parts.append(_text(left + index * bar_w, base_y + 12, index * 10, size=7.5,
                           anchor="middle"))
    parts.append(_text(left + plot_w, base_y + 12, 100, size=7.5, anchor="middle"))
    parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{base_y}" y2="{base_y}" '
                 f'stroke="{MUTED}" stroke-width="0.8"/>')
    # Translators: a histogram's axis title (its bins are best scores, 0 to 100).
    parts.append(_text(left + plot_w / 2, height - 2, gettext("best score"), size=7.5,
                       anchor="middle"))


def cohort_histogram(best_scores: Sequence[float], rep_best: float | None, accent: str, *,
                     width: int = 300, height: int = 130) -> str:
    """Best scores of everyone in the cohort in 10-point bins, the rep's bin in the accent.

    A histogram rather than a rank pie because it shows distance: 74 and 51 are both bronze,
    but one is a step from silver.
    """
    left, right, top, bottom = 22, 8, 20, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    accent = _esc(accent)
    parts = [_svg_open(width, height, histogram_description(best_scores, rep_best))]
    if not best_scores:
        parts.append(_text(width / 2, height / 2, gettext(EMPTY_COHORT_TEXT), size=10,
                           anchor="middle", fill=INK))
        parts.append("</svg>")
        return "".join(parts)

    bins = [0] * 10
    for score in best_scores:
        bins[_bin_of(score)] += 1
    rep_bin = None if rep_best is None else _bin_of(rep_best)
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
    _score_bins_axis(parts, left, plot_w, bar_w, base_y, height)
    if rep_best is not None:
        x = left + plot_w * max(0.0, min(100.0, rep_best)) / 100
        parts.append(f'<line x1="{_num(x)}" x2="{_num(x)}" y1="{top - 4}" y2="{base_y}" '
                     f'stroke="{INK}" stroke-width="1.2" stroke-dasharray="3 2"/>')
        anchor = "end" if x > left + plot_w * 0.8 else "start"
        offset = -4 if anchor == "end" else 4
        # Translators: marks the reader's own best score on a histogram: "You: 78.4".
        parts.append(_text(x + offset, top - 7, gettext("You: %(score)s",
                                                        score=fmt_score(rep_best)), size=8.5,
                           anchor=anchor, fill=INK, weight="bold"))
    parts.append("</svg>")
    return "".join(parts)


def comparison_description(team: Sequence[float], everyone: Sequence[float]) -> str:
    """One sentence saying what the team's comparison histogram shows."""
    if not team and not everyone:
        return _sentence(gettext(EMPTY_COHORT_TEXT))
    # Translators: a histogram's description for screen readers: the team's %(num)s best
    # scores beside the %(everyone)s of everyone who practised the scenario.
    return ngettext("Share of the team's %(num)s best score and of everyone's %(everyone)s "
                    "(all who practised) in each 10-point bin.",
                    "Share of the team's %(num)s best scores and of everyone's %(everyone)s "
                    "(all who practised) in each 10-point bin.",
                    len(team), everyone=len(everyone))


def comparison_histogram(team: Sequence[float], everyone: Sequence[float], accent: str, *,
                         width: int = 420, height: int = 140) -> str:
    """The team's best scores against everyone who practised, as the share of each group in
    10-point bins, side by side: shares, because a team of 8 and a workspace of 300 only
    compare as proportions."""
    left, right, top, bottom = 26, 8, 22, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    accent = _esc(accent)
    parts = [_svg_open(width, height, comparison_description(team, everyone))]
    if not team and not everyone:
        parts.append(_text(width / 2, height / 2, gettext(EMPTY_COHORT_TEXT), size=10,
                           anchor="middle", fill=INK))
        parts.append("</svg>")
        return "".join(parts)

    def shares(scores: Sequence[float]) -> list[float]:
        bins = [0] * 10
        for score in scores:
            bins[_bin_of(score)] += 1
        return [b / len(scores) if scores else 0.0 for b in bins]

    series = ((shares(team), accent), (shares(everyone), "#aeb6c1"))
    tallest = max(max(s) for s, _ in series) or 1.0
    bar_w = plot_w / 10
    base_y = top + plot_h
    for tick in (0.25, 0.5, 0.75, 1.0):
        if tick > tallest + 1e-9:
            break
        y = base_y - plot_h * tick / tallest
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{_num(y)}" y2="{_num(y)}" '
                     f'stroke="{GRID}" stroke-width="0.6"/>')
        parts.append(_text(left - 4, y + 3, fmt_share(tick), size=7, anchor="end"))
    for index in range(10):
        x = left + index * bar_w
        for k, (values, fill) in enumerate(series):
            h = plot_h * values[index] / tallest
            if h:
                parts.append(f'<rect x="{_num(x + 2 + k * (bar_w - 4) / 2)}" '
                             f'y="{_num(base_y - h)}" width="{_num((bar_w - 4) / 2)}" '
                             f'height="{_num(h)}" rx="1" fill="{fill}"/>')
    _score_bins_axis(parts, left, plot_w, bar_w, base_y, height)
    # Translators: the legend of a histogram: the team's and everyone's best scores, with
    # how many each group has.
    labels = (gettext("This team (%(num)s)", num=len(team)),
              gettext("Everyone who practised (%(num)s)", num=len(everyone)))
    x = left + 4
    for label, (_, fill) in zip(labels, series, strict=True):
        parts.append(f'<rect x="{_num(x)}" y="{top - 16}" width="8" height="8" rx="1" '
                     f'fill="{fill}"/>')
        parts.append(_text(x + 11, top - 9, label, size=7.5, anchor="start", fill=INK))
        # the next entry 120 along, or clear of a longer label (another language's)
        x += max(120, math.ceil(11 + text_width(label, 7.5) + 10))
    parts.append("</svg>")
    return "".join(parts)
