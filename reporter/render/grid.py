"""The generic grid writer under every workbook sheet: typed columns, rows streamed in openpyxl's
write-only mode, widths, heights and print setup, and the fast path writing rows as sheet XML.

It knows nothing of reps or reports (``reporter.render.workbook`` holds the sheets): a sheet is
a tuple of :class:`Col` and a function giving its rows.

Write-only mode keeps 2,000 reps with 20 sessions each in bounded memory (see
bench/bench_workbook.py for the figures). It still supports what the sheets need (tables,
conditional formatting, charts, hyperlinks, frozen panes, print setup); its one constraint is
that column widths, panes and the page setup must be set before the first row, so each big sheet
walks its rows twice: once to measure widths, once to write. The data rows then go into the sheet
as XML text (:class:`_GridXml`, on openpyxl's private sheet writer): the bytes openpyxl would
write for the same cells, in about a quarter of the time.

Every text is a string cell, never a formula, with the characters Excel refuses removed:
:func:`reporter.render.cells.text_cell` makes it, or the XML rows write what that cell would be,
through the same :func:`reporter.render.cells.clean_text`. Every number goes through :func:`num`:
rounded to the decimals its format shows, so the formula bar never shows 72.89999999999999
behind a cell that reads 72.9. Every sheet prints landscape, fitted to as many pages across as
keep its text readable (one for most; :func:`pages_wide`), with its header row, and the columns
naming each row, repeated on each page. LibreOffice neither grows a row nor widens a column for
wrapped text, so every row of wrapped headings or values is written as tall as its longest needs
(:func:`wrapped_height`).
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

from openpyxl import LXML, Workbook
from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.formatting.rule import CellIsRule
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

from reporter.files import atomic_path
from reporter.format import XLSX_DECIMALS
from reporter.i18n import gettext
from reporter.render.cells import clean_text, style_array, text_cell, value_cell

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
LINK = Font(color="0563C1", underline="single")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
HEADER_ALIGN = Alignment(wrap_text=True, vertical="top")
TABLE_STYLE = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)



@dataclass(frozen=True)
class Col:
    """One column of a data sheet: how it is headed, typed, formatted and sized.

    ``header`` is the English heading (marked ``N_`` where the column is defined): the sheet
    shows :attr:`title`, the heading in the language the workbook is written in, unless
    ``api`` says the heading is the API's own text (a rubric item), shown as it is.
    """

    header: str
    fmt: str | None = None  # number format; None for text columns
    text: bool = False  # the value is text (maybe from the API): always a string cell
    wrap: bool = False
    cap: int = 40  # the widest the column gets, in characters
    link: bool = False  # the value is a relative path we built: a hyperlink cell
    # How the sheet colours the column's cells (conditional formatting the sheet applies,
    # by this name rather than by the column's heading): "score", "rank", "bar", "severity".
    fill: str | None = None
    api: bool = False  # the header is the API's text: never translated

    @property
    def title(self) -> str:
        """The heading as the sheet shows it, in the active language."""
        return self.header if self.api else gettext(self.header)


#: Excel's longest sheet name, and the characters it refuses in one.
MAX_SHEET_NAME = 31
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """``name`` as Excel accepts a sheet's name: without the characters it refuses
    (``[]:*?/\\``), apostrophes at either end or control characters, at most 31 characters,
    never blank, and unlike every name in ``taken`` (Excel compares them ignoring case): a
    translated name may be longer, or two may meet. An English name is unchanged."""
    text = _SHEET_NAME_FORBIDDEN.sub(" ", clean_text(name))
    text = " ".join(text.split()).strip("'").strip() or "Sheet"
    text = text[:MAX_SHEET_NAME].rstrip()
    used = {t.casefold() for t in taken}
    candidate, n = text, 1
    while candidate.casefold() in used:
        n += 1
        suffix = f" ({n})"
        candidate = text[:MAX_SHEET_NAME - len(suffix)].rstrip() + suffix
    return candidate


def new_workbook(title: str, version: str) -> tuple[Any, Callable[[str], Any]]:
    """A write-only workbook with its properties, and a function adding a streamed sheet
    (its name made one Excel accepts: :func:`sheet_name`)."""
    wb = Workbook(write_only=True)
    wb.properties.creator = f"reporter {version}"
    wb.properties.title = title
    return wb, lambda name: cells_streamed(
        wb.create_sheet(sheet_name(name, wb.sheetnames)))


def cells_streamed(ws: Any) -> Any:
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


def discard(wb: Workbook) -> None:
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


def save_atomic(wb: Workbook, path: Path) -> None:
    """Save beside the target then rename, so a crash never leaves half a workbook."""
    with atomic_path(path) as tmp:
        wb.save(tmp)


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
    landscape (``print_setup``) with the header row on every page, and the columns that stay
    in view on screen on every page across (``title_cols`` when the frozen ones do not name
    the row).
    """
    ws = cells_streamed(ws)
    widths = fit_widths(cols, rows())
    for i, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = freeze
    if title_cols is None:
        title_cols = coordinate_to_tuple(freeze)[1] - 1
    print_setup(ws, title_rows=True, widths=widths, title_cols=title_cols)
    styles = [_col_style(ws, c) for c in cols]
    wrapped = [(i, w) for i, (c, w) in enumerate(zip(cols, widths, strict=True)) if c.wrap]
    # Heights before the first row: LibreOffice does not grow a row for wrapped text.
    titles = [c.title for c in cols]
    ws.row_dimensions[1].height = wrapped_height(titles, widths)
    grid = _GridXml.attach(ws, cols, styles)  # before the first row: it brings the writer
    header = style_array(ws, font=BOLD, alignment=HEADER_ALIGN)
    ws.append([text_cell(ws, t, header) for t in titles])
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
            tableColumns=[TableColumn(id=i, name=clean_text(t))
                          for i, t in enumerate(titles, 1)],
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
    return num(ws, value, col.fmt or "General", style)


def num(ws: Any, value: object, fmt: str, style: StyleArray | None = None,
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


def print_setup(ws: Any, *, title_rows: bool, widths: Sequence[float] = (),
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


def fit_widths(cols: Sequence[Col], rows: Iterable[Sequence[object]]) -> list[float]:
    """Widths that fit the longest value (headers wrap, so they count only up to 14 wide).

    A text's width is measured once per column: names, emails, criteria and quotes repeat on
    many rows (a rep's name on each of their sessions and feedback examples).
    """
    widths = [_text_width(c.title, 14) for c in cols]
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

        Only for a write-only sheet with no row yet (``cells_streamed``, which passes a
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


def label_fills(ws: Any, rng: str, fills: Mapping[str, str]) -> None:
    """Fill the cells of ``rng`` holding one of ``fills``' labels with its colour (labels in
    the workbook's language: a quote in one is doubled, as Excel's formulas write it)."""
    for label, colour in fills.items():
        quoted = label.replace('"', '""')
        ws.conditional_formatting.add(rng, CellIsRule(
            operator="equal", formula=[f'"{quoted}"'],
            fill=PatternFill(start_color=colour, end_color=colour, fill_type="solid"),
        ))
