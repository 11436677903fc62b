"""The render pool: the PDFs of a run drawn in parallel processes, longest first.

Each worker builds its renderer once (templates, CSS, fonts) and draws the reports it is
handed; the pool's caller (the pipeline) submits the team reports as soon as the analytics
exist and each rep as they arrive, then collects the PDFs in order. A failure is one report's:
listed against it, and the others go on. Nothing that draws is imported here: reports are
drawn in the workers only, so loading this module stays light.
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import pickle
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from reporter.analytics.localized import RunViews
from reporter.analytics.team import GroupInfo, build_team, build_teams
from reporter.console import Console
from reporter.errors import UsageError
from reporter.files import private_folder
from reporter.names import TEAM_PDF, TEAMS_DIR, target_path
from reporter.render.options import PdfOptions
from reporter.render.processes import RenderProcesses, WorkerDied
from reporter.render.worker import (
    Draw,
    Header,
    RenderedPdf,
    draw_in_worker,
    render_in_worker,
)
from reporter.views import (
    Manager,
    ProgramReportView,
    ProgramRepView,
    TeamView,
)

__all__ = ["Draw", "PdfRenderPool", "RenderedPdf", "Renders", "program_header", "rep_cost"]


def program_header(report: ProgramReportView) -> ProgramReportView:
    """What every rep's program report shares: the program, its period and each scenario's
    report header (scenario, cohort); the reps, in the program and in each part, left out,
    since each rep's PDF reads only their own views (their rows carry them)."""
    return replace(report, reps=(), needs_attention=(), shortlist=(), labels={},
                   parts=tuple(replace(p, reps=(), needs_attention=(), shortlist=(), labels={})
                               for p in report.parts))


def rep_cost(rep: ProgramRepView) -> tuple[int, int]:
    """How long a rep's report takes to draw, to submit the longest first: about three pages
    per scenario with a valid attempt (a rep with none draws a single page), then the sessions
    they hold."""
    return (sum(1 for r in rep.rows if r.rep is not None and r.rep.has_valid_attempt),
            sum(r.rep.session_count for r in rep.practised if r.rep))


class PdfRenderPool:
    """Renders reps' PDFs in worker processes (``render.processes``), each with its own
    renderer built once.

    Every report is drawn in a worker, ``jobs=1`` included (one worker): a caller that is
    still fetching (an event loop) is never blocked by a render, a report that takes the OOM
    killer's attention takes a worker with it, not the command, and Ctrl-C or SIGTERM stop
    the command at once instead of after the report being drawn (a thread cannot be stopped).

    Reps are submitted one at a time, as the pipeline gets them, and each goes to whichever
    worker is free: with reports of one to a few pages no worker waits at the end for longer
    than one report. The header every rep shares is pickled once per pool, not per rep, and
    unpickled once per worker.
    """

    def __init__(self, options: PdfOptions, out_dir: Path, jobs: int | None = None) -> None:
        self.options = options
        self.out_dir = Path(out_dir)
        self.jobs = max(1, jobs if jobs is not None else (os.cpu_count() or 1))
        self._headers: dict[int, tuple[ProgramReportView, Header]] = {}
        self._processes = RenderProcesses(options, self.jobs)

    def _pickled(self, report: ProgramReportView) -> Header:
        """The header of ``report`` (its reps left out), pickled once per report object (a
        run has one per language it writes)."""
        held = self._headers.get(id(report))
        if held is None or held[0] is not report:
            header = program_header(report)
            key = 1 + max((h.key for _, h in self._headers.values()), default=0)
            held = (report, Header(key, pickle.dumps(header, pickle.HIGHEST_PROTOCOL)))
            self._headers[id(report)] = held
        return held[1]

    def _refused(self, slug: str) -> cf.Future[RenderedPdf] | None:
        """A failed future for a slug whose file would land outside ``reps/``; else None."""
        try:
            target_path(self.out_dir, slug)
        except ValueError as exc:
            failed: cf.Future[RenderedPdf] = cf.Future()
            failed.set_exception(exc)
            return failed
        return None

    def submit(self, report: ProgramReportView, rep: ProgramRepView) -> cf.Future[RenderedPdf]:
        """Queue one rep's report (``reps/<slug>.pdf``); the future fails (ValueError) for an
        unsafe slug, others go on. ``report`` is the whole run's report: pickled once per
        pool without its reps (``program_header``); a single-scenario run's is the program of
        its one scenario, drawn as that scenario's page (``render_in_worker``)."""
        refused = self._refused(rep.slug)
        if refused is not None:
            return refused
        return self._processes.submit(render_in_worker, self.out_dir, self._pickled(report),
                                      rep)

    def submit_document(self, draw: Draw, path: Path, header: object, subject: object, *,
                        slug: str, email: str, empty: bool) -> cf.Future[RenderedPdf]:
        """Queue any other document drawn by this pool's renderers (a team report):
        ``draw(renderer, header, subject)``, a module-level function, gives (PDF bytes,
        pages), written to ``path`` (a name the caller chose). ``header`` goes with the job,
        pickled each time: keep it small (no reps, ``program_header``)."""
        return self._processes.submit(draw_in_worker, draw, path, header, subject, slug,
                                      email, empty)

    def close(self, *, cancel: bool = False) -> None:
        """Wait for the workers to draw what they were handed and end. With ``cancel`` (a run
        that failed or was interrupted: its staging folder is discarded) the workers are
        killed at once: Ctrl-C or SIGTERM end the command without waiting for the reports
        being drawn, and no worker writes into the staging folder once it is removed."""
        if cancel:
            self._processes.kill()
        else:
            self._processes.close()

    def __enter__(self) -> PdfRenderPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close(cancel=exc_info[0] is not None)


class Renders:
    """The PDFs of a run: the team reports (the whole selection's, and one per ``[teams]``
    group) and one report per rep, submitted once, drawn by the pool, collected at the end.

    A team report is the longest job of a run, so a caller that has the whole report before
    the reps' PDFs (``render``) submits the teams first: drawn last, they would be a tail one
    process draws while the others wait. A run that is still fetching submits each rep as
    they arrive (``submit``), and the teams once the last is in. With ``skip_empty``, a rep
    with no valid attempt gets no PDF.
    """

    def __init__(self, folder: Path, headers: Mapping[str, ProgramReportView],
                 teams: list[tuple[GroupInfo, Manager]], options: PdfOptions | None, *,
                 jobs: int | None = None, skip_empty: bool = False) -> None:
        self.folder = folder
        self.teams = teams  # resolved [teams] of a --by-team run
        self.skip_empty = skip_empty
        self.pool = PdfRenderPool(options, folder, jobs) if options is not None else None
        self.team_futures: list[tuple[TeamView, Path, cf.Future[RenderedPdf] | None]] = []
        # What every rep's report shares (scenarios, period, cohorts), in each language.
        self.headers = headers
        self.futures: list[tuple[ProgramRepView, cf.Future[RenderedPdf]]] = []

    def _drawn(self, view: ProgramRepView) -> bool:
        """Whether ``view`` gets a PDF: with ``skip_empty``, not without a valid attempt."""
        return view.has_valid_attempt or not self.skip_empty

    def submit(self, view: ProgramRepView, language: str) -> None:
        """Queue one rep as it arrives (a run that is still fetching), in their language."""
        if self.pool is not None and self._drawn(view):
            self.futures.append((view, self.pool.submit(self.headers[language], view)))

    def submit_reps(self, reps: Sequence[tuple[ProgramReportView, ProgramRepView]]) -> None:
        """Queue ``reps`` known all at once, the longest first (``rep_cost``), so that no
        worker is still drawing a long report at the end while the other waits; ``collect``
        gives them back in this order."""
        if self.pool is None:
            return
        header = {id(rep): report for report, rep in reps}
        chosen = [r for _, r in reps if self._drawn(r)]
        pool = self.pool
        self.futures += _longest_first(chosen, rep_cost,
                                       lambda rep: pool.submit(header[id(rep)], rep))

    def submit_teams(self, views: RunViews, console: Console) -> None:
        """The team reports (``team.pdf``, and each --by-team team's), one analysis
        (``build_team``) and one drawing (``render_team``) for a single scenario's run and a
        program's alike; each in its manager's language (``team.pdf``: the configured)."""
        from reporter.render.team_pdf import render_team

        headers = {tag: program_header(r) for tag, r in views.reports.items()}
        built: dict[str, TeamView] = {}
        for tag in dict.fromkeys(views.languages.manager(m.language) for _, m in self.teams):
            chosen_teams = [(g, m) for g, m in self.teams
                            if views.languages.manager(m.language) == tag]
            for team in build_teams(views.of(tag), chosen_teams):
                built[team.group or team.name] = team
        by_team = [t for g, _ in self.teams if (t := built.get(g.name)) is not None]
        chosen = self._team_paths(build_team(views.default), by_team, console)
        for team, path in chosen:
            tag = views.languages.manager(team.manager.language if team.manager else None)
            future = self.pool.submit_document(
                render_team, path, headers[tag], team, slug=team.slug,
                email=team.manager.email if team.manager else "",
                empty=not team.reps) if self.pool else None
            self.team_futures.append((team, path, future))

    def _team_paths(self, whole: TeamView, teams: Sequence[TeamView],
                    console: Console) -> list[tuple[TeamView, Path]]:
        """``team.pdf`` for the whole selection, and each --by-team team's into
        ``teams/<slug>/``; a group none of the selected reps is in is said and skipped."""
        for group, _ in self.teams:
            if not any(t.group == group.name for t in teams):
                console.warn(f"team {group.name}: none of the selected reps is in this group; "
                             "no team report")
        chosen = [(whole, self.folder / TEAM_PDF)]
        chosen += [(t, self.folder / TEAMS_DIR / t.slug / TEAM_PDF) for t in teams]
        for _, path in chosen:
            private_folder(path.parent)
        return chosen

    def collect(self, console: Console) -> tuple[list[RenderedPdf], list[tuple[str, str]]]:
        """Every rep's PDF, in submission order; one rep's failure does not sink the others."""
        return _collect(self.futures, console)

    def collect_teams(self, console: Console
                      ) -> tuple[list[tuple[TeamView, Path, RenderedPdf | None]],
                                 list[tuple[str, str]]]:
        """Each team with its PDF (None: not drawn, --no-pdf, or failed: listed)."""
        out: list[tuple[TeamView, Path, RenderedPdf | None]] = []
        failed: list[tuple[str, str]] = []
        for team, path, fut in self.team_futures:
            rendered = _result(fut, f"team {team.name}", failed) if fut else None
            out.append((team, path, rendered))
        self.close()
        return out, failed

    def close(self, *, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.close(cancel=cancel)
            self.pool = None


def _longest_first(reps: Sequence[ProgramRepView],
                   cost: Callable[[ProgramRepView], tuple[int, int]],
                   submit: Callable[[ProgramRepView], cf.Future[RenderedPdf]]
                   ) -> list[tuple[ProgramRepView, cf.Future[RenderedPdf]]]:
    """Each rep with its future, in the order given, submitted the costliest first (ties in
    the order given)."""
    order = sorted(range(len(reps)), key=lambda i: cost(reps[i]), reverse=True)
    futures = {i: submit(reps[i]) for i in order}
    return [(rep, futures[i]) for i, rep in enumerate(reps)]


def _collect(futures: Sequence[tuple[ProgramRepView, cf.Future[RenderedPdf]]],
             console: Console) -> tuple[list[RenderedPdf], list[tuple[str, str]]]:
    """The reps' PDFs, in order, with a progress bar; a failure is listed against the rep."""
    pdfs: list[RenderedPdf] = []
    failed: list[tuple[str, str]] = []
    with console.progress(len(futures), "PDF reports") as bar:
        for rep, fut in futures:
            rendered = _result(fut, rep.email, failed)
            if rendered is not None:
                pdfs.append(rendered)
            bar.advance()
    return pdfs, failed


def _result(fut: cf.Future[RenderedPdf], who: str,
            failed: list[tuple[str, str]]) -> RenderedPdf | None:
    """The future's PDF; a failure is listed against ``who`` and the run goes on. It is said
    once, with the run's other failures, when the run ends (``outcome.summarise``)."""
    try:
        return fut.result()
    except (OSError, UsageError):
        raise  # the disk or a template, not this report: the whole run stops
    except WorkerDied as exc:
        failed.append((who, f"PDF failed: {exc}"))
    except Exception as exc:
        failed.append((who, f"PDF failed: {type(exc).__name__}: {exc}"[:300]))
    return None
