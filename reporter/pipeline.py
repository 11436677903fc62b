"""The library under the command line: each command is one function taking typed settings.

    plan(FetchSettings) -> Plan              what a run would request (``--dry-run``)
    fetch(FetchSettings, path) -> FetchOutcome   a snapshot file, no rendering
    sync(FetchSettings) -> WarmResult        session details into the cache (cron), pruned
    run(RunSettings) -> RunOutcome           fetch, then every output, in one folder
    render(path, RenderSettings) -> RunOutcome   every output from a snapshot, offline
    email(EmailRunSettings) -> EmailOutcome  the outbox, and sending it never twice

This is the flow and nothing else: the one module that joins the stages (exec_api -> cohort
-> analytics -> render -> deliver) and decides the order of work. What each step does lives
in its stage: the run folder and its swap in ``rundir``, what a run writes into it once the
report exists (pool, tables, manifest) in ``outputs``, the commands' outcomes in ``outcome``,
the render pool in ``render.pool``, the manifest in ``deliver.manifest``, the demo in
``demo``. A run is a program of one or more scenarios (a single-scenario run is the program of
its one scenario): one discovery, one fetch and one loop for both. In ``run``, fetching yields
each rep as their sessions arrive; the loop here builds that rep's view once, from the run's
header and their record alone, and hands it to the render pool, so PDFs are drawn while other
reps download; the team reports and the workbook are what is left after the last detail.

Each fact of a run is decided once, here, and handed on: the moment it is generated (every
PDF, the workbook and the manifest carry the same), the report header the pool shares, the
teams. ``email`` reads what the run decided back from its manifest and snapshot.

The workbook, CSV and email writers load openpyxl and Jinja, so they are imported where they
are used: ``fetch``, ``sync`` and ``plan`` (cron's commands) start without them.
"""

from __future__ import annotations

import functools
import time
from datetime import UTC, datetime
from pathlib import Path

from reporter import analytics
from reporter.analytics.localized import LocalRep, LocalScope, build_views
from reporter.analytics.team import GroupInfo
from reporter.cohort.cache import CacheTrouble, DetailCache, prune, usage_path
from reporter.cohort.catalog import Catalog, read_catalog
from reporter.cohort.discover import Discovery
from reporter.cohort.fetch import (
    WarmResult,
    fetch_record,
    fetch_reps,
    make_plan,
    warm_cache,
)
from reporter.cohort.plan import Plan
from reporter.cohort.program import discover
from reporter.cohort.snapshot import (
    FailedRecord,
    FetchRecord,
    RepRecord,
    Snapshot,
    SnapshotWriter,
    fetch_failures,
    one_scenario,
    read_snapshot,
    snapshot_writer,
    write_snapshot,
)
from reporter.console import Console
from reporter.deliver.manifest import TeamEntry, read_manifest
from reporter.errors import UsageError
from reporter.exec_api import ExecClient, UsageCounter
from reporter.exec_api.ratelimit import backoff_delay
from reporter.files import check_writable, folder_lock
from reporter.follow import with_last_steps
from reporter.names import SNAPSHOT
from reporter.outcome import (
    EmailOutcome,
    FetchOutcome,
    RunOutcome,
    WriteFailed,
    io_errors,
    run_loop,
    summarise,
    summarise_outbox,
    summarise_sends,
)
from reporter.outputs import drawing, finish, languages_of, renders_for, staged, teams_of
from reporter.render.pool import Renders
from reporter.rundir import RunFolder, held, recover_run_folder, run_dir_for
from reporter.settings import (
    ApiSettings,
    EmailRunSettings,
    FetchSettings,
    RenderSettings,
    RunSettings,
)
from reporter.views import Manager, ReportView, RepView

__all__ = [
    "EmailOutcome", "FetchOutcome", "RunOutcome", "WriteFailed", "email", "fetch", "plan",
    "render", "run", "scenarios", "sync",
]


# -- the commands ---------------------------------------------------------------------------


@io_errors
def plan(settings: FetchSettings, console: Console | None = None) -> Plan:
    """The discovery requests, and the plan they lead to; no session detail is fetched."""
    console = console or Console(quiet=True)

    async def go() -> Plan:
        async with _client(settings.api, console) as client:
            _, _, the_plan = await _discover(client, settings, console, check=False)
            return the_plan

    return run_loop(go())


@io_errors
def fetch(settings: FetchSettings, snapshot_path: Path,
          console: Console | None = None) -> FetchOutcome:
    """Fetch into a snapshot file (written atomically), for ``render`` to draw later."""
    console = console or Console(quiet=True)
    if Path(snapshot_path).is_dir():
        raise UsageError(f"--snapshot {snapshot_path} is a folder: name the file to write")
    check_writable(Path(snapshot_path).parent, "the snapshot's folder")
    _check_folders(settings)

    async def go() -> FetchOutcome:
        async with _client(settings.api, console) as client:
            disc, cache, the_plan = await _discover(client, settings, console)
            with console.progress(len(the_plan.details_to_fetch), "session details") as bar, \
                    snapshot_writer(snapshot_path, disc.header) as out:
                async for rep in fetch_reps(client, cache, disc, bar.advance):
                    _add(out, rep)
                out.fetch = _fetch_record(client, cache, console)
            return FetchOutcome(Path(snapshot_path), out.reps, len(disc.header.not_found),
                                out.fetch.requests_made, out.fetch.cache_hits,
                                len(out.failed))

    outcome = run_loop(go())
    console.info(f"snapshot: {snapshot_path} ({outcome.reps} reps, {outcome.requests_made} "
                 f"requests, {outcome.cache_hits} cache hits)")
    failures = fetch_failures(read_snapshot(snapshot_path)) if outcome.failed else []
    for address, reason in failures:
        console.warn(f"{address}: {reason}")
    return outcome


@io_errors
def sync(settings: FetchSettings, console: Console | None = None, *,
         dry_run: bool = False) -> WarmResult:
    """Warm the cache with the period's graded session details (of one scenario, or of all
    a program's) within ``max_requests``, then prune it as of the run's now (``api.now``);
    ``dry_run``: neither."""
    console = console or Console(quiet=True)
    now = settings.api.now or datetime.now(UTC)

    async def go() -> WarmResult:
        async with _client(settings.api, console) as client:
            return await warm_cache(client, lambda ws: _cache(settings.api, ws, client),
                                    settings.target, settings.selection,
                                    settings.period, settings.max_requests, dry_run=dry_run)

    r = run_loop(go())
    if not dry_run:
        console.info(f"sync {settings.period.label}: {r.graded} graded sessions, "
                     f"{r.already_cached} already cached, {r.fetched} fetched now, {r.left} "
                     f"left for another day; {r.requests_made} requests")
        console.info(prune(settings.api.usage_dir, now, settings.api.cache_retention_days).line())
    return r


@io_errors
def scenarios(api: ApiSettings, console: Console | None = None, *, archived: bool = False,
              collection: str | None = None) -> Catalog:
    """The workspace's collections and scenarios with their skills (``reporter scenarios``)."""
    console = console or Console(quiet=True)
    check_writable(api.usage_dir, "the cache folder (for the day's request count)")

    async def go() -> Catalog:
        async with _client(api, console) as client:
            return await read_catalog(client, archived=archived, collection=collection)

    found = run_loop(go())
    console.info(found.cost())
    return found


@io_errors
def run(settings: RunSettings, console: Console | None = None) -> RunOutcome:
    """Fetch, render each rep's PDF as soon as their sessions are in, then the workbook, CSV,
    snapshot and manifest; all into a staging folder swapped in at the end."""
    console = console or Console(quiet=True)
    started = time.monotonic()
    _check_folders(settings.fetch)
    check_writable(settings.render.out, "--out")
    outcome = run_loop(_run(settings, console, started))
    summarise(outcome, console)
    return outcome


@io_errors
def render(snapshot_path: Path, settings: RenderSettings, console: Console | None = None, *,
           scenario: str | None = None) -> RunOutcome:
    """Every output from a snapshot (a scenario's or a program's), offline; ``scenario``:
    one scenario of a program's snapshot, drawn as that scenario's own run."""
    console = console or Console(quiet=True)
    started = time.monotonic()
    snapshot = read_snapshot(snapshot_path)
    check_writable(settings.out, "--out")
    if scenario is not None:
        snapshot = one_scenario(snapshot, scenario)
    teams = teams_of(snapshot, settings)
    with held(run_dir_for(settings.out, snapshot)) as folder:
        write_snapshot(snapshot, folder.stage / SNAPSHOT)
        outcome = _draw(folder, snapshot, teams, settings, console, started)
    summarise(outcome, console)
    return outcome


def _draw(folder: RunFolder, snapshot: Snapshot, teams: list[tuple[GroupInfo, Manager]],
          settings: RenderSettings, console: Console, started: float,
          generated_at: datetime | None = None) -> RunOutcome:
    """A run's views built whole in each of its languages (``build_views``),
    then the team reports and every rep's one PDF in the pool, the tables and the manifest."""
    views = build_views(snapshot, languages_of(snapshot, settings, console),
                        generated_at=generated_at)
    for warning in views.default.warnings:
        console.warn(warning)
    # The pool sends each worker the report without its reps: what every PDF shares.
    with drawing(renders_for(views.reports, teams, settings), folder) as renders:
        # The team reports first (the longest jobs): no process draws one alone at the end.
        renders.submit_teams(views, console)
        renders.submit_reps(views.own())
        return finish(folder, snapshot, views, renders, settings, console, started)


@io_errors
def email(settings: EmailRunSettings, console: Console | None = None) -> EmailOutcome:
    """Write one message per rep into RUN_DIR/outbox; with SMTP settings, send those not yet
    sent (the manifest records each send as it happens)."""
    from reporter.deliver.addresses import held_back
    from reporter.deliver.outbox import build_messages, write_outbox
    from reporter.deliver.rebuild import run_views
    from reporter.deliver.smtp import send_all

    console = console or Console(quiet=True)
    check_writable(settings.run_dir, "the run folder")
    # The real folder, whatever name reached it (a symlink such as "latest", ".", a relative
    # path): its lock, its manifest and the period's send record beside it are found from
    # there, so two names for one folder never make two senders.
    run_dir = settings.run_dir.resolve()
    with folder_lock(run_dir):
        recover_run_folder(run_dir)
        manifest = read_manifest(run_dir)
        views = run_views(run_dir, manifest)
        report = views.default
        messages = build_messages(run_dir, views, manifest, settings.message)
        paths = write_outbox(run_dir, messages)
        digests = sum(1 for entry, _ in messages if isinstance(entry, TeamEntry))
        former = sum(1 for rep in report.reps if held_back(rep, settings.message))
        summarise_outbox(run_dir, len(paths) - digests, digests, former, console)
        if settings.smtp is None:
            return EmailOutcome(paths)
        result = send_all(run_dir, messages, settings.smtp,
                          resend_in_doubt=settings.resend_in_doubt)
    return summarise_sends(paths, result, console)


# -- fetching -------------------------------------------------------------------------------


def _check_folders(settings: FetchSettings) -> None:
    """The cache and the request count must be writable before the first request is spent."""
    if settings.api.cache_dir is not None:
        check_writable(settings.api.cache_dir, "--cache-dir")
    check_writable(settings.api.usage_dir, "the cache folder (for the day's request count)")


def _client(api: ApiSettings, console: Console) -> ExecClient:
    usage = UsageCounter(usage_path(api.usage_dir, api.key.fingerprint), api.daily_limit,
                         CacheTrouble(api.usage_dir, console.warn))  # a full folder: warned
    return ExecClient(api.key, api.base_url, rate_limit=api.rate_limit, usage=usage,
                      deadline=api.request_deadline, now=api.now,
                      backoff=functools.partial(backoff_delay, base=api.retry_delay),
                      url_setting=api.url_setting)


def _cache(api: ApiSettings, workspace_id: str, client: ExecClient) -> DetailCache:
    return DetailCache(api.cache_dir, workspace_id, api.base_url, client.usage.on_write_error)


async def _discover(client: ExecClient, settings: FetchSettings, console: Console, *,
                    check: bool = True, out: Path | None = None
                    ) -> tuple[Discovery, DetailCache, Plan]:
    """The run's discovery (a program's, or one scenario's: ``settings.target``), its plan,
    and what each rep was told last month (from the run in ``out``, else from the cache)."""
    for raw in settings.selection.invalid:
        console.warn(f"{raw!r} is not an email address; it is listed as not found")
    disc = await discover(client, settings.target, settings.selection, settings.period,
                          compare=settings.compare)
    cache = _cache(settings.api, disc.workspace_id, client)
    the_plan = make_plan(disc, client, cache, settings.max_requests)
    for line in the_plan.lines():
        console.detail(line)
    disc, said = with_last_steps(disc, cache, out)
    if said:
        console.detail(said)
    for line in disc.reports:
        console.warn(line)
    if check:
        the_plan.check_budget()
    return disc, cache, the_plan


def _add(out: SnapshotWriter, rep: RepRecord | FailedRecord) -> bool:
    """A fetched rep into the snapshot (True), or a rep that failed into its failed list
    (False)."""
    if isinstance(rep, FailedRecord):
        out.failed.append(rep)
        return False
    out.add(rep)
    return True


def _fetch_record(client: ExecClient, cache: DetailCache, console: Console) -> FetchRecord:
    if cache.repaired:
        console.warn(f"{cache.repaired} damaged cache file(s) were fetched again")
    return fetch_record(client, cache)


async def _run(settings: RunSettings, console: Console, started: float) -> RunOutcome:
    fs, rs = settings.fetch, settings.render
    async with _client(fs.api, console) as client:
        disc, cache, the_plan = await _discover(client, fs, console, out=rs.out)
        header = disc.header
        teams = teams_of(header, rs)  # a [teams] typo stops the run before its requests
        # The moment the run is generated, decided once, here: every output carries it. The
        # report's header (no reps yet) is what every rep's PDF shares.
        scope = LocalScope(disc.header, languages_of(header, rs, console),
                           generated_at=client.now())
        with staged(run_dir_for(rs.out, header),
                    renders_for(scope.headers, teams, rs)) as (folder, renders):
            return await _fetch_and_render(client, cache, disc, scope, the_plan, folder,
                                           renders, rs, console, started)


async def _fetch_and_render(client: ExecClient, cache: DetailCache, disc: Discovery,
                            scope: LocalScope, the_plan: Plan, folder: RunFolder,
                            renders: Renders, rs: RenderSettings, console: Console,
                            started: float) -> RunOutcome:
    """Each rep, as their sessions are all in: into the snapshot file, their view built
    (``RunScope.rep``) and their PDF handed to the render pool; then the run's report from
    the collected views, the team reports, the tables and the manifest."""
    built: list[LocalRep] = []
    # Each rep goes to the snapshot file and the render pool as it arrives, then only its
    # views are kept (for the report's team-level figures, the workbook and CSV): a large
    # cohort never sits in memory twice.
    with console.progress(len(the_plan.details_to_fetch), "session details") as bar, \
            snapshot_writer(folder.stage / SNAPSHOT, disc.header) as out:
        async for rep in fetch_reps(client, cache, disc, bar.advance):
            if isinstance(rep, FailedRecord):
                out.failed.append(rep)
                continue
            out.add(rep)
            local = scope.rep(rep)
            renders.submit(local.view, local.language)
            built.append(local)
        out.fetch = _fetch_record(client, cache, console)
    fetched = {"fetch": out.fetch, "failed": out.failed}
    views = scope.report_of(disc.header.model_copy(update=fetched), built)
    for warning in views.default.warnings:
        console.warn(warning)
    renders.submit_teams(views, console)
    return finish(folder, disc.header.model_copy(update=fetched), views, renders, rs,
                  console, started)


# -- rendering ------------------------------------------------------------------------------


def _report(snapshot: Snapshot, views: list[RepView] | None, console: Console,
            generated_at: datetime | None = None) -> ReportView:
    """The view models, with their warnings (e.g. a figure the API disagrees on) on stderr."""
    report = analytics.build_report(snapshot, views, generated_at=generated_at)
    for warning in report.warnings:
        console.warn(warning)
    return report
