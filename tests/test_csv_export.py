"""The CSV files as an HR system (or Excel) reads them."""

from __future__ import annotations

import csv
import dataclasses
from datetime import datetime
from pathlib import Path

import pytest

from reporter.analytics.program import of_scenario
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
from tests import program_factory as pf
from tests.sample_views import FORMULAS, sample_report


def _write_csv(report: ReportView, out_dir: Path) -> list[Path]:
    """A single-scenario run's CSV: the one writer, given the program of its one scenario."""
    return write_csv(of_scenario(report), out_dir)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture
def report() -> ReportView:
    return sample_report()


@pytest.fixture
def files(report, tmp_path) -> dict[str, Path]:
    return {p.name: p for p in _write_csv(report, tmp_path)}


def test_writes_three_files_as_documented_bom_crlf_and_scenario_period_first(files):
    """docs/csv.md: UTF-8 with a byte-order mark, comma-separated, CRLF line endings, a header
    row, every file starting with ``scenario`` and ``period`` (so months concatenate). The
    columns themselves, in order, are checked against the published lists below. (This test
    compared each header with the constant the writer writes it from.)"""
    assert sorted(files) == ["feedback.csv", "reps.csv", "sessions.csv"]
    for name, path in files.items():
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), name
        text = raw.decode("utf-8-sig")
        assert text.endswith("\r\n"), name
        assert text.split("\r\n", 1)[0].startswith("scenario,period,"), name


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
    "assignment_best", "previous_step", "previous_step_result",
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
    assert amelie["top_focus_area"] == fmt_item(plan.next_step.criterion, plan.next_step.item)
    assert amelie["next_step"] == plan.step_text  # the words every output prints
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
    paths = _write_csv(dataclasses.replace(report, reps=reps), tmp_path)
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
    paths = _write_csv(dataclasses.replace(report, reps=(rep,)), tmp_path)
    reps = _read(paths[0])
    assert reps[0]["name"] == "'" + text
    sessions = _read(paths[1])
    assert {r["outcome"] for r in sessions} == {"'" + text}


def test_negative_numbers_we_computed_stay_numbers(report, tmp_path):
    rep = dataclasses.replace(report.reps[0], lift=-2.5)
    paths = _write_csv(dataclasses.replace(report, reps=(rep,)), tmp_path)
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
    for path in _write_csv(empty, tmp_path):
        with path.open(encoding="utf-8-sig", newline="") as fh:
            assert len(list(csv.reader(fh))) == 1


def test_rerun_replaces_and_leaves_no_temp_files(report, tmp_path):
    _write_csv(report, tmp_path)
    _write_csv(dataclasses.replace(report, reps=report.reps[:1]), tmp_path)
    assert len(_read(tmp_path / "reps.csv")) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "feedback.csv", "reps.csv", "sessions.csv",
    ]


def test_the_docs_document_every_csv_column():
    from pathlib import Path

    from reporter.render.csv_export import (
        SKILLS_COLUMNS,
    )

    page = (Path(__file__).resolve().parent.parent / "docs" / "csv.md").read_text(encoding="utf-8")
    section = page.split("<!-- csv:start -->", 1)[1].split("<!-- csv:end -->", 1)[0]
    for column in (*REPS_COLUMNS, *SESSIONS_COLUMNS, *FEEDBACK_COLUMNS, *SKILLS_COLUMNS):
        assert column in section, f"docs/csv.md lacks {column}"


# ---------------------------------------------------------------- a program's CSV

def _program(data: dict | None = None):
    from datetime import UTC

    from reporter.analytics.program import build_program
    from reporter.cohort.snapshot import parse_snapshot

    return build_program(parse_snapshot(data or pf.program_snapshot()),
                         generated_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC))


SKILLS_HEADER = [
    "program", "period", "user_id", "email", "name", "skill", "skill_name", "scenario_names",
    "tier", "score", "observations", "last_practised", "previous_tier", "previous_score",
    "change_vs_previous",
]


def test_a_programs_csv_keeps_the_published_columns_and_adds_skills(tmp_path):
    from reporter.render.csv_export import SKILLS_COLUMNS

    files = {p.name: p for p in write_csv(_program(), tmp_path)}
    assert list(files) == ["reps.csv", "sessions.csv", "feedback.csv", "skills.csv"]
    expected = {"reps.csv": REPS_HEADER, "sessions.csv": SESSIONS_HEADER,
                "feedback.csv": FEEDBACK_HEADER, "skills.csv": SKILLS_HEADER}
    for name, header in expected.items():
        assert files[name].read_bytes().startswith(b"\xef\xbb\xbf"), name
        with files[name].open(encoding="utf-8-sig", newline="") as fh:
            assert next(csv.reader(fh)) == header, name
    assert tuple(SKILLS_HEADER) == SKILLS_COLUMNS


def test_a_programs_reps_csv_has_a_row_per_rep_per_scenario(tmp_path):

    data = pf.program_snapshot()
    report = _program(data)
    write_csv(report, tmp_path)
    rows = _read(tmp_path / "reps.csv")
    # From the snapshot: a rep has a row in each scenario they practised or are assigned.
    want = []
    for part in data["scenarios"]:
        sid = part["scenario"]["id"]
        for rep in sorted(data["reps"], key=lambda r: r["user"]["first_name"]):
            scores = [s["score"] for s in rep["sessions"] if s["scenario"]["id"] == sid]
            if scores or any(a["scenario"]["id"] == sid for a in rep["assignments"]):
                want.append((part["scenario"]["slug"], rep["user"]["email"],
                             str(len(scores)), str(float(max(scores))) if scores else ""))
    assert [(r["scenario"], r["email"], r["sessions"], r["best_score"]) for r in rows] == want
    assert {r["period"] for r in rows} == {"2026-10"}
    ben_cd = next(r for r in rows if r["email"] == "ben@example.com"
                  and r["scenario"] == "competitive-displacement")
    assert (ben_cd["assignment_status"], ben_cd["past_due"], ben_cd["best_score"]) == (
        "past_due", "true", "")
    sessions = _read(tmp_path / "sessions.csv")
    assert len(sessions) == sum(len(r["sessions"]) for r in data["reps"])
    by_id = {s["id"]: s for r in data["reps"] for s in r["sessions"]}
    assert all(row["scenario"] == by_id[row["session_id"]]["scenario"]["slug"]
               for row in sessions)


def test_skills_csv_has_a_row_per_rep_per_skill_as_exec_gave_it(tmp_path):

    data = pf.program_snapshot()
    write_csv(_program(data), tmp_path)
    rows = _read(tmp_path / "skills.csv")
    assert len(rows) == len(data["reps"]) * len(data["skills"])
    for row in rows:
        skill = next(s for s in data["skills"] if s["skill"]["slug"] == row["skill"])
        entry = next((e for e in skill["proficiency"] if e["user"]["id"] == row["user_id"]),
                     None)
        assert row["program"] == "core-sales-conversations" and row["period"] == "2026-10"
        assert row["skill_name"] == skill["skill"]["name"]
        assert row["tier"] == (entry["tier"] if entry else "")
        assert row["observations"] == str(entry["observation_count"] if entry else 0)
        score = entry["score"] if entry else None
        assert row["score"] == ("" if score is None else field(score))
    ada = {r["skill"]: r for r in rows if r["email"] == "ada@example.com"}
    dq = ada["discovery-questions"]
    assert (dq["tier"], dq["score"], dq["previous_tier"], dq["previous_score"],
            dq["change_vs_previous"]) == ("proficient", "78.4", "developing", "71.0", "7.4")
    assert dq["scenario_names"] == "Procurement Discovery; Objection Handling"
    assert datetime.fromisoformat(dq["last_practised"]).isoformat().startswith("2026-10-20")
    # Too little data is said in the tier and leaves the score empty, never 0.
    assert ada["objection-handling"]["tier"] == "insufficient_data"
    assert ada["objection-handling"]["score"] == ""


def test_a_programs_hostile_text_is_neutralised(tmp_path):
    import copy


    data = copy.deepcopy(pf.program_snapshot())
    data["reps"][0]["user"]["first_name"] = FORMULAS[0]
    data["reps"][0]["user"]["last_name"] = None
    data["skills"][0]["skill"]["name"] = FORMULAS[3]
    write_csv(_program(data), tmp_path)
    for name in ("reps.csv", "sessions.csv", "skills.csv"):
        names = {r["name"] for r in _read(tmp_path / name)}
        assert "'" + FORMULAS[0] in names and FORMULAS[0] not in names, name
    skills = {r["skill_name"] for r in _read(tmp_path / "skills.csv")}
    assert skills >= {"'" + FORMULAS[3]}
