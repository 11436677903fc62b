"""The report's period, as people read it: one definition for the verdict's sentences, the
report header and the emails."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from reporter.analytics.figures import period_title, text, utc
from reporter.cohort.snapshot import Snapshot
from reporter.views import PeriodInfo, RepView


def report_period(snapshot: Snapshot, reps: Sequence[RepView] = (),
                  generated_at: datetime | None = None) -> PeriodInfo:
    """The snapshot's period; when missing, the span of the reps' sessions (else the
    generation time), labelled "YYYY-MM-DD to YYYY-MM-DD". Finished: it ended before the
    report was generated (a rep with no attempt "in October 2026", not "yet")."""
    generated = utc(generated_at) if generated_at else datetime.now(UTC)
    times = [a.created_at for r in reps for a in r.attempts]
    if snapshot.period is not None:
        start, end = utc(snapshot.period.start), utc(snapshot.period.end)
        label = text(snapshot.period.label)
    else:
        start, end = min(times, default=generated), max(times, default=generated)
        label = None
    label = label or f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    return PeriodInfo(label=label, start=start, end=end, title=period_title(label, start, end),
                      finished=end <= generated)
