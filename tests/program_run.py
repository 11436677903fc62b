"""Run folders for delivery tests, written the way a run writes them: under ``OUT`` where
``run_dir_for`` puts them, through ``RunFolder`` (so a rerun keeps the send record), with the
snapshot, one small real PDF per rep and the manifest from ``write_run_manifest``. No
rendering: the PDFs' bytes are tiny, and the mailer only attaches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reporter import analytics
from reporter.analytics.program import build_program, of_scenario
from reporter.analytics.team import scenario_team, team_members
from reporter.cohort.snapshot import Snapshot, write_snapshot
from reporter.deliver.manifest import (
    TeamLike,
    write_run_manifest,
)
from reporter.files import folder_lock
from reporter.names import REPS_DIR, SNAPSHOT, TEAM_PDF, TEAMS_DIR
from reporter.render.pool import RenderedPdf
from reporter.render.tables import Tables
from reporter.rundir import RunFolder, run_dir_for
from reporter.views import Manager, ProgramRepView

GENERATED = datetime(2026, 11, 2, 7, 0, tzinfo=UTC)
MANAGERS = {"East": Manager("Dana Whitfield", "dana@acme.example"),
            "West": Manager("Marcus Osei", "marcus@acme.example")}


@dataclass(frozen=True)
class ProgramTeam:
    """A program's team as the manifest reads it (``TeamLike``): its group and manager, its
    reps, and those who need attention."""

    name: str
    slug: str
    manager: Manager | None
    reps: tuple[ProgramRepView, ...]
    needs_attention: tuple[ProgramRepView, ...]


def _pdf(path: Path, slug: str, email: str, words: str, *, empty: bool = False) -> RenderedPdf:
    payload = b"%PDF-1.7\n% " + words.encode() + b"\n%%EOF\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    return RenderedPdf(slug=slug, email=email, path=path, pages=2,
                       sha256=hashlib.sha256(payload).hexdigest(), empty=empty)


def _teams(stage: Path, reps: Sequence[ProgramRepView] | None, scenario: Snapshot | None,
           by_team: bool) -> list[tuple[TeamLike, Path, RenderedPdf | None]]:
    out: list[tuple[TeamLike, Path, RenderedPdf | None]] = []
    if not by_team:
        return out
    for group, manager in MANAGERS.items():
        slug = group.lower()
        path = stage / TEAMS_DIR / slug / TEAM_PDF
        team: TeamLike
        if reps is not None:
            members = tuple(r for r in reps if group in r.groups)
            team = ProgramTeam(group, slug, manager, members,
                               tuple(r for r in members if r.attention))
        else:
            assert scenario is not None
            report = analytics.build_report(scenario, generated_at=GENERATED)
            members_ = team_members(report.reps, group)
            if not members_:
                continue
            team = scenario_team(members_, name=group, slug=slug, group=group,
                                 manager=manager)
        out.append((team, path, _pdf(path, f"team-{slug}", manager.email, group)))
    return out


def write_program_run(out: Path, snapshot: Snapshot, *, by_team: bool = False) -> Path:
    """The program's run folder (``OUT/<program>/<period>``), replaced whole when it exists."""
    final = run_dir_for(out, snapshot)
    report = build_program(snapshot, generated_at=GENERATED)
    with folder_lock(final):
        folder = RunFolder(final)
        write_snapshot(snapshot, folder.stage / SNAPSHOT)
        pdfs = [_pdf(folder.stage / REPS_DIR / f"{r.slug}.pdf", r.slug, r.email, r.email,
                     empty=not r.has_valid_attempt) for r in report.reps]
        teams = _teams(folder.stage, report.reps, None, by_team)
        write_run_manifest(folder.stage, folder.sent, snapshot, report, pdfs, [], [], 1.0,
                           Tables([], {}, {}), teams)
        folder.commit()
    return final


def write_scenario_run(out: Path, snapshot: Snapshot, *, by_team: bool = False) -> Path:
    """One scenario's run folder (``OUT/<scenario>/<period>``), the same way."""
    final = run_dir_for(out, snapshot)
    report = analytics.build_report(snapshot, generated_at=GENERATED)
    with folder_lock(final):
        folder = RunFolder(final)
        write_snapshot(snapshot, folder.stage / SNAPSHOT)
        pdfs = [_pdf(folder.stage / REPS_DIR / f"{r.slug}.pdf", r.slug, r.email, r.email,
                     empty=not r.has_valid_attempt) for r in report.reps]
        teams = _teams(folder.stage, None, snapshot, by_team)
        write_run_manifest(folder.stage, folder.sent, snapshot, of_scenario(report), pdfs, [],
                           [], 1.0, Tables([], {}, {}), teams)
        folder.commit()
    return final
