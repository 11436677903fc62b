"""The stages joined up: what ``reporter run``, ``fetch``, ``render`` and ``sync`` do.

The CLI parses and reports; this module decides the order of work. It is the
one place that imports every stage (exec_api -> cohort -> analytics -> render
-> deliver), so the stages themselves never import each other backwards.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import tempfile
import time
import unicodedata
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reporter import analytics
from reporter.cohort.cache import DetailCache, default_cache_dir, usage_path
from reporter.cohort.fetch import FetchOptions, FetchResult, Plan, WarmResult, gather, warm_cache
from reporter.cohort.selection import Period, Selection
from reporter.cohort.snapshot import read_snapshot, write_snapshot
from reporter.console import Console, Progress
from reporter.deliver.manifest import (
    Manifest,
    ManifestError,
    RepEntry,
    read_manifest,
    sha256_file,
    write_manifest,
)
from reporter.exec_api import ApiKey, ExecClient, UsageCounter
from reporter.render.csv_export import write_csv
from reporter.render.pdf import PdfOptions, PdfRenderPool, RenderedPdf
from reporter.render.workbook import write_workbook
from reporter.views import ReportView


@dataclass
class ApiSettings:
    key: ApiKey
    base_url: str
    rate_limit: int = 60
    cache_dir: Path | None = None  # None: --no-cache
    usage_dir: Path | None = None


@dataclass
class RenderSettings:
    pdf: bool = True
    xlsx: bool = True
    csv: bool = False
    jobs: int | None = None
    skip_empty: bool = False
    pdf_options: PdfOptions = field(default_factory=PdfOptions)


@dataclass
class RunOutcome:
    run_dir: Path
    reps: int
    reports: int
    pages: int
    files: list[Path]
    failed: list[tuple[str, str]]
    not_found: int
    requests_made: int
    cache_hits: int
    seconds: float

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.not_found else 0


def make_client(api: ApiSettings) -> ExecClient:
    usage_root = api.usage_dir or api.cache_dir or default_cache_dir()
    usage = UsageCounter(usage_path(usage_root, api.key.fingerprint))
    return ExecClient(api.key, api.base_url, rate_limit=api.rate_limit, usage=usage)


def _cache_factory(api: ApiSettings):
    return lambda workspace_id: DetailCache(api.cache_dir, workspace_id)


def print_plan(plan: Plan, console: Console, *, to_stdout: bool) -> None:
    import click

    for line in plan.lines():
        if to_stdout:
            click.echo(line)
        else:
            console.detail(line)


async def _fetch(api: ApiSettings, scenario: str, selection: Selection, period: Period,
                 options: FetchOptions, console: Console, on_rep=None) -> FetchResult:
    client = make_client(api)
    bar: Progress | None = None

    def on_plan(plan: Plan) -> None:
        nonlocal bar
        print_plan(plan, console, to_stdout=options.dry_run)
        if not options.dry_run and plan.details_to_fetch:
            bar = Progress(console, len(plan.details_to_fetch), "session details")

    def on_detail() -> None:
        if bar is not None:
            bar.advance()

    try:
        async with client:
            result = await gather(client, _cache_factory(api), scenario, selection, period,
                                  options, on_rep=on_rep, on_plan=on_plan, on_detail=on_detail)
    finally:
        if bar is not None:
            bar.close()
    for line in result.reports:
        console.warn(line)
    return result


def fetch_snapshot(api: ApiSettings, scenario: str, selection: Selection, period: Period,
                   options: FetchOptions, console: Console) -> FetchResult:
    return asyncio.run(_fetch(api, scenario, selection, period, options, console))


def sync_cache(api: ApiSettings, scenario: str, selection: Selection, period: Period,
               max_requests: int | None) -> WarmResult:
    async def go() -> WarmResult:
        async with make_client(api) as client:
            return await warm_cache(client, _cache_factory(api), scenario, selection, period,
                                    max_requests)

    return asyncio.run(go())


# -- run folders ------------------------------------------------------------------


def safe_component(value: str, fallback: str) -> str:
    """A folder name from untrusted text: ASCII letters, digits, dot, dash, underscore."""
    text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-.")[:60]
    return text or fallback


def run_dir_for(out: Path, snapshot: dict[str, Any]) -> Path:
    scenario = snapshot.get("scenario") or {}
    slug = safe_component(scenario.get("slug") or scenario.get("name") or "", "scenario")
    period = safe_component((snapshot.get("period") or {}).get("label", ""), "period")
    return Path(out) / slug / period


class StagingDir:
    """Build a run in a hidden sibling folder, then swap it in: a rerun replaces, never mixes,
    and a failure leaves the previous run as it was."""

    def __init__(self, final: Path) -> None:
        self.final = Path(final)
        self.final.parent.mkdir(parents=True, exist_ok=True)
        self.path = Path(tempfile.mkdtemp(prefix=f".{self.final.name}.", dir=self.final.parent))

    def commit(self) -> None:
        old = None
        if self.final.exists():
            old = self.final.parent / f".{self.final.name}.old-{os.getpid()}"
            os.replace(self.final, old)
        os.replace(self.path, self.final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def abort(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


# -- render ----------------------------------------------------------------------


def build_report(snapshot: dict[str, Any], console: Console) -> ReportView:
    """The view models, with their warnings (e.g. a figure the API disagrees on) on stderr."""
    report = analytics.build_report(snapshot)
    for warning in report.warnings:
        console.warn(warning)
    return report


def header_view(snapshot: dict[str, Any]) -> ReportView:
    """The report without its reps: what every rep's PDF shares (cohort, period, scenario)."""
    return analytics.build_report({**snapshot, "reps": []})


def finish_run(
    stage: Path,
    final: Path,
    snapshot: dict[str, Any],
    report: ReportView,
    pdfs: list[RenderedPdf],
    failed: list[tuple[str, str]],
    settings: RenderSettings,
    started: float,
) -> tuple[list[Path], Manifest]:
    """Write the snapshot, workbook, CSV and manifest next to the PDFs in ``stage``.

    A rerun replaces ``final`` but keeps its record of emails already sent, so that
    rerunning a month after ``reporter email --send`` never mails a rep twice.
    """
    files: list[Path] = []
    snap_path = stage / "snapshot.json"
    write_snapshot(snapshot, snap_path)
    files.append(snap_path)
    pdf_paths = {p.slug: f"reps/{p.path.name}" for p in pdfs}
    if settings.xlsx:
        wb = stage / "cohort.xlsx"
        write_workbook(report, wb, pdf_paths=pdf_paths)
        files.append(wb)
    if settings.csv:
        files.extend(write_csv(report, stage))
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
    for nf in report.not_found:
        entries.append(RepEntry(nf.email, nf.email, "", "not_found", nf.detail, None, None, None))
    sent = previous_sends(final)
    for entry in entries:
        if entry.email.casefold() in sent:
            entry.message_id, entry.sent_at = sent[entry.email.casefold()]
    fetch = snapshot.get("fetch") or {}
    manifest = Manifest(
        run={
            "scenario": report.scenario.slug,
            "scenario_name": report.scenario.name,
            "period": report.period.label,
            "generated_at": report.generated_at.isoformat(),
            "tool_version": report.tool_version,
            "requests_made": fetch.get("requests_made", 0),
            "cache_hits": fetch.get("cache_hits", 0),
            "seconds": round(time.monotonic() - started, 2),
        },
        reps=entries,
        files={p.name: {"path": p.name, "sha256": sha256_file(p)} for p in files},
    )
    write_manifest(stage, manifest)
    return files, manifest


def previous_sends(run_dir: Path) -> dict[str, tuple[str, str | None]]:
    """email -> (Message-ID, sent at) from the manifest a rerun is about to replace."""
    if not (Path(run_dir) / "manifest.json").is_file():
        return {}
    try:
        old = read_manifest(run_dir)
    except ManifestError:
        return {}  # a damaged old manifest must not block a new run
    return {e.email.casefold(): (e.message_id, e.sent_at) for e in old.reps if e.message_id}


def render_snapshot(snapshot: dict[str, Any], out: Path, settings: RenderSettings,
                    console: Console, *, run_dir: Path | None = None,
                    started: float | None = None) -> RunOutcome:
    """``reporter render``: everything from a snapshot, no network."""
    started = started or time.monotonic()
    report = build_report(snapshot, console)
    header = header_view(snapshot)
    final = run_dir or run_dir_for(out, snapshot)
    stage = StagingDir(final)
    try:
        pdfs, failed = [], []
        if settings.pdf:
            reps = [r for r in report.reps if r.has_valid_attempt or not settings.skip_empty]
            with console.progress(len(reps), "PDF reports") as bar, PdfRenderPool(
                settings.pdf_options, stage.path, settings.jobs
            ) as pool:
                futures = [(rep, pool.submit(header, rep)) for rep in reps]
                pdfs, failed = _collect(futures, bar, console)
        files, _ = finish_run(stage.path, final, snapshot, report, pdfs, failed, settings, started)
        stage.commit()
    except BaseException:
        stage.abort()
        raise
    return _outcome(final, report, pdfs, failed, files, snapshot, started)


def run(api: ApiSettings, scenario: str, selection: Selection, period: Period,
        options: FetchOptions, settings: RenderSettings, out: Path,
        console: Console) -> RunOutcome | FetchResult:
    """``reporter run``: fetch, and render each rep's PDF as soon as their sessions are in."""
    started = time.monotonic()
    if options.dry_run:
        return fetch_snapshot(api, scenario, selection, period, options, console)

    state: dict[str, Any] = {"futures": []}

    def on_rep(rep: dict[str, Any], header: dict[str, Any]) -> None:
        if not settings.pdf:
            return
        if "pool" not in state:
            snap = {**header, "reps": []}
            state["dir"] = run_dir_for(out, snap)
            state["stage"] = StagingDir(state["dir"])
            state["pool"] = PdfRenderPool(settings.pdf_options, state["stage"].path,
                                          settings.jobs)
            state["header"] = header_view(snap)
            state["best"] = analytics.cohort_best_scores(snap)
        view = analytics.build_rep(rep, {**header, "reps": []}, state["best"])
        if view.has_valid_attempt or not settings.skip_empty:
            state["futures"].append((view, state["pool"].submit(state["header"], view)))

    try:
        result = asyncio.run(_fetch(api, scenario, selection, period, options, console, on_rep))
        snapshot = result.snapshot
        assert snapshot is not None
        report = build_report(snapshot, console)
        final = state.get("dir") or run_dir_for(out, snapshot)
        stage = state.get("stage") or StagingDir(final)
        state["stage"] = stage
        pdfs, failed = [], []
        if state.get("pool"):
            with console.progress(len(state["futures"]), "PDF reports") as bar:
                pdfs, failed = _collect(state["futures"], bar, console)
            state["pool"].close()
        files, _ = finish_run(stage.path, final, snapshot, report, pdfs, failed, settings, started)
        stage.commit()
    except BaseException:
        if state.get("pool"):
            state["pool"].close()
        if state.get("stage"):
            state["stage"].abort()
        raise
    return _outcome(final, report, pdfs, failed, files, snapshot, started)


def _collect(futures: list[tuple[Any, Future]], bar, console: Console):
    pdfs: list[RenderedPdf] = []
    failed: list[tuple[str, str]] = []
    for rep, fut in futures:
        try:
            pdfs.append(fut.result())
        except Exception as exc:  # one rep's failure must not sink the others
            failed.append((rep.email, f"PDF failed: {type(exc).__name__}: {exc}"[:300]))
            console.warn(f"{rep.email}: PDF failed: {exc}")
        bar.advance()
    return pdfs, failed


def _outcome(final: Path, report: ReportView, pdfs, failed, files, snapshot, started) -> RunOutcome:
    fetch = snapshot.get("fetch") or {}
    all_files = [final / "reps" / p.path.name for p in pdfs] + [final / f.name for f in files]
    return RunOutcome(
        run_dir=final, reps=len(report.reps), reports=len(pdfs),
        pages=sum(p.pages for p in pdfs), files=all_files, failed=failed,
        not_found=len(report.not_found), requests_made=fetch.get("requests_made", 0),
        cache_hits=fetch.get("cache_hits", 0), seconds=time.monotonic() - started,
    )


def save_snapshot(result: FetchResult, path: Path) -> None:
    assert result.snapshot is not None
    write_snapshot(result.snapshot, path)


def load_snapshot(path: Path) -> dict[str, Any]:
    return read_snapshot(path)


