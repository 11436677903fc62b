"""The per-rep PDF coaching report: view models -> Jinja2 HTML -> WeasyPrint PDF.

Templates only format: every choice (which moments, which heatmap columns, the summary
sentence, the charts) is made here in Python where it can be tested, and handed to the
templates ready to print. Rendering is CPU-bound and WeasyPrint is single-threaded, so
reports are spread over a process pool whose workers load templates, CSS and fonts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from reporter.analytics.bounds import rubric_shown, sessions_listed
from reporter.format import (
    GRADE_LABELS,
    GRADE_SYMBOLS,
    TONES,
    clip,
    fmt_attempt_days,
    fmt_clock,
    fmt_comparison,
    fmt_day,
    fmt_decline,
    fmt_direction,
    fmt_grade,
    fmt_grade_symbol,
    fmt_graded_good,
    fmt_minutes,
    fmt_ordinal,
    fmt_point_count,
    fmt_points,
    fmt_rank,
    fmt_score,
    fmt_share,
    fmt_short_day,
)
from reporter.render import charts
from reporter.render.fetcher import AssetFetcher
from reporter.render.mends import (
    LISTS_OR_NOTES,
    OWN_CUSTOM_PROPERTIES,
    fix_tinyhtml5_cache,
    inline_custom_properties,
    lean_html_class,
    scope_table_headers,
)
from reporter.render.options import PAPER_SIZES, PdfOptions
from reporter.render.templates import BUNDLED_TEMPLATES, environment, template_errors
from reporter.views import Attempt, ItemRow, Moment, ReportView, RepView

REPORT_TEMPLATE = "rep/report.html"
STYLESHEET_TEMPLATE = "report.css"
# A heatmap wider than this stops being readable (older sessions are left out; analytics
# caps the moments and patterns themselves).
MAX_HEATMAP_COLUMNS = 14
# Roughly what fits on one page of moment cards, counted in characters of quoted text plus
# a fixed cost per card; long answers mean fewer cards, never a second page.
MOMENTS_PAGE_BUDGET = 2600
MOMENT_CARD_COST = 220
QUOTE_CHARS = 260
# Low enough that Progress usually fits on page 1 under "Where you stand" (it moves to page 2
# whole when it does not).
PROGRESS_CHART_HEIGHT = 125
FEEDBACK_CHARS = 300



def finisher(options: PdfOptions) -> Callable[[Any, Any], None] | None:
    """WeasyPrint's ``finisher``: what tagging needs after WeasyPrint is done, or None."""
    return scope_table_headers if options.tagged else None


FILTERS: dict[str, Callable[..., Any]] = {
    "score": fmt_score, "points": fmt_points, "share": fmt_share, "ordinal": fmt_ordinal,
    "day": fmt_day, "short_day": fmt_short_day, "minutes": fmt_minutes, "clock": fmt_clock,
    "rank": fmt_rank, "grade_symbol": fmt_grade_symbol, "grade": fmt_grade, "clip": clip,
    "point_count": fmt_point_count, "graded_good": fmt_graded_good,
}


# -- what each section shows, decided here ----------------------------------------------


@dataclass(frozen=True)
class HeatmapGroup:
    criterion: str
    rows: tuple[ItemRow, ...]


@dataclass(frozen=True)
class Heatmap:
    columns: tuple[Attempt, ...]
    headings: tuple[str, ...]  # per column: "Nov 28", or "Nov 28, 2nd" on a day of several
    groups: tuple[HeatmapGroup, ...]
    hidden_columns: int  # older sessions left out to keep the table readable
    hidden_items: int = 0  # items past analytics.bounds.RUBRIC_ITEMS_SHOWN, left out


@dataclass(frozen=True)
class MomentCard:
    moment: Moment
    label: str  # "What worked" / "What to change" / "Feedback"
    tone: str  # "good" / "change" / "neutral", for the card's colour


def build_heatmap(rep: RepView) -> Heatmap:
    columns = rep.rubric_sessions
    start = max(0, len(columns) - MAX_HEATMAP_COLUMNS)
    shown, hidden = rubric_shown(rep.rubric, (*rep.coaching.focus_areas,
                                              *rep.coaching.strengths))
    groups: dict[str, list[ItemRow]] = {}
    for row in shown:
        groups.setdefault(row.criterion, []).append(replace(row, grades=row.grades[start:]))
    headings = fmt_attempt_days([a.created_at for a in columns])
    return Heatmap(
        columns=columns[start:],
        headings=tuple(headings[start:]),
        groups=tuple(HeatmapGroup(c, tuple(rows)) for c, rows in groups.items()),
        hidden_columns=start,
        hidden_items=hidden,
    )


def moment_cards(rep: RepView) -> tuple[MomentCard, ...]:
    cards: list[MomentCard] = []
    seen: set[str] = set()
    budget = MOMENTS_PAGE_BUDGET
    for moment in rep.coaching.moments:
        key = " ".join(moment.quote.lower().split())
        if key in seen:
            continue
        cost = MOMENT_CARD_COST + len(clip(moment.quote, QUOTE_CHARS)) + sum(
            len(clip(text, FEEDBACK_CHARS)) for text in (moment.feedback, moment.suggestion))
        if cards and cost > budget:
            break
        budget -= cost
        seen.add(key)
        if moment.grade == "good":
            cards.append(MomentCard(moment, "What worked", "good"))
        elif moment.grade in ("mid", "bad"):
            cards.append(MomentCard(moment, "What to change", "change"))
        else:
            cards.append(MomentCard(moment, "Feedback", "neutral"))
    return tuple(cards)


def _score_points(rep: RepView) -> list[charts.ScorePoint]:
    return [charts.ScorePoint(a.created_at, a.score) for a in rep.attempts
            if a.is_valid and a.score is not None]


@dataclass
class _Assets:
    logo_url: str | None


def build_context(report: ReportView, rep: RepView, options: PdfOptions,
                  assets: _Assets) -> dict[str, Any]:
    """Everything the templates print, already chosen, ordered and capped."""
    brand = options.branding
    accent = brand.accent
    period = report.period
    cohort = report.cohort
    author = brand.company or report.workspace_name
    points = _score_points(rep)
    verdict = rep.verdict
    assert verdict is not None, "build_rep sets the verdict"
    no_attempt = f"No valid attempt in {period.prose}{'' if period.finished else ' yet'}"
    invalid, invalid_left_out = sessions_listed([a for a in rep.attempts if not a.is_valid])
    return {
        "report": report,
        "rep": rep,
        "cohort": cohort,
        "empty": not rep.has_valid_attempt,
        "company": brand.company,
        "logo_url": assets.logo_url,
        "title": f"Coaching report: {rep.name}: {report.scenario.name} ({period.prose})",
        "doc_type": "Roleplay coaching report",
        "heading": rep.name,
        "subheading": None,
        "confidential": "Confidential coaching material",
        "author": author,
        "description": (f"Roleplay coaching report for {rep.name}, scenario "
                        f"{report.scenario.name}, period {period.prose}"),
        "created": report.generated_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "summary": verdict.headline,
        "direction": fmt_direction(verdict.direction),
        "plan": rep.coaching,
        "step": rep.coaching.next_step,
        "step_text": rep.coaching.step_text,
        "target_line": verdict.target_line,
        "target_state": rep.coaching.target.state if rep.coaching.target else None,
        "last_period_line": fmt_comparison(rep.comparison),
        "decline_line": fmt_decline(rep.coaching.decline),
        "progress_chart": Markup(charts.score_over_time(
            points, period.start, period.end, accent, height=PROGRESS_CHART_HEIGHT,
            empty_text=no_attempt)),
        "progress_alt": charts.score_chart_description(points, empty_text=no_attempt),
        "cohort_chart": Markup(charts.cohort_histogram(
            cohort.best_scores, rep.best_score, accent)),
        "cohort_alt": charts.histogram_description(cohort.best_scores, rep.best_score),
        "cohort_size": cohort.api.participant_count or len(cohort.best_scores) or None,
        "heatmap": build_heatmap(rep),
        "strengths": rep.coaching.strengths,
        "focus_areas": rep.coaching.focus_areas,
        "moments": moment_cards(rep),
        "latest": rep.latest,
        "invalid_attempts": invalid,
        "invalid_left_out": invalid_left_out,
        "transcript": rep.transcript if options.transcripts else None,
        "language": options.language,
        "grade_symbols": GRADE_SYMBOLS,
        "grade_labels": GRADE_LABELS,
        "quote_chars": QUOTE_CHARS,
        "feedback_chars": FEEDBACK_CHARS,
    }


# -- rendering -----------------------------------------------------------------------------


def _fetcher(options: PdfOptions) -> AssetFetcher:
    logo = options.branding.logo
    return AssetFetcher((BUNDLED_TEMPLATES,), (Path(logo),) if logo else ())


def _assets(options: PdfOptions) -> _Assets:
    logo = options.branding.logo
    return _Assets(logo_url=Path(logo).resolve().as_uri() if logo else None)


def _stylesheet_text(env: Environment, options: PdfOptions) -> str:
    return env.get_template(STYLESHEET_TEMPLATE).render(
        accent=options.branding.accent, paper=PAPER_SIZES[options.paper.lower()], tones=TONES)


BASE_URL = BUNDLED_TEMPLATES.as_uri() + "/"


def render_straightforward(report: ReportView, rep: RepView, options: PdfOptions) -> bytes:
    """One report the plain way: a new Jinja environment, stylesheet and font configuration,
    nothing kept. Not used by runs; it is the baseline ``bench/bench_pdf.py`` measures the
    renderer against, and the reference ``tests/test_pdf.py`` checks its output against (the
    optimisations must make reports faster, never different)."""
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _fetcher(options)
    env = environment(options.templates_dir, FILTERS)
    with template_errors():
        html = env.get_template(REPORT_TEMPLATE).render(
            **build_context(report, rep, options, _assets(options)))
        css_text = _stylesheet_text(env, options)
    font_config = FontConfiguration()
    stylesheet = CSS(string=css_text, base_url=BASE_URL, url_fetcher=fetcher,
                     font_config=font_config)
    pdf: bytes = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], font_config=font_config,
        pdf_variant=options.pdf_variant, finisher=finisher(options))
    return pdf


class PdfRenderer:
    """Templates, stylesheet, fonts and fetcher for one set of options, built once.

    Building these costs far more than a small report, so a worker keeps one for its life:
    the Jinja environment (templates compiled once), the ``CSS`` object (the stylesheet parsed
    and its selectors indexed once) and the ``FontConfiguration``, whose Pango font map caches
    every font face and fallback list it has matched (a fresh one costs ~130 ms a report).
    Per document it also skips work that cannot change the result: ``var()`` substituted once
    (:func:`inline_custom_properties`) and the user-agent rules no report uses left out
    (:func:`lean_html_class`).
    """

    def __init__(self, options: PdfOptions) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        fix_tinyhtml5_cache()
        self.options = options
        self.fetcher = _fetcher(options)
        self.assets = _assets(options)
        self.base_url = BASE_URL
        self.env = environment(options.templates_dir, FILTERS)
        with template_errors():
            self.template = self.env.get_template(REPORT_TEMPLATE)
            css_text = _stylesheet_text(self.env, options)
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=css_text, base_url=self.base_url,
                              url_fetcher=self.fetcher, font_config=self.font_config)
        inlined = inline_custom_properties(css_text)
        self.inlined_stylesheet = self.stylesheet if inlined == css_text else CSS(
            string=inlined, base_url=self.base_url, url_fetcher=self.fetcher,
            font_config=self.font_config)
        self.variant = options.pdf_variant
        self.finisher = finisher(options)
        self.lean_html = None if LISTS_OR_NOTES.search(css_text) else lean_html_class()

    def html(self, report: ReportView, rep: RepView) -> str:
        with template_errors():
            return self.template.render(**build_context(report, rep, self.options, self.assets))

    def render(self, report: ReportView, rep: RepView) -> tuple[bytes, int]:
        return self.pdf(self.html(report, rep))

    def pdf(self, html: str) -> tuple[bytes, int]:
        """(PDF bytes, page count) of one document's HTML (a rep's report or a team's), with
        the worker's stylesheet."""
        from weasyprint import HTML

        stylesheet = (self.stylesheet if OWN_CUSTOM_PROPERTIES.search(html)
                      else self.inlined_stylesheet)
        html_class = (self.lean_html if self.lean_html and not LISTS_OR_NOTES.search(html)
                      else HTML)
        document = html_class(string=html, base_url=self.base_url, url_fetcher=self.fetcher).render(
            stylesheets=[stylesheet], font_config=self.font_config, pdf_variant=self.variant)
        return (document.write_pdf(pdf_variant=self.variant, finisher=self.finisher),
                len(document.pages))

    def warm_up(self) -> None:
        """Load Pango and the Latin, Arabic and CJK fonts, regular and bold, before the first
        real report."""
        self.pdf('<p>Warm-up Ééà 王小明 فاطمة ✓ ✗ ~ –</p>'
                  '<p><b>Warm-up Ééà 王小明 فاطمة ✓ ✗ ~ –</b> <i>Warm-up Ééà</i></p>')
