"""The CSV files as an HR system (or Excel) reads them."""

from __future__ import annotations

import csv
import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from reporter.format import fmt_item
from reporter.render.cells import csv_text
from reporter.render.csv_export import (
    FEEDBACK_COLUMNS,
    REPS_COLUMNS,
    SESSIONS_COLUMNS,
    field,
    write_csv,
)
from reporter.views import ReportView
from tests.sample_views import FORMULAS, sample_report


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def report() -> ReportView:
    return sample_report()


@pytest.fixture
def files(report, tmp_path) -> dict[str, Path]:
    return {p.name: p for p in write_csv(report, tmp_path)}


def test_writes_three_files_with_bom_and_documented_headers(files):
    assert sorted(files) == ["feedback.csv", "reps.csv", "sessions.csv"]
    expected = {"reps.csv": REPS_COLUMNS, "sessions.csv": SESSIONS_COLUMNS,
                "feedback.csv": FEEDBACK_COLUMNS}
    for name, columns in expected.items():
        raw = files[name].read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        with files[name].open(encoding="utf-8-sig", newline="") as fh:
            assert tuple(next(csv.reader(fh))) == columns


# The exact columns, written out: HR imports read them by position as well as by name, so a
# column is only ever added at the end, and changing one of these lists must be deliberate.
REPS_HEADER = [
    "scenario", "period", "user_id", "email", "name", "groups", "is_member",
    "assignment_status", "sessions", "valid_attempts", "first_score", "first_rank",
    "best_score", "best_rank", "latest_score", "latest_rank", "lift", "practice_minutes",
    "last_practised", "percentile", "trend", "top_strength", "top_focus_area",
    "next_step", "next_step_try", "next_step_source", "target_rank", "due_date",
    "target_met", "points_short", "past_due", "latest_below_best",
    "previous_best", "change_vs_previous", "rank_change", "is_new", "attention", "severity",
    "assignment_best",
]
SESSIONS_HEADER = [
    "scenario", "period", "session_id", "user_id", "email", "name", "created_at", "score",
    "rank", "duration_minutes", "is_valid", "outcome", "positive_feedback",
    "constructive_feedback",
]
FEEDBACK_HEADER = [
    "scenario", "period", "session_id", "user_id", "email", "name", "created_at", "criterion",
    "item", "grade", "salience", "quote", "feedback", "suggested_phrasing",
]


def test_headers_are_exactly_the_published_columns_in_order(files):
    expected = {"reps.csv": REPS_HEADER, "sessions.csv": SESSIONS_HEADER,
                "feedback.csv": FEEDBACK_HEADER}
    for name, header in expected.items():
        with files[name].open(encoding="utf-8-sig", newline="") as fh:
            assert next(csv.reader(fh)) == header, name


def test_reps_round_trip(files, report):
    rows = _read(files["reps.csv"])
    assert [r["email"] for r in rows] == [r.email for r in report.reps]
    assert [r["name"] for r in rows] == [r.name if not r.name.startswith("=") else "'" + r.name
                                         for r in report.reps]
    amelie = rows[0]
    assert amelie["scenario"] == report.scenario.slug and amelie["period"] == "2026-10"
    assert float(amelie["best_score"]) == report.reps[0].best_score
    assert float(amelie["lift"]) == report.reps[0].lift
    assert amelie["is_member"] == "true"
    plan = report.reps[0].coaching
    assert amelie["top_strength"] == fmt_item(plan.strengths[0].criterion, plan.strengths[0].item)
    assert amelie["top_focus_area"] == amelie["next_step"] == fmt_item(
        plan.next_step.criterion, plan.next_step.item)
    carla = next(r for r in rows if r["email"] == "carla@acme.test")
    assert carla["best_score"] == "" and carla["lift"] == ""  # unknown is blank, not zero
    assert next(r for r in rows if r["email"] == "wang@acme.test")["name"] == "王小明"
    assert next(r for r in rows if r["email"] == "fatima@acme.test")["name"] == "فاطمة الزهراء"


def test_dates_are_iso_8601_utc(files, report):
    rows = _read(files["sessions.csv"])
    attempts = [a for r in report.reps for a in r.attempts]
    assert len(rows) == len(attempts)
    for row, attempt in zip(rows, attempts, strict=True):
        assert row["created_at"].endswith("Z")
        assert datetime.fromisoformat(row["created_at"]) == attempt.created_at
    reps = _read(files["reps.csv"])
    assert datetime.fromisoformat(reps[0]["last_practised"]) == report.reps[0].last_practised


def test_feedback_rows_round_trip_with_commas_quotes_and_newlines(report, tmp_path):
    tricky = 'He said "no", then:\nwe\'ll see, maybe'
    rep = report.reps[0]
    examples = tuple(dataclasses.replace(m, quote=tricky) for m in rep.feedback_examples)
    reps = (dataclasses.replace(rep, feedback_examples=examples),)
    paths = write_csv(dataclasses.replace(report, reps=reps), tmp_path)
    rows = _read(paths[2])
    assert len(rows) == len(examples)
    assert all(r["quote"] == tricky for r in rows)
    assert rows[0]["suggested_phrasing"] == examples[0].suggestion


@pytest.mark.parametrize("text", [*FORMULAS, "\tcmd", "\rcmd", "-1", "=1+1"])
def test_formula_triggers_are_neutralised(report, tmp_path, text):
    rep = dataclasses.replace(
        report.reps[0], name=text,
        attempts=tuple(dataclasses.replace(a, outcome=text) for a in report.reps[0].attempts),
    )
    paths = write_csv(dataclasses.replace(report, reps=(rep,)), tmp_path)
    reps = _read(paths[0])
    assert reps[0]["name"] == "'" + text
    sessions = _read(paths[1])
    assert {r["outcome"] for r in sessions} == {"'" + text}


def test_negative_numbers_we_computed_stay_numbers(report, tmp_path):
    rep = dataclasses.replace(report.reps[0], lift=-2.5)
    paths = write_csv(dataclasses.replace(report, reps=(rep,)), tmp_path)
    assert _read(paths[0])[0]["lift"] == "-2.5"


def test_plain_text_is_left_alone():
    assert csv_text("Amélie") == "Amélie"
    assert csv_text("a=b") == "a=b"  # only a leading trigger matters
    assert csv_text(None) == ""


def test_field_types():
    assert field(None) == ""
    assert field(True) == "true"
    assert field(3) == "3"
    assert field(72.33333) == "72.33"
    assert field(-2.5) == "-2.5"
    assert field("+1") == "'+1"


def test_empty_report_writes_header_only_files(report, tmp_path):
    empty = dataclasses.replace(report, reps=(), not_found=())
    for path in write_csv(empty, tmp_path):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            assert len(list(csv.reader(fh))) == 1


def test_rerun_replaces_and_leaves_no_temp_files(report, tmp_path):
    write_csv(report, tmp_path)
    write_csv(dataclasses.replace(report, reps=report.reps[:1]), tmp_path)
    assert len(_read(tmp_path / "reps.csv")) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "feedback.csv", "reps.csv", "sessions.csv",
    ]


def test_readme_documents_every_csv_column():
    from pathlib import Path

    from reporter.render.csv_export import FEEDBACK_COLUMNS, REPS_COLUMNS, SESSIONS_COLUMNS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("<!-- csv:start -->", 1)[1].split("<!-- csv:end -->", 1)[0]
    for column in (*REPS_COLUMNS, *SESSIONS_COLUMNS, *FEEDBACK_COLUMNS):
        assert column in section, f"README's CSV section lacks {column}"
