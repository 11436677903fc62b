"""Who and when: the period, the roster, and the selection a run is about.

Every problem here is the user's input, so each raises ``SelectionError`` with a
one-line message the CLI shows as is (exit status 2).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

from reporter.errors import UsageError


class SelectionError(UsageError):
    """Bad usage: a malformed date, a missing roster, an impossible period."""


EMAIL_RE = re.compile(r"[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+")
SYSTEM_DOMAIN = "@exec.com"


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


def normalise_email(value: str) -> str:
    return value.strip().strip("<>").strip().casefold()


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.fullmatch(value))


def is_system_user(email: str | None) -> bool:
    return email is not None and email.casefold().endswith(SYSTEM_DOMAIN)


def _end_of_day(d: date) -> datetime:
    return datetime.combine(d, time(23, 59, 59, 999999), tzinfo=UTC)


def _start_of_day(d: date) -> datetime:
    return datetime.combine(d, time(0, 0), tzinfo=UTC)


def parse_instant(value: str, *, flag: str, end: bool) -> datetime:
    """A date (whole day, inclusive) or an ISO datetime (naive means UTC)."""
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            d = date.fromisoformat(text)
            return _end_of_day(d) if end else _start_of_day(d)
        dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise SelectionError(
            f"{flag} {value!r} is not a date: use YYYY-MM-DD or an ISO datetime"
        ) from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


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
        if (year, mon) > (now.year, now.month):
            raise SelectionError(f"--month {month} is in the future")
    first = date(year, mon, 1)
    next_first = date(year + (mon == 12), mon % 12 + 1, 1)
    return Period(f"{year:04d}-{mon:02d}", _start_of_day(first),
                  _end_of_day(next_first - timedelta(days=1)))


def read_roster(path: Path) -> tuple[list[str], list[str]]:
    """Addresses from a CSV with an ``email`` column (header in any case) or one per line.

    Returns (addresses, invalid entries); addresses are normalised and deduplicated
    in file order. A missing file, or one with no address, is a SelectionError.
    """
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except FileNotFoundError:
        raise SelectionError(f"roster file not found: {path}") from None
    except IsADirectoryError:
        raise SelectionError(f"roster is a folder, not a file: {path}") from None
    except OSError as exc:
        raise SelectionError(f"cannot read roster {path}: {exc.strerror}") from None
    rows = list(csv.reader(io.StringIO(text)))
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    values: list[str] = []
    if rows:
        header = [cell.strip().casefold() for cell in rows[0]]
        if "email" in header:
            col = header.index("email")
            values = [r[col] for r in rows[1:] if len(r) > col]
        else:
            values = [r[0] for r in rows]
    emails, invalid = normalise_emails(values)
    if not emails:
        raise SelectionError(f"roster {path} holds no email addresses")
    return emails, invalid


def normalise_emails(values: list[str]) -> tuple[list[str], list[str]]:
    emails: list[str] = []
    invalid: list[str] = []
    seen: set[str] = set()
    for raw in values:
        email = normalise_email(raw)
        if not email:
            continue
        if not is_email(email):
            invalid.append(raw.strip())
        elif email not in seen:
            seen.add(email)
            emails.append(email)
    return emails, invalid
