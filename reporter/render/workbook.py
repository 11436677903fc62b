"""The cohort workbook: the file a manager opens on Monday and HR files away.

The sheets: what each holds, in which order, headed and formatted how. Each data sheet is a
tuple of ``Col`` and a row builder; ``reporter.render.grid`` writes it (streamed, measured,
printable, rows as sheet XML).

One writer, :func:`write_workbook`, for every run: a single-scenario run is the program of its
one scenario (``ProgramReportView.single``). A program of several writes the same sheets with
the same row builders, each scenario's rows in turn with a Scenario column after the rep's
name, plus the program's own Scenarios (rep × scenario) and Skills (rep × skill) sheets.

Every word the workbook prints around the API's text (sheet names, headings, labels, notes)
is in the active language (``reporter.i18n``): defined in English here, marked ``N_``, and
translated where it is written, so a label's fill (keyed by the label the cell shows) is
built at write time too. Numbers stay numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl.cell.cell import Cell
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.formatting.rule import ColorScaleRule, DataBarRule
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from reporter.analytics.figures import practice_minutes
from reporter.analytics.team import MIN_CELL_SESSIONS, scenario_team
from reporter.format import (
    XLSX_DATE,
    XLSX_DATETIME,
    XLSX_INT,
    XLSX_MINUTES,
    XLSX_PERCENT,
    XLSX_PERCENT1,
    XLSX_POINTS,
    XLSX_SCORE,
    fmt_assignment_status,
    fmt_item,
    fmt_practised,
    fmt_rank,
    fmt_severity,
    fmt_tier,
)
from reporter.i18n import N_, gettext, ngettext, pgettext
from reporter.names import is_safe_link
from reporter.render.cells import excel_datetime, excel_day, style_array, text_cell
from reporter.render.columns import (
    BY_KEY,
    FEEDBACK_ROWS_NOTE,
    LIST_SEP,
    REPS_SHEET_COLUMNS,
    feedback_rows,
    last_period,
    rank_label,
)
from reporter.render.grid import (
    BOLD,
    HEADER_ALIGN,
    LINK,
    TITLE,
    TOP,
    WRAP,
    Col,
    cells_streamed,
    discard,
    fit_widths,
    label_fills,
    new_workbook,
    num,
    print_setup,
    save_atomic,
    wrapped_height,
    write_grid,
)
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

#: A single-scenario run's sheets, in order, by their English names; each is written with
#: its name in the workbook's language (:func:`sheet_titles`).
SHEET_NAMES: tuple[str, ...] = (
    "Needs attention", "Overview", "Reps", "Sessions", "Rubric", "Feedback", "Not found", "About",
)

PRACTICE_NOTE = N_(
    "These are practice scores from roleplay training, not a performance rating: "
    "use them to coach, not to judge."
)

#: Why an address asked for is not in the workbook (the Not found sheet's Reason).
NOT_FOUND_REASONS: dict[str, str] = {
    "not_member": N_("not a member of the workspace"),
    "no_sessions": N_("no sessions in the period"),
    "invalid_address": N_("not a valid email address"),
}

# Number formats: scores keep one decimal, lift shows its sign, datetimes say UTC in the header.

# Keyed by code; the rules match the label the cells show ("Gold"), in the workbook's
# language, so they are keyed by label when written (``_label_fills``).
RANK_FILLS: dict[str, str] = {
    "gold": "FFD966", "silver": "D9D9D9", "bronze": "F4B183", "unranked": "F2F2F2",
}
SEVERITY_FILLS: dict[int, str] = {3: "F8CBAD", 2: "FFE699", 1: "E2EFDA"}

# A link must be a plain relative path to a PDF below the workbook's folder: no scheme, no
# absolute path, no "..", so the cell can never point a click anywhere else.


def write_workbook(
    report: ProgramReportView, path: Path, *, pdf_paths: Mapping[str, str] | None = None
) -> None:
    """Write the run's workbook to ``path`` atomically.

    The first sheet, the one Excel opens on, lists the reps who need attention. A
    single-scenario run (``report.single``) has the eight scenario sheets (SHEET_NAMES); a
    program's has the same sheets, each scenario's rows in turn (its reps by name: those with
    a session, and those assigned it without one) with a Scenario column after the rep's
    name, and its own Scenarios (rep × scenario) and Skills (rep × skill) sheets
    (PROGRAM_SHEET_NAMES).

    ``pdf_paths`` maps a rep's slug to the relative path of the rep's PDF from the workbook's
    folder ("reps/x.pdf"); a rep without one (or with a path that is not a plain relative
    ``.pdf`` path) gets no link. Every row of a rep links their one PDF.
    """
    path = Path(path)
    links = {slug: p for slug, p in (pdf_paths or {}).items() if is_safe_link(p)}
    single = report.single
    wb, add = new_workbook(gettext("Cohort practice results") if single else
                           gettext("Program practice results"), report.tool_version)

    titles = sheet_titles()

    def sheet(name: str) -> Any:
        return add(titles[name])

    try:
        write_attention_sheet(sheet("Needs attention"), report)
        _overview(sheet("Overview"), report)
        if single is None:
            _scenarios(sheet("Scenarios"), report, links)
            _skills(sheet("Skills"), report)
        write_reps_sheet(sheet("Reps"), report, links)
        write_sessions_sheet(sheet("Sessions"), report)
        _rubric(sheet("Rubric"), report)
        _feedback(sheet("Feedback"), report)
        _not_found(sheet("Not found"), report)
        _about(sheet("About"), report)
        save_atomic(wb, path)
    except BaseException:
        discard(wb)
        raise


def _columns(report: ProgramReportView, cols: Sequence[Col], at: int = 1) -> tuple[Col, ...]:
    """A scenario sheet's columns: a program's with :data:`SCENARIO_COL` at ``at`` (after the
    rep's name); a single-scenario run's its own, untouched."""
    return tuple(cols) if report.single else (*cols[:at], SCENARIO_COL, *cols[at:])


def _row(report: ProgramReportView, row: Sequence[object], scenario: ScenarioInfo,
         at: int = 1) -> tuple[object, ...]:
    """A scenario sheet's row, as :func:`_columns` heads it."""
    return tuple(row) if report.single else (*row[:at], scenario.name, *row[at:])


def _freeze(report: ProgramReportView) -> str:
    """Rows frozen under the header, and the rep's name (and scenario) beside the rest."""
    return "B2" if report.single else "C2"


# ---------------------------------------------------------------------------- data sheets

# The rep against the previous period, as every sheet shows it (values from last_period):
# the Reps sheet's columns, from the per-rep table.
LAST_PERIOD_COLS: tuple[Col, ...] = tuple(
    col for k in ("previous_best", "is_new", "change_vs_previous")
    if (col := BY_KEY[k].col) is not None)
#: Where a rep stands on the Needs attention sheet, as team.pdf lists them.
# Translators: the Needs attention sheet's List column: the reps a manager should meet
# one-to-one first.
SHORTLIST_LABEL = N_("1:1 shortlist")
# Translators: the Needs attention sheet's List column: the other reps needing attention.
WATCH_LABEL = N_("Keep an eye on")

ATTENTION_SHEET: tuple[Col, ...] = (
    Col(N_("Rep"), text=True, wrap=True, cap=32),
    Col(N_("Email"), text=True, cap=36),
    Col(N_("List"), text=True, cap=15),
    Col(N_("Reasons"), text=True, wrap=True, cap=60),
    Col(N_("Severity"), text=True, cap=10, fill="severity"),
    Col(N_("Best"), XLSX_SCORE),
    Col(N_("Latest"), XLSX_SCORE),
    *LAST_PERIOD_COLS,
    Col(N_("Assignment status"), text=True, cap=18),
    Col(N_("Due (UTC)"), XLSX_DATE),
    Col(N_("Next step"), text=True, wrap=True, cap=40),
    Col(N_("Last practised (UTC)"), XLSX_DATETIME),
)


def _attention_row(label: str, rep: RepView, shortlisted: bool) -> tuple[object, ...]:
    plan = rep.coaching
    return (
        label, rep.email, gettext(SHORTLIST_LABEL if shortlisted else WATCH_LABEL),
        LIST_SEP.join(r.text for r in rep.attention),
        fmt_severity(rep.severity), rep.best_score, rep.latest_score, *last_period(rep),
        fmt_assignment_status(rep.assignment_status),
        excel_datetime(plan.target.due) if plan.target else None,
        plan.step_text,
        excel_datetime(rep.last_practised),
    )


def write_attention_sheet(ws: Any, report: ProgramReportView) -> int:
    """The reps who need attention, most urgent first (the order ``needs_attention`` has),
    a row for each scenario they need it in (most severe first) with that scenario's
    reasons, and whether they are on the 1:1 shortlist (at most five, medium or high) or to
    keep an eye on; one line saying so when nobody does."""
    chosen = {r.user_id for r in report.shortlist}

    def rows() -> Iterator[tuple[object, ...]]:
        for rep in report.needs_attention:
            label = report.label(rep)
            urgent = sorted((r for r in rep.rows if r.rep is not None and r.rep.attention),
                            key=lambda r: -r.severity)
            for row in urgent:
                assert row.rep is not None
                yield _row(report, _attention_row(label, row.rep, rep.user_id in chosen),
                           row.scenario)

    return _attention_grid(ws, _columns(report, ATTENTION_SHEET), rows, report.period,
                           freeze=_freeze(report))


def _attention_grid(ws: Any, cols: Sequence[Col],
                    rows: Callable[[], Iterable[Sequence[object]]], period: PeriodInfo, *,
                    freeze: str) -> int:
    """The Needs attention sheet from its rows (a rep's, or a rep's in one scenario), with
    severity fills; one line saying so when there is none."""
    if next(iter(rows()), None) is None:
        print_setup(ws, title_rows=False)
        ws.column_dimensions["A"].width = 60
        # Translators: %(period)s is the period in words ("November 2026", or "Oct 3, 2026
        # to Oct 20, 2026").
        ws.append([text_cell(ws, gettext("No rep needs attention in %(period)s.",
                                         period=period.prose), font=BOLD)])
        return 0
    n = write_grid(ws, cols, rows, table_name="AttentionTable", freeze=freeze)
    _fills(ws, cols, n)
    return n


#: The Reps sheet: the rep's name as the lists show it, every per-rep figure of the table
#: (``reporter.render.columns``) in the sheet's order, the link to the rep's PDF.
REPS_SHEET: tuple[Col, ...] = (
    Col(N_("Name"), text=True, wrap=True, cap=32),
    *(c.col for c in REPS_SHEET_COLUMNS if c.col is not None),
    Col(N_("Report (PDF)"), text=True, link=True, cap=40),
)


def _rep_row(label: str, rep: RepView, whole: ProgramRepView,
             link: str | None) -> tuple[object, ...]:
    return (label, *(c.cell(rep, whole) for c in REPS_SHEET_COLUMNS), link)


def write_reps_sheet(ws: Any, report: ProgramReportView, links: Mapping[str, str]) -> int:
    """A row per rep (per scenario, in a program) as an Excel table with scores coloured,
    lift barred and ranks filled."""
    return _reps_grid(ws, _columns(report, REPS_SHEET), lambda: (
        _row(report, _rep_row(report.label(p), view, p, links.get(p.slug)), scenario)
        for scenario, p, view in _by_scenario(report)), freeze=_freeze(report))


def _reps_grid(ws: Any, cols: Sequence[Col], rows: Callable[[], Iterable[Sequence[object]]],
               *, freeze: str) -> int:
    n = write_grid(ws, cols, rows, table_name="RepsTable", freeze=freeze)
    if n:
        _fills(ws, cols, n)
    return n


def _fills(ws: Any, cols: Sequence[Col], n: int) -> None:
    """Each column's conditional formatting, by its ``fill``, over its ``n`` data rows: the
    score scale, the lift's bars, then the label fills (the order Excel lists them in)."""
    labels = {"rank": {fmt_rank(k): c for k, c in RANK_FILLS.items()},
              "severity": {fmt_severity(k): c for k, c in SEVERITY_FILLS.items()},
              "tier": {fmt_tier(k): c for k, c in TIER_FILLS.items()},
              "practice": {fmt_practised(False): "EDEDED"}}
    for kind in ("score", "bar", "rank", "severity", "practice", "tier"):
        for i, col in enumerate(cols, 1):
            if col.fill != kind:
                continue
            letter = get_column_letter(i)
            rng = f"{letter}2:{letter}{n + 1}"
            if kind == "score":
                ws.conditional_formatting.add(rng, _score_scale())
            elif kind == "bar":
                ws.conditional_formatting.add(
                    rng, DataBarRule(start_type="min", end_type="max", color="5B9BD5"))
            else:
                label_fills(ws, rng, labels[kind])


SESSIONS_SHEET: tuple[Col, ...] = (
    Col(N_("Session ID"), text=True, cap=24),
    Col(N_("Rep"), text=True, cap=32),
    Col(N_("Email"), text=True, cap=36),
    Col(N_("Created at (UTC)"), XLSX_DATETIME),
    Col(N_("Score"), XLSX_SCORE, fill="score"),
    Col(N_("Rank"), text=True, fill="rank"),
    Col(N_("Duration (minutes)"), XLSX_MINUTES),
    Col(N_("Valid attempt")),
    Col(N_("Outcome"), text=True, wrap=True, cap=50),
    Col(N_("Positive feedback"), text=True, wrap=True, cap=60),
    Col(N_("Constructive feedback"), text=True, wrap=True, cap=60),
)


def _rep_sessions(name: str, rep: RepView) -> Iterator[tuple[object, ...]]:
    for a in rep.attempts:
        yield (
            a.session_id, name, rep.email, excel_datetime(a.created_at), a.score,
            rank_label(a.rank),
            a.duration_minutes, a.is_valid, a.outcome, a.positive, a.constructive,
        )


def write_sessions_sheet(ws: Any, report: ProgramReportView) -> int:
    """Every session of the selected reps (a program's with its scenario after the session's
    ID and the rep); works on a normal or a write-only worksheet.

    Public so the benchmark can write the very same rows in both openpyxl modes.
    """
    return _sessions_grid(ws, _columns(report, SESSIONS_SHEET, 2), lambda: (
        _row(report, row, scenario, 2) for scenario, p, view in _by_scenario(report)
        for row in _rep_sessions(report.label(p), view)))


def _sessions_grid(ws: Any, cols: Sequence[Col],
                   rows: Callable[[], Iterable[Sequence[object]]]) -> int:
    # Not frozen (the ID comes first), but printed on each page across: which session, whose.
    n = write_grid(ws, cols, rows, table_name="SessionsTable", title_cols=2)
    if n:
        _fills(ws, cols, n)
    return n


FEEDBACK_SHEET: tuple[Col, ...] = (
    Col(N_("Rep"), text=True, cap=32),
    Col(N_("Email"), text=True, cap=36),
    Col(N_("Session ID"), text=True, cap=24),
    Col(N_("Date (UTC)"), XLSX_DATETIME),
    Col(N_("Criterion"), text=True, wrap=True, cap=30),
    Col(N_("Item"), text=True, wrap=True, cap=30),
    Col(N_("Grade"), text=True, cap=14),
    Col(N_("Salience"), text=True, cap=10),
    Col(N_("Quote"), text=True, wrap=True, cap=60),
    Col(N_("Feedback"), text=True, wrap=True, cap=60),
    Col(N_("Suggested phrasing"), text=True, wrap=True, cap=60),
)


def _feedback(ws: Any, report: ProgramReportView) -> None:
    """The rows of feedback.csv (``feedback_rows``: each distinct example once)."""
    write_grid(ws, _columns(report, FEEDBACK_SHEET), lambda: (
        _row(report, row, scenario) for scenario, p, view in _by_scenario(report)
        for row in _rep_feedback(report.label(p), view)),
        table_name="FeedbackTable", freeze=_freeze(report))


def _rep_feedback(name: str, rep: RepView) -> Iterator[tuple[object, ...]]:
    for m in feedback_rows(rep):
        yield (name, rep.email, m.session_id, excel_datetime(m.created_at),
               m.criterion, m.item, m.grade, m.salience, m.quote, m.feedback, m.suggestion)


NOT_FOUND_SHEET: tuple[Col, ...] = (
    Col(N_("Email"), text=True, cap=40),
    Col(N_("Reason"), text=True, cap=32),
    Col(N_("Detail"), text=True, wrap=True, cap=60),
)


#: What an empty "Not found" sheet says.
ALL_FOUND = N_("Every rep asked for was found: nobody is missing from this workbook.")


def _not_found(ws: Any, report: ProgramReportView) -> None:
    """The addresses asked for that are not in the workbook, and why; one line saying every
    rep was found when none is missing."""
    if not report.not_found:
        print_setup(ws, title_rows=False)
        ws.column_dimensions["A"].width = 70
        ws.append([text_cell(ws, gettext(ALL_FOUND), font=BOLD)])
        return
    write_grid(
        ws, NOT_FOUND_SHEET,
        lambda: ((nf.email, gettext(NOT_FOUND_REASONS[nf.reason])
                  if nf.reason in NOT_FOUND_REASONS else nf.reason, nf.detail)
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
TEAM_ROW_LABEL = N_("Whole team (the reps above)")


def _rubric(ws: Any, report: ProgramReportView) -> None:
    """A block per scenario: a program's lists the reps with a session in it, named; a
    single-scenario run's lists every selected rep (a row left empty without a session)."""
    single = report.single is not None
    _rubric_sheet(ws, [
        RubricBlock(None if single else scenario.name,
                    [(report.label(p), view) for p in report.reps
                     if (view := p.rows[i].rep) is not None and (single or view.session_count)],
                    part.cohort.rubric_good_share)
        for i, (scenario, part) in enumerate(zip(report.scenarios, report.parts, strict=True))])


def _rubric_sheet(ws: Any, blocks: Sequence[RubricBlock]) -> None:
    """Share of each rep's graded sessions where an item was good, with a team row; each
    cell filled as team.pdf fills it, greyed when it rests on fewer than MIN_CELL_SESSIONS
    sessions, and the greyed cells counted in a note under the table. A program's workbook
    has a block (its reps, then its team row) per scenario, with a Scenario column."""
    scenario_col = any(b.scenario is not None for b in blocks)
    lead = (Col(N_("Rep"), text=True, wrap=True, cap=32),
            *((SCENARIO_COL,) if scenario_col else ()),
            Col(N_("Email"), text=True, cap=36))
    keys = _rubric_keys(blocks, len(lead))
    # A rubric item's heading is the API's text: shown as it is (``api``).
    cols = (*lead, *(Col(fmt_item(c, i), XLSX_PERCENT, cap=22, api=True) for c, i in keys))
    grades = [[{(r.criterion, r.item): r for r in rep.rubric} for _, rep in b.reps]
              for b in blocks]

    def names(block: RubricBlock, label: str, rep: RepView) -> tuple[str, ...]:
        return (label, block.scenario or "", rep.email) if scenario_col else (label, rep.email)

    def plain() -> Iterator[tuple[object, ...]]:
        for block, by_keys in zip(blocks, grades, strict=True):
            for (label, rep), by_key in zip(block.reps, by_keys, strict=True):
                yield (*names(block, label, rep),
                       *(g.good_share if (g := by_key.get(k)) else None for k in keys))

    ws = cells_streamed(ws)
    widths = fit_widths(cols, plain())
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = "C2" if scenario_col else "B2"
    print_setup(ws, title_rows=True, widths=widths, title_cols=len(lead) - 1)
    ws.row_dimensions[1].height = wrapped_height([c.title for c in cols], widths)
    header = style_array(ws, font=BOLD, alignment=HEADER_ALIGN)
    ws.append([text_cell(ws, c.title, header) for c in cols])
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
                cells.append(num(ws, row.good / row.graded, XLSX_PERCENT, bands[band]))
            ws.append(cells)
        ws.append([
            text_cell(ws, gettext(TEAM_ROW_LABEL), font=BOLD),
            *((text_cell(ws, block.scenario, font=BOLD),) if scenario_col else ()),
            None,
            *(num(ws, block.team_share.get(k), XLSX_PERCENT, font=BOLD) for k in keys),
        ])
    ws.append([])
    ws.append([text_cell(ws, rubric_note(thin), font=Font(italic=True))])


def rubric_note(thin: int) -> str:
    """The line under the Rubric sheet: how its cells read, and how many are greyed."""
    # Translators: the note under the Rubric sheet; %(num)s is how many cells are grey,
    # %(min)s the fewest sessions a cell needs (a number); team.pdf is a file name.
    return ngettext(
        "Each cell: the share of the rep's graded sessions that graded the item good, "
        "filled as in team.pdf (green: two thirds or more; yellow: mixed; red: under a "
        "third). Grey: %(num)s cell resting on fewer than %(min)s sessions, not yet a "
        "pattern.",
        "Each cell: the share of the rep's graded sessions that graded the item good, "
        "filled as in team.pdf (green: two thirds or more; yellow: mixed; red: under a "
        "third). Grey: %(num)s cells resting on fewer than %(min)s sessions, not yet a "
        "pattern.",
        thin, min=MIN_CELL_SESSIONS)


def _score_scale() -> ColorScaleRule:
    """Scores are absolute (0-100), so the scale is fixed rather than relative to the cohort."""
    return ColorScaleRule(
        start_type="num", start_value=0, start_color="F8696B",
        mid_type="num", mid_value=70, mid_color="FFEB84",
        end_type="num", end_value=100, end_color="63BE7B",
    )


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
#: The Overview's figure columns: whose numbers they are, in words. Exec's summary counts the
#: people with a valid attempt and their valid attempts; each row says which sessions it counts.
OVERVIEW_HEADINGS = (N_("Figure"), N_("These reps"),
                     N_("Everyone who practised (Exec's figures)"),
                     N_("Everyone who practised (recounted from each one's results)"))


def _figures(report: ReportView) -> list[tuple[str, object, object, object, str]]:
    """The summary figures: the workbook's own reps (a team's, or the whole selection), then
    everyone who practised the scenario as Exec summarises them and as recounted from each
    participant's results (the two agree unless Exec's summary lags).

    Like beside like: Exec's figures count people with a valid attempt and their valid
    attempts, so those rows give these reps' figures over the same; what only these reps have
    (every selected rep, every session valid or not, their minutes) has a row of its own
    saying so, with no figure of everyone's beside it."""
    api, computed = report.cohort.api, report.cohort.computed
    team = scenario_team(report.reps)
    known_minutes = [r.practice_minutes for r in report.reps if r.practice_minutes is not None]
    # Unknown stays unknown: no rep's sessions carry a duration is not 0 minutes.
    minutes_of_team = sum(known_minutes) if known_minutes else None
    valid_minutes = practice_minutes([a for r in report.reps for a in r.attempts if a.is_valid])

    def minutes(f: CohortFigures) -> float | None:
        secs = f.average_session_duration_seconds
        return None if secs is None else secs / 60

    return [
        (gettext("Reps selected"), len(team.reps), None, None, XLSX_INT),
        (gettext("Reps with a valid attempt"), team.with_valid, api.participant_count,
         computed.participant_count, XLSX_INT),
        (gettext("Sessions, valid or not"), team.sessions, None, None, XLSX_INT),
        (gettext("Valid attempts"), team.valid_attempts, api.total_sessions,
         computed.total_sessions, XLSX_INT),
        (gettext("Average best score"), team.average_best, api.average_best_score,
         computed.average_best_score, XLSX_SCORE),
        (gettext("Average best rank"), None, rank_label(api.average_best_rank),
         rank_label(computed.average_best_rank), ""),
        (gettext("Average lift (points)"), None, api.average_lift, computed.average_lift,
         XLSX_POINTS),
        (gettext("Practice minutes, every session"), minutes_of_team, None, None,
         XLSX_MINUTES),
        (gettext("Practice minutes, valid attempts"), valid_minutes,
         api.total_practice_minutes, computed.total_practice_minutes, XLSX_MINUTES),
        (gettext("Minutes per valid attempt (average)"), None, minutes(api),
         minutes(computed), XLSX_MINUTES),
    ]


def _overview(ws: Any, report: ProgramReportView) -> None:
    """Headline facts (the scenario, or the program and its scenarios), then each scenario's
    figures of these reps beside everyone who practised it; a single scenario's run
    (``report.single``) then has the distribution and the reps' weeks, with their charts (a
    program's charts stay with each scenario's own run).

    Whose numbers each column counts is in its heading, in words: a team's workbook shows
    the team's reps, with everyone who practised the scenario beside them for context; the
    weekly rows count only these reps' sessions.
    """
    single = report.single
    _overview_columns(ws)
    row = 0

    def emit(*cells: object, height: float | None = None) -> int:
        nonlocal row
        row += 1
        if height is not None:  # before the row: write-only mode writes it with the row
            ws.row_dimensions[row].height = height
        ws.append(list(cells))
        return row

    def fact(name: str, value: str) -> None:
        emit(_label(ws, name), text_cell(ws, value, alignment=WRAP),
             height=wrapped_height([value], OVERVIEW_WIDTHS[1:2]))

    def headings(*texts: str) -> int:
        """A row of wrapped headings, as tall as the longest needs."""
        return emit(*(_heading(ws, t) for t in texts),
                    height=wrapped_height(texts, OVERVIEW_WIDTHS))

    emit(text_cell(ws, report.program.name, font=TITLE))  # a single run's: the scenario's
    emit(text_cell(ws, gettext(PRACTICE_NOTE), font=Font(italic=True)))
    emit()
    for name, value in _subject(report):
        fact(name, value)
    if single is not None and single.scenario.url:  # checked by analytics (https, the
        # workspace's host); not fetched
        # Translators: Exec is the product's name.
        emit(_label(ws, gettext("In Exec")),
             text_cell(ws, gettext("Open the scenario in Exec"), font=LINK,
                       hyperlink=single.scenario.url))
    fact(gettext("Period"), report.period.label)
    fact(gettext("Workspace"), report.workspace_name)
    fact(gettext("Selected reps"), report.selection_text)
    emit(_label(ws, gettext("Generated at (UTC)")),
         num(ws, excel_datetime(report.generated_at), XLSX_DATETIME))
    for part in report.parts:
        emit()
        if single is not None:
            # Translators: %(selection)s says which reps: "3 reps by email", "group Sales
            # Team", "every participant".
            title = gettext("These reps (%(selection)s) beside everyone who practised",
                            selection=part.selection_text)
        else:
            # Translators: %(scenario)s is a scenario's name, as Exec gives it.
            title = gettext("%(scenario)s: these reps beside everyone who practised it",
                            scenario=part.scenario.name)
        emit(_label(ws, title))
        headings(*(gettext(h) for h in OVERVIEW_HEADINGS))
        for cells in _figure_rows(ws, part):
            emit(*cells)
    if single is None:
        return
    emit()

    emit(_label(ws, gettext("Best-score distribution of everyone who practised")))
    # The heading "Participants" is the bar chart's series name too.
    dist_header = headings(gettext("Rank"), gettext("Participants"), gettext("Share"))
    for rc in single.cohort.distribution:
        emit(text_cell(ws, fmt_rank(rc.rank)), num(ws, rc.count, XLSX_INT),
             num(ws, rc.percentage / 100, XLSX_PERCENT1))
    dist_last = row
    emit()

    emit(_label(ws, gettext("These reps: sessions and average score per week")))
    week_header = headings(gettext("Week starting (UTC)"),
                           gettext("Sessions (these reps, valid or not)"),
                           gettext("Average score (these reps' valid attempts)"))
    for wp in single.cohort.weekly:
        emit(num(ws, excel_datetime(wp.week_start), XLSX_DATE),
             num(ws, wp.sessions, XLSX_INT),
             num(ws, wp.average_score, XLSX_SCORE))
    week_last = row

    top = CHART_TOP
    if dist_last > dist_header:
        chart = BarChart()
        chart.type = "col"
        chart.title = gettext("Participants by best-score rank")
        chart.y_axis.title = gettext("Participants")
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
        line.title = gettext("These reps: sessions and average score per week")
        line.y_axis.title = gettext("Average score")
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
        sessions.y_axis.title = gettext("Sessions")
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
    print_setup(ws, title_rows=False, widths=OVERVIEW_WIDTHS)
    for letter, width in zip("ABCDE", OVERVIEW_WIDTHS, strict=True):
        ws.column_dimensions[letter].width = width


def _figure_rows(ws: Any, report: ReportView) -> Iterator[list[object]]:
    """The rows of the Overview's table of figures, under its headings: these reps beside
    everyone."""
    for name, *values, fmt in _figures(report):
        cells = [
            text_cell(ws, v) if isinstance(v, str)
            else num(ws, v if isinstance(v, int | float) else None, str(fmt))
            for v in values
        ]
        yield [text_cell(ws, str(name)), *cells]


def _show_axes(chart: Any) -> None:
    """openpyxl 3.1 marks axes deleted unless told otherwise; Excel then hides them."""
    chart.x_axis.delete = False
    chart.y_axis.delete = False


def _about(ws: Any, report: ProgramReportView) -> None:
    """Where the numbers come from and how fresh they are, and what the workbook is about
    (:func:`_subject`)."""
    subject = _subject(report)
    ws.column_dimensions["A"].width = 26
    ws.column_dimensions["B"].width = 60
    fetch = report.fetch
    print_setup(ws, title_rows=False)

    def pair(name: str, value: object, fmt: str | None = None) -> None:
        if isinstance(value, str):
            cell: object = text_cell(ws, value, alignment=WRAP)
        elif value is None:
            cell = None
        else:
            cell = num(ws, value, fmt or "General")
        ws.append([text_cell(ws, name, font=BOLD, alignment=TOP), cell])

    ws.append([text_cell(ws, gettext("About this workbook"), font=TITLE)])
    pair(gettext("Workspace"), report.workspace_name)
    for name, value in subject:
        pair(name, value)
    pair(gettext("Selection"), report.selection_text)
    pair(gettext("Period"), report.period.label)
    pair(gettext("Period start (UTC)"), excel_datetime(report.period.start), XLSX_DATETIME)
    # The last day, inclusive, as every output prints a period's end ("2026-11-30"), never
    # the moment after it (23:59:59.999999 shows as the next day's 00:00 in Excel).
    pair(gettext("Period end (UTC, inclusive)"), excel_day(report.period.last_day), XLSX_DATE)
    pair(gettext("Generated at (UTC)"), excel_datetime(report.generated_at), XLSX_DATETIME)
    pair(gettext("Data fetched at (UTC)"), excel_datetime(fetch.fetched_at), XLSX_DATETIME)
    pair(gettext("Requests to Exec"), fetch.requests_made, XLSX_INT)
    pair(gettext("Session details reused from the cache"), fetch.cache_hits, XLSX_INT)
    pair(gettext("Fetched from"), fetch.base_url)
    pair(gettext("Tool version"), f"reporter {report.tool_version}")  # the tool's name
    pair(gettext("Sheets and CSV files"), gettext(FEEDBACK_ROWS_NOTE))
    for warning in report.warnings:  # operators' English, as the run logged it
        pair(gettext("Warning"), warning)
    ws.append([])
    ws.append([text_cell(ws, gettext(PRACTICE_NOTE), font=Font(italic=True))])


# ---------------------------------------------------------------------------- program workbook

#: A program's workbook: the scenario sheets with a Scenario column, and the program's own.
PROGRAM_SHEET_NAMES: tuple[str, ...] = (
    "Needs attention", "Overview", "Scenarios", "Skills", "Reps", "Sessions", "Rubric",
    "Feedback", "Not found", "About",
)


def sheet_titles() -> dict[str, str]:
    """Each sheet's name in the active language, by its English name (PROGRAM_SHEET_NAMES):
    a tab, apart from the column headings that read alike ("Sessions"), so a translator may
    make it shorter. ``new_workbook`` makes each one Excel accepts (``grid.sheet_name``)."""
    return {
        # Translators: a sheet name (a tab of the workbook): 31 characters at most, none of
        # [ ] : * ? / or a backslash.
        "Needs attention": pgettext("sheet name", "Needs attention"),
        "Overview": pgettext("sheet name", "Overview"),
        "Scenarios": pgettext("sheet name", "Scenarios"),
        "Skills": pgettext("sheet name", "Skills"),
        "Reps": pgettext("sheet name", "Reps"),
        "Sessions": pgettext("sheet name", "Sessions"),
        "Rubric": pgettext("sheet name", "Rubric"),
        "Feedback": pgettext("sheet name", "Feedback"),
        "Not found": pgettext("sheet name", "Not found"),
        "About": pgettext("sheet name", "About"),
    }

#: The scenario a row of a program's sheet comes from, right after the rep's name.
SCENARIO_COL = Col(N_("Scenario"), text=True, wrap=True, cap=32)


SCENARIOS_SHEET: tuple[Col, ...] = (
    Col(N_("Rep"), text=True, wrap=True, cap=32),
    SCENARIO_COL,
    Col(N_("Email"), text=True, cap=36),
    Col(N_("Practice"), text=True, cap=14, fill="practice"),  # "Practised" / "Not practised"
    Col(N_("Sessions"), XLSX_INT),
    Col(N_("Valid attempts"), XLSX_INT),
    Col(N_("Best score"), XLSX_SCORE, fill="score"),
    Col(N_("Best rank"), text=True, fill="rank"),
    *LAST_PERIOD_COLS,
    Col(N_("Required rank"), text=True),
    Col(N_("Assignment status"), text=True, cap=18),
    Col(N_("Due (UTC)"), XLSX_DATE),
    Col(N_("Target"), text=True, wrap=True, cap=50),
    Col(N_("Needs attention"), text=True, cap=10),
    Col(N_("Report (PDF)"), text=True, link=True, cap=40),
)

SKILLS_SHEET: tuple[Col, ...] = (
    Col(N_("Rep"), text=True, wrap=True, cap=32),
    Col(N_("Skill"), text=True, wrap=True, cap=32),
    Col(N_("Email"), text=True, cap=36),
    Col(N_("Scenarios"), text=True, wrap=True, cap=40),  # the program's that evaluate the skill
    Col(N_("Tier"), text=True, cap=18, fill="tier"),
    Col(N_("Score"), XLSX_SCORE, fill="score"),
    Col(N_("Observations"), XLSX_INT),
    Col(N_("Last practised (UTC)"), XLSX_DATETIME),
    Col(N_("Previous tier"), text=True, cap=18, fill="tier"),
    Col(N_("Previous score"), XLSX_SCORE),
    Col(N_("Change vs last period"), XLSX_POINTS),
)

#: The Tier columns' fills by tier (the rules match its label, ``fmt_tier``, when written):
#: Exec's tiers, best green, insufficient data grey, none at all white.
TIER_FILLS: dict[str | None, str] = {
    "excellent": "63BE7B", "proficient": "C6EFCE", "developing": "FFEB9C",
    "needs_work": "FFC7CE", "insufficient_data": "EDEDED", None: "FFFFFF",
}


def _by_scenario(report: ProgramReportView
                 ) -> Iterator[tuple[ScenarioInfo, ProgramRepView, RepView]]:
    """Each scenario's reps in turn, by name: the ones with a view in it (a session, or an
    assignment of it), with that view."""
    for i, scenario in enumerate(report.scenarios):
        for rep in report.reps:
            view = rep.rows[i].rep
            if view is not None:
                yield scenario, rep, view


def _subject(report: ProgramReportView) -> list[tuple[str, str]]:
    """What the workbook is about: the scenario's name, or the program's and its scenarios'."""
    if report.single:
        return [(gettext("Scenario"), report.single.scenario.name)]
    return [(gettext("Program"), report.program.name),
            (gettext("Scenarios"), LIST_SEP.join(s.name for s in report.scenarios))]


def _scenario_row(report: ProgramReportView, rep: ProgramRepView, row: ScenarioRow,
                  links: Mapping[str, str]) -> tuple[object, ...]:
    view = row.rep
    target = row.target
    return (
        report.label(rep), row.scenario.name, rep.email, fmt_practised(row.practised),
        view.session_count if view else 0, view.valid_count if view else 0,
        view.best_score if view else None, rank_label(view.best_rank) if view else None,
        *(last_period(view) if view else (None, None, None)),
        rank_label(target.required_rank) if target and target.required_rank else None,
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
        _fills(ws, SCENARIOS_SHEET, n)
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
        _fills(ws, SKILLS_SHEET, n)
    return n
