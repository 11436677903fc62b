"""The render pool: the PDFs of a run drawn in parallel processes, longest first.

Each worker builds its renderer once (templates, CSS, fonts) and draws the reports it is
handed; the pool's caller (the pipeline) submits the team reports as soon as the analytics
exist and each rep as they arrive, then collects the PDFs in order. A failure is one report's:
listed against it, and the others go on. Nothing that draws is imported until a report is
drawn (in a worker, or here for ``jobs=1``), so loading this module stays light.
"""

from __future__ import annotations

import concurrent.futures as cf
import gc
import hashlib
import multiprocessing
import os
import pickle
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reporter.analytics.team import GroupInfo, build_team, build_teams
from reporter.console import Console
from reporter.files import atomic_write_bytes
from reporter.names import TEAM_PDF, TEAMS_DIR, target_path
from reporter.render.options import PdfOptions
from reporter.views import (
    Manager,
    ProgramReportView,
    ProgramRepView,
    ReportView,
    RepView,
    TeamView,
)

if TYPE_CHECKING:
    from reporter.render.pdf import PdfRenderer

#: A document's drawing function: (renderer, header, subject) -> (PDF bytes, pages). A
#: module-level function, so that it reaches a worker by name.
Draw = Callable[[Any, Any, Any], tuple[bytes, int]]


@dataclass(frozen=True)
class RenderedPdf:
    slug: str
    email: str
    path: Path
    pages: int
    sha256: str
    empty: bool




def _saved(path: Path, pdf: bytes, pages: int, *, slug: str, email: str,
           empty: bool) -> RenderedPdf:
    """``pdf`` written to ``path`` atomically, with the checksum of the bytes written (the
    manifest's, so nobody reads the file back to hash it)."""
    atomic_write_bytes(path, pdf)
    return RenderedPdf(slug=slug, email=email, path=path, pages=pages,
                       sha256=hashlib.sha256(pdf).hexdigest(), empty=empty)


def _write(renderer: PdfRenderer, out_dir: Path, report: ReportView,
           rep: RepView) -> RenderedPdf:
    path = target_path(out_dir, rep.slug)
    pdf, pages = renderer.render(report, rep)
    return _saved(path, pdf, pages, slug=rep.slug, email=rep.email,
                  empty=not rep.has_valid_attempt)


def _write_program_rep(renderer: PdfRenderer, out_dir: Path, report: ProgramReportView,
                       rep: ProgramRepView) -> RenderedPdf:
    from reporter.render.program_pdf import has_valid_attempt, render_program_rep

    path = target_path(out_dir, rep.slug)
    pdf, pages = render_program_rep(renderer, report, rep)
    return _saved(path, pdf, pages, slug=rep.slug, email=rep.email,
                  empty=not has_valid_attempt(rep))


def _write_team(renderer: PdfRenderer, path: Path, report: ReportView,
                team: TeamView) -> RenderedPdf:
    from reporter.render.team_pdf import render_team

    pdf, pages = render_team(renderer, report, team)
    return _saved(path, pdf, pages, slug=team.slug,
                  email=team.manager.email if team.manager else "", empty=not team.reps)


@dataclass(frozen=True)
class _Header:
    """A run's shared report header, pickled once by the pool, unpickled once per worker."""

    key: int
    blob: bytes


_WORKER: PdfRenderer | None = None
_HEADERS: dict[int, ReportView | ProgramReportView] = {}


#: How often a worker checks that the process that started it is still there.
_PARENT_CHECK_SECONDS = 0.5


def _end_with_parent(parent: int) -> None:
    """End this worker when its parent (pid ``parent``, passed in: it may have died while
    this worker was still importing) dies, kill -9 included, when no cleanup runs: a thread
    watches, so no orphan holds a renderer's memory a minute later."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="end-with-parent", daemon=True).start()


def _init_worker(options: PdfOptions, parent: int) -> None:
    """Build the worker's renderer once. Ctrl-C reaches every process of the terminal's group:
    the worker ignores it, and the parent, which owns the run, stops the pool and says so once
    (a worker's KeyboardInterrupt traceback would bury that line).

    Everything alive after the warm-up (modules, templates, fonts) lives as long as the worker,
    so it is frozen out of the garbage collector's reach: no pass walks it again."""
    from reporter.render.pdf import PdfRenderer

    global _WORKER
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _end_with_parent(parent)
    _WORKER = PdfRenderer(options)
    _WORKER.warm_up()
    gc.collect()
    gc.freeze()


def _unpickled(header: _Header) -> ReportView | ProgramReportView:
    """The header's report, unpickled once per worker (a run has one header: the newest is
    kept)."""
    report = _HEADERS.get(header.key)
    if report is None:
        report = pickle.loads(header.blob)
        _HEADERS.clear()
        _HEADERS[header.key] = report
    return report


def _render_in_worker(out_dir: Path, header: _Header, rep: RepView) -> RenderedPdf:
    assert _WORKER is not None, "worker initializer did not run"
    report = _unpickled(header)
    assert isinstance(report, ReportView)
    return _write(_WORKER, out_dir, report, rep)


def _render_program_in_worker(out_dir: Path, header: _Header,
                              rep: ProgramRepView) -> RenderedPdf:
    assert _WORKER is not None, "worker initializer did not run"
    report = _unpickled(header)
    assert isinstance(report, ProgramReportView)
    return _write_program_rep(_WORKER, out_dir, report, rep)


def _draw(renderer: PdfRenderer, draw: Draw, path: Path, header: object, subject: object,
          slug: str, email: str, empty: bool) -> RenderedPdf:
    pdf, pages = draw(renderer, header, subject)
    return _saved(path, pdf, pages, slug=slug, email=email, empty=empty)


def _draw_in_worker(draw: Draw, path: Path, header: object, subject: object, slug: str,
                    email: str, empty: bool) -> RenderedPdf:
    assert _WORKER is not None, "worker initializer did not run"
    return _draw(_WORKER, draw, path, header, subject, slug, email, empty)


def _render_team_in_worker(path: Path, report: ReportView, team: TeamView) -> RenderedPdf:
    assert _WORKER is not None, "worker initializer did not run"
    return _write_team(_WORKER, path, report, team)


def program_header(report: ProgramReportView) -> ProgramReportView:
    """What every rep's program report shares: the program, its period and each scenario's
    report header (scenario, cohort); the reps, in the program and in each part, left out,
    since each rep's PDF reads only their own views (their rows carry them)."""
    return replace(report, reps=(), needs_attention=(), shortlist=(), labels={},
                   parts=tuple(replace(p, reps=(), needs_attention=(), shortlist=(), labels={})
                               for p in report.parts))


def program_rep_cost(rep: ProgramRepView) -> tuple[int, int]:
    """How long a rep's program report takes to draw, to submit the longest first: a section
    (about three pages) per practised scenario, then the sessions they hold."""
    return (len(rep.practised), sum(r.rep.session_count for r in rep.practised if r.rep))


class PdfRenderPool:
    """Renders reps' PDFs in parallel processes, each with its own renderer built once.

    ``jobs=1`` renders in this process on one background thread, so a caller that is still
    fetching (an event loop) is never blocked by a render.

    Reps are submitted one at a time, as the pipeline gets them, and the executor hands each
    to whichever worker is free: with reports of one to a few pages no worker waits at the end
    for longer than one report. The header every rep shares is pickled once per pool, not per
    rep, and unpickled once per worker.
    """

    def __init__(self, options: PdfOptions, out_dir: Path, jobs: int | None = None) -> None:
        self.options = options
        self.out_dir = Path(out_dir)
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self._renderer: PdfRenderer | None = None
        self._header: tuple[ReportView | ProgramReportView, _Header] | None = None
        self._executor: cf.Executor
        if self.jobs == 1:
            from reporter.render.pdf import PdfRenderer

            self._renderer = PdfRenderer(options)
            self._executor = cf.ThreadPoolExecutor(max_workers=1,
                                                   thread_name_prefix="pdf-render")
        else:
            # spawn, not fork: the caller may hold threads (HTTP client, event loop) that a
            # forked child would inherit in an unknown state.
            self._executor = cf.ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker, initargs=(options, os.getpid()))

    def _pickled(self, report: ReportView | ProgramReportView) -> _Header:
        """The header of ``report`` (its reps left out), pickled once per report object."""
        if self._header is None or self._header[0] is not report:
            header = program_header(report) if isinstance(report, ProgramReportView) else (
                replace(report, reps=()) if report.reps else report)
            key = 1 + (self._header[1].key if self._header else 0)
            self._header = (report, _Header(key, pickle.dumps(header, pickle.HIGHEST_PROTOCOL)))
        return self._header[1]

    def _refused(self, slug: str) -> cf.Future[RenderedPdf] | None:
        """A failed future for a slug whose file would land outside ``reps/``; else None."""
        try:
            target_path(self.out_dir, slug)
        except ValueError as exc:
            failed: cf.Future[RenderedPdf] = cf.Future()
            failed.set_exception(exc)
            return failed
        return None

    def submit(self, report: ReportView, rep: RepView) -> cf.Future[RenderedPdf]:
        """Queue one rep; the future fails (ValueError) for an unsafe slug, others go on."""
        refused = self._refused(rep.slug)
        if refused is not None:
            return refused
        if self._renderer is not None:
            return self._executor.submit(_write, self._renderer, self.out_dir, report, rep)
        return self._executor.submit(_render_in_worker, self.out_dir, self._pickled(report),
                                     rep)

    def submit_program(self, report: ProgramReportView,
                       rep: ProgramRepView) -> cf.Future[RenderedPdf]:
        """Queue one rep's program report (``reps/<slug>.pdf``); as ``submit``, the future
        fails (ValueError) for an unsafe slug and the others go on. ``report`` is the whole
        program's report: pickled once per pool without its reps (``program_header``)."""
        refused = self._refused(rep.slug)
        if refused is not None:
            return refused
        if self._renderer is not None:
            return self._executor.submit(_write_program_rep, self._renderer, self.out_dir,
                                         report, rep)
        return self._executor.submit(_render_program_in_worker, self.out_dir,
                                     self._pickled(report), rep)

    def submit_team(self, report: ReportView, team: TeamView,
                    path: Path) -> cf.Future[RenderedPdf]:
        """Queue a team report, written to ``path`` (a name the pipeline chose)."""
        header = replace(report, reps=(), needs_attention=())
        if self._renderer is not None:
            return self._executor.submit(_write_team, self._renderer, path, header, team)
        return self._executor.submit(_render_team_in_worker, path, header, team)

    def submit_document(self, draw: Draw, path: Path, header: object, subject: object, *,
                        slug: str, email: str, empty: bool) -> cf.Future[RenderedPdf]:
        """Queue any other document drawn by this pool's renderers (a program's team report):
        ``draw(renderer, header, subject)``, a module-level function, gives (PDF bytes,
        pages), written to ``path`` (a name the caller chose). ``header`` goes with the job,
        pickled each time, as ``submit_team``'s does: keep it small (no reps)."""
        if self._renderer is not None:
            return self._executor.submit(_draw, self._renderer, draw, path, header, subject,
                                         slug, email, empty)
        return self._executor.submit(_draw_in_worker, draw, path, header, subject, slug,
                                     email, empty)

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)

    def __enter__(self) -> PdfRenderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _Renders:
    """What both kinds of run share: the pool, the team reports' futures, collecting them."""

    def __init__(self, folder: Path, teams: list[tuple[GroupInfo, Manager]],
                 options: PdfOptions | None, *, jobs: int | None = None,
                 skip_empty: bool = False) -> None:
        self.folder = folder
        self.teams = teams  # resolved [teams] of a --by-team run
        self.skip_empty = skip_empty
        self.pool = PdfRenderPool(options, folder, jobs) if options is not None else None
        self.team_futures: list[tuple[Any, Path, cf.Future[RenderedPdf] | None]] = []

    def _team_paths(self, whole: Any, teams: Sequence[Any],
                    console: Console) -> list[tuple[Any, Path]]:
        """``team.pdf`` for the whole selection, and each --by-team team's into
        ``teams/<slug>/``; a group none of the selected reps is in is said and skipped."""
        for group, _ in self.teams:
            if not any(t.group == group.name for t in teams):
                console.warn(f"team {group.name}: none of the selected reps is in this group; "
                             "no team report")
        chosen = [(whole, self.folder / TEAM_PDF)]
        chosen += [(t, self.folder / TEAMS_DIR / t.slug / TEAM_PDF) for t in teams]
        for _, path in chosen:
            path.parent.mkdir(parents=True, exist_ok=True)
        return chosen

    def collect_teams(self, console: Console
                      ) -> tuple[list[tuple[Any, Path, RenderedPdf | None]],
                                 list[tuple[str, str]]]:
        """Each team with its PDF (None: not drawn, --no-pdf, or failed: listed)."""
        out: list[tuple[Any, Path, RenderedPdf | None]] = []
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


class ReportRenders(_Renders):
    """The PDFs of a run: the team reports (the whole selection's, and one per ``[teams]``
    group) and each rep, submitted once, drawn by the pool, collected at the end.

    A team report is the longest job of a run, so a caller that has the whole report before
    the reps' PDFs (``render``) submits the teams first: drawn last, they would be a tail one
    process draws while the others wait.
    """

    def __init__(self, folder: Path, header: ReportView, teams: list[tuple[GroupInfo, Manager]],
                 options: PdfOptions | None, *, jobs: int | None = None,
                 skip_empty: bool = False) -> None:
        super().__init__(folder, teams, options, jobs=jobs, skip_empty=skip_empty)
        self.header = header  # what every rep's report shares: scenario, period, cohort
        self.futures: list[tuple[RepView, cf.Future[RenderedPdf]]] = []

    def submit(self, view: RepView) -> None:
        if self.pool is not None and (view.has_valid_attempt or not self.skip_empty):
            self.futures.append((view, self.pool.submit(self.header, view)))

    def submit_teams(self, report: ReportView, console: Console) -> None:
        text = report.selection_text
        whole = build_team(report.reps, name=text[:1].upper() + text[1:])
        for team, path in self._team_paths(whole, build_teams(report, self.teams), console):
            future = self.pool.submit_team(report, team, path) if self.pool else None
            self.team_futures.append((team, path, future))

    def collect(self, console: Console) -> tuple[list[RenderedPdf], list[tuple[str, str]]]:
        """Every rep's PDF, in submission order; one rep's failure does not sink the others."""
        return _collect(self.futures, console)


class ProgramRenders(_Renders):
    """The reps' PDFs of a program run: one report per rep across the program's scenarios.

    The whole program report exists before any PDF is drawn (its focus and attention rules
    compare scenarios), so the team reports go first (the longest jobs), then every rep at
    once, the longest first (``program_rep_cost``: a rep with three scenarios practised draws
    ten pages, one with none a single page), collected in the order given (the report's: by
    name). With ``skip_empty``, a rep with no valid attempt in any scenario gets no PDF.
    """

    def __init__(self, folder: Path, header: ProgramReportView,
                 teams: list[tuple[GroupInfo, Manager]], options: PdfOptions | None, *,
                 jobs: int | None = None, skip_empty: bool = False) -> None:
        super().__init__(folder, teams, options, jobs=jobs, skip_empty=skip_empty)
        self.header = header  # program_header(report): what every PDF of the run reads
        self.futures: list[tuple[ProgramRepView, cf.Future[RenderedPdf]]] = []

    def submit_teams(self, report: ProgramReportView, console: Console) -> None:
        """The program's team reports (``team.pdf``, and each --by-team team's)."""
        from reporter.analytics.program_team import build_program_team, build_program_teams
        from reporter.render.team_pdf import render_program_team

        chosen = self._team_paths(build_program_team(report),
                                  build_program_teams(report, self.teams), console)
        for team, path in chosen:
            future = self.pool.submit_document(
                render_program_team, path, self.header, team, slug=team.slug,
                email=team.manager.email if team.manager else "",
                empty=not team.reps) if self.pool else None
            self.team_futures.append((team, path, future))

    def submit_reps(self, reps: Sequence[ProgramRepView]) -> None:
        """Queue ``reps``, the longest first; ``collect`` gives them back in this order."""
        from reporter.render.program_pdf import has_valid_attempt

        if self.pool is None:
            return
        chosen = [r for r in reps if has_valid_attempt(r) or not self.skip_empty]
        order = sorted(range(len(chosen)), key=lambda i: program_rep_cost(chosen[i]),
                       reverse=True)
        futures = {i: self.pool.submit_program(self.header, chosen[i]) for i in order}
        self.futures += [(rep, futures[i]) for i, rep in enumerate(chosen)]

    def collect(self, console: Console) -> tuple[list[RenderedPdf], list[tuple[str, str]]]:
        """Every rep's PDF, in the order submitted; one rep's failure does not sink the
        others."""
        return _collect(self.futures, console)


def _collect(futures: Sequence[tuple[RepView | ProgramRepView, cf.Future[RenderedPdf]]],
             console: Console) -> tuple[list[RenderedPdf], list[tuple[str, str]]]:
    """The reps' PDFs, in order, with a progress bar; a failure is listed against the rep."""
    pdfs: list[RenderedPdf] = []
    failed: list[tuple[str, str]] = []
    with console.progress(len(futures), "PDF reports") as bar:
        for rep, fut in futures:
            rendered = _result(fut, rep.email, failed, console)
            if rendered is not None:
                pdfs.append(rendered)
            bar.advance()
    return pdfs, failed


def _result(fut: cf.Future[RenderedPdf], who: str, failed: list[tuple[str, str]],
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
