"""How every figure is written, once: PDF, charts, emails, workbook and CSV all use these.

A score reads "68.5" or "91" (one decimal, dropped when it is zero), points carry their sign
("+4", "−2.5", "±0"), ranks and grades have one label each, dates read "Oct 3, 2026". The
workbook keeps numbers as numbers with the Excel formats below; CSV writes plain numbers
rounded to CSV_DECIMALS. Pure functions: no I/O, no locale.
"""

from __future__ import annotations

from datetime import datetime

RANK_LABELS = {"gold": "Gold", "silver": "Silver", "bronze": "Bronze", "unranked": "Unranked"}
GRADE_SYMBOLS = {"good": "✓", "mid": "~", "bad": "✗", "not_relevant": "–"}
GRADE_LABELS = {"good": "Good", "mid": "Mid", "bad": "Bad", "not_relevant": "Not relevant"}

#: Excel number formats for the workbook's columns.
XLSX_SCORE = "0.0"
XLSX_INT = "0"
XLSX_MINUTES = "0.0"
XLSX_POINTS = "+0.0;-0.0;0.0"
XLSX_PERCENT = "0%"
XLSX_PERCENT1 = "0.0%"
XLSX_DATETIME = "yyyy-mm-dd hh:mm"
XLSX_DATE = "yyyy-mm-dd"
#: Decimals a CSV number keeps.
CSV_DECIMALS = 2


def fmt_score(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def fmt_points(value: float | None) -> str:
    if value is None:
        return "–"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{fmt_score(abs(value))}"


def fmt_share(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def fmt_ordinal(value: float | None) -> str:
    if value is None:
        return "–"
    n = int(round(value))
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def fmt_day(value: datetime | None) -> str:
    return "–" if value is None else f"{value:%b} {value.day}, {value:%Y}"


def fmt_short_day(value: datetime | None) -> str:
    return "–" if value is None else f"{value:%b} {value.day}"


def fmt_minutes(value: float | None) -> str:
    if value is None:
        return "–"
    minutes = int(round(value))
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def fmt_clock(seconds: float | None) -> str:
    if seconds is None:
        return ""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def fmt_rank(rank: str | None) -> str:
    return RANK_LABELS.get(rank or "", "No rank")


def fmt_grade_symbol(grade: str | None) -> str:
    return GRADE_SYMBOLS.get(grade or "", "")


def fmt_grade(grade: str | None) -> str:
    return GRADE_LABELS.get(grade or "", "Not graded")


def clip(text: str | None, limit: int) -> str:
    """Shorten long API text at a word boundary so one answer cannot push a section over."""
    if not text:
        return ""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
    return cut.rstrip(",;:.") + "…"


def csv_number(value: float) -> str:
    """A computed number for a CSV field: plain, rounded to CSV_DECIMALS, never a formula."""
    return repr(round(value, CSV_DECIMALS))
