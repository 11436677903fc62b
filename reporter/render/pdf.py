"""The per-rep PDF coaching report: view models -> Jinja2 HTML -> WeasyPrint PDF.

Templates only format: every choice (which moments, which heatmap columns, the summary
sentence, the charts) is made here in Python where it can be tested, and handed to the
templates ready to print. Rendering is CPU-bound and WeasyPrint is single-threaded, so
reports are spread over a process pool whose workers load templates, CSS and fonts once.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import multiprocessing
import os
import re
import signal
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from reporter.files import atomic_write_bytes
from reporter.format import (
    GRADE_LABELS,
    GRADE_SYMBOLS,
    clip,
    fmt_clock,
    fmt_comparison,
    fmt_day,
    fmt_decline,
    fmt_grade,
    fmt_grade_symbol,
    fmt_graded_good,
    fmt_minutes,
    fmt_ordinal,
    fmt_point_count,
    fmt_points,
    fmt_rank,
    fmt_rank_gap,
    fmt_score,
    fmt_share,
    fmt_short_day,
    fmt_target,
)
from reporter.render import charts
from reporter.render.fetcher import AssetFetcher
from reporter.render.templates import BUNDLED_TEMPLATES, environment, template_errors
from reporter.views import Attempt, ItemRow, Moment, ReportView, RepView, TeamView

REPORT_TEMPLATE = "report/base.html"
STYLESHEET_TEMPLATE = "report/report.css"
PAPER_SIZES = {"a4": "A4", "letter": "letter"}
_HEX_COLOUR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")
PDF_UA = "pdf/ua-1"

# A heatmap wider than this stops being readable (older sessions are left out; analytics
# caps the moments and patterns themselves).
MAX_HEATMAP_COLUMNS = 14
# Roughly what fits on one page of moment cards, counted in characters of quoted text plus
# a fixed cost per card; long answers mean fewer cards, never a second page.
MOMENTS_PAGE_BUDGET = 2600
MOMENT_CARD_COST = 220
QUOTE_CHARS = 260
# Low enough that "Where you stand" still fits on page 1 under the next step.
PROGRESS_CHART_HEIGHT = 150
FEEDBACK_CHARS = 300



@dataclass(frozen=True)
class Branding:
    """Company name, logo file and accent colour from the configuration's branding section."""

    company: str | None = None
    logo: Path | None = None
    accent: str = "#1f6feb"

    def __post_init__(self) -> None:
        if not isinstance(self.accent, str) or not _HEX_COLOUR.fullmatch(self.accent):
            raise ValueError(
                f"branding accent must be a CSS hex colour like #1f6feb or #16a, "
                f"got {self.accent!r}"
            )
        if self.logo is not None and not Path(self.logo).is_file():
            raise ValueError(f"logo file not found: {self.logo}")


@dataclass(frozen=True)
class PdfOptions:
    paper: str = "A4"  # "A4" | "letter"
    transcripts: bool = False
    branding: Branding = field(default_factory=Branding)
    templates_dir: Path | None = None
    language: str = "en"  # the document language (BCP 47), for screen readers and hyphens
    # Tagged PDF/UA-1: structure, reading order and text alternatives for assistive technology.
    tagged: bool = True

    def __post_init__(self) -> None:
        if str(self.paper).lower() not in PAPER_SIZES:
            raise ValueError(f"paper must be A4 or letter, got {self.paper!r}")
        if not _LANGUAGE.fullmatch(self.language):
            raise ValueError(f"language must be a language tag like en or fr-CA, "
                             f"got {self.language!r}")


@dataclass(frozen=True)
class RenderedPdf:
    slug: str
    email: str
    path: Path
    pages: int
    sha256: str
    empty: bool


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
    groups: tuple[HeatmapGroup, ...]
    hidden_columns: int  # older sessions left out to keep the table readable


@dataclass(frozen=True)
class MomentCard:
    moment: Moment
    label: str  # "What worked" / "What to change" / "Feedback"
    tone: str  # "good" / "change" / "neutral", for the card's colour


def build_heatmap(rep: RepView) -> Heatmap:
    columns = rep.rubric_sessions
    start = max(0, len(columns) - MAX_HEATMAP_COLUMNS)
    groups: dict[str, list[ItemRow]] = {}
    for row in rep.rubric:
        groups.setdefault(row.criterion, []).append(replace(row, grades=row.grades[start:]))
    return Heatmap(
        columns=columns[start:],
        groups=tuple(HeatmapGroup(c, tuple(rows)) for c, rows in groups.items()),
        hidden_columns=start,
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


def summary_sentence(rep: RepView, report: ReportView) -> str:
    """One plain sentence a rep reads first: how they did, whether they improved, whether
    they slipped, and how close the next rank is. Every figure comes from the rep's view."""
    name = rep.first_name
    period = report.period
    if not rep.has_valid_attempt:
        tail = " yet" if not period.finished else ""
        return f"{name}, you have no valid attempt at this scenario in {period.prose}{tail}."
    plan = rep.coaching
    best = f"{fmt_score(rep.best_score)} ({fmt_rank(rep.best_rank)})"
    if rep.valid_count == 1:
        text = (f"{name}, your one valid attempt scored {best}. A second attempt will show how "
                f"you are progressing.")
    elif rep.lift is not None and rep.lift > 0:
        text = (f"{name}, you improved by {fmt_point_count(rep.lift)}, from "
                f"{fmt_score(rep.first_score)} to a best of {best}, over {rep.valid_count} "
                f"valid attempts.")
    else:
        text = f"{name}, your best of {best} came on your first valid attempt."
    if plan.decline is not None:
        text += f" Your latest scored {fmt_decline(plan.decline)}."
    elif rep.valid_count > 1 and rep.lift is not None and rep.lift <= 0:
        text += f" Your latest scored {fmt_score(rep.latest_score)}."
    if plan.rank_gap is not None:
        text += f" You are {fmt_rank_gap(plan.rank_gap)}."
    if rep.percentile is not None:
        text += f" That puts you in the {fmt_ordinal(rep.percentile)} percentile of the cohort."
    return text


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
    no_attempt = f"No valid attempt in {period.prose}{'' if period.finished else ' yet'}"
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
        "summary": summary_sentence(rep, report),
        "plan": rep.coaching,
        "step": rep.coaching.next_step,
        "target_line": fmt_target(rep.coaching.target),
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
        "invalid_attempts": tuple(a for a in rep.attempts if not a.is_valid),
        "transcript": rep.transcript if options.transcripts else None,
        "language": options.language,
        "grade_symbols": GRADE_SYMBOLS,
        "grade_labels": GRADE_LABELS,
        "quote_chars": QUOTE_CHARS,
        "feedback_chars": FEEDBACK_CHARS,
    }


# -- rendering -----------------------------------------------------------------------------


class PdfRenderer:
    """Templates, stylesheet, fonts and fetcher for one set of options, built once.

    Building these costs far more than a small report, so a worker keeps one for its life.
    """

    def __init__(self, options: PdfOptions) -> None:
        from weasyprint import CSS
        from weasyprint.text.fonts import FontConfiguration

        self.options = options
        logo = options.branding.logo
        self.fetcher = AssetFetcher((BUNDLED_TEMPLATES,), (Path(logo),) if logo else ())
        self.assets = _Assets(logo_url=Path(logo).resolve().as_uri() if logo else None)
        self.base_url = (BUNDLED_TEMPLATES / "report").as_uri() + "/"
        self.env = environment(options.templates_dir, FILTERS)
        with template_errors():
            self.template = self.env.get_template(REPORT_TEMPLATE)
            css_text = self.env.get_template(STYLESHEET_TEMPLATE).render(
                accent=options.branding.accent, paper=PAPER_SIZES[options.paper.lower()])
        self.font_config = FontConfiguration()
        self.stylesheet = CSS(string=css_text, base_url=self.base_url,
                              url_fetcher=self.fetcher, font_config=self.font_config)

    def html(self, report: ReportView, rep: RepView) -> str:
        with template_errors():
            return self.template.render(**build_context(report, rep, self.options, self.assets))

    def render(self, report: ReportView, rep: RepView) -> tuple[bytes, int]:
        return self.pdf(self.html(report, rep))

    def pdf(self, html: str) -> tuple[bytes, int]:
        """(PDF bytes, page count) of one document's HTML, with the shared stylesheet."""
        from weasyprint import HTML

        variant = PDF_UA if self.options.tagged else None
        document = HTML(string=html, base_url=self.base_url,
                        url_fetcher=self.fetcher).render(
            stylesheets=[self.stylesheet], font_config=self.font_config, pdf_variant=variant)
        return document.write_pdf(pdf_variant=variant), len(document.pages)

    def warm_up(self) -> None:
        """Load Pango and the Latin, Arabic and CJK fonts before the first real report."""
        from weasyprint import HTML

        HTML(string='<p>Warm-up Ééà 王小明 فاطمة ✓ ✗ ~ –</p>', base_url=self.base_url,
             url_fetcher=self.fetcher).write_pdf(stylesheets=[self.stylesheet],
                                                 font_config=self.font_config)


def target_path(out_dir: Path, slug: str) -> Path:
    """``out_dir/reps/<slug>.pdf``, refusing any slug that would land elsewhere."""
    reps_dir = (Path(out_dir) / "reps").resolve()
    if not slug or slug in (".", "..") or "/" in slug or "\\" in slug or "\x00" in slug:
        raise ValueError(f"unsafe report file name {slug!r}")
    path = (reps_dir / f"{slug}.pdf").resolve()
    if path.parent != reps_dir:
        raise ValueError(f"report path for {slug!r} escapes {reps_dir}")
    return path


def _write(renderer: PdfRenderer, out_dir: Path, report: ReportView,
           rep: RepView) -> RenderedPdf:
    path = target_path(out_dir, rep.slug)
    pdf, pages = renderer.render(report, rep)
    atomic_write_bytes(path, pdf)
    return RenderedPdf(slug=rep.slug, email=rep.email, path=path, pages=pages,
                       sha256=hashlib.sha256(pdf).hexdigest(), empty=not rep.has_valid_attempt)


def _write_team(renderer: PdfRenderer, path: Path, report: ReportView,
                team: TeamView) -> RenderedPdf:
    from reporter.render.team_pdf import render_team

    pdf, pages = render_team(renderer, report, team)
    atomic_write_bytes(path, pdf)
    return RenderedPdf(slug=team.slug, email=team.manager.email if team.manager else "",
                       path=path, pages=pages, sha256=hashlib.sha256(pdf).hexdigest(),
                       empty=not team.reps)


_WORKER: PdfRenderer | None = None


def _init_worker(options: PdfOptions) -> None:
    """Build the worker's renderer once. Ctrl-C reaches every process of the terminal's group:
    the worker ignores it, and the parent, which owns the run, stops the pool and says so once
    (a worker's KeyboardInterrupt traceback would bury that line)."""
    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = PdfRenderer(options)
    _WORKER.warm_up()


def _render_in_worker(out_dir: Path, report: ReportView, rep: RepView) -> RenderedPdf:
    assert _WORKER is not None, "worker initializer did not run"
    return _write(_WORKER, out_dir, report, rep)


def _render_team_in_worker(path: Path, report: ReportView, team: TeamView) -> RenderedPdf:
    assert _WORKER is not None, "worker initializer did not run"
    return _write_team(_WORKER, path, report, team)


class PdfRenderPool:
    """Renders reps' PDFs in parallel processes, each with its own renderer built once.

    ``jobs=1`` renders in this process on one background thread, so a caller that is still
    fetching (an event loop) is never blocked by a render.
    """

    def __init__(self, options: PdfOptions, out_dir: Path, jobs: int | None = None) -> None:
        self.options = options
        self.out_dir = Path(out_dir)
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self._renderer: PdfRenderer | None = None
        self._executor: cf.Executor
        if self.jobs == 1:
            self._renderer = PdfRenderer(options)
            self._executor = cf.ThreadPoolExecutor(max_workers=1,
                                                   thread_name_prefix="pdf-render")
        else:
            # spawn, not fork: the caller may hold threads (HTTP client, event loop) that a
            # forked child would inherit in an unknown state.
            self._executor = cf.ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(options,))

    def submit(self, report: ReportView, rep: RepView) -> cf.Future[RenderedPdf]:
        """Queue one rep; the future fails (ValueError) for an unsafe slug, others go on."""
        header = replace(report, reps=()) if report.reps else report
        try:
            target_path(self.out_dir, rep.slug)
        except ValueError as exc:
            failed: cf.Future[RenderedPdf] = cf.Future()
            failed.set_exception(exc)
            return failed
        if self._renderer is not None:
            return self._executor.submit(_write, self._renderer, self.out_dir, header, rep)
        return self._executor.submit(_render_in_worker, self.out_dir, header, rep)

    def submit_team(self, report: ReportView, team: TeamView,
                    path: Path) -> cf.Future[RenderedPdf]:
        """Queue a team report, written to ``path`` (a name the pipeline chose)."""
        header = replace(report, reps=(), needs_attention=())
        if self._renderer is not None:
            return self._executor.submit(_write_team, self._renderer, path, header, team)
        return self._executor.submit(_render_team_in_worker, path, header, team)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)

    def __enter__(self) -> PdfRenderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
