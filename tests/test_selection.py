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
        ("0000-01", None, None, "--month 0000-01 is out of range: give a month from 1970 on"),
        (None, "0001-01-01T00:00:00+01:00", None,
         "--since 0001-01-01T00:00:00+01:00 is out of range: it cannot be read in UTC"),
        (None, "1969-12-31", None, "--since 1969-12-31 is out of range: give a date from 1970 on"),
        (None, "2026-10-01", "9999-12-31T23:00:00-05:00",
         "--until 9999-12-31T23:00:00-05:00 is out of range: it cannot be read in UTC"),
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


@pytest.mark.parametrize(("content", "message"), [
    (bytes(range(256)) * 4, "is not a text file (CSV or one address per line, UTF-8)"),
    (b"email\nann@acme.example\nbob\x00@acme.example\n", "is not a text file"),
    (b"email\n" + b"x" * 131_073 + b"@acme.example\n",
     "line 2 is 131,086 characters long; a roster line holds at most 10,000"),
])
def test_a_roster_that_is_not_text_is_refused_in_one_line(tmp_path, content, message):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(content)
    with pytest.raises(SelectionError) as info:
        read_roster(roster)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_control_characters_never_reach_an_address(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("email\nann@acme.example\nbob\u202e@acme.example\ncy\x1b[31m@acme.example\n")
    emails, invalid = read_roster(roster)
    assert emails == ["ann@acme.example"] and len(invalid) == 2


def test_a_huge_roster_is_refused_and_a_long_one_reports_progress(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("".join(f"rep{i}@acme.example\n" for i in range(100_001)))
    with pytest.raises(SelectionError, match="has 100,001 lines; the most a run takes is 100,000"):
        read_roster(roster)
    roster.write_text("".join(f"rep{i}@acme.example\n" for i in range(25_000)))
    seen: list[tuple[int, int]] = []
    emails, _ = read_roster(roster, on_progress=lambda done, total: seen.append((done, total)))
    assert len(emails) == 25_000 and seen == [(10_000, 25_000), (20_000, 25_000)]
