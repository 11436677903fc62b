"""The cohort workbook: the file a manager opens on Monday and HR files away.

Built in openpyxl's write-only mode: rows stream to the file as they are made, so 2,000 reps with
20 sessions each stay in bounded memory (see bench/bench_workbook.py for the figures). Write-only
mode still supports what the sheets need (tables, conditional formatting, charts, hyperlinks,
frozen panes, print setup); its one constraint is that column widths, panes and the page setup
must be set before the first row, so each big sheet walks its rows twice: once to measure widths,
once to write. The data sheets' rows then go into the sheet as XML text (:class:`_GridXml`): the
bytes openpyxl would write for the same cells, in about a quarter of the time.

Every text from the API is a string cell, never a formula, with the characters Excel refuses
removed: :func:`reporter.render.cells.text_cell` makes it, or the XML rows write what that cell
would be, through the same :func:`reporter.render.cells.clean_text`. Every number goes through
:func:`_num`: rounded to the decimals its format shows, so the formula bar never shows
72.89999999999999 behind a cell that reads 72.9. Every sheet prints landscape, fitted to as
many pages across as keep its text readable (one for most; :func:`pages_wide`), with its header
row, and the columns naming each row, repeated on each page. LibreOffice neither grows a row
nor widens a column for wrapped text, so every row of wrapped headings or values is written as
tall as its longest needs (:func:`wrapped_height`).

A program run (several scenarios) writes the same sheets with the same row builders, each
scenario's rows in turn with a Scenario column after the rep's name, plus the program's own
Scenarios (rep × scenario) and Skills (rep × skill) sheets: :func:`write_program_workbook`.
"""

from __future__ import annotations

import contextlib
import math
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import LXML, Workbook
from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.compat import safe_string
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule, DataBarRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.styles.cell_style import StyleArray
from openpyxl.styles.numbers import is_date_format
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet.filters import AutoFilter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.table import Table, TableColumn, TableStyleInfo

try:  # openpyxl's sheet writer, a private module: without it every row goes openpyxl's way
    from openpyxl.worksheet._writer import WorksheetWriter, create_temporary_file
except ImportError:  # a release that moved it: _GridXml.attach then finds no write_top
    WorksheetWriter = object

from reporter.analytics.team import MIN_CELL_SESSIONS, build_team
from reporter.files import atomic_path
from reporter.format import (
    NEW_REP_LABEL,
    XLSX_DATE,
    XLSX_DATETIME,
    XLSX_DECIMALS,
    XLSX_INT,
    XLSX_MINUTES,
    XLSX_PERCENT,
    XLSX_PERCENT1,
    XLSX_POINTS,
    XLSX_SCORE,
    fmt_assignment_status,
    fmt_direction,
    fmt_item,
    fmt_practised,
    fmt_rank,
    fmt_severity,
    fmt_tier,
    fmt_top_item,
)
from reporter.names import is_safe_link
from reporter.render.cells import clean_text, excel_datetime, style_array, text_cell, value_cell
from reporter.render.team_pdf import share_band
from reporter.views import (
    CohortFigures,
    PeriodInfo,
    ProgramReportView,
    ProgramRepView,
    ReportView,
    RepView,
    ScenarioInfo,
    ScenarioRow,
    SkillRow,
    TeamCell,
)

SHEET_NAMES: tuple[str, ...] = (
    "Needs attention", "Overview", "Reps", "Sessions", "Rubric", "Feedback", "Not found", "About",
)

PRACTICE_NOTE = (
    "These are practice scores from roleplay training, not a performance rating: "
    "use them to coach, not to judge."
)

NOT_FOUND_REASONS: dict[str, str] = {
    "not_member": "not a member of the workspace",
    "no_sessions": "no sessions in the period",
    "invalid_address": "not a valid email address",
}

# Number formats: scores keep one decimal, lift shows its sign, datetimes say UTC in the header.

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
LINK = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)

# Keyed by the rank's label, as the cells show it ("Gold").
RANK_FILLS: dict[str, str] = {
    fmt_rank("gold"): "FFD966", fmt_rank("silver"): "D9D9D9",
    fmt_rank("bronze"): "F4B183", fmt_rank("unranked"): "F2F2F2",
}
SEVERITY_FILLS: dict[str, str] = {
    fmt_severity(3): "F8CBAD", fmt_severity(2): "FFE699", fmt_severity(1): "E2EFDA",
}

# A link must be a plain relative path to a PDF below the workbook's folder: no scheme, no
# absolute path, no "..", so the cell can never point a click anywhere else.


@dataclass(frozen=True)
class Col:
    """One column of a data sheet: how it is headed, typed, formatted and sized."""

    header: str
    fmt: str | None = None  # number format; None for text columns
    text: bool = False  # the value is text (maybe from the API): always a string cell
    wrap: bool = False
    cap: int = 40  # the widest the column gets, in characters
    link: bool = False  # the value is a relative path we built: a hyperlink cell


def write_workbook(
    report: ReportView, path: Path, *, pdf_paths: Mapping[str, str] | None = None
) -> None:
    """Write the eight-sheet cohort workbook to ``path`` atomically.

    The first sheet, the one Excel opens on, lists the reps who need attention.

    ``pdf_paths`` maps a rep's slug to the relative path of the rep's PDF from the workbook's
    folder ("reps/x.pdf"); a rep without one (or with a path that is not a plain relative
    ``.pdf`` path) gets no link.
    """
    path = Path(path)
    links = {slug: p for slug, p in (pdf_paths or {}).items() if is_safe_link(p)}
    wb, sheet = _new_workbook("Cohort practice results", report.tool_version)

    try:
        write_attention_sheet(sheet("Needs attention"), report)
        _overview(sheet("Overview"), report)
        write_reps_sheet(sheet("Reps"), report, links)
        write_sessions_sheet(sheet("Sessions"), report)
        _rubric(sheet("Rubric"), report)
        _feedback(sheet("Feedback"), report)
        _not_found(sheet("Not found"), report)
        _about(sheet("About"), report)
        _save_atomic(wb, path)
    except BaseException:
        _discard(wb)
        raise


def _new_workbook(title: str, version: str) -> tuple[Any, Callable[[str], Any]]:
    """A write-only workbook with its properties, and a function adding a streamed sheet."""
    wb = Workbook(write_only=True)
    wb.properties.creator = f"reporter {version}"
    wb.properties.title = title
    return wb, lambda name: _cells_streamed(wb.create_sheet(name))


def _cells_streamed(ws: Any) -> Any:
    """``ws``, appending rows of ready-made cells without openpyxl's per-cell detour.

    Every cell we write is a ``Cell`` already styled (or None). openpyxl's write-only
    ``append`` first tries to store each one as a value into a spare cell, which raises and
    catches a ``ValueError``, then makes a new spare cell because ours is styled: a fifth to a
    third of the workbook's time at 2,000 reps (bench/README.md). This gives the cells to the
    writer as they are, numbered the way openpyxl numbers them; a row holding anything else
    goes through openpyxl's own conversion. The file written is the same.
    """
    # openpyxl's own conversion of a write-only sheet's rows, a private method: on a normal
    # sheet, or if a release drops it, rows simply go openpyxl's way.
    convert = getattr(ws, "_values_to_row", None)
    if convert is None or not hasattr(ws, "_write_rows") or getattr(ws, "_cells_streamed", False):
        return ws

    def values_to_row(values: Iterable[object], row_idx: int) -> Iterable[object]:
        if type(values) is _GridRow:
            return values  # written by _SheetXmlWriter.write_row
        row = values if isinstance(values, list | tuple) else list(values)
        if not all(value is None or type(value) is Cell for value in row):
            return convert(row, row_idx)
        return _numbered(row, row_idx)

    ws._values_to_row = values_to_row
    ws._cells_streamed = True
    return ws


def _numbered(row: Sequence[object], row_idx: int) -> Iterator[Cell]:
    """The ready-made cells of ``row``, given the coordinates openpyxl would give them."""
    for col_idx, cell in enumerate(row, 1):
        if cell is None:
            continue
        assert isinstance(cell, Cell)
        cell.column = col_idx
        cell.row = row_idx
        if cell.hyperlink is not None:
            cell.hyperlink.ref = cell.coordinate
        yield cell


def _discard(wb: Workbook) -> None:
    """Close and delete the sheets' streaming files after a failure.

    Write-only sheets stream to files in the system temp folder holding reps' names and
    feedback; openpyxl removes them only at interpreter exit, and an unclosed stream raises
    noisily when garbage-collected.
    """
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):
            ws.close()
        with contextlib.suppress(Exception):
            writer.cleanup()


def _save_atomic(wb: Workbook, path: Path) -> None:
    """Save beside the target then rename, so a crash never leaves half a workbook."""
    with atomic_path(path) as tmp:
        wb.save(tmp)


# ---------------------------------------------------------------------------- data sheets

# The rep against the previous period, as both sheets show it (values from _last_period):
# numbers only in "Last period", so the column sorts and filters; "New" in its own column.
LAST_PERIOD_COLS: tuple[Col, ...] = (
    Col("Last period", XLSX_SCORE),  # the previous period's best score
    Col("New this period", text=True, cap=10),  # "New": a best now, none then
    Col("Change vs last period", XLSX_POINTS),
)
#: Where a rep stands on the Needs attention sheet, as team.pdf lists them.
SHORTLIST_LABEL = "1:1 shortlist"
WATCH_LABEL = "Keep an eye on"
#: Separator between list items in one cell, everywhere.
LIST_SEP = "; "

ATTENTION_SHEET: tuple[Col, ...] = (
    Col("Rep", text=True, wrap=True, cap=32),
    Col("Email", text=True, cap=36),
    Col("List", text=True, cap=15),
    Col("Reasons", text=True, wrap=True, cap=60),
    Col("Severity", text=True, cap=10),
    Col("Best", XLSX_SCORE),
    Col("Latest", XLSX_SCORE),
    *LAST_PERIOD_COLS,
    Col("Assignment status", text=True, cap=18),
    Col("Due (UTC)", XLSX_DATE),
    Col("Next step", text=True, wrap=True, cap=40),
    Col("Last practised (UTC)", XLSX_DATETIME),
)


def _last_period(rep: RepView) -> tuple[float | None, str | None, float | None]:
    """(the previous period's best; "New" for a rep new this period, never compared with
    zero; the change in points) for the "Last period", "New" and "Change" columns."""
    cmp = rep.comparison
    if cmp is None:
        return None, None, None
    if cmp.is_new:
        return None, NEW_REP_LABEL, None
    return cmp.previous_best, None, cmp.change


def _attention_row(label: str, rep: RepView, shortlisted: bool) -> tuple[object, ...]:
    plan = rep.coaching
    step = plan.next_step
    return (
        label, rep.email, SHORTLIST_LABEL if shortlisted else WATCH_LABEL,
        LIST_SEP.join(r.text for r in rep.attention),
        fmt_severity(rep.severity), rep.best_score, rep.latest_score, *_last_period(rep),
        fmt_assignment_status(rep.assignment_status),
        excel_datetime(plan.target.due) if plan.target else None,
        fmt_item(step.criterion, step.item) if step else None,
        excel_datetime(rep.last_practised),
    )


def write_attention_sheet(ws: Any, report: ReportView) -> int:
    """The reps who need attention, most severe first (the order ``needs_attention`` has),
    with why and whether they are on the 1:1 shortlist (at most five, medium or high) or to
    keep an eye on; one line saying so when nobody does."""
    reps = [rep for rep in report.needs_attention if rep.attention]
    chosen = {id(r) for r in report.shortlist}
    return _attention_grid(
        ws, ATTENTION_SHEET,
        lambda: (_attention_row(report.label(r), r, id(r) in chosen) for r in reps),
        report.period, freeze="B2")


def _attention_grid(ws: Any, cols: Sequence[Col],
                    rows: Callable[[], Iterable[Sequence[object]]], period: PeriodInfo, *,
                    freeze: str) -> int:
    """The Needs attention sheet from its rows (a rep's, or a rep's in one scenario), with
    severity fills; one line saying so when there is none."""
    if next(iter(rows()), None) is None:
        _print_setup(ws, title_rows=False)
        ws.column_dimensions["A"].width = 60
        ws.append([text_cell(ws, f"No rep needs attention in {period.prose}.",
                             font=BOLD)])
        return 0
    n = write_grid(ws, cols, rows, table_name="AttentionTable", freeze=freeze)
    _label_fills(ws, _col_range(cols, "Severity", n + 1), SEVERITY_FILLS)
    return n


REPS_SHEET: tuple[Col, ...] = (
    Col("Name", text=True, wrap=True, cap=32),
    Col("Email", text=True, cap=36),
    Col("User ID", text=True, cap=24),
    Col("Groups", text=True, wrap=True, cap=30),
    Col("Assignment status", text=True, cap=18),
    Col("Sessions", XLSX_INT),
    Col("Valid attempts", XLSX_INT),
    Col("First score", XLSX_SCORE),
    Col("First rank", text=True),
    Col("Best score", XLSX_SCORE),
    Col("Best rank", text=True),
    Col("Latest score", XLSX_SCORE),
    Col("Latest rank", text=True),
    Col("Lift (points)", XLSX_POINTS),
    Col("Practice minutes", XLSX_MINUTES),
    Col("Last practised (UTC)", XLSX_DATETIME),
    Col("Percentile", XLSX_INT),
    Col("Trend", text=True, cap=16),
    Col("Top strength", text=True, wrap=True, cap=40),
    Col("Top focus area", text=True, wrap=True, cap=40),
    Col("Next step", text=True, wrap=True, cap=40),
    Col("Try instead", text=True, wrap=True, cap=60),
    Col("Target", text=True, wrap=True, cap=50),
    Col("Due (UTC)", XLSX_DATE),
    Col("Latest below best (points)", XLSX_SCORE),
    *LAST_PERIOD_COLS,
    Col("Rank change", XLSX_INT),
    Col("Needs attention", text=True, cap=10),  # the severity; blank when nothing
    Col("Report (PDF)", text=True, link=True, cap=40),
)


def _rep_row(label: str, rep: RepView, link: str | None) -> tuple[object, ...]:
    plan = rep.coaching
    step = plan.next_step
    return (
        label, rep.email, rep.user_id, LIST_SEP.join(rep.groups),
        fmt_assignment_status(rep.assignment_status), rep.session_count, rep.valid_count,
        rep.first_score, _rank(rep.first_rank), rep.best_score, _rank(rep.best_rank),
        rep.latest_score, _rank(rep.latest_rank), rep.lift, rep.practice_minutes,
        excel_datetime(rep.last_practised), rep.percentile, fmt_direction(rep.trend),
        fmt_top_item(plan.strengths), fmt_top_item(plan.focus_areas),
        fmt_item(step.criterion, step.item) if step else None,
        step.try_instead if step else None,
        rep.verdict.target_line if rep.verdict else None,
        excel_datetime(plan.target.due) if plan.target else None,
        plan.decline.drop if plan.decline else None,
        *_last_period(rep),
        rep.comparison.rank_change if rep.comparison else None,
        fmt_severity(rep.severity) if rep.attention else None,
        link,
    )


def write_reps_sheet(ws: Any, report: ReportView, links: Mapping[str, str]) -> int:
    """One row per rep as an Excel table with scores coloured, lift barred and ranks filled."""
    return _reps_grid(
        ws, REPS_SHEET,
        lambda: (_rep_row(report.label(r), r, links.get(r.slug)) for r in report.reps),
        freeze="B2")


def _reps_grid(ws: Any, cols: Sequence[Col], rows: Callable[[], Iterable[Sequence[object]]],
               *, freeze: str) -> int:
    n = write_grid(ws, cols, rows, table_name="RepsTable", freeze=freeze)
    if n:
        last = n + 1
        for header in ("First score", "Best score", "Latest score"):
            ws.conditional_formatting.add(_col_range(cols, header, last), _score_scale())
        ws.conditional_formatting.add(
            _col_range(cols, "Lift (points)", last),
            DataBarRule(start_type="min", end_type="max", color="5B9BD5"),
        )
        for header in ("First rank", "Best rank", "Latest rank"):
            _rank_fills(ws, _col_range(cols, header, last))
    return n


SESSIONS_SHEET: tuple[Col, ...] = (
    Col("Session ID", text=True, cap=24),
    Col("Rep", text=True, cap=32),
    Col("Email", text=True, cap=36),
    Col("Created at (UTC)", XLSX_DATETIME),
    Col("Score", XLSX_SCORE),
    Col("Rank", text=True),
    Col("Duration (minutes)", XLSX_MINUTES),
    Col("Valid attempt"),
    Col("Outcome", text=True, wrap=True, cap=50),
    Col("Positive feedback", text=True, wrap=True, cap=60),
    Col("Constructive feedback", text=True, wrap=True, cap=60),
)


def _session_rows(report: ReportView) -> Iterator[tuple[object, ...]]:
    for rep in report.reps:
        yield from _rep_sessions(report.label(rep), rep)


def _rep_sessions(name: str, rep: RepView) -> Iterator[tuple[object, ...]]:
    for a in rep.attempts:
        yield (
            a.session_id, name, rep.email, excel_datetime(a.created_at), a.score,
            _rank(a.rank),
            a.duration_minutes, a.is_valid, a.outcome, a.positive, a.constructive,
        )


def write_sessions_sheet(ws: Any, report: ReportView) -> int:
    """Every session of the selected reps; works on a normal or a write-only worksheet.

    Public so the benchmark can write the very same rows in both openpyxl modes.
    """
    return _sessions_grid(ws, SESSIONS_SHEET, lambda: _session_rows(report))


def _sessions_grid(ws: Any, cols: Sequence[Col],
                   rows: Callable[[], Iterable[Sequence[object]]]) -> int:
    # Not frozen (the ID comes first), but printed on each page across: which session, whose.
    n = write_grid(ws, cols, rows, table_name="SessionsTable", title_cols=2)
    if n:
        ws.conditional_formatting.add(_col_range(cols, "Score", n + 1), _score_scale())
        _rank_fills(ws, _col_range(cols, "Rank", n + 1))
    return n


FEEDBACK_SHEET: tuple[Col, ...] = (
    Col("Rep", text=True, cap=32),
    Col("Email", text=True, cap=36),
    Col("Session ID", text=True, cap=24),
    Col("Date (UTC)", XLSX_DATETIME),
    Col("Criterion", text=True, wrap=True, cap=30),
    Col("Item", text=True, wrap=True, cap=30),
    Col("Grade", text=True, cap=14),
    Col("Salience", text=True, cap=10),
    Col("Quote", text=True, wrap=True, cap=60),
    Col("Feedback", text=True, wrap=True, cap=60),
    Col("Suggested phrasing", text=True, wrap=True, cap=60),
)


def _feedback(ws: Any, report: ReportView) -> None:
    """One row per distinct example: the same words and advice twice (one moment picked for
    two reasons) are one row, the first."""
    def rows() -> Iterator[tuple[object, ...]]:
        for rep in report.reps:
            yield from _rep_feedback(report.label(rep), rep)

    write_grid(ws, FEEDBACK_SHEET, rows, table_name="FeedbackTable", freeze="B2")


def _rep_feedback(name: str, rep: RepView) -> Iterator[tuple[object, ...]]:
    seen: set[tuple[object, ...]] = set()  # per rep: an example is always the rep's own
    for m in rep.feedback_examples:
        key = (m.session_id, m.criterion, m.item, m.quote, m.feedback, m.suggestion)
        if key in seen:
            continue
        seen.add(key)
        yield (name, rep.email, m.session_id, excel_datetime(m.created_at),
               m.criterion, m.item, m.grade, m.salience, m.quote, m.feedback, m.suggestion)


NOT_FOUND_SHEET: tuple[Col, ...] = (
    Col("Email", text=True, cap=40),
    Col("Reason", text=True, cap=32),
    Col("Detail", text=True, wrap=True, cap=60),
)


#: What an empty "Not found" sheet says.
ALL_FOUND = "Every rep asked for was found: nobody is missing from this workbook."


def _not_found(ws: Any, report: ReportView | ProgramReportView) -> None:
    """The addresses asked for that are not in the workbook, and why; one line saying every
    rep was found when none is missing."""
    if not report.not_found:
        _print_setup(ws, title_rows=False)
        ws.column_dimensions["A"].width = 70
        ws.append([text_cell(ws, ALL_FOUND, font=BOLD)])
        return
    write_grid(
        ws, NOT_FOUND_SHEET,
        lambda: ((nf.email, NOT_FOUND_REASONS.get(nf.reason, nf.reason), nf.detail)
                 for nf in report.not_found),
        table_name="NotFoundTable",
    )


class RubricBlock(NamedTuple):
    """Rows of the Rubric sheet: reps (each with the name the sheet shows) and their team row,
    over one scenario (``scenario`` names it in a program's workbook; None in a scenario's)."""

    scenario: str | None
    reps: Sequence[tuple[str, RepView]]
    team_share: Mapping[tuple[str, str], float]  # the reps' share of good grades per item


def _rubric_keys(blocks: Sequence[RubricBlock], lead: int) -> list[tuple[str, str]]:
    """Every (criterion, item) in first-seen order: each block's reps' rubrics, then its
    team's."""
    seen: dict[tuple[str, str], None] = {}
    for block in blocks:
        for _, rep in block.reps:
            for row in rep.rubric:
                seen.setdefault((row.criterion, row.item), None)
        for key in block.team_share:
            seen.setdefault(key, None)
    # Excel's column limit, minus the name columns; a real rubric is far smaller.
    return list(seen)[: 16_384 - lead]


#: A Rubric cell's fill by share_band (team.pdf's bands): thin cells grey, as in the PDF.
BAND_FILLS: dict[str, str] = {"good": "C6EFCE", "mid": "FFEB9C", "bad": "FFC7CE",
                              "thin": "EDEDED", "none": "FFFFFF"}
THIN_FONT = Font(color="808080", italic=True)
#: The Rubric sheet's team row, under the reps it counts.
TEAM_ROW_LABEL = "Whole team (the reps above)"


def _rubric(ws: Any, report: ReportView) -> None:
    _rubric_sheet(ws, [RubricBlock(None, [(report.label(r), r) for r in report.reps],
                                   report.cohort.rubric_good_share)])


def _rubric_sheet(ws: Any, blocks: Sequence[RubricBlock]) -> None:
    """Share of each rep's graded sessions where an item was good, with a team row; each
    cell filled as team.pdf fills it, greyed when it rests on fewer than MIN_CELL_SESSIONS
    sessions, and the greyed cells counted in a note under the table. A program's workbook
    has a block (its reps, then its team row) per scenario, with a Scenario column."""
    scenario_col = any(b.scenario is not None for b in blocks)
    lead = (Col("Rep", text=True, wrap=True, cap=32),
            *((SCENARIO_COL,) if scenario_col else ()),
            Col("Email", text=True, cap=36))
    keys = _rubric_keys(blocks, len(lead))
    cols = (*lead, *(Col(fmt_item(c, i), XLSX_PERCENT, cap=22) for c, i in keys))
    grades = [[{(r.criterion, r.item): r for r in rep.rubric} for _, rep in b.reps]
              for b in blocks]

    def names(block: RubricBlock, label: str, rep: RepView) -> tuple[str, ...]:
        return (label, block.scenario or "", rep.email) if scenario_col else (label, rep.email)

    def plain() -> Iterator[tuple[object, ...]]:
        for block, by_keys in zip(blocks, grades, strict=True):
            for (label, rep), by_key in zip(block.reps, by_keys, strict=True):
                yield (*names(block, label, rep),
                       *(g.good_share if (g := by_key.get(k)) else None for k in keys))

    ws = _cells_streamed(ws)
    widths = _fit_widths(cols, plain())
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2" if scenario_col else "B2"
    _print_setup(ws, title_rows=True, widths=widths, title_cols=len(lead) - 1)
    ws.row_dimensions[1].height = wrapped_height([c.header for c in cols], widths)
    header = style_array(ws, font=BOLD, alignment=HEADER_ALIGN)
    ws.append([text_cell(ws, c.header, header) for c in cols])
    name_style = style_array(ws, alignment=WRAP)
    bands = {band: style_array(ws, number_format=XLSX_PERCENT,
                               fill=PatternFill(start_color=colour, end_color=colour,
                                                fill_type="solid"),
                               font=THIN_FONT if band == "thin" else Font())
             for band, colour in BAND_FILLS.items()}
    thin = 0
    for block, by_keys in zip(blocks, grades, strict=True):
        for (label, rep), by_key in zip(block.reps, by_keys, strict=True):
            cells: list[object] = [text_cell(ws, v, name_style)
                                   for v in names(block, label, rep)]
            for key in keys:
                row = by_key.get(key)
                if row is None or not row.graded:
                    cells.append(None)
                    continue
                band = share_band(TeamCell(row.good, row.graded,
                                           row.graded < MIN_CELL_SESSIONS))
                thin += band == "thin"
                cells.append(_num(ws, row.good / row.graded, XLSX_PERCENT, bands[band]))
            ws.append(cells)
        ws.append([
            text_cell(ws, TEAM_ROW_LABEL, font=BOLD),
            *((text_cell(ws, block.scenario, font=BOLD),) if scenario_col else ()),
            None,
            *(_num(ws, block.team_share.get(k), XLSX_PERCENT, font=BOLD) for k in keys),
        ])
    ws.append([])
    ws.append([text_cell(ws, rubric_note(thin), font=Font(italic=True))])


def rubric_note(thin: int) -> str:
    """The line under the Rubric sheet: how its cells read, and how many are greyed."""
    return ("Each cell: the share of the rep's graded sessions that graded the item good, "
            "filled as in team.pdf (green: two thirds or more; yellow: mixed; red: under a "
            f"third). Grey: {thin} cell{'' if thin == 1 else 's'} resting on fewer than "
            f"{MIN_CELL_SESSIONS} sessions, not yet a pattern.")


# ---------------------------------------------------------------------------- grid writer


def write_grid(
    ws: Any,
    cols: Sequence[Col],
    rows: Callable[[], Iterable[Sequence[object]]],
    *,
    table_name: str | None = None,
    freeze: str = "A2",
    title_cols: int | None = None,
) -> int:
    """Write a header and ``rows()`` to ``ws``; return the number of data rows.

    ``rows`` is called twice (widths first, since write-only mode needs them before any row),
    so it must return a fresh iterable each time. With at least one row and a ``table_name``
    the range becomes an Excel table (filter buttons); Excel rejects a table with no data row,
    so an empty sheet keeps only its header. ``freeze`` is "B2" on sheets whose first column
    is the rep's name, so the name stays in view while scrolling right. The sheet prints
    landscape (``_print_setup``) with the header row on every page, and the columns that stay
    in view on screen on every page across (``title_cols`` when the frozen ones do not name
    the row).
    """
    ws = _cells_streamed(ws)
    widths = _fit_widths(cols, rows())
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = freeze
    if title_cols is None:
        title_cols = coordinate_to_tuple(freeze)[1] - 1
    _print_setup(ws, title_rows=True, widths=widths, title_cols=title_cols)
    styles = [_col_style(ws, c) for c in cols]
    wrapped = [(i, w) for i, (c, w) in enumerate(zip(cols, widths, strict=True)) if c.wrap]
    # Heights before the first row: LibreOffice does not grow a row for wrapped text.
    ws.row_dimensions[1].height = wrapped_height([c.header for c in cols], widths)
    grid = _GridXml.attach(ws, cols, styles)  # before the first row: it brings the writer
    header = style_array(ws, font=BOLD, alignment=HEADER_ALIGN)
    ws.append([text_cell(ws, c.header, header) for c in cols])
    n = 0
    for row in rows():
        lines = max((_line_count(v, w) for i, w in wrapped
                     if isinstance(v := row[i], str)), default=1)
        height = row_height(lines) if lines > 1 else None
        if grid:
            ws.append(_GridRow(grid, row, height))
        else:
            if height is not None:
                ws.row_dimensions[n + 2].height = height
            ws.append(_row_cells(ws, cols, styles, row))
        n += 1
    if table_name and n:
        ref = f"A1:{get_column_letter(len(cols))}{n + 1}"
        # Columns are named here because write-only sheets cannot be read back for headers;
        # openpyxl warns about exactly that in write-only mode even when they are given.
        table = Table(
            displayName=table_name, ref=ref, tableStyleInfo=TABLE_STYLE,
            autoFilter=AutoFilter(ref=ref),
            tableColumns=[TableColumn(id=i, name=c.header) for i, c in enumerate(cols, 1)],
        )
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="In write-only mode you must add table")
            ws.add_table(table)
    return n


def _col_style(ws: Any, col: Col) -> StyleArray:
    if col.link:
        return style_array(ws, font=LINK)
    if col.text:
        return style_array(ws, alignment=WRAP if col.wrap else TOP)
    # Top-aligned like the text beside it, so a number sits on its row's first line.
    return style_array(ws, number_format=col.fmt or "General", alignment=TOP)


def _row_cells(ws: Any, cols: Sequence[Col], styles: Sequence[StyleArray],
               row: Sequence[object]) -> list[object]:
    """A data row as openpyxl cells (None for a blank), the way openpyxl writes it."""
    return [_cell(ws, col, value, style)
            for col, value, style in zip(cols, row, styles, strict=True)]


def _cell(ws: Any, col: Col, value: object, style: StyleArray) -> object:
    if value is None:
        return None
    if col.link:
        return text_cell(ws, value, style, hyperlink=str(value))
    if col.text or isinstance(value, str):
        return text_cell(ws, value, style)
    return _num(ws, value, col.fmt or "General", style)


def _num(ws: Any, value: object, fmt: str, style: StyleArray | None = None,
         **extra: Any) -> object:
    """The one way a number (or date, or bool) becomes a cell: rounded to what ``fmt`` shows.

    ``style`` (from :func:`style_array`, already holding ``fmt``) is for many cells alike;
    without it the number format is set on the cell, with ``extra`` (font...).
    """
    value = _shown(value, fmt)
    if value is None:
        return None
    if style is None:
        extra["number_format"] = fmt
    return value_cell(ws, value, style, **extra)


def _shown(value: object, fmt: str) -> object:
    """``value`` rounded to the decimals ``fmt`` displays: 9.699999999999996 in a "0.0" cell is
    stored as 9.7, 88.4 in a "0" cell as 88. A number Excel cannot store (NaN, infinity) is
    left blank. Dates, bools and text pass unchanged."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return None
    decimals = XLSX_DECIMALS.get(fmt)
    if decimals is None:
        return value
    return round(value) if decimals == 0 else round(value, decimals)


def _rank(rank: str | None) -> str | None:
    """A rank as every sheet shows it ("Gold"); blank when unknown, like a blank score."""
    return None if rank is None else fmt_rank(rank)


#: The smallest scale a sheet prints at: its 11-point text is 6 points on paper at the least.
#: Fitted to one page wide, the 31 columns of the Reps sheet printed at 19%, unreadable.
MIN_PRINT_SCALE = 0.55
#: Left and right page margins (inches), and the width a landscape page prints inside them,
#: in points: Letter's, the narrower of Letter (11 in) and A4 (11.7 in).
SIDE_MARGIN = 0.5
PRINT_WIDTH_POINTS = (11 - 2 * SIDE_MARGIN) * 72


def column_points(width: float) -> float:
    """A column's printed width in points at 100%: Excel's width unit is one digit of the
    default font (7 pixels of Calibri 11) and a column adds 5 pixels of padding, at 96
    pixels to the inch."""
    return (width * 7 + 5) * 72 / 96


def pages_wide(widths: Sequence[float]) -> int:
    """How many pages across a sheet of columns ``widths`` prints on, fitted to that width:
    one when it fits at MIN_PRINT_SCALE, more when it is wider."""
    needed = sum(column_points(w) for w in widths) * MIN_PRINT_SCALE
    return max(1, math.ceil(needed / PRINT_WIDTH_POINTS))


def _print_setup(ws: Any, *, title_rows: bool, widths: Sequence[float] = (),
                 title_cols: int = 0) -> None:
    """Landscape, fitted to ``pages_wide`` pages across (as many pages long as needed), the
    header row (``title_rows``) and the first ``title_cols`` columns (what names the row) on
    each page, so a page right of the first still says whose row it is.

    Must run before the first row in write-only mode (the sheet's properties come first).
    """
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = pages_wide(widths)
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=SIDE_MARGIN, right=SIDE_MARGIN)
    if title_rows:
        ws.print_title_rows = "1:1"
    if title_cols and ws.page_setup.fitToWidth > 1:
        ws.print_title_cols = f"A:{get_column_letter(title_cols)}"


def wrapped_height(texts: Sequence[str], widths: Sequence[float]) -> float:
    """The height of a row of wrapped texts (headings, a value) ``texts`` in columns
    ``widths`` wide, tall enough for the longest: LibreOffice neither grows a row nor widens
    a column for wrapped text, it shows the first line and cuts the rest off."""
    return row_height(max((_line_count(t, w) for t, w in zip(texts, widths, strict=False)),
                          default=1))


def _text_width(text: str, cap: int) -> int:
    """Columns a text needs (wide for CJK), stopping once it reaches ``cap``."""
    widest = 0
    for line in text.splitlines() or [""]:
        if len(line) >= cap:
            return cap
        if line.isascii():
            width = len(line)
        else:
            width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        widest = max(widest, width)
    return min(widest, cap)


#: Points per line of the default 11-point font, and the most a row may be (Excel's limit).
LINE_POINTS = 15.0
MAX_ROW_POINTS = 409.0


def row_height(lines: int) -> float:
    """The height, in points, of a row whose tallest cell holds ``lines`` lines."""
    return min(MAX_ROW_POINTS, LINE_POINTS * max(1, lines))


def _line_count(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped at word boundaries in a column ``width`` wide
    (Excel's width unit, about one digit; a CJK character counts two), the way a spreadsheet
    wraps it; a word longer than the column breaks across lines."""
    room = max(1, int(width) - 1)
    lines = 0
    for paragraph in text.splitlines() or [""]:
        used = 0
        lines += 1
        for word in paragraph.split():
            size = _text_width(word, 10_000)
            if used and used + 1 + size > room:
                lines += 1
                used = 0
            if size > room:
                lines += (size - 1) // room
                size = size % room or room
            used += size + (1 if used else 0)
    return lines


def _value_width(value: object, cap: int) -> int:
    if value is None:
        return 0
    if isinstance(value, str):
        return _text_width(value, cap)
    if isinstance(value, datetime):
        return 16
    if isinstance(value, bool):
        return 5
    if isinstance(value, float):
        return len(f"{value:+.1f}")
    return len(str(value))


def _fit_widths(cols: Sequence[Col], rows: Iterable[Sequence[object]]) -> list[float]:
    """Widths that fit the longest value (headers wrap, so they count only up to 14 wide).

    A text's width is measured once per column: names, emails, criteria and quotes repeat on
    many rows (a rep's name on each of their sessions and feedback examples).
    """
    widths = [min(len(c.header), 14) for c in cols]
    measured: list[dict[str, int]] = [{} for _ in cols]
    for row in rows:
        for i, (col, value) in enumerate(zip(cols, row, strict=True)):
            if widths[i] < col.cap:
                if isinstance(value, str):
                    width = measured[i].get(value)
                    if width is None:
                        width = measured[i][value] = _text_width(value, col.cap)
                else:
                    width = _value_width(value, col.cap)
                widths[i] = max(widths[i], width)
    return [min(w, c.cap) + 2 for w, c in zip(widths, cols, strict=True)]


def _col_range(cols: Sequence[Col], header: str, last_row: int) -> str:
    letter = get_column_letter([c.header for c in cols].index(header) + 1)
    return f"{letter}2:{letter}{last_row}"


def _score_scale() -> ColorScaleRule:
    """Scores are absolute (0-100), so the scale is fixed rather than relative to the cohort."""
    return ColorScaleRule(
        start_type="num", start_value=0, start_color="F8696B",
        mid_type="num", mid_value=70, mid_color="FFEB84",
        end_type="num", end_value=100, end_color="63BE7B",
    )


def _rank_fills(ws: Any, rng: str) -> None:
    """Fill rank cells by their label ("Gold"), the text the cells hold."""
    _label_fills(ws, rng, RANK_FILLS)


# ---------------------------------------------------------------------------- rows as sheet XML

#: Off only to prove the rows written as XML make the file openpyxl makes (tests, bench).
_XML_ROWS = True

#: What the text of an inline string needs escaped, as lxml writes it (the sheet is ASCII:
#: every other character becomes a character reference when the row is encoded).
_XML_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;"))


class _GridRow(NamedTuple):
    """A data row of ``write_grid`` on its way through openpyxl's row pipeline to
    :class:`_SheetXmlWriter`, which asks ``grid`` to write it (a tuple, as ``append`` wants)."""

    grid: _GridXml
    values: Sequence[object]
    height: float | None = None  # points, when the row's wrapped text needs more than a line


class _SheetXmlWriter(WorksheetWriter):
    """openpyxl's sheet writer, streaming into a file object so a row can go in as XML text.

    openpyxl writes each cell through lxml's incremental writer, working out its coordinate
    and style id cell by cell: most of the workbook's time at 2,000 reps (bench/README.md,
    section 5). lxml cannot write ready-made markup, so this writer hands lxml an open file
    instead of the temp file's path and writes a :class:`_GridRow` to that file itself, after
    flushing what lxml holds, so rows land in order between whatever lxml writes (the header
    before them, the Rubric's cohort row after). ``out`` is the path again once lxml has its
    file: the workbook writer copies that into the zip and ``cleanup`` removes it. A row the
    grid cannot write exactly (a link, an unusual value, a row with its own height) goes
    through openpyxl as cells, as does every row if lxml cannot flush.
    """

    def __init__(self, ws: Any) -> None:
        path = create_temporary_file()  # openpyxl's: listed for removal at exit, like its own
        self._file = open(path, "wb")  # noqa: SIM115 - lives as long as the sheet's stream
        try:
            super().__init__(ws, out=self._file)
        except BaseException:
            self._file.close()
            raise
        self.out = path

    def write_row(self, xf: Any, row: Any, row_idx: int) -> None:
        if type(row) is _GridRow:
            flush = getattr(xf, "flush", None)
            if flush is not None and row_idx not in self.ws.row_dimensions:
                xml = row.grid.row_xml(row.values, row_idx, row.height)
                if xml is not None:
                    flush()  # what lxml holds goes first
                    self._file.write(xml)
                    return
            if row.height is not None:  # openpyxl writes it from the row's dimension
                self.ws.row_dimensions[row_idx].height = row.height
            row = self.ws._values_to_row(row.grid.cells(row.values), row_idx)
        super().write_row(xf, row, row_idx)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._file.close()

    def cleanup(self) -> None:
        self._file.close()
        super().cleanup()


class _GridXml:
    """``write_grid``'s columns, resolved once, writing data rows as sheet XML.

    Each cell is what openpyxl writes for the cell ``_cell`` builds: the same coordinate,
    style id, type and value text, byte for byte (tests/test_workbook.py compares whole
    files). A column's style is registered with the workbook when its first cell is written,
    as openpyxl registers it, so styles.xml keeps its order. ``row_xml`` returns None for a
    row it cannot write exactly, and that row goes through openpyxl.
    """

    def __init__(self, ws: Any, cols: Sequence[Col], styles: Sequence[StyleArray]) -> None:
        self.ws = ws
        self.cols = cols
        self.styles = styles
        self.epoch = ws.parent.epoch
        self.opens = [f'<c r="{get_column_letter(i)}' for i in range(1, len(cols) + 1)]
        # '" s="N"' once the column's style is registered, '"' for an unstyled column.
        self.attrs: list[str | None] = [None] * len(cols)
        # A datetime in any other column would change its cell's number format: openpyxl's.
        self.dates = [is_date_format(c.fmt or "General") for c in cols]

    @classmethod
    def attach(cls, ws: Any, cols: Sequence[Col], styles: Sequence[StyleArray]) -> _GridXml | None:
        """The grid for ``ws``, its writer in place; None to let openpyxl write every row.

        Only for a write-only sheet with no row yet (``_cells_streamed``, which passes a
        :class:`_GridRow` on), on a workbook writing dates as numbers, with openpyxl writing
        through lxml; if a release drops an internal used here, rows go openpyxl's way.
        """
        if not (_XML_ROWS and LXML and getattr(ws, "_cells_streamed", False)
                and getattr(ws, "_writer", False) is None and hasattr(ws, "_write_rows")
                and getattr(ws.parent, "iso_dates", True) is False
                and all(callable(getattr(WorksheetWriter, name, None))
                        for name in ("write_top", "write_row", "close", "cleanup"))):
            return None
        # What openpyxl's _get_writer does at the first row, with this writer.
        ws._writer = _SheetXmlWriter(ws)
        ws._writer.write_top()
        return cls(ws, cols, styles)

    def cells(self, values: Sequence[object]) -> list[object]:
        return _row_cells(self.ws, self.cols, self.styles, values)

    def row_xml(self, values: Sequence[object], row_idx: int,
                height: float | None = None) -> bytes | None:
        """Row ``row_idx`` as sheet XML (ASCII), or None if it needs openpyxl; ``height``
        as openpyxl writes a row dimension's."""
        if len(values) != len(self.cols):
            return None
        r = str(row_idx)
        out = ['<row r="', r, '">' if height is None
               else f'" ht="{safe_string(float(height))}" customHeight="1">']
        for i, value in enumerate(values):
            if value is None:
                continue
            col = self.cols[i]
            if col.link:
                return None
            if col.text or isinstance(value, str):
                body = _inline_string(clean_text(value))
            else:
                shown = _shown(value, col.fmt or "General")
                if shown is None:
                    continue
                if type(shown) is bool:
                    body = f' t="b"><v>{safe_string(shown)}</v></c>'
                elif type(shown) is int or type(shown) is float:
                    body = f' t="n"><v>{safe_string(shown)}</v></c>'
                elif type(shown) is datetime and self.dates[i] and shown.tzinfo is None:
                    body = f' t="n"><v>{safe_string(to_excel(shown, self.epoch))}</v></c>'
                else:
                    return None
            attr = self.attrs[i]
            if attr is None:
                attr = self.attrs[i] = self._style_attr(i)
            out += (self.opens[i], r, attr, body)
        out.append("</row>")
        return "".join(out).encode("ascii", "xmlcharrefreplace")

    def _style_attr(self, i: int) -> str:
        style = self.styles[i]
        if not any(style):
            return '"'
        return f'" s="{self.ws.parent._cell_styles.add(style)}"'


def _inline_string(text: str) -> str:
    """The rest of an inline-string cell after its style: what openpyxl's lxml writer writes."""
    if not text:
        return ' t="inlineStr"></c>'
    space = ' xml:space="preserve"' if text != text.strip() else ""
    for char, entity in _XML_ESCAPES:
        if char in text:
            text = text.replace(char, entity)
    return f' t="inlineStr"><is><t{space}>{text}</t></is></c>'


# ---------------------------------------------------------------------------- overview, about


#: The height of a default (15 pt) row in cm, to stack the charts without overlap.
_ROW_CM = 15 / 72 * 2.54
#: Chart sizes in cm (width, height): wide and tall enough for the axis titles and a legend
#: below the plot.
BAR_CHART_SIZE = (16.0, 7.5)
LINE_CHART_SIZE = (20.0, 9.5)
#: The charts start right of the tables (column F) and below the title and the note, whose
#: text runs across the columns.
CHART_COLUMN = "F"
CHART_TOP = 4


#: The Overview's column widths, A to E: B holds "Generated at (UTC)" whole (a date and time
#: needs 16 digits; at 14 LibreOffice showed ###).
OVERVIEW_WIDTHS = (36, 18, 20, 22, 4)
#: The Overview's figure columns: whose numbers they are, in words.
OVERVIEW_HEADINGS = ("Figure", "These reps", "Everyone who practised (Exec's figures)",
                     "Everyone who practised (recounted from each one's results)")


def _figures(report: ReportView) -> list[tuple[str, object, object, object, str]]:
    """The summary figures: the workbook's own reps (a team's, or the whole selection), then
    everyone who practised the scenario as Exec summarises them and as recounted from each
    participant's results (the two agree unless Exec's summary lags)."""
    api, computed = report.cohort.api, report.cohort.computed
    team = build_team(report.reps)
    known_minutes = [r.practice_minutes for r in report.reps if r.practice_minutes is not None]
    # Unknown stays unknown: no rep's sessions carry a duration is not 0 minutes.
    minutes_of_team = sum(known_minutes) if known_minutes else None

    def minutes(f: CohortFigures) -> float | None:
        secs = f.average_session_duration_seconds
        return None if secs is None else secs / 60

    return [
        ("Reps", len(team.reps), api.participant_count, computed.participant_count, XLSX_INT),
        ("Reps with a valid attempt", team.with_valid, None, None, XLSX_INT),
        ("Sessions", team.sessions, api.total_sessions, computed.total_sessions, XLSX_INT),
        ("Valid attempts", team.valid_attempts, None, None, XLSX_INT),
        ("Average best score", team.average_best, api.average_best_score,
         computed.average_best_score, XLSX_SCORE),
        ("Average best rank", None, _rank(api.average_best_rank),
         _rank(computed.average_best_rank), ""),
        ("Average lift (points)", None, api.average_lift, computed.average_lift, XLSX_POINTS),
        ("Practice minutes", minutes_of_team, api.total_practice_minutes,
         computed.total_practice_minutes, XLSX_MINUTES),
        ("Average session duration (minutes)", None, minutes(api), minutes(computed),
         XLSX_MINUTES),
    ]


def _overview(ws: Any, report: ReportView) -> None:
    """Headline facts, the figures of these reps beside everyone's, the distribution and the
    reps' weeks.

    Whose numbers each column counts is in its heading, in words: a team's workbook shows
    the team's reps, with everyone who practised the scenario beside them for context; the
    weekly rows count only these reps' sessions.
    """
    _overview_columns(ws)
    row = 0

    def emit(*cells: object) -> int:
        nonlocal row
        ws.append(list(cells))
        row += 1
        return row

    def label(text: str) -> object:
        return _label(ws, text)

    def headings(*texts: str) -> int:
        """A row of wrapped headings, as tall as the longest needs."""
        ws.row_dimensions[row + 1].height = wrapped_height(texts, OVERVIEW_WIDTHS)
        return emit(*(_heading(ws, t) for t in texts))

    emit(text_cell(ws, report.scenario.name, font=TITLE))
    emit(text_cell(ws, PRACTICE_NOTE, font=Font(italic=True)))
    emit()
    emit(label("Scenario"), text_cell(ws, report.scenario.name))
    if report.scenario.url:  # checked by analytics (https, the workspace's host); not fetched
        emit(label("In Exec"), text_cell(ws, "Open the scenario in Exec", font=LINK,
                                         hyperlink=report.scenario.url))
    emit(label("Period"), text_cell(ws, report.period.label))
    emit(label("Workspace"), text_cell(ws, report.workspace_name))
    emit(label("Selected reps"), text_cell(ws, report.selection_text))
    emit(label("Generated at (UTC)"),
         _num(ws, excel_datetime(report.generated_at), XLSX_DATETIME))
    emit()
    emit(label(f"These reps ({report.selection_text}) beside everyone who practised"))
    headings(*OVERVIEW_HEADINGS)
    for cells in _figure_rows(ws, report):
        emit(*cells)
    emit()

    emit(label("Best-score distribution of everyone who practised"))
    dist_header = headings("Rank", "Participants", "Share")
    for rc in report.cohort.distribution:
        emit(text_cell(ws, fmt_rank(rc.rank)), _num(ws, rc.count, XLSX_INT),
             _num(ws, rc.percentage / 100, XLSX_PERCENT1))
    dist_last = row
    emit()

    emit(label("These reps: sessions and average score per week"))
    week_header = headings("Week starting (UTC)", "Sessions (these reps)",
                           "Average score (valid sessions)")
    for wp in report.cohort.weekly:
        emit(_num(ws, excel_datetime(wp.week_start), XLSX_DATE),
             _num(ws, wp.sessions, XLSX_INT),
             _num(ws, wp.average_score, XLSX_SCORE))
    week_last = row

    top = CHART_TOP
    if dist_last > dist_header:
        chart = BarChart()
        chart.type = "col"
        chart.title = "Participants by best-score rank"
        chart.y_axis.title = "Participants"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=2, min_row=dist_header, max_row=dist_last),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=dist_header + 1,
                                       max_row=dist_last))
        _show_axes(chart)
        chart.width, chart.height = BAR_CHART_SIZE
        ws.add_chart(chart, f"{CHART_COLUMN}{top}")
        top += math.ceil(chart.height / _ROW_CM) + 1
    if week_last > week_header:
        line = LineChart()
        line.title = "These reps: sessions and average score per week"
        line.y_axis.title = "Average score"
        line.y_axis.scaling.min, line.y_axis.scaling.max = 0, 100
        line.add_data(Reference(ws, min_col=3, min_row=week_header, max_row=week_last),
                      titles_from_data=True)
        cats = Reference(ws, min_col=1, min_row=week_header + 1, max_row=week_last)
        line.set_categories(cats)
        line.x_axis.number_format = XLSX_DATE
        sessions = LineChart()
        sessions.add_data(Reference(ws, min_col=2, min_row=week_header, max_row=week_last),
                          titles_from_data=True)
        sessions.y_axis.axId = 200
        sessions.y_axis.title = "Sessions"
        sessions.y_axis.crosses = "max"
        for series in (*line.series, *sessions.series):
            series.smooth = False  # straight segments: a curve would invent in-between weeks
        _show_axes(line)
        sessions.y_axis.delete = False
        line += sessions
        line.legend.position = "b"
        line.width, line.height = LINE_CHART_SIZE
        ws.add_chart(line, f"{CHART_COLUMN}{top}")


def _label(ws: Any, text: str) -> Cell:
    return text_cell(ws, text, font=BOLD)


def _heading(ws: Any, text: str) -> Cell:
    return text_cell(ws, text, font=BOLD, alignment=HEADER_ALIGN)


def _overview_columns(ws: Any) -> None:
    """The Overview's print setup and column widths (a scenario's and a program's)."""
    _print_setup(ws, title_rows=False, widths=OVERVIEW_WIDTHS)
    for letter, width in zip("ABCDE", OVERVIEW_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width


def _figure_rows(ws: Any, report: ReportView) -> Iterator[list[object]]:
    """The rows of the Overview's table of figures, under its headings: these reps beside
    everyone."""
    for name, *values, fmt in _figures(report):
        cells = [
            text_cell(ws, v) if isinstance(v, str)
            else _num(ws, v if isinstance(v, int | float) else None, str(fmt))
            for v in values
        ]
        yield [text_cell(ws, str(name)), *cells]


def _show_axes(chart: Any) -> None:
    """openpyxl 3.1 marks axes deleted unless told otherwise; Excel then hides them."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _about(ws: Any, report: ReportView | ProgramReportView,
           subject: Sequence[tuple[str, str]] | None = None) -> None:
    """Where the numbers come from and how fresh they are; ``subject``: what the workbook is
    about, in rows (the scenario's name by default; a program's name and its scenarios)."""
    if subject is None:
        assert isinstance(report, ReportView)
        subject = [("Scenario", report.scenario.name)]
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 60
    fetch = report.fetch
    _print_setup(ws, title_rows=False)

    def pair(name: str, value: object, fmt: str | None = None) -> None:
        if isinstance(value, str):
            cell: object = text_cell(ws, value, alignment=WRAP)
        elif value is None:
            cell = None
        else:
            cell = _num(ws, value, fmt or "General")
        ws.append([text_cell(ws, name, font=BOLD, alignment=TOP), cell])

    ws.append([text_cell(ws, "About this workbook", font=TITLE)])
    pair("Workspace", report.workspace_name)
    for name, value in subject:
        pair(name, value)
    pair("Selection", report.selection_text)
    pair("Period", report.period.label)
    pair("Period start (UTC)", excel_datetime(report.period.start), XLSX_DATETIME)
    pair("Period end (UTC)", excel_datetime(report.period.end), XLSX_DATETIME)
    pair("Generated at (UTC)", excel_datetime(report.generated_at), XLSX_DATETIME)
    pair("Data fetched at (UTC)", excel_datetime(fetch.fetched_at), XLSX_DATETIME)
    pair("Requests to Exec", fetch.requests_made, XLSX_INT)
    pair("Session details reused from the cache", fetch.cache_hits, XLSX_INT)
    pair("Fetched from", fetch.base_url)
    pair("Tool version", f"reporter {report.tool_version}")
    for warning in report.warnings:
        pair("Warning", warning)
    ws.append([])
    ws.append([text_cell(ws, PRACTICE_NOTE, font=Font(italic=True))])


# ---------------------------------------------------------------------------- program workbook

#: A program's workbook: the scenario sheets with a Scenario column, and the program's own.
PROGRAM_SHEET_NAMES: tuple[str, ...] = (
    "Needs attention", "Overview", "Scenarios", "Skills", "Reps", "Sessions", "Rubric",
    "Feedback", "Not found", "About",
)

#: The scenario a row of a program's sheet comes from, right after the rep's name.
SCENARIO_COL = Col("Scenario", text=True, wrap=True, cap=32)


def with_scenario(cols: Sequence[Col], at: int = 1) -> tuple[Col, ...]:
    """A scenario sheet's columns with :data:`SCENARIO_COL` at ``at`` (after the rep's name):
    the single-scenario sheet keeps its own columns, untouched."""
    return (*cols[:at], SCENARIO_COL, *cols[at:])


def _at(row: Sequence[object], value: object, at: int = 1) -> tuple[object, ...]:
    return (*row[:at], value, *row[at:])


PROGRAM_ATTENTION_SHEET = with_scenario(ATTENTION_SHEET)
PROGRAM_REPS_SHEET = with_scenario(REPS_SHEET)
PROGRAM_SESSIONS_SHEET = with_scenario(SESSIONS_SHEET, 2)  # after Session ID and the rep
PROGRAM_FEEDBACK_SHEET = with_scenario(FEEDBACK_SHEET)

SCENARIOS_SHEET: tuple[Col, ...] = (
    Col("Rep", text=True, wrap=True, cap=32),
    SCENARIO_COL,
    Col("Email", text=True, cap=36),
    Col("Practice", text=True, cap=14),  # "Practised" / "Not practised"
    Col("Sessions", XLSX_INT),
    Col("Valid attempts", XLSX_INT),
    Col("Best score", XLSX_SCORE),
    Col("Best rank", text=True),
    *LAST_PERIOD_COLS,
    Col("Required rank", text=True),
    Col("Assignment status", text=True, cap=18),
    Col("Due (UTC)", XLSX_DATE),
    Col("Target", text=True, wrap=True, cap=50),
    Col("Needs attention", text=True, cap=10),
    Col("Report (PDF)", text=True, link=True, cap=40),
)

SKILLS_SHEET: tuple[Col, ...] = (
    Col("Rep", text=True, wrap=True, cap=32),
    Col("Skill", text=True, wrap=True, cap=32),
    Col("Email", text=True, cap=36),
    Col("Scenarios", text=True, wrap=True, cap=40),  # the program's that evaluate the skill
    Col("Tier", text=True, cap=18),
    Col("Score", XLSX_SCORE),
    Col("Observations", XLSX_INT),
    Col("Last practised (UTC)", XLSX_DATETIME),
    Col("Previous tier", text=True, cap=18),
    Col("Previous score", XLSX_SCORE),
    Col("Change vs last period", XLSX_POINTS),
)

#: The Tier columns' fills by label: Exec's tiers, best green, insufficient data grey.
TIER_FILLS: dict[str, str] = {
    fmt_tier("excellent"): "63BE7B", fmt_tier("proficient"): "C6EFCE",
    fmt_tier("developing"): "FFEB9C", fmt_tier("needs_work"): "FFC7CE",
    fmt_tier("insufficient_data"): "EDEDED", fmt_tier(None): "FFFFFF",
}


def write_program_workbook(
    report: ProgramReportView, path: Path, *, pdf_paths: Mapping[str, str] | None = None
) -> None:
    """Write a program's workbook to ``path`` atomically (sheets: PROGRAM_SHEET_NAMES).

    The scenario sheets are the single-scenario ones, each scenario's rows in turn (its reps
    by name: those with a session, and those assigned it without one), with a Scenario
    column after the rep's name; Scenarios (rep × scenario, every pair, practised or not)
    and Skills (rep × skill) are the program's. ``pdf_paths`` maps a rep's slug to their one
    PDF, as for :func:`write_workbook`; every row of the rep links it.
    """
    path = Path(path)
    links = {slug: p for slug, p in (pdf_paths or {}).items() if is_safe_link(p)}
    wb, sheet = _new_workbook("Program practice results", report.tool_version)

    try:
        _program_attention(sheet("Needs attention"), report)
        _program_overview(sheet("Overview"), report)
        _scenarios(sheet("Scenarios"), report, links)
        _skills(sheet("Skills"), report)
        _reps_grid(sheet("Reps"), PROGRAM_REPS_SHEET, lambda: (
            _at(_rep_row(report.label(p), view, links.get(p.slug)), scenario.name)
            for scenario, p, view in _by_scenario(report)), freeze="C2")
        _sessions_grid(sheet("Sessions"), PROGRAM_SESSIONS_SHEET, lambda: (
            _at(row, scenario.name, 2) for scenario, p, view in _by_scenario(report)
            for row in _rep_sessions(report.label(p), view)))
        _rubric_sheet(sheet("Rubric"), [
            RubricBlock(scenario.name,
                        [(report.label(p), view) for p in report.reps
                         if (view := p.rows[i].rep) is not None and view.session_count],
                        part.cohort.rubric_good_share)
            for i, (scenario, part) in enumerate(zip(report.scenarios, report.parts,
                                                     strict=True))])
        write_grid(sheet("Feedback"), PROGRAM_FEEDBACK_SHEET, lambda: (
            _at(row, scenario.name) for scenario, p, view in _by_scenario(report)
            for row in _rep_feedback(report.label(p), view)),
            table_name="FeedbackTable", freeze="C2")
        _not_found(sheet("Not found"), report)
        _about(sheet("About"), report, _program_subject(report))
        _save_atomic(wb, path)
    except BaseException:
        _discard(wb)
        raise


def _by_scenario(report: ProgramReportView
                 ) -> Iterator[tuple[ScenarioInfo, ProgramRepView, RepView]]:
    """Each scenario's reps in turn, by name: the ones with a view in it (a session, or an
    assignment of it), with that view."""
    for i, scenario in enumerate(report.scenarios):
        for rep in report.reps:
            view = rep.rows[i].rep
            if view is not None:
                yield scenario, rep, view


def _program_subject(report: ProgramReportView) -> list[tuple[str, str]]:
    return [("Program", report.program.name),
            ("Scenarios", LIST_SEP.join(s.name for s in report.scenarios))]


def _program_attention(ws: Any, report: ProgramReportView) -> int:
    """The reps who need attention, most urgent first (the program's order), a row for each
    scenario they need it in (most severe first), with that scenario's reasons."""
    chosen = {r.user_id for r in report.shortlist}

    def rows() -> Iterator[tuple[object, ...]]:
        for rep in report.needs_attention:
            label = report.label(rep)
            urgent = sorted((r for r in rep.rows if r.rep is not None and r.rep.attention),
                            key=lambda r: -r.severity)
            for row in urgent:
                assert row.rep is not None
                yield _at(_attention_row(label, row.rep, rep.user_id in chosen),
                          row.scenario.name)

    return _attention_grid(ws, PROGRAM_ATTENTION_SHEET, rows, report.period, freeze="C2")


def _scenario_row(report: ProgramReportView, rep: ProgramRepView, row: ScenarioRow,
                  links: Mapping[str, str]) -> tuple[object, ...]:
    view = row.rep
    target = row.target
    return (
        report.label(rep), row.scenario.name, rep.email, fmt_practised(row.practised),
        view.session_count if view else 0, view.valid_count if view else 0,
        view.best_score if view else None, _rank(view.best_rank) if view else None,
        *(_last_period(view) if view else (None, None, None)),
        _rank(target.required_rank) if target and target.required_rank else None,
        fmt_assignment_status(view.assignment_status if view else "none"),
        excel_datetime(target.due) if target else None,
        view.verdict.target_line if view and view.verdict else None,
        fmt_severity(view.severity) if view and view.attention else None,
        links.get(rep.slug),
    )


def _scenarios(ws: Any, report: ProgramReportView, links: Mapping[str, str]) -> int:
    """Every rep × every scenario of the program, by rep then program order: the rep's best
    and rank, the change against last period, the assignment; "Not practised" said."""
    n = write_grid(ws, SCENARIOS_SHEET, lambda: (
        _scenario_row(report, rep, row, links) for rep in report.reps for row in rep.rows),
        table_name="ScenariosTable", freeze="D2")
    if n:
        ws.conditional_formatting.add(_col_range(SCENARIOS_SHEET, "Best score", n + 1),
                                      _score_scale())
        _rank_fills(ws, _col_range(SCENARIOS_SHEET, "Best rank", n + 1))
        _label_fills(ws, _col_range(SCENARIOS_SHEET, "Practice", n + 1),
                     {fmt_practised(False): "EDEDED"})
    return n


def _skill_row(report: ProgramReportView, rep: ProgramRepView,
               skill: SkillRow) -> tuple[object, ...]:
    return (
        report.label(rep), skill.skill.name, rep.email, LIST_SEP.join(skill.skill.scenarios),
        fmt_tier(skill.tier), skill.score, skill.observations,
        excel_datetime(skill.last_practised),
        fmt_tier(skill.previous_tier) if skill.compared else None,
        skill.previous_score, skill.change,
    )


def _skills(ws: Any, report: ProgramReportView) -> int:
    """Every rep × every skill of the program: Exec's proficiency as of the period's end (and
    the previous one's); a score only where Exec gives one, never a 0 for too little data."""
    n = write_grid(ws, SKILLS_SHEET, lambda: (
        _skill_row(report, rep, skill) for rep in report.reps for skill in rep.skills),
        table_name="SkillsTable", freeze="D2")
    if n:
        ws.conditional_formatting.add(_col_range(SKILLS_SHEET, "Score", n + 1), _score_scale())
        for header in ("Tier", "Previous tier"):
            _label_fills(ws, _col_range(SKILLS_SHEET, header, n + 1), TIER_FILLS)
    return n


def _program_overview(ws: Any, report: ProgramReportView) -> None:
    """The program's facts, then each scenario's figures (these reps beside everyone who
    practised it), as a scenario's Overview has them; the charts stay with each scenario's
    own run."""
    _overview_columns(ws)
    row = 0

    def emit(*cells: object, height: float | None = None) -> None:
        nonlocal row
        row += 1
        if height is not None:  # before the row: write-only mode writes it with the row
            ws.row_dimensions[row].height = height
        ws.append(list(cells))

    emit(text_cell(ws, report.program.name, font=TITLE))
    emit(text_cell(ws, PRACTICE_NOTE, font=Font(italic=True)))
    emit()
    for name, value in (*_program_subject(report), ("Period", report.period.label),
                        ("Workspace", report.workspace_name),
                        ("Selected reps", report.selection_text)):
        emit(_label(ws, name), text_cell(ws, value, alignment=WRAP),
             height=wrapped_height([value], OVERVIEW_WIDTHS[1:2]))
    emit(_label(ws, "Generated at (UTC)"),
         _num(ws, excel_datetime(report.generated_at), XLSX_DATETIME))
    for part in report.parts:
        emit()
        emit(_label(ws, f"{part.scenario.name}: these reps beside everyone who practised it"))
        emit(*(_heading(ws, h) for h in OVERVIEW_HEADINGS),
             height=wrapped_height(OVERVIEW_HEADINGS, OVERVIEW_WIDTHS))
        for cells in _figure_rows(ws, part):
            emit(*cells)


def _label_fills(ws: Any, rng: str, fills: Mapping[str, str]) -> None:
    """Fill the cells of ``rng`` holding one of ``fills``' labels with its colour."""
    for label, colour in fills.items():
        ws.conditional_formatting.add(rng, CellIsRule(
            operator="equal", formula=[f'"{label}"'],
            fill=PatternFill(start_color=colour, end_color=colour, fill_type="solid"),
        ))
