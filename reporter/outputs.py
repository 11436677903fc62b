"""What a run writes into its run folder, once it has the report: the render pool drawing the
PDFs (team reports first), the workbooks and CSV while the pool draws, the manifest, and the
swap. Both kinds of run go through it: a scenario's and a program's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from reporter.analytics.follow_up import told_step
from reporter.analytics.localized import RunViews
from reporter.analytics.team import GroupInfo, resolve_teams
from reporter.cohort.snapshot import Snapshot, fetch_failures
from reporter.cohort.steps import write_steps
from reporter.console import Console
from reporter.deliver.manifest import write_run_manifest
from reporter.languages import OutputLanguages, resolve
from reporter.outcome import RunOutcome
from reporter.render.pool import Renders
from reporter.render.tables import load_writers, write_tables
from reporter.rundir import RunFolder, held
from reporter.settings import RenderSettings
from reporter.views import Manager, ProgramReportView


def teams_of(snapshot: Snapshot, settings: RenderSettings) -> list[tuple[GroupInfo, Manager]]:
    """The [teams] of a --by-team run, matched to the workspace's groups (an older snapshot
    without them: the groups its reps are in, by name); a group that is not there stops."""
    if not settings.by_team:
        return []
    groups = [GroupInfo(g.id, g.name or g.id) for g in snapshot.groups]
    if not groups:
        groups = [GroupInfo(n, n) for n in sorted({g for r in snapshot.reps for g in r.groups})]
    return resolve_teams(settings.teams, groups)


def languages_of(snapshot: Snapshot, settings: RenderSettings,
                 console: Console) -> OutputLanguages:
    """The run's languages (``reporter.languages``) from its snapshot (the roster's column,
    the scenarios' languages) and settings (the configured language, ``[teams]``)."""
    return resolve(configured=settings.pdf_options.language,
                   roster=snapshot.selection.languages,
                   teams=[(spec.group, spec.manager.language) for spec in settings.teams],
                   scenario_languages=[p.scenario.language for p in snapshot.scenarios],
                   warn=console.warn)


def renders_for(headers: Mapping[str, ProgramReportView],
                teams: list[tuple[GroupInfo, Manager]],
                settings: RenderSettings) -> Callable[[Path], Renders]:
    """The render pool of a run, once its staging folder exists (``headers``: the run's
    report in each language, or while a run still fetches, its header without reps)."""
    return lambda stage: Renders(stage, headers, teams,
                                 settings.pdf_options if settings.pdf else None,
                                 jobs=settings.jobs, skip_empty=settings.skip_empty)


@contextmanager
def drawing(make: Callable[[Path], Renders], folder: RunFolder) -> Iterator[Renders]:
    """The render pool drawing into the staging folder; it stops on any failure."""
    renders = make(folder.stage)
    try:
        yield renders
    except BaseException:
        renders.close(cancel=True)
        raise


@contextmanager
def staged(final: Path, make: Callable[[Path], Renders]) -> Iterator[tuple[RunFolder, Renders]]:
    """The run folder held, its staging folder and the render pool."""
    with held(final) as folder, drawing(make, folder) as renders:
        yield folder, renders


def finish(folder: RunFolder, snapshot: Snapshot, views: RunViews,
           renders: Renders, settings: RenderSettings,
           console: Console, started: float) -> RunOutcome:
    """Collect the PDFs, write the snapshot, workbook, CSV and manifest, swap the folder in
(``report``: a single-scenario run's is the program of its one scenario, ``of_scenario``);
    a rep whose report failed keeps their previous one (``RunFolder.keep_previous_reports``).

    The team reports are submitted already (the caller did, as soon as it had the report);
    the workbooks are written while the pool draws what is left, so they add nothing to its
    end on a machine with a CPU to spare.
    """
    report = views.default
    unread = fetch_failures(snapshot)
    if not report.reps:
        for address, reason in unread:
            console.warn(f"{address}: {reason}")
    folder.check_replaces([r.email for r in report.reps],
                          [nf.reason for nf in report.not_found], len(unread),
                          force=settings.force)
    load_writers(xlsx=settings.xlsx, csv=settings.csv)  # while the pool still draws
    pdfs, failed = renders.collect(console)
    team_paths = [(team, path) for team, path, _ in renders.team_futures]
    tables = write_tables(folder.stage, views, pdfs, team_paths,
                          xlsx=settings.xlsx, csv=settings.csv)
    teams, team_failed = renders.collect_teams(console)
    kept = folder.keep_previous_reports({email for email, _ in unread + failed})
    copies = [path for _, path in kept]
    told = [s for s in (told_step(rep, report.period.label) for rep in report.reps) if s]
    copies.append(write_steps(folder.stage, told))  # what next month's run follows up
    seconds = time.monotonic() - started
    files = write_run_manifest(folder.stage, folder.sent, snapshot, report, pdfs,
                               failed + team_failed, unread, seconds, tables, teams, copies,
                               languages=views.languages.to_json())
    folder.commit()
    final = folder.final
    return RunOutcome(
        run_dir=final, reps=len(report.reps), reports=len(pdfs),
        pages=sum(p.pages for p in pdfs),
        files=[final / "reps" / p.path.name for p in pdfs]
        + [final / f.relative_to(folder.stage) for f in files],
        failed=unread + failed + team_failed, not_found=len(report.not_found),
        kept=tuple(email for email, _ in kept),
        requests_made=snapshot.fetch.requests_made, cache_hits=snapshot.fetch.cache_hits,
        seconds=time.monotonic() - started,
    )
