from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reporter.cohort.selection import SelectionError, parse_period, read_roster

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def test_last_month_is_the_previous_calendar_month_in_utc():
    p = parse_period(None, now=NOW)
    assert p.label == "2026-10"
    assert p.start == datetime(2026, 10, 1, tzinfo=UTC)
    assert p.end.date().isoformat() == "2026-10-31" and p.end.hour == 23


def test_last_month_in_january_is_december():
    p = parse_period("last", now=datetime(2027, 1, 3, tzinfo=UTC))
    assert p.label == "2026-12"


def test_explicit_month_and_its_bounds():
    p = parse_period("2026-02", now=NOW)
    assert (p.start.day, p.end.day) == (1, 28)


@pytest.mark.parametrize(
    ("month", "since", "until", "message"),
    [
        ("2026-13", None, None, "--month '2026-13' is not a month: use YYYY-MM or 'last'"),
        ("Oct 2026", None, None, "--month 'Oct 2026' is not a month: use YYYY-MM or 'last'"),
        ("2027-01", None, None, "--month 2027-01 is in the future"),
        (None, "2026-10-32", None,
         "--since '2026-10-32' is not a date: use YYYY-MM-DD or an ISO datetime"),
        (None, "2026-10-20", "2026-10-01", "--since 2026-10-20 is after --until 2026-10-01"),
        (None, None, "2026-10-01", "--until needs --since"),
        ("2026-10", "2026-10-01", None, "use either --month or --since/--until, not both"),
        (None, "2027-02-01", None, "--since 2027-02-01 is in the future"),
    ],
)
def test_bad_periods_have_one_clear_message(month, since, until, message):
    with pytest.raises(SelectionError) as info:
        parse_period(month, since, until, now=NOW)
    assert str(info.value) == message


def test_since_until_are_inclusive_and_accept_datetimes():
    p = parse_period(None, "2026-10-03", "2026-10-20T12:30:00Z", now=NOW)
    assert p.start == datetime(2026, 10, 3, tzinfo=UTC)
    assert p.end == datetime(2026, 10, 20, 12, 30, tzinfo=UTC)
    assert p.label == "2026-10-03_to_2026-10-20"
    whole_day = parse_period(None, "2026-10-03", "2026-10-03", now=NOW)
    assert whole_day.end > whole_day.start


def test_roster_csv_with_email_header_in_any_case(tmp_path):
    f = tmp_path / "roster.csv"
    f.write_text("Name,EMAIL\nAna, Ana@Acme.test \nBob,bob@acme.test\nDup,ana@acme.test\n"
                 "Bad,not-an-address\n,\n", encoding="utf-8-sig")
    emails, invalid = read_roster(f)
    assert emails == ["ana@acme.test", "bob@acme.test"]
    assert invalid == ["not-an-address"]


def test_roster_one_address_per_line(tmp_path):
    f = tmp_path / "roster.txt"
    f.write_text("x@acme.test\n\n  Y@ACME.test\n")
    assert read_roster(f) == (["x@acme.test", "y@acme.test"], [])


def test_roster_missing_or_without_addresses(tmp_path):
    with pytest.raises(SelectionError, match=r"^roster file not found: .*nope\.csv$"):
        read_roster(tmp_path / "nope.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("email\nnobody\n")
    with pytest.raises(SelectionError, match=r"^roster .*empty\.csv holds no email addresses$"):
        read_roster(empty)
