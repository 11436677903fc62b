"""The one place that makes untrusted text safe for a spreadsheet, in Excel and in CSV.

Everything the API sends (names, feedback, quotes, even criterion labels) may hold text that a
spreadsheet would execute or refuse: ``=HYPERLINK(...)`` is a formula to openpyxl and to Excel,
``#N/A`` is an error value, control characters make openpyxl raise and Excel call the file corrupt.
The workbook and the CSV writer both go through these helpers so the rules live in one place and
are tested once.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles.cell_style import StyleArray

# Excel's hard limit for the text of one cell.
EXCEL_MAX_TEXT = 32_767

# Beyond openpyxl's list: code points XML 1.0 cannot carry at all (lone surrogates, U+FFFE/F),
# which would otherwise fail deep inside the XML writer at save time.
_XML_ILLEGAL_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")

# A CSV field starting with one of these is read as a formula by Excel, LibreOffice and
# Google Sheets (OWASP "CSV injection"); tab and carriage return can hide such a start.
CSV_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def clean_text(value: object) -> str:
    """Text that openpyxl accepts and Excel opens: illegal characters removed, length capped.

    Removing beats raising: one stray control character in a transcript must not cost the
    manager the whole workbook.
    """
    text = value if isinstance(value, str) else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    text = _XML_ILLEGAL_RE.sub("", text)
    return text[:EXCEL_MAX_TEXT]


def style_array(ws: Any, **style: Any) -> StyleArray:
    """Resolve cell styles (font, alignment, fill, number_format...) once, for many cells.

    Setting a style on a cell hashes the style object to find its index in the workbook; for
    hundreds of thousands of cells that dominated the write time. The resolved array is copied
    into each cell instead.
    """
    cell = Cell(ws, row=1, column=1)
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell._style


def text_cell(ws: Any, value: object, style: StyleArray | None = None, **extra: Any) -> Cell:
    """A cell that holds ``value`` as literal text, whatever it starts with.

    openpyxl turns any str starting with "=" into a formula and "#N/A"-like strings into error
    values, so the type is set to string directly rather than inferred: the cell is saved as an
    inline or shared string and read back as data_type "s". ``None`` gives an empty cell.
    ``style`` comes from :func:`style_array`; ``extra`` sets other attributes (hyperlink, font).
    """
    cell = Cell(ws, row=1, column=1, style_array=style)
    if value is not None:
        # clean_text gives the guarantees openpyxl's own check_string would (no illegal
        # characters, Excel's length cap); assigning _value skips the formula inference.
        cell._value = clean_text(value)
        cell.data_type = "s"
    for name, setting in extra.items():
        setattr(cell, name, setting)
    return cell


def value_cell(ws: Any, value: object, style: StyleArray | None = None, **extra: Any) -> Cell:
    """A cell for a value we computed (number, bool, naive datetime), never for API text."""
    if isinstance(value, str):
        raise TypeError("text goes through text_cell, not value_cell")
    cell = Cell(ws, row=1, column=1, value=value, style_array=style)
    for name, setting in extra.items():
        setattr(cell, name, setting)
    return cell


def excel_datetime(value: datetime | None) -> datetime | None:
    """A naive UTC datetime, since openpyxl refuses aware ones; headers say "(UTC)"."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def excel_day(value: date) -> datetime:
    """A day as Excel stores one: its midnight, naive (shown with a date format)."""
    return datetime.combine(value, time())


def csv_text(value: str | None) -> str:
    """A text field for CSV: a leading formula trigger is neutralised with a single quote.

    Only text goes through here. Numbers the tool computed are written as numbers, so a lift of
    -2.5 stays ``-2.5`` and a spreadsheet still sums it; a text field holding "-2+3" becomes
    "'-2+3". The quote is the convention Excel itself shows for "text that looks like a formula".
    """
    if value is None:
        return ""
    text = value.replace("\x00", "")
    if text.startswith(CSV_TRIGGERS):
        return "'" + text
    return text


def iso(value: datetime | None) -> str:
    """ISO 8601 in UTC with a "Z", the form HR systems and pandas parse without guessing."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
