"""The analytics of a run folder rebuilt for its emails: the report as the run drew it, from
the folder's snapshot, at the moment the run was generated."""

from __future__ import annotations

from pathlib import Path

from reporter.analytics import build_report
from reporter.analytics.program import build_program, of_scenario
from reporter.cohort.snapshot import ProgramSnapshot, read_any_snapshot
from reporter.deliver.manifest import (
    Manifest,
)
from reporter.names import SNAPSHOT
from reporter.views import ProgramReportView


def run_report(run_dir: Path, manifest: Manifest) -> ProgramReportView:
    """The report as the run drew it: its snapshot (a scenario's or a program's), at the
    moment the run was generated (what "practised N days ago" counts from), not at the
    moment of mailing. The messages of the folder are built from it; a scenario's is the
    program of its one scenario (``of_scenario``), as the run wrote its tables from."""
    snapshot = read_any_snapshot(Path(run_dir) / SNAPSHOT)
    if isinstance(snapshot, ProgramSnapshot):
        return build_program(snapshot, generated_at=manifest.generated_at)
    return of_scenario(build_report(snapshot, generated_at=manifest.generated_at),
                       snapshot.previous_steps)
