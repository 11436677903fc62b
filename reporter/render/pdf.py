"""The renderer every PDF is drawn with: Jinja2 HTML -> WeasyPrint PDF, with the templates,
stylesheet, fonts and fetcher built once per worker.

What a document prints is decided elsewhere (the rep's report in ``render.rep_pdf``, the team
report in ``render.team_pdf``), each handing its templates a typed context ready to print.
Rendering is CPU-bound and WeasyPrint is single-threaded, so reports are spread over a process
pool whose workers load templates, CSS and fonts once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment

from reporter.format import (
    TONES,
    clip,
    clip_phrasing,
    fmt_clock,
    fmt_day,
    fmt_grade,
    fmt_grade_symbol,
    fmt_graded_good,
    fmt_minutes,
    fmt_names,
    fmt_ordinal,
    fmt_point_count,
    fmt_points,
    fmt_rank,
    fmt_score,
    fmt_share,
    fmt_short_day,
)
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

#: The rep's report, the renderer's main document: compiled as a worker starts, so a broken
#: template fails before any report is drawn.
REPORT_TEMPLATE = "rep/report.html"
STYLESHEET_TEMPLATE = "report.css"


def finisher(options: PdfOptions) -> Callable[[Any, Any], None] | None:
    """WeasyPrint's ``finisher``: what tagging needs after WeasyPrint is done, or None."""
    return scope_table_headers if options.tagged else None


FILTERS: dict[str, Callable[..., Any]] = {
    "score": fmt_score, "points": fmt_points, "share": fmt_share, "ordinal": fmt_ordinal,
    "day": fmt_day, "short_day": fmt_short_day, "minutes": fmt_minutes, "clock": fmt_clock,
    "rank": fmt_rank, "grade_symbol": fmt_grade_symbol, "grade": fmt_grade, "clip": clip,
    "phrasing": clip_phrasing,
    "point_count": fmt_point_count, "graded_good": fmt_graded_good,
    "names": fmt_names,
}


@dataclass(frozen=True)
class Assets:
    """The files a document links to, as URLs the fetcher serves."""

    logo_url: str | None


# -- rendering -----------------------------------------------------------------------------


def fetcher_of(options: PdfOptions) -> AssetFetcher:
    logo = options.branding.logo
    return AssetFetcher((BUNDLED_TEMPLATES,), (Path(logo),) if logo else ())


def assets_of(options: PdfOptions) -> Assets:
    logo = options.branding.logo
    return Assets(logo_url=Path(logo).resolve().as_uri() if logo else None)


def stylesheet_text(env: Environment, options: PdfOptions) -> str:
    return env.get_template(STYLESHEET_TEMPLATE).render(
        accent=options.branding.accent, paper=PAPER_SIZES[options.paper.lower()], tones=TONES)


BASE_URL = BUNDLED_TEMPLATES.as_uri() + "/"


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
        self.fetcher = fetcher_of(options)
        self.assets = assets_of(options)
        self.base_url = BASE_URL
        self.env = environment(options.templates_dir, FILTERS)
        with template_errors():
            self.template = self.env.get_template(REPORT_TEMPLATE)
            css_text = stylesheet_text(self.env, options)
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
