"""The per-rep PDF report: what a rep or manager would see, and what it must never do."""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from reporter.analytics.program import of_scenario, scenario_rep
from reporter.format import TONES, fmt_score
from reporter.i18n import use
from reporter.names import target_path
from reporter.render import charts
from reporter.render.mends import inline_custom_properties
from reporter.render.options import Branding, PdfOptions
from reporter.render.pdf import PdfRenderer
from reporter.render.pool import PdfRenderPool, RenderedPdf
from reporter.render.rep_pdf import render_straightforward
from reporter.views import Moment, ReportView, RepView
from tests.sample_views import sample_report
from tests.support import scenario_rep_html, scenario_rep_pdf


@functools.cache
def _renderer(options: PdfOptions) -> PdfRenderer:
    """One renderer per set of options for the whole module: building one costs ~0.5 s."""
    return PdfRenderer(options)


def render_rep_pdf(report: ReportView, rep: RepView, options: PdfOptions) -> tuple[bytes, int]:
    return scenario_rep_pdf(_renderer(options), report, rep)


def render_reports(report: ReportView, out_dir: Path, options: PdfOptions, jobs: int | None = None,
                   skip_empty: bool = False) -> list[RenderedPdf]:
    """Every rep's PDF through the pool, as the pipeline submits them."""
    program = of_scenario(report)  # a single-scenario run: the program of its one scenario
    reps = [r for r in program.reps if r.has_valid_attempt or not skip_empty]
    with PdfRenderPool(options, out_dir, jobs) as pool:
        futures = [pool.submit(program, rep) for rep in reps]
        return [f.result() for f in futures]

REPORT = sample_report()
BY_EMAIL = {r.email: r for r in REPORT.reps}
AMELIE = BY_EMAIL["amelie@acme.test"]
BOB = BY_EMAIL["bob@acme.test"]
CARLA = BY_EMAIL["carla@acme.test"]
WANG = BY_EMAIL["wang@acme.test"]
FATIMA = BY_EMAIL["fatima@acme.test"]


@pytest.fixture(scope="module")
def renderer() -> PdfRenderer:
    return PdfRenderer(PdfOptions())


def _reader(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def _text(pdf: bytes) -> str:
    """Every page's text as pdftotext reads it (a tenth of pypdf's time)."""
    assert shutil.which("pdftotext"), "poppler-utils is a test dependency (make test installs it)"
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, check=True,
                          capture_output=True).stdout.decode()


def _flat(text: str) -> str:
    """Text-layer words without line breaks, so wrapped sentences still match."""
    return " ".join(text.split())


def _embedded_fonts(pdf: bytes) -> set[str]:
    """Names of fonts whose program is embedded (FontFile, FontFile2 or FontFile3)."""
    names: set[str] = set()

    def visit(font: object) -> None:
        font = font.get_object()  # type: ignore[attr-defined]
        for descendant in font.get("/DescendantFonts", []):
            visit(descendant)
        descriptor = font.get("/FontDescriptor")
        if descriptor is not None:
            descriptor = descriptor.get_object()
            if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                names.add(str(descriptor["/FontName"]))

    for page in _reader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            visit(font)
    return names


# -- content ----------------------------------------------------------------------------


def test_full_report_holds_name_best_score_and_a_quoted_moment(renderer: PdfRenderer) -> None:
    pdf, pages = scenario_rep_pdf(renderer, REPORT, AMELIE)
    text = _flat(_text(pdf))
    assert "Amélie Dubois-Laurent" in text
    assert "Discovery Call with IT Director" in text and "October 2026" in text
    assert "best of 91.0 (Gold)" in text
    assert "Walk me through how a purchase order moves through your team today." in text
    assert "try “Before I show you anything, what does a missed shipment cost you today?”" in text
    assert "+39.0" in text  # lift, first 52.0 to best 91.0
    assert "88th percentile" in text
    assert 2 <= pages <= 6 and len(_reader(pdf).pages) == pages


def test_every_section_is_present_in_order(renderer: PdfRenderer) -> None:
    text = _flat(_text(scenario_rep_pdf(renderer, REPORT, AMELIE)[0]))
    headings = ["Where you stand", "Progress", "Rubric", "Strengths and focus areas",
                "Moments that mattered", "Latest session"]
    positions = [text.index(h) for h in headings]
    assert positions == sorted(positions)
    assert "Appendix: transcript" not in text


def test_single_session_rep_gets_a_compact_first_page(renderer: PdfRenderer) -> None:
    """One attempt: one score tile, not first, best and latest saying the same number."""
    pdf, pages = scenario_rep_pdf(renderer, REPORT, BOB)
    first_page = _flat(_reader(pdf).pages[0].extract_text())
    assert "Bob Singh" in first_page
    assert "first valid attempt scored 63.0 (Bronze)" in first_page
    tiles = first_page.upper()
    assert "SCORE" in tiles and "VALID ATTEMPTS" in tiles
    assert [t for t in ("LIFT", "LATEST SCORE", "FIRST SCORE") if t in tiles] == []
    assert 2 <= pages <= 6


def test_empty_rep_gets_one_page_showing_the_practice_started(renderer: PdfRenderer) -> None:
    pdf, pages = scenario_rep_pdf(renderer, REPORT, CARLA)
    text = _flat(_text(pdf))
    assert pages == 1
    assert "Carla Nuñez" in text
    assert "No valid attempt in October 2026" in text and "yet" not in text
    assert "Practice you started" in text and "Oct 1, 2026" in text and "Oct 4, 2026" in text
    assert "Moments that mattered" not in text


def test_transcripts_add_an_appendix_with_quoted_lines(tmp_path: Path) -> None:
    without, pages_without = render_rep_pdf(REPORT, AMELIE, PdfOptions())
    with_t, pages_with = render_rep_pdf(REPORT, AMELIE, PdfOptions(transcripts=True))
    assert pages_with > pages_without
    text = _flat(_text(with_t))
    assert "Appendix: transcript" in text
    assert "It's mostly spreadsheets and email, honestly." in text
    assert "quoted" in text.split("Appendix: transcript", 1)[1]


def test_header_footer_and_metadata(renderer: PdfRenderer) -> None:
    pdf, pages = scenario_rep_pdf(renderer, REPORT, AMELIE)
    reader = _reader(pdf)
    second = reader.pages[1].extract_text()
    assert "Amélie Dubois-Laurent" in second and "Discovery Call with IT Director" in second
    assert f"Page 2 of {pages}" in second
    meta = reader.metadata
    assert meta is not None
    assert "Amélie Dubois-Laurent" in (meta.title or "")
    assert meta.author == "Acme Corp"
    assert "October 2026" in (meta.subject or "")


def test_reports_are_tagged_pdf_ua_in_the_language_they_are_written_in() -> None:
    """Screen readers get structure, the language and a sentence for each chart; a manager
    who must have untagged files can turn it off. /Lang names the words' language: the
    configured "fr-CA" refines a French report, never labels an English one French."""
    pdf, _ = render_rep_pdf(REPORT, AMELIE, PdfOptions(language="fr-CA"))
    root = _reader(pdf).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert root["/Lang"] == "en"
    with use("fr"):
        french, _ = render_rep_pdf(REPORT, AMELIE, PdfOptions(language="fr-CA"))
        assert _reader(french).trailer["/Root"]["/Lang"] == "fr-CA"
        german, _ = render_rep_pdf(REPORT, AMELIE, PdfOptions(language="de-AT"))
        assert _reader(german).trailer["/Root"]["/Lang"] == "fr"
    text = _flat(_text(pdf))
    assert "Score of each valid attempt: 5 attempts" in text  # the chart's text alternative
    assert "Best scores of 12 participants" in text
    plain, _ = render_rep_pdf(REPORT, AMELIE, PdfOptions(tagged=False))
    assert "/StructTreeRoot" not in _reader(plain).trailer["/Root"]
    with pytest.raises(ValueError, match="language"):
        PdfOptions(language="en; <script>")


def test_paper_size_a4_and_letter() -> None:
    a4 = _reader(render_rep_pdf(REPORT, BOB, PdfOptions())[0]).pages[0].mediabox
    letter = _reader(render_rep_pdf(REPORT, BOB, PdfOptions(paper="letter"))[0]).pages[0].mediabox
    assert (round(float(a4.width)), round(float(a4.height))) == (595, 842)
    assert (round(float(letter.width)), round(float(letter.height))) == (612, 792)
    with pytest.raises(ValueError, match="paper"):
        PdfOptions(paper="A3")


# -- fonts ------------------------------------------------------------------------------


def test_cjk_name_is_real_text_in_an_embedded_cjk_font(renderer: PdfRenderer) -> None:
    pdf, _ = scenario_rep_pdf(renderer, REPORT, WANG)
    assert "王小明" in _text(pdf)
    assert any("CJK" in name for name in _embedded_fonts(pdf))


def test_arabic_name_is_real_text_in_an_embedded_arabic_font(renderer: PdfRenderer) -> None:
    pdf, _ = scenario_rep_pdf(renderer, REPORT, FATIMA)
    text = _text(pdf)
    # The text layer keeps the letters in logical order.
    assert "فاطمة" in text and "الزهراء" in text
    assert any("Arabic" in name for name in _embedded_fonts(pdf))


def test_accented_name_and_heatmap_symbols_use_embedded_fonts(renderer: PdfRenderer) -> None:
    pdf, _ = scenario_rep_pdf(renderer, REPORT, AMELIE)
    text = _text(pdf)
    assert "Amélie" in text
    for symbol in ("✓", "✗", "~", "–"):
        assert symbol in text
    assert "Not relevant" in text and "Not graded" in text  # the legend
    fonts = _embedded_fonts(pdf)
    assert any("Noto-Sans" in f or "NotoSans" in f for f in fonts)
    assert any("DejaVu" in f for f in fonts)  # holds the check and cross glyphs


# -- security ---------------------------------------------------------------------------


def test_hostile_text_is_printed_not_fetched_nor_embedded() -> None:
    renderer = PdfRenderer(PdfOptions(transcripts=True))
    pdf, _ = scenario_rep_pdf(renderer, REPORT, FATIMA)
    text = _flat(_text(pdf))
    for visible in ('<img src="file:///etc/passwd">',
                    '<link rel="attachment" href="file:///etc/hostname">',
                    '<link rel="stylesheet" href="http://example.com/x.css">',
                    "url(http://example.com/bg.png)"):
        assert visible in text
    assert renderer.fetcher.calls == []
    reader = _reader(pdf)
    root = reader.trailer["/Root"]
    assert "/EmbeddedFiles" not in (root.get("/Names") or {})
    assert b"/EmbeddedFile" not in pdf
    assert all(not page.images for page in reader.pages)


def test_fetcher_refuses_everything_but_bundled_assets_and_the_logo(tmp_path: Path) -> None:
    from reporter.render.fetcher import AssetFetcher, FetchRefused
    from reporter.render.pdf import BUNDLED_TEMPLATES

    logo = tmp_path / "logo.png"
    logo.write_bytes(b"\x89PNG\r\n\x1a\n")
    other = tmp_path / "secret.txt"
    other.write_text("secret")
    fetcher = AssetFetcher((BUNDLED_TEMPLATES,), (logo,))
    css = (BUNDLED_TEMPLATES / "report.css").as_uri()
    assert b"Page rules" in fetcher.fetch(css).read()
    assert fetcher.fetch(logo.as_uri()).read().startswith(b"\x89PNG")
    for url in ("file:///etc/passwd", "http://example.com/x.css", other.as_uri(),
                "data:text/plain,hi", css.replace("/report.css", "/../../../etc/passwd"),
                "file://evil.example/etc/passwd"):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)


def test_chart_text_is_escaped() -> None:
    svg = charts.score_over_time([], REPORT.period.start, REPORT.period.end, "#123456")
    assert "No valid attempt yet" in svg
    assert "<script" not in charts._esc("<script>") and "&lt;script&gt;" in charts._esc("<script>")


def test_branding_accent_is_validated() -> None:
    for bad in ("red", "#12345", "#1f6feb; background:url(http://x)", "#ggg"):
        with pytest.raises(ValueError, match="hex colour"):
            Branding(accent=bad)
    assert Branding(accent="#abc").accent == "#abc"


def test_branding_company_logo_and_accent_appear(tmp_path: Path) -> None:
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="10">'
                    '<rect width="40" height="10" fill="#e4572e"/></svg>')
    options = PdfOptions(branding=Branding(company="Globex Sales Academy", logo=logo,
                                           accent="#e4572e"))
    renderer = PdfRenderer(options)
    html = scenario_rep_html(renderer, REPORT, AMELIE)
    assert "#e4572e" in renderer.env.get_template("report.css").render(
        accent="#e4572e", paper="A4", tones=TONES)
    assert "#e4572e" in html  # charts in the accent colour
    pdf, _ = scenario_rep_pdf(renderer, REPORT, AMELIE)
    assert "Globex Sales Academy" in _text(pdf)
    assert _reader(pdf).metadata.author == "Globex Sales Academy"
    assert renderer.fetcher.calls == [logo.resolve().as_uri()]
    with pytest.raises(ValueError, match="logo"):
        PdfRenderer(PdfOptions(branding=Branding(logo=tmp_path / "missing.png")))


def test_user_templates_override_bundled_ones(tmp_path: Path) -> None:
    (tmp_path / "rep").mkdir()
    (tmp_path / "rep" / "latest.html").write_text(
        "<section><h2>Custom latest section for {{ rep.first_name }}</h2></section>")
    pdf, _ = render_rep_pdf(REPORT, AMELIE, PdfOptions(templates_dir=tmp_path))
    text = _flat(_text(pdf))
    assert "Custom latest section for Amélie" in text
    assert "Moments that mattered" in text  # the other sections still come from the bundle


# -- files, pool ------------------------------------------------------------------------


@pytest.mark.parametrize("slug", ["../escape", "a/b", "..", "", "x\x00y"])
def test_slug_that_would_escape_reps_folder_is_refused(tmp_path: Path, slug: str) -> None:
    with pytest.raises(ValueError):
        target_path(tmp_path, slug)
    bad = replace(BOB, slug=slug)
    with pytest.raises(ValueError):
        render_reports(replace(REPORT, reps=(bad,)), tmp_path, PdfOptions(), jobs=1)
    assert not any(tmp_path.parent.glob("*.pdf"))


def _small_report() -> ReportView:
    return replace(REPORT, reps=(AMELIE, BOB, CARLA, WANG))


def test_render_reports_writes_one_file_per_rep_and_skips_empty(tmp_path: Path) -> None:
    done = render_reports(_small_report(), tmp_path, PdfOptions(), jobs=1, skip_empty=True)
    assert [r.email for r in done] == [AMELIE.email, BOB.email, WANG.email]
    assert sorted(p.name for p in (tmp_path / "reps").iterdir()) == sorted(
        f"{r.slug}.pdf" for r in done)
    for rendered in done:
        assert rendered.path.parent == (tmp_path / "reps").resolve()
        assert not rendered.empty and rendered.pages >= 2
        assert _reader(rendered.path.read_bytes()).pages


def test_pool_output_equals_in_process_output(tmp_path: Path) -> None:
    report = _small_report()
    serial = render_reports(report, tmp_path / "serial", PdfOptions(), jobs=1)
    with PdfRenderPool(PdfOptions(), tmp_path / "pool", jobs=2) as pool:
        # The pool renders from the header alone (it leaves the reps out): reps are handed
        # over one by one.
        program = of_scenario(report)
        futures = [pool.submit(program, rep) for rep in program.reps]
        pooled = [f.result(timeout=120) for f in futures]
    assert [(r.slug, r.pages, r.sha256, r.empty) for r in serial] == [
        (r.slug, r.pages, r.sha256, r.empty) for r in pooled]
    assert sorted(p.name for p in (tmp_path / "serial" / "reps").iterdir()) == sorted(
        p.name for p in (tmp_path / "pool" / "reps").iterdir())
    assert [r.empty for r in pooled] == [False, False, True, False]


def test_formatters_cope_with_missing_values() -> None:
    assert fmt_score(None) == "–" and fmt_score(91.0) == "91.0" and fmt_score(68.5) == "68.5"
    plan = replace(AMELIE.coaching, next_step=None, moments=(), strengths=(), focus_areas=())
    rep: RepView = replace(AMELIE, percentile=None, lift=None, coaching=plan, rubric=(),
                           rubric_sessions=(), latest=None, transcript=None)
    text = _flat(_text(render_rep_pdf(REPORT, rep, PdfOptions(transcripts=True))[0]))
    assert "Not enough data to place you in the cohort" in text
    assert "No rubric grades yet" in text
    assert "The evaluator quoted no moments" in text


def test_moments_are_deduplicated_and_capped_to_a_page() -> None:
    from reporter.analytics import MAX_MOMENTS
    from reporter.render.rep_pdf import moment_cards

    def with_moments(*moments: Moment) -> RepView:
        return replace(AMELIE, coaching=replace(AMELIE.coaching, moments=moments))

    kept = AMELIE.coaching.moments
    first = kept[0]
    assert first.quote == "Walk me through how a purchase order moves through your team today."
    repeated = replace(first, quote="  walk me THROUGH how a purchase order moves through "
                                    "your team   today.  ")
    cards = moment_cards(with_moments(first, repeated, *kept[1:]))
    assert [c.moment for c in cards] == list(kept)
    assert [c.label for c in cards] == ["What worked", "What to change"]
    wordy = "This answer keeps going with more and more detail about the call. " * 12
    long_moments = tuple(replace(first, quote=f"{i}: {wordy}", feedback=wordy, suggestion=wordy)
                         for i in range(8))
    assert 1 <= len(moment_cards(with_moments(*long_moments))) < MAX_MOMENTS
    short = tuple(replace(first, quote=f"Short quote {i}") for i in range(MAX_MOMENTS))
    assert len(moment_cards(with_moments(*short))) == MAX_MOMENTS


def test_heatmap_keeps_the_latest_sessions_when_there_are_many() -> None:
    from reporter.render.rep_pdf import MAX_HEATMAP_COLUMNS, build_heatmap

    many = tuple(replace(AMELIE.rubric_sessions[0], session_id=f"s{i}")
                 for i in range(MAX_HEATMAP_COLUMNS + 3))
    rows = tuple(replace(row, grades=("bad",) * 3 + ("good",) * MAX_HEATMAP_COLUMNS)
                 for row in AMELIE.rubric)
    heatmap = build_heatmap(replace(AMELIE, rubric_sessions=many, rubric=rows))
    assert heatmap.hidden_columns == 3
    expected = [f"s{i}" for i in range(3, 3 + MAX_HEATMAP_COLUMNS)]
    assert [c.session_id for c in heatmap.columns] == expected
    assert all(set(row.grades) == {"good"} for g in heatmap.groups for row in g.rows)
    assert [g.criterion for g in heatmap.groups] == ["Discovery", "Objection handling", "Closing"]


def test_templates_export_copies_every_template_once(tmp_path):
    """`reporter templates export DIR`: the bundled set, ready for --templates; never over a
    user's file."""
    from click.testing import CliRunner

    from reporter.cli import cli
    from reporter.render.templates import BUNDLED_TEMPLATES

    result = CliRunner().invoke(cli, ["templates", "export", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.output
    bundled = sorted(str(p.relative_to(BUNDLED_TEMPLATES)) for p in BUNDLED_TEMPLATES.rglob("*")
                     if p.is_file())
    assert sorted(str(p.relative_to(tmp_path / "mine")) for p in (tmp_path / "mine").rglob("*")
                  if p.is_file()) == bundled
    (tmp_path / "mine" / "header.html").write_text("<header>mine</header>")
    again = CliRunner().invoke(cli, ["templates", "export", str(tmp_path / "mine")])
    assert again.exit_code == 2
    assert again.output.startswith("Error: ") and "already exists" in again.output
    assert (tmp_path / "mine" / "header.html").read_text() == "<header>mine</header>"


# -- faster, not different ----------------------------------------------------------------


def _pages_text(pdf: bytes, pages: int, tmp_path: Path, name: str) -> list[str]:
    """Each page's text as pdftotext lays it out (pypdf garbles WeasyPrint's subset fonts),
    read in one call: pdftotext ends each page with a form feed."""
    assert shutil.which("pdftotext"), "poppler-utils is a test dependency (make test installs it)"
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    *each, rest = text.split("\f")
    assert len(each) == pages and rest == "", (name, len(each), pages)
    return [page + "\f" for page in each]


@pytest.mark.parametrize("options", [PdfOptions(), PdfOptions(transcripts=True, paper="letter")],
                         ids=["default", "transcripts-letter"])
def test_optimised_renderer_prints_what_the_straightforward_render_prints(
        options: PdfOptions, tmp_path: Path) -> None:
    """The worker's renderer (stylesheet, fonts and templates reused, custom properties
    inlined, tinyhtml5's cache fixed) against a render that reuses nothing: same pages, same
    text on each, for a Latin, a CJK, an Arabic-with-hostile-text and an empty rep."""
    renderer = _renderer(options)
    assert renderer.inlined_stylesheet is not renderer.stylesheet  # the optimisation is on
    for rep in (AMELIE, WANG, FATIMA, CARLA):
        fast, pages = scenario_rep_pdf(renderer, REPORT, rep)
        plain = render_straightforward(of_scenario(REPORT), scenario_rep(REPORT.scenario, rep),
                                       options)
        assert len(_reader(plain).pages) == pages == len(_reader(fast).pages), rep.email
        expected = _pages_text(plain, pages, tmp_path, f"{rep.slug}-plain")
        assert _pages_text(fast, pages, tmp_path, f"{rep.slug}-fast") == expected, rep.email
        assert rep.first_name in "".join(expected)


def test_lean_user_agent_stylesheet_prints_the_same_bytes() -> None:
    """Leaving out the user-agent rules for list markers, footnotes and notes changes
    nothing in a report: the same bytes as with WeasyPrint's whole stylesheet."""
    renderer = PdfRenderer(PdfOptions())
    lean = renderer.lean_html
    assert lean is not None  # the optimisation is on
    for rep in (AMELIE, WANG, FATIMA, CARLA):
        html = scenario_rep_html(renderer, REPORT, rep)
        renderer.lean_html = lean
        fast, _ = renderer.pdf(html)
        renderer.lean_html = None
        full, _ = renderer.pdf(html)
        assert fast == full, rep.email
    renderer.lean_html = lean


def test_documents_with_lists_or_footnotes_keep_the_whole_user_agent_stylesheet(
        tmp_path: Path) -> None:
    """A custom template with a footnote or a list prints its call numbers and bullets."""
    renderer = _renderer(PdfOptions())
    assert renderer.lean_html is not None
    pdf, pages = renderer.pdf('<p>Quarter<span style="float: footnote">Booked in October.</span>'
                              ' closed.</p><ul><li>one</li><li>two</li></ul>')
    text = _pages_text(pdf, pages, tmp_path, "notes")[0]
    assert "Quarter1 closed." in text and "1. Booked in October." in text
    assert "• one" in text and "• two" in text


def test_custom_properties_are_inlined_only_when_that_changes_nothing() -> None:
    root = ":root { --ink: #123; --line: #eee; }\n"
    inlined = inline_custom_properties(
        root + "p { color: var(--ink); border: 1px solid var(--line) }\n"
        "@media print { h1 { color: var(--ink) } }\n"
        "@page { @top-left { color: var(--ink) } }")
    assert "color: #123" in inlined and "1px solid #eee" in inlined
    assert "h1 { color: #123 }" in inlined
    assert "@top-left { color: var(--ink) }" in inlined  # @page rules are left as written
    for unchanged in (
        root + "p { color: var(--ink, red) }",  # a fallback
        root + "p { color: var(--missing) }",  # an unknown name
        root + "p { --ink: red; color: var(--ink) }",  # set below :root
        ":root { --a: #123; --b: var(--a) } p { color: var(--b) }",  # a definition uses var()
    ):
        assert inline_custom_properties(unchanged) == unchanged


def test_page_one_holds_where_you_stand_for_the_longest_inputs(renderer: PdfRenderer) -> None:
    """The longest name, headline, target line and quotes the data can produce (quotes are
    clipped at 200 characters on page 1): the headline, the tiles, the one thing and "Where you
    stand" still share page 1."""
    from reporter.analytics.verdict import verdict_for
    from reporter.views import NextStep, RankGap, Target

    long_words = ("Because we have never really measured what a late shipment costs us, "
                  "I would honestly have to go back to the operations team and the finance "
                  "people before I could give you any kind of number for that, sorry. " * 3)
    step = NextStep("focus", "suggestion", "Qualification and commercial discovery",
                    "Quantifying the business impact of the current process", "bad",
                    long_words, long_words, long_words, AMELIE.latest.created_at, "s1")
    target = Target("past_due", "silver", AMELIE.latest.created_at, False, None, True,
                    reached=True, attempts_left=3, assignment_best=88.1)
    plan = replace(AMELIE.coaching, next_step=step, target=target,
                   rank_gap=RankGap("gold", 4.9))
    rep = replace(AMELIE, name="Maximiliana-Alexandrina Oyelaran-Vandenberghe Østergaard",
                  first_name="Maximiliana-Alexandrina", coaching=plan, latest_score=79.1,
                  best_score=85.1, best_rank="silver")
    rep = replace(rep, verdict=verdict_for(rep, REPORT.period))
    assert rep.verdict is not None and len(rep.verdict.headline) > 190  # three lines
    pdf, pages = scenario_rep_pdf(renderer, REPORT, rep)
    first = _flat(_reader(pdf).pages[0].extract_text())
    for part in ("Maximiliana-Alexandrina, your best", "YOUR ONE THING FOR NEXT TIME",
                 "Where you stand", "percentile", "Past due since"):
        assert part in first, part
    assert pages <= 4


def test_attempts_on_one_day_get_headings_that_tell_them_apart(renderer: PdfRenderer) -> None:
    day = AMELIE.rubric_sessions[0].created_at
    same_day = tuple(replace(a, created_at=day.replace(hour=9 + i))
                     for i, a in enumerate(AMELIE.rubric_sessions[:3]))
    rep = replace(AMELIE, rubric_sessions=same_day + AMELIE.rubric_sessions[3:])
    html = scenario_rep_html(renderer, REPORT, rep)
    stamp = f"{day:%b} {day.day}"
    for n in ("1st", "2nd", "3rd"):
        assert f">{stamp}, {n}<br>" in html


def test_one_graded_session_is_never_again_and_again(renderer: PdfRenderer) -> None:
    one = scenario_rep_html(renderer, REPORT, BOB)
    assert "again and again" not in one and "in your one graded session" in one
    assert "again and again" in scenario_rep_html(renderer, REPORT, AMELIE)


def test_a_step_without_phrasing_or_feedback_stands_on_its_own(renderer: PdfRenderer) -> None:
    from reporter.views import NextStep

    bare = NextStep("focus", "feedback", "Discovery", "Budget", "bad", None, None, None,
                    AMELIE.latest.created_at, None)
    html = scenario_rep_html(renderer, REPORT, replace(AMELIE, coaching=replace(AMELIE.coaching,
                                                                  next_step=bare)))
    assert "feedback above" not in html
    assert "left no phrasing or feedback" in html
    keep = replace(bare, kind="keep", grade="good")
    html = scenario_rep_html(renderer, REPORT, replace(AMELIE, coaching=replace(AMELIE.coaching,
                                                                  next_step=keep)))
    assert "Graded good every time it was graded" in html  # never an empty card


def test_a_rep_whose_sessions_carry_no_duration_is_not_told_a_dash(renderer: PdfRenderer) -> None:
    """Unknown practice time is said in words on the no-attempt page, never "practice time –"."""
    carla = BY_EMAIL["carla@acme.test"]
    unknown = _flat(_text(
        scenario_rep_pdf(renderer, REPORT, replace(carla, practice_minutes=None))[0]))
    assert "with no duration recorded by Exec" in unknown and "practice time –" not in unknown
    known = _flat(_text(
        scenario_rep_pdf(renderer, REPORT, replace(carla, practice_minutes=12.0))[0]))
    assert "practice time 12 min" in known


def test_the_overlap_check_sees_a_heading_drawn_over_the_next() -> None:
    """The layout tests' check is live: a heading held on one line in a column too narrow
    for it is drawn over the next heading, and the check names both."""
    from tests.support import overlapping_words

    html = ('<html lang="de"><head><title>t</title></head><body><h1>t</h1><table '
            'style="table-layout: fixed; width: 60mm"><thead><tr>'
            '<th style="width: 10mm; white-space: nowrap">DRINGLICHKEIT</th>'
            '<th>MITARBEITER</th></tr></thead><tbody><tr><td>1</td><td>2</td></tr></tbody>'
            '</table></body></html>')
    pdf, _ = PdfRenderer(PdfOptions()).pdf(html)
    assert overlapping_words(pdf) == ["page 1: 'DRINGLICHKEIT' over 'MITARBEITER'"]
