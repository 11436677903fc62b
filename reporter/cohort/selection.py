"""Who and when: the period, the roster, and the selection a run is about.

Every problem here is the user's input, so each raises ``SelectionError`` with a
one-line message the CLI shows as is (exit status 2).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from email.utils import getaddresses
from pathlib import Path
from typing import Literal, Protocol, TypeVar

from reporter.errors import UsageError


class SelectionError(UsageError):
    """Bad usage: a malformed date, a missing roster, an impossible period."""


EMAIL_RE = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+")
SYSTEM_DOMAIN = "@exec.com"
#: A roster larger than this is refused: beyond it a run is no longer one team's report, and
#: the plan alone would take minutes.
MAX_ROSTER_LINES = 100_000
#: The longest roster line read: far longer than any address with its other columns.
MAX_ROSTER_LINE = 10_000
#: A long roster reports its progress every this many lines.
ROSTER_PROGRESS_EVERY = 10_000
#: No period starts before this: older dates are typing mistakes, and the calendar's edges
#: cannot be moved between time zones.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


SelectionMode = Literal["all", "emails", "roster", "group"]


@dataclass(frozen=True)
class Period:
    label: str
    start: datetime  # inclusive, UTC
    end: datetime  # inclusive, UTC


@dataclass(frozen=True)
class Selection:
    mode: SelectionMode
    emails: tuple[str, ...] = ()
    invalid: tuple[str, ...] = ()  # roster entries that are not addresses
    roster: str | None = None
    group: str | None = None  # as the user gave it: a name or an id
    include_system_users: bool = False
    # The roster's language column: (address, BCP 47 tag), in roster order.
    languages: tuple[tuple[str, str], ...] = ()


def normalise_email(value: str) -> str:
    return value.strip().strip("<>").strip().casefold()


def split_entries(text: str) -> list[str]:
    """The entries of a text as people paste it (``a@x, b@y``, ``a@x; b@y``,
    ``"Doe, Jane" <j@x>``): cut at each comma or semicolon outside quotes and angle
    brackets, each entry stripped, empty ones dropped."""
    entries: list[str] = []
    current: list[str] = []
    quoted, angle, escaped = False, 0, False
    for ch in text:
        if escaped:
            escaped = False
        elif ch == "\\" and quoted:
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif not quoted and ch == "<":
            angle += 1
        elif not quoted and ch == ">" and angle:
            angle -= 1
        elif not quoted and not angle and ch in ",;":
            entries.append("".join(current))
            current = []
            continue
        current.append(ch)
    entries.append("".join(current))
    return [e.strip() for e in entries if e.strip()]


def parse_entry(entry: str) -> str | None:
    """The address of one entry (``a@x``, ``<a@x>``, ``"Name" <a@x>``, ``Name <a@x>``),
    normalised; None when it is not exactly one address (no address, two, a control or
    format character anywhere)."""
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in entry):
        return None
    found = [addr for _, addr in getaddresses([entry]) if addr]
    if len(found) != 1:
        return None
    email = normalise_email(found[0])
    return email if is_email(email) else None


def is_email(value: str) -> bool:
    """An address a filter may carry: one @, a dot after it, and no control or format
    character anywhere (a NUL or a bidi override is not part of anybody's address)."""
    return bool(EMAIL_RE.fullmatch(value)) and not any(
        unicodedata.category(ch) in ("Cc", "Cf") for ch in value)


class Person(Protocol):
    """Whoever ``by_person`` files things under: the API's ``User`` (read-only fields)."""

    @property
    def id(self) -> str: ...

    @property
    def email(self) -> str | None: ...


T = TypeVar("T")
U = TypeVar("U", bound=Person)


def by_person(items: Iterable[T], user_of: Callable[[T], U]
              ) -> tuple[dict[str, list[T]], dict[str, U], list[tuple[str, str]]]:
    """``items`` (listed sessions when fetching, a snapshot's reps when rendering) by person:
    a person is an address, whatever its case (addresses are compared case-folded everywhere
    else too), so two user ids whose emails differ only by case are one rep under the first
    id seen, never two reports written to one file. Returns the items by user id (in the
    order seen), the users, and each (first, other) address pair taken as one."""
    by_user: dict[str, list[T]] = {}
    users: dict[str, U] = {}
    owner: dict[str, str] = {}  # case-folded address -> the user id it is filed under
    merged: list[tuple[str, str]] = []
    for item in items:
        user = user_of(item)
        folded = (user.email or "").casefold()
        uid = owner.setdefault(folded, user.id) if folded else user.id
        if uid != user.id and (users[uid].email or "", user.email or "") not in merged:
            merged.append((users[uid].email or "", user.email or ""))
        by_user.setdefault(uid, []).append(item)
        users.setdefault(uid, user)
    return by_user, users, merged


def twins_said(merged: Iterable[tuple[str, str]]) -> list[str]:
    """The one line said for each pair of addresses ``by_person`` took as one person."""
    return [f"{a} and {b} differ only by case: taken as one person, in one report"
            for a, b in merged]


def is_system_user(email: str | None) -> bool:
    return email is not None and email.casefold().endswith(SYSTEM_DOMAIN)


def _end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59, 999999), tzinfo=UTC)


def _start_of_day(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=UTC)


def parse_instant(value: str, *, flag: str, end: bool) -> datetime:
    """A date (whole day, inclusive) or an ISO datetime (naive means UTC), from 1970 on.

    The edges of the calendar (year 1 with a positive offset, year 9999 with a negative one)
    cannot be moved to UTC; they are refused like any other date out of range.
    """
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            moment = _end_of_day(d) if end else _start_of_day(d)
        else:
            dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
            moment = dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)
    except ValueError:
        raise SelectionError(
            f"{flag} {value!r} is not a date: use YYYY-MM-DD or an ISO datetime"
        ) from None
    except OverflowError:
        raise SelectionError(f"{flag} {value} is out of range: it cannot be read in UTC") from None
    if moment < EARLIEST:
        raise SelectionError(f"{flag} {value} is out of range: give a date from 1970 on")
    return moment


def previous_period(period: Period) -> Period | None:
    """The calendar month before a month period ("2026-10" -> "2026-09"); None for a date
    range, which has no "last month" a manager would compare with."""
    m = re.fullmatch(r"(\d{4})-(\d{2})", period.label)
    if not m:
        return None
    year, mon = int(m.group(1)), int(m.group(2))
    year, mon = (year - 1, 12) if mon == 1 else (year, mon - 1)
    first = date(year, mon, 1)
    return Period(f"{year:04d}-{mon:02d}", _start_of_day(first),
                  _end_of_day(period.start.date() - timedelta(days=1)))


def parse_period(
    month: str | None = None,
    since: str | None = None,
    until: str | None = None,
    *,
    now: datetime | None = None,
) -> Period:
    """``--month YYYY-MM|last`` (the default: the previous calendar month, UTC) or
    ``--since``/``--until`` (inclusive; ``--until`` defaults to now)."""
    now = now or datetime.now(UTC)
    if month and (since or until):
        raise SelectionError("use either --month or --since/--until, not both")
    if since or until:
        if not since:
            raise SelectionError("--until needs --since")
        start = parse_instant(since, flag="--since", end=False)
        stop = parse_instant(until, flag="--until", end=True) if until else now
        if start > now:
            raise SelectionError(f"--since {since} is in the future")
        if start > stop:
            raise SelectionError(f"--since {since} is after --until {until}")
        label = f"{start.date().isoformat()}_to_{stop.date().isoformat()}"
        return Period(label, start, stop)
    text = (month or "last").strip().lower()
    if text == "last":
        first_this = now.date().replace(day=1)
        year, mon = (first_this - timedelta(days=1)).year, (first_this - timedelta(days=1)).month
    elif text in ("this", "current"):
        year, mon = now.year, now.month
    else:
        m = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise SelectionError(f"--month {month!r} is not a month: use YYYY-MM or 'last'")
        year, mon = int(m.group(1)), int(m.group(2))
        if year < EARLIEST.year:
            raise SelectionError(f"--month {month} is out of range: give a month from 1970 on")
        if (year, mon) > (now.year, now.month):
            raise SelectionError(f"--month {month} is in the future")
    first = date(year, mon, 1)
    next_first = date(year + (mon == 12), mon % 12 + 1, 1)
    return Period(f"{year:04d}-{mon:02d}", _start_of_day(first),
                  _end_of_day(next_first - timedelta(days=1)))


#: A roster's columns that name a rep's language (the first present is read).
LANGUAGE_COLUMNS = ("language", "locale")


def read_roster(path: Path, on_progress: Callable[[int, int], None] | None = None,
                ) -> tuple[list[str], list[str]]:
    """Addresses from a roster (``read_roster_languages``'s first two)."""
    emails, invalid, _ = read_roster_languages(path, on_progress)
    return emails, invalid


def read_roster_languages(path: Path,
                          on_progress: Callable[[int, int], None] | None = None,
                          ) -> tuple[list[str], list[str], dict[str, str]]:
    """Addresses from a CSV with an ``email`` column (header in any case) or one per line.

    Returns (addresses, invalid entries); addresses are normalised and deduplicated in file
    order. A missing file, one that is not UTF-8 text, one longer than MAX_ROSTER_LINES or with
    a line longer than MAX_ROSTER_LINE, or one with no address, is a SelectionError.
    ``on_progress(lines read, lines)`` is called every ROSTER_PROGRESS_EVERY lines of a long one.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise SelectionError(f"roster file not found: {path}") from None
    except IsADirectoryError:
        raise SelectionError(f"roster is a folder, not a file: {path}") from None
    except OSError as exc:
        raise SelectionError(f"cannot read roster {path}: {exc.strerror}") from None
    try:
        if b"\x00" in raw:
            raise ValueError("NUL byte")
        text = raw.decode("utf-8-sig")
    except (UnicodeDecodeError, ValueError):
        raise SelectionError(f"roster {path} is not a text file (CSV or one address per "
                             "line, UTF-8)") from None
    lines = text.splitlines()
    if len(lines) > MAX_ROSTER_LINES:
        raise SelectionError(f"roster {path} has {len(lines):,} lines; the most a run takes is "
                             f"{MAX_ROSTER_LINES:,}: split it")
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_ROSTER_LINE:
            raise SelectionError(f"roster {path} line {number} is {len(line):,} characters "
                                 f"long; a roster line holds at most {MAX_ROSTER_LINE:,}")
    rows: list[list[str]] = []
    for number, row in enumerate(csv.reader(lines), 1):
        if any(cell.strip() for cell in row):
            rows.append(row)
        if on_progress is not None and number % ROSTER_PROGRESS_EVERY == 0:
            on_progress(number, len(lines))
    values: list[str] = []
    languages: dict[str, str] = {}
    if rows:
        header = [cell.strip().casefold() for cell in rows[0]]
        if "email" in header:
            # A row's email cell, or, where a row stops short of it, the row as pasted.
            col = header.index("email")
            values = [r[col] if len(r) > col else ", ".join(r) for r in rows[1:]]
            lang = next((header.index(c) for c in LANGUAGE_COLUMNS if c in header), None)
            if lang is not None:
                languages = _roster_languages(path, rows[1:], col, lang)
        else:
            # No header: each line is addresses as people paste them, not CSV cells.
            values = [line for line in lines if line.strip()]
    emails, invalid = normalise_emails(values)
    if not emails:
        raise SelectionError(f"roster {path} holds no email addresses")
    return emails, invalid, languages


def _roster_languages(path: Path, rows: list[list[str]], email: int,
                      column: int) -> dict[str, str]:
    """Each address's language from the roster's language column (a BCP 47 tag or a
    language's English name, "es", "pt-BR", "Spanish"); an empty cell: none. A value that
    is neither is bad usage, named by its line, before any request."""
    from reporter.i18n import exec_language

    out: dict[str, str] = {}
    for number, row in enumerate(rows, 2):
        value = row[column].strip() if len(row) > column else ""
        address = normalise_email(row[email]) if len(row) > email else ""
        if not value or not address:
            continue
        tag = exec_language(value)
        if tag is None:
            raise SelectionError(f"roster {path} line {number}: {value!r} is not a language "
                                 "(a tag like es or pt-BR, or a name like Spanish)")
        out[address] = tag
    return out


def normalise_emails(values: Iterable[str]) -> tuple[list[str], list[str]]:
    """Addresses (normalised, deduplicated, in order) and bad entries (each once, as given)
    from texts as people paste them: each value may hold several entries (``split_entries``),
    each entry a bare address or one with a name (``parse_entry``)."""
    emails: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for raw in values:
        for entry in split_entries(raw):
            email = parse_entry(entry)
            if email is None:
                if entry not in invalid:
                    invalid.append(entry)
            elif email not in seen:
                seen.add(email)
                emails.append(email)
    return emails, invalid
