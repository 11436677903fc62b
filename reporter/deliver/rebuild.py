"""The analytics of a run folder rebuilt for its emails: the report as the run drew it, from
the folder's snapshot, at the moment the run was generated."""

from __future__ import annotations

from pathlib import Path

from reporter.analytics.localized import RunViews, build_views
from reporter.analytics.program import build_run
from reporter.cohort.snapshot import read_snapshot
from reporter.deliver.manifest import (
    Manifest,
)
from reporter.languages import OutputLanguages
from reporter.names import SNAPSHOT
from reporter.views import ProgramReportView


def run_views(run_dir: Path, manifest: Manifest) -> RunViews:
    """The run's views in each of its languages, as its manifest records them
    (``OutputLanguages.from_json``): each rep's email in the language of their PDF, each
    digest in its manager's, as the run wrote them."""
    return build_views(read_snapshot(Path(run_dir) / SNAPSHOT),
                       OutputLanguages.from_json(manifest.run.get("languages")),
                       generated_at=manifest.generated_at)


def run_report(run_dir: Path, manifest: Manifest) -> ProgramReportView:
    """The report as the run drew it: its snapshot (a scenario's or a program's), at the
    moment the run was generated (what "practised N days ago" counts from), not at the
    moment of mailing. The messages of the folder are built from it; a scenario's is the
    program of its one scenario (``build_run``), as the run wrote its tables from."""
    return build_run(read_snapshot(Path(run_dir) / SNAPSHOT), generated_at=manifest.generated_at)
