"""A run's tables: the cohort workbook, the CSVs and each team's workbook, with checksums;
a scenario's or a program's, by the one :func:`write_tables`.

Written while the render pool draws what is left of the PDFs. openpyxl is imported only when
a table is written, so that importing the flow (``reporter.pipeline``) stays light.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, TypeVar

from reporter.analytics.localized import RunViews, as_views
from reporter.analytics.program import team_report
from reporter.files import sha256_file
from reporter.i18n import use
from reporter.names import SNAPSHOT, TEAM_XLSX
from reporter.render.pool import RenderedPdf
from reporter.views import Manager, ProgramReportView

#: The cohort (or program) workbook's name in the run folder.
COHORT_XLSX = "cohort.xlsx"


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


class _Member(Protocol):
    @property
    def user_id(self) -> str: ...


class Team(Protocol):
    """What a team's workbook needs of a team (``TeamView``): its name, group, manager and
    reps."""

    @property
    def name(self) -> str: ...
    @property
    def group(self) -> str | None: ...
    @property
    def manager(self) -> Manager | None: ...
    @property
    def reps(self) -> Sequence[_Member]: ...


T = TypeVar("T", bound=Team)


def write_tables(stage: Path, given: RunViews | ProgramReportView, pdfs: list[RenderedPdf],
                 teams: Sequence[tuple[Team, Path]], *, xlsx: bool, csv: bool) -> Tables:
    """The workbook (``cohort.xlsx``), the CSVs and each managed team's ``team.xlsx`` beside
    its PDF, next to the PDFs and the snapshot in the staging folder ``stage``; each links the
    rep PDFs in ``pdfs`` (drawn, so no link is broken), a rep's rows their one PDF. A
    single-scenario run's report is the program of its one scenario (``of_scenario``).

    The CSVs are in their fixed language (``languages.CSV``), the cohort workbook in the
    configured one, a team's in its manager's."""
    views = as_views(given)
    def write_csv() -> list[Path]:
        from reporter.render.csv_export import write_csv

        with use(views.csv.language):
            return write_csv(views.csv, stage)

    def write_book(team: Team | None, path: Path, links: Mapping[str, str]) -> None:
        from reporter.render.workbook import write_workbook

        report = views.default if team is None else views.manager(
            team.manager.language if team.manager else None)
        narrowed = report if team is None else team_report(
            report, [r.user_id for r in team.reps], name=team.name, group=team.group)
        with use(report.language):
            write_workbook(narrowed, path, pdf_paths=links)

    return _write(stage, pdfs, teams, write_csv if csv else None,
                  write_book if xlsx else None)


def _write(stage: Path, pdfs: list[RenderedPdf], teams: Sequence[tuple[T, Path]],
           write_csv: Callable[[], list[Path]] | None,
           write_book: Callable[[T | None, Path, Mapping[str, str]], None] | None) -> Tables:
    """The CSV (``write_csv``), the workbook (``write_book(None, ...)``) and each managed
    team's workbook (``write_book(team, ...)``), in the order the manifest lists them."""
    files: list[Path] = [stage / SNAPSHOT]  # written already, as the reps arrived
    if write_csv is not None:
        files.extend(write_csv())
    if write_book is None:
        return Tables(files, {}, {})
    write_book(None, stage / COHORT_XLSX, {p.slug: f"reps/{p.path.name}" for p in pdfs})
    files.insert(1, stage / COHORT_XLSX)
    # Each file's checksum, read once: the manifest lists it, and a team's entry repeats it.
    sums: dict[Path, str] = {}
    team_xlsx: dict[Path, Path] = {}
    team_links = {p.slug: f"../../reps/{p.path.name}" for p in pdfs}
    for team, pdf_path in teams:
        if team.manager is None:
            continue  # the whole selection's team.pdf: no manager, no workbook of its own
        book = team_xlsx[pdf_path] = pdf_path.with_name(TEAM_XLSX)
        write_book(team, book, team_links)
        files.append(book)
        sums[book] = sha256_file(book)
    return Tables(files, team_xlsx, sums)
