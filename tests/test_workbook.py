"""The cohort workbook as a manager meets it: reopened with openpyxl, cell by cell."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import tempfile
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart, LineChart
from openpyxl.utils import get_column_letter

from reporter.analytics.program import of_scenario
from reporter.format import fmt_item
from reporter.render import grid
from reporter.render import workbook as wbmod
from reporter.render.cells import clean_text, excel_datetime, text_cell
from reporter.render.workbook import (
    SHEET_NAMES,
    is_safe_link,
    write_workbook,
)
from reporter.views import AttentionReason, CohortView, Comparison, ReportView
from tests import program_factory as pf
from tests.sample_views import FORMULAS, sample_report, synthetic_report

EXPECTED_SHEETS = ["Needs attention", "Overview", "Reps", "Sessions", "Rubric", "Feedback",
                   "Not found", "About"]

# The headings a manager reads, written out: a heading compared with the constant the writer
# writes it from would pass whatever the heading said.
REPS_HEADINGS = [
    "Name", "Email", "User ID", "Groups", "Assignment status", "Sessions", "Valid attempts",
    "First score", "First rank", "Best score", "Best rank", "Latest score", "Latest rank",
    "Lift (points)", "Practice minutes", "Last practised (UTC)", "Percentile", "Trend",
    "Top strength", "Top focus area", "Next step", "Try instead", "Target", "Due (UTC)",
    "Latest below best (points)", "Last period", "New this period", "Change vs last period",
    "Rank change", "Needs attention", "Last month's step", "Last month's step: result",
    "Report (PDF)",
]
SESSIONS_HEADINGS = [
    "Session ID", "Rep", "Email", "Created at (UTC)", "Score", "Rank", "Duration (minutes)",
    "Valid attempt", "Outcome", "Positive feedback", "Constructive feedback",
]
SCENARIOS_HEADINGS = [
    "Rep", "Scenario", "Email", "Practice", "Sessions", "Valid attempts", "Best score",
    "Best rank", "Last period", "New this period", "Change vs last period", "Required rank",
    "Assignment status", "Due (UTC)", "Target", "Needs attention", "Report (PDF)",
]
#: The Overview's "Figure" row: whose figures each column holds.
OVERVIEW_FIGURES = ("These reps", "Everyone who practised (Exec's figures)",
                    "Everyone who practised (recounted from each one's results)")
#: The note over the Overview's charts and in About, as a manager reads it.
PRACTICE_SENTENCE = ("These are practice scores from roleplay training, not a performance "
                     "rating: use them to coach, not to judge.")
PROGRAM_SHEETS = ["Needs attention", "Overview", "Scenarios", "Skills", "Reps", "Sessions",
                  "Rubric", "Feedback", "Not found", "About"]


def _links(report: ReportView) -> dict[str, str]:
    return {rep.slug: f"reps/{rep.slug}.pdf" for rep in report.reps}


def _write(report: ReportView, tmp_path: Path, **kw) -> openpyxl.Workbook:
    path = tmp_path / "cohort.xlsx"
    write_workbook(of_scenario(report), path, **kw)
    return openpyxl.load_workbook(path)


@pytest.fixture
def report() -> ReportView:
    return sample_report()


@pytest.fixture
def book(report, tmp_path) -> openpyxl.Workbook:
    return _write(report, tmp_path, pdf_paths=_links(report))


def _header(ws) -> list[str]:
    return [c.value for c in ws[1]]


def _column(ws, header: str) -> list[object]:
    idx = _header(ws).index(header) + 1
    return [ws.cell(row=r, column=idx).value for r in range(2, ws.max_row + 1)]


def _empty_report(report: ReportView) -> ReportView:
    cohort = dataclasses.replace(report.cohort, distribution=(), weekly=(), best_scores=(),
                                 rubric_good_share={})
    return dataclasses.replace(report, reps=(), not_found=(), cohort=cohort)


def test_sheets_in_order(book):
    assert book.sheetnames == EXPECTED_SHEETS == list(SHEET_NAMES)


def test_reps_sheet_headers_values_and_types(book, report):
    ws = book["Reps"]
    assert _header(ws) == REPS_HEADINGS
    assert _column(ws, "Name") == [r.name for r in report.reps]
    assert _column(ws, "Sessions") == [r.session_count for r in report.reps]
    best = _column(ws, "Best score")
    assert best == [r.best_score for r in report.reps]
    assert all(isinstance(v, int | float) for v in best if v is not None)
    assert None in best  # the rep with no valid session shows a blank, not a zero
    lifts = _column(ws, "Lift (points)")
    assert lifts == [r.lift for r in report.reps]
    practised = _column(ws, "Last practised (UTC)")
    assert all(isinstance(v, datetime) for v in practised)
    assert practised[0] == report.reps[0].last_practised.replace(tzinfo=None)
    plan = report.reps[0].coaching
    assert _column(ws, "Top strength")[0] == fmt_item(plan.strengths[0].criterion,
                                                      plan.strengths[0].item)
    assert _column(ws, "Top focus area")[0] == fmt_item(plan.next_step.criterion,
                                                        plan.next_step.item)
    # The step in the words every output prints: the item, its session, the phrasing.
    assert _column(ws, "Next step")[0] == plan.step_text
    assert plan.step_text.startswith(f"{fmt_item(plan.next_step.criterion, plan.next_step.item)} (")


def test_reps_is_a_table_with_frozen_header_and_fitted_widths(book, report):
    ws = book["Reps"]
    table = ws.tables["RepsTable"]
    assert table.ref == f"A1:AG{len(report.reps) + 1}"
    assert table.autoFilter is not None and table.autoFilter.ref == table.ref
    assert [c.name for c in table.tableColumns] == REPS_HEADINGS
    assert ws.freeze_panes == "B2"  # the header row and the name column stay in view
    longest_name = max(len(r.name) for r in report.reps)
    assert ws.column_dimensions["A"].width >= longest_name
    assert ws.column_dimensions["B"].width >= max(len(r.email) for r in report.reps)
    assert ws["H2"].number_format == "0.0"  # first score
    assert ws["N2"].number_format.startswith("+0.0")  # lift shows its sign


def test_reps_conditional_formatting(book, report):
    ws = book["Reps"]
    last = len(report.reps) + 1
    rules = {str(cf.sqref): [r.type for r in cf.rules] for cf in ws.conditional_formatting}
    for col in ("H", "J", "L"):  # first, best, latest score
        assert rules[f"{col}2:{col}{last}"] == ["colorScale"]
    assert rules[f"N2:N{last}"] == ["dataBar"]  # lift
    for col in ("I", "K", "M"):  # ranks
        assert rules[f"{col}2:{col}{last}"] == ["cellIs"] * 4


def test_pdf_links_are_relative_and_built_only_from_safe_paths(report, tmp_path):
    links = _links(report)
    first, second = report.reps[0].slug, report.reps[1].slug
    links[second] = "http://evil.example/x.pdf"
    book = _write(report, tmp_path, pdf_paths=links)
    ws = book["Reps"]
    col = _header(ws).index("Report (PDF)") + 1
    cell = ws.cell(row=2, column=col)
    assert cell.value == f"reps/{first}.pdf"
    assert cell.hyperlink is not None and cell.hyperlink.target == f"reps/{first}.pdf"
    assert ws.cell(row=3, column=col).value is None
    assert ws.cell(row=3, column=col).hyperlink is None


@pytest.mark.parametrize("target", [
    "http://x/a.pdf", "file:///etc/passwd.pdf", "/abs/a.pdf", "../a.pdf", "reps/../../a.pdf",
    "reps\\a.pdf", "reps/a.exe", "", "reps/.pdf", "C:/a.pdf",
])
def test_unsafe_link_targets_are_refused(target):
    assert not is_safe_link(target)


def test_safe_link_target_accepted():
    assert is_safe_link("reps/amelie-dubois-0a1b2c.pdf")


def test_without_pdf_paths_no_links(report, tmp_path):
    ws = _write(report, tmp_path)["Reps"]
    assert all(v is None for v in _column(ws, "Report (PDF)"))


def test_sessions_sheet_real_datetimes_in_utc(book, report):
    ws = book["Sessions"]
    assert _header(ws) == SESSIONS_HEADINGS
    assert "UTC" in _header(ws)[3]
    attempts = [a for r in report.reps for a in r.attempts]
    assert ws.tables["SessionsTable"].ref == f"A1:K{len(attempts) + 1}"
    created = _column(ws, "Created at (UTC)")
    assert created == [a.created_at.replace(tzinfo=None) for a in attempts]
    assert all(isinstance(v, datetime) for v in created)
    assert _column(ws, "Valid attempt") == [a.is_valid for a in attempts]
    assert all(isinstance(v, bool) for v in _column(ws, "Valid attempt"))
    durations = _column(ws, "Duration (minutes)")
    assert durations == [a.duration_minutes for a in attempts]
    fb = _header(ws).index("Constructive feedback") + 1
    assert ws.cell(row=2, column=fb).alignment.wrap_text


def test_excel_datetime_converts_other_offsets_to_utc():
    cest = timezone(timedelta(hours=2))
    assert excel_datetime(datetime(2026, 10, 1, 11, 0, tzinfo=cest)) == datetime(2026, 10, 1, 9)
    assert excel_datetime(None) is None


def test_rubric_shares_and_cohort_row(book, report):
    ws = book["Rubric"]
    header = _header(ws)
    assert header[:2] == ["Rep", "Email"]
    assert "Discovery › Open questions" in header  # one separator, as everywhere
    col = header.index("Discovery › Open questions") + 1
    amelie = report.reps[0]
    share = next(r.good_share for r in amelie.rubric if r.item == "Open questions")
    assert ws.cell(row=2, column=col).value == pytest.approx(share)
    assert ws.cell(row=2, column=col).number_format == "0%"
    # A rep with no graded session has a row, with blanks.
    carla = [r.name for r in report.reps].index("Carla Nuñez") + 2
    assert ws.cell(row=carla, column=1).value == "Carla Nuñez"
    assert ws.cell(row=carla, column=col).value is None
    cohort_row = len(report.reps) + 2
    assert ws.cell(row=cohort_row, column=1).value.startswith("Whole team")
    assert ws.cell(row=cohort_row, column=col).value == pytest.approx(0.5)
    # Filled as team.pdf fills it: no colour scale that paints one session red.
    assert [r.type for cf in ws.conditional_formatting for r in cf.rules] == []


def test_rubric_greys_and_counts_cells_on_fewer_than_two_sessions(book, report):
    ws = book["Rubric"]
    header = _header(ws)
    thin = 0
    for i, rep in enumerate(report.reps, 2):
        for row in rep.rubric:
            if not row.graded:
                continue
            cell = ws.cell(row=i, column=header.index(fmt_item(row.criterion, row.item)) + 1)
            colour = cell.fill.start_color.rgb[-6:]
            if row.graded < 2:
                thin += 1
                assert colour == wbmod.BAND_FILLS["thin"] and cell.font.i, (rep.name, row.item)
            else:
                assert colour != wbmod.BAND_FILLS["thin"], (rep.name, row.item)
                if row.good_share == 0:
                    assert colour == wbmod.BAND_FILLS["bad"]
    assert thin > 0
    notes = [r[0] for r in ws.iter_rows(values_only=True) if r and r[0]]
    assert wbmod.rubric_note(thin) in notes and f"Grey: {thin} cell" in wbmod.rubric_note(thin)


def test_feedback_sheet_one_row_per_example(book, report):
    ws = book["Feedback"]
    examples = [m for r in report.reps for m in r.feedback_examples]
    assert ws.max_row == len(examples) + 1
    assert _column(ws, "Suggested phrasing") == [m.suggestion for m in examples]
    assert all(isinstance(v, datetime) for v in _column(ws, "Date (UTC)"))
    assert ws.tables["FeedbackTable"].ref == f"A1:K{len(examples) + 1}"


def test_not_found_sheet_says_why(book, report):
    ws = book["Not found"]
    assert _header(ws) == ["Email", "Reason", "Detail"]
    assert _column(ws, "Email") == [nf.email for nf in report.not_found]
    assert _column(ws, "Reason") == [
        "not a member of the workspace", "no sessions in the period", "not a valid email address",
    ]


def test_overview_figures_and_charts(book, report):
    ws = book["Overview"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["Scenario"][0] == report.scenario.name
    assert rows["Workspace"][0] == "Acme Corp"
    assert rows["Generated at (UTC)"][0] == datetime(2026, 11, 1, 7, 0)
    # These reps, then everyone who practised (Exec's figures, then recounted): Exec counts
    # people with a valid attempt, so the selected reps' count stands alone.
    assert rows["Reps selected"][:3] == (len(report.reps), None, None)
    with_valid = sum(1 for r in report.reps if r.valid_count)
    assert rows["Reps with a valid attempt"][:3] == (with_valid, 12, 12)
    bests = [r.best_score for r in report.reps if r.best_score is not None]
    assert rows["Average best score"][:3] == (round(sum(bests) / len(bests), 1), 72.9, 72.9)
    assert rows["Average best rank"][:3] == (None, "Bronze", "Bronze")
    # Stored as shown (one decimal), not 6.583333333333333.
    assert rows["Minutes per valid attempt (average)"][:3] == (None, 6.6, 6.6)
    assert rows["Gold"][:2] == (2, 0.167)
    weeks = [r for r in ws.iter_rows(values_only=True) if isinstance(r[0], datetime)]
    assert [w[1] for w in weeks] == [p.sessions for p in report.cohort.weekly]
    kinds = sorted(type(c).__name__ for c in ws._charts)
    assert kinds == sorted([BarChart.__name__, LineChart.__name__])
    assert any(r[0] == PRACTICE_SENTENCE for r in ws.iter_rows(values_only=True))


def test_overview_says_whose_sessions_each_figure_counts(book, report):
    """Exec's summary counts everyone's valid attempts; these reps' sessions, valid or not, and
    their minutes are rows of their own: a row sets like beside like, its label saying which
    sessions it counts (never 173 sessions beside 153 valid ones under one "Sessions")."""
    ws = book["Overview"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r and r[0]}
    attempts = [a for r in report.reps for a in r.attempts]
    valid = [a for a in attempts if a.is_valid]
    assert len(valid) < len(attempts)  # the sample has sessions that do not count
    assert rows["Sessions, valid or not"][:3] == (len(attempts), None, None)
    assert rows["Valid attempts"][:3] == (len(valid), 48, 48)
    assert "Sessions" not in rows
    minutes = [a.duration_minutes for a in attempts if a.duration_minutes is not None]
    valid_minutes = [a.duration_minutes for a in valid if a.duration_minutes is not None]
    assert rows["Practice minutes, every session"][:3] == (
        pytest.approx(sum(minutes)), None, None)
    assert rows["Practice minutes, valid attempts"][0] == pytest.approx(sum(valid_minutes))
    assert "Practice minutes" not in rows
    assert rows["Figure"] == OVERVIEW_FIGURES
    week_header = next(r for r in ws.iter_rows(values_only=True)
                       if r[0] == "Week starting (UTC)")
    assert week_header[1:3] == ("Sessions (these reps, valid or not)",
                                "Average score (these reps' valid attempts)")
    assert rows["Selected reps"][0] == report.selection_text
    # No engineering label anywhere a manager reads.
    words = " ".join(str(v) for wsx in book for r in wsx.iter_rows(values_only=True)
                     for v in r if isinstance(v, str))
    assert "API summary" not in words and "Computed from participants" not in words


def test_overview_charts_have_straight_lines_full_legends_and_no_overlap(book):
    ws = book["Overview"]
    bar = next(c for c in ws._charts if isinstance(c, BarChart))
    line = next(c for c in ws._charts if isinstance(c, LineChart))
    # Every line series, the sessions on the second axis included, is drawn straight.
    series = [s for chart in (line, *line._charts) if isinstance(chart, LineChart)
              for s in chart.series]
    assert len(series) >= 2
    assert all(s.smooth is False for s in series)
    assert line.legend is not None and line.legend.position == "b"
    # Right of the tables (columns A-D) and one below the other, not on top of each other.
    assert bar.anchor._from.col >= 4 and line.anchor._from.col >= 4
    written_bar_rows = wbmod.BAR_CHART_SIZE[1] / wbmod._ROW_CM
    assert line.anchor._from.row >= bar.anchor._from.row + written_bar_rows
    width, height = wbmod.LINE_CHART_SIZE  # room for both axis titles and the legend below
    assert width >= 18 and height >= 9
    # The note above the charts runs across columns: the charts start below it.
    note_row = next(i for i, r in enumerate(ws.iter_rows(values_only=True))
                    if r[0] == PRACTICE_SENTENCE)
    assert bar.anchor._from.row > note_row


def test_about_sheet(book, report):
    rows = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r and r[0]}
    assert rows["Selection"] == "every participant"
    assert rows["Period"] == "2026-10"
    assert rows["Requests to Exec"] == 41
    assert rows["Session details reused from the cache"] == 12
    assert rows["Data fetched at (UTC)"] == datetime(2026, 11, 1, 6, 59)
    assert "0.1.0" in rows["Tool version"]
    assert PRACTICE_SENTENCE in rows


def _hostile_report(report: ReportView, texts: tuple[str, ...]) -> ReportView:
    """Each text as a rep name, an outcome, a quote, a criterion label and a group."""
    base = report.reps[0]
    reps = []
    for i, text in enumerate(texts):
        attempts = tuple(dataclasses.replace(a, outcome=text, positive=text)
                         for a in base.attempts)
        rubric = tuple(dataclasses.replace(r, criterion=text) for r in base.rubric[:1])
        examples = tuple(dataclasses.replace(m, quote=text, feedback=text)
                         for m in base.feedback_examples)
        reps.append(dataclasses.replace(
            base, name=text, email=f"h{i}@acme.test", slug=f"h-{i}", groups=(text,),
            attempts=attempts, rubric=rubric, feedback_examples=examples,
            assignment_status=text,
        ))
    return dataclasses.replace(report, reps=tuple(reps), workspace_name=texts[0],
                               selection_text=texts[-1])


def _sheets_holding_as_text(book, texts) -> dict[str, set[str]]:
    """Each text -> the sheets holding it; every cell of the book is checked to be no
    formula, and each of ``texts`` to be a string cell."""
    found: dict[str, set[str]] = {t: set() for t in texts}
    for ws in book:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if cell.value in found:
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
                    found[cell.value].add(ws.title)
    return found


def test_formulas_read_back_as_literal_text(report, tmp_path):
    texts = (*FORMULAS, "#N/A", "=1+1")
    book = _write(_hostile_report(report, texts), tmp_path)
    found = _sheets_holding_as_text(book, texts)
    for text in texts:
        assert {"Reps", "Sessions", "Rubric", "Feedback"} <= found[text], text
    assert found[texts[0]] >= {"Overview", "About"}
    # The criterion label became a Rubric header, still a literal string.
    assert any(str(c.value).startswith(FORMULAS[0] + " › ") for c in book["Rubric"][1])


def test_control_characters_removed_not_crashed_on(report, tmp_path):
    dirty = "Bad\x00Na\x07me\x1b\ufffe"
    book = _write(_hostile_report(report, (dirty,)), tmp_path)
    assert book["Reps"]["A2"].value == "BadName"
    assert "BadName" in _column(book["Sessions"], "Outcome")
    assert book["Feedback"]["I2"].value == "BadName"


def test_very_long_text_is_capped_at_excel_limit(report, tmp_path):
    book = _write(_hostile_report(report, ("x" * 40_000,)), tmp_path)
    assert len(book["Reps"]["A2"].value) == 32_767


def test_text_cell_forces_string_type():
    ws = openpyxl.Workbook().active
    for text in FORMULAS:
        cell = text_cell(ws, text)
        assert cell.value == text and cell.data_type == "s"
    assert clean_text("a\x01b\x0bc\td\ne") == "abc\td\ne"  # tab and newline are legal


def test_empty_report_still_writes_a_valid_workbook(report, tmp_path):
    book = _write(_empty_report(report), tmp_path)
    assert book.sheetnames == EXPECTED_SHEETS
    reps = book["Reps"]
    assert _header(reps) == REPS_HEADINGS
    assert reps.max_row == 1
    assert not reps.tables  # Excel rejects a table without a data row
    assert book["Sessions"].max_row == 1
    assert book["Overview"]._charts == []


def test_rewrite_replaces_atomically_and_leaves_no_temp_files(report, tmp_path):
    path = tmp_path / "cohort.xlsx"
    write_workbook(of_scenario(report), path)
    write_workbook(of_scenario(_empty_report(report)), path)
    assert openpyxl.load_workbook(path)["Reps"].max_row == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.xlsx"]


def test_failed_write_keeps_the_previous_workbook(report, tmp_path, monkeypatch):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where openpyxl streams sheets
    path = tmp_path / "cohort.xlsx"
    write_workbook(of_scenario(report), path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(grid.Workbook, "save", boom)
    with pytest.raises(RuntimeError):
        write_workbook(of_scenario(_empty_report(report)), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.xlsx", "scratch"]
    assert list(scratch.iterdir()) == []  # no streamed sheet with reps' data left behind


def test_cohort_figures_missing_from_api_leave_blanks(report, tmp_path):
    api = dataclasses.replace(report.cohort.api, participant_count=None, average_lift=None)
    cohort: CohortView = dataclasses.replace(report.cohort, api=api)
    ws = _write(dataclasses.replace(report, cohort=cohort), tmp_path)["Overview"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["Reps with a valid attempt"][1:3] == (None, 12)


def _libreoffice(src: Path, fmt: str, tmp_path: Path) -> Path:
    """``src`` converted to ``fmt`` by LibreOffice Calc, headless: a second client beside
    openpyxl, which must open the file too."""
    office = shutil.which("soffice") or shutil.which("libreoffice")
    assert office, "LibreOffice Calc is a test dependency (make test installs libreoffice-calc)"
    out = tmp_path / "converted"
    proc = subprocess.run(
        [office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", fmt, "--outdir", str(out), str(src)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    converted = out / f"{src.stem}.{fmt}"
    assert converted.exists() and converted.stat().st_size > 0
    return converted


def _sheet_pages(pdf: Path) -> dict[str, list[int]]:
    """sheet name -> the pages (1-based) LibreOffice printed it on: its PDF export marks
    where each sheet starts with a bookmark named after it."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    starts = [(o["/Title"], reader.get_destination_page_number(o) + 1)
              for o in reader.outline if isinstance(o, dict)]
    ends = [start for _, start in starts[1:]] + [len(reader.pages) + 1]
    return {title: list(range(start, end)) for (title, start), end in zip(starts, ends,
                                                                          strict=True)}


def _printed_words(pdf: Path, page: int) -> list[tuple[str, float]]:
    """Each word LibreOffice printed on ``page``, with its height on paper in points."""
    import html
    import re

    boxes = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(pdf),
                            "-"], capture_output=True, text=True, check=True).stdout
    return [(html.unescape(word), float(y_max) - float(y_min)) for y_min, y_max, word in
            re.findall(r'<word xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" '
                       r'yMax="([\d.]+)">([^<]*)</word>', boxes)]


def test_libreoffice_opens_the_workbook(book, report, tmp_path):
    src = tmp_path / "cohort.xlsx"
    _libreoffice(src, "pdf", tmp_path)
    # The first sheet converted to CSV is "Needs attention": here, the line saying nobody does.
    text = _libreoffice(src, "csv", tmp_path).read_text(encoding="utf-8", errors="replace")
    assert "No rep needs attention in October 2026." in text



# ---------------------------------------------------------------- needs attention, print, numbers

TABLE_SHEETS = ["Needs attention", "Reps", "Sessions", "Rubric", "Feedback", "Not found"]
NAME_FIRST_SHEETS = ["Needs attention", "Reps", "Rubric", "Feedback"]


def _reason(code: str, severity: int, text: str) -> AttentionReason:
    return AttentionReason(code=code, severity=severity, text=text)


def _comparison(previous_best: float | None, change: float | None) -> Comparison:
    return Comparison(
        period_label="2026-09", period_title="September 2026", previous_best=previous_best,
        previous_rank=None, change=change, rank_change=None, is_new=previous_best is None,
    )


def _attention_report(report: ReportView) -> ReportView:
    """Three reps needing attention (low, high, medium in name order), one listed without a
    reason, and figures carrying float noise (0.1 + 0.2, 395 / 60, 1 / 3)."""
    by_name = {r.name: r for r in report.reps}
    amelie = dataclasses.replace(
        by_name["Amélie Dubois-Laurent"],
        attention=(_reason("decline", 1, "Latest 9.5 below best"),),
        comparison=_comparison(None, None),  # new this period
        lift=0.1 + 0.2, practice_minutes=395 / 60, percentile=88.33333,
    )
    carla = dataclasses.replace(
        by_name["Carla Nuñez"],
        attention=(_reason("past_due", 3, "Past due since Oct 15, 2026, no valid attempt"),
                   _reason("no_valid", 2, "No valid attempt")),
        comparison=None,  # nothing to compare with: blank, not zero
    )
    wang = dataclasses.replace(
        by_name["王小明"],
        attention=(_reason("below_target", 2, "4.0 points short of Silver"),),
        comparison=_comparison(73.0, 9.699999999999996),
    )
    bob = by_name["Bob Singh"]  # listed by mistake with no reason: not shown
    noisy = {r.name: r for r in (amelie, carla, wang)}
    reps = tuple(noisy.get(r.name, r) for r in report.reps)
    cohort = dataclasses.replace(
        report.cohort,
        rubric_good_share={k: 1 / 3 for k in report.cohort.rubric_good_share},
        weekly=tuple(dataclasses.replace(w, average_score=w.average_score + 1 / 3)
                     for w in report.cohort.weekly),
    )
    return dataclasses.replace(report, reps=reps, cohort=cohort,
                               needs_attention=(carla, wang, bob, amelie))


@pytest.fixture
def attention_report(report) -> ReportView:
    return _attention_report(report)


@pytest.fixture
def attention_book(attention_report, tmp_path) -> openpyxl.Workbook:
    return _write(attention_report, tmp_path, pdf_paths=_links(attention_report))


def test_needs_attention_is_the_first_sheet_most_severe_first(attention_book):
    assert attention_book.sheetnames[0] == "Needs attention"
    assert attention_book.active.title == "Needs attention"  # the sheet Excel opens on
    ws = attention_book["Needs attention"]
    assert _header(ws) == [
        "Rep", "Email", "List", "Reasons", "Severity", "Best", "Latest", "Last period",
        "New this period", "Change vs last period", "Assignment status", "Due (UTC)",
        "Next step", "Last practised (UTC)",
    ]
    # The order needs_attention has (not the name order), and Bob, with no reason, left out.
    assert _column(ws, "Rep") == ["Carla Nuñez", "王小明", "Amélie Dubois-Laurent"]
    assert _column(ws, "Severity") == ["High", "Medium", "Low"]
    assert _column(ws, "Reasons")[0] == (
        "Past due since Oct 15, 2026, no valid attempt; No valid attempt")
    assert ws.tables["AttentionTable"].ref == "A1:N4"


def test_needs_attention_compares_with_last_period_without_inventing_zeros(
        attention_book, attention_report):
    ws = attention_book["Needs attention"]
    # Carla: no comparison, blank; Wang: previous best and the change; Amélie: new.
    # Numbers only in "Last period" (it sorts and filters); "New" in its own column.
    assert _column(ws, "Last period") == [None, 73.0, None]
    assert _column(ws, "New this period") == [None, None, "New"]
    assert _column(ws, "Change vs last period") == [None, 9.7, None]
    assert ws["J3"].number_format.startswith("+0.0")  # the change shows its sign
    assert _column(ws, "Best") == [None, 77.0, 91.0]
    assert _column(ws, "Latest") == [None, 77.0, 91.0]
    assert _column(ws, "Assignment status") == ["Not started", "In progress", "In progress"]
    wang = next(r for r in attention_report.reps if r.name == "王小明")
    step = wang.coaching.next_step
    assert _column(ws, "Next step")[1] == wang.coaching.step_text
    assert wang.coaching.step_text.startswith(fmt_item(step.criterion, step.item))
    assert _column(ws, "Last practised (UTC)")[1] == wang.last_practised.replace(tzinfo=None)


def test_needs_attention_says_so_when_nobody_does(book):
    ws = book["Needs attention"]
    assert [r for r in ws.iter_rows(values_only=True)] == [
        ("No rep needs attention in October 2026.",)]


def test_needs_attention_text_from_the_api_stays_text(attention_report, tmp_path):
    rep = attention_report.needs_attention[0]
    hostile = dataclasses.replace(rep, name=FORMULAS[0],
                                  attention=(_reason("past_due", 3, FORMULAS[1]),))
    book = _write(dataclasses.replace(attention_report, needs_attention=(hostile,)), tmp_path)
    ws = book["Needs attention"]
    assert (ws["A2"].value, ws["A2"].data_type) == (FORMULAS[0], "s")
    assert (ws["D2"].value, ws["D2"].data_type) == (FORMULAS[1], "s")


def _decimals_shown(number_format: str) -> int:
    section = number_format.split(";")[0]
    decimals = len(section.split(".", 1)[1].rstrip("%")) if "." in section else 0
    return decimals + 2 if "%" in section else decimals


def test_every_number_is_stored_as_shown(attention_book):
    """The formula bar shows what the cell shows: 9.7, never 9.699999999999996."""
    checked = 0
    for ws in attention_book:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                if isinstance(v, bool) or not isinstance(v, int | float):
                    continue
                assert round(v, 3) == v, (ws.title, cell.coordinate, v)
                if cell.number_format != "General":
                    shown = _decimals_shown(cell.number_format)
                    assert round(v, shown) == v, (ws.title, cell.coordinate, v)
                checked += 1
    assert checked > 100
    reps = attention_book["Reps"]
    assert _column(reps, "Lift (points)")[0] == 0.3
    assert _column(reps, "Practice minutes")[0] == 6.6
    assert _column(reps, "Percentile")[0] == 88
    rubric = attention_book["Rubric"]
    cohort_row = [r for r in rubric.iter_rows(values_only=True)
                  if r[0] == "Whole team (the reps above)"]
    assert cohort_row[0][2] == 0.33  # 1/3 in a "0%" cell
    weeks = [r for r in attention_book["Overview"].iter_rows(values_only=True)
             if isinstance(r[0], datetime)]
    assert weeks[0][2] == 60.3  # 60 + 1/3 in a "0.0" cell


def test_every_sheet_prints_landscape_fitted_across_with_its_header(attention_book, book):
    """Fitted to the width of as many pages as keep it readable (``pages_wide``: one for
    most), as long as it needs to be."""
    for wb in (attention_book, book):
        for ws in wb:
            setup = ws.page_setup
            widths = [ws.column_dimensions[get_column_letter(i)].width or 13
                      for i in range(1, ws.max_column + 1)]
            assert setup.orientation == "landscape", ws.title
            assert (setup.fitToWidth, setup.fitToHeight) == (grid.pages_wide(widths), 0), (
                ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage is True, ws.title
    for title in TABLE_SHEETS:
        assert attention_book[title].print_title_rows == "$1:$1", title
    assert attention_book["Overview"].print_title_rows is None


def test_header_and_name_column_stay_in_view(attention_book):
    for title in NAME_FIRST_SHEETS:
        ws = attention_book[title]
        assert ws["A1"].value in ("Rep", "Name"), title
        assert ws.freeze_panes == "B2", title
    for title in ("Sessions", "Not found"):
        assert attention_book[title].freeze_panes == "A2", title


def test_feedback_sheet_drops_duplicate_examples(report, tmp_path):
    rep = report.reps[0]
    first, second, third = rep.feedback_examples
    near = dataclasses.replace(first, suggestion="Another phrasing")  # differs: kept
    examples = (first, second, first, third, second, near)
    other = dataclasses.replace(report.reps[1], feedback_examples=(first,))  # another rep's
    reps = (dataclasses.replace(rep, feedback_examples=examples), other)
    ws = _write(dataclasses.replace(report, reps=reps), tmp_path)["Feedback"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True)]
    assert len(rows) == len(set(rows))
    assert [(r[0], r[8], r[10]) for r in rows] == [
        (rep.name, first.quote, first.suggestion),
        (rep.name, second.quote, second.suggestion),
        (rep.name, third.quote, third.suggestion),
        (rep.name, near.quote, "Another phrasing"),
        (other.name, first.quote, first.suggestion),
    ]


def test_ranks_are_capitalised_and_still_filled(book, report):
    reps, sessions = book["Reps"], book["Sessions"]
    assert _column(reps, "Best rank")[0] == "Gold"
    shown = {v for v in (*_column(reps, "Best rank"), *_column(sessions, "Rank")) if v}
    assert shown and shown <= {"Gold", "Silver", "Bronze", "Unranked"}
    rank_rules = [r for cf in sessions.conditional_formatting for r in cf.rules
                  if r.type == "cellIs"]
    assert sorted(r.formula[0] for r in rank_rules) == sorted(
        f'"{label}"' for label in ("Gold", "Silver", "Bronze", "Unranked"))
    assert _column(reps, "Best rank")[2] is None  # no valid session: blank, like the score


def test_reps_sheet_compares_each_rep_with_last_period(attention_book, attention_report):
    ws = attention_book["Reps"]
    names = _column(ws, "Name")
    by_name = dict(zip(names, range(len(names)), strict=True))
    last = _column(ws, "Last period")
    change = _column(ws, "Change vs last period")
    flagged = _column(ws, "Needs attention")
    # The same values, from the same views, as the Needs attention sheet.
    assert (last[by_name["王小明"]], change[by_name["王小明"]]) == (73.0, 9.7)
    assert (last[by_name["Carla Nuñez"]], change[by_name["Carla Nuñez"]]) == (None, None)
    assert last[by_name["Amélie Dubois-Laurent"]] is None  # numbers only: the column sorts
    assert _column(ws, "New this period")[by_name["Amélie Dubois-Laurent"]] == "New"
    assert all(v is None or isinstance(v, int | float) for v in last)
    assert flagged[by_name["Carla Nuñez"]] == "High"
    assert flagged[by_name["Bob Singh"]] is None
    assert _header(ws)[-1] == "Report (PDF)"  # the link stays the last column


# ---------------------------------------------------------------- rows written as sheet XML

# What the XML rows must escape or drop exactly as openpyxl does: markup characters, a carriage
# return, text that only whitespace tells apart, characters outside ASCII (BMP and beyond, RTL
# marks), what clean_text removes (control characters, a lone surrogate), Excel's length cap.
XML_HOSTILE = (
    *FORMULAS, "#N/A", 'a & b <c> "d" \'e\' ]]>', "line\r\nbreak\ttab", " leading", "trailing ",
    "\xa0no-break", "ideographic\u3000", "王小明 فاطمة \u202eevil", "emoji \U0001f600",
    "Bad\x00Na\x07me\x1b\ufffe", "lone \ud800 surrogate", "\x01", "x" * 40_000,
)


def _odd_numbers(report: ReportView) -> ReportView:
    """Sessions whose figures are NaN, infinite, negative zero once rounded, huge, a bool, and a
    datetime where a number belongs (its cell changes number format: openpyxl's path)."""
    rep = report.reps[0]
    odd = [(float("nan"), float("inf")), (-0.04, 1e20), (12_345_678_901_234_567_890, True),
           (99.95, datetime(2026, 10, 2, 8, 30))]
    # The datetime's session does not count (the Overview adds up the valid attempts' minutes:
    # only the Sessions sheet has to carry it).
    attempts = [dataclasses.replace(a, score=score, duration_minutes=minutes,
                                    is_valid=a.is_valid and not isinstance(minutes, datetime))
                for a, (score, minutes) in zip(rep.attempts, odd, strict=False)]
    rep = dataclasses.replace(rep, attempts=(*attempts, *rep.attempts[len(attempts):]))
    return dataclasses.replace(report, reps=(rep, *report.reps[1:]))


def _zip_members(report: ReportView, path: Path, xml_rows: bool, monkeypatch,
                 **kw) -> dict[str, bytes]:
    monkeypatch.setattr(grid, "_XML_ROWS", xml_rows)
    write_workbook(of_scenario(report), path, **kw)
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("case", ["sample", "some links", "no links", "attention", "hostile",
                                  "odd numbers", "empty", "synthetic 50 x 5"])
def test_rows_written_as_xml_make_the_file_openpyxl_makes(case, report, tmp_path, monkeypatch):
    links = _links(report)
    if case == "some links":  # rows with a link (openpyxl's path) between rows without
        links = {slug: p for i, (slug, p) in enumerate(links.items()) if i % 2}
    elif case == "no links":
        links = {}
    report = {
        "attention": lambda: _attention_report(report),
        "hostile": lambda: _hostile_report(report, XML_HOSTILE),
        "odd numbers": lambda: _odd_numbers(report),
        "empty": lambda: _empty_report(report),
        "synthetic 50 x 5": lambda: synthetic_report(50, 5),
    }.get(case, lambda: report)()
    if case in ("hostile", "synthetic 50 x 5"):
        links = _links(report)

    as_xml: Counter[str] = Counter()  # rows written as XML, by sheet
    row_xml = grid._GridXml.row_xml

    def counted(xml_grid, values, row_idx, height=None):
        xml = row_xml(xml_grid, values, row_idx, height)
        as_xml[xml_grid.ws.title] += xml is not None
        return xml

    monkeypatch.setattr(grid._GridXml, "row_xml", counted)
    fast = _zip_members(report, tmp_path / "fast.xlsx", True, monkeypatch, pdf_paths=links)
    written_as_xml = as_xml.copy()
    slow = _zip_members(report, tmp_path / "slow.xlsx", False, monkeypatch, pdf_paths=links)
    assert as_xml == written_as_xml  # switched off: no row went the XML way

    assert fast.keys() == slow.keys()
    for name in fast:
        if name != "docProps/core.xml":  # its timestamps differ
            assert fast[name] == slow[name], name
    # Every session row but the one with a datetime for minutes went the XML way.
    sessions = sum(len(r.attempts) for r in report.reps)
    assert written_as_xml["Sessions"] == sessions - (case == "odd numbers")
    assert (written_as_xml["Feedback"] > 0) == any(r.feedback_examples for r in report.reps)


# ---------------------------------------------------------------- readable in LibreOffice

LONG_REASON = ("Fell 15.3 points from a best of 75.4 (latest 60.1); Best 75.4, 8.1 points "
               "below September 2026; No practice since Oct 3, 2026; Only one valid attempt")


def _long_attention_report(report: ReportView) -> ReportView:
    attention = _attention_report(report)
    first = attention.needs_attention[0]
    long = dataclasses.replace(first, attention=(
        _reason("declined", 3, LONG_REASON.split("; ")[0]),
        *(_reason("below_last_period", 1, part) for part in LONG_REASON.split("; ")[1:])))
    return dataclasses.replace(attention, needs_attention=(long, *attention.needs_attention[1:]),
                               shortlist=(long,))


def test_headers_and_long_text_wrap_in_rows_tall_enough(report, tmp_path):
    """LibreOffice neither widens a column nor grows a row for wrapped text: every header and
    every long-text column wraps, and each row is written as tall as its longest text needs."""
    book = _write(_long_attention_report(report), tmp_path)
    for title, cols in (("Needs attention", wbmod.ATTENTION_SHEET), ("Reps", wbmod.REPS_SHEET),
                        ("Feedback", wbmod.FEEDBACK_SHEET)):
        ws = book[title]
        widths = [ws.column_dimensions[get_column_letter(i)].width
                  for i in range(1, len(cols) + 1)]
        for i, (col, width) in enumerate(zip(cols, widths, strict=True), 1):
            assert ws.cell(row=1, column=i).alignment.wrap_text, (title, col.header)
            assert width <= col.cap + 2, (title, col.header)
            needed = grid._line_count(col.header, width)
            assert ws.row_dimensions[1].height >= grid.row_height(needed), (title, col.header)
        for i, col in enumerate(cols, 1):
            if not col.wrap:
                continue
            for r in range(2, ws.max_row + 1):
                cell = ws.cell(row=r, column=i)
                if isinstance(cell.value, str):
                    assert cell.alignment.wrap_text, (title, col.header, r)
                    lines = grid._line_count(cell.value, widths[i - 1])
                    height = ws.row_dimensions[r].height
                    assert lines == 1 or (height or 0) >= grid.row_height(lines), (
                        title, col.header, r)
    ws = book["Needs attention"]
    reasons = _column(ws, "Reasons")
    assert reasons[0] == LONG_REASON  # "; " between list items, as everywhere
    assert ws.row_dimensions[2].height >= 3 * grid.LINE_POINTS  # 60 wide: three lines at least
    assert _column(ws, "List")[:2] == ["1:1 shortlist", "Keep an eye on"]


def test_an_empty_not_found_sheet_says_every_rep_was_found(book, report, tmp_path):
    assert report.not_found  # the sample has some: a table (test_not_found_sheet_says_why)
    ws = _write(dataclasses.replace(report, not_found=()), tmp_path)["Not found"]
    assert [r for r in ws.iter_rows(values_only=True)] == [
        ("Every rep asked for was found: nobody is missing from this workbook.",)]


def test_the_scenario_links_back_to_exec_only_when_checked(report, tmp_path):
    url = "https://acme-corp.app.exec.com/scenarios/discovery"
    linked = dataclasses.replace(report, scenario=dataclasses.replace(report.scenario, url=url))
    ws = _write(linked, tmp_path)["Overview"]
    cell = next(c for row in ws.iter_rows() for c in row if c.value == "Open the scenario in Exec")
    assert cell.hyperlink is not None and cell.hyperlink.target == url
    plain = _write(report, tmp_path)["Overview"]
    assert not any(c.hyperlink for row in plain.iter_rows() for c in row)


def test_libreoffice_shows_whole_headers_and_reasons(report, tmp_path):
    """The Needs attention sheet converted by LibreOffice to PDF: every header and the longest
    reason are there whole (a clipped cell loses its words), on its pages across."""
    src = tmp_path / "cohort.xlsx"
    write_workbook(of_scenario(_long_attention_report(report)), src)
    pdf = _libreoffice(src, "pdf", tmp_path)
    words = {w for page in _sheet_pages(pdf)["Needs attention"]
             for w, _ in _printed_words(pdf, page)}
    for col in wbmod.ATTENTION_SHEET:
        assert set(col.header.split()) <= words, col.header
    assert set(LONG_REASON.split()) <= words


def test_libreoffice_prints_every_header_whole_and_the_wide_sheets_readable(report, tmp_path):
    """Issue 29, 9: the workbook as LibreOffice Calc prints it (PDF, read back as text): no
    "###" (Overview's "Generated at (UTC)" fits its column), every header whole (the
    Overview's wrapped headings, the Rubric's items, Reps and Sessions: rows tall enough for
    the wrapped words), and the 31-column Reps sheet and the Sessions sheet at a readable
    size: fitted to as many pages across as keep every word at least 5.5 points tall, the
    header row and the columns naming the row on every page."""
    src = tmp_path / "cohort.xlsx"
    write_workbook(of_scenario(report), src, pdf_paths=_links(report))
    book = openpyxl.load_workbook(src)
    for title, naming in (("Reps", "$A:$A"), ("Sessions", "$A:$B")):
        ws = book[title]
        widths = [ws.column_dimensions[get_column_letter(i)].width
                  for i in range(1, ws.max_column + 1)]
        setup = ws.page_setup
        assert (setup.orientation, setup.fitToHeight) == ("landscape", 0), title
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, title
        assert setup.fitToWidth == grid.pages_wide(widths) > 1, title
        assert (ws.print_title_rows, ws.print_title_cols) == ("$1:$1", naming), title
    pdf = _libreoffice(src, "pdf", tmp_path)
    pages = _sheet_pages(pdf)
    assert list(pages) == EXPECTED_SHEETS
    printed = {title: [w for page in numbers for w in _printed_words(pdf, page)]
               for title, numbers in pages.items()}
    words = {title: {w for w, _ in found} for title, found in printed.items()}
    assert not [w for found in words.values() for w in found if "#" in w]
    assert set(report.generated_at.strftime("%Y-%m-%d %H:%M").split()) <= words["Overview"]
    headers = {
        "Overview": [*wbmod.OVERVIEW_HEADINGS, "Rank", "Participants", "Share",
                     "Week starting (UTC)", "Sessions (these reps, valid or not)",
                     "Average score (these reps' valid attempts)"],
        "Reps": REPS_HEADINGS,
        "Sessions": SESSIONS_HEADINGS,
        "Rubric": [c.value for c in book["Rubric"][1]],
    }
    for title, texts in headers.items():
        for text in texts:
            assert set(text.split()) <= words[title], (title, text)
    for title in ("Reps", "Sessions"):
        assert len(pages[title]) >= book[title].page_setup.fitToWidth
        for page in pages[title]:  # every page across names its rows
            shown = {w for w, _ in _printed_words(pdf, page)}
            assert {"Amélie", "Dubois-Laurent", "Bob", "Singh"} <= shown, (title, page)
        smallest = min(height for _, height in printed[title])
        assert smallest >= 5.5, (title, smallest)


def test_a_teams_overview_shows_its_reps_beside_everyone(report, tmp_path):
    """A team's workbook (teams/<group>/team.xlsx) holds only its reps: the Overview's first
    column counts them, everyone who practised stands beside for context."""
    two = dataclasses.replace(report, reps=report.reps[:2], selection_text="group North")
    ws = _write(two, tmp_path)["Overview"]
    rows = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r and r[0]}
    assert rows["Reps selected"][:3] == (2, None, None)
    assert rows["Reps with a valid attempt"][1:3] == (12, 12)
    assert rows["Valid attempts"][0] == sum(r.valid_count for r in report.reps[:2])
    assert rows["These reps (group North) beside everyone who practised"] == (None,) * (
        len(rows["Reps selected"]))


def test_every_sheet_names_reps_as_the_team_report_lists_them(attention_report, tmp_path):
    """Equal names carry the email, former members are marked: the report's labels, on every
    sheet that names a rep."""
    from reporter.analytics.team import list_names

    reps = list(attention_report.reps)
    reps[1] = dataclasses.replace(reps[1], name=reps[0].name)  # two of the same name
    reps[2] = dataclasses.replace(reps[2], is_member=False)
    labels = list_names(reps)
    report = dataclasses.replace(attention_report, reps=tuple(reps), labels=labels,
                                 needs_attention=tuple(reps[:3]))
    book = _write(report, tmp_path)
    want = [labels[r.user_id] for r in reps]
    assert want[0] == f"{reps[0].name} ({reps[0].email})" and want[2].endswith("(former member)")
    assert _column(book["Reps"], "Name") == want
    assert _column(book["Rubric"], "Rep")[:len(reps)] == want
    assert set(_column(book["Sessions"], "Rep")) <= set(want)
    assert [n for n in _column(book["Needs attention"], "Rep")] == [
        labels[r.user_id] for r in reps[:3] if r.attention]


# ---------------------------------------------------------------- a program's workbook

PROGRAM_GENERATED = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def _program(data: dict | None = None):
    from reporter.analytics.program import build_program
    from reporter.cohort.snapshot import parse_snapshot

    snapshot = parse_snapshot(data or pf.program_snapshot())
    return build_program(snapshot, generated_at=PROGRAM_GENERATED)


def _program_book(report, tmp_path: Path) -> openpyxl.Workbook:
    path = tmp_path / "cohort.xlsx"
    wbmod.write_workbook(report, path,
                                 pdf_paths={r.slug: f"reps/{r.slug}.pdf" for r in report.reps})
    return openpyxl.load_workbook(path)


def _records(ws) -> list[dict[str, object]]:
    header = _header(ws)
    return [dict(zip(header, row, strict=True))
            for row in ws.iter_rows(min_row=2, values_only=True)]


def _expected_scenarios(data: dict) -> dict[tuple[str, str], dict[str, object]]:
    """Every rep × scenario, from the snapshot's own sessions and assignments."""
    from reporter.format import ASSIGNMENT_STATUS_LABELS

    out = {}
    for rep in data["reps"]:
        name = f"{rep['user']['first_name']} {rep['user']['last_name']}"
        for part in data["scenarios"]:
            sid = part["scenario"]["id"]
            scores = [s["score"] for s in rep["sessions"] if s["scenario"]["id"] == sid]
            assigned = [a for a in rep["assignments"] if a["scenario"]["id"] == sid]
            out[(name, part["scenario"]["name"])] = {
                "Practice": "Practised" if scores else "Not practised",
                "Sessions": len(scores), "Valid attempts": len(scores),
                "Best score": max(scores) if scores else None,
                "Required rank": assigned[0]["rank_min"].title() if assigned else None,
                "Assignment status": ASSIGNMENT_STATUS_LABELS[
                    assigned[0]["status"] if assigned else "none"],
                "Due (UTC)": datetime.fromisoformat(assigned[0]["due_date"]).replace(
                    tzinfo=None) if assigned else None,
            }
    return out


def test_libreoffice_shows_a_programs_overview_whole(tmp_path):
    """Issue 29, 9, in a program's workbook: its Overview's facts (the program, its scenarios,
    wrapped in column B) and each scenario's headings are whole in LibreOffice's PDF, and
    the time it was generated is shown, not ###."""
    report = _program()
    _program_book(report, tmp_path)
    pdf = _libreoffice(tmp_path / "cohort.xlsx", "pdf", tmp_path)
    words = {w for page in _sheet_pages(pdf)["Overview"] for w, _ in _printed_words(pdf, page)}
    assert not [w for w in words if "#" in w]
    said = [*(value for _, value in wbmod._subject(report)), report.workspace_name,
            report.selection_text, PROGRAM_GENERATED.strftime("%Y-%m-%d %H:%M"),
            *wbmod.OVERVIEW_HEADINGS]
    for text in said:
        assert set(text.split()) <= words, text


def test_a_programs_workbook_has_the_scenario_sheets_and_its_own(tmp_path):
    book = _program_book(_program(), tmp_path)
    assert book.sheetnames == PROGRAM_SHEETS
    # The scenario sheets are the single-scenario columns with Scenario after the rep's name.
    assert _header(book["Reps"]) == [REPS_HEADINGS[0], "Scenario", *REPS_HEADINGS[1:]]
    assert _header(book["Sessions"])[:3] == ["Session ID", "Rep", "Scenario"]
    assert _header(book["Needs attention"])[:2] == _header(book["Feedback"])[:2] == [
        "Rep", "Scenario"]
    assert book["Reps"].freeze_panes == "C2"


def test_the_scenarios_sheet_is_every_rep_by_every_scenario_as_the_snapshot_has_it(tmp_path):
    data = pf.program_snapshot()
    report = _program(data)
    ws = _program_book(report, tmp_path)["Scenarios"]
    rows = _records(ws)
    want = _expected_scenarios(data)
    assert [(r["Rep"], r["Scenario"]) for r in rows] == list(want)  # by rep, program order
    assert len(rows) == 3 * 3
    for row in rows:
        key = (row["Rep"], row["Scenario"])
        for column, value in want[key].items():
            assert row[column] == value, (key, column)
    ada_pd = next(r for r in rows if r["Rep"] == "Ada Lovelace"
                  and r["Scenario"] == "Procurement Discovery")
    # Last month's best was 75.0 in the factory's previous period: +7 now.
    assert (ada_pd["Best rank"], ada_pd["Last period"], ada_pd["Change vs last period"]) == (
        "Silver", 75, 7)
    ben_cd = next(r for r in rows if r["Rep"] == "Ben Okafor"
                  and r["Scenario"] == "Competitive Displacement")
    assert ben_cd["Practice"] == "Not practised" and ben_cd["Best score"] is None
    assert ben_cd["Needs attention"] == "High"  # past due with no attempt
    slug = next(r.slug for r in report.reps if r.name == "Ben Okafor")
    link = ws.cell(row=rows.index(ben_cd) + 2, column=len(SCENARIOS_HEADINGS))
    assert link.value == f"reps/{slug}.pdf" and link.hyperlink.target == f"reps/{slug}.pdf"
    assert ws.tables["ScenariosTable"].ref == f"A1:{get_column_letter(len(_header(ws)))}10"


def test_the_skills_sheet_reads_exec_proficiency_never_a_zero(tmp_path):
    data = pf.program_snapshot()
    rows = _records(_program_book(_program(data), tmp_path)["Skills"])
    names = {r["user"]["id"]: f"{r['user']['first_name']} {r['user']['last_name']}"
             for r in data["reps"]}
    labels = {"proficient": "Proficient", "developing": "Developing",
              "insufficient_data": "Not enough practice yet"}
    want = {}
    for uid, name in sorted(names.items(), key=lambda kv: kv[1]):
        for skill in sorted(data["skills"], key=lambda s: s["skill"]["name"]):
            entry = next((e for e in skill["proficiency"] if e["user"]["id"] == uid), None)
            before = next((e for e in skill["previous"] if e["user"]["id"] == uid), None)
            want[(name, skill["skill"]["name"])] = (
                labels[entry["tier"]] if entry else "Not practised",
                entry["score"] if entry else None,
                entry["observation_count"] if entry else 0,
                labels[before["tier"]] if before else "Not practised",
                before["score"] if before else None)
    got = {(r["Rep"], r["Skill"]): (r["Tier"], r["Score"], r["Observations"],
                                    r["Previous tier"], r["Previous score"]) for r in rows}
    assert list(got) == list(want) and got == want
    assert len(rows) == 3 * 3
    ada = {r["Skill"]: r for r in rows if r["Rep"] == "Ada Lovelace"}
    assert ada["Discovery Questions"]["Change vs last period"] == 7.4
    assert ada["Discovery Questions"]["Scenarios"] == "Procurement Discovery; Objection Handling"
    assert ada["Discovery Questions"]["Last practised (UTC)"] == datetime(2026, 10, 20, 9, 0)
    # Too little data is said, not scored: no 0 anywhere in the score columns.
    insufficient = [r for r in rows if r["Tier"] == "Not enough practice yet"]
    assert len(insufficient) == 2 and all(r["Score"] is None for r in insufficient)
    assert 0 not in [r["Score"] for r in rows] + [r["Previous score"] for r in rows]


def test_a_programs_scenario_sheets_stack_each_scenarios_rows(tmp_path):
    report = _program()
    book = _program_book(report, tmp_path)
    reps = _records(book["Reps"])
    # Each scenario's reps in turn: those with a session, and those assigned it without one.
    assert [(r["Scenario"], r["Name"]) for r in reps] == [
        ("Procurement Discovery", "Ada Lovelace"), ("Procurement Discovery", "Ben Okafor"),
        ("Objection Handling", "Ada Lovelace"), ("Objection Handling", "Cy Young"),
        ("Competitive Displacement", "Ada Lovelace"),
        ("Competitive Displacement", "Ben Okafor")]
    part = report.part("sc1")
    assert [r["Best score"] for r in reps[:2]] == [r.best_score for r in part.reps]
    sessions = _records(book["Sessions"])
    assert len(sessions) == sum(len(r.attempts) for p in report.parts for r in p.reps) == 9
    assert {r["Scenario"] for r in sessions} == {s.name for s in report.scenarios}
    attention = _records(book["Needs attention"])
    assert (attention[0]["Rep"], attention[0]["Scenario"], attention[0]["Severity"]) == (
        "Ben Okafor", "Competitive Displacement", "High")
    assert not any(str(r["Reasons"]).startswith(r["Scenario"]) for r in attention)
    rubric = list(book["Rubric"].iter_rows(values_only=True))
    assert [r[:2] for r in rubric if r[0] == "Whole team (the reps above)"] == [
        ("Whole team (the reps above)", s.name) for s in report.scenarios]
    about = {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r and r[0]}
    assert about["Program"] == "Core Sales Conversations"
    assert about["Scenarios"] == "; ".join(s.name for s in report.scenarios)


def _hostile_program() -> dict:
    import copy


    data = copy.deepcopy(pf.program_snapshot())
    data["reps"][0]["user"]["first_name"] = FORMULAS[0]  # one dict: the rep's every mention
    data["reps"][0]["user"]["last_name"] = None
    data["scenarios"][0]["scenario"]["name"] = FORMULAS[3]
    data["skills"][0]["skill"]["name"] = FORMULAS[1]
    data["program"]["name"] = FORMULAS[2]
    return data


def test_a_programs_hostile_text_stays_text(tmp_path):
    found = _sheets_holding_as_text(_program_book(_program(_hostile_program()), tmp_path),
                                    FORMULAS)
    assert {"Scenarios", "Skills", "Reps", "Sessions", "Needs attention"} <= found[FORMULAS[0]]
    assert {"Scenarios", "Reps", "Rubric"} <= found[FORMULAS[3]]
    assert "Skills" in found[FORMULAS[1]]
    assert {"Overview", "About"} <= found[FORMULAS[2]]


def test_libreoffice_opens_a_programs_workbook(tmp_path):
    src = tmp_path / "cohort.xlsx"
    wbmod.write_workbook(_program(), src)
    out = _libreoffice(src, "pdf", tmp_path)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    for words in ("Competitive Displacement", "Not practised", "Not enough practice yet",
                  "Discovery Questions"):
        assert words in text, words


def test_a_program_with_no_rep_still_writes_a_valid_workbook(tmp_path):
    data = pf.program_snapshot(reps=[])
    for part in data["scenarios"]:
        part["participants"] = []
    book = _program_book(_program(data), tmp_path)
    assert book.sheetnames == PROGRAM_SHEETS
    for name in ("Scenarios", "Skills", "Reps", "Sessions"):
        assert book[name].max_row == 1 and not book[name].tables, name
    assert book["Needs attention"]["A1"].value == "No rep needs attention in October 2026."
