"""A run's tables written together: the program's workbook, CSVs and team workbooks."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from reporter.analytics.program import build_program
from reporter.files import sha256_file
from reporter.render.pool import RenderedPdf
from reporter.render.tables import write_tables
from reporter.views import Manager, ProgramReportView, ProgramRepView
from tests import program_factory as pf


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
