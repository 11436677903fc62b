"""A run's tables: the cohort workbook, the CSVs and each team's workbook, with checksums.

Written while the render pool draws what is left of the PDFs. openpyxl is imported only when
a table is written, so that importing the flow (``reporter.pipeline``) stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reporter.analytics.team import team_report
from reporter.files import sha256_file
from reporter.names import SNAPSHOT, TEAM_XLSX
from reporter.render.pool import RenderedPdf
from reporter.views import ReportView, TeamView


@dataclass(frozen=True)
class Tables:
    """The snapshot, workbooks and CSV of a run, with the checksums already read."""

    files: list[Path]
    team_xlsx: dict[Path, Path]  # a team's PDF path -> the team's workbook
    sums: dict[Path, str]


def load_writers(*, xlsx: bool, csv: bool) -> None:
    """Import the writers a run will use (openpyxl takes a good part of a second), so that a
    caller can pay for it while the pool is still drawing, not after the last PDF."""
    if xlsx:
        import reporter.render.workbook  # noqa: F401
    if csv:
        import reporter.render.csv_export  # noqa: F401


def write_tables(stage: Path, report: ReportView, pdfs: list[RenderedPdf],
                 teams: list[tuple[TeamView, Path]], *, xlsx: bool, csv: bool) -> Tables:
    """The workbook, CSV and team workbooks next to the PDFs and the snapshot in the staging
    folder ``stage``; each links the rep PDFs in ``pdfs`` (drawn, so no link is broken)."""
    files: list[Path] = [stage / SNAPSHOT]  # written already, as the reps arrived
    if csv:
        from reporter.render.csv_export import write_csv

        files.extend(write_csv(report, stage))
    if not xlsx:
        return Tables(files, {}, {})
    from reporter.render.workbook import write_workbook

    write_workbook(report, stage / "cohort.xlsx",
                   pdf_paths={p.slug: f"reps/{p.path.name}" for p in pdfs})
    files.insert(1, stage / "cohort.xlsx")
    # Each file's checksum, read once: the manifest lists it, and a team's entry repeats it.
    sums: dict[Path, str] = {}
    team_xlsx: dict[Path, Path] = {}
    team_links = {p.slug: f"../../reps/{p.path.name}" for p in pdfs}
    for team, pdf_path in teams:
        if team.manager is None:
            continue  # the whole selection's team.pdf: no manager, no workbook of its own
        book = team_xlsx[pdf_path] = pdf_path.with_name(TEAM_XLSX)
        write_workbook(team_report(report, team), book, pdf_paths=team_links)
        files.append(book)
        sums[book] = sha256_file(book)
    return Tables(files, team_xlsx, sums)
