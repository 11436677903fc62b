"""The library under the command line: each command is one function taking typed settings.

    plan(FetchSettings) -> Plan              what a run would request (``--dry-run``)
    fetch(FetchSettings, path) -> FetchOutcome   a snapshot file, no rendering
    sync(FetchSettings) -> WarmResult        session details into the cache (cron)
    run(RunSettings) -> RunOutcome           fetch, then every output, in one folder
    render(path, RenderSettings) -> RunOutcome   every output from a snapshot, offline
    email(EmailRunSettings) -> EmailOutcome  the outbox, and sending it never twice
    demo(out) -> DemoOutcome                 ``run`` and ``email`` against the sandbox

This is the one module that imports every stage (exec_api -> cohort -> analytics -> render ->
deliver) and decides the order of work; the stages never import each other backwards. In
``run``, fetching yields each rep as their sessions arrive; the loop here builds that rep's view
once and hands it to the render pool, so PDFs are drawn while other reps download.
"""

from __future__ import annotations

import asyncio
import functools
import os
import re
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from reporter import analytics
from reporter.analytics.team import (
    GroupInfo,
    TeamSpec,
    build_team,
    build_teams,
    resolve_teams,
    team_report,
)
from reporter.cohort.cache import DetailCache, usage_path
from reporter.cohort.catalog import Catalog, read_catalog
from reporter.cohort.discover import Discovery, discover
from reporter.cohort.fetch import WarmResult, fetch_record, fetch_reps, make_plan, warm_cache
from reporter.cohort.plan import Plan
from reporter.cohort.selection import Selection, SelectionError, parse_period
from reporter.cohort.snapshot import (
    FailedRecord,
    FetchRecord,
    RepRecord,
    Snapshot,
    SnapshotWriter,
    read_snapshot,
    snapshot_writer,
    write_snapshot,
)
from reporter.console import Console
from reporter.deliver.manifest import (
    Manifest,
    ManifestError,
    RepEntry,
    Sendable,
    TeamEntry,
    read_manifest,
    send_key,
    sha256_file,
    write_manifest,
)
from reporter.deliver.outbox import EmailSettings, build_messages, held_back, write_outbox
from reporter.deliver.smtp import send_all
from reporter.errors import RunError, UsageError
from reporter.exec_api import ApiKey, ExecClient, UsageCounter
from reporter.files import check_writable, folder_lock
from reporter.render.csv_export import write_csv
from reporter.render.pdf import PdfRenderPool, RenderedPdf
from reporter.render.workbook import write_workbook
from reporter.settings import (
    ApiSettings,
    EmailRunSettings,
    FetchSettings,
    RenderSettings,
    RunSettings,
)
from reporter.views import Manager, ReportView, RepView, TeamView

if TYPE_CHECKING:
    from reporter.sandbox.model import SandboxWorkspace

SNAPSHOT = "snapshot.json"
TEAM_PDF = "team.pdf"
TEAM_XLSX = "team.xlsx"
TEAMS_DIR = "teams"
P = ParamSpec("P")
T = TypeVar("T")

__all__ = [
    "DemoOutcome", "EmailOutcome", "FetchOutcome", "RunOutcome", "demo", "email", "fetch",
    "plan", "render", "run", "sync",
]


@dataclass(frozen=True)
class RunOutcome:
    run_dir: Path
    reps: int
    reports: int
    pages: int
    files: list[Path]
    failed: list[tuple[str, str]]  # (rep email, why)
    not_found: int
    requests_made: int
    cache_hits: int
    seconds: float

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.not_found else 0


@dataclass(frozen=True)
class FetchOutcome:
    snapshot_path: Path
    reps: int
    not_found: int
    requests_made: int
    cache_hits: int
    failed: int = 0  # reps whose sessions could not be read

    @property
    def exit_code(self) -> int:
        return 1 if self.not_found or self.failed else 0


@dataclass(frozen=True)
class EmailOutcome:
    written: list[Path]
    sent: int = 0
    already_sent: int = 0
    failed: tuple[tuple[str, str], ...] = ()

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0


@dataclass(frozen=True)
class DemoOutcome:
    run: RunOutcome
    email: EmailOutcome
    featured: Path | None = None  # the report a newcomer should open first: an ordinary rep


class WriteFailed(RunError):
    """The disk refused a write (full, read-only, gone): the run stops, the previous output of
    the same folder stays as it was."""


def _io_errors(fn: Callable[P, T]) -> Callable[P, T]:
    """An OSError (a file system's refusal) becomes one line naming the path, never a
    traceback: it is about the machine, not one rep's data, so the whole command stops."""
    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return fn(*args, **kwargs)
        except OSError as exc:
            where = f" {exc.filename}" if exc.filename else ""
            raise WriteFailed(f"cannot write{where}: {exc.strerror or exc}") from None

    return wrapper


# -- the commands ---------------------------------------------------------------------------


@_io_errors
def plan(settings: FetchSettings, console: Console | None = None) -> Plan:
    """The discovery requests, and the plan they lead to; no session detail is fetched."""
    console = console or Console(quiet=True)

    async def go() -> Plan:
        async with _client(settings.api) as client:
            _, _, the_plan = await _discover_and_plan(client, settings, console, check=False)
            return the_plan

    return asyncio.run(go())


@_io_errors
def fetch(settings: FetchSettings, snapshot_path: Path,
          console: Console | None = None) -> FetchOutcome:
    """Fetch into a snapshot file (written atomically), for ``render`` to draw later."""
    console = console or Console(quiet=True)
    if Path(snapshot_path).is_dir():
        raise UsageError(f"--snapshot {snapshot_path} is a folder: name the file to write")
    check_writable(Path(snapshot_path).parent, "the snapshot's folder")
    _check_folders(settings)

    async def go() -> FetchOutcome:
        async with _client(settings.api) as client:
            disc, cache, the_plan = await _discover_and_plan(client, settings, console)
            with console.progress(len(the_plan.details_to_fetch), "session details") as bar, \
                    snapshot_writer(snapshot_path, disc.header) as out:
                async for rep in fetch_reps(client, cache, disc, bar.advance):
                    _add(out, rep)
                out.fetch = _fetch_record(client, cache, console)
            return FetchOutcome(Path(snapshot_path), out.reps, len(disc.header.not_found),
                                out.fetch.requests_made, out.fetch.cache_hits,
                                len(out.failed))

    outcome = asyncio.run(go())
    console.info(f"snapshot: {snapshot_path} ({outcome.reps} reps, {outcome.requests_made} "
                 f"requests, {outcome.cache_hits} cache hits)")
    for address, reason in fetch_failures(read_snapshot(snapshot_path)) if outcome.failed else ():
        console.warn(f"{address}: {reason}")
    return outcome


@_io_errors
def sync(settings: FetchSettings, console: Console | None = None) -> WarmResult:
    """Warm the cache with the period's graded session details, within ``max_requests``."""
    console = console or Console(quiet=True)

    async def go() -> WarmResult:
        async with _client(settings.api) as client:
            return await warm_cache(client, lambda ws: _cache(settings.api, ws),
                                    settings.scenario, settings.selection, settings.period,
                                    settings.max_requests)

    r = asyncio.run(go())
    console.info(
        f"sync {settings.period.label}: {r.graded} graded sessions, {r.already_cached} already "
        f"cached, {r.fetched} fetched now, {r.left} left for another day; "
        f"{r.requests_made} requests")
    return r


@_io_errors
def scenarios(api: ApiSettings, console: Console | None = None, *, archived: bool = False,
              collection: str | None = None) -> Catalog:
    """The workspace's collections and scenarios with their skills (``reporter scenarios``)."""
    console = console or Console(quiet=True)
    check_writable(api.usage_dir, "the cache folder (for the day's request count)")

    async def go() -> Catalog:
        async with _client(api) as client:
            return await read_catalog(client, archived=archived, collection=collection)

    found = asyncio.run(go())
    console.info(found.cost())
    return found


@_io_errors
def run(settings: RunSettings, console: Console | None = None) -> RunOutcome:
    """Fetch, render each rep's PDF as soon as their sessions are in, then the workbook, CSV,
    snapshot and manifest; all into a staging folder swapped in at the end."""
    console = console or Console(quiet=True)
    started = time.monotonic()
    _check_folders(settings.fetch)
    check_writable(settings.render.out, "--out")
    outcome = asyncio.run(_run(settings, console, started))
    _summarise(outcome, console)
    return outcome


@_io_errors
def render(snapshot_path: Path, settings: RenderSettings,
           console: Console | None = None) -> RunOutcome:
    """Every output from a snapshot, offline."""
    console = console or Console(quiet=True)
    started = time.monotonic()
    snapshot = read_snapshot(snapshot_path)
    check_writable(settings.out, "--out")
    report = _report(snapshot, None, console)
    teams = _teams(snapshot, settings)
    # The pool sends each worker the report without its reps: what every PDF shares.
    with _staged(run_dir_for(settings.out, snapshot), settings, report,
                 teams) as (folder, renders):
        for view in report.reps:
            renders.submit(view)
        write_snapshot(snapshot, folder.stage / SNAPSHOT)
        outcome = _finish(folder, snapshot, report, renders, settings, console, started)
    _summarise(outcome, console)
    return outcome


@_io_errors
def email(settings: EmailRunSettings, console: Console | None = None) -> EmailOutcome:
    """Write one message per rep into RUN_DIR/outbox; with SMTP settings, send those not yet
    sent (the manifest records each send as it happens)."""
    console = console or Console(quiet=True)
    run_dir = settings.run_dir
    check_writable(run_dir, "the run folder")
    with folder_lock(run_dir):
        recover_run_folder(run_dir)
        manifest = read_manifest(run_dir)
        report = analytics.build_report(read_snapshot(run_dir / SNAPSHOT))
        messages = build_messages(run_dir, report, manifest, settings.message)
        paths = write_outbox(run_dir, messages)
        digests = sum(1 for entry, _ in messages if isinstance(entry, TeamEntry))
        former = sum(1 for rep in report.reps if held_back(rep, settings.message))
        console.info(f"outbox: {len(paths) - digests} rep emails"
                     + (f" and {digests} manager digests" if digests else "")
                     + f" in {run_dir / 'outbox'}"
                     + (f"; {former} former member{'' if former == 1 else 's'} of the "
                        "workspace held back (email_former_members = true sends them)"
                        if former else ""))
        if settings.smtp is None:
            return EmailOutcome(paths)
        result = send_all(run_dir, messages, settings.smtp)
    console.info(f"sent {result.sent}, already sent before {result.skipped_already_sent}, "
                 f"failed {len(result.failed)}")
    for address, reason in result.failed:
        console.warn(f"{address}: {reason}")
    return EmailOutcome(paths, result.sent, result.skipped_already_sent, tuple(result.failed))


@_io_errors
def demo(out: Path, jobs: int | None = None, console: Console | None = None, *,
         teams: tuple[TeamSpec, ...] = ()) -> DemoOutcome:
    """``run`` (last month, every participant, CSV too; by team when ``teams`` are given)
    and ``email`` (outbox only) against the built-in sandbox on a free loopback port: no
    key, no network."""
    from reporter.sandbox import SandboxServer, create_app, generate_workspace, make_api_key

    console = console or Console(quiet=True)
    workspace = generate_workspace(seed=7, reps=30)
    key = make_api_key(7)
    scenario = next((s.slug for s in workspace.scenarios if not s.archived), None)
    if scenario is None:
        raise SelectionError("the sandbox has no active scenario")
    # Fast but still paced: the sandbox enforces a limit and the client keeps under it.
    app = create_app(workspace, api_key=key, rate_limit=1200, daily_limit=100000)
    with SandboxServer(app) as server:
        console.info(f"sandbox: {server.base_url}")
        api = ApiSettings(key=ApiKey(key), base_url=server.base_url, rate_limit=1000,
                          cache_dir=out / ".cache", usage_dir=out / ".cache")
        fetching = FetchSettings(api=api, scenario=scenario, selection=Selection("all"),
                                 period=parse_period("last"))
        outcome = run(RunSettings(fetching, RenderSettings(
            csv=True, jobs=jobs, out=out, teams=teams, by_team=bool(teams))), console)
    sent = email(EmailRunSettings(outcome.run_dir, EmailSettings(
        sender="Coaching reports <coaching@acme.example>")), console)
    return DemoOutcome(outcome, sent, _featured(workspace, outcome))


def _featured(workspace: SandboxWorkspace, outcome: RunOutcome) -> Path | None:
    """The demo's first impression: the report of the first improving rep (by name) whose
    sessions carry none of the sandbox's hostile texts; those stay, on other reps' reports."""
    hostile = {s.user_id for s in workspace.sessions if s.hostile}
    reports = set(outcome.files)
    for user in sorted(workspace.users, key=lambda u: (u.first_name.casefold(), u.email)):
        if user.archetype != "improving" or not user.is_member or user.id in hostile:
            continue
        name = " ".join(f"{user.first_name} {user.last_name}".split())
        path = outcome.run_dir / "reps" / f"{analytics.rep_slug(name, user.email)}.pdf"
        if path in reports:
            return path
    return next((f for f in sorted(outcome.files) if f.suffix == ".pdf"), None)


# -- fetching -------------------------------------------------------------------------------


def _check_folders(settings: FetchSettings) -> None:
    """The cache and the request count must be writable before the first request is spent."""
    if settings.api.cache_dir is not None:
        check_writable(settings.api.cache_dir, "--cache-dir")
    check_writable(settings.api.usage_dir, "the cache folder (for the day's request count)")


def _client(api: ApiSettings) -> ExecClient:
    usage = UsageCounter(usage_path(api.usage_dir, api.key.fingerprint), api.daily_limit)
    return ExecClient(api.key, api.base_url, rate_limit=api.rate_limit, usage=usage,
                      deadline=api.request_deadline)


def _cache(api: ApiSettings, workspace_id: str) -> DetailCache:
    return DetailCache(api.cache_dir, workspace_id, api.base_url)


async def _discover_and_plan(client: ExecClient, settings: FetchSettings, console: Console,
                             *, check: bool = True) -> tuple[Discovery, DetailCache, Plan]:
    for raw in settings.selection.invalid:
        console.warn(f"{raw!r} is not an email address; it is listed as not found")
    disc = await discover(client, settings.scenario, settings.selection, settings.period,
                          compare=settings.compare)
    cache = _cache(settings.api, disc.workspace_id)
    the_plan = make_plan(disc, client, cache, settings.max_requests)
    for line in the_plan.lines():
        console.detail(line)
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


def fetch_failures(snapshot: Snapshot) -> list[tuple[str, str]]:
    """(address, why) of each rep whose sessions could not be read."""
    return [(f.user.email or f.user.id, f"sessions not read: {f.reason}")
            for f in snapshot.failed]


def _fetch_record(client: ExecClient, cache: DetailCache, console: Console) -> FetchRecord:
    if cache.repaired:
        console.warn(f"{cache.repaired} damaged cache file(s) were fetched again")
    return fetch_record(client, cache)


async def _run(settings: RunSettings, console: Console, started: float) -> RunOutcome:
    fs, rs = settings.fetch, settings.render
    async with _client(fs.api) as client:
        disc, cache, the_plan = await _discover_and_plan(client, fs, console)
        teams = _teams(disc.header, rs)  # a [teams] typo stops the run before its requests
        with _staged(run_dir_for(rs.out, disc.header), rs,
                     analytics.build_report(disc.header), teams) as (folder, renders):
            return await _fetch_and_render(client, cache, disc, the_plan, folder, renders,
                                           rs, console, started)


async def _fetch_and_render(client: ExecClient, cache: DetailCache, disc: Discovery,
                            the_plan: Plan, folder: RunFolder, renders: ReportRenders,
                            rs: RenderSettings, console: Console, started: float) -> RunOutcome:
    context = analytics.rep_context(disc.header)
    views: list[RepView] = []
    # Each rep goes to the snapshot file and the render pool as it arrives, then only its
    # view is kept (for the workbook and CSV): a large cohort never sits in memory twice.
    with console.progress(len(the_plan.details_to_fetch), "session details") as bar, \
            snapshot_writer(folder.stage / SNAPSHOT, disc.header) as out:
        async for rep in fetch_reps(client, cache, disc, bar.advance):
            if _add(out, rep):
                assert isinstance(rep, RepRecord)
                view = analytics.build_rep(rep, context)
                renders.submit(view)
                views.append(view)
        out.fetch = _fetch_record(client, cache, console)
    header = disc.header.model_copy(update={"fetch": out.fetch, "failed": out.failed})
    report = _report(header, views, console)
    return _finish(folder, header, report, renders, rs, console, started)


# -- rendering ------------------------------------------------------------------------------


def _report(snapshot: Snapshot, views: list[RepView] | None, console: Console) -> ReportView:
    """The view models, with their warnings (e.g. a figure the API disagrees on) on stderr."""
    report = analytics.build_report(snapshot, views)
    for warning in report.warnings:
        console.warn(warning)
    return report


class ReportRenders:
    """The PDFs of a run: each rep submitted once, drawn by the pool, collected at the end;
    then the team reports (the whole selection's, and one per ``[teams]`` group)."""

    def __init__(self, settings: RenderSettings, folder: Path, header: ReportView,
                 teams: list[tuple[GroupInfo, Manager]]) -> None:
        self.settings = settings
        self.folder = folder
        self.header = header  # what every rep's report shares: scenario, period, cohort
        self.teams = teams  # resolved [teams] of a --by-team run
        self.pool = (PdfRenderPool(settings.pdf_options, folder, settings.jobs)
                     if settings.pdf else None)
        self.futures: list[tuple[RepView, Future[RenderedPdf]]] = []
        self.team_futures: list[tuple[TeamView, Path, Future[RenderedPdf] | None]] = []

    def submit(self, view: RepView) -> None:
        if self.pool is not None and (view.has_valid_attempt or not self.settings.skip_empty):
            self.futures.append((view, self.pool.submit(self.header, view)))

    def submit_teams(self, report: ReportView, console: Console) -> None:
        """``team.pdf`` for the whole selection, and with --by-team, each team's into
        ``teams/<slug>/``; a group none of the selected reps is in is said and skipped."""
        text = report.selection_text
        whole = build_team(report.reps, name=text[:1].upper() + text[1:])
        chosen = [(whole, self.folder / TEAM_PDF)]
        teams = build_teams(report, self.teams)
        for group, _ in self.teams:
            if not any(t.group == group.name for t in teams):
                console.warn(f"team {group.name}: none of the selected reps is in this group; "
                             "no team report")
        chosen += [(t, self.folder / TEAMS_DIR / t.slug / TEAM_PDF) for t in teams]
        for team, path in chosen:
            path.parent.mkdir(parents=True, exist_ok=True)
            future = self.pool.submit_team(report, team, path) if self.pool else None
            self.team_futures.append((team, path, future))

    def collect(self, console: Console) -> tuple[list[RenderedPdf], list[tuple[str, str]]]:
        """Every PDF, in submission order; one rep's failure does not sink the others."""
        pdfs: list[RenderedPdf] = []
        failed: list[tuple[str, str]] = []
        with console.progress(len(self.futures), "PDF reports") as bar:
            for rep, fut in self.futures:
                rendered = _result(fut, rep.email, failed, console)
                if rendered is not None:
                    pdfs.append(rendered)
                bar.advance()
        return pdfs, failed

    def collect_teams(self, console: Console
                      ) -> tuple[list[tuple[TeamView, Path, RenderedPdf | None]],
                                 list[tuple[str, str]]]:
        """Each team with its PDF (None: not drawn, --no-pdf, or failed: listed)."""
        out: list[tuple[TeamView, Path, RenderedPdf | None]] = []
        failed: list[tuple[str, str]] = []
        for team, path, fut in self.team_futures:
            rendered = _result(fut, f"team {team.name}", failed, console) if fut else None
            out.append((team, path, rendered))
        self.close()
        return out, failed

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()
            self.pool = None


def _result(fut: Future[RenderedPdf], who: str, failed: list[tuple[str, str]],
            console: Console) -> RenderedPdf | None:
    """The future's PDF; a failure is listed against ``who`` and the run goes on."""
    try:
        return fut.result()
    except OSError:
        raise  # the disk, not this report: the whole run stops
    except Exception as exc:
        failed.append((who, f"PDF failed: {type(exc).__name__}: {exc}"[:300]))
        console.warn(f"{who}: PDF failed: {exc}")
        return None


def _teams(snapshot: Snapshot, settings: RenderSettings) -> list[tuple[GroupInfo, Manager]]:
    """The [teams] of a --by-team run, matched to the workspace's groups (an older snapshot
    without them: the groups its reps are in, by name); a group that is not there stops."""
    if not settings.by_team:
        return []
    groups = [GroupInfo(g.id, g.name or g.id) for g in snapshot.groups]
    if not groups:
        groups = [GroupInfo(n, n) for n in sorted({g for r in snapshot.reps for g in r.groups})]
    return resolve_teams(settings.teams, groups)


@contextmanager
def _staged(final: Path, settings: RenderSettings, header: ReportView,
            teams: list[tuple[GroupInfo, Manager]]) -> Iterator[tuple[RunFolder, ReportRenders]]:
    """The run folder held (``folder_lock``), its staging folder and the render pool; on any
    failure the pool stops and the staging folder goes, leaving the previous run as it was."""
    with folder_lock(final):
        folder = RunFolder(final)
        renders: ReportRenders | None = None
        try:
            renders = ReportRenders(settings, folder.stage, header, teams)
            yield folder, renders
        except BaseException:
            if renders is not None:
                renders.close()
            folder.abort()
            raise


def _finish(folder: RunFolder, snapshot: Snapshot, report: ReportView, renders: ReportRenders,
            settings: RenderSettings, console: Console, started: float) -> RunOutcome:
    """Collect the PDFs, write the snapshot, workbook, CSV and manifest, swap the folder in.

    The workbooks are written while the pool draws the team reports (the longest of which
    ends a run), so they add nothing to its end on a machine with a CPU to spare.
    """
    renders.submit_teams(report, console)
    pdfs, failed = renders.collect(console)
    unread = fetch_failures(snapshot)
    tables = write_tables(folder, report, pdfs, settings,
                          [(team, path) for team, path, _ in renders.team_futures])
    teams, team_failed = renders.collect_teams(console)
    files = write_run_manifest(folder, snapshot, report, pdfs, failed + team_failed, started,
                               tables, teams)
    folder.commit()
    final = folder.final
    return RunOutcome(
        run_dir=final, reps=len(report.reps), reports=len(pdfs),
        pages=sum(p.pages for p in pdfs),
        files=[final / "reps" / p.path.name for p in pdfs]
        + [final / f.relative_to(folder.stage) for f in files],
        failed=unread + failed + team_failed, not_found=len(report.not_found),
        requests_made=snapshot.fetch.requests_made, cache_hits=snapshot.fetch.cache_hits,
        seconds=time.monotonic() - started,
    )


@dataclass(frozen=True)
class Tables:
    """The workbooks and CSV of a run, with the checksums already read."""

    files: list[Path]
    team_xlsx: dict[Path, Path]  # a team's PDF path -> the team's workbook
    sums: dict[Path, str]


def write_tables(folder: RunFolder, report: ReportView, pdfs: list[RenderedPdf],
                 settings: RenderSettings, teams: list[tuple[TeamView, Path]]) -> Tables:
    """The workbook, CSV and team workbooks next to the PDFs and the snapshot in the staging
    folder; each links the rep PDFs in ``pdfs`` (drawn, so no link is broken)."""
    stage = folder.stage
    files: list[Path] = [stage / SNAPSHOT]  # written already, as the reps arrived
    if settings.xlsx:
        write_workbook(report, stage / "cohort.xlsx",
                       pdf_paths={p.slug: f"reps/{p.path.name}" for p in pdfs})
        files.append(stage / "cohort.xlsx")
    if settings.csv:
        files.extend(write_csv(report, stage))
    # Each file's checksum, read once: the manifest lists it, and a team's entry repeats it.
    sums: dict[Path, str] = {}
    team_xlsx: dict[Path, Path] = {}
    team_links = {p.slug: f"../../reps/{p.path.name}" for p in pdfs}
    for team, pdf_path in teams:
        if team.manager is None or not settings.xlsx:
            continue  # the whole selection's team.pdf: no manager, no workbook of its own
        xlsx = team_xlsx[pdf_path] = pdf_path.with_name(TEAM_XLSX)
        write_workbook(team_report(report, team), xlsx, pdf_paths=team_links)
        files.append(xlsx)
        sums[xlsx] = sha256_file(xlsx)
    return Tables(files, team_xlsx, sums)


def write_run_manifest(folder: RunFolder, snapshot: Snapshot, report: ReportView,
                       pdfs: list[RenderedPdf], failed: list[tuple[str, str]], started: float,
                       tables: Tables,
                       teams: list[tuple[TeamView, Path, RenderedPdf | None]],
                       ) -> list[Path]:
    """The manifest of everything in the staging folder; returns the files it lists besides
    the rep PDFs.

    A rerun replaces the run folder but keeps its record of emails already sent, so that
    rerunning a month after ``reporter email --send`` never mails a rep (or a manager) twice.
    """
    stage = folder.stage
    files = list(tables.files)
    sums = dict(tables.sums)
    team_entries: list[TeamEntry] = []
    for team, pdf_path, rendered in teams:
        if rendered is not None:
            files.append(pdf_path)
            sums[pdf_path] = rendered.sha256
        if team.manager is None:
            continue  # the whole selection's team.pdf: no manager, no digest
        xlsx = tables.team_xlsx.get(pdf_path)
        team_entries.append(TeamEntry(
            group=team.name, slug=team.slug, name=team.manager.name, email=team.manager.email,
            reps=len(team.reps), needs_attention=len(team.needs_attention),
            pdf=_relative(pdf_path, stage) if rendered else None,
            sha256=sums.get(pdf_path), xlsx=_relative(xlsx, stage) if xlsx else None,
            xlsx_sha256=sums.get(xlsx) if xlsx else None))
    entries = manifest_entries(report, pdfs, failed, fetch_failures(snapshot))
    sendables: list[Sendable] = [*entries, *team_entries]
    for sendable in sendables:
        if send_key(sendable) in folder.sent:
            sendable.message_id, sendable.sent_at = folder.sent[send_key(sendable)]
    write_manifest(stage, Manifest(
        run={
            "scenario": report.scenario.slug,
            "scenario_name": report.scenario.name,
            "period": report.period.label,
            "generated_at": report.generated_at.isoformat(),
            "tool_version": report.tool_version,
            "requests_made": snapshot.fetch.requests_made,
            "cache_hits": snapshot.fetch.cache_hits,
            "seconds": round(time.monotonic() - started, 2),
        },
        reps=entries,
        files={_relative(p, stage): {"path": _relative(p, stage),
                                     "sha256": sums.get(p) or sha256_file(p)}
               for p in files},
        teams=team_entries,
    ))
    return files


def _relative(path: Path, stage: Path) -> str:
    """A path inside the run folder as the manifest writes it: relative, with "/"."""
    return path.relative_to(stage).as_posix()


def manifest_entries(report: ReportView, pdfs: list[RenderedPdf],
                     failed: list[tuple[str, str]],
                     unread: Sequence[tuple[str, str]] = ()) -> list[RepEntry]:
    """One entry per rep (ok, empty or failed, with its PDF), per rep whose sessions could
    not be read (``unread``: failed, no PDF) and per address not found."""
    by_slug = {p.slug: p for p in pdfs}
    failed_by_email = dict(failed)
    entries: list[RepEntry] = []
    for rep in report.reps:
        pdf = by_slug.get(rep.slug)
        if rep.email in failed_by_email:
            entries.append(RepEntry(rep.email, rep.name, rep.slug, "failed",
                                    failed_by_email[rep.email], None, None, None))
        elif pdf is not None:
            entries.append(RepEntry(rep.email, rep.name, rep.slug,
                                    "empty" if pdf.empty else "ok", None,
                                    f"reps/{pdf.path.name}", pdf.sha256, pdf.pages))
        else:
            reason = ("no valid attempt (--skip-empty)" if not rep.has_valid_attempt
                      else "PDF not requested (--no-pdf)")
            entries.append(RepEntry(rep.email, rep.name, rep.slug,
                                    "empty" if not rep.has_valid_attempt else "ok", reason,
                                    None, None, None))
    for email, why in unread:
        entries.append(RepEntry(email, email, "", "failed", why, None, None, None))
    for nf in report.not_found:
        entries.append(RepEntry(nf.email, nf.email, "", "not_found", nf.detail, None, None, None))
    return entries


def previous_sends(run_dir: Path) -> dict[str, tuple[str | None, str | None]]:
    """``send_key`` (a rep's email; a team and its manager's) -> (Message-ID, sent at), from
    the manifest a rerun is about to replace."""
    if not (Path(run_dir) / "manifest.json").exists():
        return {}
    try:
        old = read_manifest(run_dir)
    except ManifestError as exc:
        raise ManifestError(
            f"{exc}; it records which reps were already emailed, so the run stops rather than "
            "forget them: restore it, or delete it if no email was sent from this folder"
        ) from None
    return old.sent_record()


def _summarise(outcome: RunOutcome, console: Console) -> None:
    console.info(
        f"done: {outcome.reps} reps, {outcome.reports} reports ({outcome.pages} pages), "
        f"{len(outcome.files)} files in {outcome.run_dir}; {outcome.requests_made} requests, "
        f"{outcome.cache_hits} cache hits, {outcome.seconds:.1f} s"
    )
    for address, reason in outcome.failed:
        console.warn(f"{address}: {reason}")
    if outcome.not_found:
        console.warn(f"{outcome.not_found} address(es) had no data; see manifest.csv")


# -- run folders ----------------------------------------------------------------------------


def safe_component(value: str, fallback: str) -> str:
    """A folder name from untrusted text: ASCII letters, digits, dot, dash, underscore."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60]
    return text or fallback


def run_dir_for(out: Path, snapshot: Snapshot) -> Path:
    """``OUT/<scenario-slug>/<period>``, both parts made safe for a file system."""
    slug = safe_component(snapshot.scenario.slug or snapshot.scenario.name or "", "scenario")
    period = safe_component(snapshot.period.label if snapshot.period else "", "period")
    return Path(out) / slug / period


class RunFolder:
    """Build a run in a hidden sibling folder, then swap it in: a rerun replaces, never mixes,
    and a failure leaves the previous run as it was.

    Made while holding the folder's lock (``files.folder_lock``), so any hidden sibling left
    from an earlier process (killed before it could clean up) is stale: a previous run set
    aside by a swap that never finished is put back first (``recover_run_folder``), then the
    rest is removed. The record of emails sent from the folder it replaces is read next,
    before any work: a damaged one stops the run then, not after the day's requests are spent.
    """

    def __init__(self, final: Path) -> None:
        self.final = Path(final)
        recover_run_folder(self.final)
        self.sent = previous_sends(self.final)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        for stale in self.final.parent.glob(f".{self.final.name}.*"):
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale, ignore_errors=True)
        self.stage = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.", dir=self.final.parent))

    def commit(self) -> None:
        """Two renames: the previous run aside (``set_aside``), the new one in. Killed between
        them, the next command on the folder puts the previous run back; killed after, the new
        run is in place and carries the send record; the set-aside copy is removed last."""
        old = None
        if self.final.exists() or self.final.is_symlink():
            old = set_aside(self.final)
            os.replace(self.final, old)
        os.replace(self.stage, self.final)
        if old is not None and old.is_symlink():
            old.unlink()  # a link put where the run folder was: removed, never followed
        elif old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


def set_aside(final: Path) -> Path:
    """Where a swap puts the previous run while the new one moves in."""
    return final.parent / f".{final.name}.old-{os.getpid()}"


def recover_run_folder(final: Path) -> None:
    """A run folder that a killed swap left missing, back from where the swap set it aside
    (the newest such copy with a manifest): its send record is what keeps a rep from a second
    email. Called holding the folder's lock; with the folder in place, nothing to do."""
    final = Path(final)
    if final.exists() or final.is_symlink() or not final.parent.is_dir():
        return
    aside = [p for p in final.parent.glob(f".{final.name}.old-*")
             if p.is_dir() and not p.is_symlink() and (p / "manifest.json").is_file()]
    if aside:
        newest = max(aside, key=lambda p: (p / "manifest.json").stat().st_mtime)
        os.replace(newest, final)
