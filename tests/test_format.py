"""How a figure is written: one rule each, shared by the PDF, charts, emails, workbook and CSV."""

from __future__ import annotations

from datetime import UTC, datetime

from reporter import format as fmt
from reporter.render import charts, csv_export


def test_scores_points_shares_and_ordinals():
    assert [fmt.fmt_score(v) for v in (None, 91.0, 68.5, 74.96)] == ["–", "91.0", "68.5", "75.0"]
    assert [fmt.fmt_points(v) for v in (4.0, -2.5, 0.0, 0.04, None)] == [
        "+4.0", "−2.5", "±0.0", "±0.0", "–"]
    assert fmt.fmt_point_count(0.4) == "0.4 points" and fmt.fmt_point_count(1) == "1.0 point"
    assert fmt.fmt_share(0.25) == "25%" and fmt.fmt_share(None) == "–"
    assert [fmt.fmt_ordinal(v) for v in (1, 2, 3, 11, 12, 13, 21, 72.6)] == [
        "1st", "2nd", "3rd", "11th", "12th", "13th", "21st", "73rd"]


def test_days_minutes_ranks_and_grades():
    day = datetime(2026, 10, 3, 14, 5, tzinfo=UTC)
    assert fmt.fmt_day(day) == "Oct 3, 2026" and fmt.fmt_short_day(day) == "Oct 3"
    assert [fmt.fmt_minutes(v) for v in (None, 7.4, 65)] == ["–", "7 min", "1 h 05 min"]
    assert fmt.fmt_clock(125.9) == "2:05" and fmt.fmt_clock(None) == ""
    assert fmt.fmt_rank("gold") == "Gold" and fmt.fmt_rank(None) == "No rank"
    assert fmt.fmt_grade("not_relevant") == "Not relevant" and fmt.fmt_grade_symbol("bad") == "✗"
    assert fmt.clip("one two three four", 9) == "one two…"


def test_every_output_uses_the_same_rules():
    """A score reads the same on the chart as in the text ("91.0", never "91"), and the CSV
    writes the formatting module's numbers."""
    at = datetime(2026, 10, 3, 14, 5, tzinfo=UTC)
    svg = charts.score_over_time([charts.ScorePoint(at, 91.0)], at.replace(day=1),
                                 at.replace(day=30), "#1f6feb")
    assert f">{fmt.fmt_score(91.0)}</text>" in svg and ">91</text>" not in svg
    assert csv_export.field(68.456) == fmt.csv_number(68.456) == "68.46"
