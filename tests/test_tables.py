"""A run's tables written together: the program's workbook, CSVs and team workbooks."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path

import openpyxl
import pytest

from reporter import analytics as an
from reporter.analytics.program import build_program, of_scenario
from reporter.cohort.snapshot import parse_snapshot, read_snapshot
from reporter.exec_api import ExecClient
from reporter.files import sha256_file
from reporter.render.pool import RenderedPdf
from reporter.render.tables import write_tables
from reporter.views import Manager, ProgramReportView, ProgramRepView
from tests import program_factory as pf
from tests import snapshot_factory as f
from tests.support import fetch_seeded, invoke, mirrored_rows, read_csv


@dataclass(frozen=True)
class _Team:
    """A managed team as the team report's views give it: its name, group, manager, reps."""

    name: str
    group: str | None
    manager: Manager | None
    reps: tuple[ProgramRepView, ...]


def _report() -> ProgramReportView:
    return build_program(pf.program(), generated_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC))


def _pdfs(report: ProgramReportView, stage: Path) -> list[RenderedPdf]:
    return [RenderedPdf(slug=r.slug, email=r.email, path=stage / "reps" / f"{r.slug}.pdf",
                        pages=2, sha256="0" * 64, empty=False) for r in report.reps]


def test_a_program_runs_tables_with_a_teams_workbook(tmp_path):
    report = _report()
    pdfs = _pdfs(report, tmp_path)
    east = _Team("East", "East", Manager("Mo Reyes", "mo@example.com"),
                 tuple(r for r in report.reps if "East" in r.groups))
    whole = _Team("All selected reps", None, None, report.reps)
    (tmp_path / "teams" / "east").mkdir(parents=True)
    east_pdf = tmp_path / "teams" / "east" / "team.pdf"
    tables = write_tables(tmp_path, report, pdfs,
                                  [(whole, tmp_path / "team.pdf"), (east, east_pdf)],
                                  xlsx=True, csv=True)
    assert [p.relative_to(tmp_path).as_posix() for p in tables.files] == [
        "snapshot.json", "cohort.xlsx", "reps.csv", "sessions.csv", "feedback.csv",
        "skills.csv", "teams/east/team.xlsx"]
    book = tmp_path / "teams" / "east" / "team.xlsx"
    assert tables.team_xlsx == {east_pdf: book}
    assert tables.sums == {book: sha256_file(book)}

    cohort = openpyxl.load_workbook(tmp_path / "cohort.xlsx")
    assert {r[0] for r in cohort["Scenarios"].iter_rows(min_row=2, values_only=True)} == {
        "Ada Lovelace", "Ben Okafor", "Cy Young"}
    link = cohort["Scenarios"].cell(row=2, column=cohort["Scenarios"].max_column)
    assert link.hyperlink.target == f"reps/{pdfs[0].path.name}"
    # The team's workbook: its reps only, in every sheet.
    team = openpyxl.load_workbook(book)
    scenarios = list(team["Scenarios"].iter_rows(min_row=2, values_only=True))
    assert {r[0] for r in scenarios} == {"Ada Lovelace", "Ben Okafor"} and len(scenarios) == 6
    assert {r[0] for r in team["Skills"].iter_rows(min_row=2, values_only=True)} == {
        "Ada Lovelace", "Ben Okafor"}
    assert {r[0] for r in team["Needs attention"].iter_rows(min_row=2, values_only=True)} == {
        "Ada Lovelace", "Ben Okafor"}
    assert {r[1] for r in team["Reps"].iter_rows(min_row=2, values_only=True)} == {
        "Procurement Discovery", "Objection Handling", "Competitive Displacement"}
    about = {r[0]: r[1] for r in team["About"].iter_rows(values_only=True) if r and r[0]}
    assert about["Selection"] == "group East"
    with (tmp_path / "skills.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert len(list(csv.DictReader(fh))) == 9


def test_without_xlsx_only_the_csv_and_without_csv_only_the_workbook(tmp_path):
    report = _report()
    pdfs = _pdfs(report, tmp_path)
    (tmp_path / "a").mkdir()
    only_csv = write_tables(tmp_path / "a", report, pdfs, [], xlsx=False, csv=True)
    assert [p.name for p in only_csv.files] == [
        "snapshot.json", "reps.csv", "sessions.csv", "feedback.csv", "skills.csv"]
    (tmp_path / "b").mkdir()
    only_book = write_tables(tmp_path / "b", report, pdfs, [], xlsx=True, csv=False)
    assert [p.name for p in only_book.files] == ["snapshot.json", "cohort.xlsx"]
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["cohort.xlsx"]


# ------------------------------------------------------------- the workbook and the CSV reconcile
#
# Issue 32, 6: an HR file read beside another says the same. Every sheet that mirrors a CSV
# holds its rows (MIRRORED), on a built snapshot with the edge cases, on the demo (test_demo)
# and on a second workspace (seed 11, 45 reps, November 2026); every count says whose and
# which sessions; About's times are in order; the period's end is its last day; unknown is
# an empty field, never "false".

#: The workspaces nobody tuned to (besides the demo's): seed, reps, the sandbox's today, month.
OTHERS = {"seed11": (11, 45, date(2026, 12, 1), "2026-11"),
          "seed42": (42, 40, date(2026, 12, 1), "2026-11")}
GENERATED = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)


def _tables(folder: Path, report: ProgramReportView) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_tables(folder, report, _pdfs(report, folder), [], xlsx=True, csv=True)
    return folder


def _same_rows(folder: Path, sheets: set[str]) -> dict[str, int]:
    """Each mirrored sheet's rows equal its CSV's, in order; sheet -> how many."""
    mirrored = mirrored_rows(folder)
    assert set(mirrored) == sheets
    for title, (sheet, from_csv) in mirrored.items():
        assert sheet == from_csv, title
    return {title: len(sheet) for title, (sheet, _) in mirrored.items()}


def _about(folder: Path) -> dict[str, object]:
    book = openpyxl.load_workbook(folder / "cohort.xlsx")
    return {r[0]: r[1] for r in book["About"].iter_rows(values_only=True) if r and r[0]}


def _overview(folder: Path) -> dict[str, tuple[object, ...]]:
    book = openpyxl.load_workbook(folder / "cohort.xlsx")
    return {r[0]: r[1:] for r in book["Overview"].iter_rows(values_only=True) if r and r[0]}


def test_the_feedback_sheet_and_feedback_csv_hold_the_same_rows_whatever_exec_repeats(
        tmp_path):
    """An example Exec lists twice under one item (word for word, or with another salience)
    is one row in both files; an example without a quote is in neither; an invalid session's
    examples and the same words in another session at the same moment are rows of their own."""
    ada = f.user("Ada", "Lovelace", "ada@example.com", id="u-ada")
    ask = f.example("What does your approval process look like?")
    budget = f.example("We can talk price later.", grade="bad", suggestion="What budget?",
                       feedback="Jumped past the budget.")
    quoteless = f.example("", feedback="Listen before you pitch.")
    evals = [f.criterion("Discovery",
                         f.item("Open questions", "good", examples=[
                             ask, dict(ask), {**ask, "salience": "mid"}, quoteless]),
                         f.item("Budget", "bad", examples=[budget]))]
    sessions = [
        f.session(82.0, f.at(3), who=ada, id="s-valid", evaluations=evals),
        f.session(82.0, f.at(3), who=ada, id="s-same-moment",
                  evaluations=[f.criterion("Discovery", f.item("Open questions", "good",
                                                               examples=[ask]))]),
        f.session(None, f.at(4), who=ada, id="s-invalid", valid=False,
                  evaluations=[f.criterion("Discovery", f.item("Open questions", "mid",
                                                               examples=[budget]))]),
    ]
    bob = f.user("Bob", "Singh", "bob@example.com", id="u-bob")
    snapshot = parse_snapshot(f.snapshot([f.rep(ada, sessions), f.rep(bob, [])]))
    report = of_scenario(an.build_report(snapshot, generated_at=GENERATED))
    folder = _tables(tmp_path / "run", report)
    counts = _same_rows(folder, {"Feedback", "Sessions", "Reps"})
    assert counts == {"Feedback": 4, "Sessions": 3, "Reps": 2}
    rows = read_csv(folder / "feedback.csv")
    assert [(r["session_id"], r["item"], r["quote"]) for r in rows] == [
        ("s-valid", "Open questions", ask["quote"]), ("s-valid", "Budget", budget["quote"]),
        ("s-same-moment", "Open questions", ask["quote"]),
        ("s-invalid", "Open questions", budget["quote"])]
    assert "hold the same rows" in str(_about(folder)["Sheets and CSV files"])


def test_a_programs_sheets_and_csv_files_hold_the_same_rows(tmp_path):
    folder = _tables(tmp_path / "run", _report())
    counts = _same_rows(folder, {"Feedback", "Sessions", "Reps", "Skills"})
    assert counts["Skills"] == 9 and counts["Reps"] > 0 and counts["Sessions"] > 0


@pytest.fixture(scope="module", params=list(OTHERS))
def seed11(request, tmp_path_factory) -> dict[str, Path]:
    """Another workspace's tables (seed 11, then seed 42), as a scenario's run and as its main
    collection's program run write them: kind -> the run folder."""
    folder = tmp_path_factory.mktemp(request.param)
    workspace = OTHERS[request.param]
    scenario = read_snapshot(fetch_seeded(folder, *workspace))
    program = read_snapshot(fetch_seeded(folder, *workspace, program=True))
    # Generated when the data is in, as a run on the sandbox's fixed clock is.
    return {
        "scenario": _tables(folder / "scenario", of_scenario(an.build_report(
            scenario, generated_at=scenario.fetch.fetched_at))),
        "program": _tables(folder / "program", build_program(
            program, generated_at=program.fetch.fetched_at)),
    }


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["scenario", "program"])
def test_a_second_workspaces_files_reconcile(seed11, kind):
    folder = seed11[kind]
    _same_rows(folder, {"Feedback", "Sessions", "Reps"} | ({"Skills"} if kind == "program"
                                                            else set()))
    about = _about(folder)
    assert about["Data fetched at (UTC)"] <= about["Generated at (UTC)"]
    assert about["Period end (UTC, inclusive)"] == datetime(2026, 11, 30)
    assert "Period end (UTC)" not in about
    # No best in either month: not "false" (not new), not "true": unknown, an empty field.
    reps = read_csv(folder / "reps.csv")
    neither = [r for r in reps if not r["best_score"] and not r["previous_best"]]
    assert neither and {r["is_new"] for r in neither} == {""}
    assert {r["is_new"] for r in reps if r["best_score"] and not r["previous_best"]} == {"true"}
    # A flag read from Exec's status is empty without one.
    assert all(r["target_met"] == r["past_due"] == "" for r in reps
               if not r["assignment_status"])


@pytest.mark.slow
def test_a_second_workspaces_overview_counts_say_which_sessions(seed11):
    """Each count of the Overview is labelled with whose sessions and which: these reps'
    sessions valid or not (sessions.csv's rows), their valid attempts beside Exec's count of
    everyone's valid attempts, and their minutes both ways."""
    folder = seed11["scenario"]
    rows = _overview(folder)
    sessions = read_csv(folder / "sessions.csv")
    valid = [s for s in sessions if s["is_valid"] == "true"]
    assert len(valid) < len(sessions)
    assert rows["Sessions, valid or not"][:3] == (len(sessions), None, None)
    assert rows["Valid attempts"][0] == len(valid)
    assert rows["Valid attempts"][1] == rows["Valid attempts"][2]  # Exec's, recounted
    assert rows["Practice minutes, every session"][0] == pytest.approx(
        sum(float(s["duration_minutes"]) for s in sessions if s["duration_minutes"]), abs=0.1)
    assert rows["Practice minutes, valid attempts"][0] == pytest.approx(
        sum(float(s["duration_minutes"]) for s in valid if s["duration_minutes"]), abs=0.1)
    reps = read_csv(folder / "reps.csv")
    assert rows["Reps selected"][:3] == (len(reps), None, None)
    assert rows["Reps with a valid attempt"][0] == sum(1 for r in reps
                                                       if r["valid_attempts"] != "0")
    assert not {"Reps", "Sessions", "Practice minutes"} & set(rows)


def test_about_lists_the_data_before_the_moment_the_run_was_generated(
        env, scenario, tmp_path, monkeypatch):
    """Issue 32, 6: on a clock that moves (a minute each time the run reads it), the data's
    moment (the run's first request) comes before the run's generated moment (read after its
    discovery), never after the last detail's arrival."""
    ticks = (datetime(2026, 11, 15, 6, tzinfo=UTC) + timedelta(minutes=i) for i in count())
    monkeypatch.setattr(ExecClient, "now", lambda self: next(ticks))
    out = tmp_path / "out"
    result = invoke("run", scenario.slug, "--month", "2026-10", "--out", out, "--no-pdf")
    assert result.exit_code == 0, result.output
    about = _about(out / scenario.slug / "2026-10")
    assert about["Data fetched at (UTC)"] < about["Generated at (UTC)"]
