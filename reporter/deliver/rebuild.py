"""The analytics of a run folder rebuilt for its emails: the report as the run drew it, from
the folder's snapshot, at the moment the run was generated."""

from __future__ import annotations

from pathlib import Path

from reporter.analytics.localized import RunViews, build_views
from reporter.cohort.snapshot import read_snapshot
from reporter.deliver.manifest import (
    Manifest,
)
from reporter.languages import OutputLanguages
from reporter.names import SNAPSHOT


def run_views(run_dir: Path, manifest: Manifest) -> RunViews:
    """The run's views in each of its languages, as its manifest records them
    (``OutputLanguages.from_json``): each rep's email in the language of their PDF, each
    digest in its manager's, as the run wrote them."""
    return build_views(read_snapshot(Path(run_dir) / SNAPSHOT),
                       OutputLanguages.from_json(manifest.run.get("languages")),
                       generated_at=manifest.generated_at)
