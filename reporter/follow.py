"""Last period's steps for this period's run: read from the previous run, or recomputed.

The fetch stage asks here, once per run, what each rep was told last month
(``cohort.steps``), and the answer goes into the snapshot (``previous_steps``), so a report
rendered again from the snapshot says the same. The previous month's run folder in the same
OUT is read first (what the reps were really told); without one, the steps are recomputed
from the previous month's cached details by the same analytics that drew that month's
reports (assignments as they stand now: the cache holds no past assignment). Neither way
spends a request, and the plan says which it was.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from reporter.analytics.follow_up import told_step
from reporter.analytics.program import build_run
from reporter.cohort.cache import DetailCache
from reporter.cohort.discover import Discovery
from reporter.cohort.selection import Period, previous_period
from reporter.cohort.snapshot import PeriodRecord, StepRecord
from reporter.cohort.steps import STEPS_JSON, cached_sessions, read_steps
from reporter.rundir import run_dir_for


def with_last_steps(disc: Discovery, cache: DetailCache,
                    out: Path | None) -> tuple[Discovery, str | None]:
    """The discovery with its header's ``previous_steps`` set (``last_steps``), and the
    plan's line about them."""
    steps, said = last_steps(disc, cache, out)
    header: Any = disc.header.model_copy(update={"previous_steps": steps})
    return replace(disc, header=header), said


def last_steps(disc: Discovery, cache: DetailCache,
               out: Path | None) -> tuple[list[StepRecord], str | None]:
    """The steps the selected reps were told last month, and the plan's line about them
    (None when the period is not a month: a date range has no "last month")."""
    header = disc.header
    if header.period is None:
        return [], None
    period = Period(header.period.label, header.period.start, header.period.end)
    before = previous_period(period)
    if before is None:
        return [], None
    if out is not None:
        earlier = header.model_copy(update={"period": PeriodRecord(
            label=before.label, start=before.start, end=before.end)})
        folder = run_dir_for(out, earlier)
        read = read_steps(folder)
        if read is not None:
            wanted = set(disc.users)
            steps = [s for s in read if s.user_id in wanted]
            return steps, (f"last month's steps: {len(steps)} read from "
                           f"{folder / STEPS_JSON} (no request)")
    steps, sessions = _recomputed(disc, cache, before)
    if not sessions:
        return [], (f"last month's steps: none (no run of {before.label} in the output "
                    "folder, and no cached session of it)")
    return steps, (f"last month's steps: {len(steps)} recomputed from {sessions} cached "
                   f"sessions of {before.label} (no request)")


def _recomputed(disc: Discovery, cache: DetailCache,
                before: Period) -> tuple[list[StepRecord], int]:
    """The steps last month's reports would have given, from its cached details."""
    header = disc.header
    scenario_ids = [p.scenario.id for p in header.scenarios]
    found = cached_sessions(cache, before.start, before.end, scenario_ids, disc.users)
    if not found:
        return [], 0
    earlier = header.model_copy(update={
        "period": PeriodRecord(label=before.label, start=before.start, end=before.end),
        "reps": [disc.rep_record(uid, sessions) for uid, sessions in found.items()]})
    report = build_run(earlier, generated_at=before.end)
    steps = [s for s in (told_step(rep, before.label) for rep in report.reps) if s]
    return ([s.model_copy(update={"source": "cache"}) for s in steps],
            sum(len(v) for v in found.values()))
